//! `json/graph.json`: the graph as one document of JupiterOne-style entities and relationships,
//! the format every other one is compared with.
//!
//! Everything the JSON export means lives in this folder, and a change of how it is written,
//! read or checked is made here alone:
//! - `write`: the writer;
//! - `stream`: the one streaming pass over the file that both of the next two are rules on: the
//!   JSON syntax, the document's members, a name given twice, the metadata's counts, and the
//!   line every problem is on;
//! - `read`: the records read back from the file, for `verify` and `diff`, stopping at the
//!   first problem;
//! - [`mapped`]: JupiterOne's mapped-relationship form of `knowbe4_user IS Person`, written
//!   after the relationships and checked by the pass;
//! - [`check`]: the file checked against the bundled JSON Schema, which [`schema`] generates
//!   from the property table, and for unique keys and relationship ends, listing every problem.

pub mod check;
pub mod mapped;
pub(crate) mod read;
pub mod schema;
mod stream;
mod write;

pub use write::{DOCUMENT_FORMAT, DOCUMENT_VERSION, FILE, write, write_document};
