//! What a manifest promises, read with the types that write it, and the file checks against it.

use std::collections::{BTreeMap, BTreeSet};

use super::Problem;
use super::listing::Scoped;
use crate::export::{ExportManifest, ManifestKind, OutputManifest};
use crate::snapshot::FileEntry;

pub use crate::export::{MANIFEST_FILE, SUMS_FILE};

/// What a manifest describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Snapshot,
    Export,
    /// A directory of several accounts' snapshots (`fetch --config`), each nested.
    Accounts,
    /// Unreadable or of another tool: its own problem says why.
    Unknown,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Snapshot => "snapshot",
            Kind::Export => "export",
            Kind::Accounts => "accounts",
            Kind::Unknown => "unknown",
        }
    }
}

impl From<Option<ManifestKind>> for Kind {
    fn from(kind: Option<ManifestKind>) -> Kind {
        match kind {
            Some(ManifestKind::Snapshot) => Kind::Snapshot,
            Some(ManifestKind::Export) => Kind::Export,
            None => Kind::Unknown,
        }
    }
}

/// A manifest as `verify` reads it: one that does not read is a problem to report, not an
/// error that hides the rest (its files are then all unlisted).
#[derive(Debug, Clone)]
pub struct Parsed {
    /// What the manifest's `format` says, even when the rest does not read.
    pub kind: Kind,
    pub manifest: Option<OutputManifest>,
    /// The file list of a manifest of ours that does not read as a whole, when that list
    /// reads: its files are still checked.
    pub listed_only: Vec<FileEntry>,
    pub problems: Vec<Problem>,
    /// What an export made with `--allow-damaged` lacks: problems, though its files are intact.
    pub damage: Vec<Problem>,
    pub notes: Vec<String>,
}

impl Parsed {
    /// The files the manifest lists; none when it does not read.
    pub fn files(&self) -> &[FileEntry] {
        self.manifest
            .as_ref()
            .map_or(&self.listed_only, OutputManifest::files)
    }

    pub fn export(&self) -> Option<&ExportManifest> {
        match &self.manifest {
            Some(OutputManifest::Export(m)) => Some(m),
            _ => None,
        }
    }
}

/// The `files` list alone, as both kinds of manifest write it.
#[derive(serde::Deserialize)]
struct FileList {
    files: Vec<FileEntry>,
}

fn problem(message: impl Into<String>) -> Problem {
    Problem {
        file: MANIFEST_FILE.to_owned(),
        message: message.into(),
    }
}

pub fn parse(bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed {
        kind: Kind::Unknown,
        manifest: None,
        listed_only: Vec::new(),
        problems: Vec::new(),
        damage: Vec::new(),
        notes: Vec::new(),
    };
    match OutputManifest::read(bytes) {
        Err(e) => {
            parsed.kind = e.kind().into();
            parsed.problems.push(problem(e.to_string()));
            if e.kind().is_some()
                && let Ok(listed) = serde_json::from_slice::<FileList>(bytes)
            {
                parsed.listed_only = listed.files;
            }
        }
        Ok(manifest) => {
            parsed.kind = Some(manifest.kind()).into();
            match &manifest {
                OutputManifest::Snapshot(m) => check_snapshot(m, &mut parsed),
                OutputManifest::Export(m) => read_export(m, &mut parsed),
            }
            parsed.manifest = Some(manifest);
        }
    }
    parsed
}

/// An export made with `--allow-damaged` is intact as files but not evidence of the whole
/// account: its manifest says what its snapshot lacked, and that is a problem to report.
fn report_damage(manifest: &ExportManifest, parsed: &mut Parsed) {
    let pages = &manifest.snapshot.damaged_pages;
    if let Some(first) = pages.first() {
        parsed.damage.push(problem(format!(
            "built from a damaged snapshot (--allow-damaged): {} of its pages were left out, so the graph lacks their records (first {}: {})",
            pages.len(),
            first.file,
            first.problem
        )));
    }
    if let Some(first) = manifest.snapshot.inconsistencies.first() {
        parsed.damage.push(problem(format!(
            "built from a snapshot that does not show the account at one time (--allow-damaged): {first}"
        )));
    }
}

fn check_snapshot(manifest: &crate::snapshot::Manifest, parsed: &mut Parsed) {
    let derived = crate::snapshot::Manifest::file_list(&manifest.collections);
    if !derived
        .iter()
        .map(|f| &f.path)
        .eq(manifest.files.iter().map(|f| &f.path))
    {
        parsed.problems.push(problem(
            "the file list does not match the collections' pages",
        ));
    }
    if !manifest.complete {
        parsed
            .notes
            .push("the snapshot is incomplete (finish it with `kb4graph fetch --resume`)".into());
    } else if let Some(c) = manifest.consistency.as_ref().filter(|c| !c.consistent) {
        // Complete, yet its pages may show the account at different times.
        parsed.problems.push(problem(format!(
            "the snapshot is marked not consistent: {}",
            c.reasons.join("; ")
        )));
    }
}

fn read_export(manifest: &ExportManifest, parsed: &mut Parsed) {
    report_damage(manifest, parsed);
    if manifest.graph.is_none() {
        parsed.notes.push(
            "the manifest records no graph digest (an export made before digests were recorded)"
                .into(),
        );
    }
}

/// What an export's staging directory found beside the files is.
fn staging_problem(dir: &str) -> Problem {
    let message = match crate::export::staging_owner(dir) {
        Some(owner) if owner.is_running() => format!(
            "the staging directory of an export still running (pid {}): verify again once it has ended",
            owner.pid
        ),
        Some(owner) => format!(
            "the staging directory of an export killed before it finished (pid {}): the next export into this directory removes it, or remove it with `rm -rf` on this path",
            owner.pid
        ),
        None => "the staging directory of an export that did not finish: if no export is running, remove it with `rm -rf` on this path".to_owned(),
    };
    Problem {
        file: format!("{dir}/"),
        message,
    }
}

/// Present, not extra, sizes and hashes equal. `nested` subdirectories are verified on their own.
pub fn check_files(
    parsed: &Parsed,
    found: &Scoped<'_>,
    nested: &[String],
    count: &mut u64,
    bytes: &mut u64,
) -> Vec<Problem> {
    let mut problems: Vec<Problem> = found.problems().collect();
    let mut listed = BTreeSet::new();
    let actual: BTreeMap<&str, _> = found.files().collect();
    for expected in parsed.files() {
        if !listed.insert(expected.path.as_str()) {
            problems.push(problem(format!("lists {} twice", expected.path)));
            continue;
        }
        match actual.get(expected.path.as_str()) {
            None => problems.push(Problem {
                file: expected.path.clone(),
                message: "missing (listed in the manifest)".into(),
            }),
            Some(info) if info.size != expected.size => problems.push(Problem {
                file: expected.path.clone(),
                message: format!("{} bytes, the manifest says {}", info.size, expected.size),
            }),
            Some(info) if info.sha256 != expected.sha256 => problems.push(Problem {
                file: expected.path.clone(),
                message: format!(
                    "SHA-256 {} differs from the manifest's {}",
                    info.sha256, expected.sha256
                ),
            }),
            Some(info) => {
                *count += 1;
                *bytes += info.size;
            }
        }
    }
    let own: &[&str] = match parsed.kind {
        Kind::Export => &[MANIFEST_FILE, SUMS_FILE],
        _ => &[MANIFEST_FILE],
    };
    let mut staging_seen = BTreeSet::new();
    for (path, info) in &actual {
        if parsed.kind == Kind::Snapshot && *path == crate::snapshot::LOCK_FILE {
            // A running (or killed) fetch's lock: reported on its own, neither counted nor extra.
            continue;
        }
        if own.contains(path) {
            *count += 1;
            *bytes += info.size;
            continue;
        }
        let in_nested = nested.iter().any(|n| path.starts_with(&format!("{n}/")));
        if let Some((top, _)) = path.split_once('/')
            && crate::export::is_staging(top)
        {
            // Every file of a killed export's staging directory would be "extra": one problem
            // says what the directory is instead.
            if staging_seen.insert(top) {
                problems.push(staging_problem(top));
            }
            continue;
        }
        if !listed.contains(path) && !in_nested {
            problems.push(Problem {
                file: (*path).to_owned(),
                message: "extra file (not in the manifest)".into(),
            });
        }
    }
    if parsed.kind == Kind::Export && !actual.contains_key(SUMS_FILE) {
        problems.push(Problem {
            file: SUMS_FILE.to_owned(),
            message: "missing (every export has one)".into(),
        });
    }
    problems
}

/// `SHA256SUMS` must list exactly the manifest's files with the same hashes.
pub fn check_sums(sums: &[u8], parsed: &Parsed) -> Vec<Problem> {
    let mut problems = Vec::new();
    let bad = |message: String| Problem {
        file: SUMS_FILE.to_owned(),
        message,
    };
    let Ok(text) = std::str::from_utf8(sums) else {
        return vec![bad("not UTF-8 text".into())];
    };
    let mut listed = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        match line.split_once("  ") {
            Some((sha, path)) if sha.len() == 64 => {
                listed.insert(path.to_owned(), sha.to_owned());
            }
            _ => problems.push(bad(format!("line {} is not `<sha256>  <path>`", n + 1))),
        }
    }
    let expected: BTreeMap<String, String> = parsed
        .files()
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    for (path, sha) in &expected {
        match listed.get(path) {
            None => problems.push(bad(format!("does not list {path}"))),
            Some(s) if s != sha => problems.push(bad(format!(
                "gives {path} the SHA-256 {s}, the manifest {sha}"
            ))),
            Some(_) => {}
        }
    }
    for path in listed.keys().filter(|p| !expected.contains_key(*p)) {
        problems.push(bad(format!("lists {path}, which the manifest does not")));
    }
    problems
}
