//! A snapshot damaged on disk never becomes a smaller graph that passes for the account:
//! `export` and `diff` refuse it with exit 2, naming the page and what to do, unless
//! `--allow-damaged` is given, and then the pages left out are recorded. Special files (FIFOs,
//! devices, links out of the snapshot) are refused without being read.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::{copy_dir, kb4graph, output_text};

const PAGE: &str = "raw/users/active/page-0001.json";

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// One demo run shared by the tests; each test damages its own copy of the snapshot.
fn demo() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let output = kb4graph(&["run", "--demo", "-q", "--format", "json", "--out", s(&out)]);
        assert!(output.status.success(), "{}", output_text(&output));
        (dir, out)
    });
    out
}

fn snapshot_copy(dir: &Path) -> PathBuf {
    let snap = dir.join("snap");
    copy_dir(&demo().join("snapshot"), &snap);
    snap
}

/// Runs the binary, killing it if it has not ended within `limit`: a reader that blocks on a
/// FIFO must fail the test, not hang it.
fn kb4graph_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args(args)
        .env_remove("KNOWBE4_API_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "kb4graph {args:?} still running after {limit:?}: {}",
                output_text(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn export(snap: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "-q",
        "export",
        "--from",
        s(snap),
        "--format",
        "json",
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    kb4graph_within(&args, Duration::from_secs(60))
}

/// Damages the page at the path given.
type Damage = Box<dyn Fn(&Path)>;

/// Each way a page can be damaged on disk.
fn damages() -> Vec<(&'static str, Damage)> {
    fn write(bytes: &'static [u8]) -> Damage {
        Box::new(move |page: &Path| fs::write(page, bytes).unwrap())
    }
    vec![
        (
            "truncated",
            Box::new(|page: &Path| {
                let bytes = fs::read(page).unwrap();
                fs::write(page, &bytes[..100]).unwrap();
            }),
        ),
        (
            "one byte changed",
            Box::new(|page: &Path| {
                let mut bytes = fs::read(page).unwrap();
                let i = bytes.iter().position(|&b| b == b'a').unwrap();
                bytes[i] = b'b';
                fs::write(page, bytes).unwrap();
            }),
        ),
        ("an empty object", write(b"{}")),
        ("null", write(b"null")),
        ("invalid UTF-8", write(b"[{\"first_name\": \"\xff\xfe\"}]")),
        ("a number out of range", write(b"[{\"id\": 1e400}]")),
        (
            "missing",
            Box::new(|page: &Path| fs::remove_file(page).unwrap()),
        ),
        (
            "a directory",
            Box::new(|page: &Path| {
                fs::remove_file(page).unwrap();
                fs::create_dir(page).unwrap();
            }),
        ),
        (
            "a link to /etc/passwd",
            Box::new(|page: &Path| {
                fs::remove_file(page).unwrap();
                std::os::unix::fs::symlink("/etc/passwd", page).unwrap();
            }),
        ),
        (
            "a link to /dev/zero",
            Box::new(|page: &Path| {
                fs::remove_file(page).unwrap();
                std::os::unix::fs::symlink("/dev/zero", page).unwrap();
            }),
        ),
        (
            "a FIFO",
            Box::new(|page: &Path| {
                fs::remove_file(page).unwrap();
                let made = Command::new("mkfifo").arg(page).status().unwrap();
                assert!(made.success());
            }),
        ),
        (
            // The very bytes the manifest lists, but outside the snapshot.
            "a link out of the snapshot to an identical copy",
            Box::new(|page: &Path| {
                let outside = page
                    .ancestors()
                    .nth(5)
                    .unwrap()
                    .join("outside-page-0001.json");
                fs::rename(page, &outside).unwrap();
                std::os::unix::fs::symlink(&outside, page).unwrap();
            }),
        ),
    ]
}

#[test]
fn export_refuses_every_damaged_page_and_writes_nothing() {
    for (what, damage) in damages() {
        let dir = tempfile::tempdir().unwrap();
        let snap = snapshot_copy(dir.path());
        damage(&snap.join(PAGE));
        let out = dir.path().join("out");
        let output = export(&snap, &out, &[]);
        let text = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{what}: {text}");
        assert!(text.contains(PAGE), "{what}: the page is not named: {text}");
        assert!(text.contains("is damaged"), "{what}: {text}");
        assert!(
            text.contains(&format!("kb4graph verify {}", snap.display())),
            "{what}: {text}"
        );
        assert!(text.contains("--allow-damaged"), "{what}: {text}");
        assert!(
            !out.join("manifest.json").exists() && !out.join("json").exists(),
            "{what}: an export was written"
        );
    }
}

#[test]
fn verify_names_the_damaged_page_without_hanging_or_following_links() {
    for (what, damage) in damages() {
        let dir = tempfile::tempdir().unwrap();
        let snap = snapshot_copy(dir.path());
        damage(&snap.join(PAGE));
        let output = kb4graph_within(&["verify", s(&snap)], Duration::from_secs(60));
        let text = output_text(&output);
        assert_eq!(output.status.code(), Some(1), "{what}: {text}");
        assert!(text.contains(PAGE), "{what}: {text}");
        assert!(
            !text.contains("root:"),
            "{what}: /etc/passwd was read: {text}"
        );
    }
}

#[test]
fn allow_damaged_exports_the_rest_and_records_every_page_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot_copy(dir.path());
    let page = snap.join(PAGE);
    let bytes = fs::read(&page).unwrap();
    fs::write(&page, &bytes[..100]).unwrap();
    let out = dir.path().join("out");
    let output = export(&snap, &out, &["--allow-damaged"]);
    assert!(output.status.success(), "{}", output_text(&output));
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let damaged = manifest["snapshot"]["damagedPages"].as_array().unwrap();
    assert_eq!(damaged.len(), 1, "{manifest}");
    assert_eq!(damaged[0]["file"], PAGE);
    assert!(
        damaged[0]["problem"]
            .as_str()
            .unwrap()
            .contains("manifest says"),
        "{manifest}"
    );
    // The graph document says so too, so it cannot be taken out of its export unmarked.
    let graph: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("json/graph.json")).unwrap()).unwrap();
    assert_eq!(
        graph["metadata"]["snapshot"]["damagedPages"],
        manifest["snapshot"]["damagedPages"]
    );

    // Intact as files, but not evidence of the whole account: verify says so.
    let output = kb4graph(&["verify", s(&out)]);
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("built from a damaged snapshot") && text.contains(PAGE),
        "{text}"
    );

    // A healthy export records nothing of the kind.
    let healthy: serde_json::Value =
        serde_json::from_slice(&fs::read(demo().join("manifest.json")).unwrap()).unwrap();
    assert!(
        healthy["snapshot"].get("damagedPages").is_none(),
        "{healthy}"
    );
}

#[test]
fn diff_refuses_a_damaged_side_and_says_so_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot_copy(dir.path());
    let page = snap.join(PAGE);
    let bytes = fs::read(&page).unwrap();
    fs::write(&page, &bytes[..100]).unwrap();
    let good = demo().join("snapshot");
    let output = kb4graph_within(&["diff", s(&good), s(&snap)], Duration::from_secs(60));
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains(PAGE) && text.contains("is damaged"), "{text}");

    let output = kb4graph_within(
        &["diff", "--allow-damaged", s(&good), s(&snap)],
        Duration::from_secs(60),
    );
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("{} is damaged: 1 pages", snap.display())),
        "{text}"
    );
}

#[test]
fn diff_never_blocks_on_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot_copy(dir.path());
    let page = snap.join(PAGE);
    fs::remove_file(&page).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&page)
            .status()
            .unwrap()
            .success()
    );
    let good = demo().join("snapshot");
    let output = kb4graph_within(&["diff", s(&good), s(&snap)], Duration::from_secs(60));
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("a FIFO, not a regular file"), "{text}");
}

#[test]
fn a_manifest_that_is_a_fifo_or_a_link_is_refused() {
    for link in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let snap = snapshot_copy(dir.path());
        let manifest = snap.join("manifest.json");
        if link {
            let outside = dir.path().join("manifest-elsewhere.json");
            fs::rename(&manifest, &outside).unwrap();
            std::os::unix::fs::symlink(&outside, &manifest).unwrap();
        } else {
            fs::remove_file(&manifest).unwrap();
            assert!(
                Command::new("mkfifo")
                    .arg(&manifest)
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let output = export(&snap, &dir.path().join("out"), &[]);
        let text = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains("manifest.json"), "{text}");
    }
}

/// A key twice in one record: kb4graph reads what Python, jq and serde_json read (the last
/// value) and says so, rather than keeping the first value silently.
#[test]
fn a_repeated_key_takes_its_last_value_like_other_json_readers_and_is_reported() {
    use kb4graph::model::{MemorySource, WarningCode, normalize};
    let page = br#"[{"id": 42, "first_name": "Ann", "email": "a@example.com", "first_name": "Bea", "status": "active"}]"#;
    let python = Command::new("python3")
        .args([
            "-c",
            "import json,sys; print(json.load(sys.stdin)[0]['first_name'])",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(page)?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), "Bea");

    let mut source = MemorySource::new();
    source.add_page("account", &serde_json::json!({"name": "Example Corp."}));
    source.add_raw_page("users/active", page.to_vec());
    let (graph, warnings) = normalize(&source);
    let user = graph.entity("knowbe4:user:42").expect("the user");
    assert_eq!(user.get("firstName").and_then(|v| v.as_str()), Some("Bea"));
    let reported: Vec<_> = warnings
        .iter()
        .filter(|w| w.code == WarningCode::DuplicateKey)
        .collect();
    assert_eq!(reported.len(), 1, "{warnings:?}");
    assert_eq!(reported[0].location, "raw/users/active/page-0001.json");
    assert!(
        reported[0].message.contains("\"first_name\""),
        "{}",
        reported[0]
    );
}

#[test]
fn an_export_inside_its_own_snapshot_is_refused_and_the_snapshot_stays_intact() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot_copy(dir.path());
    for out in [
        snap.join("export"),
        snap.join("raw/x/../export2"),
        snap.clone(),
    ] {
        let output = export(&snap, &out, &[]);
        let text = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains("is inside the snapshot"), "{text}");
    }
    let output = kb4graph(&["verify", s(&snap)]);
    assert!(output.status.success(), "{}", output_text(&output));
}

#[test]
fn an_existing_export_is_refused_before_the_snapshot_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot_copy(dir.path());
    // Damaged, so that reading it would fail differently.
    fs::write(snap.join(PAGE), b"[]").unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("json")).unwrap();
    let output = export(&snap, &out, &[]);
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("already exists") && text.contains("json"),
        "{text}"
    );
    assert!(!text.contains("is damaged"), "{text}");
}

#[test]
fn schemas_are_written_owner_only_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("schemas");
    let status = Command::new("sh")
        .args(["-c", "umask 000 && exec \"$0\" schemas --out \"$1\""])
        .arg(env!("CARGO_BIN_EXE_kb4graph"))
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o700);
    let files: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() >= 4, "{files:?}");
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

fn staging_dirs(out: &Path) -> Vec<String> {
    fs::read_dir(out)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".kb4graph-staging-"))
                .collect()
        })
        .unwrap_or_default()
}

/// `kill -9` of a real export mid-way, then the same export again: the leftover staging
/// directory is recognised as a dead process's and removed, and the export verifies.
#[test]
fn a_killed_export_leaves_nothing_that_poisons_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let snap = &demo().join("snapshot");
    let out = dir.path().join("out");
    let mut killed = false;
    for _ in 0..20 {
        let _ = fs::remove_dir_all(&out);
        let mut child = Command::new(env!("CARGO_BIN_EXE_kb4graph"))
            .args(["-q", "export", "--from", s(snap), "--out", s(&out)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while child.try_wait().unwrap().is_none() {
            if !staging_dirs(&out).is_empty() {
                child.kill().unwrap();
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        child.wait().unwrap();
        if !staging_dirs(&out).is_empty() && !out.join("manifest.json").exists() {
            killed = true;
            break;
        }
    }
    assert!(killed, "no export was caught mid-way in 20 tries");
    let output = kb4graph(&["export", "--from", s(snap), "--out", s(&out)]);
    let text = output_text(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("what an export killed before it finished"),
        "{text}"
    );
    assert!(staging_dirs(&out).is_empty(), "{:?}", staging_dirs(&out));
    let output = kb4graph(&["verify", s(&out)]);
    assert!(output.status.success(), "{}", output_text(&output));
}

#[test]
fn a_running_exports_staging_or_an_unknown_one_is_never_removed() {
    use kb4graph::owner::Owner;
    let snap = &demo().join("snapshot");
    let me = Owner::current();
    let cases = [
        (
            format!(".kb4graph-staging-{}.{}-abc", me.pid, me.start),
            format!("another export (pid {})", me.pid),
        ),
        (".kb4graph-staging-Xy12z".to_owned(), "rm -rf".to_owned()),
    ];
    for (name, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join(&name)).unwrap();
        fs::write(out.join(&name).join("partial"), b"x").unwrap();
        let output = kb4graph(&["-q", "export", "--from", s(snap), "--out", s(&out)]);
        let text = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains(&expected), "{name}: {text}");
        assert!(
            out.join(&name).join("partial").exists(),
            "{name} was touched"
        );
    }
}

/// A complete snapshot whose manifest says its pages do not show the account at one time (a
/// resume across days that could not reconcile them) is refused like a damaged one.
#[test]
fn a_snapshot_not_of_one_time_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot_copy(dir.path());
    let path = snap.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let reason = "groups/12/members was fetched on an earlier day and not checked again";
    manifest["consistency"] = serde_json::json!({"consistent": false, "reasons": [reason]});
    fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();

    let out = dir.path().join("out");
    let output = export(&snap, &out, &[]);
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("does not show the account at one time") && text.contains(reason),
        "{text}"
    );
    assert!(!out.join("manifest.json").exists());

    let output = export(&snap, &out, &["--allow-damaged"]);
    assert!(output.status.success(), "{}", output_text(&output));
    let written: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        written["snapshot"]["inconsistencies"],
        serde_json::json!([reason])
    );

    let good = demo().join("snapshot");
    let output = kb4graph_within(&["diff", s(&good), s(&snap)], Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
}

/// verify names a killed export's staging directory for what it is, once, rather than listing
/// each of its files as extra.
#[test]
fn verify_names_a_staging_directory_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    copy_dir(demo(), &out);
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let staging = out.join(format!(".kb4graph-staging-{dead}.1-xyz"));
    fs::create_dir_all(staging.join("json")).unwrap();
    fs::write(staging.join("json/graph.json"), b"{").unwrap();
    fs::write(staging.join("SHA256SUMS"), b"").unwrap();
    let output = kb4graph(&["verify", s(&out)]);
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "the staging directory of an export killed before it finished (pid {dead})"
        )),
        "{text}"
    );
    assert!(!text.contains("extra file"), "{text}");
}

/// The readers of an export (`validate`, `diff`) open only regular files: a FIFO or a link in
/// place of a format's file is refused at once, never waited on or followed.
#[test]
fn export_readers_refuse_fifos_and_links() {
    for fifo in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        copy_dir(demo(), &out);
        let file = out.join("json/graph.json");
        fs::remove_file(&file).unwrap();
        if fifo {
            assert!(
                Command::new("mkfifo")
                    .arg(&file)
                    .status()
                    .unwrap()
                    .success()
            );
        } else {
            std::os::unix::fs::symlink(demo().join("json/graph.json"), &file).unwrap();
        }
        let expected = if fifo { "a FIFO" } else { "symbolic link" };
        for args in [vec!["validate", s(&out)], vec!["diff", s(demo()), s(&out)]] {
            let output = kb4graph_within(&args, Duration::from_secs(60));
            let text = output_text(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
            assert!(
                text.contains("graph.json") && text.contains(expected),
                "{args:?}: {text}"
            );
        }
    }
}
