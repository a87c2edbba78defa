//! `neo4j/`: the graph as CSV for `neo4j-admin database import` and `LOAD CSV`.
//!
//! ```text
//! neo4j/nodes/<_type>.csv          one per entity type, rows in _key order
//! neo4j/relationships/<_type>.csv  one per relationship type, rows in _key order
//! neo4j/import.sh                  neo4j-admin database import full, every file, the dialect
//! neo4j/load.cypher                constraints, then LOAD CSV per file into a running server
//! neo4j/format.json                the dialect and the row counts, for validators and tools
//! ```
//!
//! Every type has its file, even when empty (a header alone), so the set of files and the
//! import command depend only on the format version. Headers derive from the property table
//! ([`columns`]); how values are spelled is chosen per export ([`dialect`]).

//!
//! Everything the Neo4j export means lives in this folder, and a change of how it is written,
//! read or checked is made here alone:
//! - `write`, with [`columns`], [`dialect`] and `scripts`: the writer;
//! - [`tokenizer`]: CSV fields split the way neo4j-admin splits them, with their lines;
//! - `info`: `format.json` read for both of the next two, and the export's small text files;
//! - `rows`: the one streaming reader of a node or relationship file that both of the next two
//!   are rules on: syntax, the header against the property table, field counts, and each
//!   field typed by [`values`], every problem reported with its line and column;
//! - `read`: the records read back from the files, for `verify` and `diff`, stopping at the
//!   first problem;
//! - [`check`]: the files checked against the property table and Neo4j's own rules (labels,
//!   keys, ends, sort order, row counts, the scripts), listing every problem;
//! - [`loss`]: what the CSV cannot carry.

pub mod check;
pub mod columns;
pub mod dialect;
mod info;
pub mod loss;
pub(crate) mod read;
mod rows;
mod scripts;
pub mod tokenizer;
pub mod values;
mod write;

pub use columns::{ID_SPACE, node_file, relationship_file};
pub use loss::as_read_back;
pub use write::{
    DIR, FORMAT_FILE, FORMAT_NAME, FORMAT_VERSION, FormatInfo, IMPORT_SCRIPT, LOAD_SCRIPT, write,
};
