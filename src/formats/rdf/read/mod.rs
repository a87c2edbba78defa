//! Reads the RDF exports back (`rdf/graph.nt`, `rdf/graph.ttl`, `rdf/graph.nq`; see
//! [`crate::formats::rdf`]), parsed with oxttl and streamed.
//!
//! An entity is a subject typed with its type's class; its properties are typed literals of
//! `kb:<Class>_<name>` (extra properties too, their names percent-encoded), its relationships
//! links `kb:<FromClass>_<class><ToClass>` to other entities. A relationship carrying properties
//! is also a subject of its own class with `kb:key`, `kb:from` and `kb:to`; the others are
//! rebuilt from their links, with `_key` `<from>|<class>|<to>`. In N-Quads only the data graph
//! `<base>graph/<sha256>` is read; the provenance graph beside it is not graph data.
//!
//! What RDF cannot carry: an array is a set of repeated values, so its order and repeated items
//! are lost. The reader gives each array's items sorted by their lexical form (for integers,
//! their decimal text) without repeats, which is how the exporter writes them, whatever the
//! order of the triples in the file. An empty array has no triple and does not come back.

mod subjects;

use std::io::{self, BufReader};
use std::path::Path;

use oxrdf::{GraphName, NamedOrBlankNode, Term, Triple};
use oxttl::{NQuadsParser, NTriplesParser, TurtleParseError, TurtleParser};

use crate::formats::Format;
use crate::formats::rdf::Syntax;
use crate::model::Record;
use crate::readback::{ReadOptions, ReadbackError};
use subjects::Subjects;

/// A triple that cannot be read, and why.
pub(super) struct Fail {
    pub location: String,
    pub message: String,
}

/// At most this many characters of a triple are quoted in a location.
const QUOTED: usize = 200;

/// A triple as an error's location, shortened.
pub(super) fn triple_location(t: &Triple) -> String {
    let text = t.to_string();
    let mut cut: String = text.chars().take(QUOTED).collect();
    if cut.len() < text.len() {
        cut.push_str("...");
    }
    format!("triple {cut}")
}

pub fn read(
    export_dir: &Path,
    format: Format,
    options: &ReadOptions,
) -> Result<Vec<Record>, ReadbackError> {
    let syntax = match format {
        Format::NTriples => Syntax::NTriples,
        Format::Turtle => Syntax::Turtle,
        Format::NQuads => Syntax::NQuads,
        other => {
            return Err(ReadbackError::Invalid {
                file: String::new(),
                location: String::new(),
                message: format!("{other} is not an RDF format"),
            });
        }
    };
    let shown = syntax.file();
    let path = export_dir.join(shown);
    let io_err = |source: io::Error| ReadbackError::Io {
        path: path.clone(),
        source,
    };
    let invalid = |f: Fail| ReadbackError::Invalid {
        file: shown.to_owned(),
        location: f.location,
        message: f.message,
    };
    let parse_err = |e: TurtleParseError| match e {
        TurtleParseError::Io(e) => io_err(e),
        TurtleParseError::Syntax(e) => {
            let start = e.location().start;
            ReadbackError::Invalid {
                file: shown.to_owned(),
                location: format!("line {}, column {}", start.line + 1, start.column + 1),
                message: format!("not valid {}: {}", format.name(), e.message()),
            }
        }
    };
    let file = crate::files::open_regular(&path).map_err(io_err)?;
    let input = BufReader::with_capacity(1 << 16, file);
    let mut subjects = Subjects::new(&options.base_iri);
    match syntax {
        Syntax::NTriples => {
            for triple in NTriplesParser::new().for_reader(input) {
                subjects.add(triple.map_err(parse_err)?).map_err(invalid)?;
            }
        }
        Syntax::Turtle => {
            for triple in TurtleParser::new().for_reader(input) {
                subjects.add(triple.map_err(parse_err)?).map_err(invalid)?;
            }
        }
        Syntax::NQuads => {
            let mut graphs = Graphs::new(&options.base_iri);
            for quad in NQuadsParser::new().for_reader(input) {
                let quad = quad.map_err(parse_err)?;
                let (triple, graph) = (Triple::from(quad.clone()), quad.graph_name);
                if graphs.is_data(&graph, &triple).map_err(invalid)? {
                    subjects.add(triple).map_err(invalid)?;
                }
            }
        }
    }
    subjects.finish().map_err(invalid)
}

/// The named graphs of an N-Quads export: one data graph, one provenance graph.
struct Graphs {
    prefix: String,
    data: Option<String>,
}

impl Graphs {
    fn new(base: &str) -> Graphs {
        Graphs {
            prefix: format!("{base}graph/"),
            data: None,
        }
    }

    /// Whether a quad is in the data graph (else in the provenance graph).
    fn is_data(&mut self, graph: &GraphName, triple: &Triple) -> Result<bool, Fail> {
        let fail = |message: String| Fail {
            location: triple_location(triple),
            message,
        };
        let GraphName::NamedNode(name) = graph else {
            return Err(fail(format!(
                "a quad outside the named graphs {}<sha256> and {}<sha256>/provenance",
                self.prefix, self.prefix
            )));
        };
        let name = name.as_str();
        let Some(tail) = name.strip_prefix(&self.prefix) else {
            return Err(fail(format!(
                "graph <{name}> is neither the data graph {}<sha256> nor its provenance graph",
                self.prefix
            )));
        };
        let (sha, provenance) = match tail.strip_suffix("/provenance") {
            Some(sha) => (sha, true),
            None => (tail, false),
        };
        if sha.is_empty() || sha.contains('/') {
            return Err(fail(format!(
                "graph <{name}> is neither the data graph {}<sha256> nor its provenance graph",
                self.prefix
            )));
        }
        match &self.data {
            Some(data) if data != sha => Err(fail(format!(
                "graph <{name}> belongs to another snapshot than graph <{}{data}>: an export \
                 holds one data graph",
                self.prefix
            ))),
            Some(_) => Ok(!provenance),
            None => {
                self.data = Some(sha.to_owned());
                Ok(!provenance)
            }
        }
    }
}

/// The IRI of a subject or object, or why it is not one.
pub(super) fn named_subject(s: &NamedOrBlankNode) -> Result<&str, String> {
    match s {
        NamedOrBlankNode::NamedNode(n) => Ok(n.as_str()),
        NamedOrBlankNode::BlankNode(_) => Err("a blank node: an export has none".to_owned()),
    }
}

pub(super) fn object_kind(o: &Term) -> &'static str {
    match o {
        Term::NamedNode(_) => "an IRI",
        Term::Literal(_) => "a literal",
        _ => "neither an IRI nor a literal",
    }
}
