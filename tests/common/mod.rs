//! Shared by the integration tests: a simulated API on loopback and fetches against it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kb4graph::api::{Pagination, Source, Token};
use kb4graph::fetch::{FetchOptions, FetchReport};
use kb4graph::mock::{MockConfig, MockServer, Profile};
use kb4graph::rate::RateSpec;

pub const TOKEN: &str = "kb4graph-test-token-3f9a1c77e2";

pub fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("loopback address")
}

pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(loopback(), config)
        .await
        .expect("the simulated API starts on loopback")
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
    opts.progress = false;
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

/// Requests a complete page-mode fetch of an organisation needs at the least.
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
        counts.enrollments,
    ];
    1 + lists.iter().map(|&n| page_mode_bound(n)).sum::<u64>()
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
