//! The simulated API end to end, in process (`App::respond`) and over real HTTP.

use super::server::App;
use super::*;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::Value;

pub(super) struct Got {
    pub(super) status: StatusCode,
    pub(super) body: Vec<u8>,
    pub(super) headers: HeaderMap,
}

impl Got {
    pub(super) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub(super) fn items(&self) -> Vec<Value> {
        self.json().as_array().expect("a bare array").clone()
    }
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub(super) fn app(seed: u64, org: OrgSpec) -> App {
    let mut c = MockConfig::new(seed, Profile::Small);
    c.org = org;
    App::new(c)
}

fn auth() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Bearer secret-token"),
    );
    h
}

async fn get_with(app: &App, url: &str, headers: &HeaderMap) -> Got {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let seen = {
        let mut s = app.stats.lock().unwrap();
        s.requests += 1;
        let c = s.per_request.entry(url.to_string()).or_insert(0);
        *c += 1;
        *c - 1
    };
    let resp = app
        .respond(&Method::GET, path, query, headers, url, seen)
        .await;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    Got {
        status,
        body,
        headers,
    }
}

pub(super) async fn get(app: &App, url: &str) -> Got {
    get_with(app, url, &auth()).await
}

/// Every item of a listing, page by page, stopping on a short page.
pub(super) async fn all_pages(app: &App, url: &str, per_page: u64) -> Vec<Value> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    for page in 1.. {
        let got = get(app, &format!("{url}{sep}page={page}&per_page={per_page}")).await;
        assert_eq!(got.status, StatusCode::OK, "{url}: {}", got.text());
        let items = got.items();
        let n = items.len() as u64;
        out.extend(items);
        if n < per_page {
            break;
        }
    }
    out
}

#[tokio::test]
async fn counts_match_what_listings_serve() {
    let app = app(4, OrgSpec::profile(Profile::Small));
    let counts = app.org.counts();
    assert_eq!(org_counts(4, &OrgSpec::profile(Profile::Small)), counts);
    let n = |v: &Vec<Value>| v.len() as u64;
    assert_eq!(
        n(&all_pages(&app, "/v1/users?status=active", 500).await),
        counts.active_users
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/users?status=archived", 7).await),
        counts.archived_users
    );
    let groups = all_pages(&app, "/v1/groups?status=active", 5).await;
    assert_eq!(n(&groups), counts.active_groups);
    assert_eq!(
        n(&all_pages(&app, "/v1/groups?status=archived", 5).await),
        counts.archived_groups
    );
    for (id, members) in &counts.members_per_group {
        let got = all_pages(&app, &format!("/v1/groups/{id}/members"), 30).await;
        assert_eq!(n(&got), *members);
        let g = get(&app, &format!("/v1/groups/{id}")).await.json();
        assert_eq!(g["member_count"].as_u64(), Some(*members));
    }
    assert_eq!(
        n(&all_pages(&app, "/v1/phishing/campaigns", 100).await),
        counts.phishing_campaigns
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/phishing/campaigns?campaign_type=callback", 100).await),
        counts.callback_campaigns
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/phishing/security_tests", 2).await),
        counts.psts
    );
    for (id, psts) in &counts.psts_per_campaign {
        assert_eq!(
            n(&all_pages(
                &app,
                &format!("/v1/phishing/campaigns/{id}/security_tests"),
                100
            )
            .await),
            *psts
        );
    }
    let mut total = 0;
    for (id, r) in &counts.recipients_per_pst {
        assert_eq!(
            n(&all_pages(
                &app,
                &format!("/v1/phishing/security_tests/{id}/recipients"),
                64
            )
            .await),
            *r
        );
        total += r;
    }
    assert_eq!(total, counts.recipients);
    assert_eq!(
        n(&all_pages(&app, "/v1/training/store_purchases", 100).await),
        counts.store_purchases
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/training/policies", 100).await),
        counts.policies
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/training/campaigns?exclude_percentages=true", 3).await),
        counts.training_campaigns
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/training/enrollments", 500).await),
        counts.enrollments
    );
    for (id, e) in &counts.enrollments_per_campaign {
        assert_eq!(
            n(&all_pages(
                &app,
                &format!("/v1/training/enrollments?campaign_id={id}"),
                500
            )
            .await),
            *e
        );
    }
    assert_eq!(
        n(&all_pages(&app, "/v1/account/risk_score_history?full=true", 100).await),
        counts.account_risk_history_full
    );
    assert_eq!(
        n(&all_pages(&app, "/v1/account/risk_score_history", 100).await),
        counts.account_risk_history_recent
    );
    assert!(
        counts.account_risk_history_full > 100,
        "full history spans more than one default page"
    );
}

#[tokio::test]
async fn exact_user_counts_paginate_exactly() {
    for users in [0u64, 1, 499, 500, 501, 1000] {
        let app = app(1, OrgSpec::empty().with_active_users(users));
        let got = all_pages(&app, "/v1/users?status=active", 500).await;
        assert_eq!(got.len() as u64, users);
        let ids: std::collections::BTreeSet<u64> =
            got.iter().map(|u| u["id"].as_u64().unwrap()).collect();
        assert_eq!(ids.len() as u64, users, "ids are unique");
        let requests = app.stats().requests;
        assert_eq!(requests, users / 500 + 1);
        for path in [
            "/v1/groups",
            "/v1/phishing/security_tests",
            "/v1/training/enrollments",
            "/v1/training/campaigns",
        ] {
            assert_eq!(get(&app, path).await.items().len(), 0, "{path}");
        }
    }
}

#[tokio::test]
async fn same_url_same_bytes() {
    let a = app(8, OrgSpec::profile(Profile::Small));
    let b = app(8, OrgSpec::profile(Profile::Small));
    let c = app(9, OrgSpec::profile(Profile::Small));
    for url in [
        "/v1/account",
        "/v1/users?status=active&per_page=500",
        "/v1/groups",
        "/v1/phishing/security_tests",
        "/v1/training/campaigns",
        "/v1/training/enrollments?per_page=500&include_campaign_id=true",
    ] {
        assert_eq!(get(&a, url).await.body, get(&b, url).await.body, "{url}");
        assert_eq!(get(&a, url).await.body, get(&a, url).await.body, "{url}");
    }
    assert_ne!(
        get(&a, "/v1/users").await.body,
        get(&c, "/v1/users").await.body
    );
}

#[tokio::test]
async fn references_resolve_and_hard_cases_exist() {
    let app = app(6, OrgSpec::profile(Profile::Small));
    let mut deleted = 0;
    let mut archived_recipients = 0;
    for pst in all_pages(&app, "/v1/phishing/security_tests", 500).await {
        let pst_id = pst["pst_id"].as_u64().unwrap();
        let campaign = get(
            &app,
            &format!("/v1/phishing/campaigns/{}", pst["campaign_id"]),
        )
        .await;
        assert_eq!(campaign.status, StatusCode::OK);
        for r in all_pages(
            &app,
            &format!("/v1/phishing/security_tests/{pst_id}/recipients"),
            500,
        )
        .await
        {
            let user = get(&app, &format!("/v1/users/{}", r["user"]["id"])).await;
            match user.status {
                StatusCode::OK => {
                    archived_recipients += (user.json()["status"] == "archived") as u32
                }
                StatusCode::NOT_FOUND => deleted += 1,
                s => panic!("{s}"),
            }
            let one = get(
                &app,
                &format!(
                    "/v1/phishing/security_tests/{pst_id}/recipients/{}",
                    r["recipient_id"]
                ),
            )
            .await;
            assert_eq!(one.json(), r);
        }
    }
    assert!(deleted > 0 && archived_recipients > 0);
    let campaigns = all_pages(&app, "/v1/phishing/campaigns", 500).await;
    assert!(
        campaigns.iter().any(|c| c["groups"][0]["group_id"] == 0),
        "All Users is referenced"
    );
    assert_eq!(
        get(&app, "/v1/groups/0").await.status,
        StatusCode::NOT_FOUND
    );
    let mut null_user = 0;
    let mut pairs = std::collections::BTreeMap::<(u64, String), u32>::new();
    for e in all_pages(
        &app,
        "/v1/training/enrollments?include_store_purchase_id=true&include_employee_number=true",
        500,
    )
    .await
    {
        if e["user"].is_null() {
            null_user += 1;
            continue;
        }
        assert!(e["user"]["employee_number"].is_null() || e["user"]["employee_number"].is_u64());
        *pairs
            .entry((
                e["user"]["id"].as_u64().unwrap(),
                e["module_name"].to_string(),
            ))
            .or_default() += 1;
        let id = e["user"]["id"].as_u64().unwrap();
        assert_eq!(
            get(&app, &format!("/v1/users/{id}")).await.status,
            StatusCode::OK
        );
    }
    assert!(null_user > 0, "{} enrollments", app.org.total_enrollments);
    assert!(pairs.values().any(|&n| n > 1), "re-enrollments exist");
    let plain = get(&app, "/v1/training/enrollments").await.items();
    assert!(
        plain
            .iter()
            .all(|e| e.get("campaign_id").is_none() && e.get("store_purchase_id").is_none())
    );
    let purchases = all_pages(&app, "/v1/training/store_purchases", 500).await;
    let policies = all_pages(&app, "/v1/training/policies", 500).await;
    let shared = purchases
        .iter()
        .chain(&policies)
        .filter(|m| m["name"] == COLLIDING_MODULE_NAME)
        .count();
    assert!(shared >= 3);
    let campaigns = get(&app, "/v1/training/campaigns").await.items();
    assert!(
        campaigns
            .iter()
            .all(|c| c.get("completion_percentage").is_some())
    );
    let lean = get(&app, "/v1/training/campaigns?exclude_percentages=true")
        .await
        .items();
    assert!(
        lean.iter()
            .all(|c| c.get("completion_percentage").is_none())
    );
    // Hostile strings, escaped by the JSON writer.
    let users = get(&app, "/v1/users?per_page=500").await.text();
    for needle in ["\\u0007", "\\u001b", "\\n", "\\\"", "ש", "م", "🌸"] {
        assert!(users.contains(needle), "{needle:?}");
    }
}

#[tokio::test]
async fn drift_variants_are_present() {
    let app = app(12, OrgSpec::profile(Profile::Medium));
    let mut bodies = String::new();
    for url in [
        "/v1/users?per_page=100",
        "/v1/groups?per_page=100",
        "/v1/phishing/security_tests",
        "/v1/phishing/campaigns",
        "/v1/training/store_purchases",
        "/v1/training/campaigns?exclude_percentages=true&per_page=100",
        "/v1/training/enrollments?per_page=100",
    ] {
        bodies.push_str(&get(&app, url).await.text());
    }
    let pst = app.org.psts[0].id;
    bodies.push_str(
        &get(
            &app,
            &format!("/v1/phishing/security_tests/{pst}/recipients?per_page=100"),
        )
        .await
        .text(),
    );
    for key in [
        "\"adi_manageable\"",
        "\"adi_guid\"",
        "\"provisioning_guid\"",
        "\"landing-page\"",
        "\"landing_page\"",
        "\"vulnerable_plugin_count\"",
        "\"vulnerable-plugins_at\"",
        "\"exploited_at\"",
        "\"active_directory_guid\"",
        "\"store_purchased_id\"",
        "\"store_purchase_id\"",
        "\"modules\"",
        "\"content\":[[",
        "\"content_id\"",
        "\"mfa_enrolled\"",
        "\"description\":\"Synced",
        "\"ai_generated\"",
        "\"reported_via\"",
        "\"notify_managers\"",
        "\"certificate_url\"",
        "\"users_count\":null",
        "\"template\":{\"id\":null,\"name\":null}",
    ] {
        assert!(bodies.contains(key), "{key} missing");
    }
}

#[tokio::test]
async fn training_campaigns_cap_and_cursor_mode() {
    let mut spec = OrgSpec::profile(Profile::Small);
    spec.training_campaigns = 25;
    let mut config = MockConfig::new(3, Profile::Small);
    config.org = spec;
    config.cursor_mode = true;
    let app = App::new(config);
    assert_eq!(
        get(&app, "/v1/training/campaigns?per_page=500")
            .await
            .items()
            .len(),
        10
    );
    assert_eq!(
        get(
            &app,
            "/v1/training/campaigns?per_page=500&exclude_percentages=true"
        )
        .await
        .items()
        .len(),
        25
    );
    let mut seen = Vec::new();
    let mut url = "/v1/training/enrollments?cursor=true&per_page=200".to_string();
    loop {
        let got = get(&app, &url).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text());
        seen.extend(
            got.items()
                .into_iter()
                .map(|e| e["enrollment_id"].as_u64().unwrap()),
        );
        match got.headers.get("x-next-cursor") {
            Some(c) => url = format!("/v1/training/enrollments?cursor={}", c.to_str().unwrap()),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, app.org.total_enrollments);
    seen.dedup();
    assert_eq!(seen.len() as u64, app.org.total_enrollments);
    assert_eq!(
        get(&app, "/v1/training/enrollments?cursor=nonsense")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        get(&app, "/v1/users?page=2")
            .await
            .headers
            .get("x-next-cursor")
            .is_none()
    );
}

#[tokio::test]
async fn errors_are_json_and_nothing_panics() {
    let app = app(1, OrgSpec::profile(Profile::Small));
    for (url, status) in [
        ("/v1/users?page=0", StatusCode::BAD_REQUEST),
        ("/v1/users?per_page=abc", StatusCode::BAD_REQUEST),
        ("/v1/users?status=deleted", StatusCode::BAD_REQUEST),
        (
            "/v1/training/enrollments?user_id=-4",
            StatusCode::BAD_REQUEST,
        ),
        ("/v1/users/0", StatusCode::NOT_FOUND),
        ("/v1/users/abc", StatusCode::NOT_FOUND),
        (
            "/v1/users/99999999999999999999999999",
            StatusCode::NOT_FOUND,
        ),
        ("/v1/nope", StatusCode::NOT_FOUND),
        ("/v2/users", StatusCode::NOT_FOUND),
        (
            "/v1/phishing/security_tests/1/recipients/2",
            StatusCode::NOT_FOUND,
        ),
        (
            "/v1/users?page=18446744073709551615&per_page=500",
            StatusCode::OK,
        ),
        ("/v1/users?page=%ZZ", StatusCode::BAD_REQUEST),
        ("/v1/users?per_page=501", StatusCode::OK),
    ] {
        let got = get(&app, url).await;
        assert_eq!(got.status, status, "{url}: {}", got.text());
        got.json();
    }
    assert_eq!(
        get(&app, "/v1/users?per_page=100000").await.items().len(),
        200
    );
    let mut h = auth();
    h.insert(header::ACCEPT, HeaderValue::from_static("application/xml"));
    assert_eq!(
        get_with(&app, "/v1/users", &h).await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    h.insert(
        header::ACCEPT,
        HeaderValue::from_static("text/html, application/json;q=0.9"),
    );
    assert_eq!(get_with(&app, "/v1/users", &h).await.status, StatusCode::OK);
    assert_eq!(
        get_with(&app, "/v1/users", &HeaderMap::new()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut config = MockConfig::new(1, Profile::Small);
    config.token = Some("right".into());
    config.invalid_token_quirk = true;
    let quirky = App::new(config);
    let got = get(&quirky, "/v1/users").await;
    assert_eq!(
        (got.status, got.json()),
        (
            StatusCode::OK,
            serde_json::json!({"message": "Invalid Token"})
        )
    );
}

#[tokio::test]
async fn limits_and_faults() {
    let mut config = MockConfig::new(1, Profile::Small);
    config.rate_limit = "3/min".parse().unwrap();
    let limited = App::new(config);
    let statuses: Vec<StatusCode> =
        futures_util::future::join_all((0..5).map(|_| get(&limited, "/v1/account")))
            .await
            .into_iter()
            .map(|g| g.status)
            .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2
    );
    assert_eq!(limited.stats.lock().unwrap().rate_limited, 2);

    let mut config = MockConfig::new(1, Profile::Small);
    config.daily_quota = Some(2);
    let quota = App::new(config);
    get(&quota, "/v1/account").await;
    get(&quota, "/v1/account").await;
    assert_eq!(
        get(&quota, "/v1/account").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    let mut config = MockConfig::new(1, Profile::Small);
    config.faults = "500=50%,truncated=50%".parse().unwrap();
    let faulty = App::new(config.clone());
    let mut seq = Vec::new();
    for _ in 0..20 {
        let got = get(&faulty, "/v1/groups").await;
        if got.status == StatusCode::OK {
            assert!(
                serde_json::from_slice::<Value>(&got.body).is_err(),
                "truncated"
            );
        }
        seq.push(got.status);
    }
    assert!(seq.contains(&StatusCode::OK) && seq.contains(&StatusCode::INTERNAL_SERVER_ERROR));
    let again = App::new(config);
    let mut seq2 = Vec::new();
    for _ in 0..20 {
        seq2.push(get(&again, "/v1/groups").await.status);
    }
    assert_eq!(seq, seq2, "same request sequence, same faults");
    assert_eq!(faulty.stats.lock().unwrap().faults_injected, 20);
}

#[tokio::test]
async fn over_real_http() {
    let mut config = MockConfig::new(5, Profile::Small);
    config.faults = FaultSpec::none().with(FaultKind::Drop, 1.0);
    let server = MockServer::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    let clean = MockServer::start(
        "127.0.0.1:0".parse().unwrap(),
        MockConfig::new(5, Profile::Small),
    )
    .await
    .unwrap();
    assert!(clean.base_url().starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}/v1/users?per_page=3", clean.base_url()))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("x-request-id").is_some());
    let users: Vec<Value> = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(users.len(), 3);
    let resp = client
        .get(format!("{}/v1/users", clean.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("x-request-id").is_some());

    let resp = client
        .get(format!("{}/v1/users?per_page=50", server.base_url()))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err(), "the body is cut short");
    assert_eq!(server.stats().faults_injected, 1);
    assert_eq!(
        clean.stats().per_request.get("/v1/users?per_page=3"),
        Some(&1)
    );
    server.shutdown().await;
    clean.shutdown().await;
}

/// Run with `cargo test --release --lib mock::tests::large -- --ignored --nocapture`.
#[tokio::test]
#[ignore]
async fn large_pages_are_fast() {
    let t = std::time::Instant::now();
    let app = app(1, OrgSpec::profile(Profile::Large));
    eprintln!("build large org: {:?}", t.elapsed());
    let c = app.org.counts();
    eprintln!(
        "users {} recipients {} enrollments {}",
        c.active_users, c.recipients, c.enrollments
    );
    let last_pst = app.org.psts.last().unwrap().id;
    let e_last = c.enrollments / 500;
    for url in [
        "/v1/users?page=150&per_page=500".to_string(),
        format!("/v1/phishing/security_tests/{last_pst}/recipients?page=200&per_page=500"),
        format!("/v1/training/enrollments?page={e_last}&per_page=500"),
        format!("/v1/training/enrollments?user_id={}", app.org.user_id(4242)),
        "/v1/training/enrollments?exclude_archived_users=true&page=1500&per_page=500".to_string(),
        "/v1/phishing/security_tests".to_string(),
        "/v1/training/campaigns".to_string(),
    ] {
        for round in 0..2 {
            let t = std::time::Instant::now();
            let got = get(&app, &url).await;
            let took = t.elapsed();
            let n = got.items().len();
            eprintln!(
                "{url} round {round}: {n} items, {} bytes, {took:?}",
                got.body.len()
            );
        }
    }
}
