//! Entities chosen, completed and keyed: the kept record of each id, users and modules built
//! from what mentions them, "All Users", the account's risk score history, the phishing
//! categories the tests name.

use std::collections::{BTreeMap, HashMap};

use super::builder::{Builder, Label, Loc, plural};
use super::record::{quote, targets};
use super::{IdMap, ModuleKey, ModuleSlot, Slot, State, seen};
use crate::model::intern::StrArena;
use crate::model::keys::{self, RiskSubject};
use crate::model::props::{Prop, Span};
use crate::model::raw::Raw;
use crate::model::table::EntityType;
use crate::model::warning::WarningCode;

pub(super) struct Draft {
    pub key: u32,
    pub span: Span,
    pub ty: EntityType,
}

#[derive(Default)]
pub(super) struct Drafts {
    pub list: Vec<Draft>,
    pub keys: StrArena,
    buf: String,
}

impl Drafts {
    pub(super) fn add(
        &mut self,
        ty: EntityType,
        span: Span,
        key: impl FnOnce(&mut String),
    ) -> Option<u32> {
        self.buf.clear();
        key(&mut self.buf);
        let key = self.keys.push(&self.buf)?;
        let index = u32::try_from(self.list.len()).ok()?;
        self.list.push(Draft { key, span, ty });
        Some(index)
    }
}

pub(super) fn prop_of(b: &Builder, span: Span, slot: u16) -> Option<Prop> {
    b.store.get(span).find(|p| p.slot == slot)
}

/// Warns about the records that lost to the one kept.
fn duplicates<X>(b: &mut Builder, slot: &Slot<X>, label: Label) {
    let kept = b.location(slot.loc);
    let mut dups = slot.dups.clone();
    dups.sort_by(|&x, &y| b.loc_cmp(x, y));
    dups.dedup();
    for dup in dups {
        b.warn(
            WarningCode::DuplicateRecord,
            dup,
            Some(label),
            format!("listed more than once: {kept} is kept, this record is left out"),
        );
    }
}

/// Re-stores `span` with a `knownOnlyFrom` property made of the bits of `seen`.
fn with_known_only_from(b: &mut Builder, span: Span, slot: u16, seen_bits: u8) -> Span {
    let mut ids = Vec::new();
    for (bit, name) in [
        (seen::ADMIN, "account_admin"),
        (seen::ENROLLMENT, "enrollment"),
        (seen::MEMBERS, "group_members"),
        (seen::RESULT, "phishing_result"),
        (seen::CAMPAIGN, "training_campaign"),
    ] {
        if seen_bits & bit != 0
            && let Some(id) = b.intern(name)
        {
            ids.push(id);
        }
    }
    b.load(span);
    if let Some(prop) = b.store.string_array(slot, &ids) {
        b.buf_set(prop);
    }
    b.commit().unwrap_or(span)
}

fn seen_words(bits: u8) -> String {
    let mut words = Vec::new();
    if bits & seen::MEMBERS != 0 {
        words.push("group members");
    }
    if bits & seen::ENROLLMENT != 0 {
        words.push("enrollments");
    }
    if bits & seen::RESULT != 0 {
        words.push("phishing results");
    }
    if bits & seen::ADMIN != 0 {
        words.push("the account's admins");
    }
    words.join(", ")
}

pub(super) struct UserInfo {
    pub draft: u32,
    pub loc: Option<Loc>,
    pub span: Span,
    /// Listed by `users/active`: a member of "All Users".
    pub active: bool,
}

/// Every entity as a draft (not yet in key order), with what relationships need to find them.
pub(super) struct Entities {
    pub drafts: Drafts,
    pub account: Option<u32>,
    /// Risk score history points, with whose they are (users and groups by id).
    pub risk_scores: Vec<(RiskSubject, u32)>,
    pub users: IdMap<i64, UserInfo>,
    pub persons: super::persons::Persons,
    pub groups: IdMap<i64, u32>,
    /// (draft, record location, properties) by id.
    pub training: IdMap<i64, (u32, Loc, Span)>,
    pub modules: HashMap<ModuleKey, u32>,
    pub phishing: IdMap<i64, (u32, Loc, Span)>,
    pub tests: IdMap<i64, (u32, Loc, Span)>,
    pub categories: IdMap<i64, u32>,
    /// (draft, test id, properties).
    pub results: Vec<(u32, i64, Span)>,
}

impl State {
    pub(super) fn entities(&mut self) -> Entities {
        let mut d = Drafts::default();
        let account = self.finish_account(&mut d);
        let users = self.finish_users(&mut d);
        let persons = self.finish_persons(&mut d, &users);
        let active_users = users.values().filter(|u| u.active).count();
        let groups = self.finish_groups(&mut d, active_users);
        let risk_scores = self.finish_risk_scores(&mut d, &users, &groups);
        let training = finish_listing(
            &mut self.b,
            &mut d,
            &self.training,
            EntityType::TrainingCampaign,
            keys::TRAINING_CAMPAIGN,
            Label::TrainingCampaign,
        );
        let modules = self.finish_modules(&mut d);
        let phishing = self.finish_phishing(&mut d);
        let tests = finish_listing(
            &mut self.b,
            &mut d,
            &self.tests,
            EntityType::PhishingSecurityTest,
            keys::SECURITY_TEST,
            Label::SecurityTest,
        );
        let categories = self.finish_categories(&mut d, &tests);
        let results = self.finish_results(&mut d);

        Entities {
            drafts: d,
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
        }
    }

    /// One entity per category id the tests list, named as the first test (by id) names it.
    fn finish_categories(
        &mut self,
        d: &mut Drafts,
        tests: &IdMap<i64, (u32, Loc, Span)>,
    ) -> IdMap<i64, u32> {
        let t = &targets().security_test;
        let (ids_slot, names_slot) = (t.slot("categoryIds"), t.slot("categoryNames"));
        let mut test_ids: Vec<i64> = tests.keys().copied().collect();
        test_ids.sort_unstable();
        // Category id -> (name, the test that named it first, where).
        let mut named: BTreeMap<i64, (u32, i64, Loc)> = BTreeMap::new();
        for pst in test_ids {
            let Some(&(_, loc, span)) = tests.get(&pst) else {
                continue;
            };
            let Some(ids) = prop_of(&self.b, span, ids_slot) else {
                continue;
            };
            let ids = self.b.store.int_list(&ids).to_vec();
            // Both arrays hold one entry per item the test kept (a missing name is "").
            let names = prop_of(&self.b, span, names_slot)
                .map(|p| self.b.store.str_list(&p).to_vec())
                .unwrap_or_default();
            for (i, &id) in ids.iter().enumerate() {
                let Some(&name) = names.get(i) else { continue };
                match named.get(&id) {
                    None => {
                        named.insert(id, (name, pst, loc));
                    }
                    Some(&(first, by, first_loc)) if first != name => {
                        let message = format!(
                            "names category {id} {}, but security test {by} ({}) names it {}: the first name is kept",
                            quote(&Raw::Str(self.b.str(name).into())),
                            self.b.location(first_loc),
                            quote(&Raw::Str(self.b.str(first).into())),
                        );
                        self.b.warn(
                            WarningCode::DuplicateRecord,
                            loc,
                            Some(Label::SecurityTest(Some(pst))),
                            message,
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        let c = &targets().phishing_category;
        let mut out = IdMap::default();
        for (id, (name, _, _)) in named {
            let text = match self.b.str(name) {
                "" => format!("Category {id}"),
                text => text.to_owned(),
            };
            self.b.buf.clear();
            self.b.buf_set_str(c.slot("name"), &text);
            self.b.buf_set_str(c.slot("displayName"), &text);
            self.b.buf_set(Prop::integer(c.slot("categoryId"), id));
            let Some(span) = self.b.commit() else {
                continue;
            };
            if let Some(draft) = d.add(EntityType::PhishingCategory, span, |k| {
                keys::id_key(k, keys::PHISHING_CATEGORY, id)
            }) {
                out.insert(id, draft);
            }
        }
        out
    }

    fn finish_account(&mut self, d: &mut Drafts) -> Option<u32> {
        let Some(slot) = self.account.take() else {
            self.b.warn_at(
                WarningCode::NoAccount,
                "account".into(),
                None,
                "the snapshot has no usable account record: the graph has no account entity and no account relationships".into(),
            );
            return None;
        };
        duplicates(&mut self.b, &slot, Label::Account);
        let t = &targets().account;
        let span = slot.span;
        self.admins = slot.extra;
        let name = prop_of(&self.b, span, t.slot("name"))
            .and_then(|p| p.as_string_id())
            .map(|id| self.b.str(id).to_owned())
            .unwrap_or_default();
        d.add(EntityType::Account, span, |k| keys::account_key(k, &name))
    }

    /// The points of every history, in subject and date order. The points of a user or group
    /// the graph does not hold (its listing page damaged, say) are left out with a warning, as
    /// a history point belongs to nothing else.
    fn finish_risk_scores(
        &mut self,
        d: &mut Drafts,
        users: &IdMap<i64, UserInfo>,
        groups: &IdMap<i64, u32>,
    ) -> Vec<(RiskSubject, u32)> {
        let points = std::mem::take(&mut self.risk_scores);
        let mut out = Vec::with_capacity(points.len());
        let mut orphans: BTreeMap<RiskSubject, u64> = BTreeMap::new();
        for ((subject, date), slot) in points {
            let day = i32::try_from(date).ok();
            duplicates(&mut self.b, &slot, Label::RiskScore(day));
            let known = match subject {
                RiskSubject::Account => true,
                RiskSubject::User(u) => users.contains_key(&u),
                RiskSubject::Group(g) => groups.contains_key(&g),
            };
            if !known {
                *orphans.entry(subject).or_default() += 1;
                continue;
            }
            if let Some(draft) = d.add(EntityType::RiskScore, slot.span, |k| {
                keys::risk_score_key(k, subject, date)
            }) {
                out.push((subject, draft));
            }
        }
        for (subject, count) in orphans {
            let (collection, label, what) = match subject {
                RiskSubject::User(u) => (
                    format!("users/{u}/risk_score_history"),
                    Label::User(Some(u)),
                    "user",
                ),
                RiskSubject::Group(g) => (
                    format!("groups/{g}/risk_score_history"),
                    Label::Group(Some(g)),
                    "group",
                ),
                RiskSubject::Account => continue,
            };
            self.b.warn_at(
                WarningCode::MissingReference,
                collection,
                Some(label),
                format!(
                    "the {what} is in no listing of the snapshot: its risk score history ({}) is left out",
                    plural(count, "point"),
                ),
            );
        }
        out
    }

    fn finish_users(&mut self, d: &mut Drafts) -> IdMap<i64, UserInfo> {
        let mut out: IdMap<i64, UserInfo> = IdMap::default();
        let known_only_from = targets().user.slot("knownOnlyFrom");
        let mut users: Vec<(i64, super::UserSlot)> =
            std::mem::take(&mut self.users).into_iter().collect();
        users.sort_unstable_by_key(|&(id, _)| id);
        for (id, slot) in users {
            let (span, loc, active) = if let Some(listed) = &slot.listed {
                duplicates(&mut self.b, listed, Label::User(Some(id)));
                (listed.span, listed.loc, listed.prec == 0)
            } else if let Some((_, loc, span)) = slot.mention {
                self.b.warn(
                    WarningCode::UnlistedUser,
                    loc,
                    Some(Label::User(Some(id))),
                    format!(
                        "in neither users/active nor users/archived: built from this record (mentioned by {}: {})",
                        plural(slot.mentions, "record"),
                        seen_words(slot.seen)
                    ),
                );
                let span = with_known_only_from(&mut self.b, span, known_only_from, slot.seen);
                (span, loc, false)
            } else {
                continue;
            };
            if let Some(draft) = d.add(EntityType::User, span, |k| keys::id_key(k, keys::USER, id))
            {
                out.insert(
                    id,
                    UserInfo {
                        draft,
                        loc: Some(loc),
                        span,
                        active,
                    },
                );
            }
        }
        out
    }

    fn finish_groups(&mut self, d: &mut Drafts, active_users: usize) -> IdMap<i64, u32> {
        let mut out = IdMap::default();
        let mut groups: Vec<(i64, Slot<()>)> =
            std::mem::take(&mut self.groups).into_iter().collect();
        groups.sort_unstable_by_key(|&(id, _)| id);
        if !groups.iter().any(|&(id, _)| id == 0) {
            // "All Users": the pseudo-group campaigns target as group 0, never listed.
            let t = &targets().group;
            self.b.buf.clear();
            self.b.buf_set(Prop::integer(t.slot("id"), 0));
            self.b.buf_set_str(t.slot("name"), "All Users");
            self.b.buf_set_str(t.slot("displayName"), "All Users");
            self.b
                .buf_set(Prop::integer(t.slot("memberCount"), active_users as i64));
            if let Some(span) = self.b.commit()
                && let Some(draft) = d.add(EntityType::UserGroup, span, |k| {
                    keys::id_key(k, keys::GROUP, 0)
                })
            {
                out.insert(0, draft);
            }
        }
        for (id, slot) in groups {
            duplicates(&mut self.b, &slot, Label::Group(Some(id)));
            if let Some(draft) = d.add(EntityType::UserGroup, slot.span, |k| {
                keys::id_key(k, keys::GROUP, id)
            }) {
                out.insert(id, draft);
            }
        }
        out
    }

    fn finish_modules(&mut self, d: &mut Drafts) -> HashMap<ModuleKey, u32> {
        let mut out = HashMap::new();
        let t = &targets().module;
        let known_only_from = t.slot("knownOnlyFrom");
        let mut modules: Vec<(ModuleKey, ModuleSlot)> =
            std::mem::take(&mut self.modules).into_iter().collect();
        modules.sort_unstable_by_key(|&(k, _)| k);
        for (key, mut slot) in modules {
            let label = match key {
                ModuleKey::Purchase(id) => Label::StorePurchase(Some(id)),
                ModuleKey::Policy(id) => Label::Policy(Some(id)),
                ModuleKey::Name(_) => Label::StorePurchase(None),
            };
            slot.content
                .sort_by(|a, b| self.b.loc_cmp(a.0, b.0).then(a.1.cmp(&b.1)));
            let mut spans: Vec<Span> = Vec::new();
            let mut seen_bits = 0u8;
            if let Some(listed) = &slot.listed {
                duplicates(&mut self.b, listed, label);
                spans.push(listed.span);
            }
            spans.extend(slot.content.iter().map(|c| c.2));
            if slot.listed.is_none() {
                let what = match key {
                    ModuleKey::Purchase(id) => Some(format!(
                        "store purchase {id} is not in training/store_purchases"
                    )),
                    ModuleKey::Policy(id) => {
                        Some(format!("policy {id} is not in training/policies"))
                    }
                    ModuleKey::Name(_) => None,
                };
                if let Some(&(loc, _, _)) = slot.content.first() {
                    seen_bits |= seen::CAMPAIGN;
                    if let Some(what) = what {
                        self.b.warn(
                            WarningCode::UnlistedModule,
                            loc,
                            Some(label),
                            format!(
                                "{what}: built from training campaign content ({})",
                                plural(slot.content.len() as u64, "item")
                            ),
                        );
                    }
                } else if let Some((loc, span)) = slot.enrollment {
                    seen_bits |= seen::ENROLLMENT;
                    spans.push(span);
                    if let Some(what) = what {
                        self.b.warn(
                            WarningCode::UnlistedModule,
                            loc,
                            Some(label),
                            format!(
                                "{what} nor in any campaign's content: built from this enrollment (named by {})",
                                plural(slot.enrollments, "enrollment")
                            ),
                        );
                    }
                }
            }
            let Some(mut span) = (match spans.as_slice() {
                [] => None,
                [one] => Some(*one),
                many => self.b.merge(many),
            }) else {
                continue;
            };
            if seen_bits != 0 {
                span = with_known_only_from(&mut self.b, span, known_only_from, seen_bits);
            }
            let name = match key {
                ModuleKey::Name(n) => self.b.str(n).to_owned(),
                _ => String::new(),
            };
            let draft = d.add(EntityType::TrainingModule, span, |k| match key {
                ModuleKey::Purchase(id) => keys::id_key(k, keys::PURCHASE, id),
                ModuleKey::Policy(id) => keys::id_key(k, keys::POLICY, id),
                ModuleKey::Name(_) => {
                    k.push_str(keys::MODULE_NAME);
                    k.push_str(&name);
                }
            });
            if let Some(draft) = draft {
                out.insert(key, draft);
            }
        }
        out
    }

    fn finish_phishing(&mut self, d: &mut Drafts) -> IdMap<i64, (u32, Loc, Span)> {
        let mut out = IdMap::default();
        let callback_slot = targets().phishing_campaign.slot("callback");
        let mut ids: Vec<i64> = self
            .phishing
            .keys()
            .chain(self.callback.keys())
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let label = Label::PhishingCampaign(Some(id));
            let both = self.phishing.contains_key(&id) && self.callback.contains_key(&id);
            if let Some(slot) = self.callback.get(&id) {
                let slot = Slot {
                    prec: 0,
                    loc: slot.loc,
                    span: slot.span,
                    extra: (),
                    dups: slot.dups.clone(),
                };
                duplicates(&mut self.b, &slot, label);
            }
            let (loc, mut span) = match self.phishing.get(&id) {
                Some(slot) => {
                    let s = Slot {
                        prec: 0,
                        loc: slot.loc,
                        span: slot.span,
                        extra: (),
                        dups: slot.dups.clone(),
                    };
                    duplicates(&mut self.b, &s, label);
                    (slot.loc, slot.span)
                }
                None => match self.callback.get(&id) {
                    Some(slot) => (slot.loc, slot.span),
                    None => continue,
                },
            };
            if both {
                // Listed by both: a callback campaign that the regular listing also returns.
                self.b.load(span);
                self.b.buf_set(Prop::boolean(callback_slot, true));
                span = self.b.commit().unwrap_or(span);
            }
            if let Some(draft) = d.add(EntityType::PhishingCampaign, span, |k| {
                keys::id_key(k, keys::PHISHING_CAMPAIGN, id)
            }) {
                out.insert(id, (draft, loc, span));
            }
        }
        out
    }

    /// Results, one per (test, recipient): (draft, test id, properties).
    fn finish_results(&mut self, d: &mut Drafts) -> Vec<(u32, i64, Span)> {
        let mut results = std::mem::take(&mut self.results);
        results.sort_unstable_by(|a, b| {
            (a.pst, a.recipient)
                .cmp(&(b.pst, b.recipient))
                .then_with(|| self.b.loc_cmp(a.loc, b.loc))
        });
        let mut out = Vec::with_capacity(results.len());
        let mut i = 0;
        while i < results.len() {
            let kept = results[i];
            let mut j = i + 1;
            while j < results.len()
                && (results[j].pst, results[j].recipient) == (kept.pst, kept.recipient)
            {
                let at = self.b.location(kept.loc);
                self.b.warn(
                    WarningCode::DuplicateRecord,
                    results[j].loc,
                    Some(Label::Result {
                        pst: kept.pst,
                        recipient: Some(kept.recipient),
                    }),
                    format!("listed more than once: {at} is kept, this record is left out"),
                );
                j += 1;
            }
            if let Some(draft) = d.add(EntityType::PhishingSecurityTestResult, kept.span, |k| {
                keys::result_key(k, kept.pst, kept.recipient)
            }) {
                out.push((draft, kept.pst, kept.span));
            }
            i = j;
        }
        out
    }
}

/// Entities of a plain listing: the kept record of each id, as (draft, location, properties).
fn finish_listing<X>(
    b: &mut Builder,
    d: &mut Drafts,
    map: &IdMap<i64, Slot<X>>,
    ty: EntityType,
    prefix: &str,
    label: fn(Option<i64>) -> Label,
) -> IdMap<i64, (u32, Loc, Span)> {
    let mut out = IdMap::default();
    let mut ids: Vec<i64> = map.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(slot) = map.get(&id) else { continue };
        duplicates(b, slot, label(Some(id)));
        if let Some(draft) = d.add(ty, slot.span, |k| keys::id_key(k, prefix, id)) {
            out.insert(id, (draft, slot.loc, slot.span));
        }
    }
    out
}
