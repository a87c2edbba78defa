//! Runs a fetch: collections concurrently (bounded), each page by page, every page saved as it
//! arrives and the manifest checkpointed so that any stop is resumable.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::error::{FetchError, ResumeProblem};
use super::options::{FetchOptions, ResumeOverrides};
use super::plan::ChildOf;
use super::plan::{self, CollectionSpec, Discovery};
use super::progress::{FetchObserver, Progress};
use super::quota::HistoryCost;
use super::reconcile::{self, Tally};
use super::report::{CollectionReport, FetchReport, StopReason};
use super::since::{self, ChildFacts, Decision, Listings, Previous};
use crate::api::{
    ApiError, ApiErrorKind, Client, ClientConfig, Expect, MAX_PER_PAGE, Pagination, PagingError,
    PagingState, ResolvedMode, RetryPolicy, Source, Token,
};
use crate::rate::RateSpec;
use crate::snapshot::{
    CollectionEntry, CollectionId, CollectionKind, FORMAT, FORMAT_VERSION, FetchRun, Manifest,
    ManifestSource, PageEntry, ResumeState, RiskHistory, SinceRef, SnapshotError, SnapshotWriter,
    Totals,
};
use crate::timefmt::format_system_time;

/// Checkpoint the manifest at most this often (and always at the end)...
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(2);
/// ...stretched by this much per MiB of manifest, so that a large account's manifest (several
/// MiB) is not rewritten every two seconds for hours at the real API's pace...
const CHECKPOINT_INTERVAL_PER_MIB: Duration = Duration::from_secs(2);
const CHECKPOINT_INTERVAL_MAX: Duration = Duration::from_secs(30);
/// ...or sooner once this many pages arrived since the last one.
const CHECKPOINT_PAGES: u32 = 500;

/// How long to wait between checkpoints given the size of the last manifest written.
fn checkpoint_interval(manifest_bytes: usize) -> Duration {
    let mib = u32::try_from(manifest_bytes >> 20).unwrap_or(u32::MAX);
    CHECKPOINT_INTERVAL_PER_MIB
        .saturating_mul(mib)
        .clamp(CHECKPOINT_INTERVAL, CHECKPOINT_INTERVAL_MAX)
}

/// Fetches the account into a new snapshot directory.
pub async fn fetch(opts: FetchOptions) -> Result<FetchReport, FetchError> {
    check_per_page(opts.per_page)?;
    let base_url = opts
        .source
        .checked_base_url()
        .map_err(|e| FetchError::Options(e.to_string()))?;
    let source = ManifestSource {
        site: opts.source.site(),
        base_url: base_url.as_str().to_owned(),
        account_name: opts.account_name.clone(),
    };
    // Checked before the new directory is made, so that a refused --since leaves nothing.
    let previous = match &opts.since {
        Some(path) => {
            let (path, per_page, site, base) = (
                path.clone(),
                opts.per_page,
                source.site,
                source.base_url.clone(),
            );
            let opened = tokio::task::spawn_blocking(move || {
                Previous::open_for_fetch(&path, per_page, site, &base)
            })
            .await
            .map_err(|e| FetchError::Task(e.to_string()))??;
            Some(Arc::new(opened))
        }
        None => None,
    };
    let writer = SnapshotWriter::create(&opts.out_dir)?;
    let started_at = format_system_time(SystemTime::now());
    let header = Header {
        source,
        per_page: opts.per_page,
        pagination: opts.pagination,
        started_at: started_at.clone(),
        before: Totals::default(),
        since: previous.as_ref().map(|p| p.reference.clone()),
        risk_history: opts.risk_history,
        runs: Vec::new(),
        run_started_at: started_at,
    };
    let collections = plan::top_level()
        .into_iter()
        .map(|spec| CollectionState::new(spec, opts.pagination, None))
        .collect();
    let settings = Settings {
        source: opts.source.clone(),
        token: opts.token.clone(),
        pace: opts.pace.clone(),
        timeout: opts.timeout,
        retry: opts.retry_policy(),
        max_requests: opts.max_requests,
        concurrency: opts.concurrency,
        observer: opts.observer.clone(),
        stop_on_ctrl_c: opts.stop_on_ctrl_c,
    };
    let reuse = Reuse {
        previous,
        current: Listings::default(),
        warnings: Vec::new(),
        earlier: None,
        run: 0,
        tally: Tally::default(),
    };
    run(settings, writer, header, collections, reuse).await
}

/// Continues an incomplete snapshot without fetching any page it already holds.
pub async fn resume(
    dir: impl AsRef<Path>,
    token: Token,
    overrides: ResumeOverrides,
) -> Result<FetchReport, FetchError> {
    let started = Instant::now();
    let dir = dir.as_ref();
    let (writer, manifest) = SnapshotWriter::open_existing(dir)?;
    if manifest.complete {
        tracing::info!(dir = %dir.display(), "the snapshot is already complete: nothing to fetch");
        return Ok(report_from_manifest(
            dir,
            &manifest,
            0,
            0,
            started.elapsed(),
            true,
        ));
    }
    check_per_page(manifest.per_page)?;
    let source = match manifest.source.site {
        Some(site) => Source::Site(site),
        None => Source::BaseUrl(manifest.source.base_url.clone()),
    };
    let removed = writer.remove_unlisted_pages(&manifest)?;
    if removed > 0 {
        tracing::info!(dir = %dir.display(), removed, "removed pages the manifest does not list (left by an interrupted fetch)");
    }
    let mut reuse = resume_reuse(&manifest, overrides.since.as_ref()).await?;
    let runs = reconcile::earlier_runs(&manifest);
    let run_index = u32::try_from(runs.len()).unwrap_or(u32::MAX);
    reuse.run = run_index;
    let own = dir.to_owned();
    match tokio::task::spawn_blocking(move || Previous::of_own(&own))
        .await
        .map_err(|e| FetchError::Task(e.to_string()))?
    {
        Ok(earlier) => reuse.earlier = Some(Arc::new(earlier)),
        Err(err) => {
            let warning = format!(
                "{err}\nthe listings of the earlier run cannot be read: every collection is fetched again"
            );
            tracing::warn!("{warning}");
            reuse.warnings.push(warning);
        }
    }
    let mut collections: Vec<CollectionState> = Vec::new();
    for entry in &manifest.collections {
        let mismatch = |problem: ResumeProblem| FetchError::ResumeMismatch {
            dir: dir.to_owned(),
            id: entry.id.clone(),
            problem,
        };
        let spec =
            plan::spec_for_id(&entry.id).ok_or_else(|| mismatch(ResumeProblem::UnknownId))?;
        if spec.endpoint() != entry.endpoint || spec.query != entry.query || spec.kind != entry.kind
        {
            return Err(mismatch(ResumeProblem::Endpoint {
                was: format!("{}?{}", entry.endpoint, entry.query),
                now: format!("{}?{}", spec.endpoint(), spec.query),
            }));
        }
        // The account may have moved on since: every listing is fetched again, and each child
        // waits for them (see `reconcile`).
        let is_child = spec.child_of().is_some();
        let fetched = entry.complete || !entry.pages.is_empty();
        let recheck = is_child
            && fetched
            && !entry.not_found
            && entry.run.saturating_add(1) == run_index
            && reuse.earlier.is_some();
        if recheck {
            let paging = paging_from_entry(entry, manifest.pagination).map_err(mismatch)?;
            collections.push(CollectionState {
                spec,
                entry: entry.clone(),
                paging,
                expected_records: None,
                running: false,
                hold: Hold::Relist { recheck: true },
                listed: false,
            });
        } else {
            let mut c = CollectionState::new(spec, manifest.pagination, None);
            c.entry.run = run_index;
            if is_child {
                c.hold = Hold::Relist { recheck: false };
                c.listed = false;
            }
            collections.push(c);
        }
    }
    for spec in plan::top_level() {
        if !collections.iter().any(|c| c.spec.id == spec.id) {
            let mut c = CollectionState::new(spec, manifest.pagination, None);
            c.entry.run = run_index;
            collections.push(c);
        }
    }
    if manifest
        .collection(&plan::LEGACY_ENROLLMENTS.to_string())
        .is_some()
    {
        // Started by an earlier version with one listing of every enrollment: finish it that
        // way, since enrollments fetched per campaign as well would be there twice.
        for c in &mut collections {
            if c.spec.role == plan::Role::TrainingCampaigns {
                c.spec.role = plan::Role::Plain;
            }
        }
    }
    let defaults = FetchOptions::new(source.clone(), token.clone(), dir);
    let retry = RetryPolicy {
        max_retries: overrides.retries.unwrap_or(defaults.retries),
        ..defaults.retry_policy()
    };
    let settings = Settings {
        source,
        token,
        pace: overrides.pace.unwrap_or(defaults.pace),
        timeout: overrides.timeout.unwrap_or(defaults.timeout),
        retry,
        max_requests: overrides.max_requests,
        concurrency: overrides.concurrency.unwrap_or(defaults.concurrency),
        observer: overrides.observer,
        stop_on_ctrl_c: overrides.stop_on_ctrl_c,
    };
    let header = Header {
        source: manifest.source.clone(),
        per_page: manifest.per_page,
        pagination: manifest.pagination,
        started_at: manifest.started_at.clone(),
        before: Totals {
            requests: manifest.totals.requests,
            retries: manifest.totals.retries,
            ..Totals::default()
        },
        since: manifest.since.clone(),
        // A resume may ask for more histories than the fetch started with, never fewer: the
        // histories already saved stay.
        risk_history: manifest.risk_history.union(overrides.risk_history),
        runs,
        run_started_at: format_system_time(SystemTime::now()),
    };
    tracing::info!(dir = %dir.display(), "resuming an incomplete snapshot");
    run(settings, writer, header, collections, reuse).await
}

/// The reuse state of a resumed incremental fetch: the previous snapshot reopened (if it is
/// still there, unchanged). If it cannot be reopened, the rest is fetched: slower, never wrong.
/// The listings are fetched again by every resume, so none of the earlier ones count as current.
async fn resume_reuse(
    manifest: &Manifest,
    moved_to: Option<&std::path::PathBuf>,
) -> Result<Reuse, FetchError> {
    let mut reuse = Reuse {
        previous: None,
        current: Listings::default(),
        warnings: Vec::new(),
        earlier: None,
        run: 0,
        tally: Tally::default(),
    };
    let Some(recorded) = &manifest.since else {
        return Ok(reuse);
    };
    let path = since::resume_path(recorded, moved_to);
    let recorded = recorded.clone();
    let reopened = tokio::task::spawn_blocking(move || Previous::reopen(&path, &recorded))
        .await
        .map_err(|e| FetchError::Task(e.to_string()))?;
    match reopened {
        Ok(previous) => reuse.previous = Some(Arc::new(previous)),
        Err(err) => {
            let warning =
                format!("{err}\nnothing more is reused: the rest of the snapshot is fetched");
            tracing::warn!("{warning}");
            reuse.warnings.push(warning);
        }
    }
    Ok(reuse)
}

fn check_per_page(per_page: u32) -> Result<(), FetchError> {
    if (1..=MAX_PER_PAGE).contains(&per_page) {
        Ok(())
    } else {
        Err(FetchError::Options(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}, not {per_page}"
        )))
    }
}

/// Rebuilds where a collection stands from its manifest entry.
fn paging_from_entry(
    entry: &CollectionEntry,
    pagination: Pagination,
) -> Result<PagingState, ResumeProblem> {
    if entry.complete {
        return Ok(PagingState::Done);
    }
    if entry.pages.is_empty() {
        return Ok(PagingState::Start { mode: pagination });
    }
    let resume = entry.resume.as_ref().ok_or(ResumeProblem::NoResumeState)?;
    let last = entry.pages.last().map_or(0, |p| p.page);
    if resume.next_page != last.saturating_add(1) {
        return Err(ResumeProblem::PageGap {
            next: resume.next_page,
            last,
        });
    }
    match (entry.pagination, &resume.next_cursor) {
        (Some(ResolvedMode::Page), _) => Ok(PagingState::Page {
            page: resume.next_page,
        }),
        (Some(ResolvedMode::Cursor), Some(cursor)) => Ok(PagingState::Cursor {
            page: resume.next_page,
            cursor: cursor.clone(),
        }),
        _ => Err(ResumeProblem::NoCursor),
    }
}

/// Everything about the run that is not per collection.
struct Settings {
    source: Source,
    token: Token,
    pace: RateSpec,
    timeout: Duration,
    retry: RetryPolicy,
    max_requests: Option<u64>,
    concurrency: usize,
    observer: Option<Arc<dyn FetchObserver>>,
    stop_on_ctrl_c: bool,
}

/// The manifest fields fixed for a run.
struct Header {
    source: ManifestSource,
    per_page: u32,
    pagination: Pagination,
    started_at: String,
    /// Requests and retries of earlier runs.
    before: Totals,
    /// The previous snapshot of an incremental fetch.
    since: Option<SinceRef>,
    /// Whose risk score history is fetched besides the account's.
    risk_history: RiskHistory,
    /// The runs before this one; this one's index is their number.
    runs: Vec<FetchRun>,
    run_started_at: String,
}

/// What an incremental fetch knows: the previous snapshot, and what the listings fetched so
/// far say.
struct Reuse {
    previous: Option<Arc<Previous>>,
    current: Listings,
    /// Found before the run (a previous snapshot that could not be reopened).
    warnings: Vec<String>,
    /// A resumed fetch: this snapshot as its earlier runs left it, whose complete listings
    /// judge the children they fetched.
    earlier: Option<Arc<Previous>>,
    /// Index of this run (0: the first).
    run: u32,
    tally: Tally,
}

impl Reuse {
    /// Whether children wait for listings to be judged: an incremental fetch, or a resume.
    fn judges(&self) -> bool {
        self.previous.is_some() || self.run > 0
    }

    /// Whether a new child collection waits to be judged (only worth it when the previous
    /// snapshot holds it complete), or, a risk score history, for its cost to be announced.
    fn hold_for(&self, spec: &CollectionSpec) -> Hold {
        if spec.is_risk_history() {
            return Hold::Quota;
        }
        match (&self.previous, spec.child_of()) {
            (Some(previous), Some(_)) if previous.has_complete(spec.id) => Hold::Waiting,
            _ => Hold::None,
        }
    }
}

/// Where a child collection of an incremental fetch stands before its first page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// Fetch it (or it is under way).
    None,
    /// Until the listings it is judged by are complete.
    Waiting,
    /// Its task judges it first: copy from the previous snapshot, or fetch.
    Decide,
    /// A child an earlier run of a resumed fetch knew: waits until the listings it is judged
    /// by are complete again. Not listed any more: dropped. With pages (`recheck`): checked
    /// against the earlier run's listings, else fetched as a new child.
    Relist { recheck: bool },
    /// Listed again, with pages: judged in the next batch of [`reconcile_earlier`].
    Recheck,
    /// A user's or group's risk score history: waits until everything else is fetched, so
    /// that the snapshot's core is whole before the quota goes on histories, and so that
    /// their cost is announced before the first is asked for.
    Quota,
}

/// Collections by id: manifest order.
type Key = CollectionId;

struct CollectionState {
    spec: CollectionSpec,
    entry: CollectionEntry,
    paging: PagingState,
    /// Records expected (from a parent's counts), for the progress estimate.
    expected_records: Option<u64>,
    running: bool,
    hold: Hold,
    /// Found in this run's listings (a resume drops the children of earlier runs that are not).
    listed: bool,
}

impl CollectionState {
    fn new(spec: CollectionSpec, pagination: Pagination, expected: Option<u64>) -> Self {
        let entry = CollectionEntry {
            id: spec.id.to_string(),
            endpoint: spec.endpoint(),
            query: spec.query.clone(),
            kind: spec.kind,
            pagination: None,
            complete: false,
            not_found: false,
            run: 0,
            resume: Some(ResumeState {
                next_page: 1,
                next_cursor: None,
            }),
            items: 0,
            pages: Vec::new(),
        };
        CollectionState {
            spec,
            entry,
            paging: PagingState::Start { mode: pagination },
            expected_records: expected,
            running: false,
            hold: Hold::None,
            listed: true,
        }
    }

    fn is_done(&self) -> bool {
        self.paging.is_done()
    }

    /// Requests this collection still needs, as well as can be told.
    fn remaining_estimate(&self, per_page: u32) -> u64 {
        if self.is_done() {
            return 0;
        }
        let fetched = self.entry.pages.len() as u64;
        match self.expected_records {
            Some(records) => (records / u64::from(per_page.max(1)) + 1)
                .saturating_sub(fetched)
                .max(1),
            None => 1,
        }
    }

    fn path_and_query(&self, per_page: u32) -> String {
        let mut query = self.spec.query.clone();
        if self.spec.kind == CollectionKind::List
            && let Some(paging) = self.paging.query(per_page)
        {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&paging);
        }
        if query.is_empty() {
            self.spec.path.clone()
        } else {
            format!("{}?{}", self.spec.path, query)
        }
    }
}

struct RunState {
    header: Header,
    collections: BTreeMap<Key, CollectionState>,
    reuse: Reuse,
    /// Pages copied from the previous snapshot, earlier runs included.
    reused_pages: u64,
    warnings: Vec<String>,
    pages_since_checkpoint: u32,
    last_checkpoint: Instant,
    last_manifest_bytes: usize,
    /// When this run's first and latest answers arrived.
    first_request_at: Option<String>,
    last_request_at: Option<String>,
    /// The account's licensed users (`number_of_seats`): the daily quota is 2,000 more.
    seats: Option<u64>,
}

impl RunState {
    fn totals(&self, client: &Client) -> Totals {
        let (pages, items) = self.collections.values().fold((0u64, 0u64), |(p, i), c| {
            (p + c.entry.pages.len() as u64, i + c.entry.items)
        });
        Totals {
            requests: self.header.before.requests + client.requests(),
            retries: self.header.before.retries + client.retries(),
            pages,
            items,
            reused_pages: self.reused_pages(),
        }
    }

    fn reused_pages(&self) -> u64 {
        self.reused_pages
    }

    /// Sends every child still waiting to be fetched. Only when nothing else is left to run,
    /// which complete listings rule out: a safeguard against waiting forever. Then, with
    /// everything else fetched, the risk score histories, their cost announced first.
    fn release_waiting(&mut self, requests: u64, pace: &RateSpec) -> bool {
        if self.settle() {
            return true;
        }
        let mut released = false;
        for c in self.collections.values_mut() {
            if c.hold == Hold::Waiting {
                c.hold = Hold::None;
                released = true;
            }
        }
        if released {
            return true;
        }
        let mut cost = HistoryCost::default();
        for c in self.collections.values_mut() {
            if c.hold == Hold::Quota {
                c.hold = Hold::None;
                match c.spec.child_of() {
                    Some(ChildOf::UserHistory(_)) => cost.users += 1,
                    _ => cost.groups += 1,
                }
            }
        }
        if cost.users + cost.groups == 0 {
            return false;
        }
        cost.seats = self.seats;
        cost.sent_today = requests;
        cost.time = pace.time_for(cost.requests());
        tracing::info!("{cost}");
        true
    }

    /// Lets every waiting child whose listings are complete be judged; returns whether any was.
    fn settle(&mut self) -> bool {
        let done: std::collections::BTreeSet<CollectionId> = self
            .collections
            .values()
            .filter(|c| c.is_done() && since::is_listing(c.spec.id))
            .map(|c| c.spec.id)
            .collect();
        let judgeable = |c: &CollectionState| {
            c.spec.child_of().is_some_and(|child| {
                since::prerequisites(child)
                    .iter()
                    .all(|id| done.contains(id))
            })
        };
        let relisted: Vec<(Key, bool)> = self
            .collections
            .iter()
            .filter_map(|(key, c)| match c.hold {
                Hold::Relist { recheck } if judgeable(c) => Some((*key, recheck)),
                _ => None,
            })
            .collect();
        for &(key, recheck) in &relisted {
            let Some(c) = self.collections.get_mut(&key) else {
                continue;
            };
            if !c.listed {
                tracing::debug!(collection = %c.spec.id, "dropped: no longer listed");
                self.collections.remove(&key);
                self.reuse.tally.dropped += 1;
            } else if recheck {
                c.hold = Hold::Recheck;
            } else {
                let hold = self.reuse.hold_for(&c.spec);
                if let Some(c) = self.collections.get_mut(&key) {
                    c.hold = hold;
                }
            }
        }
        let ready: Vec<Key> = self
            .collections
            .iter()
            .filter(|(_, c)| c.hold == Hold::Waiting && judgeable(c))
            .map(|(key, _)| *key)
            .collect();
        for key in &ready {
            if let Some(c) = self.collections.get_mut(key) {
                c.hold = Hold::Decide;
            }
        }
        !ready.is_empty() || !relisted.is_empty()
    }

    /// Children listed again whose earlier pages are to be judged, with today's facts.
    fn take_rechecks(&mut self) -> Vec<(Key, ChildOf, ChildFacts)> {
        let mut batch = Vec::new();
        for (key, c) in &self.collections {
            if c.hold != Hold::Recheck {
                continue;
            }
            if let Some(child) = c.spec.child_of() {
                batch.push((*key, child, self.reuse.current.facts_for(child)));
            }
        }
        batch
    }

    /// Keeps a rechecked child's pages, or starts it again from its first page.
    fn apply_recheck(&mut self, key: Key, verdict: Result<(), since::Changed>) {
        let pagination = self.header.pagination;
        let run = self.reuse.run;
        let Some(c) = self.collections.get_mut(&key) else {
            return;
        };
        match verdict {
            Ok(()) => {
                c.entry.run = run;
                c.hold = Hold::None;
                self.reuse.tally.kept += 1;
            }
            Err(why) => {
                tracing::debug!(collection = %c.spec.id, why = %why, "fetched again: changed since the earlier run");
                let mut fresh =
                    CollectionState::new(c.spec.clone(), pagination, c.expected_records);
                fresh.entry.run = run;
                fresh.hold = self.reuse.hold_for(&fresh.spec);
                *c = fresh;
                self.reuse.tally.refetched += 1;
            }
        }
    }

    /// Notes when an answer arrived, for the run's span.
    fn answered(&mut self) {
        let now = format_system_time(SystemTime::now());
        if self.first_request_at.is_none() {
            self.first_request_at = Some(now.clone());
        }
        self.last_request_at = Some(now);
    }

    fn complete(&self) -> bool {
        self.collections.values().all(CollectionState::is_done)
    }

    fn manifest(&self, client: &Client, finished: bool) -> Manifest {
        let now = format_system_time(SystemTime::now());
        let collections: Vec<CollectionEntry> =
            self.collections.values().map(|c| c.entry.clone()).collect();
        let mut runs = self.header.runs.clone();
        runs.push(FetchRun {
            started_at: self.header.run_started_at.clone(),
            finished_at: finished.then(|| now.clone()),
            first_request_at: self.first_request_at.clone(),
            last_request_at: self.last_request_at.clone(),
            requests: client.requests(),
        });
        let consistency = reconcile::consistency(runs.len(), &collections, self.reuse.run);
        Manifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            tool: "kb4graph".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            source: self.header.source.clone(),
            per_page: self.header.per_page,
            pagination: self.header.pagination,
            started_at: self.header.started_at.clone(),
            updated_at: now.clone(),
            finished_at: finished.then_some(now),
            complete: finished && self.complete(),
            since: self.header.since.clone(),
            risk_history: self.header.risk_history,
            span: reconcile::span(&runs),
            runs,
            consistency,
            totals: self.totals(client),
            files: Manifest::file_list(&collections),
            collections,
        }
    }

    /// The next collection to start: not done, not running, lowest priority first.
    fn take_runnable(&mut self) -> Option<Key> {
        let key = self
            .collections
            .iter()
            .filter(|(_, c)| {
                !c.running && !c.is_done() && matches!(c.hold, Hold::None | Hold::Decide)
            })
            .min_by_key(|(key, c)| (c.spec.priority, **key))
            .map(|(key, _)| *key)?;
        if let Some(c) = self.collections.get_mut(&key) {
            c.running = true;
        }
        Some(key)
    }

    fn estimated_total(&self, client: &Client) -> u64 {
        let per_page = self.header.per_page;
        client.requests()
            + self
                .collections
                .values()
                .map(|c| c.remaining_estimate(per_page))
                .sum::<u64>()
    }
}

struct Shared {
    client: Client,
    writer: Arc<SnapshotWriter>,
    /// The previous snapshot of an incremental fetch.
    previous: Option<Arc<Previous>>,
    /// Whether listings are read for judging children ([`Reuse::judges`]).
    judges: bool,
    risk_history: RiskHistory,
    per_page: u32,
    state: Mutex<RunState>,
    wake: Notify,
    progress: Progress,
}

/// Why a collection task ended early.
enum TaskError {
    Api(ApiError),
    Paging(String, PagingError),
    Snapshot(SnapshotError),
    Since(FetchError),
    Join(String),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, RunState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Saves the manifest if enough time or pages passed since the last save (or if forced).
    async fn checkpoint(&self, force: bool, finished: bool) -> Result<(), SnapshotError> {
        let (manifest, seq) = {
            let mut state = self.lock();
            if !force
                && state.pages_since_checkpoint < CHECKPOINT_PAGES
                && state.last_checkpoint.elapsed() < checkpoint_interval(state.last_manifest_bytes)
            {
                return Ok(());
            }
            state.pages_since_checkpoint = 0;
            state.last_checkpoint = Instant::now();
            // Built and numbered under the lock, so numbers follow the state's history.
            let bytes = state.manifest(&self.client, finished).to_json();
            state.last_manifest_bytes = bytes.len();
            (bytes, self.writer.next_manifest_seq())
        };
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || writer.write_manifest_bytes(&manifest, seq))
            .await
            .map_err(|e| SnapshotError::Io {
                path: self.writer.root().to_owned(),
                error: std::io::Error::other(e.to_string()),
            })?
    }

    fn update_progress(&self, collection: &str) {
        let state = self.lock();
        let items = state.collections.values().map(|c| c.entry.items).sum();
        self.progress.update(
            self.client.requests(),
            state.estimated_total(&self.client),
            collection,
            items,
            state.reused_pages(),
        );
    }

    /// Judges a child collection of an incremental fetch and copies its pages when they can be
    /// reused; returns whether it did (the collection is then complete).
    async fn reuse(&self, key: Key) -> Result<bool, TaskError> {
        let Some(previous) = &self.previous else {
            return Ok(false);
        };
        let (spec, child, facts) = {
            let state = self.lock();
            let Some(c) = state
                .collections
                .get(&key)
                .filter(|c| c.hold == Hold::Decide)
            else {
                return Ok(false);
            };
            let Some(child) = c.spec.child_of() else {
                return Ok(false);
            };
            (c.spec.clone(), child, state.reuse.current.facts_for(child))
        };
        let previous = Arc::clone(previous);
        let writer = Arc::clone(&self.writer);
        let id = spec.id;
        let outcome = tokio::task::spawn_blocking(move || {
            match previous.decide(id, child, &facts) {
                Decision::Fetch(why) => Ok(Err((why, false))),
                Decision::Reuse(entry) => {
                    // Every page is read back before the first is written: a page that no
                    // longer matches leaves nothing behind, and the collection is fetched.
                    if let Err(why) = previous.check_pages(&entry) {
                        return Ok(Err((since::Changed::from(why), true)));
                    }
                    let pages = previous.copy(&entry, &writer)?;
                    Ok(Ok((entry, pages)))
                }
            }
        })
        .await
        .map_err(|e| TaskError::Join(e.to_string()))?
        .map_err(TaskError::Since)?;
        let mut state = self.lock();
        let Some(c) = state.collections.get_mut(&key) else {
            return Ok(false);
        };
        c.hold = Hold::None;
        match outcome {
            Ok((entry, pages)) => {
                let copied = pages.len() as u32;
                c.entry.items = entry.items;
                c.entry.pages = pages;
                c.entry.pagination = entry.pagination;
                c.entry.complete = true;
                c.entry.not_found = false;
                c.entry.resume = None;
                c.paging = PagingState::Done;
                tracing::debug!(collection = %spec.id, pages = copied, "reused from the previous snapshot");
                state.pages_since_checkpoint += copied;
                state.reused_pages += u64::from(copied);
                Ok(true)
            }
            Err((why, loud)) => {
                if loud {
                    let warning = format!("{}: fetched instead of reused: {why}", spec.id);
                    tracing::warn!("{warning}");
                    state.warnings.push(warning);
                } else {
                    tracing::debug!(collection = %spec.id, why = %why, "fetched: cannot be reused");
                }
                Ok(false)
            }
        }
    }
}

/// Fetches one collection to its end (or until stopped), or copies it from the previous
/// snapshot of an incremental fetch.
async fn run_collection(shared: Arc<Shared>, key: Key) -> Result<(), TaskError> {
    if shared.reuse(key).await? {
        let id = shared
            .lock()
            .collections
            .get(&key)
            .map(|c| c.spec.id.to_string())
            .unwrap_or_default();
        shared.update_progress(&id);
        return shared
            .checkpoint(false, false)
            .await
            .map_err(TaskError::Snapshot);
    }
    loop {
        let (spec, paging, path_and_query) = {
            let state = shared.lock();
            let Some(c) = state.collections.get(&key) else {
                return Ok(());
            };
            (
                c.spec.clone(),
                c.paging.clone(),
                c.path_and_query(shared.per_page),
            )
        };
        let Some(page) = paging.next_page() else {
            return Ok(());
        };
        let expect = match spec.kind {
            CollectionKind::Object => Expect::Object,
            CollectionKind::List => Expect::Array,
        };
        let response = match shared.client.get(&path_and_query, page, expect).await {
            Ok(response) => response,
            Err(err) if err.kind == ApiErrorKind::NotFound && spec.is_child() => {
                // A group or test deleted between listing and fetching: its parent's page
                // still records it, there is just nothing more to get.
                let warning = format!("{}: not found (404), skipped", spec.id);
                tracing::warn!(collection = %spec.id, request_id = err.request_id.as_deref().unwrap_or("-"), "{warning}");
                let mut state = shared.lock();
                state.answered();
                if let Some(c) = state.collections.get_mut(&key) {
                    c.paging = PagingState::Done;
                    c.entry.complete = true;
                    c.entry.not_found = true;
                    c.entry.resume = None;
                }
                state.warnings.push(warning);
                return Ok(());
            }
            Err(err) => return Err(TaskError::Api(err)),
        };
        let (next, mode) = match spec.kind {
            CollectionKind::Object => (PagingState::Done, None),
            CollectionKind::List => {
                let (next, mode) = paging
                    .advance(
                        response.records,
                        shared.per_page,
                        response.next_cursor.as_deref(),
                    )
                    .map_err(|e| TaskError::Paging(spec.id.to_string(), e))?;
                (next, Some(mode))
            }
        };
        let file = spec.id.page_file(page);
        let discovery = plan::discover(&spec, shared.risk_history, &response.body, &file);
        let listing = (shared.judges && since::is_listing(spec.id)).then(|| {
            let mut listing = Listings::default();
            listing.add_page(spec.id, &response.body);
            listing
        });
        let records = response.records as u64;
        let request_id = response.request_id;
        let writer = Arc::clone(&shared.writer);
        let id = spec.id.to_string();
        let body = response.body;
        let written = tokio::task::spawn_blocking(move || writer.write_page(&id, page, &body))
            .await
            .map_err(|e| TaskError::Join(e.to_string()))?
            .map_err(TaskError::Snapshot)?;
        let found_children = record_page(
            &shared,
            key,
            PageEntry {
                page,
                file: written.file,
                items: records,
                size: written.size,
                sha256: written.sha256,
                request_id,
                reused_from: None,
            },
            next,
            mode,
            discovery,
            listing,
        );
        if found_children {
            shared.wake.notify_one();
        }
        shared.update_progress(&spec.id.to_string());
        shared
            .checkpoint(false, false)
            .await
            .map_err(TaskError::Snapshot)?;
    }
}

/// Records a saved page in the state; returns whether it revealed new collections or let
/// waiting ones be judged.
fn record_page(
    shared: &Shared,
    key: Key,
    page: PageEntry,
    next: PagingState,
    mode: Option<ResolvedMode>,
    discovery: Discovery,
    listing: Option<Listings>,
) -> bool {
    let mut state = shared.lock();
    state.answered();
    if let Some(listing) = listing {
        state.reuse.current.merge(listing);
    }
    let pagination = state.header.pagination;
    state.pages_since_checkpoint += 1;
    if let Some(c) = state.collections.get_mut(&key) {
        c.entry.items += page.items;
        c.entry.pages.push(page);
        if mode.is_some() {
            c.entry.pagination = mode;
        }
        c.entry.complete = next.is_done();
        c.entry.resume = match &next {
            PagingState::Done => None,
            PagingState::Cursor { page, cursor } => Some(ResumeState {
                next_page: *page,
                next_cursor: Some(cursor.clone()),
            }),
            other => Some(ResumeState {
                next_page: other.next_page().unwrap_or(1),
                next_cursor: None,
            }),
        };
        c.paging = next;
        if c.entry.complete {
            tracing::debug!(collection = %c.spec.id, pages = c.entry.pages.len(), items = c.entry.items, "collection complete");
        }
    }
    if discovery.expected_users.is_some() {
        state.seats = discovery.expected_users;
    }
    if let Some(users) = discovery.expected_users
        && let Some(c) = state
            .collections
            .values_mut()
            .find(|c| c.spec.id == CollectionId::UsersActive)
    {
        c.expected_records = Some(users);
    }
    for warning in discovery.warnings {
        tracing::warn!("{warning}");
        state.warnings.push(warning);
    }
    let mut found = false;
    let run = state.reuse.run;
    for child in discovery.children {
        let hold = state.reuse.hold_for(&child.spec);
        match state.collections.entry(child.spec.id) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                let mut c = CollectionState::new(child.spec, pagination, child.expected_records);
                c.hold = hold;
                c.entry.run = run;
                slot.insert(c);
                found = true;
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                // A child of an earlier run, listed again.
                let c = slot.get_mut();
                c.listed = true;
                c.expected_records = c.expected_records.or(child.expected_records);
            }
        }
    }
    if state.reuse.judges() && state.settle() {
        found = true;
    }
    found
}

/// Judges, in one batch, the children of earlier runs that were listed again, then saves the
/// manifest before any of them is fetched again, so that no page it still names is overwritten.
async fn reconcile_earlier(shared: &Shared) -> Result<(), FetchError> {
    let (earlier, batch) = {
        let mut state = shared.lock();
        let Some(earlier) = state.reuse.earlier.clone() else {
            return Ok(());
        };
        (earlier, state.take_rechecks())
    };
    if batch.is_empty() {
        return Ok(());
    }
    let verdicts = tokio::task::spawn_blocking(move || {
        batch
            .into_iter()
            .map(|(key, child, facts)| (key, earlier.still_holds(key, child, &facts)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| FetchError::Task(e.to_string()))?;
    {
        let mut state = shared.lock();
        for (key, verdict) in verdicts {
            state.apply_recheck(key, verdict);
        }
        state.settle();
    }
    shared.checkpoint(true, false).await?;
    Ok(())
}

async fn run(
    settings: Settings,
    writer: SnapshotWriter,
    header: Header,
    collections: Vec<CollectionState>,
    reuse: Reuse,
) -> Result<FetchReport, FetchError> {
    let started = Instant::now();
    let dir = writer.root().to_owned();
    let client = Client::new(ClientConfig {
        source: settings.source.clone(),
        token: settings.token,
        timeout: settings.timeout,
        rate: settings.pace.clone(),
        retry: settings.retry,
        max_requests: settings.max_requests,
    })?;
    tracing::info!(source = %settings.source, dir = %dir.display(), "fetching");
    if let Some(previous) = &reuse.previous {
        tracing::info!(
            since = %previous.path().display(),
            started_at = %previous.reference.started_at,
            "incremental: unchanged collections are copied from the previous snapshot"
        );
    }
    let per_page = header.per_page;
    let previous = reuse.previous.clone();
    let judges = reuse.judges();
    let warnings = reuse.warnings.clone();
    let reused_pages = collections
        .iter()
        .flat_map(|c| &c.entry.pages)
        .filter(|p| p.reused_from.is_some())
        .count() as u64;
    let mut state = RunState {
        header,
        collections: collections.into_iter().map(|c| (c.spec.id, c)).collect(),
        reuse,
        reused_pages,
        warnings,
        pages_since_checkpoint: 0,
        last_checkpoint: Instant::now(),
        last_manifest_bytes: 0,
        first_request_at: None,
        last_request_at: None,
        seats: None,
    };
    if state.reuse.judges() {
        // A resumed fetch may find its listings complete already.
        state.settle();
    }
    let shared = Arc::new(Shared {
        client,
        writer: Arc::new(writer),
        previous,
        judges,
        risk_history: state.header.risk_history,
        per_page,
        state: Mutex::new(state),
        wake: Notify::new(),
        progress: Progress::new(settings.observer.clone()),
    });
    // The manifest exists from the start, so even a fetch killed before its first page leaves
    // a resumable directory.
    shared.checkpoint(true, false).await?;

    let concurrency = settings.concurrency.max(1);
    let mut tasks: JoinSet<(Key, Result<(), TaskError>)> = JoinSet::new();
    let mut stopped: Option<StopReason> = None;
    let mut fatal: Option<FetchError> = None;
    let mut stop_signal = settings
        .stop_on_ctrl_c
        .then(|| Box::pin(super::signal::stop_requested()));
    // After a stop signal, requests on the wire get this long to finish and be saved.
    let mut grace: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
    loop {
        if stopped.is_none()
            && fatal.is_none()
            && let Err(err) = reconcile_earlier(&shared).await
        {
            fatal = Some(err);
            shared.client.stop();
        }
        if stopped.is_none() && fatal.is_none() {
            while tasks.len() < concurrency {
                let Some(key) = shared.lock().take_runnable() else {
                    break;
                };
                let task_shared = Arc::clone(&shared);
                tasks.spawn(async move { (key, run_collection(task_shared, key).await) });
            }
        }
        if tasks.is_empty() {
            if stopped.is_none()
                && fatal.is_none()
                && shared
                    .lock()
                    .release_waiting(shared.client.requests(), &settings.pace)
            {
                continue;
            }
            break;
        }
        tokio::select! {
            joined = tasks.join_next() => {
                let Some(joined) = joined else { continue };
                let (key, result) = match joined {
                    Ok(done) => done,
                    Err(err) if err.is_cancelled() => continue,
                    Err(err) => {
                        fatal.get_or_insert(FetchError::Task(err.to_string()));
                        shared.client.stop();
                        continue;
                    }
                };
                if let Some(c) = shared.lock().collections.get_mut(&key) {
                    c.running = false;
                }
                match result {
                    Ok(()) => {}
                    Err(TaskError::Api(err)) if err.kind == ApiErrorKind::BudgetSpent => {
                        stopped.get_or_insert(StopReason::BudgetSpent);
                    }
                    Err(TaskError::Api(err)) if err.kind == ApiErrorKind::Stopped => {}
                    Err(other) => {
                        if fatal.is_none() {
                            fatal = Some(match other {
                                TaskError::Api(error) => FetchError::Api { error: Box::new(error), dir: dir.clone() },
                                TaskError::Paging(collection, error) => FetchError::Paging { collection, error },
                                TaskError::Snapshot(error) => FetchError::Write { error, dir: dir.clone() },
                                TaskError::Since(err) => err,
                                TaskError::Join(err) => FetchError::Task(err),
                            });
                            // Requests on the wire finish and are saved; nothing new is sent.
                            shared.client.stop();
                        }
                    }
                }
            }
            _ = shared.wake.notified() => {}
            signal = async { match stop_signal.as_mut() { Some(s) => s.await, None => std::future::pending().await } }, if stop_signal.is_some() => {
                stop_signal = None;
                tracing::warn!("{signal}: finishing the requests on the wire and saving the manifest");
                stopped.get_or_insert(StopReason::Interrupted);
                shared.client.stop();
                grace = Some(Box::pin(tokio::time::sleep(super::signal::STOP_GRACE)));
            }
            _ = async { if let Some(g) = grace.as_mut() { g.await } }, if grace.is_some() => {
                grace = None;
                tracing::warn!("requests still on the wire after {:?}: abandoned", super::signal::STOP_GRACE);
                tasks.abort_all();
            }
        }
    }

    if let Err(error) = shared.checkpoint(true, true).await {
        // The first failure is the one to report; the manifest saved before it still stands.
        if let Some(fatal) = fatal {
            tracing::warn!("{error}");
            return Err(fatal);
        }
        return Err(FetchError::Write { error, dir });
    }
    shared.progress.finish();
    let state = shared.lock();
    let manifest = state.manifest(&shared.client, true);
    state.reuse.tally.log(&dir);
    // Pages of collections dropped or fetched again in fewer pages, now that no manifest
    // names them; then another fetch may write the directory.
    let swept = shared.writer.remove_unlisted_pages(&manifest);
    shared.writer.release_lock();
    swept?;
    let mut report = report_from_manifest(
        &dir,
        &manifest,
        shared.client.requests(),
        shared.client.retries(),
        started.elapsed(),
        false,
    );
    report.warnings = state.warnings.clone();
    if !report.complete {
        report.stopped = stopped;
    }
    drop(state);
    if let Some(err) = fatal {
        return Err(err);
    }
    if let Some(since) = &report.since {
        tracing::info!(
            reused_pages = report.reused_pages,
            since = %since.display(),
            "pages copied from the previous snapshot instead of fetched"
        );
    }
    if report.complete {
        tracing::info!(
            requests = report.requests,
            pages = report.pages,
            items = report.items,
            "fetch complete"
        );
    }
    Ok(report)
}

fn report_from_manifest(
    dir: &Path,
    manifest: &Manifest,
    requests: u64,
    retries: u64,
    elapsed: Duration,
    already_complete: bool,
) -> FetchReport {
    FetchReport {
        dir: dir.to_owned(),
        complete: manifest.complete,
        already_complete,
        stopped: None,
        requests,
        retries,
        pages: manifest.totals.pages,
        items: manifest.totals.items,
        reused_pages: manifest.totals.reused_pages,
        since: manifest
            .since
            .as_ref()
            .map(|s| std::path::PathBuf::from(&s.path)),
        collections: manifest
            .collections
            .iter()
            .map(|c| CollectionReport {
                id: c.id.clone(),
                pages: c.pages.len() as u64,
                items: c.items,
                complete: c.complete,
                not_found: c.not_found,
            })
            .collect(),
        elapsed,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod checkpoint_tests {
    use super::*;

    #[test]
    fn checkpoints_space_out_as_the_manifest_grows() {
        assert_eq!(checkpoint_interval(0), CHECKPOINT_INTERVAL);
        assert_eq!(checkpoint_interval(5 << 20), Duration::from_secs(10));
        assert_eq!(checkpoint_interval(usize::MAX), CHECKPOINT_INTERVAL_MAX);
    }
}
