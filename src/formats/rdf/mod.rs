//! RDF: `rdf/graph.nt` (N-Triples), `rdf/graph.ttl` (Turtle) and `rdf/graph.nq` (N-Quads), in the
//! vocabulary of `schemas/kb4graph.ttl` and checked by the shapes of `schemas/kb4graph.shapes.ttl`.
//!
//! - **IRIs**: an entity is `<base><percent-encoded _key>` (see [`iri`]); a relationship node is
//!   the same over the relationship's `_key`. The base is [`DEFAULT_BASE_IRI`] unless
//!   `--base-iri` says otherwise. There are no blank nodes.
//! - **Entities** are typed with their type's class and their JupiterOne `_class`es, carry
//!   `kb:key` and every property as typed literals (arrays as repeated values), and link to the
//!   entities their relationships point at with one object property per relationship type.
//! - **Relationships carrying properties** (ASSIGNED and COMPLETED, one per enrollment; CONTAINS
//!   with its test summary) are also nodes of their own class with `kb:key`, `kb:from`, `kb:to`
//!   and their properties.
//! - **N-Quads** puts the data in the named graph `<base>graph/<manifest sha256>` and the
//!   export's provenance (PROV-O, DCAT) in `<base>graph/<manifest sha256>/provenance`, written
//!   first. N-Triples and Turtle hold the data graph only.
//! - **Order**: entities in `_key` order, then relationship nodes in `_key` order; each subject's
//!   triples together, sorted by predicate IRI, then IRIs before literals, then the object's
//!   text. Identical triples are written once. The same snapshot gives the same bytes.
//!
//! Everything RDF means to kb4graph lives in this folder, and a change of how it is written,
//! read or checked is made here alone:
//! - `write`, with [`iri`], [`vocab`] and the sorted blocks of `block` and `sink`: the writer;
//! - `read`: the one reader of the three syntaxes (oxttl, one streamed pass, problems to a
//!   [`ProblemSink`](crate::formats::problems::ProblemSink), triples in runs of one subject),
//!   the lexical forms of XSD literals, and the records `verify` and `diff` make of it (reader +
//!   subjects, stopped at the first problem);
//! - [`check`]: what `validate` makes of it (reader + the bundled shapes, every problem listed
//!   up to a cap), and the generators of the bundled ontology and shapes;
//! - [`loss`]: what RDF cannot carry.

mod block;
pub mod check;
pub mod iri;
pub mod loss;
pub(crate) mod read;
mod sink;
pub mod vocab;
mod write;

pub use iri::check_base_iri;
pub use loss::as_read_back;
pub use write::{
    DEFAULT_BASE_IRI, Syntax, XSD_BOOLEAN, XSD_DATE, XSD_DATETIME, XSD_DECIMAL, XSD_DOUBLE,
    XSD_INTEGER, XSD_STRING, data_graph_iri, provenance_graph_iri, write, write_graph, xsd,
};
