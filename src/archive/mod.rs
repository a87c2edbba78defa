//! Deterministic `.tar.gz` archives of snapshots and exports.
//!
//! The same directory always gives the same bytes, whatever its files' modification times,
//! permissions and owners, and whatever order the file system lists them in:
//! - one top-level directory named after the archived directory, holding every directory and
//!   regular file below it, sorted by path component by component, bytewise (a directory
//!   comes right before its contents, as with `tar --sort=name`);
//! - GNU tar headers throughout (long paths in `././@LongLink` entries); uid and gid 0, empty
//!   user and group names, mode 0600 for files and 0700 for directories;
//! - every entry's modification time is the time the directory's `manifest.json` records: an
//!   export's `created_at`, else a snapshot's `finished_at`, else 0 (1970-01-01) when there is
//!   no manifest or neither field holds a UTC time as kb4graph writes it;
//! - a gzip header with modification time 0, no file name, OS byte 255 ("unknown"), and
//!   compression level 6. The compressed bytes also depend on the deflate implementation,
//!   which Cargo.lock pins.
//!
//! Symbolic links, special files and names that are not UTF-8 are refused rather than
//! skipped, so an archive never silently differs from its directory. The archive file is
//! written owner-only through a temporary file renamed into place.
//!
//! Reading ([`read_archive`]) takes one pass over the gzip stream, hashes every file as it
//! streams past, and refuses what `write_archive` never writes: absolute paths, `..`, more
//! than one top-level directory, links, devices, duplicate paths, data after the end of the
//! archive, and damaged or truncated gzip or tar data. Unpacking ([`extract_archive`]) takes
//! two: headers and manifests first, then only what the manifests list, at the sizes they list
//! (see [`Bounds`]), so a hostile archive cannot fill the disk.

mod bounds;
mod error;
mod mtime;
mod read;
mod stale;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub use bounds::Bounds;
pub use error::ArchiveError;
pub use read::{
    check_headers, default_keep, extract_archive, read_archive, read_archive_with, read_within,
    survey,
};
pub use write::write_archive;

const FILE_MODE: u32 = 0o600;
const DIR_MODE: u32 = 0o700;
const GZIP_LEVEL: u32 = 6;
/// "Unknown" in RFC 1952, whatever system wrote the archive.
const GZIP_OS: u8 = 255;

/// What [`write_archive`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSummary {
    /// The archive file.
    pub path: PathBuf,
    /// Regular files archived (directories not counted).
    pub files: u64,
    /// Size of the archive file in bytes.
    pub bytes: u64,
    /// SHA-256 of the archive file, lowercase hex.
    pub sha256: String,
}

/// One regular file in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedFile {
    pub size: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// What an archive holds. Paths are relative to its top-level directory, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveListing {
    /// The name of the top-level directory.
    pub root: String,
    /// Every directory below the top-level one that has its own entry.
    pub dirs: BTreeSet<String>,
    pub files: BTreeMap<String, ArchivedFile>,
    /// The bytes of the files the caller asked to keep (see [`default_keep`]).
    pub small_files: BTreeMap<String, Vec<u8>>,
    /// Files a bounded pass ([`read_within`]) did not read: outside what the manifests list.
    pub unread: BTreeMap<String, UnreadEntry>,
}

/// A file left unread because its header disagrees with the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadEntry {
    /// As its header gives it.
    pub size: u64,
    pub reason: String,
}
