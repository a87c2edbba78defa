//! Exporters: the graph written to disk in the formats graph tools read.
//!
//! Each format implements [`Exporter`]; [`Format`] is the closed list the command line offers.
//! Every export goes through one [`Bundle`]: files are staged, hashed while written and moved
//! into place only when all are complete, with `manifest.json` and `SHA256SUMS` beside them.
//!
//! Data files hold only what the snapshot fixes, so the same snapshot always gives the same
//! bytes; volatile facts (when the export ran, which kb4graph made it) live in `manifest.json`.

mod bundle;
mod error;
mod manifest;
mod meta;

use std::collections::BTreeMap;
use std::path::Path;

pub use crate::formats::{Format, ParseFormatError, parse_formats};
pub use bundle::{
    Bundle, BundleFile, ExportedFile, MANIFEST_FILE, SUMS_FILE, is_staging, staging_owner,
};
pub use error::ExportError;
pub use manifest::{
    ExportManifest, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, ManifestError, ManifestKind,
    OutputManifest,
};
pub use meta::{DamagedPage, SnapshotInfo, account_name};

use crate::model::{Graph, GraphDigest, canonical};

/// Settings some exporters take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The namespace of instance IRIs in RDF exports; see [`crate::formats::rdf::DEFAULT_BASE_IRI`].
    pub base_iri: String,
    /// Export a snapshot whose pages are not all usable, leaving those out and listing them in
    /// the manifest (`snapshot.damagedPages`). Off: such a snapshot is refused.
    pub allow_damaged: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            base_iri: crate::formats::rdf::DEFAULT_BASE_IRI.to_owned(),
            allow_damaged: false,
        }
    }
}

/// Writes one format of a graph into a bundle.
pub trait Exporter {
    fn format(&self) -> Format;
    fn write(
        &self,
        graph: &Graph,
        snapshot: &SnapshotInfo,
        bundle: &mut Bundle,
    ) -> Result<(), ExportError>;
}

/// The graph's digest, and per format the digest of what its files hold (see the `as_read_back`
/// of each exporter), in one pass over the graph.
fn digests(graph: &Graph, formats: &[Format]) -> (GraphDigest, BTreeMap<String, String>) {
    let identity = |r| r;
    let forms: [canonical::Form<'_>; 4] = [
        &identity,
        &crate::formats::graphml::as_read_back,
        &crate::formats::neo4j::as_read_back,
        &crate::formats::rdf::as_read_back,
    ];
    let form_of = |format: Format| match format {
        Format::Json => 0,
        Format::GraphMl => 1,
        Format::Neo4j => 2,
        Format::NTriples | Format::Turtle | Format::NQuads => 3,
    };
    let mut wanted: Vec<usize> = formats.iter().map(|&f| form_of(f)).collect();
    wanted.push(0);
    wanted.sort_unstable();
    wanted.dedup();
    let chosen: Vec<canonical::Form<'_>> = wanted.iter().map(|&i| forms[i]).collect();
    let computed = canonical::digest_forms(graph, &chosen);
    let of = |i: usize| &computed[wanted.iter().position(|&w| w == i).unwrap_or(0)];
    let per_format = formats
        .iter()
        .map(|&f| (f.name().to_owned(), of(form_of(f)).sha256.clone()))
        .collect();
    (of(0).clone(), per_format)
}

/// Writes `formats` of `graph` into `out_dir` through one bundle and returns the files written.
pub fn export(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    formats: &[Format],
    options: &ExportOptions,
    out_dir: &Path,
) -> Result<Vec<ExportedFile>, ExportError> {
    let mut bundle = Bundle::create(out_dir)?;
    let (graph_digest, format_digests) = digests(graph, formats);
    let rdf = formats
        .iter()
        .any(|f| matches!(f, Format::NTriples | Format::Turtle | Format::NQuads));
    for format in formats {
        format
            .exporter(options)
            .write(graph, snapshot, &mut bundle)?;
    }
    bundle.finish(|files| ExportManifest {
        format: MANIFEST_FORMAT.to_owned(),
        format_version: MANIFEST_FORMAT_VERSION,
        tool: env!("CARGO_PKG_NAME").to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: crate::timefmt::format_system_time(std::time::SystemTime::now()),
        snapshot: snapshot.clone(),
        formats: formats.iter().map(|f| f.name().to_owned()).collect(),
        base_iri: rdf.then(|| options.base_iri.clone()),
        graph: Some(graph_digest.clone()),
        format_digests: format_digests.clone(),
        files: files.to_vec(),
    })
}
