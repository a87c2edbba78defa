//! Each export format read back and its graph digest recomputed: the files of every format
//! must hold the graph the manifest names.

use std::path::Path;

use super::Problem;
use super::manifest::{MANIFEST_FILE, Parsed};
use crate::export::Format;
use crate::model::GraphDigest;
use crate::model::canonical::digest_records;
use crate::readback::{ReadOptions, read_records};

/// One format's recomputed digest against the one recorded.
#[derive(Debug, Clone)]
pub struct FormatDigest {
    pub format: String,
    /// What the manifest records for this format (the graph's digest when it records none).
    pub recorded: Option<String>,
    /// What the files hold, or why they could not be read back.
    pub computed: Result<GraphDigest, String>,
    /// The recorded digest is the graph's own (the format lost nothing).
    pub lossless: bool,
}

impl FormatDigest {
    pub fn ok(&self) -> bool {
        match (&self.computed, &self.recorded) {
            (Ok(d), Some(r)) => &d.sha256 == r,
            _ => false,
        }
    }
}

/// The graph digest of an export and every format's recomputed one.
#[derive(Debug, Clone)]
pub struct GraphCheck {
    pub graph: Option<GraphDigest>,
    pub formats: Vec<FormatDigest>,
}

impl GraphCheck {
    pub fn ok(&self) -> bool {
        self.formats.iter().all(FormatDigest::ok)
    }

    pub fn problems(&self) -> Vec<Problem> {
        self.formats
            .iter()
            .filter(|f| !f.ok())
            .map(|f| Problem {
                file: format!("{} files", f.format),
                message: match (&f.computed, &f.recorded) {
                    (Err(e), _) => format!("cannot be read back: {e}"),
                    (Ok(_), None) => format!(
                        "the manifest records no digest for {}, so its data cannot be checked",
                        f.format
                    ),
                    (Ok(d), Some(r)) => format!(
                        "hold a graph with digest {} ({} entities, {} relationships), the manifest says {r}",
                        d.sha256, d.entities, d.relationships
                    ),
                },
            })
            .collect()
    }
}

pub fn check(dir: &Path, parsed: &Parsed) -> GraphCheck {
    let options = ReadOptions {
        base_iri: parsed
            .base_iri
            .clone()
            .unwrap_or_else(|| ReadOptions::default().base_iri),
    };
    let graph_sha = parsed.graph.as_ref().map(|g| g.sha256.clone());
    let formats = parsed
        .formats
        .iter()
        .map(|name| {
            let recorded = parsed
                .format_digests
                .get(name)
                .cloned()
                .or_else(|| graph_sha.clone());
            let computed = match Format::ALL.iter().find(|f| f.name() == name) {
                None => Err(format!(
                    "{MANIFEST_FILE} names a format this version does not know"
                )),
                Some(&format) => read_records(dir, format, &options)
                    .map_err(|e| e.to_string())
                    .and_then(|records| digest_records(records).map_err(|e| e.to_string())),
            };
            FormatDigest {
                format: name.clone(),
                lossless: recorded.is_some() && recorded == graph_sha,
                recorded,
                computed,
            }
        })
        .collect();
    GraphCheck {
        graph: parsed.graph.clone(),
        formats,
    }
}
