//! References resolved into relationships, or into warnings when they lead nowhere.

use std::collections::{BTreeMap, BTreeSet};

use super::builder::{Label, plural};
use super::entities::{Entities, prop_of};
use super::record::targets;
use super::{Enrollment, ModuleKey, State};
use crate::model::graph::RelRec;
use crate::model::keys::RiskSubject;
use crate::model::props::Span;
use crate::model::table::RelationshipType;
use crate::model::warning::WarningCode;

impl State {
    /// Every relationship, between entities at their places in key order (`final_of` maps a
    /// draft to its place); not yet sorted. `enrollments` are the kept enrollments in id order,
    /// consumed here so that their memory is given back before the rest is built.
    pub(super) fn relationships(
        &mut self,
        e: &Entities,
        final_of: &[u32],
        enrollments: Vec<(i64, Enrollment)>,
    ) -> Vec<RelRec> {
        let Entities {
            account,
            risk_scores,
            users,
            persons,
            groups,
            training,
            modules,
            phishing,
            tests,
            categories,
            results,
            ..
        } = e;
        let account = *account;
        let f = |draft: u32| final_of.get(draft as usize).copied().unwrap_or(u32::MAX);

        let mut rels: Vec<RelRec> = Vec::new();
        let mut rel = |ty: RelationshipType, from: u32, to: u32, props: Span| {
            rels.push(RelRec {
                from: f(from),
                to: f(to),
                props,
                ty,
            });
        };
        let none = Span::default();

        // The account has every user, group and campaign.
        if let Some(account) = account {
            for u in users.values() {
                rel(RelationshipType::AccountHasUser, account, u.draft, none);
            }
            for &g in groups.values() {
                rel(RelationshipType::AccountHasUserGroup, account, g, none);
            }
            for &(c, _, _) in training.values() {
                rel(
                    RelationshipType::AccountHasTrainingCampaign,
                    account,
                    c,
                    none,
                );
            }
            for &(c, _, _) in phishing.values() {
                rel(
                    RelationshipType::AccountHasPhishingCampaign,
                    account,
                    c,
                    none,
                );
            }
            for &(subject, r) in risk_scores {
                if subject == RiskSubject::Account {
                    rel(RelationshipType::AccountHasRiskScore, account, r, none);
                }
            }
            // Every admin is a user: listed, or else built from the admin record itself.
            for &(user, props) in &self.admins {
                if let Some(u) = users.get(&user) {
                    rel(
                        RelationshipType::UserManagesAccount,
                        u.draft,
                        account,
                        props,
                    );
                }
            }
        }

        for &(subject, r) in risk_scores {
            match subject {
                RiskSubject::User(u) => {
                    if let Some(u) = users.get(&u) {
                        rel(RelationshipType::UserHasRiskScore, u.draft, r, none);
                    }
                }
                RiskSubject::Group(g) => {
                    if let Some(&g) = groups.get(&g) {
                        rel(RelationshipType::UserGroupHasRiskScore, g, r, none);
                    }
                }
                RiskSubject::Account => {}
            }
        }

        for &(user, person) in &persons.is {
            rel(RelationshipType::UserIsPerson, user, person, none);
        }
        for &(person, manager) in &persons.reports_to {
            rel(
                RelationshipType::PersonReportsToPerson,
                person,
                manager,
                none,
            );
        }

        // Group membership: member listings, users' own `groups`, and "All Users".
        let mut missing_groups: BTreeMap<i64, u64> = BTreeMap::new();
        for &(g, u) in &self.members {
            match (groups.get(&g), users.get(&u)) {
                (Some(&g), Some(u)) => rel(RelationshipType::UserGroupHasUser, g, u.draft, none),
                (None, _) => *missing_groups.entry(g).or_default() += 1,
                (Some(_), None) => {}
            }
        }
        for (&g, &count) in &missing_groups {
            let collection = self
                .member_collections
                .get(&g)
                .map_or_else(|| format!("groups/{g}/members"), |c| c.0.clone());
            self.b.warn_at(
                WarningCode::MissingReference,
                collection,
                Some(Label::Group(Some(g))),
                format!(
                    "{} of group {g}, which is in neither groups/active nor groups/archived: no membership made",
                    plural(count, "member")
                ),
            );
        }
        let user_groups = targets().user.slot("groupIds");
        let mut user_ids: Vec<i64> = users.keys().copied().collect();
        user_ids.sort_unstable();
        for id in &user_ids {
            let Some(u) = users.get(id) else { continue };
            if let Some(all) = groups.get(&0).filter(|_| u.active) {
                rel(RelationshipType::UserGroupHasUser, *all, u.draft, none);
            }
            let Some(p) = prop_of(&self.b, u.span, user_groups) else {
                continue;
            };
            for &g in self.b.store.int_list(&p).to_vec().iter() {
                match groups.get(&g) {
                    Some(&gd) => rel(RelationshipType::UserGroupHasUser, gd, u.draft, none),
                    None => {
                        if let Some(loc) = u.loc {
                            self.b.warn(
                                WarningCode::MissingReference,
                                loc,
                                Some(Label::User(Some(*id))),
                                format!("`groups` lists group {g}, which is in neither groups/active nor groups/archived: no membership made"),
                            );
                        }
                    }
                }
            }
        }

        // Training campaigns: their groups, their modules.
        let campaign_groups = targets().training_campaign.slot("groupIds");
        let mut campaign_ids: Vec<i64> = training.keys().copied().collect();
        campaign_ids.sort_unstable();
        let mut campaign_modules: BTreeSet<(i64, ModuleKey)> = BTreeSet::new();
        for id in &campaign_ids {
            let Some(&(c, loc, span)) = training.get(id) else {
                continue;
            };
            if let Some(p) = prop_of(&self.b, span, campaign_groups) {
                for &g in self.b.store.int_list(&p).to_vec().iter() {
                    match groups.get(&g) {
                        Some(&gd) => {
                            rel(RelationshipType::TrainingCampaignAssignedUserGroup, c, gd, none)
                        }
                        None => self.b.warn(
                            WarningCode::MissingReference,
                            loc,
                            Some(Label::TrainingCampaign(Some(*id))),
                            format!("`groups` lists group {g}, which is in neither groups/active nor groups/archived: not assigned"),
                        ),
                    }
                }
            }
            if let Some(slot) = self.training.get(id) {
                for &m in &slot.extra {
                    campaign_modules.insert((*id, m));
                }
            }
        }

        // Enrollments: one ASSIGNED each, one COMPLETED each passed one.
        for (id, e) in enrollments {
            let mut dups = self.enrollment_dups.remove(&id).unwrap_or_default();
            dups.sort_by(|&x, &y| self.b.loc_cmp(x, y));
            dups.dedup();
            let kept = self.b.location(e.loc);
            for dup in dups {
                self.b.warn(
                    WarningCode::DuplicateRecord,
                    dup,
                    Some(Label::Enrollment(Some(id))),
                    format!("listed more than once: {kept} is kept, this record is left out"),
                );
            }
            let (Some(&m), Some(u)) = (modules.get(&e.module), users.get(&e.user)) else {
                continue;
            };
            rel(
                RelationshipType::TrainingModuleAssignedUser,
                m,
                u.draft,
                e.span,
            );
            if e.passed {
                rel(
                    RelationshipType::UserCompletedTrainingModule,
                    u.draft,
                    m,
                    e.span,
                );
            }
            if let Some(c) = e.campaign
                && training.contains_key(&c)
            {
                campaign_modules.insert((c, e.module));
            }
        }
        for (c, m) in campaign_modules {
            if let (Some(&(cd, _, _)), Some(&md)) = (training.get(&c), modules.get(&m)) {
                rel(RelationshipType::TrainingCampaignHasModule, cd, md, none);
            }
        }

        // Phishing: campaigns contain tests (from both sides), tests contain results, users
        // have results.
        let test_campaign = targets().security_test.slot("campaignId");
        let mut test_ids: Vec<i64> = tests.keys().copied().collect();
        test_ids.sort_unstable();
        for id in &test_ids {
            let Some(&(t, loc, span)) = tests.get(id) else {
                continue;
            };
            let Some(c) = prop_of(&self.b, span, test_campaign).and_then(|p| p.as_integer()) else {
                continue;
            };
            match phishing.get(&c) {
                Some(&(cd, _, _)) => {
                    rel(RelationshipType::PhishingCampaignContainsSecurityTest, cd, t, none)
                }
                None => self.b.warn(
                    WarningCode::MissingReference,
                    loc,
                    Some(Label::SecurityTest(Some(*id))),
                    format!("`campaign_id` {c} is not a listed phishing campaign (callback campaigns need a snapshot with phishing/campaigns/callback): not contained in a campaign"),
                ),
            }
        }
        let mut phishing_ids: Vec<i64> = phishing.keys().copied().collect();
        phishing_ids.sort_unstable();
        for id in &phishing_ids {
            let Some(&(cd, loc, _)) = phishing.get(id) else {
                continue;
            };
            let listed = self
                .phishing
                .get(id)
                .or_else(|| self.callback.get(id))
                .map(|s| s.extra.clone())
                .unwrap_or_default();
            for (pst, span) in listed {
                match tests.get(&pst) {
                    Some(&(t, _, _)) => {
                        rel(RelationshipType::PhishingCampaignContainsSecurityTest, cd, t, span)
                    }
                    None => self.b.warn(
                        WarningCode::MissingReference,
                        loc,
                        Some(Label::PhishingCampaign(Some(*id))),
                        format!("`psts` lists security test {pst}, which is not in phishing/security_tests: not contained"),
                    ),
                }
            }
        }
        let test_categories = targets().security_test.slot("categoryIds");
        for id in &test_ids {
            let Some(&(t, _, span)) = tests.get(id) else {
                continue;
            };
            let Some(p) = prop_of(&self.b, span, test_categories) else {
                continue;
            };
            let mut listed = self.b.store.int_list(&p).to_vec();
            listed.sort_unstable();
            listed.dedup();
            for c in listed {
                if let Some(&cd) = categories.get(&c) {
                    rel(RelationshipType::SecurityTestHasCategory, t, cd, none);
                }
            }
        }
        let result_user = targets().result.slot("userId");
        let mut orphans: BTreeMap<i64, u64> = BTreeMap::new();
        for &(r, pst, span) in results {
            match tests.get(&pst) {
                Some(&(t, _, _)) => rel(RelationshipType::SecurityTestContainsResult, t, r, none),
                None => *orphans.entry(pst).or_default() += 1,
            }
            if let Some(u) = prop_of(&self.b, span, result_user)
                .and_then(|p| p.as_integer())
                .and_then(|id| users.get(&id))
            {
                rel(
                    RelationshipType::UserHasSecurityTestResult,
                    u.draft,
                    r,
                    none,
                );
            }
        }
        for (pst, count) in orphans {
            let collection = self
                .result_collections
                .get(&pst)
                .cloned()
                .unwrap_or_else(|| format!("phishing/security_tests/{pst}/recipients"));
            self.b.warn_at(
                WarningCode::MissingReference,
                collection,
                Some(Label::SecurityTest(Some(pst))),
                format!(
                    "{} of security test {pst}, which is not in phishing/security_tests: kept, but contained in no test",
                    plural(count, "result")
                ),
            );
        }
        rels
    }
}
