//! Reads an export back into [`Record`]s, format by format, so that `verify` can recompute the
//! graph digest from the files themselves and `diff` can compare exports.
//!
//! The readers live with their formats under [`crate::formats`] ([`Format::read_records`]
//! chooses); this module holds what their callers share. Each reader turns what its format
//! wrote back into the JSON export's property names and typed values (the property table says
//! which type a declared property has; extra properties are strings), and derives relationship
//! keys where the format does not carry them.

use std::path::{Path, PathBuf};

use crate::formats::Format;
use crate::formats::problems::Problem;
use crate::model::Record;

/// What a reader needs besides the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Namespace of instance IRIs in RDF exports (`base_iri` of the export's manifest).
    pub base_iri: String,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            base_iri: crate::formats::rdf::DEFAULT_BASE_IRI.to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadbackError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The first problem the format's reader found (its file is relative to the export
    /// directory).
    #[error("{}: {}: {}", .0.file, .0.location, .0.message)]
    Invalid(Problem),
}

/// Every entity and relationship the files of `format` in `export_dir` hold, in no particular
/// order (see [`crate::model::canonical::digest_records`]).
pub fn read_records(
    export_dir: &Path,
    format: Format,
    options: &ReadOptions,
) -> Result<Vec<Record>, ReadbackError> {
    format.read_records(export_dir, options)
}
