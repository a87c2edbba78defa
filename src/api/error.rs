//! Errors of the Reporting API client. Each names the request (path and query: the token is
//! never in a URL), the page, the HTTP status and `X-Request-Id` when known, and says what to do.

use std::fmt;

/// Which request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    /// Path and query, e.g. `/v1/users?status=active&page=3&per_page=500`.
    pub endpoint: String,
    /// The page's sequence number within its collection (1 for single-object endpoints).
    pub page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 401, or a 200 whose body is `{"message":"Invalid Token"}`.
    Unauthorized,
    Forbidden,
    NotFound,
    NotAcceptable,
    /// 429 after every retry.
    RateLimited,
    /// 429 saying the daily quota is spent: not retried, and the whole fetch stops.
    QuotaSpent,
    /// 5xx after every retry.
    Unavailable,
    /// Any other status.
    UnexpectedStatus,
    /// Timeouts, refused or dropped connections, after every retry.
    Transport,
    /// A body that was not JSON or not the expected shape, after every retry.
    BadBody,
    /// A body larger than any page can be.
    TooLarge,
    /// The request budget (`max_requests`) is spent; nothing was sent.
    BudgetSpent,
    /// The fetch is stopping (interrupt, or another collection failed); nothing was sent.
    Stopped,
}

impl ApiErrorKind {
    /// The budget and a stop are not failures of the request: the fetch ends resumably.
    pub fn is_halt(self) -> bool {
        matches!(self, ApiErrorKind::BudgetSpent | ApiErrorKind::Stopped)
    }
}

#[derive(Debug, thiserror::Error)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    pub request: RequestInfo,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// Requests sent for this page, the failed one included.
    pub attempts: u32,
    /// What the server or the transport said, already free of secrets. It includes the
    /// transport error's causes, so `cause` is not also exposed as `source()` (error chains
    /// printed with `{:#}` would repeat it).
    pub detail: Option<String>,
    pub cause: Option<reqwest::Error>,
}

impl ApiError {
    pub(crate) fn new(kind: ApiErrorKind, request: RequestInfo) -> ApiError {
        ApiError {
            kind,
            request,
            status: None,
            request_id: None,
            attempts: 0,
            detail: None,
            cause: None,
        }
    }

    fn advice(&self) -> &'static str {
        match self.kind {
            ApiErrorKind::Unauthorized => {
                "the token was refused: check that KNOWBE4_API_TOKEN (or the --token-file) holds a Reporting API token, not a User Event API token, and that Reporting API access is enabled in the account settings"
            }
            ApiErrorKind::Forbidden => {
                "this account has no Reporting API access (Platinum/Diamond only) or the token lacks it"
            }
            ApiErrorKind::NotFound => {
                "the API does not know this endpoint or object: check the site (--site) matches the account's region"
            }
            ApiErrorKind::NotAcceptable => "the API refused the requested format (406)",
            ApiErrorKind::RateLimited => {
                "rate limit or daily quota exhausted (2,000 + licensed users per day): try again after it resets; `kb4graph fetch --resume DIR` continues without refetching"
            }
            ApiErrorKind::QuotaSpent => {
                "the account's daily API quota (2,000 + licensed users per day) is spent, so every request was stopped: once it resets, continue with `kb4graph fetch --resume DIR`, which fetches nothing already saved"
            }
            ApiErrorKind::Unavailable => {
                "KnowBe4 is unavailable or in maintenance: retry later with `kb4graph fetch --resume DIR`"
            }
            ApiErrorKind::UnexpectedStatus => "unexpected HTTP status from the API",
            ApiErrorKind::Transport => {
                "the API could not be reached or the connection failed: check the network and the site, then retry with `kb4graph fetch --resume DIR`"
            }
            ApiErrorKind::BadBody => {
                "the API kept answering with an unusable body: retry later with `kb4graph fetch --resume DIR`"
            }
            ApiErrorKind::TooLarge => "the response is larger than any page can be",
            ApiErrorKind::BudgetSpent => "the request budget is spent",
            ApiErrorKind::Stopped => "the fetch was stopped",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GET {} (page {})",
            self.request.endpoint, self.request.page
        )?;
        if let Some(status) = self.status {
            write!(f, ": HTTP {status}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", X-Request-Id {id}")?;
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        write!(f, ": {}", self.advice())
    }
}

/// The client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    #[error(transparent)]
    BaseUrl(#[from] super::site::ParseBaseUrlError),
    #[error("cannot set up the HTTP client: {0}")]
    Http(reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_request_status_id_and_advice() {
        let mut err = ApiError::new(
            ApiErrorKind::Unauthorized,
            RequestInfo {
                endpoint: "/v1/users?status=active&page=1&per_page=500".into(),
                page: 1,
            },
        );
        err.status = Some(401);
        err.request_id = Some("req-42".into());
        err.attempts = 1;
        let text = err.to_string();
        for needle in [
            "/v1/users?status=active",
            "page 1",
            "401",
            "req-42",
            "User Event API",
        ] {
            assert!(text.contains(needle), "{text}");
        }
        err.kind = ApiErrorKind::RateLimited;
        err.status = Some(429);
        err.attempts = 9;
        let text = err.to_string();
        assert!(
            text.contains("after 9 attempts") && text.contains("--resume"),
            "{text}"
        );
    }
}
