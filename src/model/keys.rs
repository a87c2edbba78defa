//! `_key`s (DESIGN.md "Data model") and the exact `_key` order of relationships.
//!
//! Relationship keys are not stored: `<fromKey>|<class>|<toKey>[|<enrollmentId>]` for millions
//! of relationships would be the largest thing in memory. Sorting them by that string without
//! building it relies on two ranks per entity: its rank by key, and its rank by key followed by
//! `|`. Those differ when one key is a prefix of another (`knowbe4:user:1` sorts before
//! `knowbe4:user:10`, but `knowbe4:user:1|...` after `knowbe4:user:10|...`). Comparing
//! relationships by those ranks gives exactly the string order unless a key contains `|`
//! itself (only names can), and then the keys are built and compared.

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::graph::{EntityRec, RelRec};
use super::intern::StrArena;
use super::props::PropStore;

/// Appends a relationship's `_key`: `<fromKey>|<class lowercased>|<toKey>`, then
/// `|<enrollmentId>` for the relationships that stand for one enrollment each.
pub(crate) fn write_relationship_key(
    out: &mut String,
    from: &str,
    key_class: &str,
    to: &str,
    enrollment: Option<i64>,
) {
    out.push_str(from);
    out.push('|');
    out.push_str(key_class);
    out.push('|');
    out.push_str(to);
    if let Some(id) = enrollment {
        let _ = write!(out, "|{id}");
    }
}

/// A relationship's `_key`; see [`write_relationship_key`].
pub(crate) fn relationship_key(
    from: &str,
    key_class: &str,
    to: &str,
    enrollment: Option<i64>,
) -> String {
    let mut out = String::with_capacity(from.len() + key_class.len() + to.len() + 24);
    write_relationship_key(&mut out, from, key_class, to, enrollment);
    out
}

/// How a relationship's `_key` is made, for messages about one that is not.
pub(crate) fn relationship_key_shape(key_class: &str, per_enrollment: bool) -> String {
    let tail = if per_enrollment {
        "|<enrollmentId>"
    } else {
        ""
    };
    format!("<source _key>|{key_class}|<target _key>{tail}")
}

pub(crate) fn account_key(out: &mut String, name: &str) {
    out.push_str("knowbe4:account:");
    out.push_str(&name.to_lowercase());
}

pub(crate) fn id_key(out: &mut String, prefix: &str, id: i64) {
    out.push_str(prefix);
    let _ = write!(out, "{id}");
}

/// How every key of a combined graph of several accounts starts: `knowbe4:acct:<account>:`,
/// followed by the key within the account without its `knowbe4:`.
pub const SCOPED: &str = "knowbe4:acct:";

/// Appends `key` of account `account` as a combined graph holds it.
pub(crate) fn scoped_key(out: &mut String, account: &str, key: &str) {
    out.push_str(SCOPED);
    out.push_str(account);
    out.push(':');
    out.push_str(key.strip_prefix("knowbe4:").unwrap_or(key));
}

/// The account a key of a combined graph is scoped by, if it is.
pub(crate) fn scope_of(key: &str) -> Option<&str> {
    key.strip_prefix(SCOPED)?
        .split_once(':')
        .map(|(account, _)| account)
}

pub(crate) const USER: &str = "knowbe4:user:";
pub(crate) const GROUP: &str = "knowbe4:group:";
pub(crate) const TRAINING_CAMPAIGN: &str = "knowbe4:training:campaign:";
pub(crate) const PURCHASE: &str = "knowbe4:training:purchase:";
pub(crate) const POLICY: &str = "knowbe4:training:policy:";
pub(crate) const MODULE_NAME: &str = "knowbe4:training:name:";
pub(crate) const PHISHING_CAMPAIGN: &str = "knowbe4:phishing:campaign:";
pub(crate) const SECURITY_TEST: &str = "knowbe4:phishing:security_test:";

pub(crate) const PHISHING_CATEGORY: &str = "knowbe4:phishing:category:";

/// Followed by the person's address, trimmed and lowercased.
pub(crate) const PERSON: &str = "knowbe4:person:";

pub(crate) const RISK_SCORE: &str = "knowbe4:risk_score:";

/// Whose risk score history a point belongs to. Ordered as their keys are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RiskSubject {
    Account,
    Group(i64),
    User(i64),
}

/// A risk score history point's key: its subject and its date (`days` since the epoch).
pub(crate) fn risk_score_key(out: &mut String, subject: RiskSubject, days: i64) {
    let _ = match subject {
        RiskSubject::Account => write!(out, "{RISK_SCORE}account:"),
        RiskSubject::Group(g) => write!(out, "{RISK_SCORE}group:{g}:"),
        RiskSubject::User(u) => write!(out, "{RISK_SCORE}user:{u}:"),
    };
    out.push_str(&crate::timefmt::format_date(days));
}

pub(crate) fn result_key(out: &mut String, pst: i64, recipient: i64) {
    let _ = write!(out, "{SECURITY_TEST}{pst}:recipient:{recipient}");
}

/// The enrollment a per-enrollment relationship stands for: the `|<id>` ending its key.
pub(crate) fn enrollment_id(store: &PropStore, r: &RelRec) -> Option<i64> {
    let def = r.ty.def();
    if !def.per_enrollment {
        return None;
    }
    let slot = u16::try_from(def.property_index("enrollmentId")?).ok()?;
    store
        .get(r.props)
        .find(|p| p.slot == slot)
        .and_then(|p| p.as_integer())
}

/// Compares `a + "|"` with `b + "|"`.
pub(crate) fn cmp_with_pipe(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {}
        other => return other,
    }
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        // a + "|" against b: '|' meets b[n]; if b[n] is '|' too, a + "|" ends first.
        Ordering::Less => match b'|'.cmp(&b[n]) {
            Ordering::Equal => Ordering::Less,
            other => other,
        },
        Ordering::Greater => match a[n].cmp(&b'|') {
            Ordering::Equal => Ordering::Greater,
            other => other,
        },
    }
}

/// Orders relationships exactly as their `_key` strings.
pub(crate) struct RelOrder<'a> {
    pub keys: &'a StrArena,
    pub entities: &'a [EntityRec],
    /// Rank of each entity by `key + "|"`.
    pub pipe_rank: &'a [u32],
    /// Whether each entity's key contains `|`.
    pub has_pipe: &'a [bool],
    pub store: &'a PropStore,
}

impl RelOrder<'_> {
    fn key(&self, entity: u32) -> &str {
        self.entities
            .get(entity as usize)
            .map_or("", |e| self.keys.get(e.key))
    }

    fn hazard(&self, entity: u32) -> bool {
        self.has_pipe.get(entity as usize).copied().unwrap_or(true)
    }

    fn pipe_rank(&self, entity: u32) -> u32 {
        self.pipe_rank
            .get(entity as usize)
            .copied()
            .unwrap_or(u32::MAX)
    }

    pub fn enrollment_id(&self, r: &RelRec) -> Option<i64> {
        enrollment_id(self.store, r)
    }

    pub fn write_key(&self, r: &RelRec, out: &mut String) {
        out.push_str(self.key(r.from));
        out.push('|');
        out.push_str(r.ty.def().key_class());
        out.push('|');
        out.push_str(self.key(r.to));
        if let Some(id) = self.enrollment_id(r) {
            let _ = write!(out, "|{id}");
        }
    }

    fn slow(&self, a: &RelRec, b: &RelRec) -> Ordering {
        let (mut ka, mut kb) = (String::new(), String::new());
        self.write_key(a, &mut ka);
        self.write_key(b, &mut kb);
        ka.cmp(&kb)
    }

    pub fn cmp(&self, a: &RelRec, b: &RelRec) -> Ordering {
        if a.from != b.from {
            if self.hazard(a.from) || self.hazard(b.from) {
                return self.slow(a, b);
            }
            return self.pipe_rank(a.from).cmp(&self.pipe_rank(b.from));
        }
        let (da, db) = (a.ty.def(), b.ty.def());
        // Class names ("has", "contains", ...) are letters and none is a prefix of another.
        match da.key_class().cmp(db.key_class()) {
            Ordering::Equal => {}
            other => return other,
        }
        match (da.per_enrollment, db.per_enrollment) {
            (false, false) => a.to.cmp(&b.to),
            (true, true) if a.to == b.to => {
                let ea = self.enrollment_id(a).map(|n| n.to_string());
                let eb = self.enrollment_id(b).map(|n| n.to_string());
                ea.cmp(&eb)
            }
            (true, true) if !self.hazard(a.to) && !self.hazard(b.to) => {
                self.pipe_rank(a.to).cmp(&self.pipe_rank(b.to))
            }
            _ => self.slow(a, b),
        }
    }

    /// Same `_key`.
    pub fn same(&self, a: &RelRec, b: &RelRec) -> bool {
        a.from == b.from
            && a.to == b.to
            && a.ty.def().key_class() == b.ty.def().key_class()
            && self.enrollment_id(a) == self.enrollment_id(b)
    }
}

/// Unused outside tests: every relationship type's key class, for documentation checks.
#[cfg(test)]
fn key_classes() -> Vec<&'static str> {
    super::table::RelationshipType::ALL
        .iter()
        .map(|t| t.def().key_class())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pipe_order_differs_from_plain_order_on_prefixes() {
        assert_eq!("knowbe4:user:1".cmp("knowbe4:user:10"), Ordering::Less);
        assert_eq!(
            cmp_with_pipe("knowbe4:user:1", "knowbe4:user:10"),
            Ordering::Greater
        );
        assert_eq!(cmp_with_pipe("a", "a|b"), Ordering::Less);
        assert_eq!(cmp_with_pipe("a|b", "a"), Ordering::Greater);
        assert_eq!(cmp_with_pipe("x", "x"), Ordering::Equal);
        let classes = key_classes();
        for a in &classes {
            for b in &classes {
                if a != b {
                    assert!(!a.starts_with(b), "{a} starts with {b}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn cmp_with_pipe_is_string_order(a in "[a-c|]{0,6}", b in "[a-c|]{0,6}") {
            prop_assert_eq!(cmp_with_pipe(&a, &b), format!("{a}|").cmp(&format!("{b}|")));
        }
    }
}
