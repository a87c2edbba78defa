//! The API token never reaches a file, a log line or an error, even at the most verbose
//! logging and through retries and failures. Runs the real binary against the simulated API.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use kb4graph::mock::{FaultSpec, MockConfig};

const SECRET: &str = "zq7-SECRET-token-do-not-leak-91f3";

async fn run_fetch(
    config: MockConfig,
    args: &[&str],
    token_env: Option<&str>,
    out: &Path,
) -> (Output, String) {
    run_fetch_at(config, "-vv", args, token_env, out).await
}

/// The same at a chosen log level (`-q`, `-v`, `-vv`; anything else for the default), without
/// RUST_LOG unless at `-vv`.
async fn run_fetch_at(
    config: MockConfig,
    level: &str,
    args: &[&str],
    token_env: Option<&str>,
    out: &Path,
) -> (Output, String) {
    let server = common::start(config).await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kb4graph"));
    if ["-q", "-v", "-vv"].contains(&level) {
        cmd.arg(level);
    }
    cmd.args([
        "fetch",
        "--base-url",
        &server.base_url(),
        "--pace",
        "off",
        "--timeout",
        "0.3",
    ])
    .arg("--out")
    .arg(out)
    .args(args)
    .env_remove("RUST_LOG")
    .env_remove("KNOWBE4_API_TOKEN");
    if level == "-vv" {
        cmd.env("RUST_LOG", "trace");
    }
    if let Some(token) = token_env {
        cmd.env("KNOWBE4_API_TOKEN", token);
    }
    let output = tokio::task::spawn_blocking(move || cmd.output().expect("kb4graph runs"))
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

fn assert_no_secret_in(dir: &Path, output: &str) {
    assert!(
        !output.contains(SECRET),
        "the token leaked to the output:\n{output}"
    );

    for (path, bytes) in common::files(dir) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(SECRET),
            "the token leaked into {}",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_never_leaks_through_retries_logs_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut config = common::small(51);
    config.faults = "all=15%,delay=500ms".parse::<FaultSpec>().unwrap();
    config.token = Some(SECRET.into());
    config.cursor_mode = true;
    let (output, text) = run_fetch(config, &[], Some(SECRET), &out).await;
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("retrying"),
        "faults were met and logged: {text}"
    );
    assert_no_secret_in(&out, &text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_from_a_file_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{SECRET}\n")).unwrap();
    let out = dir.path().join("snap");
    let mut config = common::small(52);
    config.token = Some("another-token".into());
    let (output, text) = run_fetch(
        config,
        &["--token-file", token_file.to_str().unwrap()],
        None,
        &out,
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("401") && text.contains("token was refused"),
        "{text}"
    );
    assert!(text.contains("--resume"), "says how to continue: {text}");
    assert_no_secret_in(&out, &text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_token_is_a_usage_error_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let (output, text) = run_fetch(common::small(53), &[], None, &out).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text.contains("KNOWBE4_API_TOKEN") && text.contains("--token-file"),
        "{text}"
    );
    assert!(!out.exists(), "nothing written without a token");
}

/// A server that copies the Authorization header into X-Request-Id (and other headers): the
/// request ids go into the manifest, every retry's log line and the final error.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_echoed_in_response_headers_reaches_no_file_log_or_error() {
    for level in ["default", "-v", "-vv"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snap");
        let mut config = common::small(54);
        config.faults = "echo,500=10%,429=5%".parse::<FaultSpec>().unwrap();
        config.token = Some(SECRET.into());
        let (output, text) = run_fetch_at(config, level, &[], Some(SECRET), &out).await;
        assert!(output.status.success(), "{level}: {text}");
        assert!(
            text.contains("retrying"),
            "{level}: faults were met and logged: {text}"
        );
        assert_no_secret_in(&out, &text);
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(
            manifest.contains("Bearer [redacted]"),
            "{level}: the echoed request ids are kept, scrubbed"
        );
    }

    // A fetch that fails ends with an error naming the last X-Request-Id.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut config = common::small(55);
    config.faults = "echo,503=100%".parse::<FaultSpec>().unwrap();
    config.token = Some(SECRET.into());
    let (output, text) = run_fetch_at(config, "-v", &["--retries", "1"], Some(SECRET), &out).await;
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("X-Request-Id"), "{text}");
    assert!(text.contains("--resume"), "{text}");
    assert_no_secret_in(&out, &text);
}
