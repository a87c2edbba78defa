//! Reading an archive in one pass over its gzip stream: listing it (sizes and SHA-256 of every
//! file) or extracting it. Anything a `write_archive` archive cannot hold is refused, so a
//! hostile archive can neither write outside the extraction directory nor show a reader
//! something other than what extraction would give.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;
use sha2::{Digest, Sha256};
use tar::EntryType;

use super::error::ArchiveError;
use super::{ArchiveListing, ArchivedFile, DIR_MODE, FILE_MODE};
use crate::files::{TEMP_PREFIX, create_private_dir, hex, make_private, sync_dir};

/// `manifest.json` and `SHA256SUMS` larger than this are not kept by [`default_keep`].
const MAX_KEPT_MANIFEST: u64 = 64 << 20;
/// Other `*.json` files are kept by [`default_keep`] when smaller than this.
const MAX_KEPT_JSON: u64 = 1 << 20;

/// What [`read_archive`] keeps the bytes of: `manifest.json` and `SHA256SUMS` at the top (up
/// to 64 MiB), and any `*.json` file under 1 MiB. `path` is relative to the top-level
/// directory.
pub fn default_keep(path: &str, size: u64) -> bool {
    match path {
        "manifest.json" | "SHA256SUMS" => size <= MAX_KEPT_MANIFEST,
        _ => path.ends_with(".json") && size < MAX_KEPT_JSON,
    }
}

/// Lists the archive at `path`, keeping the bytes of the files [`default_keep`] selects.
pub fn read_archive(path: &Path) -> Result<ArchiveListing, ArchiveError> {
    read_archive_with(path, default_keep)
}

/// Lists the archive at `path`, keeping the bytes of each file for which `keep(relative_path,
/// size)` is true (in `small_files`). Every file is hashed whether kept or not.
pub fn read_archive_with(
    path: &Path,
    mut keep: impl FnMut(&str, u64) -> bool,
) -> Result<ArchiveListing, ArchiveError> {
    let mut small_files = BTreeMap::new();
    let mut listing = scan(path, |rel, item| {
        if let Item::File { size, data } = item
            && keep(rel, size)
        {
            let mut bytes =
                Vec::with_capacity(usize::try_from(size.min(MAX_KEPT_JSON)).unwrap_or(0));
            // A read error is reported by `scan`, which knows it came from the archive.
            let _ = data.read_to_end(&mut bytes);
            small_files.insert(rel.to_owned(), bytes);
        }
        Ok(())
    })?;
    listing.small_files = small_files;
    Ok(listing)
}

/// Extracts the archive at `path` into `into_dir`, which must not exist and takes the place of
/// the archived directory (the archive's top-level directory is not repeated inside it).
/// Directories are created 0700 and files 0600. The archive is extracted into a temporary
/// directory beside `into_dir` and renamed into place at the end, so a refused or damaged
/// archive leaves nothing behind. Returns the listing without `small_files`.
pub fn extract_archive(path: &Path, into_dir: &Path) -> Result<ArchiveListing, ArchiveError> {
    match fs::symlink_metadata(into_dir) {
        Ok(_) => {
            return Err(ArchiveError::OutputExists {
                path: into_dir.to_owned(),
            });
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(ArchiveError::io(into_dir)(err)),
    }
    let parent = match into_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempdir_in(parent)
        .map_err(ArchiveError::io(parent))?;
    make_private(tmp.path(), DIR_MODE).map_err(ArchiveError::io(tmp.path()))?;
    let base = tmp.path().to_owned();
    let listing = scan(path, |rel, item| {
        let target = if rel.is_empty() {
            base.clone()
        } else {
            base.join(rel)
        };
        match item {
            Item::Dir => create_private_dir(&target).map_err(ArchiveError::io(&target)),
            Item::File { data, .. } => {
                if let Some(dir) = target.parent() {
                    create_private_dir(dir).map_err(ArchiveError::io(dir))?;
                }
                let mut file = create_new_private(&target).map_err(ArchiveError::io(&target))?;
                io::copy(data, &mut file).map_err(ArchiveError::io(&target))?;
                Ok(())
            }
        }
    })?;
    // Dropping `tmp` on any error above removes the partial extraction.
    let kept = tmp.keep();
    if let Err(err) = fs::rename(&kept, into_dir) {
        let _ = fs::remove_dir_all(&kept);
        return Err(ArchiveError::io(into_dir)(err));
    }
    sync_dir(parent).map_err(ArchiveError::io(parent))?;
    Ok(listing)
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

/// Walks the archive once, checking every entry, and calls `visit` with each one's path
/// relative to the top-level directory (`""` for that directory itself).
fn scan(
    archive: &Path,
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

        if is_dir {
            visit(&rel, Item::Dir)?;
            if !rel.is_empty() {
                dirs.insert(rel);
            }
            continue;
        }
        let mut data = Hashing {
            inner: &mut entry,
            hasher: Sha256::new(),
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
        let sha256 = hex(&data.hasher.finalize());
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
    fn check(&mut self, name: &str, is_dir: bool) -> Result<String, String> {
        if name.starts_with('/') {
            return Err("the path is absolute".into());
        }
        let trimmed = match name.strip_suffix('/') {
            Some(_) if !is_dir => return Err("a file's path ends in `/`".into()),
            Some(trimmed) => trimmed,
            None => name,
        };
        let components: Vec<&str> = trimmed.split('/').collect();
        for component in &components {
            match *component {
                "" => return Err("the path is empty or has an empty component (`//`)".into()),
                "." => return Err("the path has a `.` component".into()),
                ".." => return Err("the path has a `..` component".into()),
                c if c.contains('\0') => return Err("the path holds a NUL byte".into()),
                _ => {}
            }
        }
        let top = components[0];
        match &self.root {
            None if components.len() == 1 && !is_dir => {
                return Err("a file outside the archive's top-level directory".into());
            }
            None => self.root = Some(top.to_owned()),
            Some(root) if root != top => {
                return Err(format!(
                    "a second top-level entry {top:?} besides {root:?}: an archive holds one directory"
                ));
            }
            Some(_) => {}
        }
        let rel = components[1..].join("/");
        if rel.is_empty() && !is_dir {
            return Err("the top-level entry is not a directory".into());
        }
        if !self.seen.insert(rel.clone()) {
            return Err("the path appears twice".into());
        }
        for (i, _) in rel.match_indices('/') {
            let parent = &rel[..i];
            if self.files.contains(parent) {
                return Err(format!("it lies inside {parent:?}, which is a file"));
            }
            self.parents.insert(parent.to_owned());
        }
        if !rel.is_empty() {
            if is_dir {
                self.parents.insert(rel.clone());
            } else if self.parents.contains(&rel) {
                return Err("the path is both a file and a directory".into());
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
    hasher: Sha256,
    count: u64,
    error: Option<io::Error>,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.hasher.update(&buf[..n]);
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
