//! `fetch --config`: every account of an accounts file at once, then one line per account
//! saying how it ended, failures last and named.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use kb4graph::accounts::{AccountsConfig, AccountsFetch, fetch_accounts};

use super::{ConnectArgs, FetchArgs, Outcome, interrupted, progress, timeout_of};

pub(super) async fn fetch(config: &Path, args: &FetchArgs, quiet: bool) -> Result<Outcome> {
    let out = args
        .out
        .as_ref()
        .context("--out DIR is required with --config: each account is fetched into DIR/<name>/")?;
    fetch_all(config, out, &args.connect, args.since.clone(), quiet).await
}

/// Fetches every account of the accounts file `config` into `out/<name>/`.
pub(super) async fn fetch_all(
    config: &Path,
    out: &Path,
    connect: &ConnectArgs,
    since: Option<PathBuf>,
    quiet: bool,
) -> Result<Outcome> {
    let config = AccountsConfig::load(config)?;
    let shared = AccountsFetch {
        pace: connect.pace.clone(),
        max_requests: connect.max_requests,
        concurrency: connect.concurrency.max(1),
        timeout: timeout_of(connect)?,
        retries: connect.retries,
        pagination: connect.pagination,
        since,
        risk_history: connect.risk_history,
        stop_on_ctrl_c: true,
        observer: Arc::new(move |name| progress::labelled_observer(quiet, Some(name))),
    };
    if !quiet {
        eprintln!(
            "fetching {} accounts from {} into {}",
            config.accounts.len(),
            config.path.display(),
            out.display()
        );
    }
    let outcomes = fetch_accounts(&config, out, &shared).await?;
    let mut failed = Vec::new();
    let mut incomplete = false;
    let mut stopped = false;
    for outcome in &outcomes {
        match &outcome.result {
            Ok(report) => {
                incomplete |= !report.complete;
                stopped |= interrupted(report);
                if !quiet {
                    eprintln!("{}: {report}", outcome.name);
                }
            }
            Err(_) => failed.push(outcome),
        }
    }
    for outcome in &failed {
        if let Err(message) = &outcome.result {
            eprintln!(
                "{}: FAILED (its token comes from {}): {message}",
                outcome.name, outcome.token
            );
        }
    }
    if stopped {
        return Ok(Outcome::Interrupted);
    }
    if !failed.is_empty() {
        let names: Vec<&str> = failed.iter().map(|o| o.name.as_str()).collect();
        bail!(
            "{} of {} accounts failed ({}); the others' snapshots are {}; fix the cause, then run the same command again: complete snapshots are left as they are",
            failed.len(),
            outcomes.len(),
            names.join(", "),
            if incomplete { "saved" } else { "complete" }
        );
    }
    // A spent request budget is what was asked for, as with one account.
    Ok(Outcome::Success)
}
