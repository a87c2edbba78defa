//! `export --compress gzip` through the binary on the demo account: every data file is a
//! `.gz` that `gzip` and flate2 read back to the uncompressed export's bytes, hashed as written,
//! and `validate`, `verify`, `diff` and `archive` take the compressed export as it is; a
//! damaged `.gz` is named.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kb4graph::model::{EntityType, RelationshipType};

use crate::common::{copy_dir, files, kb4graph, manifest, output_text, rewrite_bytes_consistently};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The demo's plain export (with its snapshot) and the same snapshot exported with gzip.
struct Exports {
    _dir: tempfile::TempDir,
    plain: PathBuf,
    gzip: PathBuf,
}

fn exports() -> &'static Exports {
    static EXPORTS: OnceLock<Exports> = OnceLock::new();
    EXPORTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        let output = kb4graph(&["run", "--demo", "-q", "--out", s(&plain)]);
        assert!(output.status.success(), "{}", output_text(&output));
        let gzip = dir.path().join("gzip");
        let output = kb4graph(&[
            "export",
            "-q",
            "--from",
            s(&plain.join("snapshot")),
            "--compress",
            "gzip",
            "--out",
            s(&gzip),
        ]);
        assert!(output.status.success(), "{}", output_text(&output));
        Exports {
            _dir: dir,
            plain,
            gzip,
        }
    })
}

fn copy_of_gzip() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    copy_dir(&exports().gzip, &copy);
    (dir, copy)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn is_data_file(relative: &str) -> bool {
    [".json", ".csv", ".graphml", ".nt", ".ttl", ".nq"]
        .iter()
        .any(|ext| relative.ends_with(ext))
        && !relative.ends_with("format.json")
}

fn has_tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

#[test]
fn every_data_file_is_gzip_and_decompresses_to_the_uncompressed_export() {
    let Exports { plain, gzip, .. } = exports();
    let plain_files = files(plain);
    let gzip_files = files(gzip);
    let mut data_files = 0;
    let (mut plain_bytes, mut gzip_bytes) = (0, 0);
    for (path, bytes) in &plain_files {
        let relative = path.to_str().unwrap();
        if relative.starts_with("snapshot/")
            || relative == "manifest.json"
            || relative == "SHA256SUMS"
        {
            continue;
        }
        if is_data_file(relative) {
            data_files += 1;
            assert!(!gzip_files.contains_key(path), "{relative} left plain");
            let gz = &gzip_files[&PathBuf::from(format!("{relative}.gz"))];
            assert_eq!(&gunzip(gz), bytes, "{relative}");
            plain_bytes += bytes.len();
            gzip_bytes += gz.len();
        } else if relative.ends_with(".sh") || relative.ends_with(".cypher") {
            // The scripts name the compressed files.
            let text = String::from_utf8(gzip_files[path].clone()).unwrap();
            assert!(text.contains("nodes/knowbe4_user.csv.gz"), "{relative}");
            assert!(!text.contains(".csv "), "{relative}");
            assert!(!text.contains(".csv'"), "{relative}");
        } else {
            assert_eq!(&gzip_files[path], bytes, "{relative}");
        }
    }
    assert_eq!(
        data_files,
        1 + EntityType::ALL.len() + RelationshipType::ALL.len() + 1 + 3,
        "json, nodes, relationships, graphml, rdf"
    );
    assert!(
        gzip_bytes * 100 <= plain_bytes * 15,
        "{gzip_bytes} of {plain_bytes}"
    );

    let manifest = manifest(gzip);
    assert_eq!(manifest["compression"], "gzip");
    assert!(crate::common::manifest(plain).get("compression").is_none());
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), gzip_files.len() - 2);
    for entry in listed {
        let bytes = &gzip_files[&PathBuf::from(entry["path"].as_str().unwrap())];
        assert_eq!(entry["size"], bytes.len());
        assert_eq!(entry["sha256"], kb4graph::snapshot::sha256_hex(bytes));
    }

    if has_tool("gzip") {
        for path in gzip_files
            .keys()
            .filter(|p| p.to_str().unwrap().ends_with(".gz"))
        {
            let file = gzip.join(path);
            let test = Command::new("gzip").arg("-t").arg(&file).output().unwrap();
            assert!(test.status.success(), "{}", output_text(&test));
            let cat = Command::new("gzip").arg("-dc").arg(&file).output().unwrap();
            let relative = path.to_str().unwrap().strip_suffix(".gz").unwrap();
            assert_eq!(
                cat.stdout,
                plain_files[&PathBuf::from(relative)],
                "{relative}"
            );
        }
    }
    if has_tool("sha256sum") {
        let check = Command::new("sha256sum")
            .args(["-c", "--strict", "SHA256SUMS"])
            .current_dir(gzip)
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", output_text(&check));
    }
}

#[test]
fn the_same_snapshot_gives_the_same_compressed_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("again");
    let output = kb4graph(&[
        "export",
        "-q",
        "--from",
        s(&exports().plain.join("snapshot")),
        "--compress",
        "gzip",
        "--out",
        s(&again),
    ]);
    assert!(output.status.success(), "{}", output_text(&output));
    let mut first = files(&exports().gzip);
    let mut second = files(&again);
    first.remove(Path::new("manifest.json"));
    second.remove(Path::new("manifest.json"));
    assert!(first == second);
}

#[test]
fn validate_verify_diff_and_archive_read_the_compressed_export() {
    let Exports { plain, gzip, .. } = exports();
    let output = kb4graph(&["validate", s(gzip)]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
    let output = kb4graph(&["verify", s(gzip)]);
    let shown = output_text(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    for format in ["json", "neo4j", "graphml", "ntriples", "turtle", "nquads"] {
        assert!(
            shown
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{format} "))
                    && l.contains("holds the graph")),
            "{format}: {shown}"
        );
    }
    for (old, new) in [(plain, gzip), (gzip, plain)] {
        let output = kb4graph(&["diff", s(old), s(new)]);
        assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
    }

    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("gzip.tar.gz");
    let output = kb4graph(&["archive", s(gzip), "--out", s(&archive)]);
    assert!(output.status.success(), "{}", output_text(&output));
    let output = kb4graph(&["verify", s(&archive)]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
    let output = kb4graph(&["diff", s(&archive), s(plain)]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
}

/// Each format's reader meets the damage (the manifest made to agree, so `verify` gets past
/// the hashes) and names the file.
#[test]
fn a_damaged_gz_is_named_by_validate_and_verify() {
    let gz = |relative: &str| fs::read(exports().gzip.join(relative)).unwrap();
    let half = |b: Vec<u8>| b[..b.len() / 2].to_vec();
    let bad_crc = |mut b: Vec<u8>| {
        let n = b.len();
        b[n - 7] ^= 0x01;
        b
    };
    for (relative, damaged) in [
        ("json/graph.json.gz", half(gz("json/graph.json.gz"))),
        (
            "neo4j/nodes/knowbe4_user.csv.gz",
            bad_crc(gz("neo4j/nodes/knowbe4_user.csv.gz")),
        ),
        ("graphml/graph.graphml.gz", b"not gzip at all".to_vec()),
        ("rdf/graph.nt.gz", half(gz("rdf/graph.nt.gz"))),
    ] {
        let (_dir, copy) = copy_of_gzip();
        fs::write(copy.join(relative), &damaged).unwrap();
        let output = kb4graph(&["validate", s(&copy)]);
        let shown = output_text(&output);
        assert_ne!(output.status.code(), Some(0), "{relative}: {shown}");
        assert!(shown.contains(relative), "{relative}: {shown}");
        assert!(shown.contains("damaged gzip data"), "{relative}: {shown}");
        assert!(!shown.contains("panicked"), "{relative}: {shown}");

        // Without the manifest agreeing, the hash names the file.
        let output = kb4graph(&["verify", s(&copy)]);
        let shown = output_text(&output);
        assert_eq!(output.status.code(), Some(1), "{relative}: {shown}");
        assert!(shown.contains(relative), "{relative}: {shown}");

        rewrite_bytes_consistently(&copy, relative, &damaged);
        let output = kb4graph(&["verify", s(&copy)]);
        let shown = output_text(&output);
        assert_eq!(output.status.code(), Some(1), "{relative}: {shown}");
        assert!(shown.contains(relative), "{relative}: {shown}");
        assert!(shown.contains("damaged gzip data"), "{relative}: {shown}");
        assert!(!shown.contains("panicked"), "{relative}: {shown}");
    }
}
