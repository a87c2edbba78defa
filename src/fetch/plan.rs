//! Which collections make up an account, in which order they are listed in the manifest, and
//! which of them reveal further collections (group members, test recipients, the enrollments
//! of each training campaign, and with `--risk-history` each active user's and group's risk
//! score history).

use serde_json::Value;

use crate::snapshot::{CollectionId, CollectionKind, RiskHistory, canonical_u64};

/// What fetching a collection's pages can reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plain,
    /// `/account`: `number_of_seats` sizes the user listing for the progress estimate.
    Account,
    /// Group listings: each group's `id` gives a `groups/<id>/members` collection.
    Groups,
    /// The PST listing: each test's `pst_id` gives a recipients collection.
    SecurityTests,
    /// The training campaign listing: each campaign's `campaign_id` gives an enrollments
    /// collection. Fetched per campaign so that a later fetch can reuse the enrollments of
    /// campaigns that are over, which one listing of every enrollment would not allow.
    TrainingCampaigns,
}

/// One collection to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSpec {
    /// Its name in the manifest, also its directory under `raw/`; orders it in the manifest.
    pub id: CollectionId,
    /// Path under `/v1`, e.g. `/users`.
    pub path: String,
    /// Query besides paging, e.g. `status=active`.
    pub query: String,
    pub kind: CollectionKind,
    pub role: Role,
    /// Fetch priority among runnable collections (lower first): parents and the largest
    /// listings start early so they overlap with everything else.
    pub priority: u8,
}

impl CollectionSpec {
    /// Members of one group, recipients of one test, enrollments of one training campaign or
    /// the risk score history of one user or group: found in a parent's pages, so a 404 means
    /// it went away in between rather than a wrong site or token.
    pub fn is_child(&self) -> bool {
        self.child_of().is_some()
    }

    /// Which parent record this collection belongs to, for a child collection.
    pub fn child_of(&self) -> Option<ChildOf> {
        match self.id {
            CollectionId::GroupMembers(g) => Some(ChildOf::Group(g)),
            CollectionId::Recipients(pst) => Some(ChildOf::Test(pst)),
            CollectionId::CampaignEnrollments(c) => Some(ChildOf::Campaign(c)),
            CollectionId::UserRiskHistory(u) => Some(ChildOf::UserHistory(u)),
            CollectionId::GroupRiskHistory(g) => Some(ChildOf::GroupHistory(g)),
            _ => None,
        }
    }

    /// A user's or group's risk score history: one request each against the daily quota,
    /// fetched after everything else once its cost is announced, and never reused from an
    /// earlier snapshot since a history grows.
    pub fn is_risk_history(&self) -> bool {
        matches!(
            self.child_of(),
            Some(ChildOf::UserHistory(_) | ChildOf::GroupHistory(_))
        )
    }

    /// The endpoint as written to the manifest, `/v1/...`.
    pub fn endpoint(&self) -> String {
        format!("/v1{}", self.path)
    }
}

/// The parent record of a child collection, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildOf {
    Group(u64),
    /// A phishing security test (`pst_id`).
    Test(u64),
    /// A training campaign.
    Campaign(u64),
    /// A user whose risk score history it is.
    UserHistory(u64),
    /// A group whose risk score history it is.
    GroupHistory(u64),
}

/// What every enrollment request asks for besides paging: the ids that link an enrollment to
/// its campaign and module, and the employee number of its user.
const ENROLLMENT_FIELDS: &str =
    "include_campaign_id=true&include_store_purchase_id=true&include_employee_number=true";
const ENROLLMENTS_PATH: &str = "/training/enrollments";
/// Every point of a history, as the account's is asked for, not only the last six months.
const FULL_HISTORY: &str = "full=true";

/// The single listing of every enrollment that earlier versions fetched. No longer planned,
/// but its id stays known so that their snapshots can still be read and resumed.
pub const LEGACY_ENROLLMENTS: CollectionId = CollectionId::LegacyEnrollments;

/// Children come after every top-level collection.
const PRIORITY_CHILD: u8 = 20;

/// The collections fetched before anything is known about the account, in manifest order.
const TOP_LEVEL: [CollectionId; 12] = [
    CollectionId::Account,
    CollectionId::RiskScoreHistory,
    CollectionId::UsersActive,
    CollectionId::UsersArchived,
    CollectionId::GroupsActive,
    CollectionId::GroupsArchived,
    CollectionId::PhishingCampaigns,
    CollectionId::CallbackCampaigns,
    CollectionId::SecurityTests,
    CollectionId::StorePurchases,
    CollectionId::Policies,
    CollectionId::TrainingCampaigns,
];

pub fn top_level() -> Vec<CollectionSpec> {
    TOP_LEVEL.into_iter().map(spec_for).collect()
}

/// How collection `id` is fetched.
pub fn spec_for(id: CollectionId) -> CollectionSpec {
    use CollectionKind::{List, Object};
    use Role::Plain;
    let (path, query, kind, role, priority) = match id {
        CollectionId::GroupMembers(g) => {
            return child(id, format!("/groups/{g}/members"), String::new());
        }
        CollectionId::Recipients(pst) => {
            let path = format!("/phishing/security_tests/{pst}/recipients");
            return child(id, path, String::new());
        }
        CollectionId::CampaignEnrollments(c) => {
            let query = format!("campaign_id={c}&{ENROLLMENT_FIELDS}");
            return child(id, ENROLLMENTS_PATH.to_owned(), query);
        }
        CollectionId::UserRiskHistory(u) => {
            let path = format!("/users/{u}/risk_score_history");
            return child(id, path, FULL_HISTORY.to_owned());
        }
        CollectionId::GroupRiskHistory(g) => {
            let path = format!("/groups/{g}/risk_score_history");
            return child(id, path, FULL_HISTORY.to_owned());
        }
        CollectionId::Account => ("/account", "", Object, Role::Account, 0),
        CollectionId::RiskScoreHistory => {
            ("/account/risk_score_history", FULL_HISTORY, List, Plain, 11)
        }
        CollectionId::UsersActive => ("/users", "status=active", List, Plain, 5),
        CollectionId::UsersArchived => ("/users", "status=archived", List, Plain, 6),
        CollectionId::GroupsActive => ("/groups", "status=active", List, Role::Groups, 1),
        CollectionId::GroupsArchived => ("/groups", "status=archived", List, Role::Groups, 2),
        CollectionId::PhishingCampaigns => ("/phishing/campaigns", "", List, Plain, 7),
        // The plain listing leaves callback campaigns out; they are only listed on request.
        CollectionId::CallbackCampaigns => (
            "/phishing/campaigns",
            "campaign_type=callback",
            List,
            Plain,
            12,
        ),
        CollectionId::SecurityTests => {
            ("/phishing/security_tests", "", List, Role::SecurityTests, 3)
        }
        CollectionId::StorePurchases => ("/training/store_purchases", "", List, Plain, 9),
        CollectionId::Policies => ("/training/policies", "", List, Plain, 10),
        // Without it the API caps pages at 10 items, which would pass for a short last page.
        CollectionId::TrainingCampaigns => (
            "/training/campaigns",
            "exclude_percentages=true",
            List,
            Role::TrainingCampaigns,
            4,
        ),
        CollectionId::LegacyEnrollments => (ENROLLMENTS_PATH, ENROLLMENT_FIELDS, List, Plain, 4),
    };
    CollectionSpec {
        id,
        path: path.to_owned(),
        query: query.to_owned(),
        kind,
        role,
        priority,
    }
}

/// How a child collection is fetched: its path and query.
fn child(id: CollectionId, path: String, query: String) -> CollectionSpec {
    CollectionSpec {
        id,
        path,
        query,
        kind: CollectionKind::List,
        role: Role::Plain,
        priority: PRIORITY_CHILD,
    }
}

pub fn group_members(group_id: u64) -> CollectionSpec {
    spec_for(CollectionId::GroupMembers(group_id))
}

pub fn pst_recipients(pst_id: u64) -> CollectionSpec {
    spec_for(CollectionId::Recipients(pst_id))
}

/// The enrollments of one training campaign (`campaign_id` filter of the enrollment listing).
pub fn campaign_enrollments(campaign_id: u64) -> CollectionSpec {
    spec_for(CollectionId::CampaignEnrollments(campaign_id))
}

pub fn user_risk_history(user_id: u64) -> CollectionSpec {
    spec_for(CollectionId::UserRiskHistory(user_id))
}

pub fn group_risk_history(group_id: u64) -> CollectionSpec {
    spec_for(CollectionId::GroupRiskHistory(group_id))
}

/// The spec a manifest collection id stands for; `None` for ids this version does not make.
pub fn spec_for_id(id: &str) -> Option<CollectionSpec> {
    CollectionId::parse(id).map(spec_for)
}

/// An id as the API spells it: a JSON number, or a string of digits (older payloads).
pub fn id_value(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => canonical_u64(s.trim()),
        _ => None,
    }
}

/// A count field, leniently (numbers, digit strings, floats that are whole).
pub fn count_value(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A collection found in a parent's page, with the number of records it is expected to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub spec: CollectionSpec,
    pub expected_records: Option<u64>,
}

/// What a page reveals. Records without a usable id are reported, not guessed at.
#[derive(Debug, Default)]
pub struct Discovery {
    pub children: Vec<Discovered>,
    pub expected_users: Option<u64>,
    pub warnings: Vec<String>,
}

/// Whose risk score history a listing's records ask for: active users' from `users/active`,
/// active groups' from `groups/active` (archived ones are no longer scored).
fn history_of(id: CollectionId, risk: RiskHistory) -> Option<fn(u64) -> CollectionSpec> {
    match id {
        CollectionId::UsersActive if risk.users => Some(user_risk_history),
        CollectionId::GroupsActive if risk.groups => Some(group_risk_history),
        _ => None,
    }
}

/// What page `file` of collection `spec` reveals, given whose risk history is fetched.
pub fn discover(spec: &CollectionSpec, risk: RiskHistory, body: &[u8], file: &str) -> Discovery {
    let mut found = Discovery::default();
    let history = history_of(spec.id, risk);
    if spec.role == Role::Plain && history.is_none() {
        return found;
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        // The client already checked the shape; this cannot fail for a page it returned.
        return found;
    };
    if let Some(make) = history {
        for (index, record) in value.as_array().into_iter().flatten().enumerate() {
            match id_value(record.get("id")) {
                Some(id) => found.children.push(Discovered {
                    spec: make(id),
                    expected_records: None,
                }),
                None => found.warnings.push(format!(
                    "{file}[{index}]: no usable `id`, so its risk score history cannot be fetched"
                )),
            }
        }
    }
    let role = spec.role;
    match role {
        Role::Plain => {}
        Role::Account => found.expected_users = count_value(value.get("number_of_seats")),
        Role::Groups | Role::SecurityTests | Role::TrainingCampaigns => {
            let (key, make, what): (&str, fn(u64) -> CollectionSpec, &str) = match role {
                Role::Groups => ("id", group_members, "members"),
                Role::SecurityTests => ("pst_id", pst_recipients, "recipients"),
                _ => ("campaign_id", campaign_enrollments, "enrollments"),
            };
            for (index, record) in value.as_array().into_iter().flatten().enumerate() {
                match id_value(record.get(key)) {
                    Some(id) => {
                        let expected = match role {
                            Role::Groups => count_value(record.get("member_count")),
                            Role::SecurityTests => ["scheduled_count", "delivered_count"]
                                .iter()
                                .filter_map(|k| count_value(record.get(*k)))
                                .max(),
                            // A campaign record does not count its enrollments.
                            _ => None,
                        };
                        found.children.push(Discovered {
                            spec: make(id),
                            expected_records: expected,
                        });
                    }
                    None => found.warnings.push(format!(
                        "{file}[{index}]: no usable `{key}`, so its {what} cannot be fetched"
                    )),
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_to_specs() {
        for spec in top_level() {
            assert_eq!(spec_for_id(&spec.id.to_string()), Some(spec.clone()));
            assert_eq!(spec_for(spec.id), spec);
        }
        assert_eq!(spec_for_id("groups/12/members"), Some(group_members(12)));
        assert_eq!(
            spec_for_id("phishing/security_tests/7/recipients").map(|s| s.path),
            Some("/phishing/security_tests/7/recipients".to_owned())
        );
        let enrollments = spec_for_id("training/campaigns/31/enrollments").unwrap();
        assert_eq!(enrollments, campaign_enrollments(31));
        assert!(enrollments.is_child());
        assert_eq!(enrollments.child_of(), Some(ChildOf::Campaign(31)));
        assert_eq!(group_members(3).child_of(), Some(ChildOf::Group(3)));
        assert_eq!(pst_recipients(4).child_of(), Some(ChildOf::Test(4)));
        // The single listing of earlier versions, so that their snapshots still resume.
        let legacy = spec_for(LEGACY_ENROLLMENTS);
        assert_eq!(legacy.endpoint(), "/v1/training/enrollments");
        assert!(!legacy.is_child() && legacy.child_of().is_none());
        assert!(!top_level().iter().any(|s| s.id == LEGACY_ENROLLMENTS));
        for bad in [
            "groups/012/members",
            "training/campaigns/x/enrollments",
            "training/campaigns/07/enrollments",
            "groups/-1/members",
            "groups/x/members",
            "nope",
            "groups//members",
        ] {
            assert_eq!(spec_for_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn campaigns_exclude_percentages_and_enrollments_include_ids() {
        let plan = top_level();
        let find = |id: CollectionId| plan.iter().find(|s| s.id == id).unwrap().query.clone();
        assert_eq!(
            find(CollectionId::TrainingCampaigns),
            "exclude_percentages=true"
        );
        let enrollments = campaign_enrollments(5);
        assert_eq!(enrollments.endpoint(), "/v1/training/enrollments");
        assert_eq!(
            enrollments.query,
            "campaign_id=5&include_campaign_id=true&include_store_purchase_id=true&include_employee_number=true"
        );
        assert_eq!(spec_for(LEGACY_ENROLLMENTS).query, ENROLLMENT_FIELDS);
        assert_eq!(find(CollectionId::RiskScoreHistory), "full=true");
    }

    #[test]
    fn discovery_reads_ids_leniently_and_warns_on_missing_ones() {
        let body =
            br#"[{"id":3,"member_count":1200},{"id":"4"},{"id":null},{"name":"x"},7,{"id":-5}]"#;
        let found = discover(
            &spec_for(CollectionId::GroupsActive),
            RiskHistory::OFF,
            body,
            "raw/groups/active/page-0001.json",
        );
        let ids: Vec<_> = found
            .children
            .iter()
            .map(|d| d.spec.id.to_string())
            .collect();
        assert_eq!(ids, ["groups/3/members", "groups/4/members"]);
        assert_eq!(found.children[0].expected_records, Some(1200));
        assert_eq!(found.warnings.len(), 4);
        assert!(found.warnings[0].contains("page-0001.json[2]"));

        let body = br#"[{"pst_id":10,"scheduled_count":50,"delivered_count":49}]"#;
        let found = discover(
            &spec_for(CollectionId::SecurityTests),
            RiskHistory::OFF,
            body,
            "f",
        );
        assert_eq!(found.children[0].spec, pst_recipients(10));
        assert_eq!(found.children[0].expected_records, Some(50));

        let body = br#"[{"campaign_id":4,"status":"Completed"},{"campaign_id":"x"}]"#;
        let found = discover(
            &spec_for(CollectionId::TrainingCampaigns),
            RiskHistory::OFF,
            body,
            "f",
        );
        assert_eq!(found.children[0].spec, campaign_enrollments(4));
        assert_eq!(found.children.len(), 1);
        assert!(
            found.warnings[0].contains("enrollments"),
            "{:?}",
            found.warnings
        );

        let found = discover(
            &spec_for(CollectionId::Account),
            RiskHistory::OFF,
            br#"{"number_of_seats":1000}"#,
            "f",
        );
        assert_eq!(found.expected_users, Some(1000));
    }

    #[test]
    fn risk_history_is_asked_of_active_users_and_groups_only_when_chosen() {
        let users = br#"[{"id":12},{"id":"13"},{"email":"x@example.com"}]"#;
        let groups = br#"[{"id":4,"member_count":2}]"#;
        let ids = |spec: CollectionId, risk: &str, body: &[u8]| {
            let found = discover(&spec_for(spec), risk.parse().unwrap(), body, "f");
            let ids: Vec<String> = found
                .children
                .iter()
                .map(|d| d.spec.id.to_string())
                .collect();
            (ids, found.warnings.len())
        };
        assert_eq!(ids(CollectionId::UsersActive, "none", users), (vec![], 0));
        assert_eq!(
            ids(CollectionId::UsersActive, "users", users),
            (
                vec![
                    "users/12/risk_score_history".to_owned(),
                    "users/13/risk_score_history".to_owned()
                ],
                1
            )
        );
        assert_eq!(
            ids(CollectionId::UsersArchived, "users", users),
            (vec![], 0)
        );
        assert_eq!(
            ids(CollectionId::GroupsActive, "groups", groups).0,
            ["groups/4/risk_score_history", "groups/4/members"]
        );
        assert_eq!(
            ids(CollectionId::GroupsArchived, "groups", groups).0,
            ["groups/4/members"]
        );
        let history = user_risk_history(12);
        assert_eq!(history.endpoint(), "/v1/users/12/risk_score_history");
        assert_eq!(history.query, "full=true");
        assert!(history.is_risk_history() && history.is_child());
        assert!(group_risk_history(4).is_risk_history());
        assert!(!group_members(4).is_risk_history());
        assert_eq!(
            spec_for_id("groups/4/risk_score_history"),
            Some(group_risk_history(4))
        );
    }
}
