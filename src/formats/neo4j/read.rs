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
use std::ops::ControlFlow;
use std::path::Path;

use super::info;
use super::rows::{self, Kind, Row, Rules};
use crate::formats::neo4j::columns::ColumnKind;
use crate::formats::neo4j::dialect::Dialect;
use crate::formats::neo4j::{self as export, FormatInfo};
use crate::formats::problems::{FirstProblem, Location, Problem, ProblemSink};
use crate::model::{Record, RecordKind};
use crate::readback::ReadbackError;

pub fn read(export_dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    let dialect = read_dialect(export_dir)?;
    let mut records = Vec::new();
    for kind in Kind::all().into_iter().flatten() {
        read_csv(export_dir, &kind.file(), kind, &dialect, &mut |r| {
            records.push(r)
        })?;
    }
    Ok(records)
}

/// Records waiting between a file's reader and the merge.
const MERGE_QUEUE: usize = 256;

/// Every record, none held: the node files merged by `_key`, then the relationship files, each
/// file read on a thread of its own. Where each file is in `_key` order, as kb4graph writes
/// them, this is the digest order; a caller that needs that order checks it, and where it
/// does not hold reads the files whole with [`read`]. The first problem, in file order, is the
/// error.
pub fn for_each(export_dir: &Path, emit: &mut dyn FnMut(Record)) -> Result<(), ReadbackError> {
    let dialect = read_dialect(export_dir)?;
    for group in Kind::all() {
        let results = std::thread::scope(|scope| {
            let mut heads = Vec::new();
            let mut readers = Vec::new();
            for kind in group {
                let (send, receive) = std::sync::mpsc::sync_channel::<Record>(MERGE_QUEUE);
                let dialect = &dialect;
                readers.push(scope.spawn(move || {
                    // A closed receiver means the merge has ended: nothing more to send.
                    read_csv(export_dir, &kind.file(), kind, dialect, &mut |r| {
                        let _ = send.send(r);
                    })
                }));
                heads.push((receive.recv().ok(), receive));
            }
            merge(&mut heads, emit);
            readers
                .into_iter()
                .map(|reader| {
                    reader.join().unwrap_or_else(|_| {
                        Err(ReadbackError::Io {
                            path: export_dir.join(export::DIR),
                            source: std::io::Error::other("a file's reader stopped unexpectedly"),
                        })
                    })
                })
                .collect::<Vec<_>>()
        });
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
    }
    Ok(())
}

/// Emits the least head by `_key` until every queue is drained (ties: the earlier file).
fn merge(
    heads: &mut [(Option<Record>, std::sync::mpsc::Receiver<Record>)],
    emit: &mut dyn FnMut(Record),
) {
    loop {
        let least = heads
            .iter()
            .enumerate()
            .filter_map(|(i, (head, _))| head.as_ref().map(|r| (i, r)))
            .min_by(|(i, a), (j, b)| a.key.as_bytes().cmp(b.key.as_bytes()).then(i.cmp(j)))
            .map(|(i, _)| i);
        let Some(i) = least else {
            return;
        };
        let (head, queue) = &mut heads[i];
        if let Some(record) = std::mem::replace(head, queue.recv().ok()) {
            emit(record);
        }
    }
}

fn read_dialect(export_dir: &Path) -> Result<Dialect, ReadbackError> {
    let mut first = FirstProblem::default();
    let info = info::read(export_dir, &mut first).map_err(|source| ReadbackError::Io {
        path: export_dir.join(export::FORMAT_FILE),
        source,
    })?;
    if let Some(problem) = first.0 {
        return Err(invalid(problem));
    }
    // Only a format file with a dialect passes `info::read` without a problem.
    info.as_ref().and_then(FormatInfo::dialect).ok_or_else(|| {
        ReadbackError::Invalid(Problem::new(
            export::FORMAT_FILE,
            Location::Pointer {
                pointer: "/arrayDelimiter".into(),
                line: None,
            },
            "no dialect kb4graph writes",
        ))
    })
}

fn invalid(problem: Problem) -> ReadbackError {
    ReadbackError::Invalid(problem)
}

fn read_csv(
    export_dir: &Path,
    file: &str,
    kind: Kind,
    dialect: &Dialect,
    records: &mut dyn FnMut(Record),
) -> Result<(), ReadbackError> {
    let data = crate::compress::DataFile::find(export_dir, file);
    let io = |source| ReadbackError::Io {
        path: data.path.clone(),
        source,
    };
    let input = data.open().map_err(io)?;
    let mut builder = Builder {
        file,
        kind,
        records,
    };
    let mut first = FirstProblem::default();
    rows::read(input, file, kind, dialect, &mut builder, &mut first).map_err(io)?;
    match first.0 {
        Some(problem) => Err(invalid(problem)),
        None => Ok(()),
    }
}

/// Builds a record of each row, with what a record needs that the shared reader does not
/// ask of every row: the file's `_type`, and a key and ends.
struct Builder<'a> {
    file: &'a str,
    kind: Kind,
    records: &'a mut dyn FnMut(Record),
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
        (self.records)(Record {
            kind: record_kind,
            key,
            type_name: kind.type_name().to_owned(),
            properties,
        });
        ControlFlow::Continue(())
    }
}
