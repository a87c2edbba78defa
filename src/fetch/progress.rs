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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::api::{Source, Token};
    use crate::fetch::{FetchOptions, fetch};
    use crate::mock::{MockConfig, MockServer, OrgSpec, Profile};
    use crate::rate::RateSpec;

    /// What an observer was told, in order.
    #[derive(Default)]
    struct Recorder {
        events: Mutex<Vec<Event>>,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Event {
        Started,
        Progressed {
            requests: u64,
            estimated_total: u64,
            items: u64,
        },
        Finished,
    }

    impl FetchObserver for Recorder {
        fn started(&self) {
            self.events.lock().unwrap().push(Event::Started);
        }
        fn progressed(&self, p: &FetchProgress<'_>) {
            assert!(!p.collection.is_empty());
            self.events.lock().unwrap().push(Event::Progressed {
                requests: p.requests,
                estimated_total: p.estimated_total,
                items: p.items,
            });
        }
        fn finished(&self) {
            self.events.lock().unwrap().push(Event::Finished);
        }
    }

    async fn fetch_observed(token: Option<&str>) -> (Vec<Event>, bool) {
        let mut config = MockConfig::new(3, Profile::Small);
        config.org = OrgSpec::profile(Profile::Small).with_active_users(8u32);
        config.rate_limit = RateSpec::off();
        config.token = token.map(str::to_owned);
        let server = MockServer::start(([127, 0, 0, 1], 0).into(), config)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let recorder = Arc::new(Recorder::default());
        let mut options = FetchOptions::new(
            Source::BaseUrl(server.base_url()),
            Token::new("observed-token").unwrap(),
            dir.path().join("snapshot"),
        );
        options.pace = RateSpec::off();
        options.observer = Some(recorder.clone());
        let ok = fetch(options).await.is_ok_and(|report| report.complete);
        server.shutdown().await;
        let events = recorder.events.lock().unwrap().clone();
        (events, ok)
    }

    #[tokio::test]
    async fn a_fetch_is_observed_from_start_to_finish() {
        let (events, complete) = fetch_observed(None).await;
        assert!(complete);
        assert_eq!(events.first(), Some(&Event::Started));
        assert_eq!(events.last(), Some(&Event::Finished));
        let progressed: Vec<(u64, u64, u64)> = events[1..events.len() - 1]
            .iter()
            .map(|e| match e {
                Event::Progressed {
                    requests,
                    estimated_total,
                    items,
                } => (*requests, *estimated_total, *items),
                other => panic!("{other:?} between start and finish"),
            })
            .collect();
        assert!(progressed.len() > 5, "{progressed:?}");
        for pair in progressed.windows(2) {
            assert!(pair[0].0 <= pair[1].0, "requests went back: {pair:?}");
            assert!(pair[0].2 <= pair[1].2, "items went back: {pair:?}");
        }
        assert!(progressed.last().is_some_and(|&(_, _, items)| items > 8));
    }

    #[tokio::test]
    async fn a_failed_fetch_still_finishes_its_observer_once() {
        let (events, complete) = fetch_observed(Some("another-token")).await;
        assert!(!complete);
        assert_eq!(events.first(), Some(&Event::Started));
        assert_eq!(
            events.iter().filter(|e| **e == Event::Finished).count(),
            1,
            "{events:?}"
        );
        assert_eq!(events.last(), Some(&Event::Finished));
    }
}
