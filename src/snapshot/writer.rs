//! Writes a snapshot: pages as received, and the manifest that makes them resumable.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::error::SnapshotError;
use super::layout::{self, MANIFEST_FILE};
use super::manifest::Manifest;
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
    /// Starts a snapshot in `root`, which must not exist or be empty.
    pub fn create(root: impl AsRef<Path>) -> Result<SnapshotWriter, SnapshotError> {
        let root = root.as_ref().to_owned();
        match fs::read_dir(&root) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(SnapshotError::NotEmpty { dir: root });
                }
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                create_private_dir(&root).map_err(SnapshotError::io(&root))?;
            }
            Err(err) => return Err(SnapshotError::io(&root)(err)),
        }
        make_private(&root, 0o700).map_err(SnapshotError::io(&root))?;
        Ok(Self::at(root))
    }

    /// Opens an existing snapshot to continue it: reads and checks its manifest and removes
    /// temporary files a killed fetch left behind.
    pub fn open_existing(
        root: impl AsRef<Path>,
    ) -> Result<(SnapshotWriter, Manifest), SnapshotError> {
        let root = root.as_ref().to_owned();
        let manifest = super::reader::read_manifest(&root)?;
        let removed = remove_stale_temp_files(&root).map_err(SnapshotError::io(&root))?;
        if removed > 0 {
            tracing::info!(
                dir = %root.display(),
                removed,
                "removed temporary files left by an interrupted fetch"
            );
        }
        Ok((Self::at(root), manifest))
    }

    fn at(root: PathBuf) -> SnapshotWriter {
        SnapshotWriter {
            root,
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
                problem: format!("invalid collection id {id:?}"),
            });
        }
        let file = layout::page_file(id, page);
        let path =
            layout::resolve(&self.root, &file).ok_or_else(|| SnapshotError::ManifestInvalid {
                path: self.root.clone(),
                problem: format!("unsafe page path {file:?}"),
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
