//! `verify` and `archive` through the binary, on what `run --demo` writes: clean copies pass,
//! and one changed byte, a removed file or an added file are each found and named.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{copy_dir, kb4graph, output_text, rewrite_consistently};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// One demo run shared by the tests; each test works on its own copy.
fn demo() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let output = kb4graph(&["run", "--demo", "-q", "--out", s(&out)]);
        assert!(output.status.success(), "{}", output_text(&output));
        (dir, out)
    });
    out
}

fn copy_of_demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    copy_dir(demo(), &copy);
    (dir, copy)
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = fs::read(path).unwrap();
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x20;
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_fresh_export_and_its_snapshot_verify_with_every_format_holding_the_graph() {
    let output = kb4graph(&["verify", s(demo())]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(output.stdout.is_empty(), "{shown}");
    let line = |format: &str| {
        shown
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{format} ")))
            .unwrap_or_else(|| panic!("no line for {format}: {shown}"))
            .to_owned()
    };
    assert!(line("json").contains("holds the graph exactly"), "{shown}");
    // The demo account has control characters, which XML 1.0 cannot carry, and arrays whose
    // order RDF does not keep.
    for format in ["graphml", "neo4j", "ntriples", "turtle", "nquads"] {
        assert!(line(format).contains("holds the graph"), "{shown}");
    }
    assert!(
        line("graphml").contains("as this format can carry it"),
        "{shown}"
    );
    assert!(shown.contains("snapshot"), "{shown}");

    let output = kb4graph(&["verify", s(&demo().join("snapshot"))]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
}

#[test]
fn one_changed_byte_in_any_file_is_named() {
    for file in [
        "json/graph.json",
        "neo4j/nodes/knowbe4_user.csv",
        "rdf/graph.nt",
        "SHA256SUMS",
        "snapshot/raw/users/active/page-0001.json",
    ] {
        let (_dir, copy) = copy_of_demo();
        flip_byte(&copy.join(file), 300);
        let output = kb4graph(&["verify", s(&copy)]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{file}: {}",
            output_text(&output)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(file), "{file}: {stdout}");
    }
}

#[test]
fn a_removed_file_and_an_added_file_are_named() {
    let (_dir, copy) = copy_of_demo();
    fs::remove_file(copy.join("graphml/graph.graphml")).unwrap();
    fs::write(copy.join("neo4j/extra.csv"), "a,b\n").unwrap();
    fs::write(copy.join("snapshot/raw/notes.txt"), "x").unwrap();
    let output = kb4graph(&["verify", s(&copy)]);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("graphml/graph.graphml: missing"),
        "{stdout}"
    );
    assert!(stdout.contains("neo4j/extra.csv: extra file"), "{stdout}");
    assert!(
        stdout.contains("snapshot/raw/notes.txt: extra file"),
        "{stdout}"
    );
}

/// A file changed and its hashes rewritten to match: only the recomputed digest can tell.
#[test]
fn data_changed_behind_consistent_hashes_is_caught_by_the_graph_digest() {
    let (_dir, copy) = copy_of_demo();
    let file = "neo4j/nodes/knowbe4_user_group.csv";
    let text_before = fs::read_to_string(copy.join(file)).unwrap();
    let changed = text_before.replacen("Finance", "Fynance", 1);
    assert_ne!(changed, text_before, "the demo has a Finance group");
    fs::write(copy.join(file), &changed).unwrap();
    let sha = kb4graph::snapshot::sha256_hex(changed.as_bytes());
    let manifest_path = copy.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&manifest_path).unwrap()).unwrap();
    let mut old_sha = String::new();
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["path"] == file {
            old_sha = f["sha256"].as_str().unwrap().to_owned();
            f["sha256"] = sha.clone().into();
            f["size"] = changed.len().into();
        }
    }
    fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let sums = fs::read_to_string(copy.join("SHA256SUMS"))
        .unwrap()
        .replace(&old_sha, &sha);
    fs::write(copy.join("SHA256SUMS"), sums).unwrap();

    let output = kb4graph(&["verify", s(&copy)]);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("neo4j files"), "{stdout}");
    assert!(stdout.contains("digest"), "{stdout}");
    // The other formats still hold the recorded graph.
    assert!(!stdout.contains("json files"), "{stdout}");

    let output = kb4graph(&["verify", "--files-only", s(&copy)]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
}

#[test]
fn exports_of_one_snapshot_in_different_formats_record_one_digest() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = demo().join("snapshot");
    let mut digests = Vec::new();
    for format in ["json", "neo4j", "nquads"] {
        let out = dir.path().join(format);
        let output = kb4graph(&[
            "export",
            "-q",
            "--from",
            s(&snapshot),
            "--format",
            format,
            "--out",
            s(&out),
        ]);
        assert!(output.status.success(), "{}", output_text(&output));
        let output = kb4graph(&["verify", s(&out)]);
        assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
        digests.push(manifest["graph"]["sha256"].as_str().unwrap().to_owned());
        assert!(manifest["format_digests"][format].is_string(), "{manifest}");
    }
    assert!(digests.windows(2).all(|w| w[0] == w[1]), "{digests:?}");
}

#[test]
fn archives_are_byte_identical_and_verify_directly() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.tar.gz");
    let second = dir.path().join("second.tar.gz");
    let output = kb4graph(&["archive", s(demo()), "--out", s(&first)]);
    assert!(output.status.success(), "{}", output_text(&output));
    let printed = String::from_utf8_lossy(&output.stdout).to_string();
    // A copy made later (new mtimes) archives to the same bytes.
    let (_copy_dir, copy) = copy_of_demo();
    let renamed = copy.with_file_name("out");
    fs::rename(&copy, &renamed).unwrap();
    let output = kb4graph(&["archive", s(&renamed), "--out", s(&second)]);
    assert!(output.status.success(), "{}", output_text(&output));
    let bytes = fs::read(&first).unwrap();
    assert_eq!(bytes, fs::read(&second).unwrap(), "archives differ");
    assert!(
        printed.starts_with(&kb4graph::snapshot::sha256_hex(&bytes)),
        "{printed}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&first).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    let output = kb4graph(&["verify", s(&first)]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(shown.contains("holds the graph"), "{shown}");

    let output = kb4graph(&["archive", s(demo()), "--out", s(&first)]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an existing archive is never overwritten"
    );
    assert_eq!(fs::read(&first).unwrap(), bytes);
}

#[test]
fn a_damaged_archive_or_a_tampered_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.tar.gz");
    let output = kb4graph(&["archive", s(demo()), "--out", s(&archive)]);
    assert!(output.status.success(), "{}", output_text(&output));
    let len = fs::metadata(&archive).unwrap().len() as usize;
    flip_byte(&archive, len / 2);
    let output = kb4graph(&["verify", s(&archive)]);
    assert_ne!(output.status.code(), Some(0), "{}", output_text(&output));
    assert!(
        output_text(&output).contains("a.tar.gz"),
        "{}",
        output_text(&output)
    );

    let (_copy_dir, copy) = copy_of_demo();
    flip_byte(&copy.join("json/graph.json"), 100);
    let refused = dir.path().join("b.tar.gz");
    let output = kb4graph(&["archive", s(&copy), "--out", s(&refused)]);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    assert!(
        output_text(&output).contains("json/graph.json"),
        "{}",
        output_text(&output)
    );
    assert!(!refused.exists());
}

#[test]
fn a_directory_without_a_manifest_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = kb4graph(&["verify", s(dir.path())]);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    assert!(
        output_text(&output).contains("no manifest.json"),
        "{}",
        output_text(&output)
    );
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

/// Verify exits 1 and every `named` appears in what it prints on stdout.
fn assert_found(dir: &Path, named: &[&str]) -> String {
    let output = kb4graph(&["verify", s(dir)]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    for name in named {
        assert!(stdout.contains(name), "should name {name:?}: {stdout}");
    }
    stdout
}

#[test]
fn a_forged_graph_digest_is_caught_and_not_shown_as_the_graphs() {
    let (_dir, copy) = copy_of_demo();
    let real = common::manifest(&copy)["graph"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    edit_manifest(&copy, |m| m["graph"]["sha256"] = "0".repeat(64).into());
    let output = kb4graph(&["verify", s(&copy)]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("manifest.json: graph.sha256 is 0000") && stdout.contains(&real),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let graph_line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("graph "))
        .unwrap();
    assert!(
        graph_line.contains(&real) && graph_line.contains("recomputed"),
        "{graph_line}"
    );
}

#[test]
fn forged_counts_are_caught() {
    let (_dir, copy) = copy_of_demo();
    edit_manifest(&copy, |m| m["graph"]["entities"] = 1.into());
    assert_found(&copy, &["manifest.json: graph.entities is 1"]);

    let (_dir, copy) = copy_of_demo();
    edit_manifest(&copy, |m| m["graph"]["relationships"] = 7.into());
    assert_found(&copy, &["manifest.json: graph.relationships is 7"]);

    // graph.json's own per-type counts, with every hash rewritten to match.
    let (_dir, copy) = copy_of_demo();
    let text = fs::read_to_string(copy.join("json/graph.json")).unwrap();
    let forged = text.replacen("\"knowbe4_user\":", "\"knowbe4_user\":1", 1);
    assert_ne!(forged, text);
    rewrite_consistently(&copy, "json/graph.json", &forged);
    assert_found(
        &copy,
        &["json files", "/metadata/counts/entities/knowbe4_user"],
    );
}

#[test]
fn a_forged_format_digest_is_caught() {
    let (_dir, copy) = copy_of_demo();
    edit_manifest(&copy, |m| {
        m["format_digests"]["graphml"] = "1".repeat(64).into()
    });
    assert_found(
        &copy,
        &["manifest.json: format_digests.graphml", "graphml files"],
    );
}

/// A lossy format's file changed, and its hashes and format digest rewritten to match what it
/// now reads back to: only the graph the other formats hold, as this one carries it, tells.
#[test]
fn a_lossy_format_changed_consistently_with_its_own_hashes_is_caught() {
    let (_dir, copy) = copy_of_demo();
    let file = "rdf/graph.nt";
    let text = fs::read_to_string(copy.join(file)).unwrap();
    let changed = text.replacen("Finance", "Fynance", 1);
    assert_ne!(changed, text, "the demo has a Finance group");
    rewrite_consistently(&copy, file, &changed);
    let options = kb4graph::readback::ReadOptions::default();
    let records =
        kb4graph::readback::read_records(&copy, kb4graph::export::Format::NTriples, &options)
            .unwrap();
    let digest = kb4graph::model::canonical::digest_records(records).unwrap();
    edit_manifest(&copy, |m| {
        m["format_digests"]["ntriples"] = digest.sha256.clone().into()
    });
    let stdout = assert_found(
        &copy,
        &["ntriples files", "knowbe4:group:", "first difference"],
    );
    assert!(!stdout.contains("json files"), "{stdout}");
    assert!(!stdout.contains("turtle files"), "{stdout}");
}

/// A killed `archive` leaves `.kb4graph-tmp-<pid>-*.tmp` beside `--out`: the next `archive`
/// there removes it once that process is gone, and leaves a running one's alone.
#[test]
fn a_dead_archives_temporary_file_is_removed_by_the_next_archive() {
    let dir = tempfile::tempdir().unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let dead = dir
        .path()
        .join(format!(".kb4graph-tmp-{dead_pid}-Ab12Cd.tmp"));
    let running = dir
        .path()
        .join(format!(".kb4graph-tmp-{}-Ef34Gh.tmp", std::process::id()));
    fs::write(&dead, b"half an archive").unwrap();
    fs::write(&running, b"an archive being written").unwrap();
    let out = dir.path().join("a.tar.gz");
    let output = kb4graph(&["archive", s(demo()), "--out", s(&out)]);
    let shown = output_text(&output);
    assert!(output.status.success(), "{shown}");
    assert!(out.is_file());
    assert!(!dead.exists(), "{shown}");
    assert!(
        shown.contains("removed a temporary archive file") && shown.contains(&dead_pid.to_string()),
        "{shown}"
    );
    assert!(running.exists(), "a running process's file is left alone");
}

fn export_only(format: &str, parent: &Path) -> PathBuf {
    let out = parent.join(format);
    let output = kb4graph(&[
        "export",
        "-q",
        "--from",
        s(&demo().join("snapshot")),
        "--format",
        format,
        "--out",
        s(&out),
    ]);
    assert!(output.status.success(), "{}", output_text(&output));
    out
}

/// With one lossy format only, the graph cannot be recomputed: verify says so and why the
/// digests may differ, and still checks the format's digest and the counts.
#[test]
fn a_single_lossy_format_says_how_the_graph_digest_was_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = export_only("nquads", dir.path());
    let output = kb4graph(&["verify", s(&out)]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("cannot be recomputed") && shown.contains("nquads (arrays read back sorted"),
        "{shown}"
    );
    assert!(shown.contains("as the manifest records it"), "{shown}");

    edit_manifest(&out, |m| m["graph"]["entities"] = 5.into());
    assert_found(
        &out,
        &["manifest.json: graph.entities is 5, but the nquads files hold"],
    );
}

/// A JSON-only export recomputes the graph from its files.
#[test]
fn a_single_json_export_recomputes_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let out = export_only("json", dir.path());
    let output = kb4graph(&["verify", s(&out)]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
    edit_manifest(&out, |m| {
        m["graph"]["sha256"] = "ab".repeat(32).into();
        m["format_digests"]["json"] = "ab".repeat(32).into();
    });
    assert_found(&out, &["json files", "abababab"]);
}

/// Files read record by record in key order fall back to a whole read where rows are in
/// another order: the graph they hold is the same.
#[test]
fn rows_in_another_order_still_hold_the_graph() {
    let (_dir, copy) = copy_of_demo();
    let file = "neo4j/relationships/knowbe4_account_has_user.csv";
    let text = fs::read_to_string(copy.join(file)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 3, "{text}");
    lines[1..].reverse();
    rewrite_consistently(&copy, file, &format!("{}\n", lines.join("\n")));
    let output = kb4graph(&["verify", s(&copy)]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.trim_start().starts_with("neo4j ") && l.contains("holds the graph")),
        "{shown}"
    );
}

/// An edge given twice is found although the streamed read holds no edge ids: its `_key`
/// repeats too.
#[test]
fn an_edge_given_twice_is_found() {
    let (_dir, copy) = copy_of_demo();
    let file = "graphml/graph.graphml";
    let text = fs::read_to_string(copy.join(file)).unwrap();
    let start = text.find("<edge ").unwrap();
    let end = start + text[start..].find("</edge>\n").unwrap() + "</edge>\n".len();
    let doubled = format!("{}{}{}", &text[..end], &text[start..end], &text[end..]);
    rewrite_consistently(&copy, file, &doubled);
    let output = kb4graph(&["verify", s(&copy)]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let line = shown
        .lines()
        .find(|l| l.contains("graphml") && l.contains("not unique"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains("edge"), "{line}");
}
