//! What the risk score histories of `fetch --risk-history` cost against the account's daily
//! quota, said before the first of them is asked for.

use std::fmt;
use std::time::Duration;

/// The daily quota is this many requests plus the account's licensed users.
pub const QUOTA_BASE: u64 = 2_000;

/// The histories about to be fetched, and what is known of the quota they come out of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryCost {
    pub users: u64,
    pub groups: u64,
    /// The account's `number_of_seats`, when it states one.
    pub seats: Option<u64>,
    /// Requests this run has sent so far, which came out of the same quota.
    pub sent_today: u64,
    /// How long they take at the fetch's pace; `None` when it is unpaced.
    pub time: Option<Duration>,
}

impl HistoryCost {
    /// One request per history: a history longer than a page (500 points, nearly ten years
    /// of weekly scores) costs more, which no listing tells beforehand.
    pub fn requests(&self) -> u64 {
        self.users + self.groups
    }

    pub fn quota(&self) -> Option<u64> {
        self.seats.map(|seats| QUOTA_BASE.saturating_add(seats))
    }
}

/// Thousands grouped, as people read request counts.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `3 h 20 min`, `12 min`, `40 s`: as long a wait reads.
fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs % 3600 / 60) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 100;
    }
    ((u128::from(part) * 100).div_ceil(u128::from(whole))) as u64
}

impl fmt::Display for HistoryCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64, one: &str, many: &str| {
            format!("{} {}", grouped(n), if n == 1 { one } else { many })
        };
        let mut subjects = Vec::new();
        if self.users > 0 {
            subjects.push(plural(self.users, "user", "users"));
        }
        if self.groups > 0 {
            subjects.push(plural(self.groups, "group", "groups"));
        }
        write!(
            f,
            "risk score history of {}: about {}",
            subjects.join(" and "),
            plural(self.requests(), "request", "requests"),
        )?;
        if let Some(time) = self.time {
            write!(f, " (about {} at this pace)", duration(time))?;
        }
        let Some(quota) = self.quota() else {
            return write!(
                f,
                ", out of a daily quota of {} plus the licensed users, which the account does not state; if the quota runs out, the snapshot is saved and `kb4graph fetch --resume` goes on after the quota resets (midnight UTC)",
                grouped(QUOTA_BASE)
            );
        };
        write!(
            f,
            ", {}% of the daily quota of {} ({} + {} licensed users)",
            percent(self.requests(), quota),
            grouped(quota),
            grouped(QUOTA_BASE),
            grouped(quota - QUOTA_BASE),
        )?;
        let left = quota.saturating_sub(self.sent_today);
        if self.sent_today > 0 {
            write!(
                f,
                ", of which this run has used {}",
                grouped(self.sent_today)
            )?;
        }
        if self.requests() > left {
            write!(
                f,
                "; more than is left today, so when it runs out the snapshot is saved and `kb4graph fetch --resume` goes on after the quota resets (midnight UTC), keeping every history already fetched"
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_the_cost_and_its_share_of_the_quota() {
        let cost = HistoryCost {
            users: 10_000,
            groups: 40,
            seats: Some(10_500),
            sent_today: 312,
            time: crate::rate::RateSpec::real().time_for(10_040),
        };
        assert_eq!(
            cost.to_string(),
            "risk score history of 10,000 users and 40 groups: about 10,040 requests (about 3 h 20 min at this pace), 81% of the daily quota of 12,500 (2,000 + 10,500 licensed users), of which this run has used 312"
        );
        let over = HistoryCost {
            users: 1,
            groups: 0,
            seats: Some(0),
            sent_today: 2_000,
            time: None,
        };
        let text = over.to_string();
        assert!(text.starts_with("risk score history of 1 user: about 1 request, 1% of the daily quota of 2,000 (2,000 + 0 licensed users)"), "{text}");
        assert!(
            text.contains("--resume") && text.contains("midnight UTC"),
            "{text}"
        );
        let unknown = HistoryCost {
            users: 0,
            groups: 3,
            seats: None,
            sent_today: 0,
            time: Some(Duration::from_secs(40)),
        };
        assert!(unknown.to_string().contains("does not state"), "{unknown}");
        assert!(
            unknown.to_string().contains("(about 40 s at this pace)"),
            "{unknown}"
        );
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }
}
