//! Writing a directory as a deterministic `.tar.gz`.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};
use tar::{EntryType, Header};

use super::error::ArchiveError;
use super::mtime::manifest_mtime;
use super::{ArchiveSummary, DIR_MODE, FILE_MODE, GZIP_LEVEL, GZIP_OS};
use crate::files::{hex, sync_dir};

/// Archives `dir` into a new file `out` (see the module docs for what makes the bytes
/// deterministic). `out` must not exist and must lie outside `dir`; it appears complete or not
/// at all, owner-only.
pub fn write_archive(dir: &Path, out: &Path) -> Result<ArchiveSummary, ArchiveError> {
    let meta = fs::metadata(dir).map_err(ArchiveError::io(dir))?;
    if !meta.is_dir() {
        return Err(ArchiveError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    let dir_canon = fs::canonicalize(dir).map_err(ArchiveError::io(dir))?;
    // The name as given (`snapshots/2024-06-30`), or the real one when the path ends in `.`
    // or `..`.
    let root = match dir.file_name().or(dir_canon.file_name()) {
        Some(name) => name.to_str().ok_or_else(|| ArchiveError::NonUtf8Path {
            path: dir.to_owned(),
        })?,
        None => {
            return Err(ArchiveError::Io {
                path: dir.to_owned(),
                error: io::Error::other(
                    "has no name to give the archive's top-level directory: archive a named directory",
                ),
            });
        }
    };

    match fs::symlink_metadata(out) {
        Ok(_) => {
            return Err(ArchiveError::OutputExists {
                path: out.to_owned(),
            });
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(ArchiveError::io(out)(err)),
    }
    if out.file_name().is_none() {
        return Err(ArchiveError::Io {
            path: out.to_owned(),
            error: io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a file name: give the archive's file name, e.g. snapshot.tar.gz",
            ),
        });
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent_canon = fs::canonicalize(parent).map_err(ArchiveError::io(parent))?;
    if parent_canon.starts_with(&dir_canon) {
        return Err(ArchiveError::OutputInsideDir {
            out: out.to_owned(),
            dir: dir.to_owned(),
        });
    }

    let items = collect(dir)?;
    let mtime = manifest_mtime(dir);

    // Leftovers of a killed `archive` into the same directory.
    match super::stale::clean(parent) {
        Ok(stale) => super::stale::report(&stale),
        Err(err) => {
            tracing::warn!(dir = %parent.display(), "cannot look for leftover temporary archive files: {err}")
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix(&super::stale::prefix())
        .suffix(super::stale::SUFFIX)
        .tempfile_in(parent)
        .map_err(ArchiveError::io(parent))?;
    crate::files::make_private(tmp.path(), FILE_MODE).map_err(ArchiveError::io(tmp.path()))?;
    let written = write_entries(tmp.as_file(), root, &items, mtime, out)?;
    tmp.as_file().sync_all().map_err(ArchiveError::io(out))?;
    // No-clobber: an `out` created by someone else meanwhile is never replaced. On failure
    // the temporary file is removed when `tmp` drops.
    match tmp.persist_noclobber(out) {
        Ok(_) => {}
        Err(err) if err.error.kind() == io::ErrorKind::AlreadyExists => {
            return Err(ArchiveError::OutputExists {
                path: out.to_owned(),
            });
        }
        Err(err) => return Err(ArchiveError::io(out)(err.error)),
    }
    sync_dir(parent).map_err(ArchiveError::io(parent))?;

    Ok(ArchiveSummary {
        path: out.to_owned(),
        files: written.files,
        bytes: written.bytes,
        sha256: written.sha256,
    })
}

#[derive(Debug)]
enum Kind {
    Dir,
    File,
}

/// One directory or file under the archived directory.
#[derive(Debug)]
struct Item {
    /// Components below the archived directory; sorted on these, so a directory comes right
    /// before its contents, as with `tar --sort=name`.
    components: Vec<String>,
    source: PathBuf,
    kind: Kind,
}

/// Every directory and regular file below `dir`, sorted; anything else is refused.
fn collect(dir: &Path) -> Result<Vec<Item>, ArchiveError> {
    let mut items = Vec::new();
    let mut pending = vec![(dir.to_owned(), Vec::<String>::new())];
    while let Some((path, components)) = pending.pop() {
        for entry in fs::read_dir(&path).map_err(ArchiveError::io(&path))? {
            let entry = entry.map_err(ArchiveError::io(&path))?;
            let source = entry.path();
            let name = entry
                .file_name()
                .into_string()
                .map_err(|_| ArchiveError::NonUtf8Path {
                    path: source.clone(),
                })?;
            let file_type = entry.file_type().map_err(ArchiveError::io(&source))?;
            let mut child = components.clone();
            child.push(name);
            if file_type.is_symlink() {
                return Err(ArchiveError::Symlink { path: source });
            } else if file_type.is_dir() {
                pending.push((source.clone(), child.clone()));
                items.push(Item {
                    components: child,
                    source,
                    kind: Kind::Dir,
                });
            } else if file_type.is_file() {
                items.push(Item {
                    components: child,
                    source,
                    kind: Kind::File,
                });
            } else {
                return Err(ArchiveError::SpecialFile { path: source });
            }
        }
    }
    items.sort_by(|a, b| a.components.cmp(&b.components));
    Ok(items)
}

struct Written {
    files: u64,
    bytes: u64,
    sha256: String,
}

fn write_entries(
    file: &fs::File,
    root: &str,
    items: &[Item],
    mtime: u64,
    out: &Path,
) -> Result<Written, ArchiveError> {
    let out_err = ArchiveError::io;
    let gz = GzBuilder::new().mtime(0).operating_system(GZIP_OS).write(
        HashingWriter::new(BufWriter::new(file)),
        Compression::new(GZIP_LEVEL),
    );
    let mut builder = tar::Builder::new(gz);

    let mut header = entry_header(EntryType::Directory, 0, mtime);
    builder
        .append_data(&mut header, format!("{root}/"), io::empty())
        .map_err(out_err(out))?;
    let mut files = 0u64;
    for item in items {
        let mut name = format!("{root}/{}", item.components.join("/"));
        match item.kind {
            Kind::Dir => {
                name.push('/');
                let mut header = entry_header(EntryType::Directory, 0, mtime);
                builder
                    .append_data(&mut header, name, io::empty())
                    .map_err(out_err(out))?;
            }
            Kind::File => {
                append_file(&mut builder, item, name, mtime, out)?;
                files += 1;
            }
        }
    }

    let gz = builder.into_inner().map_err(out_err(out))?;
    let hashing = gz.finish().map_err(out_err(out))?;
    let (buffered, bytes, digest) = hashing.finish();
    buffered
        .into_inner()
        .map_err(|err| ArchiveError::io(out)(err.into_error()))?;
    Ok(Written {
        files,
        bytes,
        sha256: digest,
    })
}

fn append_file<W: Write>(
    builder: &mut tar::Builder<W>,
    item: &Item,
    name: String,
    mtime: u64,
    out: &Path,
) -> Result<(), ArchiveError> {
    let source = &item.source;
    let file = fs::File::open(source).map_err(ArchiveError::io(source))?;
    let meta = file.metadata().map_err(ArchiveError::io(source))?;
    if !meta.is_file() {
        return Err(ArchiveError::ChangedWhileArchiving {
            path: source.clone(),
        });
    }
    let size = meta.len();
    let mut reader = ExactReader {
        inner: file,
        remaining: size,
        short: false,
        read_error: false,
    };
    let mut header = entry_header(EntryType::Regular, size, mtime);
    if let Err(err) = builder.append_data(&mut header, name, &mut reader) {
        return Err(if reader.short {
            ArchiveError::ChangedWhileArchiving {
                path: source.clone(),
            }
        } else if reader.read_error {
            ArchiveError::io(source)(err)
        } else {
            ArchiveError::io(out)(err)
        });
    }
    // A file that grew after its size went into the header.
    let mut probe = [0u8; 1];
    match reader.inner.read(&mut probe) {
        Ok(0) => Ok(()),
        Ok(_) => Err(ArchiveError::ChangedWhileArchiving {
            path: source.clone(),
        }),
        Err(err) => Err(ArchiveError::io(source)(err)),
    }
}

/// The only per-entry facts that vary are the entry's type, path and size.
fn entry_header(kind: EntryType, size: u64, mtime: u64) -> Header {
    // GNU headers: long paths go in `././@LongLink` entries, which GNU tar, bsdtar and
    // Python's tarfile all read. User and group names stay empty (zeroed).
    let mut header = Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(if kind == EntryType::Directory {
        DIR_MODE
    } else {
        FILE_MODE
    });
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    header
}

/// Yields exactly `remaining` bytes of `inner`, failing rather than ending early, so the data
/// always matches the size already written in the entry's header.
struct ExactReader {
    inner: fs::File,
    remaining: u64,
    short: bool,
    read_error: bool,
}

impl Read for ExactReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => return Err(err),
            Err(err) => {
                self.read_error = true;
                return Err(err);
            }
        };
        if n == 0 {
            self.short = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while it was being archived",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Hashes and counts the archive's bytes on their way to the file, so the summary needs no
/// second read.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    fn finish(self) -> (W, u64, String) {
        (self.inner, self.count, hex(&self.hasher.finalize()))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
