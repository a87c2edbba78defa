//! Writes a snapshot: pages as received, and the manifest that makes them resumable.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::error::SnapshotError;
use super::layout::{self, MANIFEST_FILE};
use super::lock::{FetchLock, LOCK_FILE, LockState, lock_state};
use super::manifest::{Manifest, ManifestProblem};
use crate::files::{
    create_private_dir, make_private, remove_stale_temp_files, sha256_hex, sync_dir, write_atomic,
};

/// What a page file holds, for its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPage {
    /// Relative to the snapshot root.
    pub file: String,
    pub size: u64,
    pub sha256: String,
}

/// Shared by every fetch task (`Sync`). Page writes are independent; manifest writes are
/// serialised and ordered by a sequence number so an older manifest never replaces a newer one.
#[derive(Debug)]
pub struct SnapshotWriter {
    root: PathBuf,
    state: Mutex<WriterState>,
    manifest_lock: Mutex<()>,
    /// The fetch lock, held until [`Self::release_lock`] or drop.
    lock: Mutex<Option<FetchLock>>,
}

#[derive(Debug, Default)]
struct WriterState {
    /// Directories with renames not yet made durable; synced before the manifest that
    /// references their pages is written.
    dirty_dirs: BTreeSet<PathBuf>,
    created_dirs: BTreeSet<PathBuf>,
    manifest_seq: u64,
}

impl SnapshotWriter {
    /// Starts a snapshot in `root`, which must not exist or be empty, and takes its fetch lock.
    pub fn create(root: impl AsRef<Path>) -> Result<SnapshotWriter, SnapshotError> {
        let root = root.as_ref().to_owned();
        match fs::symlink_metadata(&root) {
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                create_private_dir(&root).map_err(SnapshotError::io(&root))?;
            }
            Err(err) => return Err(SnapshotError::io(&root)(err)),
        }
        let holds_more = |root: &Path| -> Result<bool, SnapshotError> {
            let mut entries = fs::read_dir(root).map_err(SnapshotError::io(root))?;
            Ok(entries.any(|e| e.map_or(true, |e| e.file_name() != LOCK_FILE)))
        };
        if holds_more(&root)? {
            return Err(match lock_state(&root) {
                Some(LockState::Held(_)) => FetchLock::acquire(&root)
                    .err()
                    .unwrap_or(SnapshotError::NotEmpty { dir: root.clone() }),
                _ => SnapshotError::NotEmpty { dir: root },
            });
        }
        // Looked at again once locked, so that two fetches into one new directory cannot both
        // find it empty.
        let lock = FetchLock::acquire(&root)?;
        if holds_more(&root)? {
            return Err(SnapshotError::NotEmpty { dir: root });
        }
        make_private(&root, 0o700).map_err(SnapshotError::io(&root))?;
        Ok(Self::at(root, lock))
    }

    /// Opens an existing snapshot to continue it: takes its fetch lock, reads and checks its
    /// manifest and removes temporary files a killed fetch left behind.
    pub fn open_existing(
        root: impl AsRef<Path>,
    ) -> Result<(SnapshotWriter, Manifest), SnapshotError> {
        let root = root.as_ref().to_owned();
        // Only a snapshot is locked: a directory without a manifest is refused untouched,
        // unless a fetch that has not written its first manifest yet holds it.
        if let Err(err) = super::reader::read_manifest(&root) {
            if matches!(lock_state(&root), Some(LockState::Held(_))) {
                FetchLock::acquire(&root)?;
            }
            return Err(err);
        }
        let lock = FetchLock::acquire(&root)?;
        let manifest = super::reader::read_manifest(&root)?;
        let removed = remove_stale_temp_files(&root).map_err(SnapshotError::io(&root))?;
        if removed > 0 {
            tracing::info!(
                dir = %root.display(),
                removed,
                "removed temporary files left by an interrupted fetch"
            );
        }
        Ok((Self::at(root, lock), manifest))
    }

    /// Lets another fetch write the directory (also done on drop).
    pub fn release_lock(&self) {
        let lock = self.lock.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(lock) = lock {
            lock.release();
        }
    }

    /// Removes page files under `raw/` that `manifest` does not list: pages of a run that
    /// was killed before its manifest named them, and pages of collections a resumed fetch
    /// dropped or fetched again in fewer pages. Directories left empty go too.
    pub fn remove_unlisted_pages(&self, manifest: &Manifest) -> Result<usize, SnapshotError> {
        let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        let raw = self.root.join(layout::RAW_DIR);
        let mut removed = 0;
        remove_unlisted(&raw, layout::RAW_DIR, &listed, &mut removed)
            .map_err(SnapshotError::io(&raw))?;
        Ok(removed)
    }

    fn at(root: PathBuf, lock: FetchLock) -> SnapshotWriter {
        SnapshotWriter {
            root,
            lock: Mutex::new(Some(lock)),
            state: Mutex::new(WriterState::default()),
            manifest_lock: Mutex::new(()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WriterState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes page `page` of collection `id` atomically (blocking I/O).
    pub fn write_page(
        &self,
        id: &str,
        page: u32,
        body: &[u8],
    ) -> Result<WrittenPage, SnapshotError> {
        if !layout::is_valid_collection_id(id) {
            return Err(SnapshotError::ManifestInvalid {
                path: self.root.clone(),
                problem: ManifestProblem::CollectionId(id.to_owned()),
            });
        }
        let file = layout::page_file(id, page);
        let path =
            layout::resolve(&self.root, &file).ok_or_else(|| SnapshotError::ManifestInvalid {
                path: self.root.clone(),
                problem: ManifestProblem::UnsafePath(file.clone()),
            })?;
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        let known = self.lock().created_dirs.contains(&dir);
        if !known {
            create_private_dir(&dir).map_err(SnapshotError::io(&dir))?;
            let mut state = self.lock();
            // New directories' own entries must be durable too: sync every ancestor up to root.
            let mut ancestor = dir.parent();
            while let Some(a) = ancestor {
                if !a.starts_with(&self.root) {
                    break;
                }
                state.dirty_dirs.insert(a.to_owned());
                ancestor = a.parent();
            }
            state.created_dirs.insert(dir.clone());
        }
        write_atomic(&path, body).map_err(SnapshotError::io(&path))?;
        self.lock().dirty_dirs.insert(dir);
        Ok(WrittenPage {
            file,
            size: body.len() as u64,
            sha256: sha256_hex(body),
        })
    }

    /// A sequence number for a manifest about to be built; pass it to [`Self::write_manifest`].
    pub fn next_manifest_seq(&self) -> u64 {
        let mut state = self.lock();
        state.manifest_seq += 1;
        state.manifest_seq
    }

    /// Writes the manifest atomically after making every page it may reference durable. A
    /// manifest built earlier (lower `seq`) than one already written is skipped.
    pub fn write_manifest(&self, manifest: &Manifest, seq: u64) -> Result<(), SnapshotError> {
        self.write_manifest_bytes(&manifest.to_json(), seq)
    }

    /// [`Self::write_manifest`] with the manifest already serialised by [`Manifest::to_json`].
    pub fn write_manifest_bytes(&self, manifest: &[u8], seq: u64) -> Result<(), SnapshotError> {
        let _serial = self.manifest_lock.lock().unwrap_or_else(|p| p.into_inner());
        let dirty = {
            let state = self.lock();
            if seq < state.manifest_seq {
                // A newer manifest is already built; it will be written by its own call.
                return Ok(());
            }
            state.dirty_dirs.clone()
        };
        for dir in &dirty {
            sync_dir(dir).map_err(SnapshotError::io(dir))?;
        }
        let path = self.root.join(MANIFEST_FILE);
        write_atomic(&path, manifest).map_err(SnapshotError::io(&path))?;
        sync_dir(&self.root).map_err(SnapshotError::io(&self.root))?;
        let mut state = self.lock();
        for dir in &dirty {
            state.dirty_dirs.remove(dir);
        }
        Ok(())
    }
}

/// Returns whether `dir` is left empty.
fn remove_unlisted(
    dir: &Path,
    relative: &str,
    listed: &BTreeSet<&str>,
    removed: &mut usize,
) -> io::Result<bool> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    let mut empty = true;
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            empty = false;
            continue;
        };
        let path = entry.path();
        let child = format!("{relative}/{name}");
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if remove_unlisted(&path, &child, listed, removed)? {
                fs::remove_dir(&path)?;
            } else {
                empty = false;
            }
        } else if kind.is_file()
            && layout::is_page_file_name(&name)
            && !listed.contains(child.as_str())
        {
            fs::remove_file(&path)?;
            *removed += 1;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}
