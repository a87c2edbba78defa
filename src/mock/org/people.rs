//! Users: ids, identities and the user record, for active, archived and deleted people alike.

use super::text::*;
use super::{GroupKind, Org};
use crate::mock::json::{self, Obj};
use crate::mock::rng::{Rng, guid, hash, tag};

/// Ids above 2^31 and 2^32 catch clients that truncate ids to 32 bits.
const BIG_ID_1: u64 = 2_200_000_000;
const BIG_ID_2: u64 = 4_400_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKind {
    Active,
    Archived,
    /// Known only from phishing results.
    Deleted,
}

/// What every mention of a person (user record, recipient, enrollment) agrees on.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: u64,
    pub kind: PersonKind,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub guid: Option<String>,
    /// Digits with leading zeros on users; the enrollment endpoint gives the same number as an
    /// integer (zeros lost).
    pub employee_number: Option<String>,
    pub joined_day: i64,
}

pub fn datetime(day: i64, second_of_day: u64) -> String {
    crate::timefmt::format_datetime_millis((day * 86_400 + (second_of_day % 86_400) as i64) * 1000)
}

/// `jane.doe1@acme.example` -> `Jane.doe1@Acme.example`: the same mailbox to every mail system.
fn capitalized_address(address: &str) -> String {
    let parts: Vec<String> = address
        .split('@')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    parts.join("@")
}

pub fn date(day: i64) -> String {
    crate::timefmt::format_date(day)
}

impl Org {
    /// People of day 0 (hires come after them).
    pub fn people(&self) -> u64 {
        self.spec.active_users + self.spec.archived_users + self.spec.deleted_users
    }

    pub fn user_id(&self, p: u64) -> u64 {
        match p % 16 {
            7 => BIG_ID_1 + p,
            13 => BIG_ID_2 + p,
            _ => self.ids.user + p,
        }
    }

    /// The person index of a user id, if that id belongs to anyone.
    pub fn person_of(&self, id: u64) -> Option<u64> {
        let (p, ok) = if id >= BIG_ID_2 {
            let p = id - BIG_ID_2;
            (p, p % 16 == 13)
        } else if id >= BIG_ID_1 {
            let p = id - BIG_ID_1;
            (p, p % 16 == 7)
        } else {
            let p = id.checked_sub(self.ids.user)?;
            (p, p % 16 != 7 && p % 16 != 13)
        };
        (ok && p < self.people() + self.hires.len() as u64).then_some(p)
    }

    pub fn kind_of(&self, p: u64) -> PersonKind {
        if p < self.spec.active_users {
            if self.archived_on.contains_key(&p) {
                PersonKind::Archived
            } else {
                PersonKind::Active
            }
        } else if p < self.spec.active_users + self.spec.archived_users {
            PersonKind::Archived
        } else if p < self.people() {
            PersonKind::Deleted
        } else {
            PersonKind::Active
        }
    }

    /// The active person whose former account `p` is, for one in six of the accounts archived
    /// or deleted before day 0: someone who left and was hired again under the same address,
    /// as happens in real accounts (the old account spelling it in other case about half the
    /// time).
    pub fn former_of(&self, p: u64) -> Option<u64> {
        if p < self.spec.active_users || p >= self.people() || self.spec.active_users == 0 {
            return None;
        }
        let h = hash(self.seed, tag("former"), p);
        h.is_multiple_of(6)
            .then(|| (h / 6) % self.spec.active_users)
    }

    /// Whose identity person `p` has: this account's, or for a shared person the other
    /// account's (its seed and its name and domains), so that both draw the same person.
    fn identity_of(&self, p: u64) -> (u64, (&'static str, &'static str, &'static str)) {
        match self.spec.shared_people {
            Some(other)
                if p < self.spec.active_users
                    && hash(self.seed ^ other, tag("shared"), p).is_multiple_of(4) =>
            {
                (other, super::account_of(other, &self.spec))
            }
            _ => (self.seed, self.account),
        }
    }

    pub fn person(&self, p: u64) -> Person {
        if let Some(now) = self.former_of(p) {
            let now = self.person(now);
            let mut r = Rng::new(self.seed, tag("former-person"), p);
            let email = if r.chance(50) {
                capitalized_address(&now.email)
            } else {
                now.email
            };
            return Person {
                id: self.user_id(p),
                kind: self.kind_of(p),
                guid: r.chance(40).then(|| guid(r.next(), r.next())),
                email,
                joined_day: now.joined_day - 400 - r.below(2000) as i64,
                ..now
            };
        }
        let (seed, account) = self.identity_of(p);
        let mut r = Rng::new(seed, tag("person"), p);
        let (first, first_ascii) = *r.pick(self.spec.texts.pools().first_names);
        let (last, last_ascii) = *r.pick(self.spec.texts.pools().last_names);
        let domain = if r.chance(90) { account.1 } else { account.2 };
        let managed = r.chance(40);
        let g = guid(r.next(), r.next());
        let employee_number = r.chance(85).then(|| format!("{:06}", r.below(1_000_000)));
        Person {
            id: self.user_id(p),
            kind: self.kind_of(p),
            first,
            last,
            email: format!("{first_ascii}.{last_ascii}{p}@{domain}"),
            guid: managed.then_some(g),
            employee_number,
            joined_day: match self.hire_of(p) {
                Some(i) => self.ref_day + self.hires[i].day as i64,
                None => self.ref_day - 30 - r.below(2500) as i64,
            },
        }
    }

    /// Ids of the console and AD-managed groups `p` belongs to; smart groups are deliberately
    /// left out, as the real API only lists them from the group side.
    pub fn listed_groups_of(&self, p: u64) -> Vec<u32> {
        if self.kind_of(p) != PersonKind::Active {
            return Vec::new();
        }
        (0..self.groups.len() as u32)
            .filter(|&g| {
                let meta = &self.groups[g as usize];
                meta.kind != GroupKind::Smart && meta.roster.index_of(p).is_some()
            })
            .collect()
    }

    pub fn render_user(&self, p: u64, expand_groups: bool, buf: &mut Vec<u8>) {
        let person = self.person(p);
        let mut r = Rng::new(self.seed, tag("user"), p);
        // True for the share of records where the field is null.
        let nul = |r: &mut Rng, percent| r.chance(percent);
        let mut o = Obj::new(buf);
        o.uint("id", person.id);
        o.opt_str("employee_number", person.employee_number.as_deref());
        o.str("first_name", person.first)
            .str("last_name", person.last);
        let job = (!nul(&mut r, 12)).then(|| *r.pick(self.spec.texts.pools().job_titles));
        o.opt_str("job_title", job);
        o.str("email", &person.email);
        o.float("phish_prone_percentage", r.below(600) as f64 / 10.0);
        let phone = (!nul(&mut r, 30))
            .then(|| format!("+1 (555) 01{:x}-{:04}", r.below(10), r.below(10_000)));
        o.opt_str("phone_number", phone.as_deref());
        let ext = (!nul(&mut r, 70)).then(|| format!("{}", 100 + r.below(900)));
        o.opt_str("extension", ext.as_deref());
        let mobile = (!nul(&mut r, 50)).then(|| format!("+44 7700 9{:05}", r.below(100_000)));
        o.opt_str("mobile_phone_number", mobile.as_deref());
        let loc = (!nul(&mut r, 15)).then(|| *r.pick(LOCATIONS));
        o.opt_str("location", loc);
        let div = (!nul(&mut r, 40)).then(|| *r.pick(DIVISIONS));
        o.opt_str("division", div);
        let manager = (p > 0 && !nul(&mut r, 30)).then(|| self.person(p / 7));
        match &manager {
            Some(m) => {
                o.str("manager_name", &format!("{} {}", m.first, m.last));
                o.str("manager_email", &m.email);
            }
            None => {
                o.null("manager_name").null("manager_email");
            }
        }
        let old_names = self.drifted("users", p, 13);
        let (managed_key, guid_key) = if old_names {
            ("adi_manageable", "adi_guid")
        } else {
            ("provisioning_managed", "provisioning_guid")
        };
        o.bool(managed_key, person.guid.is_some());
        o.opt_str(guid_key, person.guid.as_deref());
        let groups = self.listed_groups_of(p);
        o.with("groups", |b| {
            json::array(b, groups, |b, g| {
                if expand_groups {
                    self.render_group(g, b);
                } else {
                    json::int(b, self.groups[g as usize].id as i64);
                }
            })
        });
        o.float("current_risk_score", r.below(1000) as f64 / 10.0);
        let local = person.email.split('@').next().unwrap_or_default();
        let alias = r.chance(15).then(|| format!("{local}@{}", self.account.2));
        o.with("aliases", |b| {
            json::array(b, alias.iter(), |b, a| json::string(b, a))
        });
        o.str("joined_on", &datetime(person.joined_day, r.next()));
        let since = (self.ref_day - person.joined_day).max(1) as u64;
        let last_sign_in = (!nul(&mut r, 25))
            .then(|| datetime(self.ref_day - r.below(since.min(400)) as i64, r.next()))
            // Someone hired after the reference day has not signed in yet.
            .filter(|_| self.hire_of(p).is_none());
        o.opt_str("last_sign_in", last_sign_in.as_deref());
        let archived = person.kind != PersonKind::Active;
        o.str("status", if archived { "archived" } else { "active" });
        let start = (!nul(&mut r, 35)).then(|| datetime(person.joined_day - r.below(90) as i64, 0));
        o.opt_str("employee_start_date", start.as_deref());
        // A simulated departure draws from its own stream: the fields after this one keep
        // their day-0 values.
        let archived_at = match self.archived_day(p) {
            Some(k) => Some(datetime(
                self.ref_day + k as i64,
                hash(self.seed, tag("sim-archived-at"), p),
            )),
            None => archived.then(|| datetime(self.ref_day - 1 - r.below(since) as i64, r.next())),
        };
        o.opt_str("archived_at", archived_at.as_deref());
        let org_name = (!nul(&mut r, 30)).then(|| *r.pick(ORGANIZATIONS));
        o.opt_str("organization", org_name);
        o.opt_str("department", self.department(p));
        let lang = (!nul(&mut r, 20)).then(|| *r.pick(LANGUAGES));
        o.opt_str("language", lang);
        let comment = (!nul(&mut r, 60)).then(|| *r.pick(self.spec.texts.pools().comments));
        o.opt_str("comment", comment);
        for k in [
            "custom_field_1",
            "custom_field_2",
            "custom_field_3",
            "custom_field_4",
        ] {
            let v = (!nul(&mut r, 75)).then(|| *r.pick(self.spec.texts.pools().custom_fields));
            o.opt_str(k, v);
        }
        for k in ["custom_date_1", "custom_date_2"] {
            let v = (!nul(&mut r, 80)).then(|| date(self.ref_day - r.below(3000) as i64));
            o.opt_str(k, v.as_deref());
        }
        if self.drifted("users-extra", p, 11) {
            // A field added by a newer API version.
            o.bool(
                "mfa_enrolled",
                hash(self.seed, tag("mfa"), p).is_multiple_of(2),
            );
        }
        o.end();
    }

    /// A user's department: for a former account most often the one its person has now (one
    /// in five moved).
    fn department(&self, p: u64) -> Option<&'static str> {
        if let Some(now) = self.former_of(p)
            && !hash(self.seed, tag("moved"), p).is_multiple_of(5)
        {
            return self.department(now);
        }
        let mut r = Rng::new(self.seed, tag("department"), p);
        (!r.chance(20)).then(|| *r.pick(self.spec.texts.pools().departments))
    }

    /// The small user object embedded in phishing results.
    pub fn render_recipient_user(&self, p: u64, old_names: bool, buf: &mut Vec<u8>) {
        let person = self.person(p);
        let mut o = Obj::new(buf);
        o.uint("id", person.id);
        o.opt_str(
            if old_names {
                "active_directory_guid"
            } else {
                "provisioning_guid"
            },
            person.guid.as_deref(),
        );
        o.str("first_name", person.first)
            .str("last_name", person.last)
            .str("email", &person.email);
        o.end();
    }
}
