//! The whole pipeline as `kb4graph export` and `kb4graph run` drive it: a snapshot on disk is
//! normalized, exported and the export validated from the files written.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::accounts::AccountsDir;
use crate::export::{
    self, AccountTag, DamagedPage, ExportError, ExportOptions, ExportedFile, Format, SnapshotInfo,
};
use crate::model::{
    AccountGraph, EntityType, Graph, Record, RelationshipType, Warning, WarningCode, canonical,
    combine, normalize,
};
use crate::snapshot::{MANIFEST_FILE, Snapshot, SnapshotError};
use crate::validate::{self, FormatReport, ValidateError};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(
        "the snapshot {} is incomplete: finish it with `kb4graph fetch --resume {}` first (an export of part of an account would not be evidence of the whole)",
        dir.display(), dir.display()
    )]
    Incomplete { dir: PathBuf },
    #[error(
        "the snapshot {} does not show the account at one time: {}\nresume it once more with `kb4graph fetch --resume {}`, which fetches again what may have changed, or fetch the account anew; `--allow-damaged` goes on and records why in the export's manifest",
        dir.display(), reasons.join("; "), dir.display()
    )]
    Inconsistent { dir: PathBuf, reasons: Vec<String> },
    #[error(
        "the snapshot {} is damaged: {} of its pages cannot be used, so nothing was done (a graph without them would pass for a smaller account):{}\nrun `kb4graph verify {}` to list every damaged page, then restore the snapshot from its archive or fetch the account again; `--allow-damaged` goes on without them and records each one in the export's manifest",
        dir.display(), pages.len(), list_damaged(pages), dir.display()
    )]
    Damaged {
        dir: PathBuf,
        pages: Vec<DamagedPage>,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} is inside the snapshot {}: an export there would change the evidence it is made from; choose an --out directory outside the snapshot",
        out.display(), snapshot.display()
    )]
    OutInsideSnapshot { out: PathBuf, snapshot: PathBuf },
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Validate(#[from] ValidateError),
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error(transparent)]
    Readback(#[from] crate::readback::ReadbackError),
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::LayoutError),
    #[error(
        "{} holds several accounts, each tagged with its own name: --account-name gives one account's; leave it out, or use --no-account-tag",
        dir.display()
    )]
    OneNameForSeveral { dir: PathBuf },
    #[error(
        "{} is neither a kb4graph snapshot nor an export (its {MANIFEST_FILE} {reason}); give a directory written by `kb4graph fetch`, `export` or `run`, or an archive of one",
        path.display()
    )]
    NotAnOutput { path: PathBuf, reason: NotAnOutput },
}

/// Why a directory's manifest is not that of a snapshot or export this version reads. Each
/// message completes "its manifest.json ...".
#[derive(Debug, thiserror::Error)]
pub enum NotAnOutput {
    #[error(transparent)]
    Manifest(export::ManifestError),
    #[error("lists no format this version reads")]
    NoFormat,
}

/// What an export made.
#[derive(Debug)]
pub struct ExportSummary {
    pub entities: Vec<(EntityType, usize)>,
    pub relationships: Vec<(RelationshipType, usize)>,
    pub warnings: Vec<Warning>,
    pub files: Vec<ExportedFile>,
    pub out_dir: PathBuf,
    /// Snapshot -> graph.
    pub normalize_time: Duration,
    /// Graph -> files, hashes and manifest.
    pub export_time: Duration,
}

/// Normalizes the snapshot in `snapshot_dir` and writes `formats` into `out_dir`.
pub fn export_snapshot(
    snapshot_dir: &Path,
    formats: &[Format],
    options: &ExportOptions,
    out_dir: &Path,
) -> Result<ExportSummary, PipelineError> {
    check_out_dir(snapshot_dir, formats, out_dir)?;
    let started = Instant::now();
    let (graph, warnings, info) = graph_of(snapshot_dir, options)?;
    let normalize_time = started.elapsed();
    tracing::info!(
        entities = graph.entity_count(),
        relationships = graph.relationship_count(),
        warnings = warnings.len(),
        seconds = normalize_time.as_secs_f64(),
        "normalized"
    );
    let started = Instant::now();
    let files = export::export(&graph, &info, formats, options, out_dir)?;
    let export_time = started.elapsed();
    tracing::info!(
        files = files.len(),
        seconds = export_time.as_secs_f64(),
        "exported"
    );
    Ok(ExportSummary {
        entities: graph.entity_counts(),
        relationships: graph.relationship_counts(),
        warnings,
        files,
        out_dir: out_dir.to_owned(),
        normalize_time,
        export_time,
    })
}

/// The graph of the snapshot in `dir`, tagged as `options` say, or the combined graph of
/// every account's snapshot of a multi-account directory (`fetch --config`); its warnings;
/// and what its export says about where it came from.
fn graph_of(
    dir: &Path,
    options: &ExportOptions,
) -> Result<(Graph, Vec<Warning>, SnapshotInfo), PipelineError> {
    if AccountsDir::is_one(dir) {
        return combined_graph_of(dir, options);
    }
    let snapshot = open_whole(dir, options.allow_damaged)?;
    let mut info = SnapshotInfo::of(&snapshot);
    let (mut graph, warnings) = normalize(&snapshot);
    options.account_tag.apply(&mut graph);
    info.damaged_pages = accept_damage(dir, &warnings, options.allow_damaged)?;
    Ok((graph, warnings, info))
}

/// The combined graph of the accounts `dir` lists, each normalized and tagged on its own.
fn combined_graph_of(
    dir: &Path,
    options: &ExportOptions,
) -> Result<(Graph, Vec<Warning>, SnapshotInfo), PipelineError> {
    if let AccountTag::Name(_) = options.account_tag {
        return Err(PipelineError::OneNameForSeveral {
            dir: dir.to_owned(),
        });
    }
    let listing = AccountsDir::open(dir)?;
    let mut parts = Vec::with_capacity(listing.accounts.len());
    let mut infos = Vec::with_capacity(listing.accounts.len());
    for (name, account_dir) in listing.each() {
        let snapshot = open_whole(&account_dir, options.allow_damaged)?;
        let mut info = SnapshotInfo::of(&snapshot);
        let (mut graph, warnings) = normalize(&snapshot);
        options.account_tag.apply(&mut graph);
        info.damaged_pages = accept_damage(&account_dir, &warnings, options.allow_damaged)?;
        tracing::info!(
            account = name,
            entities = graph.entity_count(),
            relationships = graph.relationship_count(),
            "normalized"
        );
        parts.push(AccountGraph {
            name: name.to_owned(),
            graph,
            warnings,
        });
        infos.push((name.to_owned(), info));
    }
    let (graph, warnings) = combine(parts);
    Ok((graph, warnings, SnapshotInfo::of_accounts(&infos)))
}

/// Opens a snapshot to be made into a graph: complete, and showing the account at one time
/// (a fetch resumed across days that could not reconcile its pages is not), unless
/// `allow_damaged` lets the latter through with a warning.
fn open_whole(dir: &Path, allow_damaged: bool) -> Result<Snapshot, PipelineError> {
    let snapshot = Snapshot::open(dir)?;
    if !snapshot.is_complete() {
        return Err(PipelineError::Incomplete {
            dir: dir.to_owned(),
        });
    }
    if !snapshot.is_consistent() {
        let reasons = snapshot.inconsistencies().to_vec();
        if !allow_damaged {
            return Err(PipelineError::Inconsistent {
                dir: dir.to_owned(),
                reasons,
            });
        }
        for reason in &reasons {
            tracing::warn!(
                "{}: not one state of the account (--allow-damaged): {reason}",
                dir.display()
            );
        }
    }
    Ok(snapshot)
}

/// Refuses, before the snapshot is read, an output directory the export could not be written
/// into: one inside the snapshot (it would change the evidence it is made from), or one that
/// already holds an export or one of the formats asked for.
fn check_out_dir(
    snapshot_dir: &Path,
    formats: &[Format],
    out_dir: &Path,
) -> Result<(), PipelineError> {
    let snapshot = std::fs::canonicalize(snapshot_dir).map_err(|source| PipelineError::Io {
        path: snapshot_dir.to_owned(),
        source,
    })?;
    if resolved(out_dir).starts_with(&snapshot) {
        return Err(PipelineError::OutInsideSnapshot {
            out: out_dir.to_owned(),
            snapshot: snapshot_dir.to_owned(),
        });
    }
    let taken = [export::MANIFEST_FILE, export::SUMS_FILE]
        .into_iter()
        .chain(formats.iter().map(|f| f.dir()))
        .map(|name| out_dir.join(name))
        .find(|path| path.symlink_metadata().is_ok());
    match taken {
        Some(path) => Err(ExportError::Exists { path }.into()),
        None => Ok(()),
    }
}

/// `path` made absolute with its links resolved, as far as it exists (an output directory
/// usually does not yet).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest
                .iter()
                .rev()
                .fold(real, |acc: PathBuf, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// The pages `normalize` had to leave out. Unless `allow_damaged`, any of them is an error: a
/// graph without their records would pass for a smaller account.
fn accept_damage(
    dir: &Path,
    warnings: &[Warning],
    allow_damaged: bool,
) -> Result<Vec<DamagedPage>, PipelineError> {
    let pages: Vec<DamagedPage> = warnings
        .iter()
        .filter(|w| w.code == WarningCode::UnreadablePage)
        .map(|w| DamagedPage {
            file: w.location.clone(),
            problem: w
                .message
                .strip_prefix(crate::model::warning::PAGE_LEFT_OUT)
                .unwrap_or(&w.message)
                .to_owned(),
        })
        .collect();
    if pages.is_empty() || allow_damaged {
        for page in &pages {
            tracing::warn!(
                "{}: left out of the graph (--allow-damaged): {}",
                page.file,
                page.problem
            );
        }
        return Ok(pages);
    }
    Err(PipelineError::Damaged {
        dir: dir.to_owned(),
        pages,
    })
}

fn list_damaged(pages: &[DamagedPage]) -> String {
    const SHOWN: usize = 5;
    let mut text = String::new();
    for page in pages.iter().take(SHOWN) {
        text.push_str(&format!("\n  {}: {}", page.file, page.problem));
    }
    if pages.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", pages.len() - SHOWN));
    }
    text
}

/// Validates what was written into `out_dir`, reading it back from disk.
pub fn validate_export(out_dir: &Path) -> Result<Vec<FormatReport>, PipelineError> {
    Ok(validate::validate_dir(out_dir)?)
}

/// One side of a `diff`: a snapshot's graph, or the records an export holds.
pub enum Side {
    Graph {
        graph: Box<crate::model::Graph>,
        warnings: Vec<Warning>,
        /// Where the graph came from; its `damaged_pages` were left out (only with
        /// `allow_damaged`).
        snapshot: SnapshotInfo,
    },
    Export {
        records: Vec<Record>,
        format: Format,
        /// The snapshot it was exported from, as its manifest says; its `damaged_pages` are
        /// those it lacked when it was exported with `--allow-damaged`.
        snapshot: SnapshotInfo,
        /// Keeps an unpacked archive until the side is dropped.
        _unpacked: Option<tempfile::TempDir>,
    },
}

impl Side {
    /// Records in digest order (entities, then relationships, each by key).
    pub fn records(&self) -> Box<dyn Iterator<Item = Record> + '_> {
        match self {
            Side::Graph { graph, .. } => Box::new(canonical::records(graph)),
            Side::Export { records, .. } => Box::new(records.iter().cloned()),
        }
    }

    pub fn warnings(&self) -> &[Warning] {
        match self {
            Side::Graph { warnings, .. } => warnings,
            Side::Export { .. } => &[],
        }
    }

    /// The snapshot behind this side: its manifest's SHA-256 and fetch time.
    pub fn snapshot(&self) -> &SnapshotInfo {
        match self {
            Side::Graph { snapshot, .. } | Side::Export { snapshot, .. } => snapshot,
        }
    }

    /// Pages of the snapshot behind this side that its graph lacks.
    pub fn damaged(&self) -> &[DamagedPage] {
        match self {
            Side::Graph { snapshot, .. } | Side::Export { snapshot, .. } => &snapshot.damaged_pages,
        }
    }
}

/// Loads a snapshot (normalized), an export (read back from its most faithful format), or an
/// archive of either. A snapshot with damaged pages is refused unless `allow_damaged`.
pub fn load_side(path: &Path, allow_damaged: bool) -> Result<Side, PipelineError> {
    let io = |source| PipelineError::Io {
        path: path.to_owned(),
        source,
    };
    if !std::fs::metadata(path).map_err(io)?.is_dir() {
        let temp = tempfile::Builder::new()
            .prefix(crate::files::TEMP_PREFIX)
            .tempdir()
            .map_err(io)?;
        let root = temp.path().join("unpacked");
        crate::archive::extract_archive(path, &root)?;
        let mut side = load_side(&root, allow_damaged)?;
        if let Side::Export { _unpacked, .. } = &mut side {
            *_unpacked = Some(temp);
        }
        return Ok(side);
    }
    if AccountsDir::is_one(path) {
        return snapshot_side(path, allow_damaged);
    }
    let manifest_path = path.join(crate::snapshot::MANIFEST_FILE);
    let bytes = std::fs::read(&manifest_path).map_err(|source| PipelineError::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let not_ours = |reason: NotAnOutput| PipelineError::NotAnOutput {
        path: path.to_owned(),
        reason,
    };
    let manifest = match export::OutputManifest::read(&bytes) {
        Ok(export::OutputManifest::Export(manifest)) => manifest,
        // The snapshot's own reader says what is wrong with a snapshot manifest.
        Ok(export::OutputManifest::Snapshot(_)) | Err(export::ManifestError::Snapshot(_)) => {
            return snapshot_side(path, allow_damaged);
        }
        Err(e) => return Err(not_ours(NotAnOutput::Manifest(e))),
    };
    let format = Format::ALL
        .into_iter()
        .filter(|f| manifest.formats.iter().any(|n| n == f.name()))
        .min_by_key(|f| f.read_preference())
        .ok_or_else(|| not_ours(NotAnOutput::NoFormat))?;
    let options = crate::readback::ReadOptions {
        base_iri: manifest
            .base_iri
            .unwrap_or_else(|| crate::formats::rdf::DEFAULT_BASE_IRI.to_owned()),
    };
    let mut records = crate::readback::read_records(path, format, &options)?;
    records.sort_by(Record::canonical_cmp);
    Ok(Side::Export {
        records,
        format,
        snapshot: manifest.snapshot,
        _unpacked: None,
    })
}

/// The graph of a snapshot, or of a multi-account directory's snapshots combined.
fn snapshot_side(path: &Path, allow_damaged: bool) -> Result<Side, PipelineError> {
    let options = ExportOptions {
        allow_damaged,
        ..ExportOptions::default()
    };
    let (graph, warnings, info) = graph_of(path, &options)?;
    Ok(Side::Graph {
        graph: Box::new(graph),
        warnings,
        snapshot: info,
    })
}
