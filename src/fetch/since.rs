//! `fetch --since`: which child collections of a complete previous snapshot cannot have changed,
//! judged from the listings just fetched and the previous snapshot's own listings.
//!
//! - Recipients of a phishing test: the test was "Closed" then and is now, and its result counts
//!   are the same.
//! - Enrollments of a training campaign: the campaign was final ("Completed" or "Closed") then
//!   and is now, and its end date, if any, was before the previous fetch started.
//! - Members of a group, by inference: the user listings' `groups` field names each user's
//!   console groups. Where the previous member pages held exactly the users whose `groups`
//!   named the group, `groups` is taken as authoritative for that group (smart groups, whose
//!   members are not in `groups`, fail this); if that set and `member_count` are unchanged,
//!   the members are taken as unchanged. Reused member pages only ever name users that the
//!   current user listings hold, and `normalize` builds a listed user from its listing record,
//!   never from a member record, so a member page adds nothing beyond the membership itself.
//!
//! A collection is judged only once the listings it depends on are complete, so the outcome
//! depends on the data alone, never on the order pages arrived in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::FetchError;
use super::plan::{ChildOf, count_value, id_value};
use crate::snapshot::{
    CollectionEntry, CollectionId, PageEntry, ReusedFrom, SinceRef, Snapshot, SnapshotError,
    SnapshotRef, SnapshotWriter,
};
use crate::timefmt::civil_to_days;

/// The listings a child collection is judged by.
pub(crate) fn prerequisites(child: ChildOf) -> &'static [CollectionId] {
    match child {
        ChildOf::Group(_) => &[
            CollectionId::GroupsActive,
            CollectionId::GroupsArchived,
            CollectionId::UsersActive,
            CollectionId::UsersArchived,
        ],
        ChildOf::Test(_) => &[CollectionId::SecurityTests],
        ChildOf::Campaign(_) => &[CollectionId::TrainingCampaigns],
        ChildOf::UserHistory(_) => &[CollectionId::UsersActive],
        ChildOf::GroupHistory(_) => &[CollectionId::GroupsActive],
    }
}

/// Whether pages of collection `id` feed [`Listings`].
pub(crate) fn is_listing(id: CollectionId) -> bool {
    matches!(
        id,
        CollectionId::GroupsActive
            | CollectionId::GroupsArchived
            | CollectionId::UsersActive
            | CollectionId::UsersArchived
            | CollectionId::SecurityTests
            | CollectionId::TrainingCampaigns
    )
}

/// Why a child collection's pages in a previous snapshot (or an earlier run) cannot be taken
/// as unchanged, so that it is fetched.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Changed {
    #[error("not in the previous snapshot")]
    NotInPrevious,
    #[error("a risk score history grows every day")]
    Grows,
    #[error("incomplete or not found in the previous snapshot")]
    IncompleteInPrevious,
    #[error("not in the snapshot")]
    NotInSnapshot,
    #[error("not found (404) in the earlier run")]
    NotFoundEarlier,
    #[error("unexpected page file name {0:?}")]
    PageFileName(String),
    #[error("facts of another kind of collection")]
    OtherKind,
    #[error("not listed once then")]
    NotListedOnceThen,
    #[error("not listed once now")]
    NotListedOnceNow,
    #[error("not closed then and now")]
    NotClosed,
    #[error("result counts changed")]
    ResultCounts,
    #[error("not final then and now")]
    NotFinal,
    #[error("ends after the previous fetch started, or unreadably")]
    EndsLate,
    #[error("member_count changed or missing")]
    MemberCount,
    #[error("the users whose `groups` names it changed")]
    ConsoleGroups,
    #[error("a member without a usable id")]
    MemberWithoutId,
    #[error("its members were not exactly the users whose `groups` named it")]
    Members,
    #[error(transparent)]
    Unreadable(#[from] SnapshotError),
}

/// What one snapshot's listing says about one id; two records of the same id that disagree
/// make it unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fact<T> {
    Known(T),
    Conflicting,
}

impl<T: PartialEq> Fact<T> {
    fn add(slot: Option<&mut Fact<T>>, value: T) -> Option<Fact<T>> {
        match slot {
            None => Some(Fact::Known(value)),
            Some(held) => {
                if *held != Fact::Known(value) {
                    *held = Fact::Conflicting;
                }
                None
            }
        }
    }

    fn known(fact: Option<&Fact<T>>) -> Option<&T> {
        match fact? {
            Fact::Known(value) => Some(value),
            Fact::Conflicting => None,
        }
    }
}

/// A phishing test as its listing record shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestFacts {
    status: Option<String>,
    /// Every `*_count` field, its JSON text.
    counts: BTreeMap<String, String>,
}

/// A training campaign as its listing record shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CampaignFacts {
    status: Option<String>,
    /// `None`: no end date. `Some(None)`: one that does not parse.
    end: Option<Option<i64>>,
}

/// What the listings of one snapshot say about the collections that might be reused.
#[derive(Debug, Default)]
pub(crate) struct Listings {
    tests: BTreeMap<u64, Fact<TestFacts>>,
    campaigns: BTreeMap<u64, Fact<CampaignFacts>>,
    /// `member_count` of each group.
    groups: BTreeMap<u64, Fact<Option<u64>>>,
    /// Group id -> the users whose `groups` names it.
    console: BTreeMap<u64, BTreeSet<u64>>,
}

fn status_of(record: &Value) -> Option<String> {
    record
        .get("status")
        .and_then(Value::as_str)
        .map(|s| s.trim().to_ascii_lowercase())
}

impl Listings {
    /// Adds the records of one page of listing `id` (pages of other collections are ignored).
    pub(crate) fn add_page(&mut self, id: CollectionId, body: &[u8]) {
        if !is_listing(id) {
            return;
        }
        let Ok(Value::Array(records)) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        for record in &records {
            match id {
                CollectionId::SecurityTests => {
                    let Some(pst) = id_value(record.get("pst_id")) else {
                        continue;
                    };
                    let counts = record
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(k, _)| k.ends_with("_count"))
                        .map(|(k, v)| (k.clone(), v.to_string()))
                        .collect();
                    let facts = TestFacts {
                        status: status_of(record),
                        counts,
                    };
                    if let Some(new) = Fact::add(self.tests.get_mut(&pst), facts) {
                        self.tests.insert(pst, new);
                    }
                }
                CollectionId::TrainingCampaigns => {
                    let Some(campaign) = id_value(record.get("campaign_id")) else {
                        continue;
                    };
                    let end = match record.get("end_date") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(s)) => Some(parse_utc_millis(s)),
                        Some(_) => Some(None),
                    };
                    let facts = CampaignFacts {
                        status: status_of(record),
                        end,
                    };
                    if let Some(new) = Fact::add(self.campaigns.get_mut(&campaign), facts) {
                        self.campaigns.insert(campaign, new);
                    }
                }
                CollectionId::GroupsActive | CollectionId::GroupsArchived => {
                    let Some(group) = id_value(record.get("id")) else {
                        continue;
                    };
                    let count = count_value(record.get("member_count"));
                    if let Some(new) = Fact::add(self.groups.get_mut(&group), count) {
                        self.groups.insert(group, new);
                    }
                }
                _ => {
                    let Some(user) = id_value(record.get("id")) else {
                        continue;
                    };
                    let groups = record.get("groups").and_then(Value::as_array);
                    for group in groups.into_iter().flatten() {
                        if let Some(group) = id_value(Some(group)) {
                            self.console.entry(group).or_default().insert(user);
                        }
                    }
                }
            }
        }
    }

    /// Adds what another page's listings said.
    pub(crate) fn merge(&mut self, other: Listings) {
        fn merge_facts<T: PartialEq>(
            into: &mut BTreeMap<u64, Fact<T>>,
            from: BTreeMap<u64, Fact<T>>,
        ) {
            for (id, fact) in from {
                match fact {
                    Fact::Known(value) => {
                        if let Some(new) = Fact::add(into.get_mut(&id), value) {
                            into.insert(id, new);
                        }
                    }
                    Fact::Conflicting => {
                        into.insert(id, Fact::Conflicting);
                    }
                }
            }
        }
        merge_facts(&mut self.tests, other.tests);
        merge_facts(&mut self.campaigns, other.campaigns);
        merge_facts(&mut self.groups, other.groups);
        for (group, users) in other.console {
            self.console.entry(group).or_default().extend(users);
        }
    }

    /// What the current listings say about `child`, for [`Previous::decide`].
    pub(crate) fn facts_for(&self, child: ChildOf) -> ChildFacts {
        match child {
            ChildOf::Test(pst) => ChildFacts::Test(self.tests.get(&pst).cloned()),
            ChildOf::Campaign(c) => ChildFacts::Campaign(self.campaigns.get(&c).cloned()),
            ChildOf::Group(g) => ChildFacts::Group {
                listed: self.groups.get(&g).cloned(),
                console: self.console.get(&g).cloned().unwrap_or_default(),
            },
            ChildOf::UserHistory(_) | ChildOf::GroupHistory(_) => ChildFacts::History,
        }
    }
}

/// The current listings' facts about one child collection.
#[derive(Debug, Clone)]
pub(crate) enum ChildFacts {
    Test(Option<Fact<TestFacts>>),
    Campaign(Option<Fact<CampaignFacts>>),
    Group {
        listed: Option<Fact<Option<u64>>>,
        console: BTreeSet<u64>,
    },
    /// A risk score history: listed again is all it needs to keep what an earlier run of the
    /// same snapshot fetched of it.
    History,
}

/// `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM[:SS[.fff]]` and `Z`: the
/// API's own spelling. Anything else (offsets included) gives `None`, which never allows reuse.
fn parse_utc_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let num = |s: &str, len: usize| -> Option<i64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut parts = date.split('-');
    let (y, m, d) = (
        num(parts.next()?, 4)?,
        num(parts.next()?, 2)?,
        num(parts.next()?, 2)?,
    );
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = civil_to_days(i32::try_from(y).ok()?, m as u32, d as u32);
    let mut millis = days * 86_400_000;
    if let Some(time) = time {
        let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
        let mut hms = hms.split(':');
        let h = num(hms.next()?, 2)?;
        let mi = num(hms.next()?, 2)?;
        let s = match hms.next() {
            Some(s) => num(s, 2)?,
            None => 0,
        };
        if hms.next().is_some() || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let ms = frac
            .get(..frac.len().min(3))
            .map_or(0, |f| format!("{f:0<3}").parse::<i64>().unwrap_or(0));
        millis += ((h * 60 + mi) * 60 + s) * 1000 + ms;
    }
    Some(millis)
}

/// The previous snapshot of an incremental fetch, with what its listings said.
#[derive(Debug)]
pub(crate) struct Previous {
    snapshot: Snapshot,
    pub(crate) reference: SinceRef,
    started_millis: Option<i64>,
    listings: Listings,
}

/// What to do with one child collection.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Copy these pages of the previous snapshot.
    Reuse(CollectionEntry),
    /// Fetch it; why it cannot be reused (for the debug log).
    Fetch(Changed),
}

fn since_error(path: &Path, problem: impl Into<String>) -> FetchError {
    FetchError::Since {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

impl Previous {
    /// Opens the snapshot an incremental fetch starts from: it must be complete and intact,
    /// fetched with the same `per_page`, and (when both name one) from the same site.
    pub(crate) fn open_for_fetch(
        path: &Path,
        per_page: u32,
        site: Option<crate::api::Site>,
        base_url: &str,
    ) -> Result<Previous, FetchError> {
        let snapshot = Snapshot::open(path).map_err(|e| since_error(path, e.to_string()))?;
        let manifest = snapshot.manifest();
        if !manifest.complete {
            return Err(since_error(
                path,
                "it is incomplete (finish it with `kb4graph fetch --resume` first)",
            ));
        }
        let problems = snapshot.verify();
        if let Some(first) = problems.first() {
            return Err(since_error(
                path,
                format!(
                    "it does not match its manifest ({} problem(s), the first: {first}); check it with `kb4graph verify`",
                    problems.len()
                ),
            ));
        }
        if manifest.per_page != per_page {
            return Err(since_error(
                path,
                format!(
                    "it was fetched with per_page {}, this fetch uses {per_page}",
                    manifest.per_page
                ),
            ));
        }
        if let (Some(then), Some(now)) = (manifest.source.site, site)
            && then != now
        {
            return Err(since_error(
                path,
                format!("it was fetched from the {then} site, this fetch is from the {now} site"),
            ));
        }
        if manifest.source.base_url != base_url {
            tracing::warn!(
                previous = %manifest.source.base_url,
                now = %base_url,
                "the previous snapshot was fetched from another address: reuse assumes it is the same account"
            );
        }
        Self::load(path, snapshot, false).map_err(|e| since_error(path, e.to_string()))
    }

    /// The snapshot a resumed fetch continues, as its earlier runs left it: what its pages
    /// were fetched under is what its complete listings say (a listing cut short says nothing).
    pub(crate) fn of_own(dir: &Path) -> Result<Previous, SnapshotError> {
        let snapshot = Snapshot::open(dir)?;
        Self::load(dir, snapshot, true)
    }

    /// Reopens the previous snapshot of an interrupted incremental fetch: it must be the very
    /// snapshot the fetch started from (same manifest SHA-256).
    pub(crate) fn reopen(path: &Path, recorded: &SinceRef) -> Result<Previous, FetchError> {
        let snapshot = Snapshot::open(path).map_err(|e| since_error(path, e.to_string()))?;
        if snapshot.manifest_sha256() != recorded.manifest_sha256 {
            return Err(since_error(
                path,
                format!(
                    "its manifest changed since the fetch started (SHA-256 {}, recorded {})",
                    snapshot.manifest_sha256(),
                    recorded.manifest_sha256
                ),
            ));
        }
        if !snapshot.is_complete() {
            return Err(since_error(path, "it is incomplete"));
        }
        let mut previous =
            Self::load(path, snapshot, false).map_err(|e| since_error(path, e.to_string()))?;
        previous.reference.path = recorded.path.clone();
        Ok(previous)
    }

    fn load(
        path: &Path,
        snapshot: Snapshot,
        complete_only: bool,
    ) -> Result<Previous, SnapshotError> {
        let mut listings = Listings::default();
        let ids: Vec<CollectionId> = snapshot
            .collections()
            .iter()
            .filter(|c| c.complete || !complete_only)
            .filter_map(|c| CollectionId::parse(&c.id))
            .filter(|&id| is_listing(id))
            .collect();
        for id in ids {
            for page in snapshot.pages(&id.to_string())? {
                let (_, body) = page?;
                listings.add_page(id, &body);
            }
        }
        let manifest = snapshot.manifest();
        let reference = SinceRef {
            path: path.to_string_lossy().into_owned(),
            manifest_sha256: snapshot.manifest_sha256().to_owned(),
            started_at: manifest.started_at.clone(),
        };
        Ok(Previous {
            started_millis: parse_utc_millis(&manifest.started_at),
            reference,
            listings,
            snapshot,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        self.snapshot.root()
    }

    /// Whether the previous snapshot holds `id` complete: only then is it worth waiting for
    /// the listings to judge it.
    pub(crate) fn has_complete(&self, id: CollectionId) -> bool {
        self.snapshot
            .collection(&id.to_string())
            .is_some_and(|c| c.complete && !c.not_found)
    }

    /// Judges one child collection (reads the previous member pages of a group: blocking).
    pub(crate) fn decide(&self, id: CollectionId, child: ChildOf, now: &ChildFacts) -> Decision {
        if matches!(now, ChildFacts::History) {
            return Decision::Fetch(Changed::Grows);
        }
        let Some(entry) = self.snapshot.collection(&id.to_string()) else {
            return Decision::Fetch(Changed::NotInPrevious);
        };
        if !entry.complete || entry.not_found {
            return Decision::Fetch(Changed::IncompleteInPrevious);
        }
        match self.verdict(id, entry, child, now) {
            Ok(()) => Decision::Reuse(entry.clone()),
            Err(why) => Decision::Fetch(why),
        }
    }

    /// Whether the pages of child collection `id` that an earlier run of this very snapshot
    /// fetched (all or some of them) still hold, by the same rules as [`Self::decide`].
    pub(crate) fn still_holds(
        &self,
        id: CollectionId,
        child: ChildOf,
        now: &ChildFacts,
    ) -> Result<(), Changed> {
        let entry = self
            .snapshot
            .collection(&id.to_string())
            .ok_or(Changed::NotInSnapshot)?;
        if entry.not_found {
            return Err(Changed::NotFoundEarlier);
        }
        self.verdict(id, entry, child, now)
    }

    fn verdict(
        &self,
        id: CollectionId,
        entry: &CollectionEntry,
        child: ChildOf,
        now: &ChildFacts,
    ) -> Result<(), Changed> {
        if let Some(page) = entry.pages.iter().find(|p| p.file != id.page_file(p.page)) {
            return Err(Changed::PageFileName(page.file.clone()));
        }
        match (child, now) {
            (ChildOf::Test(pst), ChildFacts::Test(now)) => self.test_unchanged(pst, now.as_ref()),
            (ChildOf::Campaign(c), ChildFacts::Campaign(now)) => {
                self.campaign_unchanged(c, now.as_ref())
            }
            (ChildOf::Group(g), ChildFacts::Group { listed, console }) => {
                self.group_unchanged(id, g, listed.as_ref(), console)
            }
            (ChildOf::UserHistory(_) | ChildOf::GroupHistory(_), ChildFacts::History) => Ok(()),
            _ => Err(Changed::OtherKind),
        }
    }

    fn test_unchanged(&self, pst: u64, now: Option<&Fact<TestFacts>>) -> Result<(), Changed> {
        let then = Fact::known(self.listings.tests.get(&pst)).ok_or(Changed::NotListedOnceThen)?;
        let now = Fact::known(now).ok_or(Changed::NotListedOnceNow)?;
        let closed = |t: &TestFacts| t.status.as_deref() == Some("closed");
        if !closed(then) || !closed(now) {
            return Err(Changed::NotClosed);
        }
        if then.counts.is_empty() || then.counts != now.counts {
            return Err(Changed::ResultCounts);
        }
        Ok(())
    }

    fn campaign_unchanged(&self, c: u64, now: Option<&Fact<CampaignFacts>>) -> Result<(), Changed> {
        let then =
            Fact::known(self.listings.campaigns.get(&c)).ok_or(Changed::NotListedOnceThen)?;
        let now = Fact::known(now).ok_or(Changed::NotListedOnceNow)?;
        let is_final =
            |t: &CampaignFacts| matches!(t.status.as_deref(), Some("completed") | Some("closed"));
        if !is_final(then) || !is_final(now) {
            return Err(Changed::NotFinal);
        }
        for end in [then.end, now.end].into_iter().flatten() {
            match (end, self.started_millis) {
                (Some(end), Some(start)) if end < start => {}
                _ => return Err(Changed::EndsLate),
            }
        }
        Ok(())
    }

    fn group_unchanged(
        &self,
        id: CollectionId,
        g: u64,
        listed: Option<&Fact<Option<u64>>>,
        console_now: &BTreeSet<u64>,
    ) -> Result<(), Changed> {
        let count_then =
            Fact::known(self.listings.groups.get(&g)).ok_or(Changed::NotListedOnceThen)?;
        let count_now = Fact::known(listed).ok_or(Changed::NotListedOnceNow)?;
        match (count_then, count_now) {
            (Some(a), Some(b)) if a == b => {}
            _ => return Err(Changed::MemberCount),
        }
        let empty = BTreeSet::new();
        let console_then = self.listings.console.get(&g).unwrap_or(&empty);
        if console_then != console_now {
            return Err(Changed::ConsoleGroups);
        }
        let mut members = BTreeSet::new();
        for record in self.snapshot.records(&id.to_string())? {
            let (_, record) = record?;
            let user = id_value(record.get("id")).ok_or(Changed::MemberWithoutId)?;
            members.insert(user);
        }
        if &members != console_then {
            return Err(Changed::Members);
        }
        Ok(())
    }

    /// Reads every page of `entry` back, checking it against the previous manifest, so that a
    /// page changed since the start is found before anything is written.
    pub(crate) fn check_pages(&self, entry: &CollectionEntry) -> Result<(), SnapshotError> {
        for page in self.snapshot.pages(&entry.id)? {
            page?;
        }
        Ok(())
    }

    /// Copies the pages of `entry` into the new snapshot byte for byte, under the same names
    /// (blocking I/O). Each is checked against the previous manifest as it is read.
    pub(crate) fn copy(
        &self,
        entry: &CollectionEntry,
        writer: &SnapshotWriter,
    ) -> Result<Vec<PageEntry>, FetchError> {
        let root = self.path().to_owned();
        let pages = self
            .snapshot
            .pages(&entry.id)
            .map_err(|e| since_error(&root, e.to_string()))?;
        let mut out = Vec::with_capacity(entry.pages.len());
        for (item, previous) in pages.zip(&entry.pages) {
            let (at, bytes) = item.map_err(|e| since_error(&root, e.to_string()))?;
            if at.page != previous.page {
                return Err(since_error(
                    &root,
                    format!("{}: pages out of order", entry.id),
                ));
            }
            let written = writer.write_page(&entry.id, previous.page, &bytes)?;
            out.push(PageEntry {
                page: previous.page,
                file: written.file,
                items: previous.items,
                size: written.size,
                sha256: written.sha256,
                request_id: previous.request_id.clone(),
                reused_from: Some(self.reused_from(previous)),
            });
        }
        Ok(out)
    }

    /// Where a copied page came from, for its manifest entry.
    pub(crate) fn reused_from(&self, page: &PageEntry) -> ReusedFrom {
        ReusedFrom {
            snapshot: SnapshotRef {
                started_at: self.reference.started_at.clone(),
                manifest_sha256: self.reference.manifest_sha256.clone(),
            },
            file: page.file.clone(),
            sha256: page.sha256.clone(),
        }
    }
}

/// Where the previous snapshot is for a resumed fetch: the override, else the path recorded.
pub(crate) fn resume_path(recorded: &SinceRef, over: Option<&PathBuf>) -> PathBuf {
    over.cloned()
        .unwrap_or_else(|| PathBuf::from(&recorded.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_datetimes_parse_and_others_do_not() {
        let day = civil_to_days(2025, 9, 30) * 86_400_000;
        assert_eq!(parse_utc_millis("2025-09-30"), Some(day));
        assert_eq!(
            parse_utc_millis("2025-09-30T23:00:00.000Z"),
            Some(day + 23 * 3_600_000)
        );
        assert_eq!(parse_utc_millis("2025-09-30T00:00:01.5Z"), Some(day + 1500));
        for bad in [
            "2025-09-30T23:00:00+02:00",
            "30/09/2025",
            "2025-13-01",
            "2025-09-30T24:00",
            "",
        ] {
            assert_eq!(parse_utc_millis(bad), None, "{bad}");
        }
    }

    #[test]
    fn records_that_disagree_make_a_fact_unusable() {
        let mut l = Listings::default();
        l.add_page(
            CollectionId::SecurityTests,
            br#"[{"pst_id":1,"status":"Closed","delivered_count":3},{"pst_id":2,"status":"Closed"},{"pst_id":2,"status":"In Progress"}]"#,
        );
        l.add_page(
            CollectionId::UsersActive,
            br#"[{"id":5,"groups":[7,"8",null]},{"id":6,"groups":[7]},{"groups":[7]}]"#,
        );
        assert!(matches!(l.tests.get(&1), Some(Fact::Known(t)) if t.counts.len() == 1));
        assert_eq!(l.tests.get(&2), Some(&Fact::Conflicting));
        assert_eq!(l.console[&7], BTreeSet::from([5, 6]));
        assert_eq!(l.console[&8], BTreeSet::from([5]));
        // Pages of other collections are not listings.
        l.add_page(CollectionId::GroupMembers(7), br#"[{"id":9,"groups":[7]}]"#);
        assert_eq!(l.console[&7], BTreeSet::from([5, 6]));
    }
}
