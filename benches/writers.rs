//! The writers' throughput: each format of the `small` demo account's graph (and all of them at
//! once, as `--format all` writes them) through the library's `export`, the whole bundle as a
//! user gets it (files staged, hashed, synced, moved into place, manifest written), into a
//! directory in memory (/dev/shm, else the system temp dir) so that no disk adds its noise;
//! and `normalize` of the same account from pages held in memory. Bytes are counted (the data
//! files an export lists; the raw pages normalize reads), so divan shows throughput.
//!
//! Set `KB4GRAPH_BENCH_SNAPSHOT=/path/to/snapshot` to measure another account (e.g. a `medium`
//! one); `bash benches/scale.sh` measures the binary on real disks, beside its peers.
//!
//!     cargo bench --bench writers

mod common;

use std::path::Path;
use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::BytesCount;
use kb4graph::export::{ExportOptions, SnapshotInfo, export, parse_formats};
use kb4graph::model::{Graph, MemoryCollection, MemoryPage, MemorySource, RawSource, normalize};
use kb4graph::snapshot::Snapshot;
use tempfile::TempDir;

struct Fixture {
    graph: Graph,
    info: SnapshotInfo,
    /// The snapshot's pages, read into memory: normalize is measured without the disk.
    pages: MemorySource,
    page_bytes: u64,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let source = common::snapshot();
        let snapshot = Snapshot::open(&source.path).expect("a snapshot");
        let info = SnapshotInfo::of(&snapshot);
        let mut pages = MemorySource::new();
        for collection in RawSource::collections(&snapshot) {
            let read = RawSource::pages(&snapshot, &collection.id)
                .into_iter()
                .map(|read| {
                    let page = read().expect("a readable page");
                    MemoryPage {
                        file: page.file,
                        body: page.body,
                    }
                })
                .collect();
            pages.collections.push(MemoryCollection {
                id: collection.id,
                complete: collection.complete,
                not_found: collection.not_found,
                pages: read,
            });
        }
        let page_bytes = pages
            .collections
            .iter()
            .flat_map(|c| &c.pages)
            .map(|p| p.body.len() as u64)
            .sum();
        let (graph, _) = normalize(&pages);
        Fixture {
            graph,
            info,
            pages,
            page_bytes,
        }
    })
}

/// A fresh directory for one export, in memory where the system has /dev/shm; removed when
/// dropped, which divan does after the sample is timed.
fn scratch() -> TempDir {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    };
    tempfile::Builder::new()
        .prefix("kb4graph-bench-")
        .tempdir_in(base)
        .expect("a scratch directory")
}

fn main() {
    divan::main();
}

/// `--format` values: each format, then all of them through one bundle.
const FORMATS: &[&str] = &[
    "json", "neo4j", "graphml", "turtle", "ntriples", "nquads", "all",
];

#[divan::bench(args = FORMATS)]
fn write(bencher: Bencher, format: &str) {
    let f = fixture();
    let formats = parse_formats(format).expect("a format name");
    let options = ExportOptions::default();
    let write = |dir: &TempDir| -> u64 {
        export(
            &f.graph,
            &f.info,
            &formats,
            &options,
            &dir.path().join("export"),
        )
        .expect("export")
        .iter()
        .map(|file| file.size)
        .sum()
    };
    let bytes = write(&scratch());
    bencher
        .counter(BytesCount::new(bytes))
        .with_inputs(scratch)
        .bench_local_values(|dir| {
            write(&dir);
            dir
        });
}

#[divan::bench]
fn normalize_pages(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(BytesCount::new(f.page_bytes))
        .bench(|| normalize(&f.pages));
}
