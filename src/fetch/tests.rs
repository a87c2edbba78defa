//! Whole fetches against a small scripted account on a loopback HTTP server.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::*;
use crate::api::test_server::{Reply, TestServer};
use crate::api::{ApiErrorKind, Pagination, Token};
use crate::rate::RateSpec;
use crate::snapshot::Snapshot;

/// The scripted account: listing (path + filter) -> records.
fn dataset() -> BTreeMap<String, Vec<String>> {
    let records = |n: u64, key: &str| -> Vec<String> {
        (1..=n)
            .map(|i| format!("{{\"{key}\":{i},\"name\":\"r{i}\"}}"))
            .collect()
    };
    let mut data = BTreeMap::new();
    data.insert("/v1/users?status=active".into(), records(5, "id"));
    data.insert("/v1/users?status=archived".into(), records(0, "id"));
    data.insert(
        "/v1/groups?status=active".into(),
        vec![
            "{\"id\":1,\"member_count\":2}".into(),
            "{\"id\":2,\"member_count\":1}".into(),
        ],
    );
    data.insert(
        "/v1/groups?status=archived".into(),
        vec!["{\"id\":3}".into()],
    );
    data.insert("/v1/groups/1/members".into(), records(2, "id"));
    data.insert("/v1/groups/3/members".into(), records(1, "id"));
    data.insert(
        "/v1/phishing/security_tests".into(),
        vec!["{\"pst_id\":9,\"scheduled_count\":3}".into()],
    );
    data.insert(
        "/v1/phishing/security_tests/9/recipients".into(),
        records(3, "recipient_id"),
    );
    data.insert("/v1/phishing/campaigns".into(), records(1, "campaign_id"));
    data.insert(
        "/v1/phishing/campaigns?campaign_type=callback".into(),
        records(0, "campaign_id"),
    );
    data.insert(
        "/v1/training/campaigns?exclude_percentages=true".into(),
        records(3, "campaign_id"),
    );
    // Campaign 2 has no enrollments yet; campaign 3's fill a page exactly.
    let enrollments = |campaign: u64, ids: &[u64]| {
        (
            format!(
                "/v1/training/enrollments?campaign_id={campaign}&include_campaign_id=true&include_store_purchase_id=true&include_employee_number=true"
            ),
            ids.iter()
                .map(|i| format!("{{\"enrollment_id\":{i},\"campaign_id\":{campaign}}}"))
                .collect::<Vec<_>>(),
        )
    };
    data.extend([
        enrollments(1, &[1]),
        enrollments(2, &[]),
        enrollments(3, &[2, 3]),
    ]);
    data.insert(
        "/v1/training/store_purchases".into(),
        records(2, "store_purchase_id"),
    );
    data.insert("/v1/training/policies".into(), records(0, "policy_id"));
    data.insert(
        "/v1/account/risk_score_history?full=true".into(),
        records(1, "risk_score"),
    );
    data
}

/// Serves the dataset with page/per_page, and cursors when `cursors` is on.
fn serve(target: &str, cursors: bool, data: &BTreeMap<String, Vec<String>>) -> Reply {
    if target == "/v1/account" {
        return Reply::ok("{\"name\":\"Acme\",\"number_of_seats\":5}");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut filters = Vec::new();
    let (mut page, mut per_page, mut cursor) = (1usize, 100usize, None::<String>);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "page" => page = v.parse().unwrap(),
            "per_page" => per_page = v.parse().unwrap(),
            "cursor" => cursor = Some(v.to_owned()),
            _ => filters.push(pair),
        }
    }
    let key = if filters.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", filters.join("&"))
    };
    let Some(records) = data.get(&key) else {
        return Reply::status(404, "{\"message\":\"Not Found\"}");
    };
    let offset = match (&cursor, cursors) {
        (Some(c), true) if c != "true" => c.strip_prefix("at-").unwrap().parse().unwrap(),
        _ => (page - 1) * per_page,
    };
    let end = (offset + per_page).min(records.len());
    let slice = records.get(offset.min(records.len())..end).unwrap_or(&[]);
    let reply = Reply::ok(format!("[{}]", slice.join(",")));
    if cursors && cursor.is_some() && end < records.len() {
        reply.header("X-Next-Cursor", &format!("at-{end}"))
    } else {
        reply
    }
}

async fn server(cursors: bool) -> TestServer {
    let data = dataset();
    TestServer::start(move |target, _| serve(target, cursors, &data)).await
}

fn options(server: &TestServer, out: &Path) -> FetchOptions {
    let mut opts = FetchOptions::new(
        Source::BaseUrl(server.base_url.clone()),
        Token::new("tok-s3cr3t").unwrap(),
        out,
    );
    opts.pace = RateSpec::off();
    opts.per_page = 2;
    opts.retry_base_delay = Duration::from_millis(1);
    opts.retry_max_delay = Duration::from_millis(2);
    opts
}

/// Every page file of a snapshot: relative path -> bytes.
fn pages_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let snapshot = Snapshot::open(dir).unwrap();
    let mut pages = BTreeMap::new();
    for c in snapshot.collections() {
        for page in snapshot.pages(&c.id).unwrap() {
            let (at, bytes) = page.unwrap();
            pages.insert(at.file.to_owned(), bytes);
        }
    }
    pages
}

#[tokio::test]
async fn a_full_fetch_saves_every_collection_without_wasted_requests() {
    let server = server(false).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let report = fetch(options(&server, &out)).await.unwrap();
    assert!(report.complete, "{report}");
    assert_eq!(report.stopped, None);
    let requests = server.requests();
    assert_eq!(report.requests, requests.len() as u64);

    // A short page ends a listing; an empty page is asked for only after a full one.
    let users: Vec<_> = requests
        .iter()
        .filter(|r| r.starts_with("/v1/users?status=active"))
        .collect();
    assert_eq!(users.len(), 3, "{users:?}");
    assert!(
        users[0].ends_with("page=1&per_page=2&cursor=true"),
        "{users:?}"
    );
    let members: Vec<_> = requests
        .iter()
        .filter(|r| r.starts_with("/v1/groups/1/members"))
        .collect();
    assert_eq!(members.len(), 2, "{members:?}");
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/v1/training/campaigns?exclude_percentages=true&page=1"))
    );

    let snapshot = Snapshot::open(&out).unwrap();
    assert!(snapshot.is_complete());
    assert!(snapshot.verify().is_empty());
    let ids: Vec<&str> = snapshot
        .collections()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "account",
            "account/risk_score_history",
            "users/active",
            "users/archived",
            "groups/active",
            "groups/archived",
            "groups/1/members",
            "groups/2/members",
            "groups/3/members",
            "phishing/campaigns",
            "phishing/campaigns/callback",
            "phishing/security_tests",
            "phishing/security_tests/9/recipients",
            "training/store_purchases",
            "training/policies",
            "training/campaigns",
            "training/campaigns/1/enrollments",
            "training/campaigns/2/enrollments",
            "training/campaigns/3/enrollments",
        ]
    );
    assert!(snapshot.collection("groups/2/members").unwrap().not_found);
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(snapshot.records("users/active").unwrap().count(), 5);
    assert_eq!(snapshot.collection("users/active").unwrap().pages.len(), 3);
    let enrollments: Vec<u64> = (1..=3)
        .map(|c| {
            let id = format!("training/campaigns/{c}/enrollments");
            snapshot.collection(&id).unwrap().items
        })
        .collect();
    assert_eq!(enrollments, [1, 0, 2]);
    assert!(requests.iter().any(|r| {
        r.starts_with("/v1/training/enrollments?campaign_id=3&include_campaign_id=true&")
    }));
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("/v1/training/enrollments?include")),
        "no listing of every enrollment"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains("s3cr3t"));
    assert!(manifest.contains("\"pagination\": \"page\""));
    // The page files, and nothing else, are under raw/.
    assert_eq!(pages_of(&out).len(), snapshot.manifest().files.len());
}

#[tokio::test]
async fn budget_stops_and_resume_matches_an_uninterrupted_fetch_page_for_page() {
    for cursors in [false, true] {
        let server = server(cursors).await;
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole");
        fetch(options(&server, &whole)).await.unwrap();
        let uninterrupted = server.requests().len() as u64;

        let server = self::server(cursors).await;
        let parts = dir.path().join("parts");
        let mut opts = options(&server, &parts);
        opts.max_requests = Some(4);
        opts.concurrency = 3;
        let report = fetch(opts).await.unwrap();
        assert!(!report.complete);
        assert_eq!(report.stopped, Some(StopReason::BudgetSpent));
        assert_eq!(report.requests, 4);
        assert!(report.to_string().contains("--resume"), "{report}");
        // Every resume fetches the top-level collections again, then whatever an earlier run
        // fetched that cannot be shown unchanged (nothing here is closed or final).
        let top_level: u64 = Snapshot::open(&whole)
            .unwrap()
            .collections()
            .iter()
            .filter(|c| plan::spec_for_id(&c.id).is_some_and(|s| s.child_of().is_none()))
            .map(|c| c.pages.len().max(1) as u64)
            .sum();
        let mut runs = 1;
        for budget in [Some(top_level + 3), None] {
            let overrides = ResumeOverrides {
                pace: Some(RateSpec::off()),
                max_requests: budget,
                ..ResumeOverrides::default()
            };
            let report = resume(&parts, Token::new("t").unwrap(), overrides)
                .await
                .unwrap();
            runs += 1;
            assert_eq!(report.complete, budget.is_none(), "{report}");
        }
        assert_eq!(pages_of(&parts), pages_of(&whole), "cursors: {cursors}");
        // Every request of every run is counted, and each run is recorded.
        let sent = server.requests().len() as u64;
        assert!(sent > uninterrupted, "cursors: {cursors}");
        let manifest = Snapshot::open(&parts).unwrap().manifest().clone();
        assert_eq!(manifest.totals.requests, sent);
        assert_eq!(manifest.runs.len(), runs);
        assert_eq!(manifest.runs.iter().map(|r| r.requests).sum::<u64>(), sent);
        assert!(manifest.is_consistent(), "{:?}", manifest.consistency);
        assert!(Snapshot::open(&parts).unwrap().verify().is_empty());
        if cursors {
            assert!(
                manifest
                    .collections
                    .iter()
                    .any(|c| c.pagination == Some(crate::api::ResolvedMode::Cursor))
            );
        }

        let again = resume(&parts, Token::new("t").unwrap(), ResumeOverrides::default())
            .await
            .unwrap();
        assert!(again.already_complete && again.requests == 0, "{again}");
        assert_eq!(server.requests().len() as u64, sent);
    }
}

#[tokio::test]
async fn a_refused_token_fails_fast_and_leaves_a_resumable_snapshot() {
    let refuse = Arc::new(AtomicBool::new(true));
    let data = dataset();
    let flag = Arc::clone(&refuse);
    let server = TestServer::start(move |target, _| {
        if flag.load(Ordering::SeqCst) && target.starts_with("/v1/users") {
            Reply::ok("{\"message\":\"Invalid Token\"}")
        } else {
            serve(target, false, &data)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = options(&server, &out);
    opts.concurrency = 1;
    let err = fetch(opts).await.unwrap_err();
    assert_eq!(
        err.api_error().map(|e| e.kind),
        Some(ApiErrorKind::Unauthorized)
    );
    let text = err.to_string();
    assert!(
        text.contains("--resume") && text.contains("Reporting API token"),
        "{text}"
    );
    assert!(!text.contains("s3cr3t"));
    let saved = Snapshot::open(&out).unwrap();
    assert!(!saved.is_complete());
    assert!(saved.collection("account").unwrap().complete);

    refuse.store(false, Ordering::SeqCst);
    let before = server.requests().len();
    let report = resume(
        &out,
        Token::new("t").unwrap(),
        ResumeOverrides {
            pace: Some(RateSpec::off()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(report.complete);
    // The account may have changed in between: it is fetched again.
    assert!(
        server.requests()[before..]
            .iter()
            .any(|r| r == "/v1/account")
    );
}

#[tokio::test]
async fn faults_are_retried_transparently() {
    let data = dataset();
    let server = TestServer::start(move |target, n| match n % 4 {
        0 => Reply::status(503, ""),
        1 => Reply::Truncated {
            announced: 50,
            body: b"[{\"id\"".to_vec(),
        },
        _ => serve(target, false, &data),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = options(&server, &out);
    opts.retries = 20;
    let report = fetch(opts).await.unwrap();
    assert!(report.complete);
    assert!(report.retries > 0);

    let clean = self::server(false).await;
    let whole = dir.path().join("whole");
    fetch(options(&clean, &whole)).await.unwrap();
    assert_eq!(pages_of(&out), pages_of(&whole));
}

#[tokio::test]
async fn an_existing_snapshot_is_not_overwritten() {
    let server = server(false).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
    let err = fetch(options(&server, dir.path())).await.unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn explicit_modes_are_obeyed() {
    let server = server(true).await;
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(&server, &dir.path().join("page"));
    opts.pagination = Pagination::Page;
    fetch(opts).await.unwrap();
    assert!(server.requests().iter().all(|r| !r.contains("cursor")));

    let server = self::server(true).await;
    let mut opts = options(&server, &dir.path().join("cursor"));
    opts.pagination = Pagination::Cursor;
    let report = fetch(opts).await.unwrap();
    assert!(report.complete);
    let users: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("/v1/users?status=active"))
        .collect();
    assert_eq!(
        users,
        [
            "/v1/users?status=active&per_page=2&cursor=true",
            "/v1/users?status=active&per_page=2&cursor=at-2",
            "/v1/users?status=active&per_page=2&cursor=at-4",
        ]
    );
    // Page mode asks for the empty page after a full one, cursor mode does not: the records
    // are the same.
    let records = |name: &str| -> Vec<(String, serde_json::Value)> {
        let snapshot = Snapshot::open(dir.path().join(name)).unwrap();
        snapshot
            .collections()
            .iter()
            .flat_map(|c| {
                snapshot
                    .records(&c.id)
                    .unwrap()
                    .map(|r| (c.id.clone(), r.unwrap().1))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(records("page"), records("cursor"));
}

#[tokio::test]
async fn a_snapshot_started_with_one_enrollment_listing_is_finished_that_way() {
    let mut data = dataset();
    data.insert(
        "/v1/training/enrollments?include_campaign_id=true&include_store_purchase_id=true&include_employee_number=true".into(),
        (1..=3).map(|i| format!("{{\"enrollment_id\":{i}}}")).collect(),
    );
    let server = TestServer::start(move |target, _| serve(target, false, &data)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    fetch(options(&server, &out)).await.unwrap();

    // Made over as an earlier version left it: neither the training campaigns nor the single
    // enrollment listing fetched yet, and no enrollments per campaign.
    let mut manifest = Snapshot::open(&out).unwrap().manifest().clone();
    let campaign_dir = crate::snapshot::CollectionId::TrainingCampaigns.dir();
    std::fs::remove_dir_all(out.join(campaign_dir)).unwrap();
    manifest
        .collections
        .retain(|c| !c.id.ends_with("/enrollments"));
    let campaigns = manifest
        .collections
        .iter_mut()
        .find(|c| c.id == "training/campaigns")
        .unwrap();
    campaigns.pages.clear();
    campaigns.items = 0;
    campaigns.complete = false;
    campaigns.pagination = None;
    campaigns.resume = Some(crate::snapshot::ResumeState {
        next_page: 1,
        next_cursor: None,
    });
    let legacy = plan::spec_for(plan::LEGACY_ENROLLMENTS);
    manifest.collections.push(crate::snapshot::CollectionEntry {
        id: legacy.id.to_string(),
        endpoint: legacy.endpoint(),
        query: legacy.query.clone(),
        kind: legacy.kind,
        pagination: None,
        complete: false,
        not_found: false,
        run: 0,
        resume: Some(crate::snapshot::ResumeState {
            next_page: 1,
            next_cursor: None,
        }),
        items: 0,
        pages: Vec::new(),
    });
    manifest.complete = false;
    manifest.files = crate::snapshot::Manifest::file_list(&manifest.collections);
    let bytes = manifest.to_json();
    std::fs::write(out.join("manifest.json"), bytes).unwrap();

    let before = server.requests().len();
    let overrides = ResumeOverrides {
        pace: Some(RateSpec::off()),
        ..ResumeOverrides::default()
    };
    let report = resume(&out, Token::new("t").unwrap(), overrides)
        .await
        .unwrap();
    assert!(report.complete, "{report}");
    let sent = &server.requests()[before..];
    assert!(
        !sent
            .iter()
            .any(|r| r.starts_with("/v1/training/enrollments?campaign_id=")),
        "the single listing, not one per campaign: {sent:?}"
    );
    assert!(
        sent.iter()
            .any(|r| r.starts_with("/v1/training/campaigns?"))
    );
    let snapshot = Snapshot::open(&out).unwrap();
    assert_eq!(
        snapshot
            .records(&LEGACY_ENROLLMENTS.to_string())
            .unwrap()
            .count(),
        3
    );
    assert!(
        !snapshot
            .collections()
            .iter()
            .any(|c| c.id.starts_with("training/campaigns/"))
    );
    assert!(snapshot.verify().is_empty());
}
