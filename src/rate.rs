//! Request-rate limits, spoken the same way by the client's pacer and the simulated API.
//!
//! The Reporting API documents 4 requests per second and a burst limit of 50 per minute, and
//! answers 429 past either. Both sides describe limits with one [`RateSpec`] (`real`, `off`, or
//! explicit windows such as `40/s,500/min`), so a test can run client and server "alike" at a
//! faster scale and prove the client never trips the server.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` requests in any window of length `per`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub max: u32,
    pub per: Duration,
}

/// A set of windows that must all hold; no windows means no limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateSpec {
    pub windows: Vec<Window>,
}

impl RateSpec {
    /// The documented limits of the real API: 4 requests per second, 50 per minute.
    pub fn real() -> Self {
        RateSpec {
            windows: vec![
                Window {
                    max: 4,
                    per: Duration::from_secs(1),
                },
                Window {
                    max: 50,
                    per: Duration::from_secs(60),
                },
            ],
        }
    }

    /// No limit at all.
    pub fn off() -> Self {
        RateSpec {
            windows: Vec::new(),
        }
    }

    pub fn is_off(&self) -> bool {
        self.windows.is_empty()
    }

    /// How long `requests` take at this pace once its windows are full, the tightest window
    /// ruling (the real API's 50 a minute, not its 4 a second); `None` without a limit.
    pub fn time_for(&self, requests: u64) -> Option<Duration> {
        self.windows
            .iter()
            .filter(|w| w.max > 0)
            .map(|w| w.per.mul_f64(requests as f64 / f64::from(w.max)))
            .max()
    }
}

impl Default for RateSpec {
    fn default() -> Self {
        RateSpec::real()
    }
}

/// Why a rate specification could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "invalid rate limit {spec:?}: {reason} (expected `real`, `off`, or windows like `4/s,50/min`; units s, min, h)"
)]
pub struct RateSpecError {
    spec: String,
    reason: String,
}

impl FromStr for RateSpec {
    type Err = RateSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| RateSpecError {
            spec: s.to_owned(),
            reason,
        };
        match s.trim() {
            "real" => return Ok(RateSpec::real()),
            "off" | "none" => return Ok(RateSpec::off()),
            "" => return Err(err("empty".into())),
            _ => {}
        }
        let mut windows = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            let (count, unit) = part
                .split_once('/')
                .ok_or_else(|| err(format!("`{part}` has no `/unit`")))?;
            let max: u32 = count
                .trim()
                .parse()
                .map_err(|_| err(format!("`{count}` is not a whole number")))?;
            if max == 0 {
                return Err(err(format!("`{part}` allows no request at all")));
            }
            let per = match unit.trim() {
                "s" | "sec" | "second" => Duration::from_secs(1),
                "min" | "minute" => Duration::from_secs(60),
                "h" | "hour" => Duration::from_secs(3600),
                other => return Err(err(format!("unknown unit `{other}`"))),
            };
            windows.push(Window { max, per });
        }
        Ok(RateSpec { windows })
    }
}

impl fmt::Display for RateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.windows.is_empty() {
            return f.write_str("off");
        }
        for (i, w) in self.windows.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let unit = match w.per.as_secs() {
                1 => "s".to_owned(),
                60 => "min".to_owned(),
                3600 => "h".to_owned(),
                _ => format!("{}ms", w.per.as_millis()),
            };
            write!(f, "{}/{unit}", w.max)?;
        }
        Ok(())
    }
}

/// The most recent admission times per window; only the last `max` of each matter.
#[derive(Debug)]
pub struct SlidingLimiter {
    windows: Vec<(Window, VecDeque<Instant>)>,
}

impl SlidingLimiter {
    pub fn new(spec: &RateSpec) -> Self {
        SlidingLimiter {
            windows: spec
                .windows
                .iter()
                .map(|w| (w.clone(), VecDeque::with_capacity(w.max as usize)))
                .collect(),
        }
    }

    /// Server side: admits and records a request arriving at `now` if every window has room;
    /// a refused request is not recorded.
    pub fn try_admit(&mut self, now: Instant) -> bool {
        let full = self.windows.iter().any(|(w, times)| {
            times.len() >= w.max as usize
                && times
                    .front()
                    .is_some_and(|&oldest| now.saturating_duration_since(oldest) < w.per)
        });
        if full {
            return false;
        }
        self.record(now);
        true
    }

    /// Client side: the earliest instant at or after `now` (and after every earlier
    /// reservation) at which a request keeps every window, widened by `margin`, within its
    /// limit. The instant is recorded as taken.
    pub fn reserve(&mut self, now: Instant, margin: Duration) -> Instant {
        let mut at = self
            .windows
            .iter()
            .filter_map(|(_, times)| times.back().copied())
            .fold(now, Instant::max);
        // Moving later only empties windows, so a few passes settle every window at once.
        loop {
            let mut moved = false;
            for (w, times) in &self.windows {
                if times.len() >= w.max as usize
                    && let Some(&oldest) = times.front()
                {
                    let free_at = oldest + w.per + margin;
                    if free_at > at {
                        at = free_at;
                        moved = true;
                    }
                }
            }
            if !moved {
                break;
            }
        }
        self.record(at);
        at
    }

    fn record(&mut self, at: Instant) {
        for (w, times) in &mut self.windows {
            times.push_back(at);
            while times.len() > w.max as usize {
                times.pop_front();
            }
        }
    }
}

/// Shared by every task of a fetch: each request, retries included, waits its turn here.
#[derive(Debug)]
pub struct Pacer {
    limiter: Mutex<SlidingLimiter>,
    margin: Duration,
}

impl Pacer {
    /// Safety margin added to every window: requests leave the client evenly spaced but reach
    /// the server with network and scheduling jitter (a busy machine may wake a waiting task
    /// late), which may bunch them up again. Under the real limits the per-minute window
    /// decides the pace, so the margin costs well under a percent of it.
    pub const DEFAULT_MARGIN: Duration = Duration::from_millis(150);

    pub fn new(spec: &RateSpec) -> Self {
        Self::with_margin(spec, Self::DEFAULT_MARGIN)
    }

    pub fn with_margin(spec: &RateSpec, margin: Duration) -> Self {
        Pacer {
            limiter: Mutex::new(SlidingLimiter::new(spec)),
            margin,
        }
    }

    /// Waits until one more request may be sent.
    pub async fn acquire(&self) {
        let at = {
            let mut limiter = self
                .limiter
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if limiter.windows.is_empty() {
                return;
            }
            limiter.reserve(Instant::now(), self.margin)
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_window_rules_how_long_requests_take() {
        assert_eq!(
            RateSpec::real().time_for(3_000),
            Some(Duration::from_secs(3_600))
        );
        let spec: RateSpec = "40/s".parse().unwrap();
        assert_eq!(spec.time_for(400), Some(Duration::from_secs(10)));
        assert_eq!(RateSpec::off().time_for(1_000), None);
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!("real".parse::<RateSpec>().unwrap(), RateSpec::real());
        assert_eq!("off".parse::<RateSpec>().unwrap(), RateSpec::off());
        let spec: RateSpec = " 40/s, 500/min ".parse().unwrap();
        assert_eq!(spec.to_string(), "40/s,500/min");
        assert_eq!(RateSpec::real().to_string(), "4/s,50/min");
        assert_eq!(RateSpec::off().to_string(), "off");
        for bad in ["", "4", "x/s", "4/fortnight", "0/s", "4/s,"] {
            assert!(
                bad.parse::<RateSpec>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn server_refuses_past_a_window() {
        let spec: RateSpec = "2/s".parse().unwrap();
        let mut l = SlidingLimiter::new(&spec);
        let t0 = Instant::now();
        assert!(l.try_admit(t0));
        assert!(l.try_admit(t0 + Duration::from_millis(10)));
        assert!(!l.try_admit(t0 + Duration::from_millis(999)));
        assert!(l.try_admit(t0 + Duration::from_millis(1000)));
        assert!(!l.try_admit(t0 + Duration::from_millis(1009)));
        assert!(l.try_admit(t0 + Duration::from_millis(1010)));
    }

    #[test]
    fn client_reservations_never_trip_the_server() {
        let spec: RateSpec = "4/s,10/min".parse().unwrap();
        let mut client = SlidingLimiter::new(&spec);
        let mut server = SlidingLimiter::new(&spec);
        let t0 = Instant::now();
        let mut last = t0;
        for i in 0..40 {
            let at = client.reserve(t0, Duration::ZERO);
            assert!(at >= last, "reservations go forward");
            last = at;
            assert!(server.try_admit(at), "request {i} at {:?}", at - t0);
        }
        // 40 requests at 10/min need at least three full minutes.
        assert!(last - t0 >= Duration::from_secs(180));
    }
}
