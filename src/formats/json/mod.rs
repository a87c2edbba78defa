//! `json/graph.json`: the graph as one document of JupiterOne-style entities and relationships,
//! the format every other one is compared with.
//!
//! Everything the JSON export means lives in this folder, and a change of how it is written,
//! read or checked is made here alone:
//! - [`write`]: the writer;
//! - `read`: the records read back from the file, for `verify` and `diff`;
//! - [`check`]: the file checked against the bundled JSON Schema, which [`schema`] generates
//!   from the property table.

pub mod check;
pub(crate) mod read;
pub mod schema;
mod write;

pub use write::{DOCUMENT_FORMAT, DOCUMENT_VERSION, FILE, JsonExporter, write_document};
