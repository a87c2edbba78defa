//! The output bundle: every export is written through it.
//!
//! Files are written into a staging directory inside `OUT_DIR`, each hashed and written by a
//! thread of its own (see [`Sink`]); several files, of one format or of several written at once,
//! may be open together. Only when every file is complete are the format directories renamed into
//! place, followed by `SHA256SUMS` and, last, `manifest.json`. A failed or interrupted export
//! leaves no half-written file where a complete one is expected, and nothing already in
//! `OUT_DIR` (a snapshot, an earlier export) is touched.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use super::error::ExportError;
use super::sink::Sink;
use crate::compress::{Compression, Writer};
use crate::files::{create_private_dir, hex, sync_dir};
use crate::owner::Owner;

/// Written last: its presence means the export is complete. Named as a snapshot's, so that
/// `verify`, `diff` and `archive` find either kind's manifest by one name.
pub use crate::snapshot::MANIFEST_FILE;
/// `sha256sum -c SHA256SUMS`, run in the export directory, checks every file.
pub const SUMS_FILE: &str = "SHA256SUMS";

/// Staging directories start with this, then their [`Owner`].
const STAGING_PREFIX: &str = ".kb4graph-staging-";

/// One file of a finished export, listed in its manifest as a snapshot lists its pages (path
/// relative to the export directory, with `/`).
pub type ExportedFile = crate::snapshot::FileEntry;

/// An export being written into `out_dir`. Formats may write into it from several threads.
#[derive(Debug)]
pub struct Bundle {
    out_dir: PathBuf,
    staging: tempfile::TempDir,
    /// How data files (those opened with [`Bundle::create_data_file`]) are written.
    compression: Compression,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    files: Vec<ExportedFile>,
    opened: Vec<String>,
}

impl Bundle {
    /// Starts an export into `out_dir` (created owner-only if missing). Refuses a directory that
    /// already holds an export.
    pub fn create(out_dir: impl Into<PathBuf>) -> Result<Bundle, ExportError> {
        let out_dir = out_dir.into();
        create_private_dir(&out_dir).map_err(ExportError::io(&out_dir))?;
        for name in [MANIFEST_FILE, SUMS_FILE] {
            let path = out_dir.join(name);
            if path.exists() {
                return Err(ExportError::Exists { path });
            }
        }
        clear_stale_staging(&out_dir)?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(
                "{STAGING_PREFIX}{}-",
                Owner::current().to_string().replace(' ', ".")
            ))
            .tempdir_in(&out_dir)
            .map_err(ExportError::io(&out_dir))?;
        crate::files::make_private(staging.path(), 0o700)
            .map_err(ExportError::io(staging.path()))?;
        Ok(Bundle {
            out_dir,
            staging,
            compression: Compression::None,
            state: Mutex::default(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The lists stay whole even if a writer panicked while holding the lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// Data files opened from now on are written compressed this way.
    pub fn set_compression(&mut self, compression: Compression) {
        self.compression = compression;
    }

    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// Opens the data file `relative` for writing: as [`Bundle::create_file`], but compressed
    /// as the bundle's [`Compression`] says, under its compressed name (`relative.gz`).
    pub fn create_data_file(&self, relative: &str) -> Result<BundleFile, ExportError> {
        let compression = self.compression;
        let mut file = self.create_file(&compression.file_name(relative))?;
        file.writer = match file.writer {
            Writer::Plain(inner) => compression.writer(inner),
            compressed => compressed,
        };
        Ok(file)
    }

    /// Writes the whole data file `relative` with `write` (see [`Bundle::create_data_file`]).
    pub fn write_data_file<T>(
        &self,
        relative: &str,
        write: impl FnOnce(&mut BundleFile) -> io::Result<T>,
    ) -> Result<T, ExportError> {
        self.write_whole(self.create_data_file(relative)?, write)
    }

    /// Opens `relative` (e.g. `json/graph.json`) for writing. Its top directory must not exist
    /// in the export directory yet.
    pub fn create_file(&self, relative: &str) -> Result<BundleFile, ExportError> {
        let valid = !relative.is_empty()
            && relative.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            });
        if !valid || relative == MANIFEST_FILE || relative == SUMS_FILE {
            return Err(ExportError::BadName(relative.to_owned()));
        }
        let mut state = self.state();
        if state.opened.iter().any(|f| f == relative) {
            return Err(ExportError::Duplicate {
                file: relative.to_owned(),
            });
        }
        let top = relative.split('/').next().unwrap_or(relative);
        let target = self.out_dir.join(top);
        if target.exists() {
            return Err(ExportError::Exists { path: target });
        }
        let path = self.staging.path().join(relative);
        if let Some(parent) = path.parent() {
            create_private_dir(parent).map_err(ExportError::io(parent))?;
        }
        let shown = self.out_dir.join(relative);
        let sink = open_private(&path)
            .and_then(Sink::new)
            .map_err(ExportError::io(&shown))?;
        state.opened.push(relative.to_owned());
        Ok(BundleFile {
            relative: relative.to_owned(),
            shown,
            writer: Writer::Plain(sink),
        })
    }

    /// Writes the whole file `relative` with `write` and records it as complete; an error
    /// names the file.
    pub fn write_file<T>(
        &self,
        relative: &str,
        write: impl FnOnce(&mut BundleFile) -> io::Result<T>,
    ) -> Result<T, ExportError> {
        self.write_whole(self.create_file(relative)?, write)
    }

    /// Writes `file` whole with `write`, then records it as complete.
    fn write_whole<T>(
        &self,
        mut file: BundleFile,
        write: impl FnOnce(&mut BundleFile) -> io::Result<T>,
    ) -> Result<T, ExportError> {
        let written = write(&mut file).map_err(ExportError::io(file.path()))?;
        self.close_file(file)?;
        Ok(written)
    }

    /// Records a file written through [`Bundle::create_file`] as complete.
    pub fn close_file(&self, file: BundleFile) -> Result<(), ExportError> {
        let shown = file.shown.clone();
        let done = file.finish().map_err(ExportError::io(shown))?;
        self.state().files.push(done);
        Ok(())
    }

    /// Moves every file into place and writes `SHA256SUMS` and `manifest.json`, which is built
    /// by `manifest` from the sorted list of files.
    pub fn finish<M: Serialize>(
        self,
        manifest: impl FnOnce(&[ExportedFile]) -> M,
    ) -> Result<Vec<ExportedFile>, ExportError> {
        let mut files = std::mem::take(&mut self.state().files);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let staging = self.staging.path().to_owned();

        let mut sums = String::new();
        for f in &files {
            sums.push_str(&format!("{}  {}\n", f.sha256, f.path));
        }
        write_file(&staging.join(SUMS_FILE), sums.as_bytes())?;
        let mut json = serde_json::to_vec_pretty(&manifest(&files))
            .map_err(|e| ExportError::io(staging.join(MANIFEST_FILE))(e.into()))?;
        json.push(b'\n');
        write_file(&staging.join(MANIFEST_FILE), &json)?;

        let mut tops: Vec<&str> = files
            .iter()
            .map(|f| f.path.split('/').next().unwrap_or(&f.path))
            .collect();
        tops.dedup();
        for top in tops.iter().copied().chain([SUMS_FILE, MANIFEST_FILE]) {
            let target = self.out_dir.join(top);
            if target.exists() {
                return Err(ExportError::Exists { path: target });
            }
            fs::rename(staging.join(top), &target).map_err(ExportError::io(&target))?;
        }
        sync_dir(&self.out_dir).map_err(ExportError::io(&self.out_dir))?;
        Ok(files)
    }
}

/// The export that writes through a staging directory: its name is
/// `.kb4graph-staging-<pid>.<start>-<random>` (see [`Owner`]). `None` for another name.
pub fn staging_owner(name: &str) -> Option<Owner> {
    let rest = name.strip_prefix(STAGING_PREFIX)?;
    let (owner, _) = rest.split_once('-')?;
    Owner::parse(&owner.replacen('.', " ", 1))
}

/// Whether a name is that of a staging directory, this version's or an earlier one's.
pub fn is_staging(name: &str) -> bool {
    name.starts_with(STAGING_PREFIX)
}

/// Removes the staging directories that killed exports left in `out_dir`. One of a running
/// export, or one whose writer cannot be told, is refused rather than touched.
fn clear_stale_staging(out_dir: &Path) -> Result<(), ExportError> {
    let entries = fs::read_dir(out_dir).map_err(ExportError::io(out_dir))?;
    for entry in entries {
        let entry = entry.map_err(ExportError::io(out_dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !is_staging(&name) {
            continue;
        }
        let path = entry.path();
        match staging_owner(&name) {
            Some(owner) if owner.is_running() => {
                return Err(ExportError::Busy {
                    dir: out_dir.to_owned(),
                    pid: owner.pid,
                });
            }
            Some(owner) => {
                fs::remove_dir_all(&path).map_err(ExportError::io(&path))?;
                tracing::info!(
                    "removed {}: what an export killed before it finished (pid {}) had staged",
                    path.display(),
                    owner.pid
                );
            }
            None => return Err(ExportError::UnknownStaging { path }),
        }
    }
    Ok(())
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut file = open_private(path).map_err(ExportError::io(path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(ExportError::io(path))
}

/// A file of the bundle being written: compressed if it is a compressed data file, then
/// buffered, hashed and written beside the writer.
#[derive(Debug)]
pub struct BundleFile {
    relative: String,
    /// Where the file will be once the export is complete, for error messages.
    shown: PathBuf,
    writer: Writer<Sink>,
}

impl BundleFile {
    /// The path the file will have in the export directory.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    fn finish(self) -> io::Result<ExportedFile> {
        let written = self.writer.finish()?.finish()?;
        Ok(ExportedFile {
            path: self.relative,
            size: written.size,
            sha256: hex(&written.sha256),
        })
    }
}

impl Write for BundleFile {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::sha256_hex;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_finished_bundle_has_its_files_sums_and_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let bundle = Bundle::create(&out).unwrap();
        let mut f = bundle.create_file("json/graph.json").unwrap();
        f.write_all(b"{\"a\":1}\n").unwrap();
        bundle.close_file(f).unwrap();
        let files = bundle
            .finish(|files| serde_json::json!({ "files": files }))
            .unwrap();
        assert_eq!(names(&out), ["SHA256SUMS", "json", "manifest.json"]);
        let bytes = fs::read(out.join("json/graph.json")).unwrap();
        assert_eq!(files[0].sha256, sha256_hex(&bytes));
        assert_eq!(files[0].size, bytes.len() as u64);
        let sums = fs::read_to_string(out.join(SUMS_FILE)).unwrap();
        assert_eq!(sums, format!("{}  json/graph.json\n", files[0].sha256));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [out.join("json/graph.json"), out.join(MANIFEST_FILE)] {
                let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
            }
            let mode = fs::metadata(out.join("json")).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
    }

    #[test]
    fn an_abandoned_bundle_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        {
            let bundle = Bundle::create(&out).unwrap();
            let mut f = bundle.create_file("json/graph.json").unwrap();
            f.write_all(b"{\"entities\":[").unwrap();
            // Dropped mid-write, as on an error.
        }
        assert_eq!(names(&out), ["notes.txt"]);
    }

    #[test]
    fn existing_exports_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_owned();
        fs::create_dir(out.join("json")).unwrap();
        let bundle = Bundle::create(&out).unwrap();
        let err = bundle.create_file("json/graph.json").unwrap_err();
        assert!(matches!(err, ExportError::Exists { .. }), "{err}");
        fs::write(out.join(MANIFEST_FILE), "{}").unwrap();
        assert!(matches!(
            Bundle::create(&out).unwrap_err(),
            ExportError::Exists { .. }
        ));
    }

    #[test]
    fn names_cannot_escape_the_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = Bundle::create(dir.path()).unwrap();
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a//b",
            "json/../../x",
            "manifest.json",
            "a b",
        ] {
            assert!(bundle.create_file(bad).is_err(), "{bad:?}");
        }
    }
}
