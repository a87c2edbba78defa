//! Pagination decisions, kept free of I/O so every stop rule is testable.
//!
//! Page mode stops on a page that is not exactly full: a short page is the last one (its
//! trailing empty page is never requested, it would only cost quota), and a page longer than
//! `per_page` means the endpoint ignored paging. Cursor mode follows `X-Next-Cursor` until it is
//! absent, empty, or the page is empty.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The most items a page may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// How list endpoints are paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pagination {
    /// Ask for a cursor on the first request and use whichever mode the server answers in.
    #[default]
    Auto,
    Page,
    Cursor,
}

impl Pagination {
    pub fn as_str(self) -> &'static str {
        match self {
            Pagination::Auto => "auto",
            Pagination::Page => "page",
            Pagination::Cursor => "cursor",
        }
    }
}

impl fmt::Display for Pagination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown pagination mode {0:?}: expected auto, page or cursor")]
pub struct ParsePaginationError(String);

impl FromStr for Pagination {
    type Err = ParsePaginationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Pagination::Auto),
            "page" => Ok(Pagination::Page),
            "cursor" => Ok(Pagination::Cursor),
            _ => Err(ParsePaginationError(s.to_owned())),
        }
    }
}

/// The mode a collection actually ended up in (auto resolves to one of these on its first page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResolvedMode {
    Page,
    Cursor,
}

/// Where a paged collection stands. `page` is always the sequence number of the next page to
/// fetch (it names the file); cursor mode additionally carries the server's cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagingState {
    /// Nothing fetched yet.
    Start {
        mode: Pagination,
    },
    Page {
        page: u32,
    },
    Cursor {
        page: u32,
        cursor: String,
    },
    Done,
}

impl PagingState {
    /// The sequence number of the next page, or `None` when done.
    pub fn next_page(&self) -> Option<u32> {
        match self {
            PagingState::Start { .. } => Some(1),
            PagingState::Page { page } | PagingState::Cursor { page, .. } => Some(*page),
            PagingState::Done => None,
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, PagingState::Done)
    }

    /// The paging parameters of the next request, appended to the endpoint's own query.
    pub fn query(&self, per_page: u32) -> Option<String> {
        match self {
            PagingState::Start {
                mode: Pagination::Auto,
            } => Some(format!("page=1&per_page={per_page}&cursor=true")),
            PagingState::Start {
                mode: Pagination::Page,
            } => Some(format!("page=1&per_page={per_page}")),
            PagingState::Start {
                mode: Pagination::Cursor,
            } => Some(format!("per_page={per_page}&cursor=true")),
            PagingState::Page { page } => Some(format!("page={page}&per_page={per_page}")),
            PagingState::Cursor { cursor, .. } => Some(format!(
                "per_page={per_page}&cursor={}",
                percent_encode(cursor)
            )),
            PagingState::Done => None,
        }
    }

    /// The mode this state has committed to, if any.
    pub fn resolved_mode(&self) -> Option<ResolvedMode> {
        match self {
            PagingState::Start {
                mode: Pagination::Page,
            }
            | PagingState::Page { .. } => Some(ResolvedMode::Page),
            PagingState::Start {
                mode: Pagination::Cursor,
            }
            | PagingState::Cursor { .. } => Some(ResolvedMode::Cursor),
            PagingState::Start {
                mode: Pagination::Auto,
            }
            | PagingState::Done => None,
        }
    }

    /// The state after a page with `items` items and the given `X-Next-Cursor` header arrived,
    /// plus the mode the page was fetched in.
    pub fn advance(
        &self,
        items: usize,
        per_page: u32,
        next_cursor: Option<&str>,
    ) -> Result<(PagingState, ResolvedMode), PagingError> {
        let next_cursor = next_cursor.map(str::trim).filter(|c| !c.is_empty());
        let full = items == per_page as usize;
        let (page, mode) = match self {
            PagingState::Done => return Err(PagingError::AlreadyDone),
            PagingState::Start {
                mode: Pagination::Auto,
            } => (
                1,
                if next_cursor.is_some() {
                    ResolvedMode::Cursor
                } else {
                    ResolvedMode::Page
                },
            ),
            PagingState::Start {
                mode: Pagination::Page,
            } => (1, ResolvedMode::Page),
            PagingState::Start {
                mode: Pagination::Cursor,
            } => (1, ResolvedMode::Cursor),
            PagingState::Page { page } => (*page, ResolvedMode::Page),
            PagingState::Cursor { page, .. } => (*page, ResolvedMode::Cursor),
        };
        let next = match mode {
            ResolvedMode::Page if full => PagingState::Page {
                page: page.checked_add(1).ok_or(PagingError::TooManyPages)?,
            },
            ResolvedMode::Page => PagingState::Done,
            ResolvedMode::Cursor => match next_cursor {
                Some(cursor) if items > 0 => {
                    if let PagingState::Cursor {
                        cursor: previous, ..
                    } = self
                        && previous == cursor
                    {
                        return Err(PagingError::CursorStuck);
                    }
                    PagingState::Cursor {
                        page: page.checked_add(1).ok_or(PagingError::TooManyPages)?,
                        cursor: cursor.to_owned(),
                    }
                }
                _ => PagingState::Done,
            },
        };
        Ok((next, mode))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("the server returned the same X-Next-Cursor twice: paging would never end")]
    CursorStuck,
    #[error("more pages than can be numbered")]
    TooManyPages,
    #[error("the collection is already complete")]
    AlreadyDone,
}

/// Cursors are opaque; encode everything outside the unreserved set so they survive the URL.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(mode: Pagination) -> PagingState {
        PagingState::Start { mode }
    }

    #[test]
    fn page_mode_stops_on_short_page_without_requesting_empty_one() {
        let (s, m) = start(Pagination::Page).advance(500, 500, None).unwrap();
        assert_eq!(
            (s.clone(), m),
            (PagingState::Page { page: 2 }, ResolvedMode::Page)
        );
        assert_eq!(s.query(500).unwrap(), "page=2&per_page=500");
        let (s, _) = s.advance(499, 500, None).unwrap();
        assert_eq!(s, PagingState::Done);
        assert_eq!(s.query(500), None);
    }

    #[test]
    fn page_mode_requests_empty_page_only_after_full_one() {
        let (s, _) = PagingState::Page { page: 3 }
            .advance(500, 500, None)
            .unwrap();
        assert_eq!(s, PagingState::Page { page: 4 });
        let (s, _) = s.advance(0, 500, None).unwrap();
        assert_eq!(s, PagingState::Done);
    }

    #[test]
    fn page_longer_than_asked_means_paging_ignored() {
        let (s, _) = start(Pagination::Page).advance(501, 500, None).unwrap();
        assert_eq!(s, PagingState::Done);
    }

    #[test]
    fn auto_asks_for_cursor_and_follows_the_answer() {
        let s = start(Pagination::Auto);
        assert_eq!(s.query(500).unwrap(), "page=1&per_page=500&cursor=true");
        // No cursor header: page mode.
        let (n, m) = s.advance(500, 500, None).unwrap();
        assert_eq!((n, m), (PagingState::Page { page: 2 }, ResolvedMode::Page));
        let (n, _) = s.advance(500, 500, Some("  ")).unwrap();
        assert_eq!(n, PagingState::Page { page: 2 });
        // A cursor header: cursor mode, even on a short page.
        let (n, m) = s.advance(10, 500, Some("a b/c")).unwrap();
        assert_eq!(m, ResolvedMode::Cursor);
        assert_eq!(n.query(500).unwrap(), "per_page=500&cursor=a%20b%2Fc");
        assert_eq!(n.next_page(), Some(2));
    }

    #[test]
    fn cursor_mode_stops_on_missing_cursor_or_empty_page() {
        let s = start(Pagination::Cursor);
        assert_eq!(s.query(500).unwrap(), "per_page=500&cursor=true");
        let (s, _) = s.advance(500, 500, Some("c1")).unwrap();
        let (done, _) = s.advance(500, 500, None).unwrap();
        assert_eq!(done, PagingState::Done);
        let (done, _) = s.advance(0, 500, Some("c2")).unwrap();
        assert_eq!(done, PagingState::Done);
        assert_eq!(s.advance(3, 500, Some("c1")), Err(PagingError::CursorStuck));
    }

    #[test]
    fn modes_parse() {
        assert_eq!("Cursor".parse(), Ok(Pagination::Cursor));
        assert!("pages".parse::<Pagination>().is_err());
        assert_eq!(Pagination::default(), Pagination::Auto);
    }
}
