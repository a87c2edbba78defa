//! The KnowBe4 Reporting API client: sites and base URLs, the token, pacing, retries with
//! backoff, pagination (page and cursor modes) and errors that say what to do.

mod body;
mod client;
mod error;
mod paging;
mod retry;
mod site;
mod token;

pub use body::{BodyCheck, Expect, check_body};
pub use client::{Client, ClientConfig, DEFAULT_TIMEOUT, Response};
pub use error::{ApiError, ApiErrorKind, ClientBuildError, RequestInfo};
pub use paging::{
    MAX_PER_PAGE, Pagination, PagingError, PagingState, ParsePaginationError, ResolvedMode,
    percent_encode,
};
pub use retry::{RetryPolicy, StatusClass, classify_status, parse_retry_after};
pub use site::{BaseUrl, ParseBaseUrlError, ParseSiteError, Site, Source};
pub use token::{TOKEN_ENV, Token, TokenError};

#[cfg(test)]
pub(crate) mod test_server;
#[cfg(test)]
mod tests;
