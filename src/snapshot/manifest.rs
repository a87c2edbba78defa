//! `manifest.json`: what a snapshot holds, how it was fetched, and how to continue it.
//!
//! Field order in the structs is the order in the file. Volatile facts (times, request counts)
//! live only here, never in the pages.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::layout;
use super::risk_history::RiskHistory;
use crate::api::{Pagination, ResolvedMode, Site};

/// Identifies the file as a kb4graph raw snapshot manifest.
pub const FORMAT: &str = "kb4graph-raw-snapshot";
/// Bumped when a reader of the previous version could misread the snapshot.
pub const FORMAT_VERSION: u32 = 1;

/// What makes a manifest unsafe or impossible for this version to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestProblem {
    #[error("format is {0:?}, expected {FORMAT:?}")]
    Format(String),
    #[error(
        "format_version {0} is not supported by this kb4graph {version} (it reads up to {FORMAT_VERSION}): use a newer kb4graph",
        version = env!("CARGO_PKG_VERSION")
    )]
    Version(u32),
    #[error("invalid collection id {0:?}")]
    CollectionId(String),
    #[error("collection {0:?} is listed twice")]
    CollectionTwice(String),
    #[error("collection {id:?}: pages are not in increasing order at page {page}")]
    PageOrder { id: String, page: u32 },
    #[error("unsafe page path {0:?}")]
    UnsafePath(String),
    #[error("page file {0:?} is listed twice")]
    FileTwice(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub tool: String,
    pub tool_version: String,
    pub source: ManifestSource,
    /// `per_page` sent on every list request.
    pub per_page: u32,
    /// The pagination option the fetch ran with (each collection records what it resolved to).
    pub pagination: Pagination,
    pub started_at: String,
    /// When the manifest was last written.
    pub updated_at: String,
    /// When the last fetch run ended (null while one is running or if it was killed).
    pub finished_at: Option<String>,
    /// True when every collection is complete: the snapshot is the whole account.
    pub complete: bool,
    /// The previous snapshot an incremental fetch (`fetch --since`) reused pages from; absent
    /// for a full fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<SinceRef>,
    /// Whose risk score history the fetch takes besides the account's (`--risk-history`);
    /// absent when none.
    #[serde(default, skip_serializing_if = "RiskHistory::is_off")]
    pub risk_history: RiskHistory,
    /// Each fetch run of this snapshot: the first, then every resume (absent in manifests
    /// written before runs were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<FetchRun>,
    /// When the snapshot's pages were requested: from the first request of its first run to
    /// the last request of its last run. A resumed snapshot spans every run in between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Whether the pages show the account at one time. Written for a snapshot fetched in
    /// more than one run: a resume fetches the listings again and checks every collection of
    /// the earlier runs against them; until that is done the snapshot is not consistent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<Consistency>,
    pub totals: Totals,
    pub collections: Vec<CollectionEntry>,
    /// Every page file, sorted by path, for `verify`.
    pub files: Vec<FileEntry>,
}

/// One fetch run (the first, or a resume) of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchRun {
    pub started_at: String,
    /// Null while it runs, or if it was killed.
    pub finished_at: Option<String>,
    /// When its first and last answers arrived; null before the first (and in the first run of
    /// a snapshot started before runs were recorded).
    pub first_request_at: Option<String>,
    pub last_request_at: Option<String>,
    /// Requests it sent, retries included.
    pub requests: u64,
}

/// From the first to the last request of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub first_request_at: String,
    pub last_request_at: String,
}

/// Whether a snapshot's pages show the account at one time, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consistency {
    pub consistent: bool,
    /// Why it is not; empty when it is.
    pub reasons: Vec<String>,
}

/// Where the data came from. Never holds the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSource {
    /// The KnowBe4 site, or null when a base URL was given.
    pub site: Option<Site>,
    pub base_url: String,
    /// The name given with `fetch --account-name`, which the graph's entities are tagged with;
    /// absent when none was given (the account's own name is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
}

/// The previous snapshot of an incremental fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinceRef {
    /// As given to `fetch --since`.
    pub path: String,
    /// SHA-256 of its `manifest.json`: the manifest names every page's hash, so this pins
    /// every page too.
    pub manifest_sha256: String,
    pub started_at: String,
}

/// A snapshot, named by when its fetch started and the SHA-256 of its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRef {
    pub started_at: String,
    pub manifest_sha256: String,
}

/// Where a page copied from a previous snapshot came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReusedFrom {
    pub snapshot: SnapshotRef,
    /// The page's path in that snapshot.
    pub file: String,
    /// Its SHA-256 there, the same as the copy's.
    pub sha256: String,
}

/// Sums over every fetch run of this snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub requests: u64,
    pub retries: u64,
    pub pages: u64,
    pub items: u64,
    /// Pages copied from the previous snapshot rather than fetched (`pages` counts them too).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reused_pages: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CollectionKind {
    /// One JSON object, one page (`account`).
    Object,
    /// Pages of bare JSON arrays.
    List,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionEntry {
    /// `users/active`, `groups/12/members`: also its directory under `raw/`.
    pub id: String,
    /// The endpoint path, e.g. `/v1/users`.
    pub endpoint: String,
    /// The query sent besides the paging parameters, e.g. `status=active`.
    pub query: String,
    pub kind: CollectionKind,
    /// The mode the pages were fetched in; null before the first page.
    pub pagination: Option<ResolvedMode>,
    pub complete: bool,
    /// The API answered 404 (the group or test disappeared between listing and fetching).
    pub not_found: bool,
    /// The run (index into the manifest's `runs`) whose listings these pages agree with: the
    /// run that fetched them, or a later one that found its parent unchanged. 0, the first
    /// run, is not written.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub run: u32,
    /// Where to continue; null once complete.
    pub resume: Option<ResumeState>,
    pub items: u64,
    pub pages: Vec<PageEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeState {
    pub next_page: u32,
    /// The `X-Next-Cursor` value to send, in cursor mode.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    pub page: u32,
    /// Relative to the snapshot root, `/`-separated.
    pub file: String,
    pub items: u64,
    pub size: u64,
    pub sha256: String,
    /// For a page copied from a previous snapshot, the request that fetched it there.
    pub request_id: Option<String>,
    /// Set when the page was copied from a previous snapshot instead of fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<ReusedFrom>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn collection(&self, id: &str) -> Option<&CollectionEntry> {
        self.collections.iter().find(|c| c.id == id)
    }

    /// False when the manifest says its pages may show the account at different times (a
    /// resumed fetch not yet reconciled with the account as it is now).
    pub fn is_consistent(&self) -> bool {
        self.consistency.as_ref().is_none_or(|c| c.consistent)
    }

    /// The sorted file list derived from the collections' pages.
    pub fn file_list(collections: &[CollectionEntry]) -> Vec<FileEntry> {
        let mut files: Vec<FileEntry> = collections
            .iter()
            .flat_map(|c| &c.pages)
            .map(|p| FileEntry {
                path: p.file.clone(),
                size: p.size,
                sha256: p.sha256.clone(),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self)
            // Unreachable: every field is a plain string, number, bool or list of them.
            .unwrap_or_else(|_| b"{}".to_vec());
        bytes.push(b'\n');
        bytes
    }

    /// Checks what a reader relies on: the format, safe unique ids and paths, ordered pages.
    pub fn check(&self) -> Result<(), ManifestProblem> {
        if self.format != FORMAT {
            return Err(ManifestProblem::Format(self.format.clone()));
        }
        if self.format_version == 0 || self.format_version > FORMAT_VERSION {
            return Err(ManifestProblem::Version(self.format_version));
        }
        let mut ids = BTreeSet::new();
        let mut files = BTreeSet::new();
        for collection in &self.collections {
            if !layout::is_valid_collection_id(&collection.id) {
                return Err(ManifestProblem::CollectionId(collection.id.clone()));
            }
            if !ids.insert(collection.id.as_str()) {
                return Err(ManifestProblem::CollectionTwice(collection.id.clone()));
            }
            let mut previous = 0u32;
            for page in &collection.pages {
                if page.page <= previous {
                    return Err(ManifestProblem::PageOrder {
                        id: collection.id.clone(),
                        page: page.page,
                    });
                }
                previous = page.page;
                if layout::resolve(std::path::Path::new(""), &page.file).is_none() {
                    return Err(ManifestProblem::UnsafePath(page.file.clone()));
                }
                if !files.insert(page.file.as_str()) {
                    return Err(ManifestProblem::FileTwice(page.file.clone()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let collections = vec![CollectionEntry {
            id: "users/active".into(),
            endpoint: "/v1/users".into(),
            query: "status=active".into(),
            kind: CollectionKind::List,
            pagination: Some(ResolvedMode::Cursor),
            complete: false,
            not_found: false,
            run: 0,
            resume: Some(ResumeState {
                next_page: 3,
                next_cursor: Some("abc".into()),
            }),
            items: 1000,
            pages: vec![
                PageEntry {
                    page: 1,
                    file: "raw/users/active/page-0001.json".into(),
                    items: 500,
                    size: 10,
                    sha256: "00".into(),
                    request_id: Some("r1".into()),
                    reused_from: None,
                },
                PageEntry {
                    page: 2,
                    file: "raw/users/active/page-0002.json".into(),
                    items: 500,
                    size: 11,
                    sha256: "11".into(),
                    request_id: None,
                    reused_from: None,
                },
            ],
        }];
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            tool: "kb4graph".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            source: ManifestSource {
                site: Some(Site::Eu),
                base_url: Site::Eu.base_url(),
                account_name: None,
            },
            per_page: 500,
            pagination: Pagination::Auto,
            started_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-01T00:00:01.000Z".into(),
            finished_at: None,
            complete: false,
            since: None,
            risk_history: RiskHistory::OFF,
            runs: Vec::new(),
            span: None,
            consistency: None,
            totals: Totals {
                requests: 3,
                retries: 1,
                pages: 2,
                items: 1000,
                reused_pages: 0,
            },
            files: Manifest::file_list(&collections),
            collections,
        }
    }

    #[test]
    fn round_trips_with_stable_field_order() {
        let manifest = sample();
        manifest.check().unwrap();
        let bytes = manifest.to_json();
        let back: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, manifest);
        assert_eq!(back.to_json(), bytes);
        let text = String::from_utf8(bytes).unwrap();
        let order: Vec<usize> = [
            "\"format\"",
            "\"tool_version\"",
            "\"source\"",
            "\"complete\"",
            "\"totals\"",
            "\"collections\"",
            "\"files\"",
        ]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("\"site\": \"eu\""));
        // A full fetch's manifest reads as before: nothing about reuse is written.
        for absent in ["since", "reused"] {
            assert!(!text.contains(absent), "{absent}");
        }
    }

    #[test]
    fn reuse_records_round_trip_and_older_manifests_read_without_them() {
        let mut manifest = sample();
        let snapshot = SnapshotRef {
            started_at: "2025-12-31T00:00:00.000Z".into(),
            manifest_sha256: "ab".repeat(32),
        };
        manifest.since = Some(SinceRef {
            path: "snaps/day0".into(),
            manifest_sha256: snapshot.manifest_sha256.clone(),
            started_at: snapshot.started_at.clone(),
        });
        manifest.totals.reused_pages = 1;
        manifest.collections[0].pages[0].reused_from = Some(ReusedFrom {
            snapshot,
            file: "raw/users/active/page-0001.json".into(),
            sha256: "00".into(),
        });
        let bytes = manifest.to_json();
        let back: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, manifest);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.find("\"since\"").unwrap() < text.find("\"totals\"").unwrap());
        assert!(text.contains("\"reused_pages\": 1"));

        // Written before incremental fetches existed: no since, reused_pages, reused_from.
        let mut old: serde_json::Value = serde_json::from_slice(&sample().to_json()).unwrap();
        assert!(old.get("since").is_none());
        old["totals"]
            .as_object_mut()
            .unwrap()
            .remove("reused_pages");
        let old: Manifest = serde_json::from_value(old).unwrap();
        assert_eq!(old, sample());
    }

    #[test]
    fn runs_span_and_consistency_round_trip_and_older_manifests_read_without_them() {
        let mut manifest = sample();
        assert!(
            manifest.is_consistent(),
            "a manifest that says nothing is consistent"
        );
        manifest.runs = vec![FetchRun {
            started_at: "2026-01-01T00:00:00.000Z".into(),
            finished_at: None,
            first_request_at: Some("2026-01-01T00:00:00.100Z".into()),
            last_request_at: Some("2026-01-01T00:00:00.900Z".into()),
            requests: 3,
        }];
        manifest.span = Some(Span {
            first_request_at: "2026-01-01T00:00:00.100Z".into(),
            last_request_at: "2026-01-01T00:00:00.900Z".into(),
        });
        manifest.consistency = Some(Consistency {
            consistent: false,
            reasons: vec!["pages of an earlier run".into()],
        });
        manifest.collections[0].run = 2;
        let bytes = manifest.to_json();
        let back: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, manifest);
        assert!(!back.is_consistent());
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\"run\": 2"), "{text}");
        // The first run's index is not written: a one-run manifest's collections read as before.
        let sample_text = String::from_utf8(sample().to_json()).unwrap();
        for absent in ["\"run\"", "runs", "span", "consistency"] {
            assert!(!sample_text.contains(absent), "{absent}");
        }
    }

    #[test]
    fn check_refuses_unsafe_or_newer_manifests() {
        let mut m = sample();
        m.format_version = FORMAT_VERSION + 1;
        assert!(m.check().unwrap_err().to_string().contains("newer"));
        let mut m = sample();
        m.collections[0].pages[1].file = "../../etc/passwd".into();
        assert!(m.check().is_err());
        let mut m = sample();
        m.collections[0].id = "../x".into();
        assert!(m.check().is_err());
        let mut m = sample();
        m.collections[0].pages.swap(0, 1);
        assert!(m.check().is_err());
    }
}
