//! The whole pipeline as `kb4graph export` and `kb4graph run` drive it: a snapshot on disk is
//! normalized, exported and the export validated from the files written.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::export::{self, ExportError, ExportOptions, ExportedFile, Format, SnapshotInfo};
use crate::mock::{MockConfig, MockServer, Profile};
use crate::model::{EntityType, RelationshipType, Warning, normalize};
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

/// Starts the simulated API for `run --demo`: the small organisation on loopback, no limits.
pub async fn start_demo_server() -> std::io::Result<MockServer> {
    let config = MockConfig::new(DEMO_SEED, Profile::Small);
    MockServer::start(([127, 0, 0, 1], 0).into(), config).await
}
