//! normalize on real snapshots: fetched from the simulated API, and the fixture snapshot read
//! on any number of threads.

use crate::common::copy_dir;
use crate::model_support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use kb4graph::model::{
    EntityType, MemoryCollection, MemoryPage, MemorySource, WarningCode, normalize,
    normalize_with_threads,
};
use kb4graph::snapshot::Snapshot;
use serde_json::Value;

/// Not a test: `KB4GRAPH_SNAPSHOT=DIR cargo test --release --test tests model_snapshots -- --ignored
/// --nocapture` normalizes a snapshot and prints time, counts and memory (for benches/).
/// With `KB4GRAPH_DUMP=FILE` it also writes the graph as JSON.
#[test]
#[ignore]
fn measure_snapshot() {
    let Ok(dir) = std::env::var("KB4GRAPH_SNAPSHOT") else {
        eprintln!("set KB4GRAPH_SNAPSHOT to a snapshot directory");
        return;
    };
    let snapshot = Snapshot::open(&dir).expect("snapshot opens");
    let start = Instant::now();
    let (graph, warnings) = normalize(&snapshot);
    let elapsed = start.elapsed();
    println!("normalize: {:.2}s", elapsed.as_secs_f64());
    println!(
        "entities: {}, relationships: {}, warnings: {}, graph heap: {} MB",
        graph.entity_count(),
        graph.relationship_count(),
        warnings.len(),
        graph.heap_bytes() / 1_000_000
    );
    for (t, n) in graph.entity_counts() {
        println!("  {t}: {n}");
    }
    for (t, n) in graph.relationship_counts() {
        println!("  {t}: {n}");
    }
    let mut codes = std::collections::BTreeMap::new();
    for w in &warnings {
        *codes.entry(w.code.as_str()).or_insert(0) += 1;
    }
    println!("warnings by code: {codes:?}");
    for w in warnings.iter().take(40) {
        println!("  {w}");
    }
    if let Ok(out) = std::env::var("KB4GRAPH_DUMP") {
        let json = model_support::render(&graph, &warnings);
        std::fs::write(out, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    }
}

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snapshot-small");
/// The middle one of three pages.
const INVALID_PAGE: &str = "raw/users/active/page-0002.json";
/// Changed on disk after the manifest recorded it.
const CHANGED_PAGE: &str = "raw/training/enrollments/page-0001.json";

/// Writes `bytes` as page `file` of the snapshot in `dir` and makes the manifest agree, so the
/// page reads back intact and it is its content that is wrong.
fn rewrite_page(dir: &Path, file: &str, bytes: &[u8]) {
    std::fs::write(dir.join(file), bytes).unwrap();
    let sha = kb4graph::snapshot::sha256_hex(bytes);
    let path = dir.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut listed = 0;
    for c in manifest["collections"].as_array_mut().unwrap() {
        for p in c["pages"].as_array_mut().unwrap() {
            if p["file"] == file {
                p["sha256"] = sha.clone().into();
                p["size"] = bytes.len().into();
                listed += 1;
            }
        }
    }
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["path"] == file {
            f["sha256"] = sha.clone().into();
            f["size"] = bytes.len().into();
            listed += 1;
        }
    }
    assert_eq!(listed, 2, "{file} is listed");
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

/// Lists the collections in the opposite order in the manifest (a manifest lists each one's
/// pages in page order).
fn reverse_listing(dir: &Path) {
    let path = dir.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["collections"].as_array_mut().unwrap().reverse();
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

/// The fixture snapshot with a page of invalid JSON between two good ones and a page changed
/// on disk, in `dir`.
fn damaged_fixture(dir: &Path) -> PathBuf {
    let snap = dir.join("snap");
    copy_dir(Path::new(FIXTURE), &snap);
    rewrite_page(&snap, INVALID_PAGE, b"[{\"id\": 1, ");
    let changed = snap.join(CHANGED_PAGE);
    let mut bytes = std::fs::read(&changed).unwrap();
    bytes.push(b' ');
    std::fs::write(&changed, bytes).unwrap();
    snap
}

#[test]
fn pages_parsed_on_any_number_of_threads_give_the_same_graph_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let snap = damaged_fixture(dir.path());
    let snapshot = Snapshot::open(&snap).unwrap();
    let (graph, warnings) = normalize_with_threads(&snapshot, 1);
    let expected = model_support::render(&graph, &warnings);

    // Each damaged page is its own warning, naming it, besides those of the fixture (whose
    // users/active/page-0003.json is cut short); the pages around it are read.
    let left_out = |warnings: &[kb4graph::model::Warning]| -> Vec<(String, String)> {
        warnings
            .iter()
            .filter(|w| w.code == WarningCode::UnreadablePage)
            .map(|w| (w.location.clone(), w.message.clone()))
            .collect()
    };
    let (_, intact_warnings) = normalize_with_threads(&Snapshot::open(FIXTURE).unwrap(), 1);
    let before = left_out(&intact_warnings);
    let after = left_out(&warnings);
    assert_eq!(after.len(), before.len() + 2, "{after:?}");
    assert!(before.iter().all(|w| after.contains(w)), "{after:?}");
    assert!(
        after
            .iter()
            .any(|(at, message)| at == INVALID_PAGE && message.contains("not valid JSON")),
        "{after:?}"
    );
    assert!(after.iter().any(|(at, _)| at == CHANGED_PAGE), "{after:?}");
    let user_keys: Vec<String> = graph
        .entities()
        .filter(|e| e.entity_type() == EntityType::User)
        .map(|e| e.key().to_owned())
        .collect();
    let body = std::fs::read(snap.join("raw/users/active/page-0001.json")).unwrap();
    let records: Vec<Value> = serde_json::from_slice(&body).unwrap();
    assert!(!records.is_empty());
    for record in records {
        let id = record["id"].as_i64().unwrap();
        assert!(
            user_keys.iter().any(|k| k.ends_with(&format!(":{id}"))),
            "user {id} of the page before is in the graph: {user_keys:?}"
        );
    }

    for threads in [0, 2, 3, 8, 64] {
        let (graph, warnings) = normalize_with_threads(&snapshot, threads);
        assert_eq!(
            model_support::render(&graph, &warnings),
            expected,
            "{threads} threads"
        );
    }
    // The default, as many threads as cores.
    let (graph, warnings) = normalize(&snapshot);
    assert_eq!(model_support::render(&graph, &warnings), expected);

    // The manifest listing collections the other way round changes nothing.
    reverse_listing(&snap);
    let reversed = Snapshot::open(&snap).unwrap();
    for threads in [1, 2, 8] {
        let (graph, warnings) = normalize_with_threads(&reversed, threads);
        assert_eq!(
            model_support::render(&graph, &warnings),
            expected,
            "listed in reverse, {threads} threads"
        );
    }
}

#[test]
fn pages_held_in_memory_in_any_order_give_the_graph_of_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let snap = damaged_fixture(dir.path());
    // The page changed on disk cannot be held in memory as unreadable: restore it.
    std::fs::copy(
        Path::new(FIXTURE).join(CHANGED_PAGE),
        snap.join(CHANGED_PAGE),
    )
    .unwrap();
    let snapshot = Snapshot::open(&snap).unwrap();
    let (graph, warnings) = normalize_with_threads(&snapshot, 2);
    let expected = model_support::render(&graph, &warnings);

    // The same pages, collections and pages within each in reverse order.
    let mut collections: Vec<MemoryCollection> = snapshot
        .collections()
        .iter()
        .map(|c| MemoryCollection {
            id: c.id.clone(),
            complete: c.complete,
            not_found: c.not_found,
            pages: c
                .pages
                .iter()
                .rev()
                .map(|p| MemoryPage {
                    file: p.file.clone(),
                    body: std::fs::read(snap.join(&p.file)).unwrap(),
                })
                .collect(),
        })
        .collect();
    collections.reverse();
    let source = MemorySource { collections };
    for threads in [1, 2, 5] {
        let (graph, warnings) = normalize_with_threads(&source, threads);
        assert_eq!(
            model_support::render(&graph, &warnings),
            expected,
            "{threads} threads"
        );
    }
}
