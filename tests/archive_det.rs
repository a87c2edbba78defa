//! `write_archive` gives the same bytes for the same directory, and what it writes reads back
//! the same through kb4graph, GNU tar and Python's `tarfile`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use kb4graph::archive::{
    ArchiveError, extract_archive, read_archive, read_archive_with, write_archive,
};
use sha2::{Digest, Sha256};

const CREATED_AT: &str = "2024-06-30T12:34:56.789Z";
const CREATED_AT_SECS: u64 = 1_719_750_896;

fn long_dir() -> String {
    // Over 100 bytes, so GNU long-name entries are exercised.
    format!("raw/phishing/{}", "security-test-".repeat(8))
}

/// The files of a small export-like directory: relative path -> content.
fn sample_files() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "manifest.json".into(),
            format!(r#"{{"format":"kb4graph-export","created_at":"{CREATED_AT}"}}"#).into_bytes(),
        ),
        ("SHA256SUMS".into(), b"abc  graph.json\n".to_vec()),
        (
            "graph.json".into(),
            br#"{"entities":[],"relationships":[]}"#.to_vec(),
        ),
        (
            "neo4j/nodes-knowbe4_user.csv".into(),
            b"id:ID,email\n1,a@example.com\n".to_vec(),
        ),
        ("neo4j/empty.csv".into(), Vec::new()),
        (
            "neo4j-extra/z.bin".into(),
            (0..=255u8).cycle().take(70_000).collect(),
        ),
        (
            format!("{}/page-0001.json", long_dir()),
            b"[{\"id\":1}]".to_vec(),
        ),
    ]
}

/// Writes the sample under `parent/export`, creating files in the given order, and returns the
/// directory.
fn make_sample(parent: &Path, reverse: bool) -> PathBuf {
    let dir = parent.join("export");
    fs::create_dir_all(dir.join("empty-dir")).unwrap();
    let mut files = sample_files();
    if reverse {
        files.reverse();
    }
    for (rel, content) in files {
        let path = dir.join(&rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
    }
    dir
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every regular file below `dir`: relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn same_directory_archived_twice_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    let a = tmp.path().join("a.tar.gz");
    let b = tmp.path().join("b.tar.gz");
    let sa = write_archive(&dir, &a).unwrap();
    let sb = write_archive(&dir, &b).unwrap();
    let bytes = fs::read(&a).unwrap();
    assert_eq!(bytes, fs::read(&b).unwrap());
    assert_eq!(sa.path, a);
    assert_eq!(sa.files, sample_files().len() as u64);
    assert_eq!(sa.bytes, bytes.len() as u64);
    assert_eq!(sa.sha256, sha256_hex(&bytes));
    assert_eq!(sa.sha256, sb.sha256);
    // gzip header: magic, deflate, no flags (no file name), mtime 0, OS byte 255.
    assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0]);
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
    assert_eq!(bytes[9], 255);
}

#[test]
fn mtimes_permissions_owners_and_creation_order_do_not_change_the_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let first = make_sample(&tmp.path().join("one"), false);
    let second = make_sample(&tmp.path().join("two"), true);
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for (rel, _) in sample_files() {
        let path = second.join(&rel);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        // Owners can only be changed with privileges; without them this part checks nothing
        // more than the rest of the test.
        let _ = std::os::unix::fs::chown(&path, Some(4321), Some(4321));
    }
    fs::set_permissions(second.join("neo4j"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(second.join("empty-dir"), fs::Permissions::from_mode(0o750)).unwrap();

    let a = tmp.path().join("one.tar.gz");
    let b = tmp.path().join("two.tar.gz");
    write_archive(&first, &a).unwrap();
    write_archive(&second, &b).unwrap();
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
}

#[test]
fn a_changed_byte_in_any_file_changes_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    let original = tmp.path().join("original.tar.gz");
    write_archive(&dir, &original).unwrap();
    let original = fs::read(&original).unwrap();
    for (i, (rel, content)) in sample_files().into_iter().enumerate() {
        let path = dir.join(&rel);
        let mut changed = content.clone();
        match changed.last_mut() {
            Some(last) => *last ^= 1,
            None => changed.push(b'x'),
        }
        fs::write(&path, &changed).unwrap();
        let out = tmp.path().join(format!("changed-{i}.tar.gz"));
        write_archive(&dir, &out).unwrap();
        assert_ne!(fs::read(&out).unwrap(), original, "{rel}");
        let listing = read_archive(&out).unwrap();
        assert_eq!(listing.files[&rel].sha256, sha256_hex(&changed), "{rel}");
        fs::write(&path, &content).unwrap();
    }
    let again = tmp.path().join("again.tar.gz");
    write_archive(&dir, &again).unwrap();
    assert_eq!(fs::read(&again).unwrap(), original);
}

#[test]
fn listing_round_trips_sizes_and_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    let out = tmp.path().join("export.tar.gz");
    write_archive(&dir, &out).unwrap();
    let listing = read_archive(&out).unwrap();
    assert_eq!(listing.root, "export");
    let on_disk = tree(&dir);
    let listed: BTreeMap<String, (u64, String)> = listing
        .files
        .iter()
        .map(|(k, v)| (k.clone(), (v.size, v.sha256.clone())))
        .collect();
    let expected: BTreeMap<String, (u64, String)> = on_disk
        .iter()
        .map(|(k, v)| (k.clone(), (v.len() as u64, sha256_hex(v))))
        .collect();
    assert_eq!(listed, expected);
    let dirs: Vec<&str> = listing.dirs.iter().map(String::as_str).collect();
    let long = long_dir();
    let mut expected_dirs = vec!["empty-dir", "neo4j", "neo4j-extra", "raw", "raw/phishing"];
    expected_dirs.push(&long);
    expected_dirs.sort();
    assert_eq!(dirs, expected_dirs);
    // Kept by default: the manifest, SHA256SUMS and small JSON files; not CSV or binaries.
    let kept: Vec<&str> = listing.small_files.keys().map(String::as_str).collect();
    let long_page = format!("{long}/page-0001.json");
    let mut expected_kept = vec!["SHA256SUMS", "graph.json", "manifest.json", &long_page];
    expected_kept.sort();
    assert_eq!(kept, expected_kept);
    for (rel, bytes) in &listing.small_files {
        assert_eq!(bytes, &on_disk[rel], "{rel}");
    }

    let only_manifest = read_archive_with(&out, |path, _| path == "manifest.json").unwrap();
    assert_eq!(only_manifest.files, listing.files);
    assert_eq!(
        only_manifest.small_files.keys().collect::<Vec<_>>(),
        vec!["manifest.json"]
    );
}

#[test]
fn entries_carry_the_manifest_time_fixed_owners_and_modes_in_sorted_order() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), true);
    let out = tmp.path().join("export.tar.gz");
    write_archive(&dir, &out).unwrap();
    let file = fs::File::open(&out).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut names = Vec::new();
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        let header = entry.header();
        let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
        assert_eq!(header.mtime().unwrap(), CREATED_AT_SECS, "{name}");
        assert_eq!(header.uid().unwrap(), 0, "{name}");
        assert_eq!(header.gid().unwrap(), 0, "{name}");
        assert_eq!(header.username_bytes(), Some(&b""[..]), "{name}");
        assert_eq!(header.groupname_bytes(), Some(&b""[..]), "{name}");
        let expected_mode = if header.entry_type().is_dir() {
            0o700
        } else {
            0o600
        };
        assert_eq!(header.mode().unwrap(), expected_mode, "{name}");
        names.push(name);
    }
    let components = |name: &String| -> Vec<String> {
        name.trim_end_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(names[0], "export/");
    let mut sorted = names.clone();
    sorted.sort_by_key(components);
    assert_eq!(names, sorted);
    // `neo4j-extra` sorts after everything inside `neo4j`.
    let pos = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert!(pos("export/neo4j/nodes-knowbe4_user.csv") < pos("export/neo4j-extra/"));
}

#[test]
fn without_a_manifest_time_entries_are_dated_1970() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("snap");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("manifest.json"), br#"{"finished_at":null}"#).unwrap();
    let out = tmp.path().join("snap.tar.gz");
    write_archive(&dir, &out).unwrap();
    let mut archive =
        tar::Archive::new(flate2::read::GzDecoder::new(fs::File::open(&out).unwrap()));
    for entry in archive.entries().unwrap() {
        assert_eq!(entry.unwrap().header().mtime().unwrap(), 0);
    }
}

#[test]
fn archive_is_owner_only_and_leaves_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    let outdir = tmp.path().join("out");
    fs::create_dir(&outdir).unwrap();
    let out = outdir.join("export.tar.gz");
    write_archive(&dir, &out).unwrap();
    assert_eq!(mode(&out), 0o600);
    let names: Vec<_> = fs::read_dir(&outdir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("export.tar.gz")]);
}

#[test]
fn gnu_tar_lists_and_extracts_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    let out = tmp.path().join("export.tar.gz");
    write_archive(&dir, &out).unwrap();

    let list = Command::new("tar")
        .args(["--utc", "-tzvf"])
        .arg(&out)
        .output()
        .expect("GNU tar runs");
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(
        list.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let text = String::from_utf8(list.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Root, 6 directories and the files.
    assert_eq!(lines.len(), 1 + 6 + sample_files().len(), "{text}");
    for line in &lines {
        assert!(
            line.starts_with("drwx------ 0/0") || line.starts_with("-rw------- 0/0"),
            "{line}"
        );
        assert!(line.contains("2024-06-30 12:34"), "{line}");
    }
    let long_page = format!("export/{}/page-0001.json", long_dir());
    assert!(lines.iter().any(|l| l.ends_with(&long_page)), "{text}");

    let into = tmp.path().join("gnu");
    fs::create_dir(&into).unwrap();
    let extract = Command::new("tar")
        .arg("-xzf")
        .arg(&out)
        .arg("-C")
        .arg(&into)
        .output()
        .unwrap();
    assert!(
        extract.status.success(),
        "{}",
        String::from_utf8_lossy(&extract.stderr)
    );
    assert_eq!(tree(&into.join("export")), tree(&dir));
    assert!(into.join("export/empty-dir").is_dir());
}

#[test]
fn python_tarfile_reads_the_same_entries() {
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 is not available");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    let out = tmp.path().join("export.tar.gz");
    write_archive(&dir, &out).unwrap();
    let script = r#"
import hashlib, sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as tar:
    for m in tar.getmembers():
        digest = ""
        if m.isfile():
            digest = hashlib.sha256(tar.extractfile(m).read()).hexdigest()
        kind = "d" if m.isdir() else ("f" if m.isfile() else "?")
        print(kind, oct(m.mode), m.uid, m.gid, repr(m.uname), repr(m.gname), m.mtime, m.size, digest, m.name)
"#;
    let run = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8(run.stdout).unwrap();
    let mut seen_files = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.splitn(10, ' ').collect();
        assert_eq!(fields.len(), 10, "{line}");
        let (kind, mode, name) = (fields[0], fields[1], fields[9]);
        assert_eq!(
            &fields[2..7],
            &["0", "0", "''", "''", "1719750896"],
            "{line}"
        );
        match kind {
            "d" => assert_eq!(mode, "0o700", "{line}"),
            "f" => {
                assert_eq!(mode, "0o600", "{line}");
                let rel = name.strip_prefix("export/").unwrap().to_owned();
                seen_files.insert(
                    rel,
                    (fields[7].parse::<u64>().unwrap(), fields[8].to_owned()),
                );
            }
            _ => panic!("unexpected member: {line}"),
        }
    }
    let expected: BTreeMap<String, (u64, String)> = tree(&dir)
        .into_iter()
        .map(|(k, v)| (k, (v.len() as u64, sha256_hex(&v))))
        .collect();
    assert_eq!(seen_files, expected);
}

#[test]
fn extract_archive_recreates_the_directory_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make_sample(tmp.path(), false);
    // Extraction unpacks only what the manifest lists, at the sizes it lists.
    let files: Vec<serde_json::Value> = tree(&dir)
        .into_iter()
        .filter(|(path, _)| path != "manifest.json" && path != "SHA256SUMS")
        .map(|(path, bytes)| {
            serde_json::json!({"path": path, "size": bytes.len(), "sha256": sha256_hex(&bytes)})
        })
        .collect();
    let manifest =
        serde_json::json!({"format": "kb4graph-export", "created_at": CREATED_AT, "files": files});
    fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let out = tmp.path().join("export.tar.gz");
    write_archive(&dir, &out).unwrap();
    let into = tmp.path().join("restored");
    let listing = extract_archive(&out, &into).unwrap();
    assert_eq!(listing.root, "export");
    assert!(listing.small_files.is_empty());
    assert_eq!(tree(&into), tree(&dir));
    assert!(into.join("empty-dir").is_dir());
    assert_eq!(mode(&into), 0o700);
    assert_eq!(mode(&into.join("neo4j")), 0o700);
    assert_eq!(mode(&into.join("graph.json")), 0o600);
    // The restored directory archives to the same bytes.
    let parent = tmp.path().join("again");
    fs::create_dir(&parent).unwrap();
    fs::rename(&into, parent.join("export")).unwrap();
    let again = tmp.path().join("again.tar.gz");
    write_archive(&parent.join("export"), &again).unwrap();
    assert_eq!(fs::read(&again).unwrap(), fs::read(&out).unwrap());

    let existing = tmp.path().join("existing");
    fs::create_dir(&existing).unwrap();
    let err = extract_archive(&out, &existing).unwrap_err();
    assert!(matches!(err, ArchiveError::OutputExists { .. }), "{err}");
    assert!(err.to_string().contains("existing"), "{err}");
}
