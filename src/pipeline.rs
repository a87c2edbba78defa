//! The whole pipeline as `kb4graph export` and `kb4graph run` drive it: a snapshot on disk is
//! normalized, exported and the export validated from the files written.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::export::{self, ExportError, ExportOptions, ExportedFile, Format, SnapshotInfo};
use crate::mock::{MockConfig, MockServer, Profile};
use crate::model::{EntityType, Record, RelationshipType, Warning, canonical, normalize};
use crate::snapshot::{Snapshot, SnapshotError};
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
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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
    #[error(
        "{} is neither a kb4graph snapshot nor an export (its manifest.json {reason}); give a directory written by `kb4graph fetch`, `export` or `run`, or an archive of one",
        path.display()
    )]
    NotAnOutput { path: PathBuf, reason: String },
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
    let snapshot = Snapshot::open(snapshot_dir)?;
    if !snapshot.is_complete() {
        return Err(PipelineError::Incomplete {
            dir: snapshot_dir.to_owned(),
        });
    }
    let info = SnapshotInfo::of(&snapshot).map_err(|source| PipelineError::Io {
        path: snapshot_dir.join("manifest.json"),
        source,
    })?;
    let started = Instant::now();
    let (graph, warnings) = normalize(&snapshot);
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

/// Validates what was written into `out_dir`, reading it back from disk.
pub fn validate_export(out_dir: &Path) -> Result<Vec<FormatReport>, PipelineError> {
    Ok(validate::validate_dir(out_dir)?)
}

/// The seed of the demo organisation: the demo is the same account every time.
pub const DEMO_SEED: u64 = 7;

/// Starts the simulated API for `run --demo`: the organisation of `profile` on loopback, no
/// limits.
pub async fn start_demo_server(profile: Profile) -> std::io::Result<MockServer> {
    let config = MockConfig::new(DEMO_SEED, profile);
    MockServer::start(([127, 0, 0, 1], 0).into(), config).await
}

/// One side of a `diff`: a snapshot's graph, or the records an export holds.
pub enum Side {
    Graph {
        graph: Box<crate::model::Graph>,
        warnings: Vec<Warning>,
    },
    Export {
        records: Vec<Record>,
        format: Format,
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
}

/// Formats `diff` reads an export from, first found first: the lossless ones before GraphML.
const READ_PREFERENCE: [Format; 6] = [
    Format::Json,
    Format::Neo4j,
    Format::NTriples,
    Format::NQuads,
    Format::Turtle,
    Format::GraphMl,
];

/// Loads a snapshot (normalized), an export (read back from its most faithful format), or an
/// archive of either.
pub fn load_side(path: &Path) -> Result<Side, PipelineError> {
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
        let mut side = load_side(&root)?;
        if let Side::Export { _unpacked, .. } = &mut side {
            *_unpacked = Some(temp);
        }
        return Ok(side);
    }
    let manifest_path = path.join(crate::snapshot::MANIFEST_FILE);
    let bytes = std::fs::read(&manifest_path).map_err(|source| PipelineError::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let not_ours = |reason: String| PipelineError::NotAnOutput {
        path: path.to_owned(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| not_ours(format!("is not JSON: {e}")))?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(crate::snapshot::FORMAT) => {
            let snapshot = Snapshot::open(path)?;
            if !snapshot.is_complete() {
                return Err(PipelineError::Incomplete {
                    dir: path.to_owned(),
                });
            }
            let (graph, warnings) = normalize(&snapshot);
            Ok(Side::Graph {
                graph: Box::new(graph),
                warnings,
            })
        }
        Some(export::MANIFEST_FORMAT) => {
            let listed: Vec<&str> = value
                .get("formats")
                .and_then(serde_json::Value::as_array)
                .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
                .unwrap_or_default();
            let format = READ_PREFERENCE
                .into_iter()
                .find(|f| listed.contains(&f.name()))
                .ok_or_else(|| not_ours("lists no format this version reads".into()))?;
            let options = crate::readback::ReadOptions {
                base_iri: value
                    .get("base_iri")
                    .and_then(serde_json::Value::as_str)
                    .map_or_else(|| export::rdf::DEFAULT_BASE_IRI.to_owned(), str::to_owned),
            };
            let mut records = crate::readback::read_records(path, format, &options)?;
            records.sort_by(Record::canonical_cmp);
            Ok(Side::Export {
                records,
                format,
                _unpacked: None,
            })
        }
        other => Err(not_ours(format!("has format {other:?}"))),
    }
}
