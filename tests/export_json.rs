//! The JSON export of a fetched account: byte-identical for the same snapshot, every record
//! accounted for (counted straight from the raw pages, without the model), parsed back equal
//! to the graph, and valid against the bundled schema.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use kb4graph::export::{ExportOptions, Format};
use kb4graph::mock::OrgSpec;
use kb4graph::model::normalize;
use kb4graph::pipeline;
use kb4graph::snapshot::Snapshot;
use serde_json::Value;

async fn snapshot_of(config: kb4graph::mock::MockConfig, dir: &Path) -> std::path::PathBuf {
    let server = common::start(config).await;
    let out = dir.join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    out
}

/// Exports `snapshot` as JSON into `out`.
fn export_json(
    snapshot: &Path,
    out: &Path,
) -> Result<pipeline::ExportSummary, pipeline::PipelineError> {
    pipeline::export_snapshot(snapshot, &[Format::Json], &ExportOptions::default(), out)
}

fn graph_json(export: &Path) -> Value {
    let text = std::fs::read_to_string(export.join("json/graph.json")).unwrap();
    serde_json::from_str(&text).expect("graph.json parses")
}

fn count_type(doc: &Value, section: &str, ty: &str) -> usize {
    doc[section]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["_type"] == ty)
        .count()
}

#[tokio::test]
async fn the_same_snapshot_exports_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_of(common::small(71), dir.path()).await;
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    export_json(&snapshot, &a).unwrap();
    export_json(&snapshot, &b).unwrap();
    assert_eq!(
        std::fs::read(a.join("json/graph.json")).unwrap(),
        std::fs::read(b.join("json/graph.json")).unwrap()
    );
    assert_eq!(
        std::fs::read(a.join("SHA256SUMS")).unwrap(),
        std::fs::read(b.join("SHA256SUMS")).unwrap()
    );
    let err = export_json(&snapshot, &a).unwrap_err();
    assert!(err.to_string().contains("never overwritten"), "{err}");
}

#[tokio::test]
async fn every_record_of_the_raw_pages_is_in_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_of(common::small(72), dir.path()).await;
    let export = dir.path().join("export");
    export_json(&snapshot, &export).unwrap();
    let doc = graph_json(&export);

    // Users: both listings, plus users known only from phishing results.
    let active = common::raw_records(&snapshot, "raw/users/active/", "");
    let archived = common::raw_records(&snapshot, "raw/users/archived/", "");
    let recipients = common::raw_records(&snapshot, "raw/phishing/security_tests/", "recipients");
    let enrollments = common::enrollment_records(&snapshot);
    let mut users: BTreeSet<u64> = active
        .iter()
        .chain(&archived)
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    users.extend(recipients.iter().filter_map(|r| r["user"]["id"].as_u64()));
    users.extend(enrollments.iter().filter_map(|e| e["user"]["id"].as_u64()));
    assert_eq!(count_type(&doc, "entities", "knowbe4_user"), users.len());

    // Groups: both listings plus "All Users".
    let groups = common::raw_records(&snapshot, "raw/groups/active/", "").len()
        + common::raw_records(&snapshot, "raw/groups/archived/", "").len();
    assert_eq!(
        count_type(&doc, "entities", "knowbe4_user_group"),
        groups + 1
    );

    // Memberships: every member listing, every console group in user.groups, and every active
    // user in "All Users".
    let mut memberships: BTreeSet<(u64, u64)> = BTreeSet::new();
    for (path, bytes) in common::raw_pages(&snapshot) {
        let p = path.to_string_lossy().into_owned();
        if let Some(rest) = p.strip_prefix("raw/groups/")
            && let Some((group, tail)) = rest.split_once('/')
            && tail.starts_with("members/")
        {
            let group: u64 = group.parse().unwrap();
            let page: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
            memberships.extend(page.iter().map(|u| (group, u["id"].as_u64().unwrap())));
        }
    }
    for u in active.iter().chain(&archived) {
        let id = u["id"].as_u64().unwrap();
        for g in u["groups"].as_array().into_iter().flatten() {
            memberships.insert((g.as_u64().unwrap(), id));
        }
    }
    memberships.extend(active.iter().map(|u| (0, u["id"].as_u64().unwrap())));
    assert_eq!(
        count_type(&doc, "relationships", "knowbe4_user_group_has_user"),
        memberships.len()
    );

    // Enrollments: one ASSIGNED per enrollment that names a user, one COMPLETED per passed one.
    let with_user: Vec<&Value> = enrollments
        .iter()
        .filter(|e| e["user"].is_object())
        .collect();
    assert_eq!(
        count_type(&doc, "relationships", "training_module_assigned_user"),
        with_user.len()
    );
    assert_eq!(
        count_type(&doc, "relationships", "user_completed_training_module"),
        with_user.iter().filter(|e| e["status"] == "Passed").count()
    );

    // Phishing results: one entity and two relationships per recipient row.
    assert_eq!(
        count_type(&doc, "entities", "knowbe4_phishing_security_test_result"),
        recipients.len()
    );
    assert_eq!(
        count_type(
            &doc,
            "relationships",
            "knowbe4_user_has_phishing_security_test_result"
        ),
        recipients.len()
    );
}

#[tokio::test]
async fn the_document_parses_back_to_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot_dir = snapshot_of(common::small(73), dir.path()).await;
    let export = dir.path().join("export");
    export_json(&snapshot_dir, &export).unwrap();
    let doc = graph_json(&export);
    let snapshot = Snapshot::open(&snapshot_dir).unwrap();
    let (graph, _) = normalize(&snapshot);

    let entities = doc["entities"].as_array().unwrap();
    assert_eq!(entities.len(), graph.entity_count());
    for (json, entity) in entities.iter().zip(graph.entities()) {
        assert_eq!(json["_key"], entity.key());
        assert_eq!(json["_type"], entity.def().name);
        assert_eq!(json["_class"], serde_json::json!(entity.classes()));
        let mut expected = 3;
        for p in entity.properties() {
            assert_eq!(
                json[p.name],
                p.value.to_json(),
                "{} {}",
                entity.key(),
                p.name
            );
            expected += 1;
        }
        assert_eq!(
            json.as_object().unwrap().len(),
            expected,
            "{}",
            entity.key()
        );
    }
    let rels = doc["relationships"].as_array().unwrap();
    assert_eq!(rels.len(), graph.relationship_count());
    for (json, rel) in rels.iter().zip(graph.relationships()) {
        assert_eq!(json["_key"], rel.key());
        assert_eq!(json["_fromEntityKey"], rel.from_key());
        assert_eq!(json["_toEntityKey"], rel.to_key());
        for p in rel.properties() {
            assert_eq!(json[p.name], p.value.to_json(), "{} {}", rel.key(), p.name);
        }
    }
    let keys: Vec<&str> = entities
        .iter()
        .map(|e| e["_key"].as_str().unwrap())
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "entities sorted by _key, unique"
    );
    let keys: Vec<&str> = rels.iter().map(|e| e["_key"].as_str().unwrap()).collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "relationships sorted by _key, unique"
    );
}

#[tokio::test]
async fn generated_accounts_of_every_shape_export_valid_documents() {
    // Sizes chosen to hit empty collections, single records and page boundaries.
    let shapes: [(u64, u64, u64, u64, u64); 5] = [
        (0, 0, 0, 0, 0),
        (1, 1, 1, 1, 1),
        (37, 3, 2, 3, 2),
        (501, 9, 4, 5, 6),
        (120, 0, 1, 2, 0),
    ];
    for (seed, (users, groups, campaigns, psts, trainings)) in shapes.into_iter().enumerate() {
        let mut org = OrgSpec::empty();
        org.active_users = users;
        org.archived_users = users / 10;
        org.deleted_users = users / 40;
        org.groups = groups;
        org.phishing_campaigns = campaigns;
        org.psts = psts;
        org.training_campaigns = trainings;
        org.store_purchases = trainings + 1;
        org.policies = trainings / 2;
        let mut config = common::small(100 + seed as u64);
        config.org = org;
        let dir = tempfile::tempdir().unwrap();
        let snapshot = snapshot_of(config, dir.path()).await;
        let export = dir.path().join("export");
        export_json(&snapshot, &export).unwrap();
        let reports = pipeline::validate_export(&export).unwrap();
        assert_eq!(reports.len(), 1);
        assert!(
            reports[0].violations.is_empty(),
            "shape {seed}: {:#?}",
            &reports[0].violations[..reports[0].violations.len().min(5)]
        );
    }
}

/// People over loopback HTTP: the simulator's former accounts (archived or deleted users
/// hired again under the same address, in another case) join their active user's person, every
/// user with an address is one person's, and JupiterOne's mapped form stands for each IS
/// relationship; a mapped relationship moved to another user or dropped is found by validate.
#[tokio::test]
async fn users_join_people_and_the_mapped_form_stands_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_of(common::small(72), dir.path()).await;
    let export = dir.path().join("export");
    export_json(&snapshot, &export).unwrap();
    let doc = graph_json(&export);

    let users_with_address = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["_type"] == "knowbe4_user")
        .filter(|e| e["email"].as_str().is_some_and(|a| !a.trim().is_empty()))
        .count();
    let is: Vec<(&str, &str)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["_type"] == "knowbe4_user_is_employee")
        .map(|r| {
            (
                r["_fromEntityKey"].as_str().unwrap(),
                r["_toEntityKey"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(is.len(), users_with_address);
    let mut users_per_person = std::collections::BTreeMap::new();
    for (_, person) in &is {
        *users_per_person.entry(*person).or_insert(0) += 1;
    }
    let shared = users_per_person.values().filter(|&&n| n > 1).count();
    assert!(shared > 0, "no person with more than one user");
    assert_eq!(
        users_per_person.len(),
        count_type(&doc, "entities", "employee")
    );
    assert!(count_type(&doc, "relationships", "employee_reports_to_employee") > 0);

    let mapped = doc["mappedRelationships"].as_array().unwrap();
    let ends: Vec<(&str, String)> = mapped
        .iter()
        .map(|m| {
            let mapping = &m["_mapping"];
            (
                mapping["sourceEntityKey"].as_str().unwrap(),
                format!(
                    "knowbe4:person:{}",
                    mapping["targetEntity"]["email"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let is_owned: Vec<(&str, String)> = is.iter().map(|(u, p)| (*u, (*p).to_owned())).collect();
    assert_eq!(ends, is_owned);
    let reports = pipeline::validate_export(&export).unwrap();
    assert!(
        reports[0].violations.is_empty(),
        "{:?}",
        reports[0].violations
    );

    // Rewritten as kb4graph would write it, but for another user: the pass sees the ends move.
    let path = export.join("json/graph.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let (first, second) = (is[0].0, is[1].0);
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{{\"_key\":\"{first}|is|FORWARD")))
        .unwrap();
    let moved = line
        .replace(&format!("{first}|"), &format!("{second}|"))
        .replace(
            &format!("\"sourceEntityKey\":\"{first}\""),
            &format!("\"sourceEntityKey\":\"{second}\""),
        );
    for (damaged, said) in [
        (
            text.replacen(line, &moved, 1),
            format!(
                "{n} mapped, {n} relationships, with other ends",
                n = is.len()
            ),
        ),
        (
            // Each line but the last ends with the comma before the next.
            text.replacen(&format!("{line}\n"), "", 1),
            format!("{} mapped, {} relationships", is.len() - 1, is.len()),
        ),
    ] {
        std::fs::write(&path, &damaged).unwrap();
        let reports = pipeline::validate_export(&export).unwrap();
        let messages: Vec<String> = reports[0]
            .violations
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("/mappedRelationships") && m.contains(&said)),
            "{said}: {messages:?}"
        );
    }
}
