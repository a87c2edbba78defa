//! Errors that end a fetch. When a snapshot directory was started, its manifest is saved as
//! incomplete first, so every error except a bad start is resumable.

use std::path::PathBuf;

use crate::api::{ApiError, ClientBuildError, PagingError};
use crate::snapshot::SnapshotError;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{error}\nthe snapshot {} is saved as incomplete; once the cause is fixed, continue with `kb4graph fetch --resume {}`", dir.display(), dir.display())]
    Api { error: Box<ApiError>, dir: PathBuf },
    #[error("{collection}: {error}")]
    Paging {
        collection: String,
        error: PagingError,
    },
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Writing a page or the manifest failed (disk full, quota, any I/O error). The manifest
    /// last saved lists only pages written whole, so the snapshot resumes.
    #[error("cannot write to the snapshot: {error}\nthe pages saved so far are kept; free some disk space (or fix the cause above), then continue with `kb4graph fetch --resume {}`", dir.display())]
    Write { error: SnapshotError, dir: PathBuf },
    #[error(transparent)]
    Client(#[from] ClientBuildError),
    #[error("{0}")]
    Options(String),
    #[error("{}: the manifest's collection {id:?} is not one this kb4graph fetches ({problem}); fetch into a new directory instead", dir.display())]
    ResumeMismatch {
        dir: PathBuf,
        id: String,
        problem: ResumeProblem,
    },
    #[error("{}: cannot fetch incrementally from this snapshot: {problem}; run a full fetch (without --since) instead", path.display())]
    Since { path: PathBuf, problem: String },
    #[error("a fetch task failed unexpectedly: {0}")]
    Task(String),
}

impl FetchError {
    /// The API error behind this one, if any (for exit codes and tests).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            FetchError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Why a collection of a snapshot cannot be resumed by this version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeProblem {
    #[error("unknown id")]
    UnknownId,
    #[error("it was fetched from {was}, this version fetches {now}")]
    Endpoint { was: String, now: String },
    #[error("incomplete but without a resume state")]
    NoResumeState,
    #[error("resume state says page {next} comes next but the last saved page is {last}")]
    PageGap { next: u32, last: u32 },
    #[error("incomplete cursor collection without a cursor")]
    NoCursor,
}
