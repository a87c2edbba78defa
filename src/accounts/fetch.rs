//! Fetching every account of an accounts file at once, each into `DIR/<name>/`. Each account
//! has its own client, pace and request budget (the API's limits and daily quota are per
//! account), and its own snapshot: one account's failure leaves the others' complete, and
//! running the same command again resumes what is incomplete and leaves what is complete.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::config::{Account, AccountsConfig, TokenSource};
use super::layout::{AccountsDir, LayoutError};
use crate::api::{DEFAULT_TIMEOUT, Pagination, RetryPolicy};
use crate::fetch::{
    DEFAULT_CONCURRENCY, FetchObserver, FetchOptions, FetchReport, ResumeOverrides, RiskHistory,
};
use crate::rate::RateSpec;

/// Makes the observer of the account it is given the name of.
pub type ObserverFor = Arc<dyn Fn(&str) -> Option<Arc<dyn FetchObserver>> + Send + Sync>;

/// What every account's fetch shares, unless its entry in the accounts file says otherwise.
#[derive(Clone)]
pub struct AccountsFetch {
    pub pace: RateSpec,
    pub max_requests: Option<u64>,
    pub concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub pagination: Pagination,
    /// A multi-account directory fetched earlier: each account reuses what it can from its
    /// own snapshot there (an account without one is fetched whole).
    pub since: Option<PathBuf>,
    /// Whose risk score history every account fetches besides its own.
    pub risk_history: RiskHistory,
    pub stop_on_ctrl_c: bool,
    /// Each account's observer, by name (e.g. a progress bar of its own).
    pub observer: ObserverFor,
}

impl Default for AccountsFetch {
    /// The defaults of a single fetch ([`FetchOptions::new`]).
    fn default() -> Self {
        AccountsFetch {
            pace: RateSpec::real(),
            max_requests: None,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            retries: RetryPolicy::default().max_retries,
            pagination: Pagination::Auto,
            since: None,
            risk_history: RiskHistory::OFF,
            stop_on_ctrl_c: false,
            observer: Arc::new(|_| None),
        }
    }
}

/// How one account's fetch ended.
#[derive(Debug)]
pub struct AccountOutcome {
    pub name: String,
    pub dir: PathBuf,
    /// The error as a message: it names the account's URL or file, never its token.
    pub result: Result<FetchReport, String>,
    /// Where its token was read from, for a message about a refused token.
    pub token: TokenSource,
}

impl AccountOutcome {
    pub fn complete(&self) -> bool {
        self.result.as_ref().is_ok_and(|r| r.complete)
    }
}

/// Fetches every account of `config` into `out/<name>/` at once, and lists them in
/// `out/accounts.json`. Only a problem with `out` itself is an error; each account's own
/// failure is in its outcome.
pub async fn fetch_accounts(
    config: &AccountsConfig,
    out: &Path,
    shared: &AccountsFetch,
) -> Result<Vec<AccountOutcome>, LayoutError> {
    let names: Vec<String> = config.accounts.iter().map(|a| a.name.clone()).collect();
    let dir = AccountsDir::create(out, &names)?;
    let runs = config.accounts.iter().map(|account| {
        let account_dir = dir.account_dir(&account.name);
        async move {
            let result = fetch_one(account, &account_dir, shared).await;
            if let Err(message) = &result {
                tracing::debug!(account = %account.name, "{message}");
            }
            AccountOutcome {
                name: account.name.clone(),
                dir: account_dir,
                result,
                token: account.token.clone(),
            }
        }
    });
    Ok(futures_util::future::join_all(runs).await)
}

async fn fetch_one(
    account: &Account,
    dir: &Path,
    shared: &AccountsFetch,
) -> Result<FetchReport, String> {
    let token = account.token.read().map_err(|e| e.to_string())?;
    let pace = account.pace.clone().unwrap_or_else(|| shared.pace.clone());
    let max_requests = account.max_requests.or(shared.max_requests);
    let observer = (shared.observer)(&account.name);
    if dir.join("manifest.json").exists() {
        let overrides = ResumeOverrides {
            pace: Some(pace),
            max_requests,
            concurrency: Some(shared.concurrency),
            timeout: Some(shared.timeout),
            retries: Some(shared.retries),
            observer,
            stop_on_ctrl_c: shared.stop_on_ctrl_c,
            since: None,
            risk_history: account.risk_history.unwrap_or(shared.risk_history),
        };
        return crate::fetch::resume(dir, token, overrides)
            .await
            .map_err(|e| e.to_string());
    }
    let mut options = FetchOptions::new(account.source.clone(), token, dir);
    options.pace = pace;
    options.max_requests = max_requests;
    options.concurrency = shared.concurrency.max(1);
    options.timeout = shared.timeout;
    options.retries = shared.retries;
    options.pagination = shared.pagination;
    options.observer = observer;
    options.stop_on_ctrl_c = shared.stop_on_ctrl_c;
    options.account_name = Some(account.name.clone());
    options.risk_history = account.risk_history.unwrap_or(shared.risk_history);
    options.since = shared
        .since
        .as_ref()
        .map(|previous| previous.join(&account.name))
        .filter(|previous| previous.join("manifest.json").is_file());
    crate::fetch::fetch(options)
        .await
        .map_err(|e| e.to_string())
}
