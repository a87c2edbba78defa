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
    /// For a combined export of several accounts, each account's snapshot in name order. The
    /// fields above then speak for them together: `manifestSha256` is the SHA-256 of the
    /// lines `<name> <manifestSha256>\n`, `fetchedAt` the latest, `baseUrl` each account's as
    /// `<name>=<baseUrl>` separated by spaces.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub accounts: Vec<AccountSnapshot>,
}

/// One account's snapshot in a combined export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSnapshot {
    pub name: String,
    pub site: Option<String>,
    pub base_url: String,
    pub manifest_sha256: String,
    pub fetched_at: String,
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
            accounts: Vec::new(),
        }
    }

    /// What a combined export says about its accounts' snapshots, each given by name with
    /// what its own export would say.
    pub fn of_accounts(accounts: &[(String, SnapshotInfo)]) -> SnapshotInfo {
        let mut lines = String::new();
        let mut listed = Vec::with_capacity(accounts.len());
        for (name, info) in accounts {
            lines.push_str(&format!("{name} {}\n", info.manifest_sha256));
            listed.push(AccountSnapshot {
                name: name.clone(),
                site: info.site.clone(),
                base_url: info.base_url.clone(),
                manifest_sha256: info.manifest_sha256.clone(),
                fetched_at: info.fetched_at.clone(),
            });
        }
        let prefixed = |name: &str, text: &str| format!("{name}/{text}");
        SnapshotInfo {
            site: None,
            base_url: accounts
                .iter()
                .map(|(name, info)| format!("{name}={}", info.base_url))
                .collect::<Vec<_>>()
                .join(" "),
            manifest_sha256: crate::files::sha256_hex(lines.as_bytes()),
            fetched_at: accounts
                .iter()
                .map(|(_, info)| info.fetched_at.clone())
                .max()
                .unwrap_or_default(),
            complete: accounts.iter().all(|(_, info)| info.complete),
            damaged_pages: accounts
                .iter()
                .flat_map(|(name, info)| {
                    info.damaged_pages.iter().map(move |page| DamagedPage {
                        file: prefixed(name, &page.file),
                        problem: page.problem.clone(),
                    })
                })
                .collect(),
            inconsistencies: accounts
                .iter()
                .flat_map(|(name, info)| {
                    info.inconsistencies
                        .iter()
                        .map(move |reason| format!("{name}: {reason}"))
                })
                .collect(),
            accounts: listed,
        }
    }
}
