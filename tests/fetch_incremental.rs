//! `fetch --since`: an incremental fetch copies what cannot have changed from a complete
//! previous snapshot, records where each copied page came from, and gives the same graph and
//! export as a full fetch of the same account state, for fewer requests.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kb4graph::api::Token;
use kb4graph::export::{ExportOptions, Format};
use kb4graph::fetch::{FetchReport, ResumeOverrides};
use kb4graph::mock::MockServer;
use kb4graph::model::normalize;
use kb4graph::pipeline;
use kb4graph::snapshot::{Manifest, Snapshot};

async fn full(server: &MockServer, out: &Path) -> FetchReport {
    common::fetch(common::options(server, out)).await
}

async fn since(server: &MockServer, previous: &Path, out: &Path) -> FetchReport {
    let mut opts = common::options(server, out);
    opts.since = Some(previous.to_path_buf());
    common::fetch(opts).await
}

fn manifest_of(dir: &Path) -> Manifest {
    Snapshot::open(dir).unwrap().manifest().clone()
}

/// Collection id -> (pages, whether each page was reused).
fn reuse_by_collection(dir: &Path) -> BTreeMap<String, (usize, usize)> {
    manifest_of(dir)
        .collections
        .iter()
        .map(|c| {
            let reused = c.pages.iter().filter(|p| p.reused_from.is_some()).count();
            (c.id.clone(), (c.pages.len(), reused))
        })
        .collect()
}

/// The JSON export's files, with graph.json's metadata (which describes the snapshot: its
/// manifest hash and fetch time) cut off, and without the export manifest, which hashes it.
fn json_export_without_metadata(snapshot: &Path, out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    pipeline::export_snapshot(snapshot, &[Format::Json], &ExportOptions::default(), out)
        .expect("the JSON export succeeds");
    let mut files = common::files(out);
    files.retain(|path, _| path.starts_with("json"));
    let graph = files
        .get_mut(Path::new("json/graph.json"))
        .expect("json/graph.json");
    let text = String::from_utf8(graph.clone()).unwrap();
    let body = text
        .split_once(",\n\"entities\":")
        .expect("metadata comes first")
        .1;
    *graph = body.as_bytes().to_vec();
    files
}

/// Graph, warnings and JSON export of two snapshots are the same.
fn assert_same_export(a: &Path, b: &Path, scratch: &Path) {
    let (graph_a, warnings_a) = normalize(&Snapshot::open(a).unwrap());
    let (graph_b, warnings_b) = normalize(&Snapshot::open(b).unwrap());
    assert!(graph_a == graph_b, "the graphs differ");
    assert_eq!(warnings_a, warnings_b);
    let export_a = json_export_without_metadata(a, &scratch.join("export-a"));
    let export_b = json_export_without_metadata(b, &scratch.join("export-b"));
    assert!(!export_a.is_empty());
    assert!(export_a == export_b, "the JSON exports differ");
}

/// Every reused page names a page of `previous` with the same bytes, and the copy is intact.
fn assert_reuse_recorded(dir: &Path, previous: &Path) {
    let snapshot = Snapshot::open(dir).unwrap();
    let old = Snapshot::open(previous).unwrap();
    assert!(snapshot.verify().is_empty(), "{:?}", snapshot.verify());
    let manifest = snapshot.manifest();
    let since = manifest.since.as_ref().expect("the manifest names --since");
    assert_eq!(since.path, previous.to_string_lossy());
    assert_eq!(since.manifest_sha256, old.manifest_sha256());
    assert_eq!(since.started_at, old.manifest().started_at);
    let old_files: BTreeMap<&str, &str> = old
        .manifest()
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    let mut reused = 0;
    for c in &manifest.collections {
        for page in &c.pages {
            let Some(from) = &page.reused_from else {
                continue;
            };
            reused += 1;
            assert_eq!(from.snapshot.manifest_sha256, old.manifest_sha256());
            assert_eq!(from.snapshot.started_at, old.manifest().started_at);
            assert_eq!(from.file, page.file, "same relative name");
            assert_eq!(
                old_files.get(from.file.as_str()),
                Some(&from.sha256.as_str())
            );
            assert_eq!(from.sha256, page.sha256);
            assert_eq!(
                std::fs::read(dir.join(&page.file)).unwrap(),
                std::fs::read(previous.join(&from.file)).unwrap()
            );
        }
        // A collection is copied whole or fetched whole.
        let copied = c.pages.iter().filter(|p| p.reused_from.is_some()).count();
        assert!(copied == 0 || copied == c.pages.len(), "{}", c.id);
    }
    assert_eq!(manifest.totals.reused_pages, reused);
}

#[tokio::test]
async fn the_same_account_state_fetched_incrementally_equals_a_full_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(common::small(91)).await;
    let a = dir.path().join("a");
    let full_report = full(&server, &a).await;
    let before = server.stats().requests;
    let b = dir.path().join("b");
    let report = since(&server, &a, &b).await;
    let requests = server.stats().requests - before;
    assert!(report.complete, "{report}");
    assert_eq!(report.requests, requests);

    assert_reuse_recorded(&b, &a);
    let reuse = reuse_by_collection(&b);
    let reused_of = |prefix: &str| -> usize {
        reuse
            .iter()
            .filter(|(id, _)| id.starts_with(prefix))
            .map(|(_, (_, reused))| reused)
            .sum()
    };
    // Each kind of child collection is reused somewhere in this account, and no listing is.
    assert!(reused_of("phishing/security_tests/") > 0, "{reuse:?}");
    assert!(reused_of("training/campaigns/") > 0, "{reuse:?}");
    assert!(reused_of("groups/") > 0, "{reuse:?}");
    for id in [
        "account",
        "users/active",
        "groups/active",
        "phishing/security_tests",
        "training/campaigns",
    ] {
        assert_eq!(reuse[id].1, 0, "{id}");
    }
    // Each page is either fetched or copied: one request saved per copied page.
    assert_eq!(report.reused_pages, manifest_of(&b).totals.reused_pages);
    assert_eq!(requests, full_report.requests - report.reused_pages);
    assert!(requests < full_report.requests);
    assert!(report.to_string().contains("pages reused from"), "{report}");

    assert_same_export(&a, &b, dir.path());
}

#[tokio::test]
async fn a_previous_snapshot_that_is_incomplete_or_altered_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(common::small(92)).await;
    let good = dir.path().join("good");
    full(&server, &good).await;

    // One byte of one page changed.
    let tampered = dir.path().join("tampered");
    common::copy_dir(&good, &tampered);
    let page = manifest_of(&tampered).files[3].path.clone();
    let mut bytes = std::fs::read(tampered.join(&page)).unwrap();
    bytes[1] ^= 0x20;
    std::fs::write(tampered.join(&page), bytes).unwrap();
    let err = refused(&server, tampered, dir.path().join("o1"), None).await;
    assert!(err.contains(&page) && err.contains("SHA-256"), "{err}");

    // A page removed.
    let removed = dir.path().join("removed");
    common::copy_dir(&good, &removed);
    std::fs::remove_file(removed.join(&page)).unwrap();
    let err = refused(&server, removed, dir.path().join("o2"), None).await;
    assert!(err.contains(&page), "{err}");

    // Stopped by its request budget.
    let partial = dir.path().join("partial");
    let mut opts = common::options(&server, &partial);
    opts.max_requests = Some(5);
    assert!(!common::fetch(opts).await.complete);
    let err = refused(&server, partial, dir.path().join("o3"), None).await;
    assert!(
        err.contains("incomplete") && err.contains("--resume"),
        "{err}"
    );

    // Not a snapshot at all, and one whose pages are cut differently.
    let err = refused(
        &server,
        dir.path().join("nowhere"),
        dir.path().join("o4"),
        None,
    )
    .await;
    assert!(err.contains("manifest.json"), "{err}");
    let err = refused(&server, good.clone(), dir.path().join("o5"), Some(100)).await;
    assert!(err.contains("per_page"), "{err}");
}

/// Starts a fetch --since `previous` into `out` that must be refused before anything is sent
/// or written; returns the error message.
async fn refused(
    server: &MockServer,
    previous: PathBuf,
    out: PathBuf,
    per_page: Option<u32>,
) -> String {
    let mut opts = common::options(server, &out);
    opts.since = Some(previous);
    if let Some(n) = per_page {
        opts.per_page = n;
    }
    let before = server.stats().requests;
    let err = kb4graph::fetch::fetch(opts)
        .await
        .expect_err("refused")
        .to_string();
    assert_eq!(server.stats().requests, before, "nothing sent: {err}");
    assert!(!out.exists(), "no snapshot started: {err}");
    assert!(err.contains("full fetch"), "{err}");
    err
}

/// Resumes `out` in budgeted steps until it is complete.
async fn resume_to_the_end(out: &Path, budget: u64, moved_to: Option<PathBuf>) -> FetchReport {
    for step in 0..1000 {
        let overrides = ResumeOverrides {
            pace: Some(kb4graph::rate::RateSpec::off()),
            max_requests: (step < 3).then_some(budget),
            since: moved_to.clone(),
            ..ResumeOverrides::default()
        };
        let report = kb4graph::fetch::resume(out, Token::new(common::TOKEN).unwrap(), overrides)
            .await
            .expect("resume succeeds");
        if report.complete {
            return report;
        }
    }
    panic!("resume makes no progress");
}

#[tokio::test]
async fn an_interrupted_incremental_fetch_resumes_to_the_same_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::small(93);
    let server = common::start(config.clone()).await;
    let a = dir.path().join("a");
    full(&server, &a).await;
    let whole = dir.path().join("whole");
    let uninterrupted = since(&server, &a, &whole).await;
    let reused = reuse_by_collection(&whole);

    for budget in [3, uninterrupted.requests / 2] {
        let server = common::start(config.clone()).await;
        let out = dir.path().join(format!("parts-{budget}"));
        let mut opts = common::options(&server, &out);
        opts.since = Some(a.clone());
        opts.max_requests = Some(budget);
        let first = common::fetch(opts).await;
        assert!(!first.complete, "budget {budget}: {first}");
        let last = resume_to_the_end(&out, budget, None).await;
        assert_eq!(last.since.as_deref(), Some(a.as_path()));

        assert_eq!(
            common::raw_pages(&out),
            common::raw_pages(&whole),
            "budget {budget}: the same pages as uninterrupted"
        );
        assert_eq!(reuse_by_collection(&out), reused, "budget {budget}");
        assert_reuse_recorded(&out, &a);
        // Each resume fetches the listings again (the account may have moved on meanwhile),
        // and every request of every run is counted.
        let stats = server.stats();
        assert!(stats.requests > uninterrupted.requests, "budget {budget}");
        assert_eq!(manifest_of(&out).totals.requests, stats.requests);
        assert!(manifest_of(&out).is_consistent());
    }

    // The previous snapshot moved between runs: the resume is told where it is now.
    let moved = dir.path().join("a-moved");
    common::copy_dir(&a, &moved);
    let server = common::start(config.clone()).await;
    let out = dir.path().join("moved");
    let mut opts = common::options(&server, &out);
    opts.since = Some(a.clone());
    opts.max_requests = Some(3);
    common::fetch(opts).await;
    std::fs::rename(&a, dir.path().join("a-gone")).unwrap();
    resume_to_the_end(&out, 3, Some(moved.clone())).await;
    assert_eq!(common::raw_pages(&out), common::raw_pages(&whole));
    assert_eq!(reuse_by_collection(&out), reused);
    assert_eq!(manifest_of(&out).totals.requests, server.stats().requests);

    // Gone altogether: the rest is fetched, with a warning, and the pages are still the same.
    let server = common::start(config).await;
    let out = dir.path().join("gone");
    let mut opts = common::options(&server, &out);
    opts.since = Some(moved.clone());
    opts.max_requests = Some(3);
    common::fetch(opts).await;
    std::fs::remove_dir_all(&moved).unwrap();
    let last = resume_to_the_end(&out, 3, None).await;
    assert!(
        last.warnings
            .iter()
            .any(|w| w.contains("nothing more is reused")),
        "{:?}",
        last.warnings
    );
    assert_eq!(common::raw_pages(&out), common::raw_pages(&whole));
    assert_eq!(manifest_of(&out).totals.reused_pages, 0);
    assert!(server.stats().requests > uninterrupted.requests);
}

#[tokio::test]
async fn days_later_an_incremental_fetch_equals_a_full_one_for_fewer_requests() {
    let day0 = common::small(94);
    // The next day (a new phishing test, a user archived, one hired, a test closed), and the
    // first day a training campaign of day 0 is completed.
    let completing = (1..=60)
        .find(|&d| {
            !kb4graph::mock::day_changes(day0.seed, &day0.org, d)
                .training_campaigns_completed
                .is_empty()
        })
        .expect("a training campaign completes within 60 days");
    for day in [1, completing] {
        days_later(&day0, day).await;
    }
}

async fn days_later(day0: &kb4graph::mock::MockConfig, day: u32) {
    let dir = tempfile::tempdir().unwrap();
    let mut later = day0.clone();
    later.day = day;
    let changes = kb4graph::mock::day_changes(day0.seed, &day0.org, day);
    assert!(!changes.new_psts.is_empty(), "{changes:?}");

    let server = common::start(day0.clone()).await;
    let previous = dir.path().join("day0");
    full(&server, &previous).await;
    drop(server);

    let server = common::start(later.clone()).await;
    let f = dir.path().join("full");
    let full_report = full(&server, &f).await;
    let server = common::start(later).await;
    let i = dir.path().join("incremental");
    let report = since(&server, &previous, &i).await;
    assert!(report.complete, "day {day}: {report}");
    assert!(
        report.requests < full_report.requests,
        "day {day}: {} < {}",
        report.requests,
        full_report.requests
    );
    assert!(report.reused_pages > 0, "day {day}");
    assert_reuse_recorded(&i, &previous);
    assert_same_export(&f, &i, dir.path());

    // What the simulation changed was fetched, never copied.
    let reuse = reuse_by_collection(&i);
    let stats = server.stats();
    let fetched = |id: String| {
        let (pages, reused) = reuse.get(&id).copied().unwrap_or_default();
        assert!(pages > 0 && reused == 0, "day {day}: {id} is fetched");
        let spec = kb4graph::fetch::spec_for_id(&id).unwrap();
        assert!(
            stats.per_request.keys().any(|k| k.starts_with(&format!(
                "{}?{}",
                spec.endpoint(),
                spec.query
            ))),
            "day {day}: {id} was requested"
        );
    };
    for pst in changes.new_psts.iter().chain(&changes.psts_closed) {
        fetched(format!("phishing/security_tests/{pst}/recipients"));
    }
    for campaign in &changes.training_campaigns_completed {
        fetched(format!("training/campaigns/{campaign}/enrollments"));
    }
    for (group, _) in changes
        .memberships_added
        .iter()
        .chain(&changes.memberships_removed)
    {
        fetched(format!("groups/{group}/members"));
    }
}
