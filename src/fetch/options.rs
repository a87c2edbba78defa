//! What a fetch is told: where, with which token, into which directory, how fast.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::progress::FetchObserver;
use crate::api::{DEFAULT_TIMEOUT, MAX_PER_PAGE, Pagination, RetryPolicy, Source, Token};
use crate::rate::RateSpec;
use crate::snapshot::RiskHistory;

/// Collections fetched at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Options of [`super::fetch`]. [`FetchOptions::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub source: Source,
    pub token: Token,
    /// The snapshot directory: must not exist yet, or be empty.
    pub out_dir: PathBuf,
    /// Client-side pace; every request, retries included, waits for it. Default: the real
    /// API's documented limits (4/s and 50/min).
    pub pace: RateSpec,
    /// Per-request timeout (connect, headers and body). Default 60 s.
    pub timeout: Duration,
    /// Retries of one request. Default 8.
    pub retries: u32,
    /// Backoff ceiling of the first retry, doubling each time. Default 1 s.
    pub retry_base_delay: Duration,
    /// Longest single wait between retries. Default 60 s.
    pub retry_max_delay: Duration,
    pub pagination: Pagination,
    /// Items per page, 1..=500. Default 500 (fewest requests).
    pub per_page: u32,
    /// Stop cleanly (resumable) after this many requests, retries included.
    pub max_requests: Option<u64>,
    /// Collections fetched at once. Default 4.
    pub concurrency: usize,
    /// Told how far the fetch got, e.g. to draw a progress bar. Default: none.
    pub observer: Option<Arc<dyn FetchObserver>>,
    /// Catch Ctrl-C, SIGTERM and SIGHUP: stop sending, let the requests on the wire finish,
    /// save the manifest and return an incomplete report. Off by default because tokio's
    /// handlers then stay installed for the rest of the process.
    pub stop_on_ctrl_c: bool,
    /// A complete earlier snapshot of the same account (`fetch --since`): pages of collections
    /// that cannot have changed since are copied from it instead of fetched.
    pub since: Option<PathBuf>,
    /// The name the account is known by here (`--account-name`), recorded in the snapshot's
    /// manifest: its entities are tagged with it instead of the account's own name.
    pub account_name: Option<String>,
    /// Whose risk score history to fetch besides the account's: one request per active user
    /// or group, after everything else, its cost announced first. Default: none.
    pub risk_history: RiskHistory,
}

impl FetchOptions {
    pub fn new(source: Source, token: Token, out_dir: impl Into<PathBuf>) -> FetchOptions {
        let retry = RetryPolicy::default();
        FetchOptions {
            source,
            token,
            out_dir: out_dir.into(),
            pace: RateSpec::real(),
            timeout: DEFAULT_TIMEOUT,
            retries: retry.max_retries,
            retry_base_delay: retry.base_delay,
            retry_max_delay: retry.max_delay,
            pagination: Pagination::Auto,
            per_page: MAX_PER_PAGE,
            max_requests: None,
            concurrency: DEFAULT_CONCURRENCY,
            observer: None,
            stop_on_ctrl_c: false,
            since: None,
            account_name: None,
            risk_history: RiskHistory::OFF,
        }
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.retries,
            base_delay: self.retry_base_delay,
            max_delay: self.retry_max_delay.max(self.retry_base_delay),
            ..RetryPolicy::default()
        }
    }
}

/// What may change when an incomplete snapshot is continued. The source, `per_page` and the
/// pagination option come from its manifest so the pages line up with those already saved.
#[derive(Debug, Clone, Default)]
pub struct ResumeOverrides {
    pub pace: Option<RateSpec>,
    pub max_requests: Option<u64>,
    pub concurrency: Option<usize>,
    pub timeout: Option<Duration>,
    pub retries: Option<u32>,
    /// Told how far the fetch got, as [`FetchOptions::observer`].
    pub observer: Option<Arc<dyn FetchObserver>>,
    /// Stop cleanly on SIGINT, SIGTERM or SIGHUP, as [`FetchOptions::stop_on_ctrl_c`].
    pub stop_on_ctrl_c: bool,
    /// Where the previous snapshot of an incremental fetch is now, if it moved since the fetch
    /// started (it must be the same snapshot: its manifest's SHA-256 is checked).
    pub since: Option<PathBuf>,
    /// Risk score histories to fetch besides those the snapshot was started with.
    pub risk_history: RiskHistory,
}
