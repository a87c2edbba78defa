//! Errors reading or writing a snapshot. Each names the file or directory involved. The
//! underlying error is part of the message, not a separate `source()`, so printed chains do
//! not repeat it.

use std::path::PathBuf;

use super::layout::MANIFEST_FILE;
use super::manifest::ManifestProblem;

/// Why a page (or another file the manifest lists) cannot be used as listed.
#[derive(Debug, thiserror::Error)]
pub enum PageProblem {
    #[error("missing")]
    Missing,
    #[error("unsafe path")]
    UnsafePath,
    #[error("{0}")]
    Io(std::io::Error),
    #[error("{on_disk} bytes on disk, the manifest says {size}")]
    Size { on_disk: u64, size: u64 },
    #[error("{read} bytes read, the manifest says {size} (the file changed while it was read)")]
    Changed { read: u64, size: u64 },
    #[error("content differs from the manifest (SHA-256 mismatch)")]
    Sha256,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{} already exists and is not empty: choose a new directory, or continue an interrupted fetch with `kb4graph fetch --resume {}`",
        dir.display(), dir.display()
    )]
    NotEmpty { dir: PathBuf },
    #[error(
        "{} is being written by another kb4graph fetch ({holder}): wait for it to end (or stop that process), then run the command again",
        dir.display()
    )]
    Locked { dir: PathBuf, holder: String },
    #[error("{} is not a kb4graph snapshot: it has no {MANIFEST_FILE}", dir.display())]
    NoManifest { dir: PathBuf },
    #[error("{}: not a valid snapshot manifest: {error}", path.display())]
    ManifestJson {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{}: {problem}", path.display())]
    ManifestInvalid {
        path: PathBuf,
        problem: ManifestProblem,
    },
    #[error("{}: the snapshot has no collection {id:?}", path.display())]
    UnknownCollection { path: PathBuf, id: String },
    #[error("{}: {problem}", path.display())]
    PageMismatch { path: PathBuf, problem: PageProblem },
    #[error("{}: not valid JSON: {error}", path.display())]
    PageJson {
        path: PathBuf,
        error: serde_json::Error,
    },
}

impl SnapshotError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SnapshotError {
        let path = path.into();
        move |error| SnapshotError::Io { path, error }
    }
}
