//! Writer and reader together, on real files.

use super::*;
use crate::api::{Pagination, ResolvedMode, Site};

fn manifest_for(writer: &SnapshotWriter, pages: Vec<(u32, WrittenPage, u64)>) -> Manifest {
    let collections = vec![
        CollectionEntry {
            id: "account".into(),
            endpoint: "/v1/account".into(),
            query: String::new(),
            kind: CollectionKind::Object,
            pagination: None,
            complete: true,
            not_found: false,
            run: 0,
            resume: None,
            items: 1,
            pages: vec![],
        },
        CollectionEntry {
            id: "users/active".into(),
            endpoint: "/v1/users".into(),
            query: "status=active".into(),
            kind: CollectionKind::List,
            pagination: Some(ResolvedMode::Page),
            complete: true,
            not_found: false,
            run: 0,
            resume: None,
            items: pages.iter().map(|p| p.2).sum(),
            pages: pages
                .into_iter()
                .map(|(page, w, items)| PageEntry {
                    page,
                    file: w.file,
                    items,
                    size: w.size,
                    sha256: w.sha256,
                    request_id: Some(format!("req-{page}")),
                    reused_from: None,
                })
                .collect(),
        },
    ];
    let _ = writer;
    Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        tool: "kb4graph".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        source: ManifestSource {
            site: Some(Site::Us),
            base_url: Site::Us.base_url(),
            account_name: None,
        },
        per_page: 2,
        pagination: Pagination::Auto,
        started_at: "2026-01-01T00:00:00.000Z".into(),
        updated_at: "2026-01-01T00:00:00.000Z".into(),
        finished_at: None,
        complete: true,
        since: None,
        risk_history: crate::snapshot::RiskHistory::OFF,
        runs: Vec::new(),
        span: None,
        consistency: None,
        totals: Totals::default(),
        files: Manifest::file_list(&collections),
        collections,
    }
}

#[test]
fn pages_written_are_read_back_verbatim_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("snap");
    let writer = SnapshotWriter::create(&root).unwrap();
    // Whitespace and key order must survive: pages are evidence.
    let p1: &[u8] = b"[ {\"id\":1, \"b\":2,\"a\":1}, {\"id\":2} ]";
    let p2: &[u8] = b"[{\"id\":3}]";
    let w2 = writer.write_page("users/active", 2, p2).unwrap();
    let w1 = writer.write_page("users/active", 1, p1).unwrap();
    assert_eq!(w1.file, "raw/users/active/page-0001.json");
    let account = writer
        .write_page("account", 1, b"{\"name\":\"Acme\"}")
        .unwrap();
    let mut manifest = manifest_for(&writer, vec![(1, w1, 2), (2, w2, 1)]);
    manifest.collections[0].pages.push(PageEntry {
        page: 1,
        file: account.file,
        items: 1,
        size: account.size,
        sha256: account.sha256,
        request_id: None,
        reused_from: None,
    });
    manifest.files = Manifest::file_list(&manifest.collections);
    let seq = writer.next_manifest_seq();
    writer.write_manifest(&manifest, seq).unwrap();

    let snapshot = Snapshot::open(&root).unwrap();
    assert_eq!(snapshot.manifest(), &manifest);
    assert_eq!(
        snapshot.manifest_sha256(),
        sha256_hex(&std::fs::read(root.join(MANIFEST_FILE)).unwrap())
    );
    let bodies: Vec<Vec<u8>> = snapshot
        .pages("users/active")
        .unwrap()
        .map(|p| p.unwrap().1)
        .collect();
    assert_eq!(bodies, vec![p1.to_vec(), p2.to_vec()]);
    let ids: Vec<String> = snapshot
        .records("users/active")
        .unwrap()
        .map(|r| {
            let (at, value) = r.unwrap();
            format!("{}:{}", at, value["id"])
        })
        .collect();
    assert_eq!(
        ids,
        [
            "raw/users/active/page-0001.json[0]:1",
            "raw/users/active/page-0001.json[1]:2",
            "raw/users/active/page-0002.json[0]:3"
        ]
    );
    let account: Vec<_> = snapshot.records("account").unwrap().collect();
    assert_eq!(account.len(), 1);
    assert!(snapshot.verify().is_empty());
    assert!(snapshot.pages("nope").is_err());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&root.join("raw/users/active")), 0o700);
        assert_eq!(mode(&root.join("raw/users/active/page-0001.json")), 0o600);
        assert_eq!(mode(&root.join(MANIFEST_FILE)), 0o600);
    }
}

#[test]
fn tampered_pages_are_reported_with_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SnapshotWriter::create(dir.path()).unwrap();
    let w1 = writer
        .write_page("users/active", 1, b"[{\"id\":1}]")
        .unwrap();
    let manifest = manifest_for(&writer, vec![(1, w1, 1)]);
    writer
        .write_manifest(&manifest, writer.next_manifest_seq())
        .unwrap();
    std::fs::write(
        dir.path().join("raw/users/active/page-0001.json"),
        b"[{\"id\":2}]",
    )
    .unwrap();
    let snapshot = Snapshot::open(dir.path()).unwrap();
    let err = snapshot
        .pages("users/active")
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("page-0001.json"), "{err}");
    let problems = snapshot.verify();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].to_string().contains("SHA-256"));
}

#[test]
fn create_refuses_a_non_empty_dir_and_open_needs_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x"), b"").unwrap();
    let err = SnapshotWriter::create(dir.path()).unwrap_err().to_string();
    assert!(err.contains("--resume"), "{err}");
    let err = Snapshot::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("manifest.json"), "{err}");
    std::fs::write(dir.path().join(MANIFEST_FILE), b"{\"format\":").unwrap();
    let err = Snapshot::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("manifest.json"), "{err}");
}

#[test]
fn an_older_manifest_never_replaces_a_newer_one() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SnapshotWriter::create(dir.path()).unwrap();
    let mut old = manifest_for(&writer, vec![]);
    old.updated_at = "old".into();
    let mut new = old.clone();
    new.updated_at = "new".into();
    let old_seq = writer.next_manifest_seq();
    let new_seq = writer.next_manifest_seq();
    writer.write_manifest(&new, new_seq).unwrap();
    writer.write_manifest(&old, old_seq).unwrap();
    assert_eq!(
        Snapshot::open(dir.path()).unwrap().manifest().updated_at,
        "new"
    );
}

#[test]
fn pages_the_manifest_does_not_list_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SnapshotWriter::create(dir.path()).unwrap();
    let kept = writer.write_page("users/active", 1, b"[1]").unwrap();
    writer.write_page("users/active", 2, b"[2]").unwrap();
    writer.write_page("groups/5/members", 1, b"[3]").unwrap();
    std::fs::write(dir.path().join("raw/users/notes.txt"), b"mine").unwrap();
    let manifest = manifest_for(&writer, vec![(1, kept, 1)]);
    assert_eq!(writer.remove_unlisted_pages(&manifest).unwrap(), 2);
    assert!(dir.path().join("raw/users/active/page-0001.json").exists());
    assert!(!dir.path().join("raw/users/active/page-0002.json").exists());
    assert!(
        !dir.path().join("raw/groups").exists(),
        "emptied directories go too"
    );
    assert!(dir.path().join("raw/users/notes.txt").exists());
}

#[test]
fn a_snapshot_is_written_by_one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SnapshotWriter::create(dir.path()).unwrap();
    let err = SnapshotWriter::create(dir.path()).unwrap_err();
    assert!(matches!(err, SnapshotError::Locked { .. }), "{err}");
    writer.release_lock();
    assert!(!dir.path().join(crate::snapshot::LOCK_FILE).exists());
}
