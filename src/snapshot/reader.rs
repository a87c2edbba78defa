//! Reads a snapshot back, page by page, checking each page against the manifest.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::{PageProblem, SnapshotError};
use super::layout::{self, MANIFEST_FILE};
use super::manifest::{CollectionEntry, CollectionKind, Manifest, ManifestProblem, PageEntry};
use crate::files::{open_regular_inside, read_expected, sha256_hex};

/// An opened snapshot. Holds only the manifest; pages are read when iterated.
#[derive(Debug, Clone)]
pub struct Snapshot {
    root: PathBuf,
    manifest: Manifest,
    /// Of the `manifest.json` bytes read.
    manifest_sha256: String,
}

/// Which page a body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRef<'a> {
    pub collection: &'a str,
    pub page: u32,
    /// Relative to the snapshot root.
    pub file: &'a str,
}

/// Where one record sits: enough for a warning to point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub collection: &'a str,
    pub page: u32,
    pub file: &'a str,
    /// Position in the page's array (0 for an object page).
    pub index: usize,
}

impl std::fmt::Display for RecordRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.file, self.index)
    }
}

pub(crate) fn read_manifest(root: &Path) -> Result<Manifest, SnapshotError> {
    read_manifest_hashed(root).map(|(manifest, _)| manifest)
}

/// The manifest and the SHA-256 of its bytes.
fn read_manifest_hashed(root: &Path) -> Result<(Manifest, String), SnapshotError> {
    let path = root.join(MANIFEST_FILE);
    let bytes = match read_manifest_bytes(root) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Err(SnapshotError::NoManifest {
                dir: root.to_owned(),
            });
        }
        Err(err) => return Err(SnapshotError::io(&path)(err)),
    };
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|error| SnapshotError::ManifestJson {
            path: path.clone(),
            error,
        })?;
    manifest
        .check()
        .map_err(|problem| SnapshotError::ManifestInvalid { path, problem })?;
    Ok((manifest, sha256_hex(&bytes)))
}

/// A manifest lists every page, a few hundred bytes each: a large account's is some MiB. Past
/// this, the file is not a manifest kb4graph wrote.
const MANIFEST_MAX_BYTES: u64 = 1 << 30;

fn read_manifest_bytes(root: &Path) -> io::Result<Vec<u8>> {
    let file = open_regular_inside(root, MANIFEST_FILE)?;
    let bytes = read_expected(file, MANIFEST_MAX_BYTES)?;
    if bytes.len() as u64 > MANIFEST_MAX_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {MANIFEST_MAX_BYTES} bytes: not a manifest kb4graph wrote"),
        ));
    }
    Ok(bytes)
}

/// Reads a file the manifest lists, checking its size and SHA-256: the problem if it is missing,
/// not a regular file inside the snapshot, or different.
fn read_listed(
    root: &Path,
    relative: &str,
    size: u64,
    sha256: &str,
) -> Result<Vec<u8>, PageProblem> {
    let file = open_regular_inside(root, relative).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => PageProblem::Missing,
        _ => PageProblem::Io(e),
    })?;
    let on_disk = file.metadata().map_err(PageProblem::Io)?.len();
    if on_disk != size {
        return Err(PageProblem::Size { on_disk, size });
    }
    let bytes = read_expected(file, size).map_err(PageProblem::Io)?;
    if bytes.len() as u64 != size {
        return Err(PageProblem::Changed {
            read: bytes.len() as u64,
            size,
        });
    }
    if sha256_hex(&bytes) != sha256 {
        return Err(PageProblem::Sha256);
    }
    Ok(bytes)
}

/// A problem found by [`Snapshot::verify`].
#[derive(Debug)]
pub struct VerifyProblem {
    pub file: String,
    pub problem: SnapshotProblem,
}

/// What [`Snapshot::verify`] finds wrong with a file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotProblem {
    #[error("the file list does not match the collections' pages")]
    FileList,
    #[error(transparent)]
    File(PageProblem),
}

impl std::fmt::Display for VerifyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

impl Snapshot {
    pub fn open(root: impl AsRef<Path>) -> Result<Snapshot, SnapshotError> {
        let root = root.as_ref().to_owned();
        let (manifest, manifest_sha256) = read_manifest_hashed(&root)?;
        Ok(Snapshot {
            root,
            manifest,
            manifest_sha256,
        })
    }

    /// SHA-256 (lowercase hex) of `manifest.json` as it was read.
    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn is_complete(&self) -> bool {
        self.manifest.complete
    }

    /// Whether the pages show the account at one time (see [`Manifest::is_consistent`]).
    pub fn is_consistent(&self) -> bool {
        self.manifest.is_consistent()
    }

    /// Why the pages may show the account at different times; empty when they do not.
    pub fn inconsistencies(&self) -> &[String] {
        match &self.manifest.consistency {
            Some(c) if !c.consistent => &c.reasons,
            _ => &[],
        }
    }

    /// Collections in manifest order.
    pub fn collections(&self) -> &[CollectionEntry] {
        &self.manifest.collections
    }

    pub fn collection(&self, id: &str) -> Option<&CollectionEntry> {
        self.manifest.collection(id)
    }

    fn entry(&self, id: &str) -> Result<&CollectionEntry, SnapshotError> {
        self.collection(id)
            .ok_or_else(|| SnapshotError::UnknownCollection {
                path: self.root.join(MANIFEST_FILE),
                id: id.to_owned(),
            })
    }

    /// Reads one page and checks its size and SHA-256 against the manifest.
    pub(crate) fn read_page(&self, page: &PageEntry) -> Result<Vec<u8>, SnapshotError> {
        let path = layout::resolve(&self.root, &page.file).ok_or_else(|| {
            SnapshotError::ManifestInvalid {
                path: self.root.join(MANIFEST_FILE),
                problem: ManifestProblem::UnsafePath(page.file.clone()),
            }
        })?;
        read_listed(&self.root, &page.file, page.size, &page.sha256)
            .map_err(|problem| SnapshotError::PageMismatch { path, problem })
    }

    /// The pages of collection `id` in page order, each body verbatim.
    pub fn pages<'a>(
        &'a self,
        id: &str,
    ) -> Result<
        impl Iterator<Item = Result<(PageRef<'a>, Vec<u8>), SnapshotError>> + 'a,
        SnapshotError,
    > {
        let entry = self.entry(id)?;
        let mut pages: Vec<&PageEntry> = entry.pages.iter().collect();
        pages.sort_by_key(|p| p.page);
        Ok(pages.into_iter().map(move |page| {
            let bytes = self.read_page(page)?;
            Ok((
                PageRef {
                    collection: &entry.id,
                    page: page.page,
                    file: &page.file,
                },
                bytes,
            ))
        }))
    }

    /// The pages of collection `id`, each parsed into its records (an object page is one record).
    pub fn page_records<'a>(
        &'a self,
        id: &str,
    ) -> Result<
        impl Iterator<Item = Result<(PageRef<'a>, Vec<Value>), SnapshotError>> + 'a,
        SnapshotError,
    > {
        let kind = self.entry(id)?.kind;
        let root = self.root.clone();
        Ok(self.pages(id)?.map(move |page| {
            let (page, bytes) = page?;
            let json_error = |error| SnapshotError::PageJson {
                path: layout::resolve(&root, page.file).unwrap_or_else(|| root.clone()),
                error,
            };
            let records = match kind {
                CollectionKind::List => {
                    serde_json::from_slice::<Vec<Value>>(&bytes).map_err(json_error)?
                }
                CollectionKind::Object => {
                    vec![serde_json::from_slice::<Value>(&bytes).map_err(json_error)?]
                }
            };
            Ok((page, records))
        }))
    }

    /// Every record of collection `id`, with where it sits. Memory holds one page at a time.
    pub fn records<'a>(
        &'a self,
        id: &str,
    ) -> Result<
        impl Iterator<Item = Result<(RecordRef<'a>, Value), SnapshotError>> + 'a,
        SnapshotError,
    > {
        Ok(self.page_records(id)?.flat_map(|page| {
            let (items, error) = match page {
                Ok((page, records)) => (
                    records
                        .into_iter()
                        .enumerate()
                        .map(|(index, record)| {
                            Ok((
                                RecordRef {
                                    collection: page.collection,
                                    page: page.page,
                                    file: page.file,
                                    index,
                                },
                                record,
                            ))
                        })
                        .collect::<Vec<_>>(),
                    None,
                ),
                Err(err) => (Vec::new(), Some(Err(err))),
            };
            items.into_iter().chain(error)
        }))
    }

    /// Checks every file the manifest lists (present, size, SHA-256) and that the file list
    /// matches the pages. An empty result means the snapshot is intact.
    pub fn verify(&self) -> Vec<VerifyProblem> {
        let mut problems = Vec::new();
        let expected = Manifest::file_list(&self.manifest.collections);
        if expected != self.manifest.files {
            problems.push(VerifyProblem {
                file: MANIFEST_FILE.to_owned(),
                problem: SnapshotProblem::FileList,
            });
        }
        for file in &self.manifest.files {
            let problem = match layout::resolve(&self.root, &file.path) {
                None => Some(PageProblem::UnsafePath),
                Some(_) => read_listed(&self.root, &file.path, file.size, &file.sha256).err(),
            };
            let problem = problem.map(SnapshotProblem::File);
            if let Some(problem) = problem {
                problems.push(VerifyProblem {
                    file: file.path.clone(),
                    problem,
                });
            }
        }
        problems
    }
}
