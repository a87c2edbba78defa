//! The seeded synthetic organisation.
//!
//! Only small index tables live in memory (one entry per group, campaign, test, module and
//! training "segment"); every user, recipient and enrollment is computed from `(seed, index)` on
//! demand, so a `large` account with millions of results is served without holding them.
//!
//! People share one index space: `0..A` active users, then `A..A+R` archived users, then
//! `A+R..A+R+D` deleted users (known only from phishing results). Group membership, test
//! recipients and enrollments are arithmetic progressions over that space ([`Prog`]), which
//! makes "the k-th member" and "is p a member" O(1) in both directions.
//!
//! # Simulated days
//!
//! [`Org::at`] builds the account `day` days after the reference day ("today", 2025-09-30);
//! day 0 is exactly what [`Org::new`] builds, byte for byte. Each day `k` in `1..=day` (at most
//! [`days::MAX_DAY`]) applies, in this order and each a pure function of `(seed, spec, k)`:
//! 1. one active user is archived (never an account admin, a hire or anyone twice): listed by
//!    `status=archived` with `archived_at` on day `k`, gone from every group; their phishing
//!    results and enrollments stay;
//! 2. one user is hired: person index `people() + k - 1`, `joined_on` day `k`, member of one
//!    active console group (appended to its members) and of "All Users";
//! 3. one phishing test starts on day `k` in a regular campaign (rotating over them), sent to
//!    the campaign's target as it stands that day (a [`Roster`] snapshot); its index, id and
//!    recipient ids come after every earlier one, so no existing id moves;
//! 4. about 1% of the not yet passed enrollments of active users in training campaigns still
//!    running on day `k` pass on day `k` (each enrollment draws the one day it would pass).
//!
//! Rules over "now" use `today = ref_day + day`: a test is "Closed" 14 days after it started, a
//! training campaign is "Completed" once its end date is before today (an admin-closed one stays
//! "Closed"), and an enrollment not passed when its campaign's end date passes becomes
//! "Past Due". Once a campaign is Completed or Closed none of its enrollments changes again.
//! Every other generated value (dates of existing records, names, scores, sign-ins, histories)
//! stays as on day 0. [`days::day_changes`] lists what differs between day 0 and a day.

pub mod text;

mod account;
pub mod days;
mod groups;
pub mod people;
mod phishing;
pub mod training;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use super::rng::{Rng, hash, tag};

/// The size presets of DESIGN.md "Scale", and `hostile`: the small account with every string
/// drawn from values that break CSV, XML and Turtle readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    Small,
    Medium,
    Large,
    Hostile,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {0:?} (expected small, medium, large or hostile)")]
pub struct ProfileError(pub String);

impl FromStr for Profile {
    type Err = ProfileError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(Profile::Small),
            "medium" => Ok(Profile::Medium),
            "large" => Ok(Profile::Large),
            "hostile" => Ok(Profile::Hostile),
            _ => Err(ProfileError(s.to_string())),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Small => "small",
            Profile::Medium => "medium",
            Profile::Large => "large",
            Profile::Hostile => "hostile",
        })
    }
}

/// (name, main domain, other domain) of the account generated from `seed`.
fn account_of(seed: u64, spec: &OrgSpec) -> (&'static str, &'static str, &'static str) {
    *Rng::new(seed, tag("account"), 0).pick(spec.texts.pools().accounts)
}

/// Every size knob of the synthetic organisation. Collections set to 0 are served empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSpec {
    /// Users listed by `/v1/users?status=active`.
    pub active_users: u64,
    /// Users listed by `/v1/users?status=archived` (`archived_at` set).
    pub archived_users: u64,
    /// Users known only from phishing results: in neither user list.
    pub deleted_users: u64,
    /// Groups listed by `/v1/groups` (active and archived together; "All Users" excluded).
    pub groups: u64,
    /// Phishing campaigns, callback campaigns included.
    pub phishing_campaigns: u64,
    /// Phishing security tests, spread over the campaigns (needs at least one campaign).
    pub psts: u64,
    /// Every phishing campaign targets "All Users" (group 0) instead of a mix.
    pub phishing_to_all_users: bool,
    pub training_campaigns: u64,
    pub store_purchases: u64,
    pub policies: u64,
    /// A trial account: `/v1/account` carries only name, type, domains, admins, risk score.
    pub trial_account: bool,
    /// The word pools names, titles and comments are drawn from.
    pub texts: Texts,
    /// The seed of another simulated account whose people this one partly shares: about one
    /// active user in four is the same person (name, address, employee number) as the active
    /// user at the same position there, as when one company has several KnowBe4 accounts.
    pub shared_people: Option<u64>,
}

/// Which word pools an organisation draws its strings from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Texts {
    /// Names as real accounts hold them, a few awkward ones included.
    #[default]
    Everyday,
    /// Every pooled string carries something that breaks a reader: quotes, `\"`, a trailing
    /// backslash, `,;|`, U+001F, newlines, CRLF, emoji, RTL text, names ending in `.`.
    Hostile,
}

impl Texts {
    pub fn pools(self) -> &'static text::Pools {
        match self {
            Texts::Everyday => &text::EVERYDAY,
            Texts::Hostile => &text::HOSTILE,
        }
    }
}

/// Upper bounds applied to an `OrgSpec`, so absurd values cannot overflow ids or memory.
const MAX_PEOPLE: u64 = 100_000_000;
const MAX_TABLE: u64 = 100_000;

impl OrgSpec {
    pub fn profile(profile: Profile) -> Self {
        match profile {
            Profile::Small => OrgSpec {
                active_users: 200,
                archived_users: 15,
                deleted_users: 6,
                groups: 12,
                phishing_campaigns: 3,
                psts: 5,
                phishing_to_all_users: false,
                training_campaigns: 4,
                store_purchases: 6,
                policies: 3,
                trial_account: false,
                texts: Texts::Everyday,
                shared_people: None,
            },
            Profile::Medium => OrgSpec {
                active_users: 10_000,
                archived_users: 600,
                deleted_users: 80,
                groups: 80,
                phishing_campaigns: 4,
                psts: 8,
                phishing_to_all_users: false,
                training_campaigns: 20,
                store_purchases: 25,
                policies: 8,
                trial_account: false,
                texts: Texts::Everyday,
                shared_people: None,
            },
            Profile::Large => OrgSpec {
                active_users: 100_000,
                archived_users: 5_000,
                deleted_users: 1_000,
                groups: 500,
                phishing_campaigns: 6,
                psts: 24,
                phishing_to_all_users: true,
                training_campaigns: 60,
                store_purchases: 40,
                policies: 12,
                trial_account: false,
                texts: Texts::Everyday,
                shared_people: None,
            },
            Profile::Hostile => OrgSpec {
                texts: Texts::Hostile,
                ..OrgSpec::profile(Profile::Small)
            },
        }
    }

    /// Everything zero: a starting point for tests that size one collection exactly.
    pub fn empty() -> Self {
        OrgSpec {
            active_users: 0,
            archived_users: 0,
            deleted_users: 0,
            groups: 0,
            phishing_campaigns: 0,
            psts: 0,
            phishing_to_all_users: false,
            training_campaigns: 0,
            store_purchases: 0,
            policies: 0,
            trial_account: false,
            texts: Texts::Everyday,
            shared_people: None,
        }
    }

    /// The same organisation with exactly `n` active users.
    pub fn with_active_users(mut self, n: impl Into<u64>) -> Self {
        self.active_users = n.into();
        self
    }

    fn clamped(&self) -> OrgSpec {
        let mut s = self.clone();
        s.active_users = s.active_users.min(MAX_PEOPLE);
        s.archived_users = s.archived_users.min(MAX_PEOPLE);
        s.deleted_users = s.deleted_users.min(MAX_PEOPLE);
        for n in [
            &mut s.groups,
            &mut s.phishing_campaigns,
            &mut s.psts,
            &mut s.training_campaigns,
            &mut s.store_purchases,
            &mut s.policies,
        ] {
            *n = (*n).min(MAX_TABLE);
        }
        if s.phishing_campaigns == 0 {
            s.psts = 0;
        }
        s
    }
}

/// An arithmetic progression `start, start+step, ...` of `len` items (step >= 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prog {
    pub start: u64,
    pub step: u64,
    pub len: u64,
}

impl Prog {
    /// The members of `0..n` congruent to `start` modulo `step`.
    pub fn over(n: u64, start: u64, step: u64) -> Prog {
        let step = step.max(1);
        let len = if start < n {
            (n - start - 1) / step + 1
        } else {
            0
        };
        Prog { start, step, len }
    }

    pub fn get(&self, k: u64) -> u64 {
        self.start + k * self.step
    }

    pub fn index_of(&self, x: u64) -> Option<u64> {
        let d = x.checked_sub(self.start)?;
        (d % self.step == 0 && d / self.step < self.len).then_some(d / self.step)
    }
}

/// Who is in a group or was sent a test on one day: a day-0 progression of people, less the
/// positions of those who left since, then those who joined since, in joining order. Both
/// lists hold at most one entry per simulated day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub base: Prog,
    /// Sorted positions in `base`.
    removed: Vec<u64>,
    /// Person indices, ascending (hires are numbered in hiring order).
    added: Vec<u64>,
}

impl Roster {
    pub fn of(base: Prog) -> Roster {
        Roster {
            base,
            removed: Vec::new(),
            added: Vec::new(),
        }
    }

    fn kept(&self) -> u64 {
        self.base.len - self.removed.len() as u64
    }

    pub fn len(&self) -> u64 {
        self.kept() + self.added.len() as u64
    }

    /// The `k`-th person (`k < len()`).
    pub fn get(&self, k: u64) -> u64 {
        if k < self.kept() {
            // Step over every removed position at or before the one we are heading for.
            let mut pos = k;
            for &r in &self.removed {
                if r <= pos {
                    pos += 1;
                } else {
                    break;
                }
            }
            self.base.get(pos)
        } else {
            self.added[(k - self.kept()) as usize]
        }
    }

    /// The position of person `p`, if present.
    pub fn index_of(&self, p: u64) -> Option<u64> {
        if self.base.len > 0
            && let Some(pos) = self.base.index_of(p)
        {
            return match self.removed.binary_search(&pos) {
                Ok(_) => None,
                Err(before) => Some(pos - before as u64),
            };
        }
        let i = self.added.binary_search(&p).ok()?;
        Some(self.kept() + i as u64)
    }

    /// Drops the person at position `pos` of `base`.
    fn remove(&mut self, pos: u64) {
        if pos < self.base.len
            && let Err(at) = self.removed.binary_search(&pos)
        {
            self.removed.insert(at, pos);
        }
    }

    /// Appends person `p`, who must come after every person added before.
    fn add(&mut self, p: u64) {
        self.added.push(p);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    Console,
    Smart,
    AdiManaged,
}

impl GroupKind {
    pub fn api_name(self) -> &'static str {
        match self {
            GroupKind::Console => "console_group",
            GroupKind::Smart => "smart_group",
            GroupKind::AdiManaged => "adi_managed_group",
        }
    }
}

#[derive(Debug)]
pub struct GroupMeta {
    pub id: u64,
    pub name: String,
    pub kind: GroupKind,
    pub archived: bool,
    /// Members on day 0, as indices of active users (what earlier tests and campaigns saw).
    pub members: Prog,
    /// Members on the organisation's day.
    pub roster: Roster,
}

/// Who a campaign was sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Group 0, "All Users".
    AllUsers,
    /// An index into `Org::groups`.
    Group(u32),
}

#[derive(Debug)]
pub struct PhishMeta {
    pub id: u64,
    pub name: String,
    pub target: Target,
    /// Indices into `Org::psts`, ascending: the day-0 tests, then simulated ones.
    pub psts: Vec<u32>,
    /// Where the campaign's share of the day-0 tests starts (its creation date follows the test
    /// there, which belongs to a later campaign when this one has none).
    pub base_start: u64,
}

/// Tallies of one test's results, computed once from its recipients when first needed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PstCounts {
    pub scheduled: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub replied: u64,
    pub attachment_opened: u64,
    pub macro_enabled: u64,
    pub data_entered: u64,
    pub qr_code_scanned: u64,
    pub reported: u64,
    pub bounced: u64,
}

#[derive(Debug)]
pub struct PstMeta {
    pub id: u64,
    pub campaign: u32,
    /// Recipients: active users, then archived users, then deleted users.
    pub active: Roster,
    pub archived: Prog,
    pub deleted: Prog,
    /// Index of this test's first recipient among all recipients (for recipient ids).
    pub first_recipient: u64,
    pub start_day: i64,
    /// Started by a simulated day rather than part of the day-0 history.
    pub simulated: bool,
    pub counts: OnceLock<PstCounts>,
}

impl PstMeta {
    pub fn recipients(&self) -> u64 {
        self.active.len() + self.archived.len + self.deleted.len
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ModuleRef {
    Purchase(u32),
    Policy(u32),
}

/// How a training campaign lists its content, old and new API shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentStyle {
    Flat,
    /// `content: [[...]]`, as in the docs' sample.
    Nested,
    /// Older records: `modules` (store purchases only) instead of `content`.
    Modules,
}

#[derive(Debug)]
pub struct TrainingMeta {
    pub id: u64,
    pub name: String,
    pub target: Target,
    pub content: Vec<ModuleRef>,
    pub style: ContentStyle,
    /// Adds a content item carrying only `content_id` (a kind of content the docs don't name).
    pub unknown_item: bool,
    pub start_day: i64,
    pub plan: training::TrainingPlan,
    /// Indices into `Org::segments`.
    pub segments: std::ops::Range<usize>,
    /// (passed, total) over its enrollments, computed when first needed.
    pub completion: OnceLock<(u64, u64)>,
}

/// The enrollments of one campaign in one module: a contiguous run of enrollment indices laid
/// out as [target active users][archived users][re-enrollments of some active targets].
#[derive(Debug)]
pub struct Segment {
    pub campaign: u32,
    pub module: ModuleRef,
    pub start: u64,
    pub active: Prog,
    /// Over archived-user offsets (0-based within the archived range).
    pub archived: Prog,
    /// Over positions in `active`: those targets are enrolled a second time.
    pub reenrolled: Prog,
}

impl Segment {
    pub fn len(&self) -> u64 {
        self.active.len + self.archived.len + self.reenrolled.len
    }
}

/// Id bases, nudged by the seed so different seeds give different ids.
#[derive(Debug)]
pub struct IdBases {
    pub user: u64,
    pub group: u64,
    pub phish_campaign: u64,
    pub pst: u64,
    pub recipient: u64,
    pub training: u64,
    pub purchase: u64,
    pub policy: u64,
    pub enrollment: u64,
}

#[derive(Debug)]
pub struct Org {
    pub seed: u64,
    pub spec: OrgSpec,
    /// "Today" for every generated date, fixed so output never depends on the wall clock.
    pub ref_day: i64,
    /// Simulated days since `ref_day` (see the module doc).
    pub day: u32,
    /// `ref_day + day`: what status rules compare against.
    pub today: i64,
    pub account: (&'static str, &'static str, &'static str),
    pub ids: IdBases,
    pub groups: Vec<GroupMeta>,
    pub active_groups: Vec<u32>,
    pub archived_groups: Vec<u32>,
    pub phish: Vec<PhishMeta>,
    pub phish_regular: Vec<u32>,
    pub phish_callback: Vec<u32>,
    pub psts: Vec<PstMeta>,
    pub trainings: Vec<TrainingMeta>,
    pub segments: Vec<Segment>,
    pub total_recipients: u64,
    pub total_enrollments: u64,
    /// Active users on the organisation's day (person indices).
    pub active_roster: Roster,
    /// Day-0 active users archived by the simulation: person index -> day.
    pub archived_on: BTreeMap<u64, u32>,
    /// The same people in the order they were archived.
    pub archived_order: Vec<u64>,
    /// Users hired by the simulation, in hiring order.
    pub hires: Vec<days::Hire>,
}

/// Exact numbers of items the endpoints serve for an organisation, for tests that bound or
/// check request counts without fetching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgCounts {
    /// `/v1/users?status=active` (also `/v1/users` without `status`).
    pub active_users: u64,
    /// `/v1/users?status=archived`.
    pub archived_users: u64,
    /// Users seen only in phishing results.
    pub deleted_users: u64,
    /// `/v1/groups?status=active` (also `/v1/groups` without `status`).
    pub active_groups: u64,
    /// `/v1/groups?status=archived`.
    pub archived_groups: u64,
    /// `/v1/groups/{id}/members` (equals each group's `member_count`), every listed group.
    pub members_per_group: BTreeMap<u64, u64>,
    /// `/v1/phishing/campaigns` (without `campaign_type`).
    pub phishing_campaigns: u64,
    /// `/v1/phishing/campaigns?campaign_type=callback`.
    pub callback_campaigns: u64,
    /// `/v1/phishing/security_tests`.
    pub psts: u64,
    /// `/v1/phishing/campaigns/{id}/security_tests`, every campaign.
    pub psts_per_campaign: BTreeMap<u64, u64>,
    /// `/v1/phishing/security_tests/{pst_id}/recipients`, every test.
    pub recipients_per_pst: BTreeMap<u64, u64>,
    pub recipients: u64,
    pub store_purchases: u64,
    pub policies: u64,
    /// `/v1/training/campaigns`.
    pub training_campaigns: u64,
    /// `/v1/training/enrollments` (no filters).
    pub enrollments: u64,
    /// `/v1/training/enrollments?campaign_id=N`, every campaign.
    pub enrollments_per_campaign: BTreeMap<u64, u64>,
    /// `/v1/account/risk_score_history?full=true` and without `full`.
    pub account_risk_history_full: u64,
    pub account_risk_history_recent: u64,
}

/// Exactly what the endpoints of an organisation built from `seed` and `spec` serve.
pub fn org_counts(seed: u64, spec: &OrgSpec) -> OrgCounts {
    Org::new(seed, spec).counts()
}

/// Exactly what the endpoints serve `day` simulated days later (see the module doc).
pub fn org_counts_at(seed: u64, spec: &OrgSpec, day: u32) -> OrgCounts {
    Org::at(seed, spec, day).counts()
}

/// Weekly history points kept by the simulated API.
pub const RECENT_HISTORY_DAYS: i64 = 182;

impl Org {
    /// The organisation on the reference day (day 0).
    pub fn new(seed: u64, spec: &OrgSpec) -> Org {
        Org::at(seed, spec, 0)
    }

    /// The organisation `day` simulated days after the reference day.
    pub fn at(seed: u64, spec: &OrgSpec, day: u32) -> Org {
        let spec = spec.clamped();
        let ref_day = crate::timefmt::civil_to_days(2025, 9, 30);
        let nudge = |t: &str, m: u64| hash(seed, tag(t), 0) % m;
        let ids = IdBases {
            user: 1_000_000 + nudge("id-user", 1000) * 1000,
            group: 10_000 + nudge("id-group", 100) * 1000,
            phish_campaign: 200_000 + nudge("id-phish", 100) * 1000,
            pst: 3_000_000 + nudge("id-pst", 100) * 10_000,
            recipient: 2_147_483_000 - nudge("id-rcpt", 400),
            training: 500_000 + nudge("id-train", 100) * 1000,
            purchase: 700_000 + nudge("id-purchase", 100) * 1000,
            policy: 80_000 + nudge("id-policy", 100) * 100,
            enrollment: 2_147_482_000 - nudge("id-enr", 1000),
        };
        let account = account_of(seed, &spec);
        let mut org = Org {
            seed,
            spec,
            ref_day,
            day: 0,
            today: ref_day,
            account,
            ids,
            groups: Vec::new(),
            active_groups: Vec::new(),
            archived_groups: Vec::new(),
            phish: Vec::new(),
            phish_regular: Vec::new(),
            phish_callback: Vec::new(),
            psts: Vec::new(),
            trainings: Vec::new(),
            segments: Vec::new(),
            total_recipients: 0,
            total_enrollments: 0,
            active_roster: Roster::default(),
            archived_on: BTreeMap::new(),
            archived_order: Vec::new(),
            hires: Vec::new(),
        };
        org.active_roster = Roster::of(Prog::over(org.spec.active_users, 0, 1));
        org.build_groups();
        org.build_phishing();
        org.build_training();
        org.simulate_days(day);
        org
    }

    /// A seeded share of a collection's records uses an older or newer API shape: one record
    /// in every `period`, at a seed-chosen phase, so any collection with `period` records has one.
    pub fn drifted(&self, collection: &str, index: u64, period: u64) -> bool {
        index % period == hash(self.seed, tag(collection), tag("drift")) % period
    }

    /// Computes the tallies that are otherwise computed on first use (test counts, campaign
    /// completion), which on `large` means a pass over millions of generated records.
    pub fn warm_up(&self) {
        // Past this many records the pass would take seconds; leave it to first use.
        if self.total_recipients + self.total_enrollments > 20_000_000 {
            return;
        }
        for t in 0..self.psts.len() as u32 {
            self.pst_counts(t);
        }
        for c in 0..self.trainings.len() as u32 {
            self.completion(c);
        }
    }

    pub fn counts(&self) -> OrgCounts {
        let listed_groups = self.groups.iter();
        OrgCounts {
            active_users: self.active_roster.len(),
            archived_users: self.spec.archived_users + self.archived_order.len() as u64,
            deleted_users: self.spec.deleted_users,
            active_groups: self.active_groups.len() as u64,
            archived_groups: self.archived_groups.len() as u64,
            members_per_group: listed_groups.map(|g| (g.id, g.roster.len())).collect(),
            phishing_campaigns: self.phish_regular.len() as u64,
            callback_campaigns: self.phish_callback.len() as u64,
            psts: self.psts.len() as u64,
            psts_per_campaign: self
                .phish
                .iter()
                .map(|c| (c.id, c.psts.len() as u64))
                .collect(),
            recipients_per_pst: self.psts.iter().map(|t| (t.id, t.recipients())).collect(),
            recipients: self.total_recipients,
            store_purchases: self.spec.store_purchases,
            policies: self.spec.policies,
            training_campaigns: self.trainings.len() as u64,
            enrollments: self.total_enrollments,
            enrollments_per_campaign: self
                .trainings
                .iter()
                .map(|t| {
                    (
                        t.id,
                        self.segments[t.segments.clone()]
                            .iter()
                            .map(Segment::len)
                            .sum(),
                    )
                })
                .collect(),
            account_risk_history_full: self.account_history(true).len(),
            account_risk_history_recent: self.account_history(false).len(),
        }
    }
}

#[cfg(test)]
mod tests;
