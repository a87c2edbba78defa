//! What an export says about where its graph came from.

use serde::{Deserialize, Serialize};

use crate::snapshot::Snapshot;

/// The snapshot an export was made from. Every field is fixed once the snapshot is written, so
/// exporting the same snapshot again gives the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    /// The KnowBe4 site (`us`, `eu`, ...), or null when a base URL was given.
    pub site: Option<String>,
    pub base_url: String,
    /// SHA-256 of the snapshot's `manifest.json`, which lists every page with its own hash.
    pub manifest_sha256: String,
    /// When the fetch that completed the snapshot ended (its start if it never ended).
    pub fetched_at: String,
    pub complete: bool,
    /// Pages left out because they were missing, differed from the snapshot's manifest or could
    /// not be parsed (only with `--allow-damaged`): the graph lacks their records.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub damaged_pages: Vec<DamagedPage>,
    /// Why the snapshot's pages may show the account at different times (a resumed fetch that
    /// could not reconcile them; exported only with `--allow-damaged`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub inconsistencies: Vec<String>,
}

/// A page of a snapshot that an export had to leave out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedPage {
    /// Relative to the snapshot, e.g. `raw/users/active/page-0001.json`.
    pub file: String,
    pub problem: String,
}

impl SnapshotInfo {
    pub fn of(snapshot: &Snapshot) -> SnapshotInfo {
        let manifest = snapshot.manifest();
        SnapshotInfo {
            site: manifest.source.site.map(|s| s.to_string()),
            base_url: manifest.source.base_url.clone(),
            manifest_sha256: snapshot.manifest_sha256().to_owned(),
            fetched_at: manifest
                .finished_at
                .clone()
                .unwrap_or_else(|| manifest.started_at.clone()),
            complete: manifest.complete,
            damaged_pages: Vec::new(),
            inconsistencies: snapshot.inconsistencies().to_vec(),
        }
    }
}
