//! The audit questions, answered from a diff. Each reads only the types and properties of the
//! model's property table (`src/model/table.rs`) named below, so a `--type` filter that leaves a
//! type out leaves its highlights empty.
//!
//! - **Users added / removed**: `knowbe4_user` entities added / removed.
//! - **Users archived**: changed `knowbe4_user` entities whose `status` became `archived` or whose
//!   `archivedAt` was set (absent before, present now).
//! - **Group membership**: `knowbe4_user_group_has_user` relationships added / removed, per group
//!   (`_fromEntityKey`), listing users (`_toEntityKey`).
//! - **Enrollments newly completed**: `normalize` makes one `training_module_assigned_user`
//!   (ASSIGNED) relationship per enrollment and one `user_completed_training_module`
//!   (COMPLETED) per passed enrollment, both with the enrollment's `status`. An enrollment is
//!   newly completed when its COMPLETED relationship was added, or either relationship was added
//!   with, or changed to, a `status` of `Passed` or `Completed` (from any other). Listed once per
//!   enrollment (user, module, `enrollmentId`), by the COMPLETED key when there is one.
//! - **Enrollments newly past due**: an ASSIGNED or COMPLETED relationship added with, or changed
//!   to, `status` `Past Due`; listed by its key, once per enrollment.
//! - **Phishing results**: `knowbe4_phishing_security_test_result` entities added; those of
//!   them with `clickedAt`; and changed results whose `clickedAt` or `reportedAt` changed.
//! - **People who lost their last active account**: changed `employee` entities whose `active`
//!   went from `true` to `false`.
//! - **People whose manager changed**: `employee` entities in both graphs (neither added nor
//!   removed) that are the source (`_fromEntityKey`) of an `employee_reports_to_employee`
//!   relationship added or removed.

use std::collections::{BTreeMap, BTreeSet};

use super::{ChangedRecord, GraphDiff};
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value};

/// Enrollment statuses that mean the training was completed.
pub const COMPLETED_STATUSES: [&str; 2] = ["Passed", "Completed"];
pub const PAST_DUE_STATUS: &str = "Past Due";
pub const ARCHIVED_STATUS: &str = "archived";

/// Keys answering each audit question, each list sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Highlights {
    pub users_added: Vec<String>,
    pub users_archived: Vec<String>,
    pub users_removed: Vec<String>,
    /// Per group key.
    pub group_membership: BTreeMap<String, GroupMembership>,
    /// Enrollment relationship keys (COMPLETED where there is one, else ASSIGNED).
    pub enrollments_completed: Vec<String>,
    pub enrollments_past_due: Vec<String>,
    pub phishing_results_added: Vec<String>,
    /// The added results with a click (`clickedAt` set).
    pub phishing_results_added_clicked: Vec<String>,
    /// Results in both graphs whose `clickedAt` or `reportedAt` changed.
    pub phishing_results_click_or_report_changed: Vec<String>,
    /// People whose `active` went from true to false.
    pub persons_left: Vec<String>,
    /// People in both graphs whose REPORTS_TO relationships changed.
    pub persons_manager_changed: Vec<String>,
}

/// Users who joined and left one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupMembership {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Highlights {
    pub fn of(diff: &GraphDiff) -> Highlights {
        let mut h = Highlights::default();
        let of = |name: &str| diff.types.get(name);

        if let Some(users) = of(EntityType::User.name()) {
            h.users_added = keys(&users.added);
            h.users_removed = keys(&users.removed);
            h.users_archived = users
                .changed
                .iter()
                .filter(|c| was_archived(c))
                .map(|c| c.key.clone())
                .collect();
        }

        if let Some(members) = of(RelationshipType::UserGroupHasUser.name()) {
            for (records, added) in [(&members.added, true), (&members.removed, false)] {
                for r in records {
                    if let RecordKind::Relationship { from, to } = &r.kind {
                        let group = h.group_membership.entry(from.clone()).or_default();
                        let list = if added {
                            &mut group.added
                        } else {
                            &mut group.removed
                        };
                        list.push(to.clone());
                    }
                }
            }
            for g in h.group_membership.values_mut() {
                g.added.sort();
                g.removed.sort();
            }
        }

        let mut completed = Enrollments::default();
        let mut past_due = Enrollments::default();
        for ty in [
            RelationshipType::TrainingModuleAssignedUser,
            RelationshipType::UserCompletedTrainingModule,
        ] {
            let Some(t) = of(ty.name()) else { continue };
            let is_completion = ty == RelationshipType::UserCompletedTrainingModule;
            for r in &t.added {
                if is_completion || status_in(r.properties.get("status"), &COMPLETED_STATUSES) {
                    completed.note(ty, &r.kind, &r.key);
                }
                if status_in(r.properties.get("status"), &[PAST_DUE_STATUS]) {
                    past_due.note(ty, &r.kind, &r.key);
                }
            }
            for c in &t.changed {
                let Some(status) = c.change("status") else {
                    continue;
                };
                let was = |set: &[&str]| status_in(status.old.as_ref(), set);
                let is = |set: &[&str]| status_in(status.new.as_ref(), set);
                if is(&COMPLETED_STATUSES) && !was(&COMPLETED_STATUSES) {
                    completed.note(ty, &c.kind, &c.key);
                }
                if is(&[PAST_DUE_STATUS]) && !was(&[PAST_DUE_STATUS]) {
                    past_due.note(ty, &c.kind, &c.key);
                }
            }
        }
        h.enrollments_completed = completed.keys();
        h.enrollments_past_due = past_due.keys();

        if let Some(results) = of(EntityType::PhishingSecurityTestResult.name()) {
            h.phishing_results_added = keys(&results.added);
            h.phishing_results_added_clicked = results
                .added
                .iter()
                .filter(|r| r.properties.contains_key("clickedAt"))
                .map(|r| r.key.clone())
                .collect();
            h.phishing_results_click_or_report_changed = results
                .changed
                .iter()
                .filter(|c| c.change("clickedAt").is_some() || c.change("reportedAt").is_some())
                .map(|c| c.key.clone())
                .collect();
        }

        let persons = of(EntityType::Person.name());
        if let Some(persons) = persons {
            h.persons_left = persons
                .changed
                .iter()
                .filter(|c| {
                    c.change("active").is_some_and(|a| {
                        a.old == Some(Value::Boolean(true)) && a.new == Some(Value::Boolean(false))
                    })
                })
                .map(|c| c.key.clone())
                .collect();
        }
        if let Some(lines) = of(RelationshipType::PersonReportsToPerson.name()) {
            let new_or_gone: BTreeSet<&str> = persons
                .into_iter()
                .flat_map(|p| p.added.iter().chain(&p.removed))
                .map(|r| r.key.as_str())
                .collect();
            let changed: BTreeSet<String> = lines
                .added
                .iter()
                .chain(&lines.removed)
                .filter_map(|r| match &r.kind {
                    RecordKind::Relationship { from, .. } => Some(from),
                    RecordKind::Entity => None,
                })
                .filter(|from| !new_or_gone.contains(from.as_str()))
                .cloned()
                .collect();
            h.persons_manager_changed = changed.into_iter().collect();
        }
        h
    }

    /// True when no question has an answer.
    pub fn is_empty(&self) -> bool {
        self == &Highlights::default()
    }

    /// Memberships added and removed over all groups.
    pub fn membership_counts(&self) -> (usize, usize) {
        self.group_membership
            .values()
            .fold((0, 0), |(a, r), g| (a + g.added.len(), r + g.removed.len()))
    }
}

fn keys(records: &[Record]) -> Vec<String> {
    records.iter().map(|r| r.key.clone()).collect()
}

fn was_archived(c: &ChangedRecord) -> bool {
    let status = c.change("status").is_some_and(|s| {
        status_in(s.new.as_ref(), &[ARCHIVED_STATUS])
            && !status_in(s.old.as_ref(), &[ARCHIVED_STATUS])
    });
    let archived_at = c
        .change("archivedAt")
        .is_some_and(|a| a.old.is_none() && a.new.is_some());
    status || archived_at
}

fn status_in(value: Option<&Value>, set: &[&str]) -> bool {
    matches!(value, Some(Value::String(s)) if set.contains(&s.as_str()))
}

/// Enrollments found so far, once each, by (user key, module key, enrollment id).
#[derive(Default)]
struct Enrollments {
    /// The key to list, and whether it is a COMPLETED relationship's.
    found: BTreeMap<(String, String, String), (String, bool)>,
}

impl Enrollments {
    fn note(&mut self, ty: RelationshipType, kind: &RecordKind, key: &str) {
        let RecordKind::Relationship { from, to } = kind else {
            return;
        };
        let completion = ty == RelationshipType::UserCompletedTrainingModule;
        let (user, module) = if completion { (from, to) } else { (to, from) };
        // Per-enrollment keys end with `|<enrollmentId>`; endpoint keys may hold `|` themselves
        // (a module known only by name), the id never does.
        let id = key.rsplit('|').next().unwrap_or(key).to_owned();
        let entry = self
            .found
            .entry((user.clone(), module.clone(), id))
            .or_insert_with(|| (key.to_owned(), completion));
        if completion && !entry.1 {
            *entry = (key.to_owned(), true);
        }
    }

    fn keys(self) -> Vec<String> {
        let mut keys: Vec<String> = self.found.into_values().map(|(k, _)| k).collect();
        keys.sort();
        keys
    }
}
