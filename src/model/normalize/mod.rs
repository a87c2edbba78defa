//! `normalize`: raw pages in, a [`Graph`] and its [`Warning`]s out. Pure, and never panics.
//!
//! Collections are read in a fixed order whatever order the source lists them in (listings
//! before what refers to them), and every choice between records is made by record location
//! (page file, then index) rather than by reading order, so the graph and the warnings do not
//! depend on the order pages come in.

mod account;
mod builder;
mod combine;
mod entities;
mod finish;
mod links;
mod pages;
mod people;
mod persons;
mod phishing;
mod record;
mod training;

use std::collections::{BTreeMap, HashMap};

use crate::model::raw::Raw;
use crate::snapshot::CollectionId;

pub use self::combine::{AccountGraph, combine};

use self::builder::{Builder, Label, Loc};
use self::pages::PageResult;
use super::graph::Graph;
use super::intern::IdMap;
use super::keys::RiskSubject;
use super::props::Span;
use super::source::RawSource;
use super::warning::{PAGE_LEFT_OUT, Warning, WarningCode};

/// Builds the graph of the account in `source`. Problems in the data become warnings (sorted
/// by location); nothing in the data makes it fail or panic. Pages are read and parsed on one
/// worker thread per core but one, the calling thread building the graph from them: building
/// takes longer than reading and parsing, and each worker's memory comes on top of the graph's.
pub fn normalize<S: RawSource + ?Sized>(source: &S) -> (Graph, Vec<Warning>) {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    normalize_with_threads(source, cores.saturating_sub(1).max(1))
}

/// [`normalize`] reading and parsing pages on `threads` worker threads (with 0, on the calling
/// thread). The graph and the warnings are the same whatever the number.
pub fn normalize_with_threads<S: RawSource + ?Sized>(
    source: &S,
    threads: usize,
) -> (Graph, Vec<Warning>) {
    let mut state = State::default();
    state.read(source, threads);
    let (mut graph, warnings) = state.finish();
    // Tagged with the name the snapshot was fetched under, else the account's own.
    let tag = source
        .account_name()
        .or_else(|| graph.account_name().map(str::to_owned));
    graph.set_account_tag(tag.as_deref());
    (graph, warnings)
}

/// The collections `normalize` reads, in the order it reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Account,
    RiskScoreHistory,
    UsersActive,
    UsersArchived,
    GroupsActive,
    GroupsArchived,
    Members(i64),
    /// `users/<id>/risk_score_history` and `groups/<id>/risk_score_history`.
    History(RiskSubject),
    StorePurchases,
    Policies,
    TrainingCampaigns,
    PhishingCampaigns,
    CallbackCampaigns,
    SecurityTests,
    Recipients(i64),
    Enrollments,
}

impl Kind {
    /// How collection `id` is read; `None` for an id this version does not know.
    fn of(id: &str) -> Option<Kind> {
        Some(match CollectionId::parse(id)? {
            CollectionId::Account => Kind::Account,
            CollectionId::RiskScoreHistory => Kind::RiskScoreHistory,
            CollectionId::UsersActive => Kind::UsersActive,
            CollectionId::UsersArchived => Kind::UsersArchived,
            CollectionId::GroupsActive => Kind::GroupsActive,
            CollectionId::GroupsArchived => Kind::GroupsArchived,
            CollectionId::GroupMembers(group) => Kind::Members(i64::try_from(group).ok()?),
            CollectionId::UserRiskHistory(user) => {
                Kind::History(RiskSubject::User(i64::try_from(user).ok()?))
            }
            CollectionId::GroupRiskHistory(group) => {
                Kind::History(RiskSubject::Group(i64::try_from(group).ok()?))
            }
            CollectionId::StorePurchases => Kind::StorePurchases,
            CollectionId::Policies => Kind::Policies,
            CollectionId::TrainingCampaigns => Kind::TrainingCampaigns,
            // Enrollments fetched per campaign; older snapshots hold them all in one listing.
            // Either way each record names its campaign.
            CollectionId::CampaignEnrollments(_) | CollectionId::LegacyEnrollments => {
                Kind::Enrollments
            }
            CollectionId::PhishingCampaigns => Kind::PhishingCampaigns,
            CollectionId::CallbackCampaigns => Kind::CallbackCampaigns,
            CollectionId::SecurityTests => Kind::SecurityTests,
            CollectionId::Recipients(pst) => Kind::Recipients(i64::try_from(pst).ok()?),
        })
    }
}

/// Where an entity that is missing from its own listing was seen, as bits.
mod seen {
    pub const MEMBERS: u8 = 1;
    pub const ENROLLMENT: u8 = 2;
    pub const RESULT: u8 = 4;
    pub const CAMPAIGN: u8 = 8;
    pub const ADMIN: u8 = 16;
}

/// A record of a listing, the one kept among records with the same id.
#[derive(Debug)]
struct Slot<X> {
    /// Lower wins: which listing it came from (e.g. active before archived).
    prec: u8,
    loc: Loc,
    span: Span,
    extra: X,
    /// Records with the same id that lost.
    dups: Vec<Loc>,
}

/// A user: its listing record, or else the best record that mentions it.
#[derive(Debug, Default)]
struct UserSlot {
    listed: Option<Slot<()>>,
    /// Best mention so far (precedence: group members, enrollment, phishing result).
    mention: Option<(u8, Loc, Span)>,
    seen: u8,
    mentions: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ModuleKey {
    Purchase(i64),
    Policy(i64),
    /// Known only by name (an interned string id).
    Name(u32),
}

#[derive(Debug, Default)]
struct ModuleSlot {
    listed: Option<Slot<()>>,
    /// Items of training campaign content: (campaign record, item index, properties).
    content: Vec<(Loc, u32, Span)>,
    /// The first enrollment that names it, when nothing else does.
    enrollment: Option<(Loc, Span)>,
    enrollments: u64,
}

/// An enrollment, the one kept among records with the same `enrollment_id`.
#[derive(Debug)]
struct Enrollment {
    loc: Loc,
    span: Span,
    module: ModuleKey,
    user: i64,
    passed: bool,
    campaign: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct ResultRec {
    pst: i64,
    recipient: i64,
    loc: Loc,
    span: Span,
}

/// A count of records sharing one problem and the first of them.
#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u64,
    first: Loc,
}

#[derive(Default)]
struct State {
    b: Builder,
    collections: BTreeMap<String, ()>,
    /// The account record, with its admins: (user id, MANAGES properties) in list order.
    account: Option<Slot<Vec<(i64, Span)>>>,
    /// Risk score history points by subject and date (days since the epoch).
    risk_scores: BTreeMap<(RiskSubject, i64), Slot<()>>,
    /// The admins of the kept account record, once entities are finished.
    admins: Vec<(i64, Span)>,
    users: IdMap<i64, UserSlot>,
    groups: IdMap<i64, Slot<()>>,
    /// (group id, user id) from `groups/<id>/members`.
    members: Vec<(i64, i64)>,
    /// Member collections by group id, for groups that turn out not to exist.
    member_collections: BTreeMap<i64, (String, u64)>,
    modules: HashMap<ModuleKey, ModuleSlot>,
    /// Training campaigns, with their content's modules in listing order.
    training: IdMap<i64, Slot<Vec<ModuleKey>>>,
    /// Phishing campaigns of the regular listing, with the test summaries of their `psts[]`.
    phishing: IdMap<i64, Slot<Vec<(i64, Span)>>>,
    /// The same for `phishing/campaigns/callback`.
    callback: IdMap<i64, Slot<Vec<(i64, Span)>>>,
    tests: IdMap<i64, Slot<()>>,
    results: Vec<ResultRec>,
    /// Recipient collections by test id, for tests that turn out not to exist.
    result_collections: BTreeMap<i64, String>,
    enrollments: IdMap<i64, Enrollment>,
    /// Records of an enrollment id that lost to the one in `enrollments` (rare, so kept apart
    /// from the millions of enrollments).
    enrollment_dups: IdMap<i64, Vec<Loc>>,
    /// Modules by name (what names in content and enrollments may match), and back.
    module_names: HashMap<u32, Vec<ModuleKey>>,
    module_name_of: HashMap<ModuleKey, u32>,
    /// Training campaigns by name, for enrollments without `campaign_id`.
    training_names: HashMap<u32, Vec<i64>>,
    /// Enrollments naming a module only by name: (name, ambiguous) -> tally.
    name_only: BTreeMap<(String, bool), Tally>,
    /// Enrollments of training campaigns that are not listed.
    unknown_campaigns: BTreeMap<i64, Tally>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl State {
    fn read<S: RawSource + ?Sized>(&mut self, source: &S, threads: usize) {
        let mut kinds: Vec<(Kind, String)> = Vec::new();
        for c in source.collections() {
            if self.collections.insert(c.id.clone(), ()).is_some() {
                continue;
            }
            if c.not_found {
                self.b.warn_at(
                    WarningCode::IncompleteCollection,
                    c.id.clone(),
                    None,
                    "the API answered 404 for this collection (removed while fetching): it is empty".into(),
                );
            } else if !c.complete {
                self.b.warn_at(
                    WarningCode::IncompleteCollection,
                    c.id.clone(),
                    None,
                    "the snapshot holds only part of this collection (the fetch did not finish): finish it with `kb4graph fetch --resume`".into(),
                );
            }
            match Kind::of(&c.id) {
                Some(kind) => kinds.push((kind, c.id)),
                None => self.b.warn_at(
                    WarningCode::UnknownCollection,
                    c.id,
                    None,
                    "a collection this version of kb4graph does not use: ignored".into(),
                ),
            }
        }
        kinds.sort();
        // Every page in reading order, with the collection it belongs to (by index in `kinds`).
        let mut jobs = Vec::new();
        for (n, (kind, id)) in kinds.iter().enumerate() {
            let one = *kind == Kind::Account;
            jobs.extend(source.pages(id).into_iter().map(|read| (n, one, read)));
        }
        let mut prepared = 0;
        pages::in_order(
            jobs,
            threads,
            |(n, one, read)| (n, pages::read_page(read, one)),
            |(n, page)| {
                self.prepare(&kinds, &mut prepared, n + 1);
                self.page(kinds[*n].0, page);
            },
        );
        self.prepare(&kinds, &mut prepared, kinds.len());
    }

    /// Gets collections `prepared..upto` of `kinds` ready for their pages.
    fn prepare(&mut self, kinds: &[(Kind, String)], prepared: &mut usize, upto: usize) {
        for (kind, id) in kinds.iter().take(upto).skip(*prepared) {
            // Module names are indexed from the listings before campaign content is matched
            // to them, and again with the content before enrollments are.
            let previous = (*prepared)
                .checked_sub(1)
                .and_then(|p| kinds.get(p))
                .map(|(k, _)| *k);
            for stage in [Kind::TrainingCampaigns, Kind::Enrollments] {
                if *kind >= stage && previous.is_none_or(|p| p < stage) {
                    self.index_module_names();
                }
            }
            match kind {
                Kind::Members(group) => {
                    self.member_collections.insert(*group, (id.clone(), 0));
                }
                Kind::Recipients(pst) => {
                    self.result_collections.insert(*pst, id.clone());
                }
                _ => {}
            }
            *prepared += 1;
        }
    }

    /// Adds the records of one page, or the warning that it was left out.
    fn page(&mut self, kind: Kind, page: &PageResult) {
        let (file, records) = match page {
            PageResult::Unreadable(err) => {
                self.b.warn_at(
                    WarningCode::UnreadablePage,
                    err.file.clone(),
                    None,
                    format!("{PAGE_LEFT_OUT}{}", err.message),
                );
                return;
            }
            PageResult::Invalid { file, message } => {
                self.b.file(file);
                self.b.warn_at(
                    WarningCode::UnreadablePage,
                    file.clone(),
                    None,
                    format!("{PAGE_LEFT_OUT}{message}"),
                );
                return;
            }
            PageResult::Parsed { file, records } => (file, records),
        };
        let file_id = self.b.file(file);
        let parsed = records.get();
        self.warn_duplicate_keys(file, &parsed.duplicate_keys);
        for (index, record) in parsed.records.iter().enumerate() {
            let loc = Loc {
                file: file_id,
                index: u32::try_from(index).unwrap_or(u32::MAX),
            };
            self.record(kind, loc, record);
        }
    }

    /// One warning per page and key, however often the key repeats there.
    fn warn_duplicate_keys(&mut self, file: &str, keys: &[String]) {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for key in keys {
            *counts.entry(key).or_default() += 1;
        }
        for (key, times) in counts {
            self.b.warn_at(
                WarningCode::DuplicateKey,
                file.to_owned(),
                None,
                format!(
                    "key {key:?} appears twice in one object ({times} times in this page): the last value is used, as Python, jq and serde_json read it"
                ),
            );
        }
    }

    fn record(&mut self, kind: Kind, loc: Loc, record: &Raw<'_>) {
        let Raw::Object(obj) = record else {
            let label = match kind {
                Kind::Account => Label::Account,
                Kind::RiskScoreHistory | Kind::History(_) => Label::RiskScore(None),
                Kind::UsersActive | Kind::UsersArchived => Label::User(None),
                Kind::GroupsActive | Kind::GroupsArchived => Label::Group(None),
                Kind::Members(group) => Label::Member { group, user: None },
                Kind::StorePurchases => Label::StorePurchase(None),
                Kind::Policies => Label::Policy(None),
                Kind::TrainingCampaigns => Label::TrainingCampaign(None),
                Kind::PhishingCampaigns | Kind::CallbackCampaigns => Label::PhishingCampaign(None),
                Kind::SecurityTests => Label::SecurityTest(None),
                Kind::Recipients(pst) => Label::Result {
                    pst,
                    recipient: None,
                },
                Kind::Enrollments => Label::Enrollment(None),
            };
            self.b.warn(
                WarningCode::NotAnObject,
                loc,
                Some(label),
                format!("not a JSON object: {}; left out", record::quote(record)),
            );
            return;
        };
        match kind {
            Kind::Account => self.account(loc, obj),
            Kind::RiskScoreHistory => self.risk_score(RiskSubject::Account, loc, obj),
            Kind::History(subject) => self.risk_score(subject, loc, obj),
            Kind::UsersActive => self.user(0, loc, obj),
            Kind::UsersArchived => self.user(1, loc, obj),
            Kind::GroupsActive => self.group(0, loc, obj),
            Kind::GroupsArchived => self.group(1, loc, obj),
            Kind::Members(group) => self.member(group, loc, obj),
            Kind::StorePurchases => self.listed_module(false, loc, obj),
            Kind::Policies => self.listed_module(true, loc, obj),
            Kind::TrainingCampaigns => self.training_campaign(loc, obj),
            Kind::PhishingCampaigns => self.phishing_campaign(false, loc, obj),
            Kind::CallbackCampaigns => self.phishing_campaign(true, loc, obj),
            Kind::SecurityTests => self.security_test(loc, obj),
            Kind::Recipients(pst) => self.result(pst, loc, obj),
            Kind::Enrollments => self.enrollment(loc, obj),
        }
    }

    /// Offers the record in the builder's buffer as the listing record for `id` in `map`.
    fn offer<X>(
        b: &mut Builder,
        map: &mut IdMap<i64, Slot<X>>,
        id: i64,
        prec: u8,
        loc: Loc,
        extra: X,
    ) {
        let mut held = map.remove(&id);
        State::offer_slot(b, &mut held, prec, loc, extra);
        if let Some(held) = held {
            map.insert(id, held);
        }
    }

    /// Offers the record in the builder's buffer for `held`: kept if it beats the record held
    /// (by precedence, then location), and only then stored; the loser is noted as a duplicate.
    fn offer_slot<X>(b: &mut Builder, held: &mut Option<Slot<X>>, prec: u8, loc: Loc, extra: X) {
        if let Some(h) = held.as_mut()
            && !(prec < h.prec || (prec == h.prec && b.loc_cmp(loc, h.loc).is_lt()))
        {
            h.dups.push(loc);
            return;
        }
        let Some(span) = b.commit() else { return };
        match held {
            Some(h) => {
                let old = std::mem::replace(&mut h.loc, loc);
                h.dups.push(old);
                h.prec = prec;
                h.span = span;
                h.extra = extra;
            }
            None => {
                *held = Some(Slot {
                    prec,
                    loc,
                    span,
                    extra,
                    dups: Vec::new(),
                });
            }
        }
    }
}

#[cfg(test)]
mod kind_tests {
    use super::Kind;

    #[test]
    fn enrollments_per_campaign_and_the_single_listing_are_both_enrollments() {
        assert_eq!(Kind::of("training/enrollments"), Some(Kind::Enrollments));
        assert_eq!(
            Kind::of("training/campaigns/12/enrollments"),
            Some(Kind::Enrollments)
        );
        assert_eq!(
            Kind::of("training/campaigns"),
            Some(Kind::TrainingCampaigns)
        );
        for unknown in [
            "training/campaigns/x/enrollments",
            "training/campaigns//enrollments",
            "training/campaigns/12",
        ] {
            assert_eq!(Kind::of(unknown), None, "{unknown}");
        }
    }
}
