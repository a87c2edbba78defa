//! Fault injection: which request fails, and how.
//!
//! A request's fault is drawn from `hash(seed, "path?query", n)` where `n` counts earlier
//! requests with the same path and query. The same sequence of requests therefore meets the
//! same faults however the client interleaves them, and a retry gets a fresh, independent draw.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::rng::{hash, tag};

/// The ways a response can go wrong, in the order rates are listed and drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// HTTP 500 with a JSON error.
    ServerError,
    /// HTTP 503 (maintenance) with a JSON error.
    Unavailable,
    /// HTTP 429 not caused by the configured limits.
    TooManyRequests,
    /// A normal answer after `FaultSpec::delay`.
    Slow,
    /// Headers with the full Content-Length, part of the body, then the connection is cut.
    Drop,
    /// HTTP 200 whose body is not JSON (a maintenance page or garbage).
    Malformed,
    /// HTTP 200 with JSON cut short; Content-Length matches the cut body.
    Truncated,
}

impl FaultKind {
    pub const ALL: [FaultKind; 7] = [
        FaultKind::ServerError,
        FaultKind::Unavailable,
        FaultKind::TooManyRequests,
        FaultKind::Slow,
        FaultKind::Drop,
        FaultKind::Malformed,
        FaultKind::Truncated,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultKind::ServerError => "500",
            FaultKind::Unavailable => "503",
            FaultKind::TooManyRequests => "429",
            FaultKind::Slow => "slow",
            FaultKind::Drop => "drop",
            FaultKind::Malformed => "malformed",
            FaultKind::Truncated => "truncated",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

pub const DEFAULT_DELAY: Duration = Duration::from_millis(2000);

/// How often each fault happens (fractions in `0..=1`, summing to at most 1) and how slow
/// "slow" is.
///
/// Grammar (`FromStr`/`Display`): `none`, or comma-separated items `kind=rate` with kind one of
/// `500 503 429 slow drop malformed truncated all` and rate a fraction (`0.02`) or a percentage
/// (`2%`); `all=R` spreads R evenly over the seven kinds; `delay=1500ms` (or `2s`) sets the
/// slow delay (default 2000ms); `echo` makes every response copy the request's
/// `Authorization` header into `X-Request-Id` and other headers, as a careless proxy or server
/// might (a test that the client never writes or logs what it is sent back). Later items
/// override earlier ones for the same kind.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    pub rates: [f64; 7],
    pub delay: Duration,
    /// Echo the `Authorization` header back in response headers.
    pub echo_authorization: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec {spec:?}: {reason}")]
pub struct FaultSpecError {
    pub spec: String,
    pub reason: String,
}

impl Default for FaultSpec {
    fn default() -> Self {
        Self::none()
    }
}

impl FaultSpec {
    pub fn none() -> Self {
        FaultSpec {
            rates: [0.0; 7],
            delay: DEFAULT_DELAY,
            echo_authorization: false,
        }
    }

    /// `total` spread evenly over every kind.
    pub fn all(total: f64) -> Self {
        FaultSpec {
            rates: [total / 7.0; 7],
            delay: DEFAULT_DELAY,
            echo_authorization: false,
        }
    }

    pub fn with(mut self, kind: FaultKind, rate: f64) -> Self {
        self.rates[kind.index()] = rate;
        self
    }

    pub fn rate(&self, kind: FaultKind) -> f64 {
        self.rates[kind.index()]
    }

    /// No fault is drawn (echoing, which applies to every response, is not drawn).
    pub fn is_none(&self) -> bool {
        self.rates.iter().all(|r| *r <= 0.0)
    }

    /// The fault for the `n`-th occurrence (from 0) of request `key` ("path?query").
    pub fn decide(&self, seed: u64, key: &str, n: u64) -> Option<FaultKind> {
        if self.is_none() {
            return None;
        }
        let u = (hash(seed ^ tag("fault"), tag(key), n) >> 11) as f64 / (1u64 << 53) as f64;
        let mut acc = 0.0;
        for kind in FaultKind::ALL {
            acc += self.rate(kind);
            if u < acc {
                return Some(kind);
            }
        }
        None
    }
}

fn parse_rate(spec: &str, v: &str) -> Result<f64, FaultSpecError> {
    let err = |reason: &str| FaultSpecError {
        spec: spec.to_string(),
        reason: reason.to_string(),
    };
    let v = v.trim();
    let (num, scale) = match v.strip_suffix('%') {
        Some(p) => (p.trim(), 100.0),
        None => (v, 1.0),
    };
    let x: f64 = num
        .parse()
        .map_err(|_| err("rate must be a fraction or a percentage"))?;
    let x = x / scale;
    if !x.is_finite() || !(0.0..=1.0).contains(&x) {
        return Err(err("rate must be between 0 and 1 (0% and 100%)"));
    }
    Ok(x)
}

fn parse_delay(spec: &str, v: &str) -> Result<Duration, FaultSpecError> {
    let v = v.trim();
    let (num, ms_per_unit) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000)
    } else {
        (v, 1)
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(ms_per_unit))
        .filter(|ms| *ms <= 600_000)
        .map(Duration::from_millis)
        .ok_or_else(|| FaultSpecError {
            spec: spec.to_string(),
            reason: "delay must look like 1500ms or 2s (at most 10 minutes)".into(),
        })
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::none();
        let trimmed = s.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("none") {
            return Ok(spec);
        }
        for item in trimmed.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            if item.eq_ignore_ascii_case("echo") {
                spec.echo_authorization = true;
                continue;
            }
            let (k, v) = item.split_once('=').ok_or_else(|| FaultSpecError {
                spec: s.to_string(),
                reason: format!("{item:?} is not kind=rate"),
            })?;
            let k = k.trim().to_ascii_lowercase();
            match k.as_str() {
                "delay" => spec.delay = parse_delay(s, v)?,
                "all" => {
                    let r = parse_rate(s, v)?;
                    spec.rates = [r / 7.0; 7];
                }
                _ => {
                    let kind = FaultKind::ALL
                        .into_iter()
                        .find(|kind| kind.name() == k)
                        .ok_or_else(|| FaultSpecError {
                            spec: s.to_string(),
                            reason: format!(
                                "unknown fault kind {k:?} (expected 500, 503, 429, slow, drop, malformed, truncated, all, delay, echo)"
                            ),
                        })?;
                    spec.rates[kind.index()] = parse_rate(s, v)?;
                }
            }
        }
        if spec.rates.iter().sum::<f64>() > 1.0 + 1e-9 {
            return Err(FaultSpecError {
                spec: s.to_string(),
                reason: "rates add up to more than 100%".into(),
            });
        }
        Ok(spec)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = FaultKind::ALL
            .into_iter()
            .filter(|k| self.rate(*k) > 0.0)
            .map(|k| format!("{}={}", k.name(), self.rate(k)))
            .collect();
        if !items.is_empty() && self.delay != DEFAULT_DELAY {
            items.push(format!("delay={}ms", self.delay.as_millis()));
        }
        if self.echo_authorization {
            items.push("echo".to_owned());
        }
        if items.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&items.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_grammar() {
        let s: FaultSpec = "500=0.02,drop=1%".parse().unwrap();
        assert_eq!(s.rate(FaultKind::ServerError), 0.02);
        assert_eq!(s.rate(FaultKind::Drop), 0.01);
        assert_eq!(s.rate(FaultKind::Slow), 0.0);
        let a: FaultSpec = "all=10%,delay=1500ms".parse().unwrap();
        for k in FaultKind::ALL {
            assert!((a.rate(k) - 0.1 / 7.0).abs() < 1e-12);
        }
        assert_eq!(a.delay, Duration::from_millis(1500));
        assert!(!a.echo_authorization);
        let e: FaultSpec = "echo,503=1%".parse().unwrap();
        assert!(e.echo_authorization && e.rate(FaultKind::Unavailable) == 0.01);
        assert_eq!("none".parse::<FaultSpec>().unwrap(), FaultSpec::none());
        assert_eq!(
            "slow=1,delay=2s".parse::<FaultSpec>().unwrap().delay,
            Duration::from_secs(2)
        );
        for bad in [
            "x=1",
            "500",
            "500=2",
            "500=-1%",
            "500=0.6,503=0.6",
            "delay=fast",
            "500=nan",
        ] {
            assert!(bad.parse::<FaultSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "none",
            "500=0.02,drop=0.01",
            "all=0.1,delay=1500ms",
            "truncated=1",
            "echo",
            "500=0.1,echo",
        ] {
            let a: FaultSpec = s.parse().unwrap();
            let b: FaultSpec = a.to_string().parse().unwrap();
            assert_eq!(a, b, "{s} -> {a}");
        }
        assert_eq!(FaultSpec::none().to_string(), "none");
    }

    #[test]
    fn decisions_are_deterministic_and_roughly_at_rate() {
        let s: FaultSpec = "500=0.2".parse().unwrap();
        let hits = (0..10_000)
            .filter(|n| s.decide(1, "/v1/users?page=1", *n).is_some())
            .count();
        assert!((1700..2300).contains(&hits), "{hits}");
        assert_eq!(s.decide(1, "/v1/users", 3), s.decide(1, "/v1/users", 3));
        assert_eq!(FaultSpec::none().decide(1, "/v1/users", 0), None);
        let all: FaultSpec = "truncated=1".parse().unwrap();
        assert_eq!(all.decide(5, "/x", 0), Some(FaultKind::Truncated));
    }
}
