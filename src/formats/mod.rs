//! The export formats, each in its own folder with everything it means: its writer, the reader
//! that reads its files back, and the checker that holds them to its schema. [`Format`] is the
//! closed list the command line offers, and every fact that differs by format is one of its
//! methods, so adding a format is one new folder and one new arm of each.

pub mod graphml;
pub mod json;
pub mod neo4j;
pub mod problems;
pub mod rdf;

use std::fmt;
use std::str::FromStr;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `json/graph.json`: JupiterOne-style entity and relationship documents.
    Json,
    /// `neo4j/`: typed CSV for `neo4j-admin database import` and `LOAD CSV`.
    Neo4j,
    /// `graphml/graph.graphml`.
    GraphMl,
    /// `rdf/graph.nt`.
    NTriples,
    /// `rdf/graph.ttl`.
    Turtle,
    /// `rdf/graph.nq`: the data in a named graph, provenance in another.
    NQuads,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Json,
        Format::Neo4j,
        Format::GraphMl,
        Format::NTriples,
        Format::Turtle,
        Format::NQuads,
    ];

    /// The name used on the command line and in manifests.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Neo4j => "neo4j",
            Format::GraphMl => "graphml",
            Format::NTriples => "ntriples",
            Format::Turtle => "turtle",
            Format::NQuads => "nquads",
        }
    }

    /// The directory of the export that holds this format's files.
    pub const fn dir(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Neo4j => "neo4j",
            Format::GraphMl => "graphml",
            Format::NTriples | Format::Turtle | Format::NQuads => "rdf",
        }
    }

    pub fn exporter(
        self,
        options: &crate::export::ExportOptions,
    ) -> Box<dyn crate::export::Exporter> {
        match self {
            Format::Json => Box::new(json::JsonExporter),
            Format::Neo4j => Box::new(neo4j::Neo4jExporter),
            Format::GraphMl => Box::new(graphml::GraphMlExporter),
            Format::NTriples => Box::new(rdf::RdfExporter::new(rdf::Syntax::NTriples, options)),
            Format::Turtle => Box::new(rdf::RdfExporter::new(rdf::Syntax::Turtle, options)),
            Format::NQuads => Box::new(rdf::RdfExporter::new(rdf::Syntax::NQuads, options)),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown export format {0:?}: expected json, neo4j, graphml, ntriples, turtle, nquads or all"
)]
pub struct ParseFormatError(String);

/// The formats a `--format` value selects: one name, or `all`.
pub fn parse_formats(s: &str) -> Result<Vec<Format>, ParseFormatError> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return Ok(Format::ALL.to_vec());
    }
    let mut formats = Vec::new();
    for name in s.split(',') {
        let format = name.parse::<Format>()?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats.sort();
    Ok(formats)
}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseFormatError(s.to_owned()))
    }
}
