//! The server side of KnowBe4's limits: per-second/per-minute windows and the daily quota.
//!
//! Limits are kept per token (the API counts per account, and a token stands for one), keyed by
//! a hash so the server never holds a token it was sent.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::rate::{RateSpec, SlidingLimiter};

use super::rng::{hash, tag};

/// Distinct tokens remembered before the table is reset; a bound on memory when any token is
/// accepted.
const MAX_TOKENS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Admit,
    /// A per-second or per-minute window is full.
    RateLimited,
    /// Today's quota is spent.
    QuotaSpent,
}

struct TokenState {
    limiter: Option<SlidingLimiter>,
    day: i64,
    used: u64,
}

pub struct Limits {
    spec: RateSpec,
    quota: Option<u64>,
    tokens: Mutex<BTreeMap<u64, TokenState>>,
}

impl Limits {
    pub fn new(spec: RateSpec, quota: Option<u64>) -> Self {
        Limits {
            spec,
            quota,
            tokens: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.spec.is_off() && self.quota.is_none()
    }

    /// Decides one request; only admitted requests use up quota and window room.
    pub fn check(&self, token: &str, now: Instant, utc_day: i64) -> Verdict {
        if self.is_unlimited() {
            return Verdict::Admit;
        }
        let key = hash(0, tag("token"), tag(token));
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if tokens.len() >= MAX_TOKENS && !tokens.contains_key(&key) {
            tokens.clear();
        }
        let state = tokens.entry(key).or_insert_with(|| TokenState {
            limiter: (!self.spec.is_off()).then(|| SlidingLimiter::new(&self.spec)),
            day: utc_day,
            used: 0,
        });
        if state.day != utc_day {
            state.day = utc_day;
            state.used = 0;
        }
        if let Some(q) = self.quota
            && state.used >= q
        {
            return Verdict::QuotaSpent;
        }
        if let Some(l) = state.limiter.as_mut()
            && !l.try_admit(now)
        {
            return Verdict::RateLimited;
        }
        state.used += 1;
        Verdict::Admit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn quota_and_windows() {
        let l = Limits::new(RateSpec::off(), Some(3));
        let t = Instant::now();
        assert_eq!(l.check("a", t, 1), Verdict::Admit);
        assert_eq!(l.check("a", t, 1), Verdict::Admit);
        assert_eq!(l.check("a", t, 1), Verdict::Admit);
        assert_eq!(l.check("a", t, 1), Verdict::QuotaSpent);
        assert_eq!(l.check("b", t, 1), Verdict::Admit);
        assert_eq!(
            l.check("a", t, 2),
            Verdict::Admit,
            "a new UTC day resets the quota"
        );

        let l = Limits::new("2/s".parse().unwrap(), None);
        assert_eq!(l.check("a", t, 1), Verdict::Admit);
        assert_eq!(l.check("a", t, 1), Verdict::Admit);
        assert_eq!(l.check("a", t, 1), Verdict::RateLimited);
        assert_eq!(
            l.check("a", t + Duration::from_millis(1100), 1),
            Verdict::Admit
        );
        assert!(Limits::new(RateSpec::off(), None).is_unlimited());
    }
}
