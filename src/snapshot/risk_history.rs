//! Whose risk score history a snapshot holds besides the account's (`fetch --risk-history`).
//! Each history costs one request per user or group against the daily quota, so it is asked
//! for, and the manifest records the choice so that a resume goes on with it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The subjects whose history is fetched: active users, active groups, both or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskHistory {
    pub users: bool,
    pub groups: bool,
}

impl RiskHistory {
    pub const OFF: RiskHistory = RiskHistory {
        users: false,
        groups: false,
    };

    pub fn is_off(&self) -> bool {
        !self.users && !self.groups
    }

    /// Both selections together (a resume may add to what the fetch started with).
    pub fn union(self, other: RiskHistory) -> RiskHistory {
        RiskHistory {
            users: self.users || other.users,
            groups: self.groups || other.groups,
        }
    }

    fn words(&self) -> Vec<&'static str> {
        [(self.users, "users"), (self.groups, "groups")]
            .into_iter()
            .filter_map(|(on, word)| on.then_some(word))
            .collect()
    }
}

impl fmt::Display for RiskHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.words().as_slice() {
            [] => f.write_str("none"),
            words => f.write_str(&words.join(",")),
        }
    }
}

/// A `--risk-history` value that is not `users`, `groups`, both or `none`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a risk score history subject: say users, groups, users,groups or none")]
pub struct RiskHistoryError(pub String);

impl FromStr for RiskHistory {
    type Err = RiskHistoryError;

    fn from_str(s: &str) -> Result<RiskHistory, RiskHistoryError> {
        let mut out = RiskHistory::OFF;
        for word in s.split(',').map(str::trim) {
            match word.to_ascii_lowercase().as_str() {
                "users" | "user" => out.users = true,
                "groups" | "group" => out.groups = true,
                "none" if s.trim().eq_ignore_ascii_case("none") => {}
                _ => return Err(RiskHistoryError(word.to_owned())),
            }
        }
        Ok(out)
    }
}

/// In the manifest: `["users", "groups"]`.
impl Serialize for RiskHistory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.words())
    }
}

impl<'de> Deserialize<'de> for RiskHistory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RiskHistory, D::Error> {
        let words = Vec::<String>::deserialize(deserializer)?;
        let mut out = RiskHistory::OFF;
        for word in words {
            match word.as_str() {
                "users" => out.users = true,
                "groups" => out.groups = true,
                other => {
                    return Err(serde::de::Error::custom(format!(
                        "{other:?} is not a risk score history subject (users or groups)"
                    )));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_users_type_and_round_trips_through_the_manifest() {
        for (text, users, groups) in [
            ("users", true, false),
            ("groups", false, true),
            ("users,groups", true, true),
            (" Groups , users ", true, true),
            ("none", false, false),
        ] {
            let parsed: RiskHistory = text.parse().unwrap();
            assert_eq!((parsed.users, parsed.groups), (users, groups), "{text}");
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(serde_json::from_str::<RiskHistory>(&json).unwrap(), parsed);
        }
        assert_eq!(
            serde_json::to_string(&"groups,users".parse::<RiskHistory>().unwrap()).unwrap(),
            r#"["users","groups"]"#
        );
        for bad in ["", "account", "users,", "none,users", "users;groups"] {
            let err = bad.parse::<RiskHistory>().unwrap_err();
            assert!(err.to_string().contains("users, groups"), "{err}");
        }
        assert!(serde_json::from_str::<RiskHistory>(r#"["people"]"#).is_err());
    }
}
