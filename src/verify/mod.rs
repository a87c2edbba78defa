//! `kb4graph verify`: a snapshot, an export or an archive of either checked against its
//! `manifest.json` (every file present, none extra, sizes and SHA-256 equal) and, for exports,
//! the graph digest recomputed from each format's files.
//!
//! A directory holding both (what `kb4graph run` writes: the export with its `snapshot/`) is
//! verified as both: a subdirectory with a manifest of its own is verified on its own and its
//! files are not counted as extra.

mod digests;
mod listing;
mod manifest;

use std::fmt;
use std::path::{Path, PathBuf};

pub use digests::{FormatDigest, GraphCheck};
pub use listing::{FileInfo, Listing};
pub use manifest::Kind;

use manifest::MANIFEST_FILE;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} is neither a kb4graph snapshot nor export: it has no {MANIFEST_FILE} (give the directory `kb4graph fetch`, `export` or `run` wrote, or an archive of one)",
        path.display()
    )]
    NoManifest { path: PathBuf },
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
}

/// One thing that does not match the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Relative to the verified directory, with `/`.
    pub file: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// What `verify` found for one snapshot or export.
#[derive(Debug, Clone)]
pub struct Report {
    /// Where it is, relative to what was given (`.` for the top).
    pub location: String,
    pub kind: Kind,
    /// Files the manifest lists (itself and `SHA256SUMS` included), and their bytes.
    pub files: u64,
    pub bytes: u64,
    pub problems: Vec<Problem>,
    /// Facts worth knowing that are not problems (an incomplete snapshot, an older manifest).
    pub notes: Vec<String>,
    /// Exports only, and only when their files match.
    pub graph: Option<GraphCheck>,
    pub nested: Vec<Report>,
}

impl Report {
    /// No problem here or in anything nested.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
            && self.graph.as_ref().is_none_or(GraphCheck::ok)
            && self.nested.iter().all(Report::ok)
    }

    /// Problems here and nested, with nested paths prefixed.
    pub fn all_problems(&self) -> Vec<Problem> {
        let mut all = self.problems.clone();
        if let Some(graph) = &self.graph {
            all.extend(graph.problems());
        }
        for nested in &self.nested {
            for p in nested.all_problems() {
                all.push(Problem {
                    file: format!("{}/{}", nested.location, p.file),
                    message: p.message,
                });
            }
        }
        all
    }
}

/// What to check besides the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Recompute each export format's graph digest from its files (reads every file again).
    pub graph: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { graph: true }
    }
}

/// Verifies a directory (snapshot or export) or a `.tar.gz` archive of one.
pub fn verify(path: &Path, options: &VerifyOptions) -> Result<Report, VerifyError> {
    let meta = std::fs::metadata(path).map_err(|source| VerifyError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_dir() {
        let listing = Listing::of_dir(path)?;
        verify_listing(&listing, path, ".", options)
    } else {
        verify_archive(path, options)
    }
}

/// The directory an archive is unpacked into, inside a private temporary directory.
const UNPACKED: &str = "unpacked";

fn verify_archive(path: &Path, options: &VerifyOptions) -> Result<Report, VerifyError> {
    // First pass: headers and manifests only, nothing written (see `crate::archive::Bounds`).
    let surveyed = crate::archive::survey(path)?;
    let has_export = surveyed
        .small_files
        .iter()
        .any(|(_, bytes)| manifest::parse(bytes).kind == Kind::Export);
    let listing_and_temp = match crate::archive::Bounds::of(path, &surveyed) {
        Ok(bounds) => {
            let in_bounds = crate::archive::check_headers(path, &surveyed, &bounds).is_ok();
            // Re-reading formats needs the files themselves: they are unpacked into a private
            // temporary directory only for an export whose digests are to be checked, and only
            // when every header matches the manifests (otherwise the file checks fail anyway).
            let temp = if options.graph && has_export && in_bounds {
                Some(
                    tempfile::Builder::new()
                        .prefix(crate::files::TEMP_PREFIX)
                        .tempdir()
                        .map_err(|source| VerifyError::Io {
                            path: std::env::temp_dir(),
                            source,
                        })?,
                )
            } else {
                None
            };
            let into = temp.as_ref().map(|t| t.path().join(UNPACKED));
            let listing = Listing::of_archive_within(path, &bounds, into.as_deref())?;
            (listing, temp)
        }
        // No usable top manifest: listed without writing anything, so that the report says
        // what is wrong with it.
        Err(_) => (Listing::of_archive(path)?, None),
    };
    let (listing, unpacked) = listing_and_temp;
    let root = unpacked.as_ref().map(|t| t.path().join(UNPACKED));
    let mut report = verify_listing(
        &listing,
        root.as_deref().unwrap_or(path),
        ".",
        &VerifyOptions {
            graph: root.is_some(),
        },
    )?;
    report.notes.insert(
        0,
        format!(
            "archive {} (top directory {:?})",
            path.display(),
            listing.root
        ),
    );
    Ok(report)
}

/// Checks the files under `prefix` of `listing`; `dir` holds them on disk (for the digests).
fn verify_listing(
    listing: &Listing,
    dir: &Path,
    prefix: &str,
    options: &VerifyOptions,
) -> Result<Report, VerifyError> {
    let scoped = listing.scoped(prefix);
    if scoped.small_file(manifest::MANIFEST_FILE).is_none()
        && let Some(accounts) = scoped.small_file(crate::accounts::LISTING)
    {
        return verify_accounts(listing, dir, prefix, accounts, options);
    }
    let Some(manifest_bytes) = scoped.small_file(manifest::MANIFEST_FILE) else {
        return Err(VerifyError::NoManifest {
            path: dir.to_owned(),
        });
    };
    let parsed = manifest::parse(manifest_bytes);
    let mut report = Report {
        location: prefix.to_owned(),
        kind: parsed.kind,
        files: 0,
        bytes: 0,
        problems: parsed.problems.clone(),
        notes: parsed.notes.clone(),
        graph: None,
        nested: Vec::new(),
    };
    // Subdirectories with a manifest of their own (an export's `snapshot/`).
    let mut nested_prefixes = Vec::new();
    for sub in scoped.subdirs_with_manifest() {
        if !parsed
            .files()
            .iter()
            .any(|f| f.path.starts_with(&format!("{sub}/")))
        {
            nested_prefixes.push(sub);
        }
    }
    report.problems.extend(manifest::check_files(
        &parsed,
        &scoped,
        &nested_prefixes,
        &mut report.files,
        &mut report.bytes,
    ));
    if parsed.kind == Kind::Snapshot
        && scoped
            .files()
            .any(|(path, _)| path == crate::snapshot::LOCK_FILE)
    {
        report_fetch_lock(dir, &mut report);
    }
    if let Some(sums) = scoped
        .small_file(manifest::SUMS_FILE)
        .filter(|_| parsed.kind == Kind::Export)
    {
        report.problems.extend(manifest::check_sums(sums, &parsed));
    }
    if parsed.kind == Kind::Export && options.graph {
        if let Some(export) = parsed.export().filter(|_| report.problems.is_empty()) {
            let check = digests::check(dir, export);
            report.notes.extend(check.notes.iter().cloned());
            report.graph = Some(check);
        } else {
            report
                .notes
                .push("graph digests not recomputed: the files do not match the manifest".into());
        }
    }
    report.problems.extend(parsed.damage.iter().cloned());
    for sub in nested_prefixes {
        let nested_prefix = if prefix == "." {
            sub.clone()
        } else {
            format!("{prefix}/{sub}")
        };
        let mut nested = verify_listing(listing, &dir.join(&sub), &nested_prefix, options)?;
        nested.location = sub;
        report.nested.push(nested);
    }
    Ok(report)
}

/// A snapshot a fetch is writing is not evidence yet; the lock left by a killed fetch is only
/// worth a note (the next `fetch --resume` takes it over).
fn report_fetch_lock(dir: &Path, report: &mut Report) {
    use crate::snapshot::LockState;
    let who = |holder: &Option<crate::snapshot::LockHolder>| {
        holder
            .as_ref()
            .map_or_else(|| "pid unknown".to_owned(), |h| h.to_string())
    };
    match crate::snapshot::lock_state(dir) {
        Some(LockState::Held(holder)) => report.problems.push(Problem {
            file: crate::snapshot::LOCK_FILE.to_owned(),
            message: format!(
                "a fetch is running ({}): verify again once it has ended",
                who(&holder)
            ),
        }),
        Some(LockState::Stale(holder)) => report.notes.push(format!(
            "{}: left by a fetch that ended without releasing it ({}); the next `kb4graph fetch --resume` takes it over",
            crate::snapshot::LOCK_FILE,
            who(&holder)
        )),
        None => {}
    }
}

/// Checks a multi-account directory: every account its listing names is there and verifies,
/// and nothing else is beside them.
fn verify_accounts(
    listing: &Listing,
    dir: &Path,
    prefix: &str,
    accounts: &[u8],
    options: &VerifyOptions,
) -> Result<Report, VerifyError> {
    let scoped = listing.scoped(prefix);
    let mut report = Report {
        location: prefix.to_owned(),
        kind: Kind::Accounts,
        files: 1,
        bytes: accounts.len() as u64,
        problems: scoped.problems().collect(),
        notes: Vec::new(),
        graph: None,
        nested: Vec::new(),
    };
    let names = match crate::accounts::AccountsDir::parse(dir, accounts) {
        Ok(listed) => listed.accounts,
        Err(err) => {
            report.problems.push(Problem {
                file: crate::accounts::LISTING.to_owned(),
                message: err.to_string(),
            });
            Vec::new()
        }
    };
    let present = scoped.subdirs_with_manifest();
    for name in &names {
        if !present.contains(name) {
            report.problems.push(Problem {
                file: format!("{name}/"),
                message: format!(
                    "account {name} is listed in {} but its snapshot is missing: restore it from an archive, or fetch it again",
                    crate::accounts::LISTING
                ),
            });
        }
    }
    for (path, _) in scoped.files() {
        let top = path.split('/').next().unwrap_or(path);
        if path != crate::accounts::LISTING && !names.iter().any(|n| n == top) {
            report.problems.push(Problem {
                file: path.to_owned(),
                message: format!(
                    "not part of any account {} lists: this copy differs from what kb4graph wrote",
                    crate::accounts::LISTING
                ),
            });
        }
    }
    for name in names.iter().filter(|n| present.contains(n)) {
        let nested_prefix = if prefix == "." {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let mut nested = verify_listing(listing, &dir.join(name), &nested_prefix, options)?;
        nested.location = name.clone();
        report.nested.push(nested);
    }
    Ok(report)
}
