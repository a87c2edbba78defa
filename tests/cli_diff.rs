//! `diff` through the binary on snapshots the simulated API served a day apart: the report
//! names exactly the changes the simulated account made (`kb4graph::mock::day_changes`).

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use kb4graph::mock::{DayChanges, MockConfig, OrgSpec, Profile, day_changes};
use serde_json::Value;

use crate::common::{kb4graph, output_text};

const SEED: u64 = 21;

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

async fn snapshot_at(day: u32, out: &Path) {
    let mut config = MockConfig::new(SEED, Profile::Small);
    config.day = day;
    let server = common::start(config).await;
    let report = common::fetch(common::options(&server, out)).await;
    assert!(report.complete);
    server.shutdown().await;
}

fn keys(v: &Value) -> BTreeSet<String> {
    v["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("no keys in {v}"))
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

fn users(ids: &[u64]) -> BTreeSet<String> {
    ids.iter().map(|id| format!("knowbe4:user:{id}")).collect()
}

/// The recipient ids of result keys `knowbe4:phishing:security_test:<pst>:recipient:<id>`.
fn recipients(keys: &BTreeSet<String>) -> Vec<u64> {
    let mut ids: Vec<u64> = keys
        .iter()
        .map(|k| k.rsplit(':').next().unwrap().parse().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// The enrollment ids ending per-enrollment relationship keys (`...|<id>`).
fn enrollments(keys: &BTreeSet<String>) -> Vec<u64> {
    let mut ids: Vec<u64> = keys
        .iter()
        .map(|k| k.rsplit('|').next().unwrap().parse().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

fn memberships(doc: &Value, side: &str) -> Vec<(u64, u64)> {
    let mut pairs = Vec::new();
    for (group, change) in doc["highlights"]["groupMembership"]["groups"]
        .as_object()
        .unwrap()
    {
        let g: u64 = group.rsplit(':').next().unwrap().parse().unwrap();
        if g == 0 {
            // "All Users" follows the active users; day_changes leaves it out.
            continue;
        }
        for user in change[side].as_array().unwrap() {
            pairs.push((
                g,
                user.as_str()
                    .unwrap()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap(),
            ));
        }
    }
    pairs.sort_unstable();
    pairs
}

fn check_against(doc: &Value, changes: &DayChanges) {
    let h = &doc["highlights"];
    assert_eq!(keys(&h["usersAdded"]), users(&changes.hired_users));
    assert_eq!(keys(&h["usersArchived"]), users(&changes.archived_users));
    assert!(keys(&h["usersRemoved"]).is_empty());
    assert_eq!(memberships(doc, "added"), changes.memberships_added);
    assert_eq!(memberships(doc, "removed"), changes.memberships_removed);
    assert_eq!(
        recipients(&keys(&h["phishingResultsAdded"])),
        changes.new_recipients
    );
    assert_eq!(
        recipients(&keys(&h["phishingResultsAddedClicked"])),
        changes.new_clicked_recipients
    );
    assert_eq!(
        enrollments(&keys(&h["enrollmentsCompleted"])),
        changes.enrollments_passed
    );
    assert_eq!(
        enrollments(&keys(&h["enrollmentsPastDue"])),
        changes.enrollments_past_due
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_a_few_days_apart_differ_exactly_by_the_changes_made() {
    let dir = tempfile::tempdir().unwrap();
    let day0 = dir.path().join("day0");
    let day3 = dir.path().join("day3");
    snapshot_at(0, &day0).await;
    snapshot_at(3, &day3).await;
    let changes = day_changes(SEED, &OrgSpec::profile(Profile::Small), 3);
    assert_eq!(changes.new_psts.len(), 3);
    assert!(!changes.enrollments_passed.is_empty() && !changes.new_clicked_recipients.is_empty());

    let output = kb4graph(&["diff", s(&day0), s(&day3), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("diff --format json is JSON");
    assert_eq!(doc["format"], "kb4graph-diff");
    assert_eq!(doc["equal"], false);
    check_against(&doc, &changes);
    // The new tests themselves are listed as added entities.
    let added_tests: BTreeSet<String> = doc["types"]["knowbe4_phishing_security_test"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["_key"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = changes
        .new_psts
        .iter()
        .map(|id| format!("knowbe4:phishing:security_test:{id}"))
        .collect();
    assert_eq!(added_tests, expected);

    // The table says the same for people.
    let output = kb4graph(&["diff", s(&day0), s(&day3)]);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    for id in &changes.hired_users {
        assert!(table.contains(&format!("knowbe4:user:{id}")), "{table}");
    }

    // Only users when asked.
    let output = kb4graph(&[
        "diff",
        s(&day0),
        s(&day3),
        "--format",
        "json",
        "--type",
        "knowbe4_user",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    let types: Vec<&String> = doc["types"].as_object().unwrap().keys().collect();
    assert_eq!(types, ["knowbe4_user"]);

    // The same state twice is no difference, snapshot or export, directory or archive.
    let output = kb4graph(&["diff", s(&day3), s(&day3)]);
    assert_eq!(output.status.code(), Some(0), "{}", output_text(&output));
    for format in ["json", "neo4j"] {
        let export = dir.path().join(format!("export-{format}"));
        let output = kb4graph(&[
            "export",
            "-q",
            "--from",
            s(&day3),
            "--format",
            format,
            "--out",
            s(&export),
        ]);
        assert!(output.status.success(), "{}", output_text(&output));
        let output = kb4graph(&["diff", s(&day3), s(&export)]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            output_text(&output)
        );
    }
    let archive = dir.path().join("day0.tar.gz");
    let output = kb4graph(&["archive", s(&day0), "--out", s(&archive)]);
    assert!(output.status.success(), "{}", output_text(&output));
    let output = kb4graph(&[
        "diff",
        s(&archive),
        s(&dir.path().join("export-json")),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    check_against(&serde_json::from_slice(&output.stdout).unwrap(), &changes);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let output = kb4graph(&["diff", s(dir.path()), s(dir.path())]);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    let output = kb4graph(&["diff", s(dir.path()), s(dir.path()), "--type", "nope"]);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    assert!(
        output_text(&output).contains("knowbe4_user"),
        "{}",
        output_text(&output)
    );
}
