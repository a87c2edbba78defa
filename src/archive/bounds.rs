//! What an archive may unpack: the files its manifests list, at the sizes they list.
//!
//! An archive's `manifest.json` does not come first (entries are sorted by name, so
//! `json/graph.json` precedes it), so reading is two passes over the gzip stream: a first pass
//! reads only headers and keeps the manifests' bytes (bounded), writing nothing; the bounds
//! below are derived from those manifests; every header is checked against them; then the
//! second pass reads or unpacks each entry only after checking its header again (the file may
//! have changed in between). Disk use is then at most the manifests' total, memory at most the
//! kept manifests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::ArchiveListing;
use super::error::ArchiveError;
use crate::accounts::LISTING;
use crate::export::{MANIFEST_FILE, SUMS_FILE};

/// A manifest or checksum list larger than this is not read (and not unpacked).
pub(crate) const MAX_MANIFEST: u64 = 64 << 20;
/// Manifests kept in memory during the first pass, all together.
pub(crate) const MAX_MANIFESTS_TOTAL: u64 = 2 * MAX_MANIFEST;
/// Directory entries that hold no listed file (an empty directory is archived as such).
const MAX_EMPTY_DIRS: u64 = 1024;

/// Where an archive's manifests are, as `verify` reads them: at the top and in its immediate
/// subdirectories (an export's `snapshot/`), a multi-account directory's listing in their
/// place, and the manifests of its accounts one level below it.
pub(crate) fn is_manifest(rel: &str) -> bool {
    let depth = rel.matches('/').count();
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match depth {
        0 | 1 => name == MANIFEST_FILE || name == LISTING,
        2 => name == MANIFEST_FILE,
        _ => false,
    }
}

/// Why an entry is refused by its header, before its data is read or unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OutOfBounds {
    #[error("it is not listed in the archive's {MANIFEST_FILE}: refused before unpacking it")]
    Unlisted,
    #[error(
        "its header gives {size} bytes, the manifest lists {listed}: refused before reading it"
    )]
    SizeDiffers { size: u64, listed: u64 },
    #[error(
        "its header gives {size} bytes, more than the {} MiB kb4graph reads: refused before reading it",
        cap >> 20
    )]
    TooLarge { size: u64, cap: u64 },
    #[error("more than {MAX_EMPTY_DIRS} directories that hold no listed file: refused")]
    TooManyEmptyDirs,
    #[error(
        "the files up to this one hold {unpacked} bytes, more than the {listed} the manifests list: refused before reading it"
    )]
    MoreThanListed { unpacked: u64, listed: u64 },
}

/// Why a manifest lists nothing an archive may unpack.
#[derive(Debug, thiserror::Error)]
enum UnusableManifest {
    #[error("is not JSON ({0})")]
    NotJson(serde_json::Error),
    #[error("has no `files` list")]
    NoFiles,
    #[error("files[{index}] lacks a path or size")]
    Incomplete { index: usize },
}

/// The entries an archive may hold and the size of each.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    /// Listed files, the manifests themselves and checksum lists: path -> (size, exact).
    files: BTreeMap<String, (u64, bool)>,
    /// Every directory a listed file lies in.
    dirs: BTreeSet<String>,
    total: u64,
}

impl Bounds {
    /// The bounds the manifests kept by a first pass give (`listing.small_files`). The top
    /// `manifest.json` must be there and list its files; a subdirectory's manifest that does
    /// not parse lists nothing.
    pub(crate) fn of(archive: &Path, listing: &ArchiveListing) -> Result<Bounds, ArchiveError> {
        let refused = |problem: String| ArchiveError::refused(archive, None, problem);
        let mut bounds = Bounds::default();
        if !listing.small_files.contains_key(MANIFEST_FILE)
            && let Some(accounts) = listing.small_files.get(LISTING)
        {
            // Several accounts: each account's directory is bounded by its own manifest.
            bounds.add_file(LISTING.to_owned(), accounts.len() as u64, true);
            bounds.add_nested(listing);
            return Ok(bounds);
        }
        let Some(top) = listing.small_files.get(MANIFEST_FILE) else {
            return Err(refused(format!(
                "it holds no {MANIFEST_FILE} of at most {} MiB at its top, so its entries cannot be \
                 checked before unpacking: give an archive made by `kb4graph archive`",
                MAX_MANIFEST >> 20
            )));
        };
        bounds
            .add_manifest("", top)
            .map_err(|why| refused(format!("{MANIFEST_FILE} {why}: nothing is unpacked")))?;
        bounds.add_nested(listing);
        Ok(bounds)
    }

    /// The files the manifests of immediate subdirectories list; for a subdirectory that lists
    /// accounts, its listing and the files its accounts' manifests list.
    fn add_nested(&mut self, listing: &ArchiveListing) {
        let lists_accounts = |dir: &str| {
            dir.is_empty()
                || listing
                    .small_files
                    .contains_key(&format!("{dir}/{LISTING}"))
        };
        for (rel, bytes) in &listing.small_files {
            let Some((dir, name)) = rel.rsplit_once('/') else {
                continue;
            };
            if !is_manifest(rel) {
                continue;
            }
            if name == LISTING {
                self.add_file(rel.clone(), bytes.len() as u64, true);
                continue;
            }
            let parent = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
            if dir.contains('/') && !lists_accounts(parent) {
                continue;
            }
            // A damaged nested manifest leaves its files unlisted: they are refused.
            let _ = self.add_manifest(dir, bytes);
        }
    }

    fn add_file(&mut self, path: String, size: u64, exact: bool) {
        if self.files.contains_key(&path) {
            return;
        }
        for (i, _) in path.match_indices('/') {
            self.dirs.insert(path[..i].to_owned());
        }
        self.total = self.total.saturating_add(size);
        self.files.insert(path, (size, exact));
    }

    fn add_manifest(&mut self, dir: &str, bytes: &[u8]) -> Result<(), UnusableManifest> {
        let at = |name: &str| {
            if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            }
        };
        let value: Value = serde_json::from_slice(bytes).map_err(UnusableManifest::NotJson)?;
        let files = value
            .get("files")
            .and_then(Value::as_array)
            .ok_or(UnusableManifest::NoFiles)?;
        let mut listed = Vec::with_capacity(files.len() + 2);
        for (i, f) in files.iter().enumerate() {
            let path = f.get("path").and_then(Value::as_str);
            let size = f.get("size").and_then(Value::as_u64);
            let (Some(path), Some(size)) = (path, size) else {
                return Err(UnusableManifest::Incomplete { index: i });
            };
            listed.push((at(path), size, true));
        }
        listed.push((at(MANIFEST_FILE), bytes.len() as u64, true));
        listed.push((at(SUMS_FILE), MAX_MANIFEST, false));
        for (path, size, exact) in listed {
            self.add_file(path, size, exact);
        }
        Ok(())
    }

    /// Why a file entry of `size` bytes at `rel` must not be read, if it must not.
    pub(crate) fn check_file(&self, rel: &str, size: u64) -> Result<(), OutOfBounds> {
        match self.files.get(rel) {
            None => Err(OutOfBounds::Unlisted),
            Some(&(listed, true)) if listed != size => {
                Err(OutOfBounds::SizeDiffers { size, listed })
            }
            Some(&(cap, false)) if size > cap => Err(OutOfBounds::TooLarge { size, cap }),
            Some(_) => Ok(()),
        }
    }

    /// Whether a directory entry may be created; `empty` counts those holding no listed file.
    pub(crate) fn check_dir(&self, rel: &str, empty: &mut u64) -> Result<(), OutOfBounds> {
        if rel.is_empty() || self.dirs.contains(rel) {
            return Ok(());
        }
        *empty += 1;
        if *empty > MAX_EMPTY_DIRS {
            return Err(OutOfBounds::TooManyEmptyDirs);
        }
        Ok(())
    }

    /// The most bytes the listed files may hold together.
    pub fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(manifests: &[(&str, &str)]) -> ArchiveListing {
        ArchiveListing {
            root: "x".into(),
            dirs: BTreeSet::new(),
            files: BTreeMap::new(),
            small_files: manifests
                .iter()
                .map(|(p, b)| ((*p).to_owned(), b.as_bytes().to_vec()))
                .collect(),
            unread: BTreeMap::new(),
        }
    }

    #[test]
    fn listed_files_at_their_sizes_only() {
        let top = r#"{"files":[{"path":"json/graph.json","size":10,"sha256":"x"}]}"#;
        let nested = r#"{"files":[{"path":"raw/a.json","size":3}]}"#;
        let l = listing(&[("manifest.json", top), ("snapshot/manifest.json", nested)]);
        let b = Bounds::of(Path::new("a.tar.gz"), &l).unwrap();
        assert!(b.check_file("json/graph.json", 10).is_ok());
        let err = b.check_file("json/graph.json", 3 << 30).unwrap_err();
        assert_eq!(
            err,
            OutOfBounds::SizeDiffers {
                size: 3 << 30,
                listed: 10
            }
        );
        assert!(err.to_string().contains("manifest lists 10"), "{err}");
        assert_eq!(
            b.check_file("json/other.json", 1),
            Err(OutOfBounds::Unlisted)
        );
        assert!(b.check_file("snapshot/raw/a.json", 3).is_ok());
        assert!(b.check_file("manifest.json", top.len() as u64).is_ok());
        assert!(b.check_file("SHA256SUMS", 100).is_ok());
        assert!(matches!(
            b.check_file("SHA256SUMS", MAX_MANIFEST + 1),
            Err(OutOfBounds::TooLarge { .. })
        ));
        let mut empty = 0;
        assert!(b.check_dir("snapshot/raw", &mut empty).is_ok());
        assert_eq!(empty, 0);
        assert!(b.check_dir("elsewhere", &mut empty).is_ok());
        assert_eq!(empty, 1);
    }

    #[test]
    fn no_usable_top_manifest_unpacks_nothing() {
        for l in [listing(&[]), listing(&[("manifest.json", "{}")])] {
            let err = Bounds::of(Path::new("a.tar.gz"), &l).unwrap_err();
            assert!(err.to_string().contains("manifest.json"), "{err}");
        }
    }
}
