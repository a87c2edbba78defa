//! Temporary archive files a killed `kb4graph archive` left beside its output.
//!
//! The temporary file is named `.kb4graph-tmp-<pid>-<random>.tmp` after the process writing it,
//! so a later `archive` into the same directory can tell a dead process's leftover (removed,
//! with a log line) from one a running process is still writing (left alone). Where it cannot
//! tell whether a process lives (no `/proc`), or the name carries no process id (an older
//! version), it leaves the file and says how to remove it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::files::TEMP_PREFIX;

pub(crate) const SUFFIX: &str = ".tmp";

/// The prefix of this process's temporary archive files.
pub(crate) fn prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

/// What was found beside the output.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Stale {
    pub removed: Vec<PathBuf>,
    /// Left in place: whether their writer still runs is unknown.
    pub unknown: Vec<PathBuf>,
}

/// Removes the temporary archive files of dead processes in `dir`.
pub(crate) fn clean(dir: &Path) -> io::Result<Stale> {
    clean_with(dir, alive)
}

fn clean_with(dir: &Path, alive: impl Fn(u32) -> Option<bool>) -> io::Result<Stale> {
    let mut stale = Stale::default();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|n| n.strip_suffix(SUFFIX))
        else {
            continue;
        };
        if !entry.file_type()?.is_file() {
            continue;
        }
        let pid = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        match pid.map(&alive) {
            Some(Some(true)) => {}
            Some(Some(false)) => match fs::remove_file(entry.path()) {
                Ok(()) => stale.removed.push(entry.path()),
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            },
            Some(None) | None => stale.unknown.push(entry.path()),
        }
    }
    stale.removed.sort();
    stale.unknown.sort();
    Ok(stale)
}

/// Whether process `pid` runs, where the system says (Linux's `/proc`).
fn alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new("/proc").join(pid.to_string()).exists())
}

/// Logs what [`clean`] did and what it left.
pub(crate) fn report(stale: &Stale) {
    for path in &stale.removed {
        tracing::info!(
            file = %path.display(),
            "removed a temporary archive file left by an interrupted `kb4graph archive` (its process is gone)"
        );
    }
    for path in &stale.unknown {
        tracing::warn!(
            file = %path.display(),
            "a temporary archive file from an earlier `kb4graph archive` may be left over; if no archive is being written here, remove it: rm -- '{}'",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_processes_files_go_live_ones_stay_unknown_ones_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let name = |n: &str| dir.path().join(n);
        for n in [
            ".kb4graph-tmp-11-abc.tmp",
            ".kb4graph-tmp-22-abc.tmp",
            ".kb4graph-tmp-xyz.tmp",
            "archive.tar.gz",
            ".kb4graph-tmp-33-abc.part",
        ] {
            fs::write(name(n), b"x").unwrap();
        }
        let stale = clean_with(dir.path(), |pid| Some(pid == 22)).unwrap();
        assert_eq!(stale.removed, [name(".kb4graph-tmp-11-abc.tmp")]);
        assert_eq!(stale.unknown, [name(".kb4graph-tmp-xyz.tmp")]);
        assert!(!name(".kb4graph-tmp-11-abc.tmp").exists());
        assert!(name(".kb4graph-tmp-22-abc.tmp").exists());
        assert!(name("archive.tar.gz").exists());
        assert!(prefix().starts_with(".kb4graph-tmp-"));
    }
}
