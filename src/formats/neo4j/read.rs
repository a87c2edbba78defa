//! Reads the `neo4j/` CSV files back into records, for `verify` and `diff`.
//!
//! `format.json` gives the dialect; each node and relationship file is read by the shared
//! reader ([`super::rows`]: syntax, header, typed values), which stops at the first problem it
//! or these rules find. What is left here is building records: `_key:ID` is a node's key;
//! `:START_ID`, `:END_ID` and the `_key` column are a relationship's ends and key. `:LABEL` and
//! `:TYPE` are left out: they follow from `_type`, which must be the file's type.
//!
//! What the format cannot carry: a string array holding one empty string is written `""`, as
//! an empty array is (neo4j-admin has no other spelling for either), and reads back as the
//! empty array, as Neo4j reads it. Everything else comes back exactly: an empty unquoted field
//! is a null (no property), `""` an empty string.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::Path;

use super::rows::{self, Kind, Row, Rules};
use crate::formats::neo4j::columns::{self, ColumnKind};
use crate::formats::neo4j::dialect::{DELIMITER, Dialect};
use crate::formats::neo4j::{self as export, FormatInfo};
use crate::formats::problems::{FirstProblem, Problem, ProblemSink};
use crate::model::{EntityType, Record, RecordKind, RelationshipType};
use crate::readback::ReadbackError;

/// `format.json` is a few hundred bytes; a larger one is not kb4graph's.
const MAX_FORMAT_FILE: u64 = 1 << 20;

pub fn read(export_dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    let dialect = read_dialect(export_dir)?;
    let mut records = Vec::new();
    for ty in EntityType::ALL {
        let file = format!("{}/{}", export::DIR, columns::node_file(ty));
        read_csv(export_dir, &file, Kind::Node(ty), &dialect, &mut records)?;
    }
    for ty in RelationshipType::ALL {
        let file = format!("{}/{}", export::DIR, columns::relationship_file(ty));
        read_csv(
            export_dir,
            &file,
            Kind::Relationship(ty),
            &dialect,
            &mut records,
        )?;
    }
    Ok(records)
}

fn invalid(file: &str, location: String, message: String) -> ReadbackError {
    ReadbackError::Invalid {
        file: file.to_owned(),
        location,
        message,
    }
}

fn read_dialect(export_dir: &Path) -> Result<Dialect, ReadbackError> {
    let file = export::FORMAT_FILE;
    let path = export_dir.join(file);
    let io = |source| ReadbackError::Io {
        path: path.clone(),
        source,
    };
    let opened = crate::files::open_regular(&path).map_err(io)?;
    let size = opened.metadata().map_err(io)?.len();
    if size > MAX_FORMAT_FILE {
        return Err(invalid(
            file,
            "/".into(),
            format!("{size} bytes: not a kb4graph Neo4j format file"),
        ));
    }
    let bytes = crate::files::read_expected(opened, MAX_FORMAT_FILE).map_err(io)?;
    let info: FormatInfo = serde_json::from_slice(&bytes).map_err(|e| {
        invalid(
            file,
            format!("line {}, column {}", e.line(), e.column()),
            format!("not a kb4graph Neo4j format file: {e}"),
        )
    })?;
    if info.format != export::FORMAT_NAME || info.format_version != export::FORMAT_VERSION {
        return Err(invalid(
            file,
            "/format".into(),
            format!(
                "{:?} version {} is not {:?} version {}",
                info.format,
                info.format_version,
                export::FORMAT_NAME,
                export::FORMAT_VERSION
            ),
        ));
    }
    if info.delimiter != DELIMITER.to_string() {
        return Err(invalid(
            file,
            "/delimiter".into(),
            format!(
                "delimiter {:?}: kb4graph writes {DELIMITER:?}",
                info.delimiter
            ),
        ));
    }
    match info.dialect() {
        Some(d) if ![DELIMITER, '"', '\n', '\r'].contains(&d.array_delimiter) => Ok(d),
        _ => Err(invalid(
            file,
            "/arrayDelimiter".into(),
            format!(
                "array delimiter {:?} with quoting {:?} is not a dialect kb4graph writes",
                info.array_delimiter, info.quoting
            ),
        )),
    }
}

fn read_csv(
    export_dir: &Path,
    file: &str,
    kind: Kind,
    dialect: &Dialect,
    records: &mut Vec<Record>,
) -> Result<(), ReadbackError> {
    let path = export_dir.join(file);
    let io = |source| ReadbackError::Io {
        path: path.clone(),
        source,
    };
    let input = BufReader::with_capacity(1 << 16, crate::files::open_regular(&path).map_err(io)?);
    let mut builder = Builder {
        file,
        kind,
        records,
    };
    let mut first = FirstProblem::default();
    rows::read(input, file, kind, dialect, &mut builder, &mut first).map_err(io)?;
    match first.0 {
        Some(problem) => Err(ReadbackError::Invalid {
            file: problem.file,
            location: problem.location.to_string(),
            message: problem.message,
        }),
        None => Ok(()),
    }
}

/// Builds a record of each row, with what a record needs that the shared reader does not
/// ask of every row: the file's `_type`, and a key and ends.
struct Builder<'a> {
    file: &'a str,
    kind: Kind,
    records: &'a mut Vec<Record>,
}

impl Rules for Builder<'_> {
    fn row(&mut self, row: &Row<'_>, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        let mut key = None;
        let mut from = None;
        let mut to = None;
        let mut properties = BTreeMap::new();
        let report = |sink: &mut dyn ProblemSink, at, message| {
            sink.report(Problem::new(self.file, at, message))
        };
        for (i, (column, text)) in row.columns.iter().zip(&row.texts).enumerate() {
            let required = |what: &str| format!("{what} is required");
            match (column.kind, column.name.as_str(), *text) {
                (ColumnKind::Label | ColumnKind::Type, _, _) => {}
                (ColumnKind::Id, _, None) => report(sink, row.at(i), required("_key"))?,
                (ColumnKind::Id, _, Some(t)) => key = Some(t.to_owned()),
                (ColumnKind::StartId | ColumnKind::EndId, _, None) => {
                    report(sink, row.at(i), required(&column.header()))?
                }
                (ColumnKind::StartId, _, Some(t)) => from = Some(t.to_owned()),
                (ColumnKind::EndId, _, Some(t)) => to = Some(t.to_owned()),
                (ColumnKind::Property(_), "_type", text) => {
                    let want = self.kind.type_name();
                    if text != Some(want) {
                        let message = format!(
                            "_type {:?}, but the model says {want:?}",
                            text.unwrap_or("")
                        );
                        report(sink, row.at(i), message)?;
                    }
                }
                (ColumnKind::Property(_), "_key", None) => {
                    report(sink, row.at(i), required("_key"))?
                }
                (ColumnKind::Property(_), "_key", Some(t)) => key = Some(t.to_owned()),
                (ColumnKind::Property(_), name, _) => {
                    if let Some(value) = &row.values[i] {
                        properties.insert(name.to_owned(), value.clone());
                    }
                }
            }
        }
        let missing = |what: &str| format!("the header has no {what} column");
        let (Some(key), kind) = (key, self.kind) else {
            return report(sink, row.at(0), missing("_key"));
        };
        let record_kind = match kind {
            Kind::Node(_) => RecordKind::Entity,
            Kind::Relationship(_) => match (from, to) {
                (Some(from), Some(to)) => RecordKind::Relationship { from, to },
                (None, _) => return report(sink, row.at(0), missing(":START_ID")),
                (_, None) => return report(sink, row.at(0), missing(":END_ID")),
            },
        };
        self.records.push(Record {
            kind: record_kind,
            key,
            type_name: kind.type_name().to_owned(),
            properties,
        });
        ControlFlow::Continue(())
    }
}
