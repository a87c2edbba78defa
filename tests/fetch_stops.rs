//! Every way a fetch can be stopped leaves a resumable snapshot that tells the truth, and says
//! how to continue: stop signals (SIGINT, SIGTERM, SIGHUP), a spent daily quota and a disk that
//! refuses writes. The real binary runs against the simulated API on loopback.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const KB4GRAPH: &str = env!("CARGO_BIN_EXE_kb4graph");

fn fetch_command(base_url: &str, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(KB4GRAPH);
    cmd.args(["fetch", "--base-url", base_url, "--timeout", "5"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("KNOWBE4_API_TOKEN", common::TOKEN)
        .env_remove("RUST_LOG");
    cmd
}

fn resume(dir: &Path) -> Output {
    Command::new(KB4GRAPH)
        .args(["fetch", "--pace", "off", "--resume"])
        .arg(dir)
        .env("KNOWBE4_API_TOKEN", common::TOKEN)
        .output()
        .expect("kb4graph runs")
}

/// Page files on disk, temporary files left aside.
fn pages_on_disk(dir: &Path) -> u64 {
    common::raw_pages(dir)
        .keys()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().contains(".kb4graph-tmp-")
        })
        .count() as u64
}

fn wait_with_deadline(child: &mut std::process::Child, limit: Duration) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("kb4graph did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    use std::io::Read;
    if let Some(mut s) = child.stdout.take() {
        s.read_to_end(&mut stdout).unwrap();
    }
    if let Some(mut s) = child.stderr.take() {
        s.read_to_end(&mut stderr).unwrap();
    }
    Output {
        status: child.try_wait().unwrap().unwrap(),
        stdout,
        stderr,
    }
}

/// A paced fetch stopped mid-way by `signal` saves a manifest that counts exactly the requests
/// the server saw and lists exactly the pages on disk, exits 130, and resumes to completion.
async fn stopped_by(signal: &'static str) {
    let server = common::start(common::small(61)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut child = fetch_command(&server.base_url(), &out, &["--pace", "5/s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kb4graph starts");
    let pid = child.id().to_string();
    // Mid-way: a few requests answered, most of the account still to fetch.
    let started = Instant::now();
    while server.stats().requests < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{signal}: the fetch did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let output = tokio::task::spawn_blocking(move || {
        let sent = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        wait_with_deadline(&mut child, Duration::from_secs(20))
    })
    .await
    .unwrap();
    let text = common::output_text(&output);
    assert_eq!(output.status.code(), Some(130), "{signal}: {text}");
    let manifest = common::manifest(&out);
    assert_eq!(manifest["complete"], false, "{signal}: stopped mid-way");
    let seen = server.stats().requests;
    assert!(seen >= 4, "{signal}: the fetch was under way: {seen}");
    assert_eq!(
        manifest["totals"]["requests"].as_u64(),
        Some(seen),
        "{signal}: the manifest counts the requests the server saw"
    );
    assert!(
        text.contains("--resume") && text.contains(&format!("SIG{signal}")),
        "{signal}: {text}"
    );
    let pages = manifest["totals"]["pages"].as_u64().unwrap();
    assert_eq!(
        pages,
        pages_on_disk(&out),
        "{signal}: the manifest lists every page on disk"
    );
    assert!(pages > 0, "{signal}");

    let resumed = resume(&out);
    assert!(
        resumed.status.success(),
        "{signal}: {}",
        common::output_text(&resumed)
    );
    let manifest = common::manifest(&out);
    assert_eq!(manifest["complete"], true, "{signal}");
    assert_eq!(
        manifest["totals"]["requests"].as_u64(),
        Some(server.stats().requests),
        "{signal}: both runs' requests, as the server counted them"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_cleanly_counting_only_requests_sent() {
    stopped_by("INT").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_cleanly_and_resumably() {
    stopped_by("TERM").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_stops_cleanly_and_resumably() {
    stopped_by("HUP").await;
}

/// Once one answer says the daily quota is spent, every worker stops: at most the requests
/// already on the wire (one per worker) follow it.
#[tokio::test(flavor = "multi_thread")]
async fn a_spent_daily_quota_stops_every_worker_at_once() {
    const QUOTA: u64 = 30;
    const CONCURRENCY: u64 = 4;
    let mut config = common::small(62);
    config.daily_quota = Some(QUOTA);
    let server = common::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut cmd = fetch_command(
        &server.base_url(),
        &out,
        &["--pace", "off", "--concurrency", "4", "--retries", "3"],
    );
    let output = tokio::task::spawn_blocking(move || cmd.output().expect("kb4graph runs"))
        .await
        .unwrap();
    let text = common::output_text(&output);
    let seen = server.stats().requests;
    assert!(
        seen <= QUOTA + CONCURRENCY,
        "{seen} requests against a quota of {QUOTA}: {text}"
    );
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("daily API quota") && text.contains("is spent"),
        "{text}"
    );
    assert!(
        text.contains(&format!("kb4graph fetch --resume {}", out.display())),
        "{text}"
    );
    let manifest = common::manifest(&out);
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["totals"]["requests"].as_u64(), Some(seen));
    let pages = manifest["totals"]["pages"].as_u64().unwrap();
    assert!(pages > 0 && pages == pages_on_disk(&out), "{pages}");
}

/// Writes past a size limit fail with EFBIG (SIGXFSZ ignored), as they would on a full disk:
/// the error names the file, says to free space and how to resume, and the resumed fetch
/// completes a snapshot that verifies.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_write_names_the_file_and_resumes_once_there_is_room() {
    let server = common::start(common::small(63)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let script = format!(
        "trap '' XFSZ; ulimit -f 40; exec '{KB4GRAPH}' fetch --base-url '{}' --pace off --out '{}'",
        server.base_url(),
        out.display()
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .args(["-c", &script])
            .env("KNOWBE4_API_TOKEN", common::TOKEN)
            .env_remove("RUST_LOG")
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let text = common::output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    let error = text
        .lines()
        .skip_while(|l| !l.starts_with("error:"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        error.contains(&out.join("raw").display().to_string()),
        "names the file: {error}"
    );
    assert!(error.contains("free some disk space"), "{error}");
    assert!(
        error.contains(&format!("kb4graph fetch --resume {}", out.display())),
        "{error}"
    );
    assert_eq!(error.matches("os error").count(), 1, "{error}");
    let manifest = common::manifest(&out);
    assert_eq!(manifest["complete"], false);

    let resumed = resume(&out);
    assert!(
        resumed.status.success(),
        "{}",
        common::output_text(&resumed)
    );
    assert_eq!(common::manifest(&out)["complete"], true);
    let verified = Command::new(KB4GRAPH)
        .arg("verify")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        common::output_text(&verified)
    );
}

/// Every command given a path that is not there says so once, without repeating the OS error.
#[test]
fn missing_paths_print_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let m = missing.to_str().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let here = dir.path().to_str().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let f = file.to_str().unwrap();
    let inside_file = format!("{f}/snap");
    let runs: Vec<Vec<&str>> = vec![
        vec!["fetch", "--resume", m],
        vec!["fetch", "--resume", f],
        vec![
            "fetch",
            "--base-url",
            "http://127.0.0.1:9",
            "--out",
            &inside_file,
        ],
        vec!["export", "--from", m, "--out", o],
        vec!["verify", m],
        vec!["diff", m, here],
        vec!["diff", here, m],
        vec!["archive", m, "--out", o],
        vec!["validate", m],
        vec![
            "fetch",
            "--base-url",
            "http://127.0.0.1:9",
            "--out",
            o,
            "--token-file",
            m,
        ],
    ];
    for args in runs {
        let output = Command::new(KB4GRAPH)
            .args(&args)
            .env("KNOWBE4_API_TOKEN", common::TOKEN)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error:"), "{args:?}: {stderr}");
        assert!(
            stderr.matches("os error").count() <= 1,
            "{args:?} repeats the OS error: {stderr}"
        );
    }
}
