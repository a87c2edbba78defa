//! Golden test of `normalize` on a small hand-written snapshot (`tests/fixtures/snapshot-small`)
//! that holds every entity and relationship type, every drift spelling of the API and every
//! anomaly `normalize` resolves. The expected graph and warnings are in
//! `tests/fixtures/snapshot-small.expected.json`, checked by hand.
//!
//! After changing the pages, `KB4GRAPH_BLESS=1 cargo test --test tests normalize_golden` rewrites the
//! manifest (sizes, SHA-256) and the expected output; review the diff of the latter line by line.

use crate::model_support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use kb4graph::api::{Pagination, ResolvedMode};
use kb4graph::model::{
    EntityType, MemorySource, RelationshipType, ValueType, WarningCode, normalize,
};
use kb4graph::snapshot::{
    CollectionEntry, CollectionKind, FORMAT, FORMAT_VERSION, Manifest, ManifestSource, PageEntry,
    ResumeState, Snapshot, Totals, sha256_hex,
};
use serde_json::Value;

/// Collections the fixture says were left incomplete by an interrupted fetch.
const INCOMPLETE: &[&str] = &["groups/archived"];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot-small")
}

fn expected_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot-small.expected.json")
}

fn bless() -> bool {
    std::env::var_os("KB4GRAPH_BLESS").is_some()
}

/// Every directory under `raw/` holding `page-*.json` files, as (collection id, page files).
fn collections_on_disk(root: &Path) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("raw")];
    while let Some(dir) = stack.pop() {
        let mut pages = Vec::new();
        for entry in fs::read_dir(&dir).expect("fixture directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                pages.push(path);
            }
        }
        if pages.is_empty() {
            continue;
        }
        pages.sort();
        let id = dir
            .strip_prefix(root.join("raw"))
            .expect("under raw")
            .to_string_lossy()
            .replace('\\', "/");
        let files = pages
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        out.push((id, files));
    }
    out.sort();
    out
}

/// The manifest a fetch would have written for the pages on disk (fixed times, no token).
fn build_manifest(root: &Path) -> Manifest {
    let mut collections = Vec::new();
    let mut totals = Totals::default();
    for (id, files) in collections_on_disk(root) {
        let (endpoint, query) = match kb4graph::fetch::spec_for_id(&id) {
            Some(spec) => (spec.endpoint(), spec.query),
            None if id == "phishing/campaigns/callback" => (
                "/v1/phishing/campaigns".to_owned(),
                "campaign_type=callback".to_owned(),
            ),
            None => (format!("/v1/{id}"), String::new()),
        };
        let kind = if id == "account" {
            CollectionKind::Object
        } else {
            CollectionKind::List
        };
        let mut pages = Vec::new();
        let mut items = 0;
        for (i, file) in files.iter().enumerate() {
            let bytes = fs::read(root.join(file)).expect("page");
            let n = match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Array(a)) => a.len() as u64,
                Ok(_) => 1,
                Err(_) => 0,
            };
            items += n;
            pages.push(PageEntry {
                page: i as u32 + 1,
                file: file.clone(),
                items: n,
                size: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
                request_id: Some(format!("fixture-{id}-{}", i + 1)),
                reused_from: None,
            });
        }
        totals.pages += pages.len() as u64;
        totals.requests += pages.len() as u64;
        totals.items += items;
        let complete = !INCOMPLETE.contains(&id.as_str());
        collections.push(CollectionEntry {
            resume: (!complete).then(|| ResumeState {
                next_page: pages.len() as u32 + 1,
                next_cursor: None,
            }),
            id,
            endpoint,
            query,
            kind,
            pagination: Some(ResolvedMode::Page),
            complete,
            not_found: false,
            run: 0,
            items,
            pages,
        });
    }
    Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        tool: "kb4graph".into(),
        tool_version: "0.1.0".into(),
        source: ManifestSource {
            site: None,
            base_url: "http://127.0.0.1:8080".into(),
            account_name: None,
        },
        per_page: 500,
        pagination: Pagination::Auto,
        started_at: "2025-09-30T12:00:00.000Z".into(),
        updated_at: "2025-09-30T12:00:05.000Z".into(),
        finished_at: Some("2025-09-30T12:00:05.000Z".into()),
        complete: collections.iter().all(|c| c.complete),
        since: None,
        risk_history: kb4graph::snapshot::RiskHistory::OFF,
        runs: Vec::new(),
        span: None,
        consistency: None,
        totals,
        files: Manifest::file_list(&collections),
        collections,
    }
}

#[test]
fn fixture_manifest_matches_its_pages() {
    let root = fixture();
    let manifest = build_manifest(&root).to_json();
    let path = root.join("manifest.json");
    if bless() {
        fs::write(&path, &manifest).expect("write manifest");
    }
    let on_disk = fs::read(&path).expect("manifest.json");
    assert!(
        on_disk == manifest,
        "{} is stale: run `KB4GRAPH_BLESS=1 cargo test --test tests normalize_golden`",
        path.display()
    );
    let snapshot = Snapshot::open(&root).expect("the fixture opens as a snapshot");
    let problems = snapshot.verify();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn golden_graph_and_warnings() {
    let snapshot = Snapshot::open(fixture()).expect("the fixture opens as a snapshot");
    let (graph, warnings) = normalize(&snapshot);
    let actual = model_support::render(&graph, &warnings);
    let mut text = serde_json::to_string_pretty(&actual).expect("json");
    text.push('\n');
    if bless() {
        fs::write(expected_path(), &text).expect("write expected");
    }
    let expected = fs::read_to_string(expected_path()).expect("expected output");
    if text != expected {
        let out = std::env::temp_dir().join("kb4graph-snapshot-small.actual.json");
        fs::write(&out, &text).expect("write actual");
        let line = text
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |i| i + 1);
        panic!(
            "normalize output differs from {} from line {line} on; actual output in {}",
            expected_path().display(),
            out.display()
        );
    }
}

/// The fixture is only as good as what it covers: every type, every warning kind.
#[test]
fn fixture_covers_every_type_and_anomaly() {
    let snapshot = Snapshot::open(fixture()).expect("the fixture opens as a snapshot");
    let (graph, warnings) = normalize(&snapshot);
    for (t, n) in graph.entity_counts() {
        assert!(n > 0, "no {t} in the fixture");
    }
    for (t, n) in graph.relationship_counts() {
        assert!(n > 0, "no {t} in the fixture");
    }
    let codes: BTreeSet<WarningCode> = warnings.iter().map(|w| w.code).collect();
    for code in [
        WarningCode::UnreadablePage,
        WarningCode::IncompleteCollection,
        WarningCode::UnknownCollection,
        WarningCode::NotAnObject,
        WarningCode::MissingId,
        WarningCode::InvalidValue,
        WarningCode::UnknownField,
        WarningCode::DuplicateRecord,
        WarningCode::MissingUser,
        WarningCode::UnlistedUser,
        WarningCode::UnlistedModule,
        WarningCode::NameOnlyModule,
        WarningCode::AmbiguousModuleName,
        WarningCode::UnknownContent,
        WarningCode::MissingReference,
        WarningCode::MismatchedId,
        WarningCode::PersonConflict,
    ] {
        assert!(codes.contains(&code), "no {code} warning in the fixture");
    }
    // Every value type appears somewhere, so exporters' tests on this fixture see them all.
    let mut types = BTreeSet::new();
    for e in graph.entities() {
        types.extend(e.properties().map(|p| p.value.value_type()));
    }
    for r in graph.relationships() {
        types.extend(r.properties().map(|p| p.value.value_type()));
    }
    assert_eq!(types, ValueType::ALL.into_iter().collect());
    // Every drift spelling of the API is read into the same property as the current one.
    let user = |id: &str| graph.entity(&format!("knowbe4:user:{id}")).expect("user");
    assert!(user("4400000013").get("provisioningManaged").is_some()); // adi_manageable
    assert!(user("1007").get("provisioningGuid").is_some()); // active_directory_guid
    let group = graph.entity("knowbe4:group:11").expect("group 11");
    assert!(group.get("provisioningGuid").is_some()); // adi_guid
    let test = graph
        .entity("knowbe4:phishing:security_test:3000")
        .expect("test 3000");
    assert!(test.get("landingPageId").is_some()); // landing-page
    let test = graph
        .entity("knowbe4:phishing:security_test:3001")
        .expect("test 3001");
    assert!(test.get("vulnerablePluginCount").is_some());
    let module = graph
        .entity("knowbe4:training:purchase:101")
        .expect("store_purchased_id");
    assert!(module.get("storePurchaseId").is_some());
    assert!(graph.entity("knowbe4:training:purchase:102").is_some()); // from `modules`
    assert!(
        graph
            .entity("knowbe4:training:name:Legacy Module")
            .is_some()
    );
    assert_eq!(
        graph
            .relationship_counts()
            .iter()
            .find(|(t, _)| *t == RelationshipType::TrainingModuleAssignedUser)
            .map(|c| c.1),
        Some(9),
        "one ASSIGNED per enrollment that names a user and a module"
    );
    assert!(
        graph
            .entities()
            .filter(|e| e.entity_type() == EntityType::User)
            .count()
            >= 7
    );
}

/// The same pages read from memory give the same graph and warnings as from disk (the
/// manifest's incomplete collection aside).
#[test]
fn memory_source_agrees_with_the_snapshot() {
    let root = fixture();
    let snapshot = Snapshot::open(&root).expect("the fixture opens as a snapshot");
    let mut source = MemorySource::new();
    for c in snapshot.collections() {
        for page in &c.pages {
            let body = fs::read(root.join(&page.file)).expect("page");
            source.add_raw_page(&c.id, body);
        }
        source.set_status(&c.id, c.complete, c.not_found);
    }
    let (a, wa) = normalize(&snapshot);
    let (b, wb) = normalize(&source);
    assert!(a == b, "graphs differ");
    assert_eq!(wa, wb);
}
