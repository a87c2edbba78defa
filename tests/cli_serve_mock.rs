//! `kb4graph serve-mock` as scripts use it: the first stdout line gives the URL, and the server
//! answers like the Reporting API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(args: &[&str]) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .arg("serve-mock")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve-mock starts");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line names the URL: {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (server, url)
}

#[tokio::test]
async fn serve_mock_prints_its_url_and_answers_like_the_api() {
    let (_server, url) = serve(&["--seed", "5", "--token", "s3", "--rate-limit", "off"]);
    let http = reqwest::Client::new();

    let ok = http
        .get(format!("{url}/v1/users?per_page=1000"))
        .bearer_auth("s3")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().contains_key("x-request-id"));
    let users: Vec<serde_json::Value> = serde_json::from_slice(&ok.bytes().await.unwrap()).unwrap();
    assert_eq!(
        users.len(),
        200,
        "per_page clamps to 500; small has 200 active users"
    );

    let refused = http
        .get(format!("{url}/v1/account"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("x-request-id"));

    let missing = http.get(format!("{url}/v1/account")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
}

#[tokio::test]
async fn serve_mock_has_the_old_invalid_token_answer_behind_a_switch() {
    let (_server, url) = serve(&["--token", "s3", "--invalid-token-quirk"]);
    let answer = reqwest::Client::new()
        .get(format!("{url}/v1/account"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({"message": "Invalid Token"}));
}

#[tokio::test]
async fn real_limits_answer_429_past_four_a_second() {
    let (_server, url) = serve(&["--rate-limit", "real"]);
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = http
            .get(format!("{url}/v1/account"))
            .bearer_auth("t")
            .send()
            .await
            .unwrap();
        assert!(r.headers().contains_key("x-request-id"));
        statuses.push(r.status().as_u16());
    }
    let elapsed = started.elapsed();
    assert_eq!(
        &statuses[..4],
        &[200; 4],
        "a fresh server admits the first four"
    );
    assert!(
        statuses.iter().all(|&s| s == 200 || s == 429),
        "{statuses:?}"
    );
    // Eight requests inside one second cannot all pass 4/s; on a machine so slow that they
    // spread over more than a second, the window may rightly have let some through.
    if elapsed < std::time::Duration::from_secs(1) {
        assert!(
            statuses[4..].iter().all(|&s| s == 429),
            "{statuses:?} in {elapsed:?}"
        );
    }
}

#[test]
fn bad_arguments_are_usage_errors() {
    let output = Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args(["serve-mock", "--faults", "teapot=5%"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("teapot"), "{stderr}");
}
