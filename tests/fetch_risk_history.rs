//! `fetch --risk-history users,groups` over loopback HTTP: the histories come after everything
//! else, their cost announced first; a quota spent among them leaves the rest of the snapshot
//! whole, and a resume on a later day keeps every history already fetched and asks only for the
//! others. In the graph each point is a `knowbe4_risk_score` of its user or group, counted
//! against the raw pages read with plain serde_json, and diff compares them.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kb4graph::diff::{TypeFilter, diff_graphs};
use kb4graph::fetch::{ResumeOverrides, RiskHistory};
use kb4graph::mock::MockServer;
use kb4graph::model::{EntityType, Graph, RelationshipType, normalize};
use kb4graph::snapshot::Snapshot;

const SEED: u64 = 83;

fn both() -> RiskHistory {
    "users,groups".parse().unwrap()
}

/// Requests sent to `/v1/<what>/<id>/risk_score_history`, by id.
fn history_requests(server: &MockServer, what: &str) -> BTreeMap<u64, u64> {
    let mut out = BTreeMap::new();
    for (target, n) in server.stats().per_request {
        let path = target.split_once('?').map_or(target.as_str(), |(p, _)| p);
        let Some(rest) = path.strip_prefix(&format!("/v1/{what}/")) else {
            continue;
        };
        if let Some(id) = rest.strip_suffix("/risk_score_history") {
            *out.entry(id.parse::<u64>().unwrap()).or_default() += n;
        }
    }
    out
}

/// Ids of the active users or groups, from the raw listing pages.
fn active_ids(snapshot: &Path, what: &str) -> BTreeSet<u64> {
    common::raw_records(snapshot, &format!("raw/{what}/"), "active")
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect()
}

fn collections(snapshot: &Path) -> BTreeMap<String, serde_json::Value> {
    let manifest = common::manifest(snapshot);
    manifest["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c.clone()))
        .collect()
}

fn is_history(id: &str) -> bool {
    id.ends_with("/risk_score_history") && id != "account/risk_score_history"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn histories_come_last_and_a_spent_quota_resumes_the_next_day_keeping_them() {
    let tmp = tempfile::tempdir().unwrap();

    // What the account costs without histories, to give the quota room for about half of them.
    let free = common::start(common::small(SEED)).await;
    let plain = tmp.path().join("plain");
    let report = common::fetch(common::options(&free, &plain)).await;
    assert!(report.complete);
    let core_requests = free.stats().requests;
    assert!(history_requests(&free, "users").is_empty());
    assert!(!collections(&plain).keys().any(|id| is_history(id)));
    assert!(
        common::manifest(&plain).get("risk_history").is_none(),
        "off by default, and absent from the manifest"
    );
    free.shutdown().await;

    let users = active_ids(&plain, "users");
    let groups = active_ids(&plain, "groups");
    let histories = (users.len() + groups.len()) as u64;
    let mut limited = common::small(SEED);
    limited.daily_quota = Some(core_requests + histories / 2);
    let server = common::start(limited.clone()).await;
    let addr = server.addr();
    let snapshot = tmp.path().join("snapshot");
    let mut options = common::options(&server, &snapshot);
    options.risk_history = both();
    let err = kb4graph::fetch::fetch(options)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("quota") && err.contains("--resume"),
        "the quota runs out among the histories: {err}"
    );

    // Everything but histories is whole: they were left for last.
    let first = collections(&snapshot);
    assert_eq!(common::manifest(&snapshot)["complete"], false);
    assert_eq!(
        common::manifest(&snapshot)["risk_history"],
        serde_json::json!(["users", "groups"])
    );
    for (id, c) in &first {
        if !is_history(id) {
            assert_eq!(c["complete"], true, "{id} is fetched before any history");
        }
    }
    let done_first: BTreeSet<String> = first
        .iter()
        .filter(|(id, c)| is_history(id) && c["complete"] == true)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        done_first.len() as u64 >= histories / 4 && (done_first.len() as u64) < histories,
        "{} of {histories} histories fetched before the quota ran out",
        done_first.len()
    );
    // Archived users and groups are no longer scored: none of theirs is asked for.
    let archived: BTreeSet<u64> = common::raw_records(&plain, "raw/users/", "archived")
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert!(!archived.is_empty());
    let asked: BTreeSet<u64> = history_requests(&server, "users").into_keys().collect();
    assert!(asked.is_subset(&users) && asked.is_disjoint(&archived));
    server.shutdown().await;

    // The next day the quota is whole again: the resume keeps every history of the first run
    // and asks only for the others, each once.
    let mut next_day = limited;
    next_day.day = 1;
    next_day.daily_quota = Some(core_requests + histories);
    let server = common::restart_at(addr, next_day).await;
    let report = kb4graph::fetch::resume(
        &snapshot,
        kb4graph::api::Token::new(common::TOKEN).unwrap(),
        ResumeOverrides {
            pace: Some(kb4graph::rate::RateSpec::off()),
            ..ResumeOverrides::default()
        },
    )
    .await
    .expect("the resume completes the snapshot");
    assert!(report.complete, "{report}");
    let second = collections(&snapshot);
    // A day later one user was archived and another hired: the archived one's history is
    // dropped with it, the new one's fetched.
    let (users, groups) = (
        active_ids(&snapshot, "users"),
        active_ids(&snapshot, "groups"),
    );
    let done_first: BTreeSet<String> = done_first
        .into_iter()
        .filter(|id| second.contains_key(id))
        .collect();
    assert!(done_first.len() as u64 >= histories / 4 - 1);
    for id in &done_first {
        assert_eq!(
            second[id]["pages"], first[id]["pages"],
            "{id}: the first run's pages are kept"
        );
    }
    let asked_again: BTreeSet<String> = history_requests(&server, "users")
        .into_iter()
        .map(|(u, n)| {
            assert_eq!(n, 1, "user {u} is asked once");
            format!("users/{u}/risk_score_history")
        })
        .chain(
            history_requests(&server, "groups")
                .into_keys()
                .map(|g| format!("groups/{g}/risk_score_history")),
        )
        .collect();
    assert!(asked_again.is_disjoint(&done_first));
    let all: BTreeSet<String> = users
        .iter()
        .map(|u| format!("users/{u}/risk_score_history"))
        .chain(
            groups
                .iter()
                .map(|g| format!("groups/{g}/risk_score_history")),
        )
        .collect();
    let held: BTreeSet<String> = second.keys().filter(|id| is_history(id)).cloned().collect();
    assert_eq!(held, all, "one history per active user and group");
    server.shutdown().await;

    // In the graph: one point per record of those pages, each of its own user or group.
    let (graph, _) = normalize(&Snapshot::open(&snapshot).unwrap());
    let user_points = common::raw_records(&snapshot, "raw/users/", "/risk_score_history");
    let group_points = common::raw_records(&snapshot, "raw/groups/", "/risk_score_history");
    assert!(
        user_points.len() > users.len(),
        "histories of several points"
    );
    let count = |prefix: &str| {
        graph
            .entities()
            .filter(|e| e.entity_type() == EntityType::RiskScore && e.key().starts_with(prefix))
            .count()
    };
    assert_eq!(count("knowbe4:risk_score:user:"), user_points.len());
    assert_eq!(count("knowbe4:risk_score:group:"), group_points.len());
    let rels = |ty: RelationshipType| {
        graph
            .relationships()
            .filter(|r| r.relationship_type() == ty)
            .map(|r| (r.from_key().to_owned(), r.to_key().to_owned()))
            .collect::<Vec<_>>()
    };
    let user_rels = rels(RelationshipType::UserHasRiskScore);
    assert_eq!(user_rels.len(), user_points.len());
    for (from, to) in &user_rels {
        let id = from.strip_prefix("knowbe4:user:").unwrap();
        assert!(
            to.starts_with(&format!("knowbe4:risk_score:user:{id}:")),
            "{from} -> {to}"
        );
    }
    assert_eq!(
        rels(RelationshipType::UserGroupHasRiskScore).len(),
        group_points.len()
    );
    check_one_point(&graph, &snapshot, &users);

    // Every format carries them and checks against its bundled schema.
    let export = tmp.path().join("export");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args(["-q", "export", "--from"])
        .arg(&snapshot)
        .arg("--out")
        .arg(&export)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", common::output_text(&output));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args(["-q", "validate"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", common::output_text(&output));
    let csv =
        std::fs::read_to_string(export.join("neo4j/relationships/knowbe4_user_has_risk_score.csv"))
            .unwrap();
    assert_eq!(csv.lines().count(), user_points.len() + 1);
}

/// A point of the first active user's history, as the raw page gives it.
fn check_one_point(graph: &Graph, snapshot: &Path, users: &BTreeSet<u64>) {
    let user = users.first().unwrap();
    let page = snapshot.join(format!(
        "raw/users/{user}/risk_score_history/page-0001.json"
    ));
    let records: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(page).unwrap()).unwrap();
    let record = &records[0];
    let date = record["date"].as_str().unwrap();
    let key = format!("knowbe4:risk_score:user:{user}:{date}");
    let entity = graph.entity(&key).unwrap_or_else(|| panic!("{key}"));
    assert_eq!(
        entity.get("riskScore").map(|v| v.to_string()),
        Some(record["risk_score"].to_string())
    );
    assert_eq!(
        entity.get("date").map(|v| v.to_string()),
        Some(date.to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn histories_are_fetched_anew_by_an_incremental_fetch_and_diff_compares_them() {
    let tmp = tempfile::tempdir().unwrap();
    let day0 = common::start(common::small(SEED)).await;
    let before = tmp.path().join("before");
    let mut options = common::options(&day0, &before);
    options.risk_history = "users".parse().unwrap();
    assert!(common::fetch(options).await.complete);
    day0.shutdown().await;

    // A week later each history has one more point; the fetch reuses closed tests' results
    // and finished campaigns' enrollments, never a history.
    let mut config = common::small(SEED);
    config.day = 7;
    let week = common::start(config).await;
    let after = tmp.path().join("after");
    let mut options = common::options(&week, &after);
    options.risk_history = "users".parse().unwrap();
    options.since = Some(before.clone());
    let report = common::fetch(options).await;
    assert!(report.complete && report.reused_pages > 0, "{report}");
    let users = active_ids(&after, "users");
    assert_eq!(
        history_requests(&week, "users").len(),
        users.len(),
        "every history is asked for again"
    );
    for (id, c) in collections(&after) {
        if is_history(&id) {
            assert!(
                c["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| p.get("reused_from").is_none()),
                "{id} is never copied"
            );
        }
    }
    week.shutdown().await;

    let (old, _) = normalize(&Snapshot::open(&before).unwrap());
    let (new, _) = normalize(&Snapshot::open(&after).unwrap());
    let diff = diff_graphs(
        &old,
        &new,
        &TypeFilter::new(["knowbe4_risk_score"]).unwrap(),
    )
    .unwrap();
    let points = &diff.types["knowbe4_risk_score"];
    let still_active = active_ids(&before, "users").intersection(&users).count();
    assert!(
        points.added.len() >= still_active,
        "a new weekly point for every user still active: {} added",
        points.added.len()
    );
    assert!(
        points.changed.is_empty(),
        "earlier points keep their scores"
    );
    assert!(
        points
            .added
            .iter()
            .all(|r| r.key.starts_with("knowbe4:risk_score:")),
        "{:?}",
        points.added.first()
    );
}

#[test]
fn the_command_announces_the_cost_before_the_first_history() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(common::start(common::small(SEED)));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("snapshot");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args([
            "fetch",
            "--base-url",
            &server.base_url(),
            "--pace",
            "off",
            "--risk-history",
            "groups",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("KNOWBE4_API_TOKEN", common::TOKEN)
        .output()
        .unwrap();
    let text = common::output_text(&output);
    assert!(output.status.success(), "{text}");
    let groups = active_ids(&out, "groups").len();
    let seats = common::manifest(&out);
    assert!(seats["complete"].as_bool().unwrap());
    let line = text
        .lines()
        .find(|l| l.contains("risk score history of"))
        .unwrap_or_else(|| panic!("announced: {text}"));
    assert!(
        line.contains(&format!("{groups} groups: about {groups} requests")),
        "{line}"
    );
    assert!(
        line.contains("% of the daily quota of") && line.contains("licensed users"),
        "{line}"
    );
    assert!(!text.contains(common::TOKEN));

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args([
            "fetch",
            "--base-url",
            &server.base_url(),
            "--risk-history",
            "people",
            "--out",
            tmp.path().join("x").to_str().unwrap(),
        ])
        .env("KNOWBE4_API_TOKEN", common::TOKEN)
        .output()
        .unwrap();
    let text = common::output_text(&bad);
    assert!(!bad.status.success());
    assert!(
        text.contains("\"people\"") && text.contains("users, groups"),
        "{text}"
    );
    assert!(!tmp.path().join("x").exists());
}

/// Histories read from pages as the API might send them: a point twice, a point without a
/// date, a history of a user in no listing, a damaged page. Each is a warning that names it;
/// nothing is silently dropped.
#[test]
fn odd_history_pages_are_warnings_that_name_them() {
    use kb4graph::model::MemorySource;
    use serde_json::json;
    let mut source = MemorySource::new();
    source.add_page("account", &json!({"name": "Acme", "type": "paid"}));
    source.add_page(
        "users/active",
        &json!([{"id": 1, "email": "ann@example.com"}, {"id": 2, "email": "bob@example.com"}]),
    );
    source.add_page("groups/active", &json!([{"id": 7, "name": "Sales"}]));
    source.add_page(
        "users/1/risk_score_history",
        &json!([
            {"risk_score": 41.5, "date": "2025-09-29"},
            {"risk_score": 40.0, "date": "2025-09-22"},
            {"risk_score": 39.0, "date": "2025-09-22"},
            {"risk_score": 38.0},
            "not an object",
        ]),
    );
    source.add_page(
        "users/99/risk_score_history",
        &json!([{"risk_score": 12.0, "date": "2025-09-29"}, {"risk_score": 11.0, "date": "2025-09-22"}]),
    );
    source.add_page(
        "groups/7/risk_score_history",
        &json!([{"risk_score": "17.25", "date": "2025-09-29"}]),
    );
    source.add_raw_page(
        "users/2/risk_score_history",
        b"[{\"risk_score\": 3".to_vec(),
    );
    let (graph, warnings) = normalize(&source);
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    let find = |needle: &str| {
        text.iter()
            .find(|w| w.contains(needle))
            .unwrap_or_else(|| panic!("a warning with {needle:?} in {text:#?}"))
    };

    let points: Vec<&str> = graph
        .entities()
        .filter(|e| e.entity_type() == EntityType::RiskScore)
        .map(|e| e.key())
        .collect();
    assert_eq!(
        points,
        [
            "knowbe4:risk_score:group:7:2025-09-29",
            "knowbe4:risk_score:user:1:2025-09-22",
            "knowbe4:risk_score:user:1:2025-09-29",
        ]
    );
    let kept = graph
        .entity("knowbe4:risk_score:user:1:2025-09-22")
        .unwrap();
    assert_eq!(kept.get("riskScore").unwrap().to_string(), "40");
    assert!(find("listed more than once").contains("users/1/risk_score_history"));
    assert!(find("needs a date and a risk_score").contains("users/1/risk_score_history"));
    assert!(find("not a JSON object").contains("users/1/risk_score_history"));
    let orphan = find("in no listing");
    assert!(
        orphan.contains("users/99/risk_score_history") && orphan.contains("(2 points)"),
        "{orphan}"
    );
    assert!(find("users/2/risk_score_history/").contains("left out"));
    let group = graph
        .entity("knowbe4:risk_score:group:7:2025-09-29")
        .unwrap();
    assert_eq!(
        group.get("name").unwrap().to_string(),
        "Risk score of group 7 2025-09-29"
    );
    assert_eq!(
        graph
            .relationships()
            .filter(|r| r.relationship_type() == RelationshipType::UserGroupHasRiskScore)
            .map(|r| r.key())
            .collect::<Vec<_>>(),
        ["knowbe4:group:7|has|knowbe4:risk_score:group:7:2025-09-29"]
    );
}
