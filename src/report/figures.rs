//! Every number the report shows, computed from the records of a graph (a snapshot normalized,
//! or an export read back): the one place they are counted, which tests call as the page does.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Record, RecordKind, Value};

/// Enrollments by their `status`, as KnowBe4 names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub passed: u64,
    pub in_progress: u64,
    pub not_started: u64,
    pub past_due: u64,
    /// Any other status, or none.
    pub other: u64,
}

impl StatusCounts {
    fn add(&mut self, status: Option<&str>) {
        let slot = match status.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("passed") | Some("completed") => &mut self.passed,
            Some("in progress") => &mut self.in_progress,
            Some("not started") => &mut self.not_started,
            Some("past due") => &mut self.past_due,
            _ => &mut self.other,
        };
        *slot += 1;
    }

    pub fn total(&self) -> u64 {
        self.passed + self.in_progress + self.not_started + self.past_due + self.other
    }
}

/// The training of one campaign or one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Training {
    pub key: String,
    pub name: String,
    pub counts: StatusCounts,
}

/// An enrollment past due, with what a person needs to chase it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastDue {
    pub user: String,
    pub email: String,
    pub groups: String,
    pub module: String,
    pub campaign: String,
    /// The campaign's end date, `YYYY-MM-DD`, or empty.
    pub due: String,
}

/// One phishing security test, from delivered to reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Funnel {
    pub key: String,
    pub name: String,
    pub recipients: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub data_entered: u64,
    pub reported: u64,
}

/// What the report shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub account: String,
    pub users_active: u64,
    pub users_archived: u64,
    /// Groups, "All Users" left out.
    pub groups: u64,
    pub risk_score: Option<f64>,
    /// The account's risk score history, oldest first: (date, score).
    pub risk_history: Vec<(String, f64)>,
    /// Per training campaign, in name order.
    pub campaigns: Vec<Training>,
    /// Per module, in name order.
    pub modules: Vec<Training>,
    /// Sorted by due date, then user.
    pub past_due: Vec<PastDue>,
    /// Per phishing security test, in name order.
    pub phishing: Vec<Funnel>,
}

fn text(record: &Record, name: &str) -> Option<String> {
    match record.properties.get(name)? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn number(record: &Record, name: &str) -> Option<f64> {
    match record.properties.get(name)? {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) | Value::Decimal(f) => Some(*f),
        _ => None,
    }
}

fn integer(record: &Record, name: &str) -> Option<i64> {
    match record.properties.get(name)? {
        Value::Integer(i) => Some(*i),
        _ => None,
    }
}

/// `YYYY-MM-DD` of a date or datetime property.
fn day(record: &Record, name: &str) -> Option<String> {
    match record.properties.get(name)? {
        Value::Date(days) => Some(crate::timefmt::format_date(i64::from(*days))),
        Value::DateTime(ms) => Some(
            crate::timefmt::format_datetime_millis(*ms)
                .chars()
                .take(10)
                .collect(),
        ),
        _ => None,
    }
}

impl Figures {
    /// Counts everything the report shows from `records` (entities and relationships, in any
    /// order). Each record is looked at once and let go: enrollments are counted as they come,
    /// and only what a past-due row needs is kept, so a large account's millions of
    /// enrollments are never held.
    pub fn of(records: impl IntoIterator<Item = Record>) -> Figures {
        let mut f = Figures::default();
        // Name, e-mail and group ids of each user, by key.
        let mut users: BTreeMap<String, (String, String, Vec<i64>)> = BTreeMap::new();
        let mut groups: BTreeMap<i64, String> = BTreeMap::new();
        let mut modules: BTreeMap<String, String> = BTreeMap::new();
        let mut campaigns: BTreeMap<i64, (String, String, String)> = BTreeMap::new();
        let mut tests: BTreeMap<i64, (String, String)> = BTreeMap::new();
        // (test id, delivered, opened, clicked, data entered, reported) of each result.
        let mut results: Vec<(i64, [bool; 5])> = Vec::new();
        let mut by_campaign: BTreeMap<i64, StatusCounts> = BTreeMap::new();
        let mut by_module: BTreeMap<String, StatusCounts> = BTreeMap::new();
        // (module key, user key, campaign id) of each past-due enrollment.
        let mut past_due: Vec<(String, String, Option<i64>)> = Vec::new();
        for r in records {
            match (&r.kind, r.type_name.as_str()) {
                (RecordKind::Entity, "knowbe4_account") => {
                    f.account = text(&r, "name").unwrap_or_default();
                    f.risk_score = number(&r, "currentRiskScore");
                }
                (RecordKind::Entity, "knowbe4_user") => {
                    match text(&r, "status").as_deref() {
                        Some("active") => f.users_active += 1,
                        Some("archived") => f.users_archived += 1,
                        _ => {}
                    }
                    let groups = match r.properties.get("groupIds") {
                        Some(Value::IntegerArray(ids)) => ids.clone(),
                        _ => Vec::new(),
                    };
                    let name = text(&r, "name").unwrap_or_else(|| r.key.clone());
                    let email = text(&r, "email").unwrap_or_default();
                    users.insert(r.key, (name, email, groups));
                }
                (RecordKind::Entity, "knowbe4_user_group") => {
                    if let Some(id) = integer(&r, "id") {
                        groups.insert(id, text(&r, "name").unwrap_or_default());
                    }
                }
                (RecordKind::Entity, "training_module") => {
                    modules.insert(r.key.clone(), text(&r, "name").unwrap_or_default());
                }
                (RecordKind::Entity, "training_campaign") => {
                    if let Some(id) = integer(&r, "campaignId") {
                        let name = text(&r, "name").unwrap_or_default();
                        let due = day(&r, "endDate").unwrap_or_default();
                        campaigns.insert(id, (r.key.clone(), name, due));
                    }
                }
                (RecordKind::Entity, "knowbe4_phishing_security_test") => {
                    if let Some(id) = integer(&r, "pstId") {
                        tests.insert(id, (r.key.clone(), text(&r, "name").unwrap_or_default()));
                    }
                }
                (RecordKind::Entity, "knowbe4_phishing_security_test_result") => {
                    if let Some(pst) = integer(&r, "pstId") {
                        let has = |name: &str| r.properties.contains_key(name);
                        results.push((
                            pst,
                            [
                                has("deliveredAt"),
                                has("openedAt"),
                                has("clickedAt"),
                                has("dataEnteredAt"),
                                has("reportedAt"),
                            ],
                        ));
                    }
                }
                (RecordKind::Entity, "knowbe4_risk_score")
                    if r.key.contains("risk_score:account:") =>
                {
                    if let (Some(date), Some(score)) = (day(&r, "date"), number(&r, "riskScore")) {
                        f.risk_history.push((date, score));
                    }
                }
                (RecordKind::Relationship { from, to }, "training_module_assigned_user") => {
                    let status = text(&r, "status");
                    let campaign = integer(&r, "campaignId");
                    if let Some(c) = campaign {
                        by_campaign.entry(c).or_default().add(status.as_deref());
                    }
                    let counts = match by_module.get_mut(from) {
                        Some(counts) => counts,
                        None => by_module.entry(from.clone()).or_default(),
                    };
                    counts.add(status.as_deref());
                    if status.is_some_and(|s| s.trim().eq_ignore_ascii_case("past due")) {
                        past_due.push((from.clone(), to.clone(), campaign));
                    }
                }
                _ => {}
            }
        }
        f.groups = groups.keys().filter(|&&id| id != 0).count() as u64;
        f.risk_history.sort_by(|a, b| a.0.cmp(&b.0));

        for (module, user, campaign) in past_due {
            let (name, email, group_ids) = users
                .get(&user)
                .cloned()
                .unwrap_or_else(|| (user.clone(), String::new(), Vec::new()));
            let group_names: Vec<String> = group_ids
                .iter()
                .filter_map(|id| groups.get(id).cloned())
                .collect();
            let (campaign_name, due) = campaign
                .and_then(|c| campaigns.get(&c))
                .map(|(_, n, d)| (n.clone(), d.clone()))
                .unwrap_or_default();
            f.past_due.push(PastDue {
                user: name,
                email,
                groups: group_names.join(", "),
                module: modules.get(&module).cloned().unwrap_or(module),
                campaign: campaign_name,
                due,
            });
        }
        f.past_due
            .sort_by(|a, b| (&a.due, &a.user, &a.module).cmp(&(&b.due, &b.user, &b.module)));
        f.campaigns = by_campaign
            .into_iter()
            .map(|(id, counts)| {
                let (key, name, _) = campaigns
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| (String::new(), format!("campaign {id}"), String::new()));
                Training { key, name, counts }
            })
            .collect();
        f.campaigns
            .sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
        f.modules = by_module
            .into_iter()
            .map(|(key, counts)| Training {
                name: modules.get(&key).cloned().unwrap_or_else(|| key.clone()),
                key,
                counts,
            })
            .collect();
        f.modules
            .sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));

        let mut funnels: BTreeMap<i64, Funnel> = BTreeMap::new();
        for &(pst, [delivered, opened, clicked, data_entered, reported]) in &results {
            let funnel = funnels.entry(pst).or_insert_with(|| {
                let (key, name) = tests
                    .get(&pst)
                    .cloned()
                    .unwrap_or_else(|| (String::new(), format!("test {pst}")));
                Funnel {
                    key,
                    name,
                    recipients: 0,
                    delivered: 0,
                    opened: 0,
                    clicked: 0,
                    data_entered: 0,
                    reported: 0,
                }
            });
            funnel.recipients += 1;
            funnel.delivered += u64::from(delivered);
            funnel.opened += u64::from(opened);
            funnel.clicked += u64::from(clicked);
            funnel.data_entered += u64::from(data_entered);
            funnel.reported += u64::from(reported);
        }
        f.phishing = funnels.into_values().collect();
        f.phishing
            .sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
        f
    }
}
