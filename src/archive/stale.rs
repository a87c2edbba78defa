//! Temporary archive files a killed `kb4graph archive` left beside its output.
//!
//! The temporary file is named `.kb4graph-tmp-<pid>-<start>-<random>.tmp` after the process
//! writing it ([`Owner`]: its pid and start time), so a later `archive` into the same directory
//! can tell a dead process's leftover (removed, with a log line) from one a running process is
//! still writing (left alone), even when another process has since been given the same pid.
//! Names of older versions, `.kb4graph-tmp-<pid>-<random>.tmp`, are judged by the pid alone.
//! Where it cannot tell whether a process lives (no `/proc`), or the name carries no process id,
//! it leaves the file and says how to remove it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::files::TEMP_PREFIX;
use crate::owner::Owner;

pub(crate) const SUFFIX: &str = ".tmp";

/// The prefix of this process's temporary archive files.
pub(crate) fn prefix() -> String {
    let me = Owner::current();
    format!("{TEMP_PREFIX}{}-{}-", me.pid, me.start)
}

/// The writer a temporary file's name (between prefix and suffix) records: `<pid>-<start>-<random>`,
/// or `<pid>-<random>` from older versions (start 0: judged by the pid alone). The random part
/// is alphanumeric, so the number of `-` tells the two apart.
fn owner_of(rest: &str) -> Option<Owner> {
    let parts: Vec<&str> = rest.split('-').collect();
    let (pid, start) = match parts.as_slice() {
        [pid, _random] => (pid, "0"),
        [pid, start, _random] => (pid, *start),
        _ => return None,
    };
    Some(Owner {
        pid: pid.parse().ok()?,
        start: start.parse().ok()?,
    })
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
    clean_with(dir, Owner::running)
}

fn clean_with(dir: &Path, running: impl Fn(Owner) -> Option<bool>) -> io::Result<Stale> {
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
        match owner_of(rest).map(&running) {
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
            ".kb4graph-tmp-11-5-abc.tmp",
            ".kb4graph-tmp-22-5-abc.tmp",
            ".kb4graph-tmp-33-abc.tmp",
            ".kb4graph-tmp-xyz.tmp",
            ".kb4graph-tmp-1-2-3-xyz.tmp",
            "archive.tar.gz",
            ".kb4graph-tmp-44-abc.part",
        ] {
            fs::write(name(n), b"x").unwrap();
        }
        let stale = clean_with(dir.path(), |owner| Some(owner.pid == 22)).unwrap();
        assert_eq!(
            stale.removed,
            [
                name(".kb4graph-tmp-11-5-abc.tmp"),
                name(".kb4graph-tmp-33-abc.tmp")
            ]
        );
        assert_eq!(
            stale.unknown,
            [
                name(".kb4graph-tmp-1-2-3-xyz.tmp"),
                name(".kb4graph-tmp-xyz.tmp")
            ]
        );
        assert!(name(".kb4graph-tmp-22-5-abc.tmp").exists());
        assert!(name("archive.tar.gz").exists());
        assert!(prefix().starts_with(".kb4graph-tmp-"));
    }

    #[test]
    fn names_record_the_writer_and_older_names_its_pid() {
        let me = Owner::current();
        let rest = format!("{}abc123", prefix().strip_prefix(TEMP_PREFIX).unwrap());
        assert_eq!(owner_of(&rest), Some(me));
        assert_eq!(owner_of("42-abc123"), Some(Owner { pid: 42, start: 0 }));
        for bad in ["", "abc", "x-abc", "1-x-abc", "1-2-3-abc"] {
            assert_eq!(owner_of(bad), None, "{bad:?}");
        }
    }

    /// A file whose pid now belongs to another process (here: this one, which started at
    /// another time than the name says) is a dead writer's leftover; this process's own file
    /// and an older pid-only name of a running pid are left alone.
    #[test]
    fn a_file_of_a_reused_pid_is_stale() {
        let me = Owner::current();
        assert!(me.start > 0, "no start time read from /proc");
        let dir = tempfile::tempdir().unwrap();
        let name = |n: String| dir.path().join(n);
        let reused = name(format!(
            "{TEMP_PREFIX}{}-{}-abc123{SUFFIX}",
            me.pid,
            me.start + 1
        ));
        let mine = name(format!("{}abc123{SUFFIX}", prefix()));
        let older = name(format!("{TEMP_PREFIX}{}-abc123{SUFFIX}", me.pid));
        for path in [&reused, &mine, &older] {
            fs::write(path, b"x").unwrap();
        }
        let stale = clean(dir.path()).unwrap();
        assert_eq!(stale.removed, std::slice::from_ref(&reused));
        assert!(stale.unknown.is_empty());
        assert!(!reused.exists());
        assert!(mine.exists() && older.exists());
    }
}
