//! Faults, refused tokens and the old "Invalid Token" quirk, over loopback.

use crate::common;

use kb4graph::mock::FaultSpec;

#[tokio::test]
async fn a_fetch_through_ten_percent_faults_equals_a_fault_free_fetch() {
    let dir = tempfile::tempdir().unwrap();

    let clean_server = common::start(common::small(21)).await;
    let clean = dir.path().join("clean");
    common::fetch(common::options(&clean_server, &clean)).await;

    let mut config = common::small(21);
    config.faults = "all=10%,delay=300ms".parse::<FaultSpec>().unwrap();
    let faulty_server = common::start(config).await;
    let faulty = dir.path().join("faulty");
    let mut opts = common::options(&faulty_server, &faulty);
    // Short enough that a slow response is abandoned and retried, as a real timeout would be.
    opts.timeout = std::time::Duration::from_millis(200);
    let report = common::fetch(opts).await;
    assert!(report.complete, "{report}");

    let stats = faulty_server.stats();
    assert!(stats.faults_injected > 0, "faults were injected: {stats:?}");
    assert!(report.retries > 0, "faults cost retries");
    assert_eq!(
        common::raw_pages(&clean),
        common::raw_pages(&faulty),
        "pages fetched through faults are byte for byte those of a clean fetch"
    );
}

async fn refused(config: kb4graph::mock::MockConfig, client_token: &str) -> (String, u64) {
    let server = common::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = common::options(&server, &out);
    opts.token = kb4graph::api::Token::new(client_token).unwrap();
    let err = kb4graph::fetch::fetch(opts)
        .await
        .expect_err("a refused token fails the fetch");
    let message = format!("{err}");
    let stats = server.stats();
    assert!(
        stats.per_request.values().all(|&n| n == 1),
        "a refused token is never retried: {:?}",
        stats.per_request
    );
    let manifest = common::manifest(&out);
    assert_eq!(
        manifest["complete"], false,
        "the snapshot is left resumable"
    );
    (message, stats.requests)
}

#[tokio::test]
async fn a_401_fails_fast_with_a_clear_message() {
    let mut config = common::small(22);
    config.token = Some("the-right-token".into());
    let (message, requests) = refused(config, "a-wrong-token-0042").await;
    assert!(message.contains("401"), "{message}");
    assert!(
        message.contains("KNOWBE4_API_TOKEN"),
        "says what to check: {message}"
    );
    assert!(message.contains("Reporting API"), "{message}");
    assert!(
        message.contains("X-Request-Id"),
        "names the request id: {message}"
    );
    assert!(message.contains("/v1/"), "names the endpoint: {message}");
    assert!(!message.contains("a-wrong-token-0042"), "{message}");
    assert!(
        requests <= 4,
        "stops at the first refusal, not after the whole plan: {requests}"
    );
}

#[tokio::test]
async fn the_old_200_invalid_token_answer_is_an_authentication_failure() {
    let mut config = common::small(23);
    config.token = Some("the-right-token".into());
    config.invalid_token_quirk = true;
    let (message, requests) = refused(config, "a-wrong-token-0043").await;
    assert!(message.contains("Invalid Token"), "{message}");
    assert!(message.contains("KNOWBE4_API_TOKEN"), "{message}");
    assert!(!message.contains("a-wrong-token-0043"), "{message}");
    assert!(requests <= 4, "{requests}");
}

#[tokio::test]
async fn a_spent_daily_quota_stops_the_fetch_resumably_and_says_when_to_retry() {
    let mut config = common::small(24);
    config.rate_limit = "1000/s".parse().unwrap();
    config.daily_quota = Some(12);
    let server = common::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let err = kb4graph::fetch::fetch(common::options(&server, &out))
        .await
        .expect_err("the quota runs out before the account is fetched");
    let message = err.to_string();
    assert!(message.contains("429"), "{message}");
    assert!(message.contains("daily quota"), "{message}");
    assert!(message.contains("--resume"), "{message}");
    let manifest = common::manifest(&out);
    assert_eq!(manifest["complete"], false);
    let saved = manifest["totals"]["pages"].as_u64().unwrap();
    assert!(
        saved > 0 && saved <= 12,
        "pages fetched within the quota are kept: {saved}"
    );
}
