//! The Reporting API client: one paced, retried GET at a time per caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use tokio::sync::Notify;

use super::body::{BodyCheck, Expect, check_body};
use super::error::{ApiError, ApiErrorKind, ClientBuildError, RequestInfo};
use super::retry::{RetryPolicy, StatusClass, classify_status, parse_retry_after};
use super::site::Source;
use super::token::Token;
use crate::rate::{Pacer, RateSpec};

/// No page is anywhere near this; a body beyond it is refused instead of buffered.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Everything a [`Client`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub source: Source,
    pub token: Token,
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    pub rate: RateSpec,
    pub retry: RetryPolicy,
    /// Stop sending once this many requests (retries included) went out.
    pub max_requests: Option<u64>,
}

impl ClientConfig {
    pub fn new(source: Source, token: Token) -> ClientConfig {
        ClientConfig {
            source,
            token,
            timeout: DEFAULT_TIMEOUT,
            rate: RateSpec::real(),
            retry: RetryPolicy::default(),
            max_requests: None,
        }
    }
}

/// A usable response: the body exactly as received, and what paging needs from the headers.
#[derive(Debug)]
pub struct Response {
    pub body: Vec<u8>,
    pub status: u16,
    pub request_id: Option<String>,
    pub next_cursor: Option<String>,
    /// Records in the body: the array length, or 1 for an object.
    pub records: usize,
}

/// A request counted in advance against the budget; dropped unsent, it is uncounted.
struct Reservation<'a>(&'a AtomicU64);

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counters shared by every request of a client.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Token,
    pacer: Arc<Pacer>,
    retry: RetryPolicy,
    max_requests: Option<u64>,
    counters: Counters,
    /// When the current run of 429s (no success since) began.
    limited_since: std::sync::Mutex<Option<Instant>>,
    stopped: AtomicBool,
    stop_signal: Notify,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token)
            .field("retry", &self.retry)
            .field("max_requests", &self.max_requests)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed.
struct Failure {
    kind: ApiErrorKind,
    retryable: bool,
    status: Option<u16>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    detail: Option<String>,
    source: Option<reqwest::Error>,
}

impl Failure {
    fn transport(err: reqwest::Error) -> Failure {
        let err = err.without_url();
        let retryable = err.is_timeout()
            || err.is_connect()
            || err.is_request()
            || err.is_body()
            || err.is_decode();
        Failure {
            kind: ApiErrorKind::Transport,
            retryable,
            status: err.status().map(|s| s.as_u16()),
            request_id: None,
            retry_after: None,
            detail: Some(error_chain(&err)),
            source: Some(err),
        }
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ClientBuildError> {
        let base = config
            .source
            .checked_base_url()
            .map_err(ClientBuildError::BaseUrl)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("kb4graph/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(30)))
            // A redirect could carry the bearer token to another host: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ClientBuildError::Http)?;
        Ok(Client {
            http,
            base: base.as_str().to_owned(),
            token: config.token,
            pacer: Arc::new(Pacer::new(&config.rate)),
            retry: config.retry,
            max_requests: config.max_requests,
            counters: Counters::default(),
            limited_since: std::sync::Mutex::new(None),
            stopped: AtomicBool::new(false),
            stop_signal: Notify::new(),
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::SeqCst)
    }

    /// Requests that repeated an earlier failed one.
    pub fn retries(&self) -> u64 {
        self.counters.retries.load(Ordering::SeqCst)
    }

    /// True once `max_requests` requests went out.
    pub fn budget_spent(&self) -> bool {
        self.max_requests.is_some_and(|max| self.requests() >= max)
    }

    /// Makes every pending and future call return [`ApiErrorKind::Stopped`] without sending;
    /// requests already on the wire finish.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.stop_signal.notify_waiters();
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    async fn until_stopped(&self) {
        loop {
            let notified = self.stop_signal.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }

    fn reserve_request(&self) -> bool {
        self.counters
            .requests
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |sent| {
                match self.max_requests {
                    Some(max) if sent >= max => None,
                    _ => Some(sent + 1),
                }
            })
            .is_ok()
    }

    /// GETs `/v1{path_and_query}`, retrying transient failures, and returns the body verbatim
    /// once it parses as `expect`. `page` only labels errors and logs.
    pub async fn get(
        &self,
        path_and_query: &str,
        page: u32,
        expect: Expect,
    ) -> Result<Response, ApiError> {
        let endpoint = format!("/v1{path_and_query}");
        let url = format!("{}{}", self.base, endpoint);
        let info = RequestInfo { endpoint, page };
        let mut attempt: u32 = 0;
        loop {
            if self.is_stopped() {
                return Err(halt(ApiErrorKind::Stopped, &info, attempt));
            }
            if !self.reserve_request() {
                return Err(halt(ApiErrorKind::BudgetSpent, &info, attempt));
            }
            // Counted as sent only once it goes out: a wait for the pace that is stopped, or
            // whose task is cancelled, gives the reservation back.
            let reservation = Reservation(&self.counters.requests);
            tokio::select! {
                biased;
                _ = self.until_stopped() => {
                    return Err(halt(ApiErrorKind::Stopped, &info, attempt));
                }
                _ = self.pacer.acquire() => {}
            }
            if self.is_stopped() {
                return Err(halt(ApiErrorKind::Stopped, &info, attempt));
            }
            std::mem::forget(reservation);
            attempt += 1;
            if attempt > 1 {
                self.counters.retries.fetch_add(1, Ordering::SeqCst);
            }
            let failure = match self.attempt(&url, expect).await {
                Ok(response) => {
                    *self.limited_since() = None;
                    tracing::debug!(
                        endpoint = %info.endpoint,
                        status = response.status,
                        request_id = response.request_id.as_deref().unwrap_or("-"),
                        records = response.records,
                        "fetched"
                    );
                    return Ok(response);
                }
                Err(failure) => self.judge_rate_limit(failure),
            };
            let retries_left = attempt <= self.retry.max_retries;
            let too_long = failure
                .retry_after
                .is_some_and(|wait| wait > self.retry.max_delay);
            if failure.retryable && retries_left && !too_long {
                let wait = self.retry.backoff(attempt - 1, failure.retry_after);
                tracing::warn!(
                    endpoint = %info.endpoint,
                    page = info.page,
                    status = failure.status,
                    request_id = failure.request_id.as_deref().unwrap_or("-"),
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    detail = failure.detail.as_deref().unwrap_or(""),
                    "request failed, retrying"
                );
                tokio::select! {
                    biased;
                    _ = self.until_stopped() => {
                        return Err(halt(ApiErrorKind::Stopped, &info, attempt));
                    }
                    _ = tokio::time::sleep(wait) => {}
                }
                continue;
            }
            if failure.kind == ApiErrorKind::QuotaSpent {
                // Every other request would be refused as well and spend nothing but time.
                self.stop();
            }
            let error = ApiError {
                kind: failure.kind,
                request: info,
                status: failure.status,
                request_id: failure.request_id,
                attempts: attempt,
                detail: failure.detail,
                cause: failure.source,
            };
            // The caller reports the error itself; concurrent requests refused alike would
            // otherwise repeat the same line once each.
            tracing::debug!(
                endpoint = %error.request.endpoint,
                page = error.request.page,
                status = error.status,
                request_id = error.request_id.as_deref().unwrap_or("-"),
                attempts = error.attempts,
                "request failed: {error}"
            );
            return Err(error);
        }
    }

    async fn attempt(&self, url: &str, expect: Expect) -> Result<Response, Failure> {
        let mut response = self
            .http
            .get(url)
            .header(AUTHORIZATION, self.token.authorization())
            .send()
            .await
            .map_err(Failure::transport)?;
        let status = response.status().as_u16();
        let headers = response.headers();
        // Whatever a server sends back may echo the Authorization header; the request id goes
        // into the manifest and every log line, so it is scrubbed like an error body.
        let request_id = header_text(headers, "x-request-id").map(|id| self.token.scrub(&id));
        let next_cursor = header_text(headers, "x-next-cursor");
        let retry_after = header_text(headers, RETRY_AFTER.as_str())
            .as_deref()
            .and_then(parse_retry_after);
        let fail = |kind, retryable, detail, source| Failure {
            kind,
            retryable,
            status: Some(status),
            request_id: request_id.clone(),
            retry_after,
            detail,
            source,
        };
        if response
            .content_length()
            .is_some_and(|len| len > MAX_BODY_BYTES as u64)
        {
            return Err(fail(ApiErrorKind::TooLarge, false, None, None));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(fail(ApiErrorKind::TooLarge, false, None, None));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(err) => {
                    let mut failure = Failure::transport(err);
                    failure.status = Some(status);
                    failure.request_id = request_id.clone();
                    return Err(failure);
                }
            }
        }
        match classify_status(status) {
            StatusClass::Success => {}
            class => {
                let kind = match status {
                    401 => ApiErrorKind::Unauthorized,
                    403 => ApiErrorKind::Forbidden,
                    404 => ApiErrorKind::NotFound,
                    406 => ApiErrorKind::NotAcceptable,
                    408 => ApiErrorKind::Transport,
                    429 if says_quota_spent(&body) => ApiErrorKind::QuotaSpent,
                    429 => ApiErrorKind::RateLimited,
                    500..=599 => ApiErrorKind::Unavailable,
                    _ => ApiErrorKind::UnexpectedStatus,
                };
                let detail = self.error_body_excerpt(&body);
                // No retry can succeed before the quota resets.
                let retryable = class == StatusClass::Transient && kind != ApiErrorKind::QuotaSpent;
                return Err(fail(kind, retryable, detail, None));
            }
        }
        if next_cursor
            .as_deref()
            .is_some_and(|cursor| self.token.scrub(cursor) != cursor)
        {
            // The cursor is stored in the manifest and sent back in the URL: one that holds
            // the token cannot be kept anywhere.
            return Err(fail(
                ApiErrorKind::BadBody,
                false,
                Some("the X-Next-Cursor header holds the API token: the server echoes credentials, so the cursor is neither stored nor sent".to_owned()),
                None,
            ));
        }
        if self.token.appears_in(&body) {
            // Pages are saved verbatim, so a page echoing the token cannot be saved at all.
            return Err(fail(
                ApiErrorKind::BadBody,
                false,
                Some("the response body holds the API token: the server echoes credentials, so the page is not saved".to_owned()),
                None,
            ));
        }
        match check_body(&body, expect) {
            BodyCheck::Records(records) => Ok(Response {
                body,
                status,
                request_id,
                next_cursor,
                records,
            }),
            BodyCheck::InvalidToken => Err(fail(
                ApiErrorKind::Unauthorized,
                false,
                Some("body: Invalid Token".to_owned()),
                None,
            )),
            BodyCheck::Unusable(why) => Err(fail(ApiErrorKind::BadBody, true, Some(why), None)),
        }
    }

    fn limited_since(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.limited_since.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A 429 that ends a run of nothing but 429s lasting `quota_after` is taken for a spent
    /// daily quota, as a long run of them on the real API means ("A long run of 429s usually
    /// means the daily quota is gone"): retrying it for hours would only add to the count.
    fn judge_rate_limit(&self, mut failure: Failure) -> Failure {
        if failure.kind != ApiErrorKind::RateLimited {
            // Any other answer breaks the run.
            *self.limited_since() = None;
            return failure;
        }
        let now = Instant::now();
        let since = *self.limited_since().get_or_insert(now);
        if now.duration_since(since) >= self.retry.quota_after {
            failure.kind = ApiErrorKind::QuotaSpent;
            failure.retryable = false;
            let note = format!(
                "only 429s for {} s: taken for the daily quota",
                now.duration_since(since).as_secs()
            );
            failure.detail = Some(match failure.detail.take() {
                Some(detail) => format!("{detail}; {note}"),
                None => note,
            });
        }
        failure
    }

    /// A short, printable excerpt of an error body (they are usually `{"message": ...}`).
    fn error_body_excerpt(&self, body: &[u8]) -> Option<String> {
        const MAX: usize = 200;
        let text = std::str::from_utf8(body).ok()?.trim();
        if text.is_empty() {
            return None;
        }
        let mut excerpt: String = text
            .chars()
            .take(MAX)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if text.chars().count() > MAX {
            excerpt.push_str("...");
        }
        Some(format!("body: {}", self.token.scrub(&excerpt)))
    }
}

/// Whether a 429's body says the daily quota is spent (the simulated API's "API daily quota
/// exceeded"), as opposed to the per-second or per-minute windows, which clear in a minute.
fn says_quota_spent(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    text.contains("quota")
}

fn halt(kind: ApiErrorKind, info: &RequestInfo, attempts: u32) -> ApiError {
    let mut error = ApiError::new(kind, info.clone());
    error.attempts = attempts;
    error
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The error and its causes on one line ("error sending request: connection refused").
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
