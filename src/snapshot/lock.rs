//! The fetch lock: one fetch at a time writes a snapshot directory.
//!
//! `.kb4graph-fetch.lock` in the snapshot directory (owner-only) records the pid and start time
//! of the fetch holding it, and that fetch holds an OS lock (`flock`) on it for as long as it
//! runs. The OS drops that lock when the process dies, so a file whose lock is free is the
//! leftover of a fetch that was killed: the next fetch takes it over. The file is removed when
//! the fetch ends, so a finished snapshot holds only its manifest and pages.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::error::SnapshotError;
use crate::timefmt::format_system_time;

pub const LOCK_FILE: &str = ".kb4graph-fetch.lock";

/// A lock briefly probed by `verify` looks held: try this often before refusing.
const ATTEMPTS: u32 = 10;
const RETRY_DELAY: Duration = Duration::from_millis(30);

/// What the lock file says about the fetch that took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    pub started_at: String,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {}, started {}", self.pid, self.started_at)
    }
}

/// The state of a snapshot directory's lock file, for `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// A fetch is running; `None` when its record is unreadable.
    Held(Option<LockHolder>),
    /// The file of a fetch that ended without removing it (killed).
    Stale(Option<LockHolder>),
}

/// Held while a fetch writes the directory; released (file removed) on drop.
#[derive(Debug)]
pub struct FetchLock {
    path: PathBuf,
    file: Option<File>,
}

impl FetchLock {
    /// Takes the lock of snapshot directory `dir` (which must exist), or says who holds it.
    pub fn acquire(dir: &Path) -> Result<FetchLock, SnapshotError> {
        let path = dir.join(LOCK_FILE);
        let mut holder = None;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(RETRY_DELAY);
            }
            let mut file = open_private(&path).map_err(SnapshotError::io(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    holder = read_holder(&mut file);
                    continue;
                }
                Err(TryLockError::Error(err)) if err.kind() == io::ErrorKind::Unsupported => {
                    // Some network filesystems have no locks: the record still names the fetch.
                    tracing::warn!(
                        dir = %dir.display(),
                        "the filesystem cannot lock files: another fetch of this snapshot is not kept out"
                    );
                }
                Err(TryLockError::Error(err)) => return Err(SnapshotError::io(&path)(err)),
            }
            // A fetch that was releasing may have removed the file we opened: lock the one
            // the path names now.
            if !same_file(&file, &path) {
                continue;
            }
            if let Some(stale) = read_holder(&mut file) {
                tracing::warn!(
                    dir = %dir.display(),
                    "taking over the lock left by a fetch that ended without releasing it ({stale})"
                );
            }
            let record = LockHolder {
                pid: std::process::id(),
                started_at: format_system_time(SystemTime::now()),
            };
            write_holder(&mut file, &record).map_err(SnapshotError::io(&path))?;
            return Ok(FetchLock {
                path,
                file: Some(file),
            });
        }
        Err(SnapshotError::Locked {
            dir: dir.to_owned(),
            holder: holder.map_or_else(|| "pid unknown".to_owned(), |h| h.to_string()),
        })
    }

    /// Removes the file, then lets go of the OS lock.
    pub fn release(mut self) {
        self.release_now();
    }

    fn release_now(&mut self) {
        if let Some(file) = self.file.take() {
            if let Err(err) = fs::remove_file(&self.path)
                && err.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(path = %self.path.display(), "cannot remove the fetch lock: {err}");
            }
            drop(file);
        }
    }
}

impl Drop for FetchLock {
    fn drop(&mut self) {
        self.release_now();
    }
}

/// Whether `dir` has a lock file and whether a running fetch holds it; `None` without one.
pub fn lock_state(dir: &Path) -> Option<LockState> {
    let path = dir.join(LOCK_FILE);
    let mut file = File::open(&path).ok()?;
    let holder = read_holder(&mut file);
    // A shared probe: it never blocks a fetch for longer than the fetch's own retries.
    match file.try_lock_shared() {
        Ok(()) => Some(LockState::Stale(holder)),
        Err(TryLockError::WouldBlock) => Some(LockState::Held(holder)),
        Err(TryLockError::Error(_)) => Some(LockState::Stale(holder)),
    }
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn read_holder(file: &mut File) -> Option<LockHolder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_holder(file: &mut File, holder: &LockHolder) -> io::Result<()> {
    let mut bytes = serde_json::to_vec(holder).map_err(io::Error::other)?;
    bytes.push(b'\n');
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&bytes)?;
    file.sync_all()
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let lock = FetchLock::acquire(dir.path()).unwrap();
        let path = dir.path().join(LOCK_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let err = FetchLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
        assert!(matches!(
            lock_state(dir.path()),
            Some(LockState::Held(Some(h))) if h.pid == std::process::id()
        ));
        drop(lock);
        assert!(!path.exists());
        assert_eq!(lock_state(dir.path()), None);
        FetchLock::acquire(dir.path()).unwrap().release();
        assert!(!path.exists());
    }

    #[test]
    fn the_file_of_a_dead_fetch_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        // What a killed fetch leaves: the record, no OS lock.
        fs::write(
            &path,
            br#"{"pid":4194303,"started_at":"2026-01-01T00:00:00.000Z"}"#,
        )
        .unwrap();
        assert!(matches!(
            lock_state(dir.path()),
            Some(LockState::Stale(Some(h))) if h.pid == 4194303
        ));
        let lock = FetchLock::acquire(dir.path()).unwrap();
        let record: LockHolder = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(record.pid, std::process::id());
        drop(lock);
        assert!(!path.exists());
    }
}
