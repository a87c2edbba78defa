//! The export formats, each in its own folder with everything it means: its writer, the reader
//! that reads its files back, and the checker that holds them to its schema. [`Format`] is the
//! closed list the command line offers, and every fact that differs by format is one of its
//! methods, so adding a format is one new folder and one new arm of each.

pub mod graphml;
pub mod json;
pub(crate) mod key_index;
pub mod neo4j;
pub mod problems;
pub mod rdf;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::export::{Bundle, ExportError, ExportOptions, SnapshotInfo};
use crate::model::Graph;
use crate::model::Record;
use crate::readback::{ReadOptions, ReadbackError};
use crate::validate::{FormatReport, ValidateError};

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
            Format::Neo4j => neo4j::DIR,
            Format::GraphMl => "graphml",
            Format::NTriples | Format::Turtle | Format::NQuads => "rdf",
        }
    }

    /// The RDF syntax of an RDF format.
    pub const fn rdf_syntax(self) -> Option<rdf::Syntax> {
        match self {
            Format::NTriples => Some(rdf::Syntax::NTriples),
            Format::Turtle => Some(rdf::Syntax::Turtle),
            Format::NQuads => Some(rdf::Syntax::NQuads),
            Format::Json | Format::Neo4j | Format::GraphMl => None,
        }
    }

    /// Writes this format of `graph` into `bundle`.
    pub fn write(
        self,
        graph: &Graph,
        snapshot: &SnapshotInfo,
        options: &ExportOptions,
        bundle: &Bundle,
    ) -> Result<(), ExportError> {
        match self {
            Format::Json => json::write(graph, snapshot, bundle),
            Format::Neo4j => neo4j::write(graph, bundle),
            Format::GraphMl => graphml::write(graph, snapshot, bundle),
            Format::NTriples | Format::Turtle | Format::NQuads => {
                let syntax = self.rdf_syntax().unwrap_or(rdf::Syntax::NTriples);
                rdf::write(graph, snapshot, syntax, &options.base_iri, bundle)
            }
        }
    }

    /// Every entity and relationship this format's files in `export_dir` hold, in no particular
    /// order (see [`crate::model::canonical::digest_records`]).
    pub fn read_records(
        self,
        export_dir: &Path,
        options: &ReadOptions,
    ) -> Result<Vec<Record>, ReadbackError> {
        match self {
            Format::Json => json::read::read(export_dir),
            Format::Neo4j => neo4j::read::read(export_dir),
            Format::GraphMl => graphml::read::read(export_dir),
            Format::NTriples | Format::Turtle | Format::NQuads => {
                let syntax = self.rdf_syntax().unwrap_or(rdf::Syntax::NTriples);
                rdf::read::read(export_dir, syntax, options)
            }
        }
    }

    /// Hands every record this format's files in `export_dir` hold to `emit`, streamed where the
    /// format allows: JSON and GraphML in file order, Neo4j's files merged by `_key`. RDF's
    /// records are assembled from triples anywhere in a file, so they are read whole first.
    /// Records come in digest order only where the files were written in it: the caller checks.
    pub fn for_each_record(
        self,
        export_dir: &Path,
        options: &ReadOptions,
        emit: &mut dyn FnMut(Record),
    ) -> Result<(), ReadbackError> {
        match self {
            Format::Json => json::read::for_each(export_dir, emit),
            Format::GraphMl => graphml::read::for_each(export_dir, emit),
            Format::Neo4j => neo4j::read::for_each(export_dir, emit),
            _ => {
                self.read_records(export_dir, options)?
                    .into_iter()
                    .for_each(emit);
                Ok(())
            }
        }
    }

    /// This format's files in `dir` checked against its schemas; `None` when `dir` holds none.
    pub fn check(self, dir: &Path) -> Result<Option<FormatReport>, ValidateError> {
        match self {
            Format::Json => json::check::validate(dir),
            Format::Neo4j => neo4j::check::validate(dir),
            Format::GraphMl => graphml::check::validate(dir),
            Format::NTriples | Format::Turtle | Format::NQuads => {
                let syntax = self.rdf_syntax().unwrap_or(rdf::Syntax::NTriples);
                rdf::check::validate(dir, syntax)
            }
        }
    }

    /// The schemas this format is checked against, as (file name, content), for
    /// `kb4graph schemas`. The RDF syntaxes share theirs.
    pub fn schemas(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Format::Json => json::check::SCHEMAS,
            Format::Neo4j => neo4j::check::SCHEMAS,
            Format::GraphMl => graphml::check::SCHEMAS,
            Format::NTriples | Format::Turtle | Format::NQuads => rdf::check::SCHEMAS,
        }
    }

    /// What this format cannot carry.
    pub const fn loss(self) -> Loss {
        match self {
            Format::Json => Loss::Nothing,
            Format::Neo4j => Loss::Neo4jCsv,
            Format::GraphMl => Loss::Xml10,
            Format::NTriples | Format::Turtle | Format::NQuads => Loss::RdfSets,
        }
    }

    /// Where `diff` looks for an export's graph, first found first: the formats that carry
    /// everything before those that lose something, and GraphML, whose loss is of text, last.
    pub const fn read_preference(self) -> u8 {
        match self {
            Format::Json => 0,
            Format::Neo4j => 1,
            Format::NTriples => 2,
            Format::NQuads => 3,
            Format::Turtle => 4,
            Format::GraphMl => 5,
        }
    }
}

/// What a format's files cannot carry of the graph. Each has the form records read back to
/// ([`Loss::read_back`]): the format's digest in a manifest is the digest of that form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Loss {
    /// Everything comes back (JSON).
    Nothing,
    /// A string array holding one empty string reads back empty (see [`neo4j::loss`]).
    Neo4jCsv,
    /// Characters XML 1.0 forbids become U+FFFD (see [`graphml::loss`]).
    Xml10,
    /// Arrays are sets of triples (see [`rdf::loss`]).
    RdfSets,
}

impl Loss {
    /// A record as the format's files give it back.
    pub fn read_back(self) -> fn(Record) -> Record {
        match self {
            Loss::Nothing => std::convert::identity,
            Loss::Neo4jCsv => neo4j::loss::as_read_back,
            Loss::Xml10 => graphml::loss::as_read_back,
            Loss::RdfSets => rdf::loss::as_read_back,
        }
    }

    /// Whether [`Loss::read_back`] may change a record of the graph; false means it reads
    /// back as it is.
    pub fn may_change(self) -> fn(&crate::model::canonical::RecordView<'_>) -> bool {
        match self {
            Loss::Nothing => |_| false,
            Loss::Neo4jCsv => neo4j::loss::may_change,
            Loss::Xml10 => graphml::loss::may_change,
            Loss::RdfSets => rdf::loss::may_change,
        }
    }

    /// What is lost, for messages.
    pub const fn describe(self) -> &'static str {
        match self {
            Loss::Nothing => "nothing",
            Loss::Neo4jCsv => neo4j::loss::DESCRIPTION,
            Loss::Xml10 => graphml::loss::DESCRIPTION,
            Loss::RdfSets => rdf::loss::DESCRIPTION,
        }
    }

    /// How many of `records`, as read back, the loss may have changed: where none, they are
    /// the graph itself.
    pub fn may_have_changed(self, records: &[Record]) -> usize {
        let changed: fn(&Record) -> bool = match self {
            Loss::Nothing => |_| false,
            Loss::Neo4jCsv => neo4j::loss::may_have_changed,
            Loss::Xml10 => graphml::loss::may_have_changed,
            Loss::RdfSets => rdf::loss::may_have_changed,
        };
        records.iter().filter(|r| changed(r)).count()
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{RecordKind, Value};

    fn user(properties: &[(&str, Value)]) -> Record {
        Record {
            kind: RecordKind::Entity,
            key: "knowbe4:user:1".into(),
            type_name: "knowbe4_user".into(),
            properties: properties
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    /// A record each loss leaves alone shows no sign of it; one it may have changed does.
    #[test]
    fn each_loss_is_seen_only_where_it_may_have_acted() {
        let plain = user(&[("name", Value::String("Ann".into()))]);
        let empty = user(&[("tags", Value::StringArray(vec![]))]);
        let replaced = user(&[("name", Value::String("A\u{FFFD}n".into()))]);
        let two = user(&[("tags", Value::StringArray(vec!["a".into(), "b".into()]))]);
        let changed = |format: Format, record: &Record| {
            format.loss().may_have_changed(std::slice::from_ref(record))
        };
        assert_eq!(changed(Format::Json, &empty), 0);
        assert_eq!(changed(Format::Neo4j, &plain), 0);
        assert_eq!(changed(Format::Neo4j, &empty), 1);
        assert_eq!(changed(Format::GraphMl, &plain), 0);
        assert_eq!(changed(Format::GraphMl, &replaced), 1);
        assert_eq!(changed(Format::NTriples, &two), 1);
        for format in Format::ALL {
            let record = format.loss().read_back()(plain.clone());
            assert_eq!(record, plain, "{format:?}");
        }
    }

    #[test]
    fn every_format_has_its_own_place_in_the_read_preference() {
        let mut places: Vec<u8> = Format::ALL.iter().map(|f| f.read_preference()).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), Format::ALL.len());
    }
}
