//! A resumed fetch reconciles the snapshot with the account as it is now, so that a snapshot
//! finished days after it was started equals a fetch made entirely on the later day.
//!
//! - Every top-level collection (the account, the user, group, test and campaign listings...)
//!   is fetched again: the listings of the earlier runs are gone from the manifest before the
//!   first request of the resume.
//! - Each child collection (members, recipients, enrollments) that an earlier run fetched, in
//!   whole or in part, waits until the listings it is judged by are complete again. Not listed
//!   any more: it is dropped. Otherwise the rules of `fetch --since` ([`super::since`]) compare
//!   what the earlier run's listings said about its parent with what they say now: unchanged,
//!   its pages are kept (and a partial one is continued); changed, it is fetched again from
//!   its first page. Children of parents that are new are fetched as in any fetch.
//! - Each collection records the run whose listings it agrees with (`run`), so a resume
//!   stopped before judging a child leaves it to be fetched again by the next, whose listings
//!   are newer still. The manifest records every run and the span from the first request to
//!   the last, and calls the snapshot consistent once every collection agrees with the last run.

use std::path::Path;

use crate::snapshot::{CollectionEntry, Consistency, FetchRun, Manifest, Span};

/// How many collection ids a reason names before "and N more".
const NAMED: usize = 5;

/// The runs of an incomplete snapshot: as recorded, or one for the whole of a snapshot started
/// before runs were recorded.
pub(super) fn earlier_runs(manifest: &Manifest) -> Vec<FetchRun> {
    if !manifest.runs.is_empty() {
        return manifest.runs.clone();
    }
    vec![FetchRun {
        started_at: manifest.started_at.clone(),
        finished_at: manifest.finished_at.clone(),
        first_request_at: None,
        last_request_at: None,
        requests: manifest.totals.requests,
    }]
}

/// From the first request of the first run that recorded one to the last of the last.
pub(super) fn span(runs: &[FetchRun]) -> Option<Span> {
    let first = runs.iter().find_map(|r| r.first_request_at.clone())?;
    let last = runs.iter().rev().find_map(|r| r.last_request_at.clone())?;
    Some(Span {
        first_request_at: first,
        last_request_at: last,
    })
}

/// Written once a snapshot has more than one run: consistent when every collection agrees with
/// the listings of the last run (`run`).
pub(super) fn consistency(
    runs: usize,
    collections: &[CollectionEntry],
    run: u32,
) -> Option<Consistency> {
    if runs < 2 {
        return None;
    }
    let behind: Vec<&str> = collections
        .iter()
        .filter(|c| c.run != run)
        .map(|c| c.id.as_str())
        .collect();
    let mut reasons = Vec::new();
    if !behind.is_empty() {
        let mut named = behind[..behind.len().min(NAMED)].join(", ");
        if behind.len() > NAMED {
            named.push_str(&format!(" and {} more", behind.len() - NAMED));
        }
        reasons.push(format!(
            "{} collection(s) hold pages of an earlier run not yet checked against the listings of run {run} ({named}): finish the snapshot with `kb4graph fetch --resume`",
            behind.len()
        ));
    }
    Some(Consistency {
        consistent: reasons.is_empty(),
        reasons,
    })
}

/// What a resume did with the collections of earlier runs, for the log.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tally {
    pub kept: u64,
    pub refetched: u64,
    pub dropped: u64,
}

impl Tally {
    pub(super) fn log(&self, dir: &Path) {
        if self.kept + self.refetched + self.dropped > 0 {
            tracing::info!(
                dir = %dir.display(),
                kept = self.kept,
                fetched_again = self.refetched,
                dropped = self.dropped,
                "collections of the earlier run checked against the listings as they are now"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(first: Option<&str>, last: Option<&str>) -> FetchRun {
        FetchRun {
            started_at: "s".into(),
            finished_at: None,
            first_request_at: first.map(str::to_owned),
            last_request_at: last.map(str::to_owned),
            requests: 1,
        }
    }

    #[test]
    fn the_span_runs_from_the_first_recorded_request_to_the_last() {
        assert_eq!(span(&[run(None, None)]), None);
        let runs = [
            run(None, None),
            run(Some("a"), Some("b")),
            run(Some("c"), Some("d")),
        ];
        assert_eq!(
            span(&runs),
            Some(Span {
                first_request_at: "a".into(),
                last_request_at: "d".into()
            })
        );
    }
}
