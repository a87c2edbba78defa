//! Exporters: the graph written to disk in the formats graph tools read.
//!
//! Each format's writer lives in its folder under [`crate::formats`], and [`Format::write`]
//! chooses it. Every export goes through one [`Bundle`]: files are staged, hashed while written and moved
//! into place only when all are complete, with `manifest.json` and `SHA256SUMS` beside them.
//!
//! Data files hold only what the snapshot fixes, so the same snapshot always gives the same
//! bytes; volatile facts (when the export ran, which kb4graph made it) live in `manifest.json`.

mod bundle;
mod error;
mod manifest;
mod meta;
mod sink;

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
pub use meta::{AccountSnapshot, DamagedPage, SnapshotInfo};

use crate::compress::Compression;
use crate::formats::Loss;
use crate::model::{Graph, GraphDigest, Record, canonical};

/// Settings some exporters take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The namespace of instance IRIs in RDF exports; see [`crate::formats::rdf::DEFAULT_BASE_IRI`].
    pub base_iri: String,
    /// Export a snapshot whose pages are not all usable, leaving those out and listing them in
    /// the manifest (`snapshot.damagedPages`). Off: such a snapshot is refused.
    pub allow_damaged: bool,
    /// How the data files are written (scripts and `format.json` stay plain text).
    pub compression: Compression,
    /// What every entity carries as `tag.AccountName`.
    pub account_tag: AccountTag,
}

/// The `tag.AccountName` of an export's entities.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AccountTag {
    /// The name the snapshot was fetched under (`fetch --account-name`), else the account's own.
    #[default]
    Snapshot,
    /// This name (`export --account-name`).
    Name(String),
    /// None at all (`export --no-account-tag`).
    Off,
}

impl AccountTag {
    /// Tags `graph`, which `normalize` tagged as [`AccountTag::Snapshot`] says.
    pub fn apply(&self, graph: &mut Graph) {
        match self {
            AccountTag::Snapshot => {}
            AccountTag::Name(name) => graph.set_account_tag(Some(name)),
            AccountTag::Off => graph.set_account_tag(None),
        }
    }
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            base_iri: crate::formats::rdf::DEFAULT_BASE_IRI.to_owned(),
            allow_damaged: false,
            compression: Compression::None,
            account_tag: AccountTag::Snapshot,
        }
    }
}

/// The graph's digest, and per format the digest of what its files hold (its [`Loss`]'s read-back
/// form), in one pass over the graph.
fn digests(graph: &Graph, formats: &[Format]) -> (GraphDigest, BTreeMap<String, String>) {
    let mut losses: Vec<Loss> = formats.iter().map(|f| f.loss()).collect();
    losses.push(Loss::Nothing);
    losses.sort_unstable();
    losses.dedup();
    let read_back: Vec<fn(Record) -> Record> = losses.iter().map(|l| l.read_back()).collect();
    let carriers: Vec<canonical::Carrier<'_>> = read_back
        .iter()
        .zip(&losses)
        .map(|(f, loss)| canonical::Carrier {
            read_back: f,
            may_change: loss.may_change(),
        })
        .collect();
    let computed = canonical::digest_forms(graph, &carriers);
    let of = |loss: Loss| &computed[losses.iter().position(|&l| l == loss).unwrap_or(0)];
    let per_format = formats
        .iter()
        .map(|&f| (f.name().to_owned(), of(f.loss()).sha256.clone()))
        .collect();
    (of(Loss::Nothing).clone(), per_format)
}

/// Writes each of `formats` into `bundle`, as many at once as there are cores. On an error
/// no further format is started; the error of the first failed format (in `formats`' order)
/// is returned.
fn write_formats(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    formats: &[Format],
    options: &ExportOptions,
    bundle: &Bundle,
) -> Result<(), ExportError> {
    crate::parallel::map_on_cores(formats, Result::is_err, |format| {
        format.write(graph, snapshot, options, bundle)
    })
    .into_iter()
    .collect()
}

/// Writes `formats` of `graph` into `out_dir` through one bundle and returns the files written.
///
/// The formats are written at once, one per core, from the one immutable graph, while another
/// thread computes the digests; each file is hashed and written by a thread of its own.
pub fn export(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    formats: &[Format],
    options: &ExportOptions,
    out_dir: &Path,
) -> Result<Vec<ExportedFile>, ExportError> {
    let mut bundle = Bundle::create(out_dir)?;
    bundle.set_compression(options.compression);
    let bundle = bundle;
    let ((graph_digest, format_digests), written) = std::thread::scope(|scope| {
        let digesting = std::thread::Builder::new()
            .name("kb4graph-digest".into())
            .spawn_scoped(scope, || digests(graph, formats));
        let written = write_formats(graph, snapshot, formats, options, &bundle);
        let digests = match digesting {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to spare: computed here instead.
            Err(_) => digests(graph, formats),
        };
        (digests, written)
    });
    written?;
    let rdf = formats.iter().any(|f| f.rdf_syntax().is_some());
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
        compression: options.compression,
        files: files.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{MemorySource, normalize};

    /// Users whose arrays and strings each loss acts on, and one none acts on.
    fn graph() -> Graph {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": "Acme", "type": "paid"}));
        source.add_page(
            "users/active",
            &json!([
                {"id": 1, "first_name": "Plain", "status": "active", "groups": [7],
                 "aliases": ["a@x.example"]},
                {"id": 2, "first_name": "Bell\u{7}", "status": "active", "groups": [8, 7],
                 "aliases": [""]},
                {"id": 3, "first_name": "Sorted", "status": "active", "groups": [],
                 "aliases": ["b@x.example", "a@x.example", "a@x.example"]},
                {"id": 4, "first_name": "Uffff\u{FFFF}", "status": "active", "groups": [7],
                 "aliases": []}
            ]),
        );
        source.add_page(
            "groups/active",
            &json!([{"id": 7, "name": "Ops", "group_type": "console_group"},
                    {"id": 8, "name": "Dev\u{1}", "group_type": "console_group"}]),
        );
        normalize(&source).0
    }

    #[test]
    fn one_pass_gives_each_loss_the_digest_it_gives_alone() {
        let graph = graph();
        let (graph_digest, per_format) = digests(&graph, &Format::ALL);
        assert_eq!(graph_digest, canonical::digest(&graph));
        for format in Format::ALL {
            let alone = canonical::digest_of(&graph, format.loss().read_back());
            assert_eq!(per_format[format.name()], alone.sha256, "{format}");
        }
        // Every loss acted on this graph, so none of its digests is the graph's.
        for loss in [Format::Neo4j, Format::GraphMl, Format::NTriples] {
            assert_ne!(per_format[loss.name()], graph_digest.sha256, "{loss}");
        }
    }

    /// The formats read record by record hand over exactly the records of a whole read, in
    /// digest order (so `verify` holds none of them), gzip or not.
    #[test]
    fn streamed_records_are_the_whole_read_in_digest_order() {
        let graph = graph();
        let snapshot = SnapshotInfo {
            site: None,
            base_url: "http://127.0.0.1:9".into(),
            manifest_sha256: "0".repeat(64),
            fetched_at: "2026-01-01T00:00:00.000Z".into(),
            complete: true,
            damaged_pages: Vec::new(),
            inconsistencies: Vec::new(),
            accounts: Vec::new(),
        };
        let formats = [Format::Json, Format::Neo4j, Format::GraphMl];
        for compression in [Compression::None, Compression::Gzip] {
            let dir = tempfile::tempdir().unwrap();
            let options = ExportOptions {
                compression,
                ..ExportOptions::default()
            };
            export(&graph, &snapshot, &formats, &options, dir.path()).unwrap();
            let read = crate::readback::ReadOptions::default();
            for format in formats {
                let mut streamed = Vec::new();
                format
                    .for_each_record(dir.path(), &read, &mut |r| streamed.push(r))
                    .unwrap();
                let mut whole = format.read_records(dir.path(), &read).unwrap();
                whole.sort_by(crate::model::Record::canonical_cmp);
                assert_eq!(streamed, whole, "{format} {compression:?}");
                let mut writer = canonical::DigestWriter::new();
                for record in &streamed {
                    writer.push(record).unwrap();
                }
                assert!(streamed.len() > graph.entity_count(), "{format}");
            }
        }
    }
}
