//! Shared by the integration tests: a simulated API on loopback and fetches against it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use kb4graph::api::{Pagination, Source, Token};
use kb4graph::fetch::{FetchOptions, FetchReport};
use kb4graph::mock::{MockConfig, MockServer, Profile};
use kb4graph::rate::RateSpec;

pub const TOKEN: &str = "kb4graph-test-token-3f9a1c77e2";

/// Runs the kb4graph binary with `args`, without a token from the environment.
pub fn kb4graph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .args(args)
        .env_remove("KNOWBE4_API_TOKEN")
        .output()
        .expect("kb4graph runs")
}

/// What a run of the binary printed: standard output, then standard error.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("loopback address")
}

pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(loopback(), config)
        .await
        .expect("the simulated API starts on loopback")
}

/// Starts the simulated API at `addr` again, as another day's server at the address a
/// snapshot's manifest names; the previous server's port may take a moment to be free.
pub async fn restart_at(addr: SocketAddr, config: MockConfig) -> MockServer {
    let mut last = None;
    for _ in 0..50 {
        match MockServer::start(addr, config.clone()).await {
            Ok(server) => return server,
            Err(err) => last = Some(err),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the simulated API restarts on {addr}: {last:?}");
}

pub fn small(seed: u64) -> MockConfig {
    MockConfig::new(seed, Profile::Small)
}

/// Options for a quick fetch from `server`: no pacing, short retry delays.
pub fn options(server: &MockServer, out: &Path) -> FetchOptions {
    let mut opts = FetchOptions::new(
        Source::BaseUrl(server.base_url()),
        Token::new(TOKEN).expect("token"),
        out.to_path_buf(),
    );
    opts.pace = RateSpec::off();
    opts.timeout = Duration::from_secs(5);
    opts.retry_base_delay = Duration::from_millis(5);
    opts.retry_max_delay = Duration::from_millis(50);
    opts.pagination = Pagination::Auto;
    opts
}

pub async fn fetch(opts: FetchOptions) -> FetchReport {
    kb4graph::fetch::fetch(opts).await.expect("fetch succeeds")
}

/// Every file of a directory tree, by path relative to it, with its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("below dir").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

/// The raw pages of a snapshot (everything but the manifest, which holds volatile facts).
pub fn raw_pages(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|(p, _)| p.starts_with("raw"))
        .collect()
}

pub fn manifest(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest.json parses")
}

/// How many requests of the server's log went to `path` with every `key=value` of `query`.
pub fn requests_to(stats: &kb4graph::mock::MockStats, path: &str, query: &[&str]) -> u64 {
    stats
        .per_request
        .iter()
        .filter(|(target, _)| {
            let (p, q) = target.split_once('?').unwrap_or((target, ""));
            let params: Vec<&str> = q.split('&').collect();
            p == path && query.iter().all(|kv| params.contains(kv))
        })
        .map(|(_, n)| n)
        .sum()
}

/// The fewest requests that can fetch `n` items 500 at a time in page mode: a short page ends
/// the listing, so only a full last page costs one more (empty) request.
pub fn page_mode_bound(n: u64) -> u64 {
    n / 500 + 1
}

/// The same in cursor mode, where the server says when nothing is left.
pub fn cursor_mode_bound(n: u64) -> u64 {
    n.div_ceil(500).max(1)
}

/// Requests a complete page-mode fetch of an organisation needs at the least: every listing,
/// the members of every group, the recipients of every test and the enrollments of every
/// training campaign.
pub fn fetch_lower_bound(counts: &kb4graph::mock::OrgCounts) -> u64 {
    let lists = [
        counts.account_risk_history_full,
        counts.active_users,
        counts.archived_users,
        counts.active_groups,
        counts.archived_groups,
        counts.phishing_campaigns,
        counts.callback_campaigns,
        counts.psts,
        counts.store_purchases,
        counts.policies,
        counts.training_campaigns,
    ];
    1 + lists.iter().map(|&n| page_mode_bound(n)).sum::<u64>()
        + counts
            .enrollments_per_campaign
            .values()
            .map(|&n| page_mode_bound(n))
            .sum::<u64>()
        + counts
            .members_per_group
            .values()
            .map(|&n| page_mode_bound(n))
            .sum::<u64>()
        + counts
            .recipients_per_pst
            .values()
            .map(|&n| page_mode_bound(n))
            .sum::<u64>()
}

/// A body straight from the API, bypassing kb4graph's client.
pub async fn get_bytes(url: &str) -> Vec<u8> {
    reqwest::Client::new()
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("request")
        .bytes()
        .await
        .expect("body")
        .to_vec()
}

/// Strings that break naive writers of every format: quotes, backslashes, separators and
/// delimiters, markup and escape look-alikes, newlines and lone CRs, control and non-characters,
/// emoji and right-to-left text, empty and huge values.
pub fn hostile_string() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        any::<String>(),
        Just(
            "\"quoted\" <b>&amp;</b> ]]> 'apos', with \\ backslash; and | pipe @ {b} ^`%20"
                .to_owned()
        ),
        Just("ends in a backslash, \\".to_owned()),
        Just("a \\\"quote\\\" escaped, java style\nand \\\\ two".to_owned()),
        Just("a\\\"b".to_owned()),
        Just("line one\nline two\r\n\ttabbed\rlone CR".to_owned()),
        Just("\u{0}\u{7}\u{1b}[31m\u{7f}\u{85}\u{2028}\u{1f}\u{1e}\u{FFFE}\u{FFFF}".to_owned()),
        Just("emoji 🧑‍💻🎣 𝄞 and RTL مرحبا שלום \u{202e}".to_owned()),
        Just("_7C__ _ :.- &#13; &lt; ends with a dot.".to_owned()),
        Just(String::new()),
        Just("\"".to_owned()),
        "[a-z;|,\"\\\\]{0,12}",
        "[a-z]{0,3}".prop_map(|s| s.repeat(20_000)),
    ]
}

/// Snapshot facts for exports made from an in-memory graph.
pub fn snapshot_info() -> kb4graph::export::SnapshotInfo {
    kb4graph::export::SnapshotInfo {
        site: None,
        base_url: "http://127.0.0.1:9".into(),
        manifest_sha256: "0".repeat(64),
        fetched_at: "2026-01-01T00:00:00.000Z".into(),
        complete: true,
        damaged_pages: Vec::new(),
        inconsistencies: Vec::new(),
        accounts: Vec::new(),
    }
}

/// The records of every raw page under `prefix` whose directory ends with `suffix` (the
/// directory itself when `suffix` is empty), read with plain serde_json, without the model.
pub fn raw_records(snapshot: &Path, prefix: &str, suffix: &str) -> Vec<serde_json::Value> {
    let mut records = Vec::new();
    for (path, bytes) in raw_pages(snapshot) {
        let p = path.to_string_lossy();
        let Some(rest) = p.strip_prefix(prefix) else {
            continue;
        };
        let dir = rest.rsplit_once('/').map_or("", |(d, _)| d);
        let wanted = if suffix.is_empty() {
            dir.is_empty()
        } else {
            dir.ends_with(suffix)
        };
        if wanted {
            let page: Vec<serde_json::Value> = serde_json::from_slice(&bytes).expect("a list page");
            records.extend(page);
        }
    }
    records
}

/// Every enrollment record of a snapshot, read with plain serde_json: from the per-campaign
/// collections (`raw/training/campaigns/<id>/enrollments/`), or from the single listing of
/// snapshots made before enrollments were fetched per campaign.
pub fn enrollment_records(snapshot: &Path) -> Vec<serde_json::Value> {
    let mut records = raw_records(snapshot, "raw/training/campaigns/", "/enrollments");
    records.extend(raw_records(snapshot, "raw/training/enrollments/", ""));
    records
}

/// Copies the directory tree `from` to `to` (created if missing), files and directories only.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `text` as `file` of the export in `dir` and makes its manifest and `SHA256SUMS`
/// agree, so that `verify` gets past the hashes to what the files hold.
pub fn rewrite_consistently(dir: &Path, file: &str, text: &str) {
    rewrite_bytes_consistently(dir, file, text.as_bytes());
}

/// As [`rewrite_consistently`], for bytes that need not be text (a damaged `.gz`).
pub fn rewrite_bytes_consistently(dir: &Path, file: &str, text: &[u8]) {
    std::fs::write(dir.join(file), text).unwrap();
    let sha = kb4graph::snapshot::sha256_hex(text);
    let manifest_path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let mut old_sha = String::new();
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["path"] == file {
            old_sha = f["sha256"].as_str().unwrap().to_owned();
            f["sha256"] = sha.clone().into();
            f["size"] = text.len().into();
        }
    }
    assert!(!old_sha.is_empty(), "{file} is listed");
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap()
        .replace(&old_sha, &sha);
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
}
