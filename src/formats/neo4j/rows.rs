//! The one streaming reader of a node or relationship CSV file, which `read` and `check` share.
//!
//! It owns what every reading of such a file agrees on, and reports it to the caller's
//! [`ProblemSink`] with the line and column the tokenizer tracked: the CSV syntax, the header
//! (neo4j-admin's grammar, the property table's columns, then extra properties `name:string`,
//! camelCase, sorted), each row's field count, and each field's value typed by its column
//! ([`super::values`]). Each row then goes to the caller's [`Rules`] with its texts and values.
//!
//! What a caller adds lives beside it: the checker's cross-row and cross-file rules in `check`,
//! the records in `read`.

use std::io::{self, BufRead};
use std::ops::ControlFlow;

use super::columns::{self, Column, ColumnKind, parse_header_cell};
use super::dialect::{DELIMITER, Dialect, Quoting};
use super::tokenizer::{Next, Record, Tokenizer};
use super::values;
use crate::formats::problems::{Location, Problem, ProblemSink};
use crate::model::{EntityType, RelationshipType, Value, ValueType};

/// What a file holds: the nodes or the relationships of one type.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Node(EntityType),
    Relationship(RelationshipType),
}

impl Kind {
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Node(t) => t.name(),
            Kind::Relationship(t) => t.name(),
        }
    }

    fn table_columns(self) -> Vec<Column> {
        match self {
            Kind::Node(t) => columns::node_columns(t, []),
            Kind::Relationship(t) => columns::relationship_columns(t, []),
        }
    }

    /// Every node file's kind, then every relationship file's, in the order they are read.
    pub fn all() -> [Vec<Kind>; 2] {
        [
            EntityType::ALL.into_iter().map(Kind::Node).collect(),
            RelationshipType::ALL
                .into_iter()
                .map(Kind::Relationship)
                .collect(),
        ]
    }

    /// The file holding this kind, relative to the export directory.
    pub fn file(self) -> String {
        let name = match self {
            Kind::Node(t) => columns::node_file(t),
            Kind::Relationship(t) => columns::relationship_file(t),
        };
        format!("{}/{name}", super::DIR)
    }
}

/// One data row whose field count is the header's.
pub(super) struct Row<'r> {
    /// The line the row starts on.
    pub line: u64,
    pub columns: &'r [Column],
    /// Each column's text; `None` where the field is null (empty, unquoted) or not UTF-8.
    pub texts: Vec<Option<&'r str>>,
    /// Each column's value; `None` where its text is, or where the text is not a value of the
    /// column's type (reported).
    pub values: Vec<Option<Value>>,
}

impl Row<'_> {
    /// Where column `index` (from 0) of the row is.
    pub fn at(&self, index: usize) -> Location {
        text_at(self.line, index + 1)
    }

    /// The index of the property column `name`.
    pub fn property(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name && matches!(c.kind, ColumnKind::Property(_)))
    }

    /// The index of the column of kind `kind`.
    pub fn column(&self, kind: ColumnKind) -> Option<usize> {
        self.columns.iter().position(|c| c.kind == kind)
    }
}

/// What a caller does with each row. `Break` stops the reader.
pub(super) trait Rules {
    fn row(&mut self, row: &Row<'_>, sink: &mut dyn ProblemSink) -> ControlFlow<()>;
}

pub(super) fn text_at(line: u64, column: usize) -> Location {
    Location::Text {
        line,
        column: column as u64,
    }
}

/// Reports under one file name, remembering whether the sink said stop.
struct Reporter<'s> {
    file: &'s str,
    sink: &'s mut dyn ProblemSink,
    stopped: bool,
}

impl Reporter<'_> {
    fn report(&mut self, location: Location, message: String) {
        let flow = self.sink.report(Problem::new(self.file, location, message));
        self.stopped |= flow.is_break();
    }
}

/// Reads one CSV file from `input`, naming it `file` in problems. Returns its row count, or
/// `None` when it has no usable header or the sink said stop. Only an I/O error is an `Err`.
pub(super) fn read(
    input: impl BufRead,
    file: &str,
    kind: Kind,
    dialect: &Dialect,
    rules: &mut impl Rules,
    sink: &mut dyn ProblemSink,
) -> io::Result<Option<u64>> {
    let mut out = Reporter {
        file,
        sink,
        stopped: false,
    };
    let legacy = dialect.quoting == Quoting::Backslash;
    let mut tokenizer = Tokenizer::new(input, DELIMITER as u8, legacy, dialect.multiline);
    let mut rec = Record::default();
    let columns = match tokenizer.next(&mut rec)? {
        Next::Record => match header(&rec, kind, &mut out) {
            Some(columns) if !out.stopped => columns,
            _ => return Ok(None),
        },
        Next::Eof => {
            out.report(Location::Document, "empty: no header".into());
            return Ok(None);
        }
        Next::Error(e) => {
            out.report(text_at(e.line, e.column), e.message);
            return Ok(None);
        }
    };
    let mut rows = 0u64;
    loop {
        let next = tokenizer.next(&mut rec)?;
        if !matches!(next, Next::Eof) {
            rows += 1;
        }
        match next {
            Next::Eof => return Ok(Some(rows)),
            Next::Error(e) => out.report(text_at(e.line, e.column), e.message),
            Next::Record if rec.fields.len() != columns.len() => out.report(
                text_at(rec.line, 1),
                format!(
                    "{} fields, but the header has {}",
                    rec.fields.len(),
                    columns.len()
                ),
            ),
            Next::Record => {
                let row = fields(&rec, &columns, dialect, &mut out);
                if !out.stopped {
                    let flow = rules.row(&row, &mut *out.sink);
                    out.stopped |= flow.is_break();
                }
            }
        }
        if out.stopped {
            return Ok(None);
        }
    }
}

/// The header must be the table's columns, then extra properties (`name:string`, camelCase,
/// sorted). Returns the columns to read rows by, `None` if it is not such a header.
fn header(rec: &Record, kind: Kind, out: &mut Reporter) -> Option<Vec<Column>> {
    let table = kind.table_columns();
    let mut cols = Vec::new();
    let mut ok = true;
    let mut previous_extra: Option<String> = None;
    for i in 0..rec.fields.len() {
        let cell = String::from_utf8_lossy(rec.field(i));
        let at = text_at(rec.line, i + 1);
        if let Err(e) = parse_header_cell(&cell) {
            out.report(at, format!("header: {e}"));
            ok = false;
            continue;
        }
        if let Some(want) = table.get(i) {
            if cell != want.header() {
                out.report(
                    at,
                    format!(
                        "header {cell:?}, but the property table says {:?}",
                        want.header()
                    ),
                );
                ok = false;
            }
            cols.push(want.clone());
            continue;
        }
        let name = cell.strip_suffix(":string").unwrap_or("");
        let camel = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !camel || table.iter().any(|c| c.name == name) {
            out.report(
                at,
                format!("header {cell:?} is neither in the property table nor an extra property (camelCase name:string)"),
            );
            ok = false;
        } else if previous_extra.as_deref().is_some_and(|p| p >= name) {
            out.report(
                at,
                format!("extra property {name:?} is out of order or repeated"),
            );
            ok = false;
        }
        previous_extra = Some(name.to_owned());
        cols.push(Column {
            name: name.to_owned(),
            kind: ColumnKind::Property(ValueType::String),
        });
    }
    if rec.fields.len() < table.len() {
        out.report(
            text_at(rec.line, rec.fields.len() + 1),
            format!("header ends before {:?}", table[rec.fields.len()].header()),
        );
        ok = false;
    }
    ok.then_some(cols)
}

/// Each field's text and value, reporting what is wrong with one alone.
fn fields<'r>(
    rec: &'r Record,
    columns: &'r [Column],
    dialect: &Dialect,
    out: &mut Reporter,
) -> Row<'r> {
    let mut texts = Vec::with_capacity(columns.len());
    let mut values = Vec::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        let f = rec.fields[i];
        let at = || text_at(f.line, i + 1);
        let Ok(text) = std::str::from_utf8(rec.field(i)) else {
            out.report(at(), format!("{}: not UTF-8", c.header()));
            texts.push(None);
            values.push(None);
            continue;
        };
        if dialect.quoting == Quoting::Rfc4180
            && f.quoted
            && (text.ends_with('\\') || text.contains("\\\\") || text.contains("\\\""))
        {
            out.report(
                at(),
                format!(
                    "{}: a quoted value with a backslash escape, which LOAD CSV misreads; \
                     this export needs quoting \"backslash\"",
                    c.header()
                ),
            );
        }
        if text.is_empty() && !f.quoted {
            texts.push(None);
            values.push(None);
            continue;
        }
        match values::parse(text, f.quoted, c.value_type(), dialect.array_delimiter) {
            Ok(value) => values.push(Some(value)),
            Err(e) => {
                out.report(at(), format!("{}: {e}", c.header()));
                values.push(None);
            }
        }
        texts.push(Some(text));
    }
    Row {
        line: rec.line,
        columns,
        texts,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::problems::{Collected, FirstProblem};

    /// Keeps the values of each row the reader hands on.
    #[derive(Default)]
    struct Kept(Vec<Vec<Option<Value>>>);

    impl Rules for Kept {
        fn row(&mut self, row: &Row<'_>, _: &mut dyn ProblemSink) -> ControlFlow<()> {
            self.0.push(row.values.clone());
            ControlFlow::Continue(())
        }
    }

    /// A file of account nodes: the table's header, then `rows`.
    fn file(rows: &str) -> String {
        let header: Vec<String> = columns::node_columns(EntityType::Account, [])
            .iter()
            .map(Column::header)
            .collect();
        format!("{}\n{rows}", header.join(","))
    }

    fn read_with(text: &str, sink: &mut dyn ProblemSink) -> (Option<u64>, Kept) {
        let mut kept = Kept::default();
        let kind = Kind::Node(EntityType::Account);
        let rows = read(
            text.as_bytes(),
            "a.csv",
            kind,
            &Dialect::default(),
            &mut kept,
            sink,
        );
        (rows.unwrap(), kept)
    }

    #[test]
    fn every_problem_is_listed_with_its_line_and_column_and_rows_go_on() {
        let width = columns::node_columns(EntityType::Account, []).len();
        let good = format!(
            "k1,knowbe4_account,knowbe4_account{}",
            ",".repeat(width - 3)
        );
        let text = file(&format!("{good}\na,b\n\"open\n"));
        let mut found = Collected::default();
        let (rows, kept) = read_with(&text, &mut found);
        let shown: Vec<String> = found.listed.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                format!("a.csv line 3, column 1: 2 fields, but the header has {width}"),
                "a.csv line 4, column 1: a value spans lines but import.sh does not pass \
                 --multiline-fields=true"
                    .to_owned(),
            ]
        );
        assert_eq!(rows, Some(3));
        assert_eq!(kept.0.len(), 1);
        assert_eq!(kept.0[0][0], Some(Value::String("k1".into())));
        assert_eq!(kept.0[0][3], None, "an empty unquoted field is a null");
    }

    #[test]
    fn the_header_is_the_property_tables_and_the_first_problem_stops_the_reader() {
        let text = file("").replacen("_type", "kind", 1);
        let mut first = FirstProblem::default();
        let (rows, kept) = read_with(&text, &mut first);
        assert_eq!(rows, None);
        assert!(kept.0.is_empty());
        assert_eq!(
            first.0.map(|p| p.to_string()).as_deref(),
            Some(
                "a.csv line 1, column 3: header \"kind:string\", but the property table says \"_type:string\""
            )
        );
        let mut found = Collected::default();
        assert_eq!(read_with("", &mut found).0, None);
        assert_eq!(
            found.listed[0].to_string(),
            "a.csv (document): empty: no header"
        );
    }
}
