//! Query strings, `page`/`per_page` pagination and opaque cursors.

use super::error::ApiError;
use super::rng::{hash, tag};

pub const DEFAULT_PER_PAGE: u64 = 100;
pub const MAX_PER_PAGE: u64 = 500;

/// The query string's pairs in the order sent (first occurrence wins on lookup).
#[derive(Debug, Default, Clone)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let Some(raw) = raw.filter(|r| !r.is_empty()) else {
            return Ok(Query::default());
        };
        let uri: axum::http::Uri = format!("/?{raw}")
            .parse()
            .map_err(|_| ApiError::bad_request("Malformed query string"))?;
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
                .map_err(|_| ApiError::bad_request("Malformed query string"))?;
        Ok(Query { pairs })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `key=true` (any case) or `key=1`.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// An id-like parameter: absent, or a non-negative integer (anything else is a 400).
    pub fn id(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("Invalid value for {key}"))),
        }
    }

    /// Identifies one listing (path plus filters) so a cursor cannot be replayed on another.
    pub fn listing_key(&self, path: &str) -> u64 {
        let mut h = tag(path);
        for (k, v) in &self.pairs {
            if matches!(k.as_str(), "page" | "per_page" | "cursor") {
                continue;
            }
            h = hash(h, tag(k), tag(v));
        }
        h
    }
}

/// Which slice of a listing to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub len: u64,
    /// Set when cursor pagination is in use and more items remain.
    pub next_cursor: Option<String>,
}

/// Cursor context: present only when the server runs in cursor mode.
#[derive(Debug, Clone, Copy)]
pub struct CursorCtx {
    pub seed: u64,
    pub listing: u64,
}

fn per_page(q: &Query) -> Result<u64, ApiError> {
    match q.get("per_page") {
        None => Ok(DEFAULT_PER_PAGE),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(0) | Err(_) => Err(ApiError::bad_request("per_page must be a positive integer")),
            Ok(n) => Ok(n.min(MAX_PER_PAGE)),
        },
    }
}

/// Resolves the requested slice of a listing of `total` items whose pages hold at most `cap`.
pub fn window(
    q: &Query,
    total: u64,
    cap: u64,
    cursor: Option<CursorCtx>,
) -> Result<Window, ApiError> {
    let cap = cap.clamp(1, MAX_PER_PAGE);
    let cursor_param = cursor.and_then(|c| q.get("cursor").map(|v| (c, v)));
    let (offset, size, ctx) = match cursor_param {
        Some((ctx, v)) if v.eq_ignore_ascii_case("true") => (0, per_page(q)?.min(cap), Some(ctx)),
        Some((ctx, v)) => {
            let (offset, size) =
                decode_cursor(ctx, v).ok_or_else(|| ApiError::bad_request("Invalid cursor"))?;
            (offset, size.min(cap), Some(ctx))
        }
        None => {
            let size = per_page(q)?.min(cap);
            let page = match q.get("page") {
                None => 1,
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(0) | Err(_) => {
                        return Err(ApiError::bad_request("page must be a positive integer"));
                    }
                    Ok(n) => n,
                },
            };
            ((page - 1).saturating_mul(size), size, None)
        }
    };
    let len = size.min(total.saturating_sub(offset));
    let end = offset.saturating_add(len);
    let next_cursor = match ctx {
        Some(ctx) if len > 0 && end < total => Some(encode_cursor(ctx, end, size)),
        _ => None,
    };
    Ok(Window {
        offset,
        len,
        next_cursor,
    })
}

fn keys(ctx: CursorCtx) -> (u64, u64) {
    (
        hash(ctx.seed, ctx.listing, tag("cursor-a")),
        hash(ctx.seed, ctx.listing, tag("cursor-b")),
    )
}

fn check(ctx: CursorCtx, offset: u64, size: u64) -> u64 {
    hash(ctx.seed ^ offset, ctx.listing, size) & 0xFFFF_FFFF
}

pub fn encode_cursor(ctx: CursorCtx, offset: u64, size: u64) -> String {
    let (ka, kb) = keys(ctx);
    let a = offset ^ ka;
    let b = ((size & 0xFFFF_FFFF) << 32 | check(ctx, offset, size)) ^ kb;
    format!("{a:016x}{b:016x}")
}

pub fn decode_cursor(ctx: CursorCtx, s: &str) -> Option<(u64, u64)> {
    if s.len() != 32 || !s.is_ascii() {
        return None;
    }
    let a = u64::from_str_radix(&s[..16], 16).ok()?;
    let b = u64::from_str_radix(&s[16..], 16).ok()?;
    let (ka, kb) = keys(ctx);
    let offset = a ^ ka;
    let b = b ^ kb;
    let size = b >> 32;
    ((1..=MAX_PER_PAGE).contains(&size) && b & 0xFFFF_FFFF == check(ctx, offset, size))
        .then_some((offset, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        Query::parse(Some(s)).unwrap()
    }

    #[test]
    fn page_and_clamp() {
        let w = window(&q(""), 250, 500, None).unwrap();
        assert_eq!((w.offset, w.len), (0, 100));
        let w = window(&q("page=3"), 250, 500, None).unwrap();
        assert_eq!((w.offset, w.len), (200, 50));
        let w = window(&q("page=4"), 250, 500, None).unwrap();
        assert_eq!(w.len, 0);
        let w = window(&q("per_page=100000"), 1000, 500, None).unwrap();
        assert_eq!(w.len, 500);
        let w = window(&q("per_page=500"), 1000, 10, None).unwrap();
        assert_eq!(w.len, 10);
        let w = window(&q("page=18446744073709551615&per_page=500"), 10, 500, None).unwrap();
        assert_eq!(w.len, 0);
        for bad in [
            "page=0",
            "page=x",
            "per_page=0",
            "per_page=-1",
            "page=99999999999999999999999",
        ] {
            assert!(window(&q(bad), 10, 500, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursor_walk_covers_everything_once() {
        let ctx = CursorCtx {
            seed: 9,
            listing: q("status=active").listing_key("/v1/users"),
        };
        let mut seen = 0;
        let mut w = window(&q("cursor=true&per_page=40"), 101, 500, Some(ctx)).unwrap();
        loop {
            assert_eq!(w.offset, seen);
            seen += w.len;
            let Some(c) = w.next_cursor.clone() else {
                break;
            };
            w = window(&q(&format!("cursor={c}")), 101, 500, Some(ctx)).unwrap();
        }
        assert_eq!(seen, 101);
        assert!(window(&q("cursor=abc"), 101, 500, Some(ctx)).is_err());
        let other = CursorCtx {
            seed: 9,
            listing: 1,
        };
        let c = encode_cursor(ctx, 40, 40);
        assert!(decode_cursor(other, &c).is_none());
        assert_eq!(decode_cursor(ctx, &c), Some((40, 40)));
        // Page mode still works while cursors are enabled.
        let w = window(&q("page=2&per_page=40"), 101, 500, Some(ctx)).unwrap();
        assert_eq!((w.offset, w.len, w.next_cursor), (40, 40, None));
    }
}
