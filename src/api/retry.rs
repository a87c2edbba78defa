//! When to try a request again and how long to wait first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How often and how patiently a failed request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` requests per page).
    pub max_retries: u32,
    /// The backoff ceiling of the first retry; it doubles with every retry.
    pub base_delay: Duration,
    /// No single wait is longer than this; a `Retry-After` beyond it ends the retries.
    pub max_delay: Duration,
    /// 429s with nothing but 429s between them for this long mean the daily quota is spent
    /// (the API sends no header saying which limit answered, and the per-second and
    /// per-minute windows clear within a minute).
    pub quota_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 8,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            quota_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Full jitter (a uniform wait between zero and the exponential ceiling) keeps concurrent
    /// workers that failed together from retrying together. `retry` counts from 0.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        let jittered = ceiling.mul_f64(unit_random());
        match retry_after {
            Some(wait) => wait.max(jittered),
            None => jittered,
        }
    }
}

/// What a response status means for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Success,
    /// Worth another attempt after a wait.
    Transient,
    /// Will fail the same way again.
    Fatal,
}

pub fn classify_status(status: u16) -> StatusClass {
    match status {
        200..=299 => StatusClass::Success,
        408 | 429 | 500 | 502 | 503 | 504 => StatusClass::Transient,
        _ => StatusClass::Fatal,
    }
}

/// `Retry-After` in its delta-seconds form. KnowBe4 has not been seen sending one; the HTTP-date
/// form is ignored (the exponential backoff applies instead).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Absurdly long digit strings saturate instead of failing.
    Some(Duration::from_secs(
        value.parse::<u64>().unwrap_or(u64::MAX),
    ))
}

/// A uniform number in [0, 1). Jitter needs no cryptographic quality, only spread between
/// workers and runs: splitmix64 over the clock and a process-wide counter.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut z = nanos.wrapping_add(
        COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        for status in [429, 500, 502, 503, 504] {
            assert_eq!(classify_status(status), StatusClass::Transient, "{status}");
        }
        for status in [400, 401, 403, 404, 406, 501] {
            assert_eq!(classify_status(status), StatusClass::Fatal, "{status}");
        }
        assert_eq!(classify_status(200), StatusClass::Success);
    }

    #[test]
    fn retry_after_seconds_only() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after(""), None);
    }

    #[test]
    fn backoff_is_bounded_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_retries: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        for retry in 0..100 {
            let wait = policy.backoff(retry, None);
            assert!(wait <= Duration::from_secs(2), "{wait:?}");
            let ceiling = Duration::from_millis(100)
                .saturating_mul(2u32.saturating_pow(retry))
                .min(Duration::from_secs(2));
            assert!(wait <= ceiling, "{retry}: {wait:?}");
        }
        assert!(policy.backoff(0, Some(Duration::from_secs(1))) >= Duration::from_secs(1));
    }

    #[test]
    fn jitter_spreads() {
        let values: Vec<f64> = (0..64).map(|_| unit_random()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        assert!(values.windows(2).any(|w| w[0] != w[1]));
    }
}
