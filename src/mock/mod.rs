//! A simulated KnowBe4 Reporting API over a seeded synthetic organisation.
//!
//! [`MockServer::start`] binds a real HTTP server on loopback that answers every endpoint of
//! the Reporting API under `/v1` the way the real service does, quirks included: bearer auth
//! (with the old `200 {"message":"Invalid Token"}` answer as an option), bare JSON arrays with
//! `page`/`per_page` (max 500) and optional cursors, the 10-item cap on training campaigns,
//! `X-Request-Id` on every response, 429s from per-second/per-minute windows and a daily quota,
//! field drift between API versions, nulls, hostile strings and injected faults.
//!
//! The organisation is a pure function of `(seed, OrgSpec)`: the same URL always returns the
//! same bytes, and even the `large` profile (about 2.4M phishing results and 1M enrollments) is
//! computed page by page instead of held in memory. [`org_counts`] tells a test exactly how many
//! items each listing serves.
//!
//! [`MockConfig::day`] advances the account by simulated days (users leave and join, one new
//! phishing test a day, training progresses, statuses follow the clock); [`day_changes`] is the
//! ground truth of what changed and [`org_counts_at`] what that day serves.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use kb4graph::mock::{MockConfig, MockServer, Profile};
//! let server = MockServer::start("127.0.0.1:0".parse().unwrap(), MockConfig::new(7, Profile::Small)).await?;
//! println!("listening on {}", server.base_url());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod error;
mod faults;
mod json;
mod limits;
mod org;
mod pages;
mod rng;
mod server;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{FaultKind, FaultSpec, FaultSpecError};
pub use org::days::{DayChanges, MAX_DAY, day_changes};
pub use org::training::COLLIDING_MODULE_NAME;
pub use org::{OrgCounts, OrgSpec, Profile, ProfileError, org_counts, org_counts_at};
pub use pages::{DEFAULT_PER_PAGE, MAX_PER_PAGE};

use crate::rate::RateSpec;

/// Everything that shapes a simulated API.
#[derive(Debug, Clone)]
pub struct MockConfig {
    pub seed: u64,
    pub org: OrgSpec,
    /// Per-second/per-minute windows answered with 429; `RateSpec::off()` for none.
    pub rate_limit: RateSpec,
    /// Requests per token per UTC day. `None`: 2000 + active users when `rate_limit` is on,
    /// unlimited when it is off.
    pub daily_quota: Option<u64>,
    pub faults: FaultSpec,
    /// The only accepted token; `None` accepts any non-empty bearer token.
    pub token: Option<String>,
    /// Answer a bad or missing token with `200 {"message":"Invalid Token"}` instead of 401.
    pub invalid_token_quirk: bool,
    /// Accept `cursor=true` / `cursor=<value>` and answer with `X-Next-Cursor`.
    pub cursor_mode: bool,
    /// Simulated days after the reference day (0: the organisation as generated); values
    /// above [`MAX_DAY`] count as `MAX_DAY`.
    pub day: u32,
}

impl MockConfig {
    /// A well-behaved API: no rate limit, no quota, no faults, any token, page pagination.
    pub fn new(seed: u64, profile: Profile) -> Self {
        MockConfig {
            seed,
            org: OrgSpec::profile(profile),
            rate_limit: RateSpec::off(),
            daily_quota: None,
            faults: FaultSpec::none(),
            token: None,
            invalid_token_quirk: false,
            cursor_mode: false,
            day: 0,
        }
    }
}

/// What the server saw, counted from start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MockStats {
    /// Every request, refused ones included.
    pub requests: u64,
    /// 429s caused by the rate windows or the daily quota (not injected ones).
    pub rate_limited: u64,
    pub faults_injected: u64,
    /// Times each "path?query" (query exactly as sent) was requested.
    pub per_request: BTreeMap<String, u64>,
}

/// A running simulated API; dropping it also stops the server.
pub struct MockServer {
    addr: SocketAddr,
    app: Arc<server::App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl MockServer {
    /// Binds `addr` (use port 0 for any free port) and serves in a background task. The socket
    /// is bound when this returns, so the address can be printed and used at once.
    pub async fn start(addr: SocketAddr, config: MockConfig) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(server::App::new(config));
        let (stop, stopped) = oneshot::channel::<()>();
        let router = server::router(app.clone());
        // Tallies over millions of records would otherwise stall the first listing request.
        let warm = app.clone();
        tokio::task::spawn_blocking(move || warm.org.warm_up());
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::debug!(%addr, "simulated KnowBe4 API listening");
        Ok(MockServer {
            addr,
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash or `/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stats(&self) -> MockStats {
        self.app
            .stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Exact item counts of this server's organisation.
    pub fn counts(&self) -> OrgCounts {
        self.app.org.counts()
    }

    /// Stops accepting, lets in-flight requests finish (at most 5 seconds), then returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(test)]
mod days_tests;
#[cfg(test)]
mod tests;
