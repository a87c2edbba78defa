//! Reading an archive in one pass over its gzip stream: listing it (sizes and SHA-256 of every
//! file) or extracting it. Anything a `write_archive` archive cannot hold is refused, so a
//! hostile archive can neither write outside the extraction directory nor show a reader
//! something other than what extraction would give.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::GzDecoder;
use sha2::{Digest, Sha256};
use tar::EntryType;

use super::bounds::{Bounds, MAX_MANIFEST, MAX_MANIFESTS_TOTAL, OutOfBounds, is_manifest};
use super::error::ArchiveError;
use super::{ArchiveListing, ArchivedFile, DIR_MODE, FILE_MODE, UnreadEntry};
use crate::export::{MANIFEST_FILE, SUMS_FILE};
use crate::files::{TEMP_PREFIX, create_private_dir, hex, make_private, sync_dir};

/// `manifest.json` and `SHA256SUMS` larger than this are not kept by [`default_keep`].
const MAX_KEPT_MANIFEST: u64 = MAX_MANIFEST;
/// Other `*.json` files are kept by [`default_keep`] when smaller than this.
const MAX_KEPT_JSON: u64 = 1 << 20;

/// What [`read_archive`] keeps the bytes of: `manifest.json` and `SHA256SUMS` at the top (up
/// to 64 MiB), and any `*.json` file under 1 MiB. `path` is relative to the top-level
/// directory.
pub fn default_keep(path: &str, size: u64) -> bool {
    match path {
        MANIFEST_FILE | SUMS_FILE => size <= MAX_KEPT_MANIFEST,
        _ => path.ends_with(".json") && size < MAX_KEPT_JSON,
    }
}

/// Lists the archive at `path`, keeping the bytes of the files [`default_keep`] selects.
pub fn read_archive(path: &Path) -> Result<ArchiveListing, ArchiveError> {
    read_archive_with(path, default_keep)
}

/// Lists the archive at `path`, keeping the bytes of each file for which `keep(relative_path,
/// size)` is true (in `small_files`). Every file is hashed whether kept or not. Nothing is
/// written; memory holds only what `keep` selects.
pub fn read_archive_with(
    path: &Path,
    keep: impl FnMut(&str, u64) -> bool,
) -> Result<ArchiveListing, ArchiveError> {
    read_into(path, None, None, true, keep)
}

/// The first of two passes: every entry checked as [`read_archive`] checks it, but only
/// headers are read (sizes, no hashes) and only the manifests are kept (see [`Bounds`]).
/// Writes nothing.
pub fn survey(path: &Path) -> Result<ArchiveListing, ArchiveError> {
    let mut kept = 0u64;
    read_into(path, None, None, false, |rel, size| {
        let keep = is_manifest(rel)
            && size <= MAX_MANIFEST
            && kept.saturating_add(size) <= MAX_MANIFESTS_TOTAL;
        if keep {
            kept += size;
        }
        keep
    })
}

/// Every header of a surveyed archive against `bounds`: the first entry they refuse is named.
pub fn check_headers(
    path: &Path,
    surveyed: &ArchiveListing,
    bounds: &Bounds,
) -> Result<(), ArchiveError> {
    let name = |rel: &str| format!("{}/{rel}", surveyed.root);
    let mut empty = 0;
    for rel in &surveyed.dirs {
        bounds
            .check_dir(rel, &mut empty)
            .map_err(|problem| ArchiveError::refused(path, Some(&name(rel)), problem))?;
    }
    let mut total = 0u64;
    for (rel, file) in &surveyed.files {
        bounds
            .check_file(rel, file.size)
            .map_err(|problem| ArchiveError::refused(path, Some(&name(rel)), problem))?;
        total = total.saturating_add(file.size);
    }
    if total > bounds.total() {
        return Err(ArchiveError::refused(
            path,
            None,
            format!(
                "its files hold {total} bytes, more than the {} its manifests list",
                bounds.total()
            ),
        ));
    }
    Ok(())
}

/// The second pass, for `verify`: lists the archive (hashing what is read), keeping what `keep`
/// selects, and unpacks into `into` when given (see [`extract_archive`]). An entry `bounds`
/// refuses is neither read nor unpacked: it is listed in `unread` with why.
pub fn read_within(
    path: &Path,
    bounds: &Bounds,
    keep: impl FnMut(&str, u64) -> bool,
    into: Option<&Path>,
) -> Result<ArchiveListing, ArchiveError> {
    if let Some(into) = into {
        ensure_absent(into)?;
    }
    let limits = Limits {
        bounds,
        strict: false,
    };
    read_into(path, into, Some(limits), true, keep)
}

/// Extracts the archive at `path` into `into_dir`, which must not exist and takes the place of
/// the archived directory (the archive's top-level directory is not repeated inside it).
/// Directories are created 0700 and files 0600. The archive is extracted into a temporary
/// directory beside `into_dir` and renamed into place at the end, so a refused or damaged
/// archive leaves nothing behind. Returns the listing without `small_files`.
///
/// Only what the archive's manifests list is unpacked, at the sizes they list: a first pass
/// reads the headers and manifests, every header is checked against them (an unlisted entry or
/// one whose size differs is refused, naming it, before anything is written), and the second
/// pass checks each header again before unpacking it and stops each entry at its size. Disk
/// use is bounded by the manifests' total.
pub fn extract_archive(path: &Path, into_dir: &Path) -> Result<ArchiveListing, ArchiveError> {
    ensure_absent(into_dir)?;
    let surveyed = survey(path)?;
    let bounds = Bounds::of(path, &surveyed)?;
    check_headers(path, &surveyed, &bounds)?;
    let limits = Limits {
        bounds: &bounds,
        strict: true,
    };
    read_into(path, Some(into_dir), Some(limits), true, |_, _| false)
}

fn ensure_absent(into_dir: &Path) -> Result<(), ArchiveError> {
    match fs::symlink_metadata(into_dir) {
        Ok(_) => Err(ArchiveError::OutputExists {
            path: into_dir.to_owned(),
        }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(ArchiveError::io(into_dir)(err)),
    }
}

/// One pass: lists (hashing when `hash`), keeps what `keep` selects, unpacks into `into` when
/// given, within `limits` when given.
fn read_into(
    path: &Path,
    into: Option<&Path>,
    limits: Option<Limits<'_>>,
    hash: bool,
    mut keep: impl FnMut(&str, u64) -> bool,
) -> Result<ArchiveListing, ArchiveError> {
    let staging = into.map(Staging::new).transpose()?;
    let mut small_files = BTreeMap::new();
    let mut listing = scan(path, limits, hash, |rel, item| {
        let base = staging.as_ref().map(|s| s.base.clone());
        let target = base.map(|b| if rel.is_empty() { b } else { b.join(rel) });
        match item {
            Item::Dir => match target {
                Some(target) => create_private_dir(&target).map_err(ArchiveError::io(&target)),
                None => Ok(()),
            },
            Item::File { size, data } => {
                let kept = keep(rel, size).then(|| {
                    let mut bytes =
                        Vec::with_capacity(usize::try_from(size.min(MAX_KEPT_JSON)).unwrap_or(0));
                    // A read error is reported by `scan`, which knows it came from the archive.
                    let _ = (&mut *data).take(size).read_to_end(&mut bytes);
                    bytes
                });
                if let Some(target) = target {
                    if let Some(dir) = target.parent() {
                        create_private_dir(dir).map_err(ArchiveError::io(dir))?;
                    }
                    let mut file =
                        create_new_private(&target).map_err(ArchiveError::io(&target))?;
                    match &kept {
                        Some(bytes) => io::Write::write_all(&mut file, bytes),
                        // Never more than the header (checked against the manifest) says.
                        None => io::copy(&mut (&mut *data).take(size), &mut file).map(|_| ()),
                    }
                    .map_err(ArchiveError::io(&target))?;
                }
                if let Some(bytes) = kept {
                    small_files.insert(rel.to_owned(), bytes);
                }
                Ok(())
            }
        }
    })?;
    listing.small_files = small_files;
    if let Some(staging) = staging {
        staging.finish()?;
    }
    Ok(listing)
}

/// A private temporary directory beside the extraction target, renamed into place when
/// complete and removed (on drop) when not.
struct Staging {
    tmp: tempfile::TempDir,
    base: PathBuf,
    into: PathBuf,
    parent: PathBuf,
}

impl Staging {
    fn new(into_dir: &Path) -> Result<Staging, ArchiveError> {
        let parent = match into_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempdir_in(parent)
            .map_err(ArchiveError::io(parent))?;
        make_private(tmp.path(), DIR_MODE).map_err(ArchiveError::io(tmp.path()))?;
        Ok(Staging {
            base: tmp.path().to_owned(),
            tmp,
            into: into_dir.to_owned(),
            parent: parent.to_owned(),
        })
    }

    fn finish(self) -> Result<(), ArchiveError> {
        let kept = self.tmp.keep();
        if let Err(err) = fs::rename(&kept, &self.into) {
            let _ = fs::remove_dir_all(&kept);
            return Err(ArchiveError::io(&self.into)(err));
        }
        sync_dir(&self.parent).map_err(ArchiveError::io(&self.parent))
    }
}

fn create_new_private(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// One entry as `scan` hands it to its visitor.
enum Item<'a> {
    Dir,
    /// `data` yields the file's bytes; whatever the visitor leaves unread is read (and
    /// hashed) after it returns.
    File {
        size: u64,
        data: &'a mut dyn Read,
    },
}

/// How a pass holds entries to the manifests' bounds: `strict` refuses the archive at the
/// first entry out of bounds, otherwise such an entry is skipped unread and listed in `unread`.
#[derive(Clone, Copy)]
struct Limits<'a> {
    bounds: &'a Bounds,
    strict: bool,
}

/// Walks the archive once, checking every entry, and calls `visit` with each one's path
/// relative to the top-level directory (`""` for that directory itself). Entries are hashed
/// when `hash`; an entry `limits` refuses is never visited.
fn scan(
    archive: &Path,
    limits: Option<Limits<'_>>,
    hash: bool,
    mut visit: impl FnMut(&str, Item<'_>) -> Result<(), ArchiveError>,
) -> Result<ArchiveListing, ArchiveError> {
    let damaged = |entry: Option<&str>| {
        let entry = entry.map(str::to_owned);
        move |error| ArchiveError::Damaged {
            archive: archive.to_owned(),
            entry,
            error,
        }
    };
    let file = fs::File::open(archive).map_err(ArchiveError::io(archive))?;
    let decoder = GzDecoder::new(BufReader::new(file));
    let mut tar = tar::Archive::new(Counting {
        inner: decoder,
        count: 0,
    });
    let mut names = Names::default();
    let mut dirs = BTreeSet::new();
    let mut files = BTreeMap::new();
    let mut unread = BTreeMap::new();
    let mut empty_dirs = 0u64;
    let mut unpacked = 0u64;
    // Where the data of the last entry ends: the end-of-archive blocks start here.
    let mut end = 0u64;

    for entry in tar.entries().map_err(damaged(None))? {
        // A failure here is in a header, not in the data of the entry before it.
        let mut entry = entry.map_err(damaged(None))?;
        let raw = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        let size = entry.size();
        end = size
            .checked_add(511)
            .and_then(|s| entry.raw_file_position().checked_add(s & !511))
            .ok_or_else(|| {
                damaged(Some(&shown))(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the entry's size is out of range",
                ))
            })?;
        let entry_type = entry.header().entry_type();
        let is_dir = match entry_type {
            EntryType::Regular => false,
            EntryType::Directory => true,
            other => {
                return Err(ArchiveError::refused(
                    archive,
                    Some(&shown),
                    format!(
                        "it is {}: kb4graph archives hold only regular files and directories",
                        type_name(other)
                    ),
                ));
            }
        };
        let Ok(name) = std::str::from_utf8(&raw) else {
            return Err(ArchiveError::refused(
                archive,
                Some(&shown),
                "the path is not valid UTF-8",
            ));
        };
        let rel = names
            .check(name, is_dir)
            .map_err(|problem| ArchiveError::refused(archive, Some(name), problem))?;

        let out_of_bounds = limits.and_then(|l| {
            if is_dir {
                l.bounds.check_dir(&rel, &mut empty_dirs).err()
            } else {
                l.bounds.check_file(&rel, size).err().or_else(|| {
                    unpacked = unpacked.saturating_add(size);
                    (unpacked > l.bounds.total()).then(|| OutOfBounds::MoreThanListed {
                        unpacked,
                        listed: l.bounds.total(),
                    })
                })
            }
        });
        if let (Some(problem), Some(l)) = (out_of_bounds, limits) {
            if l.strict {
                return Err(ArchiveError::refused(archive, Some(name), problem));
            }
            if !is_dir {
                // Skipped unread: the tar reader passes over its data without keeping it.
                unread.insert(
                    rel,
                    UnreadEntry {
                        size,
                        reason: problem.to_string(),
                    },
                );
            }
            continue;
        }
        if is_dir {
            visit(&rel, Item::Dir)?;
            if !rel.is_empty() {
                dirs.insert(rel);
            }
            continue;
        }
        let mut data = Hashing {
            inner: &mut entry,
            hasher: hash.then(Sha256::new),
            count: 0,
            error: None,
        };
        let visited = visit(
            &rel,
            Item::File {
                size,
                data: &mut data,
            },
        );
        let drained = io::copy(&mut data, &mut io::sink());
        if let Some(error) = data.error.take() {
            return Err(damaged(Some(name))(error));
        }
        visited?;
        drained.map_err(damaged(Some(name)))?;
        if data.count != size {
            return Err(damaged(Some(name))(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the entry ends after {} of its {size} bytes", data.count),
            )));
        }
        let sha256 = data
            .hasher
            .take()
            .map_or_else(String::new, |h| hex(&h.finalize()));
        files.insert(rel, ArchivedFile { size, sha256 });
    }

    let Some(root) = names.root else {
        return Err(ArchiveError::refused(
            archive,
            None,
            "the archive is empty: it holds no top-level directory",
        ));
    };
    let mut rest = tar.into_inner();
    let consumed = rest.count;
    let trailer = trailing_zeros(&mut rest).map_err(|problem| match problem {
        Trailer::Io(error) => damaged(None)(error),
        Trailer::NonZero => ArchiveError::refused(
            archive,
            None,
            "it holds data after the end-of-archive marker",
        ),
    })?;
    if consumed.saturating_sub(end).saturating_add(trailer) < 1024 {
        return Err(damaged(None)(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the end-of-archive marker is missing",
        )));
    }
    let mut compressed = rest.inner.into_inner();
    let after = compressed.fill_buf().map_err(ArchiveError::io(archive))?;
    if !after.is_empty() {
        return Err(ArchiveError::refused(
            archive,
            None,
            "it holds data after the end of its gzip stream",
        ));
    }
    Ok(ArchiveListing {
        root,
        dirs,
        files,
        small_files: BTreeMap::new(),
        unread,
    })
}

enum Trailer {
    Io(io::Error),
    NonZero,
}

/// Reads the tar stream to its end (which makes the gzip decoder check its CRC and length)
/// and returns how many bytes followed, all of which must be zero.
fn trailing_zeros(reader: &mut impl Read) -> Result<u64, Trailer> {
    let mut buf = [0u8; 8192];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(Trailer::Io(err)),
        };
        if buf[..n].iter().any(|b| *b != 0) {
            return Err(Trailer::NonZero);
        }
        total += n as u64;
    }
}

fn type_name(entry_type: EntryType) -> &'static str {
    match entry_type {
        EntryType::Symlink => "a symbolic link",
        EntryType::Link => "a hard link",
        EntryType::Char => "a character device",
        EntryType::Block => "a block device",
        EntryType::Fifo => "a FIFO",
        EntryType::Continuous => "a contiguous file",
        EntryType::GNUSparse => "a sparse file",
        EntryType::XGlobalHeader => "a pax global header",
        _ => "an entry of an unsupported type",
    }
}

/// Why an entry's path is refused: what `write_archive` never writes, or what would land
/// outside the directory unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum BadPath {
    #[error("the path is absolute")]
    Absolute,
    #[error("a file's path ends in `/`")]
    FileEndsInSlash,
    #[error("the path is empty or has an empty component (`//`)")]
    EmptyComponent,
    #[error("the path has a `.` component")]
    Dot,
    #[error("the path has a `..` component")]
    DotDot,
    #[error("the path holds a NUL byte")]
    Nul,
    #[error("a file outside the archive's top-level directory")]
    OutsideRoot,
    #[error("a second top-level entry {top:?} besides {root:?}: an archive holds one directory")]
    SecondRoot { top: String, root: String },
    #[error("the top-level entry is not a directory")]
    RootNotDirectory,
    #[error("the path appears twice")]
    Duplicate,
    #[error("it lies inside {parent:?}, which is a file")]
    InsideFile { parent: String },
    #[error("the path is both a file and a directory")]
    FileAndDirectory,
}

/// The paths seen so far, to refuse duplicates and a second top-level directory.
#[derive(Default)]
struct Names {
    root: Option<String>,
    /// Every entry's path relative to the root (`""` is the root).
    seen: BTreeSet<String>,
    files: BTreeSet<String>,
    /// Every directory some entry lies in, listed or not.
    parents: BTreeSet<String>,
}

impl Names {
    /// The path relative to the top-level directory, or why the name is refused.
    fn check(&mut self, name: &str, is_dir: bool) -> Result<String, BadPath> {
        if name.starts_with('/') {
            return Err(BadPath::Absolute);
        }
        let trimmed = match name.strip_suffix('/') {
            Some(_) if !is_dir => return Err(BadPath::FileEndsInSlash),
            Some(trimmed) => trimmed,
            None => name,
        };
        let components: Vec<&str> = trimmed.split('/').collect();
        for component in &components {
            match *component {
                "" => return Err(BadPath::EmptyComponent),
                "." => return Err(BadPath::Dot),
                ".." => return Err(BadPath::DotDot),
                c if c.contains('\0') => return Err(BadPath::Nul),
                _ => {}
            }
        }
        let top = components[0];
        match &self.root {
            None if components.len() == 1 && !is_dir => {
                return Err(BadPath::OutsideRoot);
            }
            None => self.root = Some(top.to_owned()),
            Some(root) if root != top => {
                return Err(BadPath::SecondRoot {
                    top: top.to_owned(),
                    root: root.clone(),
                });
            }
            Some(_) => {}
        }
        let rel = components[1..].join("/");
        if rel.is_empty() && !is_dir {
            return Err(BadPath::RootNotDirectory);
        }
        if !self.seen.insert(rel.clone()) {
            return Err(BadPath::Duplicate);
        }
        for (i, _) in rel.match_indices('/') {
            let parent = &rel[..i];
            if self.files.contains(parent) {
                return Err(BadPath::InsideFile {
                    parent: parent.to_owned(),
                });
            }
            self.parents.insert(parent.to_owned());
        }
        if !rel.is_empty() {
            if is_dir {
                self.parents.insert(rel.clone());
            } else if self.parents.contains(&rel) {
                return Err(BadPath::FileAndDirectory);
            } else {
                self.files.insert(rel.clone());
            }
        }
        Ok(rel)
    }
}

/// Counts the decompressed bytes the tar reader consumes.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Hashes an entry's bytes as they stream past, and remembers a read error so it is reported
/// against the archive even when the visitor's own error (naming its output) is returned.
struct Hashing<'a, R> {
    inner: &'a mut R,
    /// None in a pass that only reads headers.
    hasher: Option<Sha256>,
    count: u64,
    error: Option<io::Error>,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                if let Some(hasher) = self.hasher.as_mut() {
                    hasher.update(&buf[..n]);
                }
                self.count += n as u64;
                Ok(n)
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => Err(err),
            Err(err) => {
                let kind = err.kind();
                let message = err.to_string();
                self.error.get_or_insert(err);
                Err(io::Error::new(kind, message))
            }
        }
    }
}
