//! Errors reading or writing a snapshot. Each names the file or directory involved. The
//! underlying error is part of the message, not a separate `source()`, so printed chains do
//! not repeat it.

use std::path::PathBuf;

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
    #[error("{} is not a kb4graph snapshot: it has no manifest.json", dir.display())]
    NoManifest { dir: PathBuf },
    #[error("{}: not a valid snapshot manifest: {error}", path.display())]
    ManifestJson {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{}: {problem}", path.display())]
    ManifestInvalid { path: PathBuf, problem: String },
    #[error("{}: the snapshot has no collection {id:?}", path.display())]
    UnknownCollection { path: PathBuf, id: String },
    #[error("{}: {problem}", path.display())]
    PageMismatch { path: PathBuf, problem: String },
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
