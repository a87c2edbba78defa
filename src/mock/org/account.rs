//! The account object and risk score histories.

use super::people::date;
use super::{Org, RECENT_HISTORY_DAYS};
use crate::mock::json::{self, Obj};
use crate::mock::rng::{Rng, hash, tag};

/// How many users the simulator looks through for an admin named like the first one.
const NAMESAKE_SEARCH: u64 = 2_000;

/// Weekly risk score points, newest first, addressed by position. The weeks are counted from
/// `ref_day`, so a simulated week later one point is added and the others keep their dates
/// and scores.
#[derive(Debug, Clone, Copy)]
pub struct History {
    key: u64,
    ref_day: i64,
    newest_day: i64,
    len: u64,
    base: u64,
}

impl History {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn render(&self, seed: u64, i: u64, buf: &mut Vec<u8>) {
        // A bounded random walk around the subject's base score, computed point by point.
        let day = self.newest_day - 7 * i as i64;
        let weeks_before_ref = (self.ref_day - day).div_euclid(7);
        let wiggle = hash(seed, self.key, weeks_before_ref.div_euclid(4) as u64) % 120;
        let score = (self.base + wiggle).saturating_sub(60).min(1000) as f64 / 10.0;
        let mut o = Obj::new(buf);
        o.float("risk_score", score).str("date", &date(day));
        o.end();
    }
}

impl Org {
    /// The history of subject `(what, id)` that began on `since_day`; without `full` only the
    /// last six months are served.
    pub fn history(&self, what: &str, id: u64, since_day: i64, full: bool) -> History {
        let newest_day = self.ref_day + 7 * (self.today - self.ref_day).div_euclid(7);
        let weeks = ((newest_day - since_day).max(0) / 7) as u64 + 1;
        let len = if full {
            weeks
        } else {
            weeks.min((RECENT_HISTORY_DAYS / 7) as u64)
        };
        let key = hash(self.seed, tag(what), id);
        History {
            key,
            ref_day: self.ref_day,
            newest_day,
            len,
            base: 100 + key % 700,
        }
    }

    pub fn account_history(&self, full: bool) -> History {
        self.history("account-history", 0, self.ref_day - 3 * 365, full)
    }

    pub fn user_history(&self, p: u64, full: bool) -> History {
        let since = self.person(p).joined_day.max(self.ref_day - 2 * 365);
        self.history("user-history", p, since, full)
    }

    pub fn group_history(&self, g: u32, full: bool) -> History {
        self.history(
            "group-history",
            g as u64,
            self.ref_day - 2 * 365 + g as i64 % 300,
            full,
        )
    }

    pub fn render_account(&self, buf: &mut Vec<u8>) {
        let mut r = Rng::new(self.seed, tag("account-render"), 0);
        let (name, d1, d2) = self.account;
        let mut o = Obj::new(buf);
        o.str("name", name);
        o.str(
            "type",
            if self.spec.trial_account {
                "trial"
            } else {
                "paid"
            },
        );
        o.with("domains", |b| json::array(b, [d1, d2], json::string));
        let admins = self.spec.active_users.min(2);
        // A third admin shares the first one's last name, as colleagues and relatives do: their
        // names must stay paired with their addresses in every format.
        let namesake = (admins == 2)
            .then(|| {
                let last = self.person(0).last;
                (2..self.spec.active_users.min(NAMESAKE_SEARCH))
                    .find(|&p| self.person(p).last == last)
            })
            .flatten();
        let listed: Vec<u64> = (0..admins.max(1)).chain(namesake).collect();
        o.with("admins", |b| {
            json::array(b, listed.iter().copied(), |b, p| {
                let mut a = Obj::new(b);
                if admins == 0 {
                    // No users at all: the account owner still exists as an admin.
                    a.uint("id", 1)
                        .str("first_name", "Account")
                        .str("last_name", "Owner");
                    a.str("email", &format!("owner@{d1}"));
                } else {
                    let person = self.person(p);
                    a.uint("id", person.id)
                        .str("first_name", person.first)
                        .str("last_name", person.last);
                    a.str("email", &person.email);
                }
                a.end();
            })
        });
        if !self.spec.trial_account {
            o.str("subscription_level", r.pick_str(&["Platinum", "Diamond"]));
            o.str(
                "subscription_end_date",
                &date(self.ref_day + 90 + r.below(600) as i64),
            );
            let seats = self.spec.active_users + self.spec.active_users / 10 + 10;
            o.uint("number_of_seats", seats);
        }
        o.float("current_risk_score", r.below(1000) as f64 / 10.0);
        o.end();
    }
}
