//! `manifest.json` of an export, and reading back any manifest kb4graph writes (a snapshot's or
//! an export's) with the types that write them. Fields change here, and only here; a field an
//! older export lacks must get a `serde(default)` so that its manifest still reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bundle::ExportedFile;
use super::meta::SnapshotInfo;
use crate::compress::Compression;
use crate::model::GraphDigest;
use crate::snapshot::{self, FileEntry};

/// Identifies an export's `manifest.json`.
pub const MANIFEST_FORMAT: &str = "kb4graph-export";
/// Bumped when a reader of the previous version could misread the export.
pub const MANIFEST_FORMAT_VERSION: u32 = 1;

/// `manifest.json` of an export. Field order is the order in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportManifest {
    pub format: String,
    pub format_version: u32,
    pub tool: String,
    pub tool_version: String,
    pub created_at: String,
    pub snapshot: SnapshotInfo,
    /// The names of the formats written (see [`crate::formats::Format::name`]).
    pub formats: Vec<String>,
    /// Namespace of instance IRIs, when an RDF format was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_iri: Option<String>,
    /// The digest of the graph (see [`crate::model::canonical`]); every export written by this
    /// version has one, exports made before digests were recorded do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphDigest>,
    /// Per format written, the digest of the graph as its files hold it: the graph's own,
    /// except where a format had to replace characters (GraphML and XML 1.0).
    #[serde(default)]
    pub format_digests: BTreeMap<String, String>,
    /// How the data files are compressed (their names end in `.gz` for gzip); absent (older
    /// exports, and uncompressed ones) means none.
    #[serde(default, skip_serializing_if = "Compression::is_none")]
    pub compression: Compression,
    pub files: Vec<ExportedFile>,
}

/// Which of kb4graph's outputs a `manifest.json` describes, as its `format` field says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    Snapshot,
    Export,
}

/// A manifest read back: a snapshot's or an export's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputManifest {
    Snapshot(Box<snapshot::Manifest>),
    Export(Box<ExportManifest>),
}

/// Why a `manifest.json` cannot be read as one of kb4graph's. Each message completes "its
/// manifest.json ...".
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("is not JSON ({0})")]
    NotJson(#[source] serde_json::Error),
    #[error(
        "has format {0:?}, neither {snapshot:?} nor {export:?}",
        snapshot = snapshot::FORMAT,
        export = MANIFEST_FORMAT
    )]
    UnknownFormat(Option<String>),
    #[error("is not a snapshot manifest this version reads ({0})")]
    Snapshot(#[source] serde_json::Error),
    #[error("is not an export manifest this version reads ({0})")]
    Export(#[source] serde_json::Error),
}

impl ManifestError {
    /// The kind the manifest's `format` names, when it names one but the rest does not read.
    pub fn kind(&self) -> Option<ManifestKind> {
        match self {
            ManifestError::Snapshot(_) => Some(ManifestKind::Snapshot),
            ManifestError::Export(_) => Some(ManifestKind::Export),
            ManifestError::NotJson(_) | ManifestError::UnknownFormat(_) => None,
        }
    }
}

/// The `format` field alone, whatever else the manifest holds.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    format: Option<String>,
}

impl ManifestKind {
    /// Which output `bytes` are the manifest of, from their `format` alone.
    pub fn of(bytes: &[u8]) -> Result<ManifestKind, ManifestError> {
        let head: Head = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_data() {
                ManifestError::UnknownFormat(None)
            } else {
                ManifestError::NotJson(e)
            }
        })?;
        match head.format.as_deref() {
            Some(snapshot::FORMAT) => Ok(ManifestKind::Snapshot),
            Some(MANIFEST_FORMAT) => Ok(ManifestKind::Export),
            _ => Err(ManifestError::UnknownFormat(head.format)),
        }
    }
}

impl OutputManifest {
    pub fn read(bytes: &[u8]) -> Result<OutputManifest, ManifestError> {
        Ok(match ManifestKind::of(bytes)? {
            ManifestKind::Snapshot => OutputManifest::Snapshot(Box::new(
                serde_json::from_slice(bytes).map_err(ManifestError::Snapshot)?,
            )),
            ManifestKind::Export => OutputManifest::Export(Box::new(
                serde_json::from_slice(bytes).map_err(ManifestError::Export)?,
            )),
        })
    }

    pub fn kind(&self) -> ManifestKind {
        match self {
            OutputManifest::Snapshot(_) => ManifestKind::Snapshot,
            OutputManifest::Export(_) => ManifestKind::Export,
        }
    }

    /// Every file the manifest lists with its size and SHA-256.
    pub fn files(&self) -> &[FileEntry] {
        match self {
            OutputManifest::Snapshot(m) => &m.files,
            OutputManifest::Export(m) => &m.files,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_format_and_damage_is_named() {
        let snapshot_head = format!(r#"{{"format":"{}"}}"#, snapshot::FORMAT);
        assert_eq!(
            ManifestKind::of(snapshot_head.as_bytes()).unwrap(),
            ManifestKind::Snapshot
        );
        let err = OutputManifest::read(snapshot_head.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), Some(ManifestKind::Snapshot));
        assert!(err.to_string().contains("missing field"), "{err}");

        let export = format!(r#"{{"format":"{MANIFEST_FORMAT}","files":7}}"#);
        let err = OutputManifest::read(export.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), Some(ManifestKind::Export));

        for (bytes, shown) in [
            (&b"{\"format\":"[..], "is not JSON"),
            (b"{\"format\":\"other\"}", "has format Some(\"other\")"),
            (b"{\"format\":3}", "has format None"),
            (b"[]", "has format None"),
        ] {
            let err = OutputManifest::read(bytes).unwrap_err();
            assert!(err.to_string().starts_with(shown), "{err}");
            assert_eq!(err.kind(), None);
        }
    }
}
