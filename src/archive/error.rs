//! Errors writing or reading an archive. Each names the file, directory or archive involved
//! (and the entry inside an archive); the underlying error is part of the message, not a
//! separate `source()`, so printed chains do not repeat it.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    #[error("{}: not a directory: give the snapshot or export directory to archive", path.display())]
    NotADirectory { path: PathBuf },
    #[error(
        "{}: is a symbolic link: archives hold only regular files and directories; replace it with a copy of what it points to",
        path.display()
    )]
    Symlink { path: PathBuf },
    #[error(
        "{}: is a special file (device, socket or FIFO): archives hold only regular files and directories; move it out of the directory",
        path.display()
    )]
    SpecialFile { path: PathBuf },
    #[error(
        "{}: the name is not valid UTF-8: archives name their entries in UTF-8; rename it",
        path.display()
    )]
    NonUtf8Path { path: PathBuf },
    #[error("{}: changed while it was being archived: archive the directory again once nothing writes to it", path.display())]
    ChangedWhileArchiving { path: PathBuf },
    #[error("{} already exists: choose a path that does not exist yet (nothing is ever overwritten)", path.display())]
    OutputExists { path: PathBuf },
    #[error(
        "{} is inside {}: write the archive outside the directory being archived",
        out.display(), dir.display()
    )]
    OutputInsideDir { out: PathBuf, dir: PathBuf },
    #[error("{}: the archive data is damaged or truncated: {error}", place(archive, entry.as_deref()))]
    Damaged {
        archive: PathBuf,
        entry: Option<String>,
        error: io::Error,
    },
    #[error("{}: refused: {problem}", place(archive, entry.as_deref()))]
    Refused {
        archive: PathBuf,
        entry: Option<String>,
        problem: String,
    },
}

impl ArchiveError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> ArchiveError {
        let path = path.into();
        move |error| ArchiveError::Io { path, error }
    }

    pub(crate) fn refused(
        archive: &Path,
        entry: Option<&str>,
        problem: impl std::fmt::Display,
    ) -> ArchiveError {
        ArchiveError::Refused {
            archive: archive.to_owned(),
            entry: entry.map(str::to_owned),
            problem: problem.to_string(),
        }
    }
}

/// `archive.tar.gz` or `archive.tar.gz: entry "dir/file"`.
fn place(archive: &Path, entry: Option<&str>) -> String {
    let mut out = archive.display().to_string();
    if let Some(entry) = entry {
        let _ = write!(out, ": entry {entry:?}");
    }
    out
}
