//! The collections this version fetches and reads, by id. An id is also the collection's
//! directory under `raw/` and its name in the manifest; the variants are in manifest order.
//! A new collection is added here (its name, and where it sits in the order) and in
//! `fetch::plan` (how it is fetched).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::layout;

/// A collection of a snapshot. Derived `Ord` is the order of collections in the manifest
/// (a child collection's number orders it among its kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CollectionId {
    /// `account`: one object.
    Account,
    RiskScoreHistory,
    UsersActive,
    UsersArchived,
    /// `users/<id>/risk_score_history` (`fetch --risk-history users`).
    UserRiskHistory(u64),
    GroupsActive,
    GroupsArchived,
    /// `groups/<id>/members`.
    GroupMembers(u64),
    /// `groups/<id>/risk_score_history` (`fetch --risk-history groups`).
    GroupRiskHistory(u64),
    PhishingCampaigns,
    /// Callback campaigns, which the plain campaign listing leaves out.
    CallbackCampaigns,
    SecurityTests,
    /// `phishing/security_tests/<pst_id>/recipients`.
    Recipients(u64),
    StorePurchases,
    Policies,
    TrainingCampaigns,
    /// `training/campaigns/<campaign_id>/enrollments`.
    CampaignEnrollments(u64),
    /// `training/enrollments`: the single listing of every enrollment that earlier versions
    /// fetched. No longer fetched, but still read and resumed.
    LegacyEnrollments,
}

/// The ids without a number, with their names.
const NAMED: [(CollectionId, &str); 13] = [
    (CollectionId::Account, "account"),
    (CollectionId::RiskScoreHistory, "account/risk_score_history"),
    (CollectionId::UsersActive, "users/active"),
    (CollectionId::UsersArchived, "users/archived"),
    (CollectionId::GroupsActive, "groups/active"),
    (CollectionId::GroupsArchived, "groups/archived"),
    (CollectionId::PhishingCampaigns, "phishing/campaigns"),
    (
        CollectionId::CallbackCampaigns,
        "phishing/campaigns/callback",
    ),
    (CollectionId::SecurityTests, "phishing/security_tests"),
    (CollectionId::StorePurchases, "training/store_purchases"),
    (CollectionId::Policies, "training/policies"),
    (CollectionId::TrainingCampaigns, "training/campaigns"),
    (CollectionId::LegacyEnrollments, "training/enrollments"),
];

/// The ids with a number: (prefix, suffix, constructor).
type Child = (&'static str, &'static str, fn(u64) -> CollectionId);
const CHILDREN: [Child; 5] = [
    (
        "users/",
        "/risk_score_history",
        CollectionId::UserRiskHistory,
    ),
    ("groups/", "/members", CollectionId::GroupMembers),
    (
        "groups/",
        "/risk_score_history",
        CollectionId::GroupRiskHistory,
    ),
    (
        "phishing/security_tests/",
        "/recipients",
        CollectionId::Recipients,
    ),
    (
        "training/campaigns/",
        "/enrollments",
        CollectionId::CampaignEnrollments,
    ),
];

impl CollectionId {
    /// The id a manifest name stands for; `None` for a name this version does not know (a
    /// manifest may hold one: `normalize` ignores it with a warning). Numbers are spelled one
    /// way only (digits, no leading zero), so that one collection has one directory.
    pub fn parse(name: &str) -> Option<CollectionId> {
        if let Some(&(id, _)) = NAMED.iter().find(|(_, n)| *n == name) {
            return Some(id);
        }
        CHILDREN.iter().find_map(|&(prefix, suffix, make)| {
            let number = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
            canonical_u64(number).map(make)
        })
    }

    /// The number of a child collection (user, group, test or campaign id).
    pub fn child_number(self) -> Option<u64> {
        match self {
            CollectionId::UserRiskHistory(n)
            | CollectionId::GroupRiskHistory(n)
            | CollectionId::GroupMembers(n)
            | CollectionId::Recipients(n)
            | CollectionId::CampaignEnrollments(n) => Some(n),
            _ => None,
        }
    }

    /// `raw/<id>`, relative to the snapshot root.
    pub fn dir(self) -> String {
        layout::collection_dir(&self.to_string())
    }

    /// The path of page `page` relative to the snapshot root.
    pub fn page_file(self, page: u32) -> String {
        layout::page_file(&self.to_string(), page)
    }
}

/// Digits only, no sign, no leading zero: one spelling per number, so one directory per id.
pub fn canonical_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

impl fmt::Display for CollectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(&(_, name)) = NAMED.iter().find(|(id, _)| id == self) {
            return f.write_str(name);
        }
        // Every id without a number is in NAMED, every one with a number in CHILDREN.
        let n = self.child_number().ok_or(fmt::Error)?;
        let (prefix, suffix, _) = CHILDREN
            .iter()
            .find(|(_, _, make)| make(n) == *self)
            .ok_or(fmt::Error)?;
        write!(f, "{prefix}{n}{suffix}")
    }
}

/// A name that is not the id of a collection this version knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a collection this version of kb4graph knows")]
pub struct UnknownCollectionId(pub String);

impl FromStr for CollectionId {
    type Err = UnknownCollectionId;

    fn from_str(s: &str) -> Result<CollectionId, UnknownCollectionId> {
        CollectionId::parse(s).ok_or_else(|| UnknownCollectionId(s.to_owned()))
    }
}

impl Serialize for CollectionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CollectionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CollectionId, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_is_the_manifests() {
        let children = [
            CollectionId::GroupMembers(0),
            CollectionId::GroupMembers(12),
            CollectionId::Recipients(7),
            CollectionId::CampaignEnrollments(31),
            CollectionId::UserRiskHistory(1001),
            CollectionId::GroupRiskHistory(12),
        ];
        for id in NAMED.iter().map(|&(id, _)| id).chain(children) {
            let name = id.to_string();
            assert!(layout::is_valid_collection_id(&name), "{name}");
            assert_eq!(CollectionId::parse(&name), Some(id));
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<CollectionId>(&json).unwrap(), id);
        }
        // NAMED is in manifest order; each child sits after its parent listing.
        assert!(NAMED.windows(2).all(|w| w[0].0 < w[1].0));
        use CollectionId as C;
        for (before, child, after) in [
            (C::GroupsArchived, C::GroupMembers(0), C::PhishingCampaigns),
            (C::UsersArchived, C::UserRiskHistory(1), C::GroupsActive),
            (
                C::GroupMembers(99),
                C::GroupRiskHistory(1),
                C::PhishingCampaigns,
            ),
            (C::SecurityTests, C::Recipients(7), C::StorePurchases),
            (
                C::TrainingCampaigns,
                C::CampaignEnrollments(31),
                C::LegacyEnrollments,
            ),
        ] {
            assert!(before < child && child < after, "{child}");
        }
        assert!(C::GroupMembers(2) < C::GroupMembers(10));
        assert_eq!(
            CollectionId::Recipients(7).to_string(),
            "phishing/security_tests/7/recipients"
        );
        assert_eq!(
            CollectionId::UsersActive.page_file(1),
            "raw/users/active/page-0001.json"
        );
        assert_eq!(CollectionId::GroupMembers(3).dir(), "raw/groups/3/members");
        assert_eq!(
            CollectionId::UserRiskHistory(1001).to_string(),
            "users/1001/risk_score_history"
        );
    }

    #[test]
    fn other_names_are_unknown() {
        for bad in [
            "groups/012/members",
            "training/campaigns/x/enrollments",
            "training/campaigns/07/enrollments",
            "groups/-1/members",
            "groups//members",
            "groups/99999999999999999999/members",
            "users/01/risk_score_history",
            "users/active/risk_score_history",
            "groups/1/risk_score",
            "nope",
            "",
        ] {
            assert_eq!(CollectionId::parse(bad), None, "{bad}");
            assert!(serde_json::from_str::<CollectionId>(&format!("{bad:?}")).is_err());
        }
    }
}
