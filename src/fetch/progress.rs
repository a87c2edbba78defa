//! How a fetch tells its caller how far it got: the [`FetchObserver`] trait and the counts it
//! is given. The library draws nothing; the `kb4graph` binary draws a bar on stderr from these
//! events. New events go here, as default methods, so that existing observers keep compiling.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where a fetch stands after a page was saved (or a collection copied from the previous
/// snapshot of an incremental fetch).
#[derive(Debug, Clone, Copy)]
pub struct FetchProgress<'a> {
    /// Requests sent so far, retries included.
    pub requests: u64,
    /// The requests done plus those still expected: an estimate that grows as listings reveal
    /// child collections.
    pub estimated_total: u64,
    /// The collection the page belongs to.
    pub collection: &'a str,
    /// Items saved so far, over all collections.
    pub items: u64,
    /// Pages copied from the previous snapshot of an incremental fetch.
    pub reused_pages: u64,
}

/// Receives a fetch's progress. Every method has an empty default, so an observer implements
/// only what it shows. Calls come from the fetch's tasks, possibly from several threads.
pub trait FetchObserver: Send + Sync {
    /// The fetch is about to send its first request.
    fn started(&self) {}
    /// A page was saved or a collection reused.
    fn progressed(&self, _progress: &FetchProgress<'_>) {}
    /// The fetch ended, whether complete, stopped or failed: called exactly once after
    /// [`started`](FetchObserver::started).
    fn finished(&self) {}
}

impl fmt::Debug for dyn FetchObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FetchObserver")
    }
}

/// The observer of one run, told `finished` once even when the run ends with an error.
pub(crate) struct Progress {
    observer: Option<Arc<dyn FetchObserver>>,
    finished: AtomicBool,
}

impl Progress {
    pub(crate) fn new(observer: Option<Arc<dyn FetchObserver>>) -> Progress {
        if let Some(observer) = &observer {
            observer.started();
        }
        Progress {
            observer,
            finished: AtomicBool::new(false),
        }
    }

    /// `estimated_total` is the requests done plus those still expected.
    /// `reused` counts pages copied from the previous snapshot of an incremental fetch.
    pub(crate) fn update(
        &self,
        requests: u64,
        estimated_total: u64,
        collection: &str,
        items: u64,
        reused: u64,
    ) {
        if let Some(observer) = &self.observer {
            observer.progressed(&FetchProgress {
                requests,
                estimated_total,
                collection,
                items,
                reused_pages: reused,
            });
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(observer) = &self.observer
            && !self.finished.swap(true, Ordering::AcqRel)
        {
            observer.finished();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
