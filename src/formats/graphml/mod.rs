//! `graphml/graph.graphml`: the graph as GraphML 1.0, for yEd, Gephi, networkx, igraph and
//! Neo4j's `apoc.import.graphml`.
//!
//! One `<graph edgedefault="directed">` holds the nodes, then the edges, each sorted by `_key`.
//! Every property has a typed `<key>` per domain (see [`keys`]); node and edge ids are NMTOKENs
//! escaped from `_key`s (see [`ids`]); text is XML 1.0 (see [`text`]). The file is streamed:
//! nothing larger than one value is built in memory. Its rules are bundled as
//! `schemas/graphml-profile.json`, which `kb4graph validate` checks.

//!
//! Everything GraphML means to kb4graph lives in this folder, and a change of how GraphML is
//! written, read or checked is made here alone:
//! - `write`: the writer; [`ids`], [`keys`] and [`text`]: how `_key`s become ids, how
//!   properties become typed `<key>`s, and what XML 1.0 can hold;
//! - [`values`]: what text spells a value of each type, for every reader;
//! - `reader`: the one streaming reader of the file, which checks GraphML's own rules, tracks
//!   lines and columns, and reports every problem to a problem sink;
//! - `read`: that reader turned into records for `verify` and `diff`, stopping at the first
//!   problem;
//! - [`check`]: that reader with the bundled profile's rules, for `validate`, collecting every
//!   problem;
//! - [`loss`]: what GraphML cannot carry.

pub mod check;
pub mod ids;
pub mod keys;
pub mod loss;
pub(crate) mod read;
mod reader;
pub mod text;
pub mod values;
mod write;

pub use loss::as_read_back;
pub use write::{
    DOCUMENT_FORMAT, DOCUMENT_VERSION, FILE, GRAPHML_NS, WriteReport, format_value, labels,
    push_double, write, write_document,
};
