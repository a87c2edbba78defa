//! The files of a directory or archive: path, size and SHA-256 of each, plus the bytes of the
//! manifests and checksum lists, which `verify` reads.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::{Problem, VerifyError, manifest};

/// One file as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub size: u64,
    pub sha256: String,
}

/// Every regular file under a root, by path relative to it (with `/`).
#[derive(Debug, Default)]
pub struct Listing {
    /// The archive's top directory; empty for a directory.
    pub root: String,
    pub files: BTreeMap<String, FileInfo>,
    /// Contents of every `manifest.json` and `SHA256SUMS`.
    pub small: BTreeMap<String, Vec<u8>>,
    /// Entries that are not regular files (links, devices) or have unusable names.
    pub problems: Vec<Problem>,
}

/// Manifests and checksum lists larger than this are not read into memory.
const MAX_KEPT: u64 = 64 << 20;
/// Nor more than this of them from one archive.
const MAX_KEPT_TOTAL: u64 = 4 * MAX_KEPT;

fn keeps_bytes(path: &str, size: u64) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name == manifest::MANIFEST_FILE
        || name == manifest::SUMS_FILE
        || name == crate::accounts::LISTING)
        && size <= MAX_KEPT
}

/// [`keeps_bytes`], holding no more than [`MAX_KEPT_TOTAL`] in all.
fn keeps_bytes_bounded() -> impl FnMut(&str, u64) -> bool {
    let mut kept = 0u64;
    move |path, size| {
        let keep = keeps_bytes(path, size) && kept.saturating_add(size) <= MAX_KEPT_TOTAL;
        if keep {
            kept += size;
        }
        keep
    }
}

impl Listing {
    pub fn of_dir(root: &Path) -> Result<Listing, VerifyError> {
        let mut listing = Listing::default();
        walk(root, root, &mut listing)?;
        Ok(listing)
    }

    /// An archive listed in one pass that writes nothing.
    pub fn of_archive(path: &Path) -> Result<Listing, VerifyError> {
        let archive = crate::archive::read_archive_with(path, keeps_bytes_bounded())?;
        Ok(Listing::from(archive))
    }

    /// An archive listed within what its manifests list (see [`crate::archive::Bounds`]),
    /// unpacked into `into` when given. An entry out of bounds is not read: it is listed with
    /// its header's size and a hash saying why, so that the file checks name it.
    pub fn of_archive_within(
        path: &Path,
        bounds: &crate::archive::Bounds,
        into: Option<&Path>,
    ) -> Result<Listing, VerifyError> {
        let archive = crate::archive::read_within(path, bounds, keeps_bytes_bounded(), into)?;
        Ok(Listing::from(archive))
    }

    fn from(mut archive: crate::archive::ArchiveListing) -> Listing {
        for (path, unread) in std::mem::take(&mut archive.unread) {
            archive.files.insert(
                path,
                crate::archive::ArchivedFile {
                    size: unread.size,
                    sha256: format!("(not read: {})", unread.reason),
                },
            );
        }
        let mut listing = Listing {
            root: archive.root,
            ..Listing::default()
        };
        for (path, entry) in archive.files {
            listing.files.insert(
                path,
                FileInfo {
                    size: entry.size,
                    sha256: entry.sha256,
                },
            );
        }
        listing.small = archive.small_files;
        listing
    }

    /// Whether any manifest here is an export's.
    pub fn has_export(&self) -> bool {
        self.small
            .iter()
            .filter(|(p, _)| p.rsplit('/').next() == Some(manifest::MANIFEST_FILE))
            .any(|(_, bytes)| manifest::parse(bytes).kind == manifest::Kind::Export)
    }

    /// The files under `prefix` (`.` for all), with paths relative to it.
    pub fn scoped(&self, prefix: &str) -> Scoped<'_> {
        let strip = if prefix == "." {
            String::new()
        } else {
            format!("{prefix}/")
        };
        Scoped {
            listing: self,
            strip,
        }
    }
}

/// A view of a listing below one directory.
pub struct Scoped<'a> {
    listing: &'a Listing,
    strip: String,
}

impl<'a> Scoped<'a> {
    pub fn files(&self) -> impl Iterator<Item = (&'a str, &'a FileInfo)> + '_ {
        self.listing
            .files
            .iter()
            .filter_map(|(p, f)| p.strip_prefix(self.strip.as_str()).map(|p| (p, f)))
    }

    pub fn small_file(&self, relative: &str) -> Option<&'a [u8]> {
        self.listing
            .small
            .get(&format!("{}{relative}", self.strip))
            .map(Vec::as_slice)
    }

    /// Problems found while listing, below this directory.
    pub fn problems(&self) -> impl Iterator<Item = Problem> + '_ {
        self.listing.problems.iter().filter_map(|p| {
            p.file.strip_prefix(self.strip.as_str()).map(|f| Problem {
                file: f.to_owned(),
                message: p.message.clone(),
            })
        })
    }

    /// Immediate subdirectories with a manifest of their own, or with the listing of a
    /// multi-account directory (a combined export's `snapshot/`).
    pub fn subdirs_with_manifest(&self) -> Vec<String> {
        let manifest = format!("/{}", manifest::MANIFEST_FILE);
        let listing = format!("/{}", crate::accounts::LISTING);
        let mut dirs: Vec<String> = self
            .files()
            .filter_map(|(p, _)| {
                p.strip_suffix(&manifest)
                    .or_else(|| p.strip_suffix(&listing))
            })
            .filter(|dir| !dir.contains('/'))
            .map(str::to_owned)
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }
}

fn walk(root: &Path, dir: &Path, listing: &mut Listing) -> Result<(), VerifyError> {
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| VerifyError::Io { path, source }
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_str()
            .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"));
        let Some(relative) = relative else {
            listing.problems.push(Problem {
                file: path.display().to_string(),
                message: "file name is not UTF-8: not written by kb4graph".into(),
            });
            continue;
        };
        let kind = entry.file_type().map_err(io_err(&path))?;
        if kind.is_dir() {
            walk(root, &path, listing)?;
        } else if kind.is_file() {
            let size = entry.metadata().map_err(io_err(&path))?.len();
            let (info, bytes) =
                hash_file(&path, keeps_bytes(&relative, size)).map_err(io_err(&path))?;
            if let Some(bytes) = bytes {
                listing.small.insert(relative.clone(), bytes);
            }
            listing.files.insert(relative, info);
        } else {
            listing.problems.push(Problem {
                file: relative,
                message: "not a regular file (a link or device): not written by kb4graph".into(),
            });
        }
    }
    Ok(())
}

/// Size and SHA-256 in one streaming pass; the bytes too when asked for.
fn hash_file(path: &Path, keep: bool) -> io::Result<(FileInfo, Option<Vec<u8>>)> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut kept = keep.then(Vec::new);
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(kept) = kept.as_mut() {
            kept.extend_from_slice(&buf[..n]);
        }
        size += n as u64;
    }
    Ok((
        FileInfo {
            size,
            sha256: crate::files::hex(&hasher.finalize()),
        },
        kept,
    ))
}
