//! What `write_archive` refuses to archive, and the hostile or damaged archives `read_archive`
//! and `extract_archive` refuse, each with an error naming the archive (and entry).

use std::fs;
use std::io::{Read as _, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::Compression;
use flate2::write::GzEncoder;
use kb4graph::archive::{ArchiveError, extract_archive, read_archive, write_archive};
use tar::{EntryType, Header};

fn sample(parent: &Path) -> PathBuf {
    let dir = parent.join("snap");
    fs::create_dir_all(dir.join("raw")).unwrap();
    fs::write(dir.join("manifest.json"), b"{}").unwrap();
    fs::write(dir.join("raw/page-0001.json"), b"[]").unwrap();
    dir
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// --- writing ---------------------------------------------------------------------------------

fn assert_write_refused(
    dir: &Path,
    out: &Path,
    expect: impl Fn(&ArchiveError) -> bool,
    names: &str,
) {
    let before = names_in(out.parent().unwrap());
    let err = write_archive(dir, out).unwrap_err();
    assert!(expect(&err), "{err:?}");
    assert!(err.to_string().contains(names), "{err} should name {names}");
    assert_eq!(
        names_in(out.parent().unwrap()),
        before,
        "nothing left behind"
    );
}

#[test]
fn symlinks_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    std::os::unix::fs::symlink("page-0001.json", dir.join("raw/link.json")).unwrap();
    assert_write_refused(
        &dir,
        &tmp.path().join("out.tar.gz"),
        |e| matches!(e, ArchiveError::Symlink { .. }),
        "raw/link.json",
    );
}

#[test]
fn special_files_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    let fifo = dir.join("raw/queue");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    assert_write_refused(
        &dir,
        &tmp.path().join("out.tar.gz"),
        |e| matches!(e, ArchiveError::SpecialFile { .. }),
        "raw/queue",
    );
}

#[test]
fn names_that_are_not_utf8_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    let name = std::ffi::OsStr::from_bytes(b"page-\xff.json");
    fs::write(dir.join("raw").join(name), b"[]").unwrap();
    assert_write_refused(
        &dir,
        &tmp.path().join("out.tar.gz"),
        |e| matches!(e, ArchiveError::NonUtf8Path { .. }),
        "raw/page-",
    );
}

#[test]
fn an_existing_output_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    let out = tmp.path().join("out.tar.gz");
    fs::write(&out, b"keep me").unwrap();
    assert_write_refused(
        &dir,
        &out,
        |e| matches!(e, ArchiveError::OutputExists { .. }),
        "out.tar.gz",
    );
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
}

#[test]
fn an_output_inside_the_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    for out in [dir.join("self.tar.gz"), dir.join("raw/self.tar.gz")] {
        assert_write_refused(
            &dir,
            &out,
            |e| matches!(e, ArchiveError::OutputInsideDir { .. }),
            "self.tar.gz",
        );
    }
    // Also through a path that does not look like it.
    let sneaky = dir.join("raw/../../snap/self.tar.gz");
    let err = write_archive(&dir, &sneaky).unwrap_err();
    assert!(
        matches!(err, ArchiveError::OutputInsideDir { .. }),
        "{err:?}"
    );
    assert_eq!(names_in(&dir), ["manifest.json", "raw"]);
}

#[test]
fn a_file_is_not_a_directory_to_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    let err = write_archive(&dir.join("manifest.json"), &tmp.path().join("o.tar.gz")).unwrap_err();
    assert!(matches!(err, ArchiveError::NotADirectory { .. }), "{err:?}");
    assert!(err.to_string().contains("manifest.json"), "{err}");
}

// --- reading hostile archives ----------------------------------------------------------------

/// One raw tar entry; the path goes into the header as is, bypassing the `tar` crate's checks.
struct Raw {
    path: &'static [u8],
    kind: EntryType,
    data: &'static [u8],
    link: Option<&'static str>,
}

fn file(path: &'static [u8], data: &'static [u8]) -> Raw {
    Raw {
        path,
        kind: EntryType::Regular,
        data,
        link: None,
    }
}

fn dir(path: &'static [u8]) -> Raw {
    Raw {
        path,
        kind: EntryType::Directory,
        data: b"",
        link: None,
    }
}

fn other(path: &'static [u8], kind: EntryType, link: Option<&'static str>) -> Raw {
    Raw {
        path,
        kind,
        data: b"",
        link,
    }
}

fn tar_bytes(entries: &[Raw]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = Header::new_gnu();
        header.as_old_mut().name[..entry.path.len()].copy_from_slice(entry.path);
        header.set_entry_type(entry.kind);
        header.set_size(entry.data.len() as u64);
        header.set_mode(0o600);
        if let Some(link) = entry.link {
            header.set_link_name(link).unwrap();
        }
        header.set_cksum();
        builder.append(&header, entry.data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Both readers refuse the archive with an error naming it (and `entry` when given), and
/// extraction leaves nothing behind.
fn assert_read_refused(bytes: &[u8], entry: Option<&str>, problem: &str) -> ArchiveError {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("hostile.tar.gz");
    fs::write(&archive, bytes).unwrap();
    let err = read_archive(&archive).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("hostile.tar.gz"), "{text}");
    if let Some(entry) = entry {
        assert!(text.contains(&format!("entry {entry:?}")), "{text}");
    }
    assert!(text.contains(problem), "{text} should say {problem:?}");

    let into = tmp.path().join("into");
    let err2 = extract_archive(&archive, &into).unwrap_err();
    assert_eq!(err2.to_string(), text);
    assert_eq!(
        names_in(tmp.path()),
        ["hostile.tar.gz"],
        "extraction left something"
    );
    err
}

fn refused(entries: &[Raw], entry: Option<&str>, problem: &str) {
    let err = assert_read_refused(&gzip(&tar_bytes(entries)), entry, problem);
    assert!(matches!(err, ArchiveError::Refused { .. }), "{err:?}");
}

#[test]
fn absolute_paths_are_refused() {
    refused(
        &[dir(b"snap/"), file(b"/etc/cron.d/x", b"x")],
        Some("/etc/cron.d/x"),
        "absolute",
    );
}

#[test]
fn parent_components_are_refused() {
    refused(
        &[dir(b"snap/"), file(b"snap/../x", b"x")],
        Some("snap/../x"),
        "`..`",
    );
    refused(&[file(b"../x", b"x")], Some("../x"), "`..`");
}

#[test]
fn a_second_top_level_directory_is_refused() {
    refused(
        &[dir(b"snap/"), file(b"snap/a", b"a"), file(b"other/b", b"b")],
        Some("other/b"),
        "second top-level",
    );
    refused(&[file(b"loose.json", b"{}")], Some("loose.json"), "outside");
}

#[test]
fn links_and_devices_are_refused() {
    let cases = [
        (EntryType::Symlink, Some("/etc/passwd"), "symbolic link"),
        (EntryType::Link, Some("snap/a"), "hard link"),
        (EntryType::Char, None, "character device"),
        (EntryType::Block, None, "block device"),
        (EntryType::Fifo, None, "FIFO"),
    ];
    for (kind, link, problem) in cases {
        refused(
            &[
                dir(b"snap/"),
                file(b"snap/a", b"a"),
                other(b"snap/b", kind, link),
            ],
            Some("snap/b"),
            problem,
        );
    }
}

#[test]
fn duplicate_and_conflicting_paths_are_refused() {
    refused(
        &[dir(b"snap/"), file(b"snap/a", b"1"), file(b"snap/a", b"2")],
        Some("snap/a"),
        "twice",
    );
    refused(
        &[dir(b"snap/"), dir(b"snap/d/"), dir(b"snap/d/")],
        Some("snap/d/"),
        "twice",
    );
    refused(
        &[
            dir(b"snap/"),
            file(b"snap/a", b"1"),
            file(b"snap/a/b", b"2"),
        ],
        Some("snap/a/b"),
        "which is a file",
    );
    refused(
        &[
            dir(b"snap/"),
            file(b"snap/a/b", b"2"),
            file(b"snap/a", b"1"),
        ],
        Some("snap/a"),
        "both a file and a directory",
    );
    refused(
        &[dir(b"snap/"), file(b"snap//a", b"1")],
        Some("snap//a"),
        "empty component",
    );
}

#[test]
fn data_after_the_end_of_archive_is_refused() {
    let mut bytes = tar_bytes(&[dir(b"snap/"), file(b"snap/a", b"a")]);
    bytes.extend_from_slice(b"hidden");
    bytes.resize(bytes.len() + 506, 0);
    refused_raw(&gzip(&bytes), "after the end-of-archive marker");

    let mut gz = gzip(&tar_bytes(&[dir(b"snap/"), file(b"snap/a", b"a")]));
    gz.extend_from_slice(&gzip(b"more"));
    refused_raw(&gz, "after the end of its gzip stream");
}

fn refused_raw(bytes: &[u8], problem: &str) {
    let err = assert_read_refused(bytes, None, problem);
    assert!(matches!(err, ArchiveError::Refused { .. }), "{err:?}");
}

fn damaged(bytes: &[u8], entry: Option<&str>, problem: &str) {
    let err = assert_read_refused(bytes, entry, problem);
    assert!(matches!(err, ArchiveError::Damaged { .. }), "{err:?}");
}

fn valid_archive() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = sample(tmp.path());
    // Enough incompressible data that the gzip stream is long.
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(dir.join("raw/noise.bin"), noise).unwrap();
    let out = tmp.path().join("snap.tar.gz");
    write_archive(&dir, &out).unwrap();
    let bytes = fs::read(&out).unwrap();
    assert!(read_archive(&out).is_ok());
    bytes
}

#[test]
fn truncated_gzip_is_damaged() {
    let bytes = valid_archive();
    for cut in [bytes.len() - 4, bytes.len() - 9, bytes.len() / 2, 12] {
        damaged(&bytes[..cut], None, "damaged or truncated");
    }
}

#[test]
fn corrupted_gzip_is_damaged() {
    let bytes = valid_archive();
    // A byte in the middle of the compressed data, one in the CRC, one in the length.
    for at in [bytes.len() / 2, bytes.len() - 6, bytes.len() - 2] {
        let mut corrupt = bytes.clone();
        corrupt[at] ^= 0x55;
        damaged(&corrupt, None, "damaged or truncated");
    }
    damaged(b"this is not gzip at all", None, "damaged or truncated");
}

#[test]
fn a_truncated_tar_stream_is_damaged() {
    let tar = tar_bytes(&[dir(b"snap/"), file(b"snap/a", b"some data")]);
    // Without the end-of-archive blocks.
    damaged(
        &gzip(&tar[..tar.len() - 1024]),
        None,
        "end-of-archive marker is missing",
    );
    // Cut inside the file's data.
    damaged(
        &gzip(&tar[..1024 + 4]),
        Some("snap/a"),
        "ends after 4 of its 9 bytes",
    );
    // Cut inside a header.
    damaged(&gzip(&tar[..700]), None, "damaged or truncated");
}

#[test]
fn an_empty_archive_is_refused() {
    refused_raw(&gzip(&[0u8; 1024]), "empty");
}

/// A gzip of a tar whose `big` entry is `size` bytes of zeros (3 GiB compress to a few MB),
/// beside a manifest that lists `listed` (path, size) and the small files.
fn zeros_archive(out: &Path, big: &str, size: u64, listed: &[(&str, u64)]) {
    let files: Vec<serde_json::Value> = listed
        .iter()
        .map(|(path, size)| serde_json::json!({"path": path, "size": size, "sha256": "0".repeat(64)}))
        .collect();
    let manifest = serde_json::json!({"format": "kb4graph-export", "files": files}).to_string();
    let gz = GzEncoder::new(fs::File::create(out).unwrap(), Compression::best());
    let mut builder = tar::Builder::new(gz);
    let mut add = |path: &str, size: u64, data: &mut dyn std::io::Read| {
        let mut header = Header::new_gnu();
        header.set_entry_type(if path.ends_with('/') {
            EntryType::Directory
        } else {
            EntryType::Regular
        });
        header.set_size(size);
        header.set_mode(0o600);
        builder.append_data(&mut header, path, data).unwrap();
    };
    add("x/", 0, &mut std::io::empty());
    add("x/json/", 0, &mut std::io::empty());
    add(
        &format!("x/{big}"),
        size,
        &mut std::io::repeat(0).take(size),
    );
    add(
        "x/manifest.json",
        manifest.len() as u64,
        &mut manifest.as_bytes(),
    );
    builder.into_inner().unwrap().finish().unwrap();
}

fn tree_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    for entry in entries.flatten() {
        match entry.metadata() {
            Ok(m) if m.is_dir() => total += tree_bytes(&entry.path()),
            Ok(m) => total += m.len(),
            Err(_) => {}
        }
    }
    total
}

/// Runs the binary with `TMPDIR` pointed at a directory of the test's own, watching it: the
/// run is stopped (and the test fails) as soon as more than 1 MiB lands there.
fn run_watching_tmpdir(args: &[&str]) -> (std::process::Output, u64, std::time::Duration) {
    const BOUND: u64 = 1 << 20;
    let watch = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args(args)
        .env("TMPDIR", watch.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut most = 0;
    loop {
        most = most.max(tree_bytes(watch.path()));
        if most > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} wrote {most} bytes into TMPDIR");
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (output, most, started.elapsed())
}

const THREE_GIB: u64 = 3 << 30;

#[test]
fn an_entry_larger_than_its_manifest_says_is_never_unpacked() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("bomb.tar.gz");
    zeros_archive(
        &archive,
        "json/graph.json",
        THREE_GIB,
        &[("json/graph.json", 100)],
    );
    assert!(fs::metadata(&archive).unwrap().len() < 16 << 20);
    let a = archive.to_str().unwrap();
    for args in [vec!["verify", a], vec!["diff", a, a]] {
        let (output, most, took) = run_watching_tmpdir(&args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{args:?}: {text}"
        );
        assert!(text.contains("json/graph.json"), "{args:?}: {text}");
        assert!(
            text.contains(&THREE_GIB.to_string()) && text.contains("100"),
            "{args:?} should give both sizes: {text}"
        );
        assert!(most < 1 << 20, "{most}");
        assert!(took.as_secs() < 120, "{args:?} took {took:?}");
    }
}

#[test]
fn an_unlisted_entry_is_never_unpacked() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("extra.tar.gz");
    zeros_archive(&archive, "json/zeros.bin", THREE_GIB, &[]);
    let a = archive.to_str().unwrap();
    for args in [vec!["verify", a], vec!["diff", a, a]] {
        let (output, most, _) = run_watching_tmpdir(&args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{args:?}: {text}"
        );
        assert!(text.contains("json/zeros.bin"), "{args:?}: {text}");
        assert!(most < 1 << 20, "{most}");
    }
    // The library refuses it by name before writing anything.
    let into = tmp.path().join("into");
    let err = extract_archive(&archive, &into).unwrap_err().to_string();
    assert!(
        err.contains("x/json/zeros.bin") && err.contains("not listed"),
        "{err}"
    );
    assert_eq!(names_in(tmp.path()), ["extra.tar.gz"]);
}
