//! `tag.AccountName` over loopback HTTP: the name a snapshot is fetched under tags every entity
//! of its exports, in every format as that format reads back; `export --account-name` replaces
//! it, and an export without a tag differs from one with it by the tag alone, its graph digest
//! included.

use crate::common;

use std::path::Path;

use kb4graph::export::{AccountTag, ExportOptions, Format, OutputManifest};
use kb4graph::model::{ACCOUNT_TAG, Value};
use kb4graph::pipeline;
use kb4graph::readback::ReadOptions;
use serde_json::Value as J;

fn export(snapshot: &Path, out: &Path, account_tag: AccountTag) -> OutputManifest {
    let options = ExportOptions {
        account_tag,
        ..ExportOptions::default()
    };
    pipeline::export_snapshot(snapshot, &Format::ALL, &options, out).unwrap();
    OutputManifest::read(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn graph_sha(manifest: &OutputManifest) -> String {
    match manifest {
        OutputManifest::Export(m) => m.graph.clone().unwrap().sha256,
        OutputManifest::Snapshot(_) => panic!("not an export"),
    }
}

fn json(export: &Path) -> J {
    serde_json::from_slice(&std::fs::read(export.join("json/graph.json")).unwrap()).unwrap()
}

/// Every format's records of `export`: each entity carries `tag` (or no tag), no relationship
/// does.
fn every_format_tags(export: &Path, tag: Option<&str>) {
    for format in Format::ALL {
        let records = format
            .read_records(export, &ReadOptions::default())
            .unwrap();
        assert!(records.iter().any(|r| r.is_entity()), "{format}");
        for r in &records {
            let found = r.properties.get(ACCOUNT_TAG);
            let want = tag
                .filter(|_| r.is_entity())
                .map(|t| Value::String(t.into()));
            assert_eq!(found, want.as_ref(), "{format} {}", r.key);
        }
    }
}

#[tokio::test]
async fn every_entity_carries_the_account_tag_and_only_the_tag_differs_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(common::small(73)).await;
    // Fetched under a name of its own, ending in a dot as names in the field do.
    let snapshot = dir.path().join("snapshot");
    let mut options = common::options(&server, &snapshot);
    options.account_name = Some("Field Office, EMEA.".into());
    common::fetch(options).await;

    let fetched = dir.path().join("fetched");
    let fetched_manifest = export(&snapshot, &fetched, AccountTag::Snapshot);
    every_format_tags(&fetched, Some("Field Office, EMEA."));

    let named = dir.path().join("named");
    let named_manifest = export(&snapshot, &named, AccountTag::Name("Prod.".into()));
    every_format_tags(&named, Some("Prod."));

    let untagged = dir.path().join("untagged");
    let untagged_manifest = export(&snapshot, &untagged, AccountTag::Off);
    every_format_tags(&untagged, None);

    // Without the tag, the same documents but for the tag, and a digest of their own.
    let (mut with, without) = (json(&named), json(&untagged));
    for e in with["entities"].as_array_mut().unwrap() {
        assert_eq!(
            e.as_object_mut().unwrap().remove(ACCOUNT_TAG),
            Some("Prod.".into())
        );
    }
    for part in ["entities", "relationships", "mappedRelationships"] {
        assert_eq!(with[part], without[part], "{part}");
    }
    let digests = [
        graph_sha(&fetched_manifest),
        graph_sha(&named_manifest),
        graph_sha(&untagged_manifest),
    ];
    assert!(digests[0] != digests[1] && digests[1] != digests[2] && digests[0] != digests[2]);
    let reports = pipeline::validate_export(&named).unwrap();
    for report in reports {
        assert!(report.violations.is_empty(), "{:?}", report.violations);
    }
}

/// A snapshot fetched without a name is tagged with the account's own.
#[tokio::test]
async fn by_default_the_tag_is_the_account_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(common::small(74)).await;
    let snapshot = dir.path().join("snapshot");
    common::fetch(common::options(&server, &snapshot)).await;
    let out = dir.path().join("export");
    export(&snapshot, &out, AccountTag::Snapshot);
    let doc = json(&out);
    let account = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["_type"] == "knowbe4_account")
        .unwrap();
    let name = account["name"].as_str().unwrap();
    assert!(!name.is_empty());
    for e in doc["entities"].as_array().unwrap() {
        assert_eq!(e[ACCOUNT_TAG], name, "{}", e["_key"]);
    }
}
