//! What a fetch did.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Why a fetch ended before the snapshot was complete (without an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// `max_requests` requests were sent.
    BudgetSpent,
    /// Ctrl-C, SIGTERM or SIGHUP (with `stop_on_ctrl_c`).
    Interrupted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionReport {
    pub id: String,
    pub pages: u64,
    pub items: u64,
    pub complete: bool,
    /// The API answered 404 for it (a group or test deleted while fetching).
    pub not_found: bool,
}

/// The outcome of [`super::fetch`] or [`super::resume`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchReport {
    pub dir: PathBuf,
    /// Every collection is fetched: the snapshot is the whole account.
    pub complete: bool,
    /// `resume` found the snapshot already complete and sent nothing.
    pub already_complete: bool,
    pub stopped: Option<StopReason>,
    /// Requests sent by this run, retries included.
    pub requests: u64,
    /// Retries among them.
    pub retries: u64,
    /// Pages and items in the whole snapshot (all runs).
    pub pages: u64,
    pub items: u64,
    /// Pages copied from the previous snapshot of an incremental fetch (all runs).
    pub reused_pages: u64,
    /// That previous snapshot, as given.
    pub since: Option<PathBuf>,
    /// In manifest order.
    pub collections: Vec<CollectionReport>,
    pub elapsed: Duration,
    /// Problems in the data that did not stop the fetch (records without ids, 404 children).
    pub warnings: Vec<String>,
}

impl fmt::Display for FetchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = self.dir.display();
        if self.already_complete {
            return write!(
                f,
                "{dir} is already complete ({} pages, {} items): nothing to fetch",
                self.pages, self.items
            );
        }
        write!(
            f,
            "{} requests ({} retries) in {:.1} s; snapshot {dir}: {} collections, {} pages, {} items",
            self.requests,
            self.retries,
            self.elapsed.as_secs_f64(),
            self.collections.len(),
            self.pages,
            self.items,
        )?;
        if let Some(since) = &self.since {
            write!(
                f,
                "; {} pages reused from {}",
                self.reused_pages,
                since.display()
            )?;
        }
        if !self.warnings.is_empty() {
            write!(f, "; {} warnings", self.warnings.len())?;
        }
        match (self.complete, self.stopped) {
            (true, _) => write!(f, "; complete"),
            (false, Some(StopReason::BudgetSpent)) => write!(
                f,
                "\nbudget spent: {} requests; continue with kb4graph fetch --resume {dir}",
                self.requests
            ),
            (false, Some(StopReason::Interrupted)) => write!(
                f,
                "\ninterrupted; continue with kb4graph fetch --resume {dir}"
            ),
            (false, None) => write!(
                f,
                "\nincomplete; continue with kb4graph fetch --resume {dir}"
            ),
        }
    }
}
