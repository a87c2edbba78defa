//! The client against a real HTTP server on loopback.

use std::time::Duration;

use super::test_server::{Reply, TestServer};
use super::*;
use crate::rate::RateSpec;

const SECRET: &str = "tok-s3cr3t-value";

fn new_client(server: &TestServer, max_requests: Option<u64>) -> Client {
    Client::new(ClientConfig {
        source: Source::BaseUrl(server.base_url.clone()),
        token: Token::new(SECRET).unwrap(),
        timeout: Duration::from_secs(5),
        rate: RateSpec::off(),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
        max_requests,
    })
    .unwrap()
}

#[tokio::test]
async fn transient_failures_are_retried_and_the_body_kept_verbatim() {
    let server = TestServer::start(|_, n| match n {
        1 => Reply::status(503, "{\"message\":\"maintenance\"}"),
        2 => Reply::ok("[{\"id\":1},{\"id\""),
        3 => Reply::Truncated {
            announced: 100,
            body: b"[{\"id\":1}".to_vec(),
        },
        4 => Reply::ok("{\"not\":\"an array\"}"),
        _ => Reply::ok(" [ {\"id\":1} ,{\"id\":2}]\n").header("X-Next-Cursor", "c2"),
    })
    .await;
    let client = new_client(&server, None);
    let err = client
        .get("/users?page=1", 1, Expect::Array)
        .await
        .unwrap_err();
    // Four failures exhaust three retries.
    assert_eq!(err.kind, ApiErrorKind::BadBody);
    assert_eq!(err.attempts, 4);
    let response = client.get("/users?page=1", 1, Expect::Array).await.unwrap();
    assert_eq!(response.body, b" [ {\"id\":1} ,{\"id\":2}]\n");
    assert_eq!(response.records, 2);
    assert_eq!(response.next_cursor.as_deref(), Some("c2"));
    assert_eq!(response.request_id.as_deref(), Some("req-5"));
    assert_eq!(client.requests(), 5);
    assert_eq!(client.retries(), 3);
    assert_eq!(server.requests()[0], "/v1/users?page=1");
    assert!(
        server
            .auth
            .lock()
            .unwrap()
            .iter()
            .all(|a| a == &format!("Bearer {SECRET}"))
    );
}

#[tokio::test]
async fn auth_and_missing_endpoints_are_never_retried() {
    for (reply, kind) in [
        (
            Reply::status(401, "{\"message\":\"Unauthorized\"}"),
            ApiErrorKind::Unauthorized,
        ),
        (
            Reply::ok("{\"message\":\"Invalid Token\"}"),
            ApiErrorKind::Unauthorized,
        ),
        (Reply::status(403, ""), ApiErrorKind::Forbidden),
        (Reply::status(404, ""), ApiErrorKind::NotFound),
        (Reply::status(406, ""), ApiErrorKind::NotAcceptable),
    ] {
        let reply = std::sync::Mutex::new(Some(reply));
        let server =
            TestServer::start(move |_, _| reply.lock().unwrap().take().unwrap_or(Reply::ok("[]")))
                .await;
        let client = new_client(&server, None);
        let err = client
            .get("/groups?page=1&per_page=500", 1, Expect::Array)
            .await
            .unwrap_err();
        assert_eq!(err.kind, kind);
        assert_eq!(err.attempts, 1);
        assert_eq!(server.requests().len(), 1);
        let text = format!("{err} {err:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(
            text.contains("/v1/groups?page=1&per_page=500") && text.contains("req-1"),
            "{text}"
        );
        if kind == ApiErrorKind::Unauthorized {
            assert!(text.contains("Reporting API token"), "{text}");
        }
    }
}

#[tokio::test]
async fn rate_limits_are_retried_then_reported_with_advice() {
    let server = TestServer::start(|_, _| Reply::status(429, "").header("Retry-After", "0")).await;
    let client = new_client(&server, None);
    let err = client.get("/account", 1, Expect::Object).await.unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::RateLimited);
    assert_eq!(err.attempts, 4);
    assert_eq!(err.status, Some(429));
    assert!(err.to_string().contains("daily quota"), "{err}");

    // A Retry-After longer than any allowed wait ends the retries at once.
    let server =
        TestServer::start(|_, _| Reply::status(429, "").header("Retry-After", "3600")).await;
    let client = new_client(&server, None);
    let err = client.get("/account", 1, Expect::Object).await.unwrap_err();
    assert_eq!(err.attempts, 1);
}

#[tokio::test]
async fn the_budget_counts_retries_and_stops_before_sending() {
    let server = TestServer::start(|_, n| {
        if n == 1 {
            Reply::status(500, "")
        } else {
            Reply::ok("[]")
        }
    })
    .await;
    let client = new_client(&server, Some(2));
    client.get("/users", 1, Expect::Array).await.unwrap();
    assert!(client.budget_spent());
    let err = client.get("/users", 1, Expect::Array).await.unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::BudgetSpent);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(client.requests(), 2);
}

#[tokio::test]
async fn refused_connections_are_transport_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::new(ClientConfig {
        retry: RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        },
        rate: RateSpec::off(),
        ..ClientConfig::new(
            Source::BaseUrl(format!("http://{addr}")),
            Token::new(SECRET).unwrap(),
        )
    })
    .unwrap();
    let err = client.get("/account", 1, Expect::Object).await.unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::Transport);
    assert_eq!(err.attempts, 2);
    assert!(!format!("{err} {err:?}").contains("s3cr3t"));
}

#[tokio::test]
async fn a_429_saying_the_quota_is_spent_is_not_retried_and_stops_the_client() {
    let server =
        TestServer::start(|_, _| Reply::status(429, "{\"message\":\"API daily quota exceeded\"}"))
            .await;
    let client = new_client(&server, None);
    let err = client.get("/users", 1, Expect::Array).await.unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::QuotaSpent);
    assert_eq!(err.attempts, 1, "no retry can succeed before the reset");
    assert_eq!(server.requests().len(), 1);
    assert!(client.is_stopped(), "the other workers stop too");
    let text = err.to_string();
    assert!(
        text.contains("daily API quota") && text.contains("--resume"),
        "{text}"
    );
    let next = client.get("/groups", 1, Expect::Array).await.unwrap_err();
    assert_eq!(next.kind, ApiErrorKind::Stopped);
    assert_eq!(server.requests().len(), 1, "nothing more is sent");
}

#[tokio::test]
async fn a_long_run_of_bare_429s_is_taken_for_the_quota() {
    let server = TestServer::start(|_, _| Reply::status(429, "")).await;
    let client = Client::new(ClientConfig {
        retry: RetryPolicy {
            max_retries: 1000,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
            quota_after: Duration::from_millis(150),
        },
        rate: RateSpec::off(),
        ..ClientConfig::new(
            Source::BaseUrl(server.base_url.clone()),
            Token::new(SECRET).unwrap(),
        )
    })
    .unwrap();
    let err = client.get("/users", 1, Expect::Array).await.unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::QuotaSpent, "{err}");
    assert!(err.attempts > 1 && err.attempts < 1000, "{}", err.attempts);
    assert!(
        err.to_string().contains("taken for the daily quota"),
        "{err}"
    );
    assert!(client.is_stopped());
}

#[tokio::test]
async fn a_cursor_echoing_the_token_is_neither_kept_nor_shown() {
    let server =
        TestServer::start(|_, _| Reply::ok("[{\"id\":1}]").header("X-Next-Cursor", SECRET)).await;
    let client = new_client(&server, None);
    let err = client.get("/users", 1, Expect::Array).await.unwrap_err();
    assert!(!err.to_string().contains(SECRET), "{err}");
    assert!(err.to_string().contains("X-Next-Cursor"), "{err}");
}

#[tokio::test]
async fn a_page_echoing_the_token_is_not_returned_for_saving() {
    let server =
        TestServer::start(|_, _| Reply::ok(format!("[{{\"id\":1,\"note\":\"Bearer {SECRET}\"}}]")))
            .await;
    let client = new_client(&server, None);
    let err = client.get("/users", 1, Expect::Array).await.unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::BadBody);
    assert_eq!(err.attempts, 1, "the same server would echo it again");
    let text = err.to_string();
    assert!(
        !text.contains(SECRET) && text.contains("body holds the API token"),
        "{text}"
    );
}
