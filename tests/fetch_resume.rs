//! A request budget stops a fetch cleanly; resuming finishes it, and the result equals an
//! uninterrupted fetch page for page. A resume days later equals a fetch made on the later day.
//! One fetch at a time writes a snapshot directory.

use crate::common;

use kb4graph::api::{Pagination, Token};
use kb4graph::fetch::ResumeOverrides;

#[tokio::test]
async fn budget_stop_and_resume_equal_an_uninterrupted_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let reference_server = common::start(common::small(41)).await;
    let reference = dir.path().join("reference");
    let full = common::fetch(common::options(&reference_server, &reference)).await;
    let total = full.requests;

    for (mode, cursor_server) in [(Pagination::Page, false), (Pagination::Auto, true)] {
        for budget in [1, 7, total / 2, total - 1] {
            let mut config = common::small(41);
            config.cursor_mode = cursor_server;
            let server = common::start(config).await;
            let out = dir.path().join(format!("{mode}-{budget}"));
            let mut opts = common::options(&server, &out);
            opts.pagination = mode;
            opts.max_requests = Some(budget);
            let first = common::fetch(opts).await;
            assert!(!first.complete, "{mode} budget {budget}: stops early");
            assert!(first.requests <= budget, "{mode} budget {budget}: {first}");
            assert_eq!(common::manifest(&out)["complete"], false);

            // Resume in several budgeted steps, then to the end.
            let mut steps = 0;
            loop {
                steps += 1;
                assert!(steps < 1000, "resume makes progress");
                let overrides = ResumeOverrides {
                    pace: Some(kb4graph::rate::RateSpec::off()),
                    max_requests: if steps < 3 { Some(budget.max(3)) } else { None },
                    ..ResumeOverrides::default()
                };
                let report =
                    kb4graph::fetch::resume(&out, Token::new(common::TOKEN).unwrap(), overrides)
                        .await
                        .expect("resume succeeds");
                if report.complete {
                    break;
                }
            }
            assert_eq!(common::manifest(&out)["complete"], true);
            // Each resume fetched the listings again; every request of every run is counted
            // and every run recorded.
            let stats = server.stats();
            let manifest = kb4graph::snapshot::Snapshot::open(&out)
                .unwrap()
                .manifest()
                .clone();
            assert_eq!(manifest.totals.requests, stats.requests, "{mode} {budget}");
            assert_eq!(manifest.runs.len(), steps + 1, "{mode} {budget}");
            assert!(manifest.is_consistent(), "{:?}", manifest.consistency);
            if mode == Pagination::Page {
                assert_eq!(
                    common::raw_pages(&reference),
                    common::raw_pages(&out),
                    "{mode} budget {budget}: resumed pages equal the uninterrupted fetch's"
                );
            } else {
                // Cursor pages are cut the same way; compare the records they hold.
                assert_eq!(
                    records(&reference),
                    records(&out),
                    "{mode} budget {budget}: same records"
                );
            }
        }
    }
}

fn records(dir: &std::path::Path) -> Vec<(String, Vec<serde_json::Value>)> {
    let snapshot = kb4graph::snapshot::Snapshot::open(dir).unwrap();
    let mut out: Vec<_> = snapshot
        .collections()
        .iter()
        .map(|c| {
            let items = snapshot
                .records(&c.id)
                .unwrap()
                .map(|r| r.unwrap().1)
                .collect();
            (c.id.clone(), items)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test]
async fn resuming_a_complete_snapshot_sends_nothing() {
    let server = common::start(common::small(42)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    common::fetch(common::options(&server, &out)).await;
    let before = server.stats().requests;
    let pages_before = common::files(&out);
    let report = kb4graph::fetch::resume(
        &out,
        Token::new(common::TOKEN).unwrap(),
        ResumeOverrides::default(),
    )
    .await
    .expect("resume of a complete snapshot");
    assert!(report.complete);
    assert_eq!(server.stats().requests, before);
    assert_eq!(common::files(&out), pages_before, "nothing rewritten");
}

/// Runs the binary with the test token in its environment.
async fn kb4graph(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
            .args(&args)
            .env("KNOWBE4_API_TOKEN", common::TOKEN)
            .output()
            .expect("kb4graph runs")
    })
    .await
    .unwrap()
}

fn path_arg(path: &std::path::Path) -> String {
    path.to_str().expect("a UTF-8 temporary path").to_owned()
}

/// The JSON export of a snapshot made by the binary, without graph.json's metadata (which
/// names the snapshot's manifest hash and fetch time).
async fn exported_graph(snapshot: &std::path::Path, out: &std::path::Path) -> String {
    let output = kb4graph(vec![
        "-q".into(),
        "export".into(),
        "--from".into(),
        path_arg(snapshot),
        "--format".into(),
        "json".into(),
        "--out".into(),
        path_arg(out),
    ])
    .await;
    assert!(output.status.success(), "{}", common::output_text(&output));
    let text = std::fs::read_to_string(out.join("json/graph.json")).unwrap();
    let (_, body) = text
        .split_once(",\n\"entities\":")
        .expect("metadata comes first");
    body.to_owned()
}

/// The simulated account on `day`, served at `addr` (the address a snapshot's manifest names).
async fn serve_day(addr: std::net::SocketAddr, seed: u64, day: u32) -> kb4graph::mock::MockServer {
    let mut config = common::small(seed);
    config.day = day;
    common::restart_at(addr, config).await
}

fn recipients_of(snapshot: &std::path::Path) -> BTreeSet<String> {
    kb4graph::snapshot::Snapshot::open(snapshot)
        .unwrap()
        .collections()
        .iter()
        .filter(|c| c.id.ends_with("/recipients") && !c.pages.is_empty())
        .map(|c| c.id.clone())
        .collect()
}

use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_days_later_equals_a_full_fetch_of_the_later_day() {
    const SEED: u64 = 61;
    const DAY: u32 = 3;
    let dir = tempfile::tempdir().unwrap();
    let changes = kb4graph::mock::day_changes(SEED, &common::small(SEED).org, DAY);
    assert!(!changes.new_psts.is_empty(), "{changes:?}");

    // The later day's whole account, fetched in one go.
    let server = common::start({
        let mut c = common::small(SEED);
        c.day = DAY;
        c
    })
    .await;
    let full = dir.path().join("full");
    let report = common::fetch(common::options(&server, &full)).await;
    drop(server);
    let full_graph = exported_graph(&full, &dir.path().join("full-export")).await;
    let server = common::start(common::small(SEED)).await;
    let day0 = common::fetch(common::options(&server, &dir.path().join("day0"))).await;
    drop(server);
    assert!(day0.requests < report.requests);

    // The steps: a few requests on day 0, the same address serving day 3, a resume;
    // and a stop late enough that day 0's recipients and members were saved.
    for budget in [8, day0.requests - 3] {
        let server = common::start(common::small(SEED)).await;
        let addr = server.addr();
        let base_url = server.base_url();
        let snap = dir.path().join(format!("snap-{budget}"));
        let output = kb4graph(vec![
            "-q".into(),
            "fetch".into(),
            "--base-url".into(),
            base_url,
            "--pace".into(),
            "off".into(),
            "--max-requests".into(),
            budget.to_string(),
            "--out".into(),
            path_arg(&snap),
        ])
        .await;
        assert!(output.status.success(), "{}", common::output_text(&output));
        assert_eq!(common::manifest(&snap)["complete"], false);
        let day0_recipients = recipients_of(&snap);
        server.shutdown().await;

        let server = serve_day(addr, SEED, DAY).await;
        let output = kb4graph(vec![
            "-q".into(),
            "fetch".into(),
            "--resume".into(),
            path_arg(&snap),
            "--pace".into(),
            "off".into(),
        ])
        .await;
        assert!(output.status.success(), "{}", common::output_text(&output));

        let graph = exported_graph(&snap, &dir.path().join(format!("export-{budget}"))).await;
        assert!(
            graph == full_graph,
            "budget {budget}: the resumed snapshot's graph differs from the day-{DAY} fetch's"
        );
        let snapshot = kb4graph::snapshot::Snapshot::open(&snap).unwrap();
        for pst in &changes.new_psts {
            let id = format!("phishing/security_tests/{pst}/recipients");
            assert!(snapshot.collection(&id).is_some(), "budget {budget}: {id}");
        }
        let manifest = snapshot.manifest();
        assert!(manifest.complete);
        assert_eq!(manifest.runs.len(), 2, "budget {budget}");
        assert!(manifest.runs.iter().all(|r| r.finished_at.is_some()));
        let span = manifest.span.as_ref().expect("the span is recorded");
        assert_eq!(
            Some(&span.first_request_at),
            manifest.runs[0].first_request_at.as_ref()
        );
        assert_eq!(
            Some(&span.last_request_at),
            manifest.runs[1].last_request_at.as_ref()
        );
        assert!(span.first_request_at < span.last_request_at);
        assert!(snapshot.is_consistent(), "{:?}", manifest.consistency);
        assert_eq!(
            manifest.totals.requests,
            manifest.runs.iter().map(|r| r.requests).sum::<u64>()
        );
        let output = kb4graph(vec!["verify".into(), path_arg(&snap)]).await;
        assert!(output.status.success(), "{}", common::output_text(&output));

        // What day 3 changed was fetched that day; what it could not have changed was kept.
        let stats = server.stats();
        let requested = |id: &str| {
            let spec = kb4graph::fetch::spec_for_id(id).unwrap();
            stats
                .per_request
                .keys()
                .any(|k| k.starts_with(&spec.endpoint()))
        };
        for pst in changes.new_psts.iter().chain(&changes.psts_closed) {
            let id = format!("phishing/security_tests/{pst}/recipients");
            assert!(requested(&id), "budget {budget}: {id} fetched on day {DAY}");
        }
        if budget > 8 {
            assert!(
                day0_recipients.iter().any(|id| !requested(id)),
                "budget {budget}: recipients of tests closed on day 0 and day {DAY} are kept"
            );
        }
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_stopped_before_it_checked_the_earlier_pages_is_not_consistent() {
    const SEED: u64 = 62;
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(common::small(SEED)).await;
    let whole = dir.path().join("whole");
    let total = common::fetch(common::options(&server, &whole))
        .await
        .requests;
    let snap = dir.path().join("snap");
    let mut opts = common::options(&server, &snap);
    opts.max_requests = Some(total - 3);
    assert!(!common::fetch(opts).await.complete);
    assert!(!recipients_of(&snap).is_empty());
    drop(server);

    let server = common::start({
        let mut c = common::small(SEED);
        c.day = 2;
        c
    })
    .await;
    let resume = |budget: Option<u64>, url: String| {
        let snap = snap.clone();
        async move {
            let overrides = ResumeOverrides {
                pace: Some(kb4graph::rate::RateSpec::off()),
                max_requests: budget,
                ..ResumeOverrides::default()
            };
            // The manifest names the day-0 server's address: point the resume at today's.
            let mut manifest = common::manifest(&snap);
            manifest["source"]["base_url"] = url.into();
            std::fs::write(
                snap.join("manifest.json"),
                serde_json::to_vec_pretty(&manifest).unwrap(),
            )
            .unwrap();
            kb4graph::fetch::resume(&snap, Token::new(common::TOKEN).unwrap(), overrides)
                .await
                .expect("resume succeeds")
        }
    };
    // Stopped while the listings are fetched again: day 0's children are not checked yet.
    let report = resume(Some(3), server.base_url()).await;
    assert!(!report.complete);
    let snapshot = kb4graph::snapshot::Snapshot::open(&snap).unwrap();
    assert!(!snapshot.is_consistent());
    let reasons = snapshot.inconsistencies().join("\n");
    assert!(
        reasons.contains("earlier run") && reasons.contains("--resume"),
        "{reasons}"
    );

    let report = resume(None, server.base_url()).await;
    assert!(report.complete, "{report}");
    let snapshot = kb4graph::snapshot::Snapshot::open(&snap).unwrap();
    assert!(
        snapshot.is_consistent(),
        "{:?}",
        snapshot.manifest().consistency
    );
    assert_eq!(snapshot.manifest().runs.len(), 3);
    assert!(snapshot.verify().is_empty(), "{:?}", snapshot.verify());

    // A complete snapshot whose manifest says it is not consistent does not pass `verify`.
    let mut manifest = common::manifest(&snap);
    manifest["consistency"] = serde_json::json!({"consistent": false, "reasons": ["mixed days"]});
    let tampered = dir.path().join("tampered");
    std::fs::create_dir(&tampered).unwrap();
    std::fs::write(
        tampered.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    for (path, bytes) in common::files(&snap) {
        if path.starts_with("raw") {
            std::fs::create_dir_all(tampered.join(&path).parent().unwrap()).unwrap();
            std::fs::write(tampered.join(&path), bytes).unwrap();
        }
    }
    let output = kb4graph(vec!["verify".into(), path_arg(&tampered)]).await;
    let text = common::output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("not consistent: mixed days"), "{text}");
    let output = kb4graph(vec!["verify".into(), path_arg(&snap)]).await;
    assert!(output.status.success(), "{}", common::output_text(&output));

    let later = dir.path().join("later");
    common::fetch(common::options(&server, &later)).await;
    let (a, _) = kb4graph::model::normalize(&snapshot);
    let (b, _) = kb4graph::model::normalize(&kb4graph::snapshot::Snapshot::open(&later).unwrap());
    assert!(a == b, "the resumed graph equals the day-2 fetch's");
}

/// Polls until `path` holds a lock record naming `pid`.
fn wait_for_lock(path: &std::path::Path, pid: u32) {
    for _ in 0..300 {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.contains(&format!("\"pid\":{pid}"))
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{} never named pid {pid}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fetch_at_a_time_writes_a_snapshot() {
    let server = common::start(common::small(63)).await;
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let lock = snap.join(kb4graph::snapshot::LOCK_FILE);

    // A slow fetch, so that the others come while it runs.
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args([
            "-q",
            "fetch",
            "--base-url",
            &server.base_url(),
            "--pace",
            "4/s",
        ])
        .arg("--out")
        .arg(&snap)
        .env("KNOWBE4_API_TOKEN", common::TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kb4graph starts");
    let pid = first.id();
    wait_for_lock(&lock, pid);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&lock).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the lock file is owner-only");
    }

    // A resume and a new fetch into the same directory are refused, naming both.
    let holder = format!("pid {pid}");
    for attempt in [
        vec![
            "fetch".to_owned(),
            "--resume".to_owned(),
            path_arg(&snap),
            "--pace".to_owned(),
            "off".to_owned(),
        ],
        vec![
            "fetch".to_owned(),
            "--base-url".to_owned(),
            server.base_url(),
            "--out".to_owned(),
            path_arg(&snap),
        ],
    ] {
        let output = kb4graph(attempt.clone()).await;
        let text = common::output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{attempt:?}: {text}");
        assert!(
            text.contains(&path_arg(&snap)) && text.contains(&holder),
            "{attempt:?}: {text}"
        );
        assert!(text.contains("another kb4graph fetch"), "{text}");
    }
    // verify says a fetch is running rather than calling the lock an extra file.
    let output = kb4graph(vec!["verify".into(), path_arg(&snap)]).await;
    let text = common::output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("a fetch is running ({holder}")),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.contains(kb4graph::snapshot::LOCK_FILE) && l.contains("extra")),
        "{text}"
    );

    // Killed: its lock file stays, and the next resume takes it over.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(lock.exists());
    let output = kb4graph(vec!["verify".into(), path_arg(&snap)]).await;
    let text = common::output_text(&output);
    assert!(text.contains("left by a fetch that ended"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.contains(kb4graph::snapshot::LOCK_FILE) && l.contains("extra")),
        "{text}"
    );
    let output = kb4graph(vec![
        "fetch".into(),
        "--resume".into(),
        path_arg(&snap),
        "--pace".into(),
        "off".into(),
    ])
    .await;
    let text = common::output_text(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("taking over the lock") && text.contains(&holder),
        "{text}"
    );
    assert!(!lock.exists(), "released at the end");
    let output = kb4graph(vec!["verify".into(), path_arg(&snap)]).await;
    let text = common::output_text(&output);
    assert!(output.status.success(), "{text}");
    assert!(!text.contains(kb4graph::snapshot::LOCK_FILE), "{text}");
}

#[tokio::test]
async fn two_resumes_of_one_snapshot_do_not_run_at_once() {
    let server = common::start(common::small(64)).await;
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let mut opts = common::options(&server, &snap);
    opts.max_requests = Some(5);
    common::fetch(opts).await;
    let resume = || {
        kb4graph::fetch::resume(
            &snap,
            Token::new(common::TOKEN).unwrap(),
            ResumeOverrides {
                pace: Some("20/s".parse().unwrap()),
                ..ResumeOverrides::default()
            },
        )
    };
    let (a, b) = tokio::join!(resume(), resume());
    let (done, refused) = match (a, b) {
        (Ok(done), Err(refused)) | (Err(refused), Ok(done)) => (done, refused),
        other => panic!("exactly one resume runs: {other:?}"),
    };
    assert!(done.complete);
    let text = refused.to_string();
    assert!(
        text.contains(&format!("pid {}", std::process::id())) && text.contains(&path_arg(&snap)),
        "{text}"
    );
    // Every request is counted once, by the resume that sent it.
    let manifest = kb4graph::snapshot::Snapshot::open(&snap)
        .unwrap()
        .manifest()
        .clone();
    assert_eq!(manifest.totals.requests, server.stats().requests);
}
