//! Reads the `neo4j/` CSV files back into records.
//!
//! `format.json` gives the dialect; each node and relationship file is tokenized the way Neo4j
//! reads it (the validator's tokenizer) and typed by its header, which must be the property
//! table's columns followed by extra properties (`name:string`). `_key:ID` is a node's key;
//! `:START_ID`, `:END_ID` and the `_key` column are a relationship's ends and key. `:LABEL` and
//! `:TYPE` are left out: they follow from `_type`, which must be the file's type.
//!
//! What the format cannot carry: a string array holding one empty string is written `""`, as
//! an empty array is (neo4j-admin has no other spelling for either), and reads back as the
//! empty array, as Neo4j reads it. Everything else comes back exactly: an empty unquoted field
//! is a null (no property), `""` an empty string.

use std::io::BufReader;
use std::path::Path;

use crate::formats::neo4j::check::{CsvRecord, CsvTokenizer, TokenizerNext};
use crate::formats::neo4j::columns::{self, Column, ColumnKind};
use crate::formats::neo4j::dialect::{DELIMITER, Dialect, Quoting};
use crate::formats::neo4j::{self as export, FormatInfo};
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value, ValueType};
use crate::readback::ReadbackError;
use crate::timefmt::{parse_date, parse_datetime_millis as parse_datetime};

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

fn at(line: u64, column: usize) -> String {
    format!("line {line}, column {column}")
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

#[derive(Clone, Copy)]
enum Kind {
    Node(EntityType),
    Relationship(RelationshipType),
}

impl Kind {
    fn type_name(self) -> &'static str {
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
    let legacy = dialect.quoting == Quoting::Backslash;
    let mut tokenizer = CsvTokenizer::new(input, DELIMITER as u8, legacy, dialect.multiline);
    let mut rec = CsvRecord::default();
    let columns = match tokenizer.next(&mut rec).map_err(io)? {
        TokenizerNext::Record => header(file, &rec, kind)?,
        TokenizerNext::Eof => {
            return Err(invalid(file, "line 1".into(), "empty: no header".into()));
        }
        TokenizerNext::Error(e) => return Err(invalid(file, at(e.line, e.column), e.message)),
    };
    loop {
        match tokenizer.next(&mut rec).map_err(io)? {
            TokenizerNext::Eof => return Ok(()),
            TokenizerNext::Error(e) => return Err(invalid(file, at(e.line, e.column), e.message)),
            TokenizerNext::Record => records.push(row(file, &rec, &columns, kind, dialect)?),
        }
    }
}

/// The header's columns: the table's, then extra properties (camelCase `name:string`, each
/// once).
fn header(file: &str, rec: &CsvRecord, kind: Kind) -> Result<Vec<Column>, ReadbackError> {
    let table = kind.table_columns();
    let mut columns = Vec::with_capacity(rec.fields.len());
    for i in 0..rec.fields.len() {
        let location = at(rec.line, i + 1);
        let cell = std::str::from_utf8(rec.field(i))
            .map_err(|_| invalid(file, location.clone(), "header cell is not UTF-8".into()))?;
        if let Some(want) = table.get(i) {
            if cell != want.header() {
                return Err(invalid(
                    file,
                    location,
                    format!(
                        "header {cell:?}, but the property table says {:?}",
                        want.header()
                    ),
                ));
            }
            columns.push(want.clone());
            continue;
        }
        let name = cell.strip_suffix(":string").unwrap_or("");
        let camel = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !camel || columns.iter().any(|c: &Column| c.name == name) {
            return Err(invalid(
                file,
                location,
                format!(
                    "header {cell:?} is neither in the property table nor a new extra property \
                     (camelCase name:string)"
                ),
            ));
        }
        columns.push(Column {
            name: name.to_owned(),
            kind: ColumnKind::Property(ValueType::String),
        });
    }
    if let Some(missing) = table.get(rec.fields.len()) {
        return Err(invalid(
            file,
            at(rec.line, rec.fields.len() + 1),
            format!("header ends before {:?}", missing.header()),
        ));
    }
    Ok(columns)
}

/// One data row as a record.
fn row(
    file: &str,
    rec: &CsvRecord,
    columns: &[Column],
    kind: Kind,
    dialect: &Dialect,
) -> Result<Record, ReadbackError> {
    if rec.fields.len() != columns.len() {
        return Err(invalid(
            file,
            at(rec.line, 1),
            format!(
                "{} fields, but the header has {}",
                rec.fields.len(),
                columns.len()
            ),
        ));
    }
    let mut key = None;
    let mut from = None;
    let mut to = None;
    let mut properties = std::collections::BTreeMap::new();
    for (i, (column, field)) in columns.iter().zip(&rec.fields).enumerate() {
        let location = || at(field.line, i + 1);
        let text = std::str::from_utf8(rec.field(i))
            .map_err(|_| invalid(file, location(), format!("{}: not UTF-8", column.header())))?;
        let null = text.is_empty() && !field.quoted;
        let required = |what: &str| {
            invalid(
                file,
                location(),
                format!("{}: {what} is required", column.header()),
            )
        };
        match (column.kind, column.name.as_str()) {
            (ColumnKind::Label | ColumnKind::Type, _) => {}
            (ColumnKind::Id, _) if null => return Err(required("the node's _key")),
            (ColumnKind::Id, _) => key = Some(text.to_owned()),
            (ColumnKind::StartId, _) if null => return Err(required("_fromEntityKey")),
            (ColumnKind::StartId, _) => from = Some(text.to_owned()),
            (ColumnKind::EndId, _) if null => return Err(required("_toEntityKey")),
            (ColumnKind::EndId, _) => to = Some(text.to_owned()),
            (ColumnKind::Property(_), "_type") => {
                if text != kind.type_name() || null {
                    return Err(invalid(
                        file,
                        location(),
                        format!(
                            "_type {text:?} in the file of {:?}: rows must be of the file's type",
                            kind.type_name()
                        ),
                    ));
                }
            }
            (ColumnKind::Property(_), "_key") if null => return Err(required("_key")),
            (ColumnKind::Property(_), "_key") => key = Some(text.to_owned()),
            (ColumnKind::Property(_), _) if null => {}
            (ColumnKind::Property(ty), name) => {
                let value = value(text, field.quoted, ty, dialect.array_delimiter)
                    .map_err(|e| invalid(file, location(), format!("{}: {e}", column.header())))?;
                properties.insert(name.to_owned(), value);
            }
        }
    }
    let missing = |what: &str| {
        invalid(
            file,
            at(rec.line, 1),
            format!("the header has no {what} column"),
        )
    };
    let key = key.ok_or_else(|| missing("_key"))?;
    let record_kind = match kind {
        Kind::Node(_) => RecordKind::Entity,
        Kind::Relationship(_) => RecordKind::Relationship {
            from: from.ok_or_else(|| missing(":START_ID"))?,
            to: to.ok_or_else(|| missing(":END_ID"))?,
        },
    };
    Ok(Record {
        kind: record_kind,
        key,
        type_name: kind.type_name().to_owned(),
        properties,
    })
}

/// A non-null field's text as a value of its column's type, spelled as the exporter spells it.
fn value(text: &str, quoted: bool, ty: ValueType, array_delimiter: char) -> Result<Value, String> {
    let scalar = |s: &str, t: ValueType| -> Result<Value, String> {
        let parsed = match t {
            ValueType::String | ValueType::StringArray => Some(Value::String(s.to_owned())),
            ValueType::Integer | ValueType::IntegerArray => integer(s).map(Value::Integer),
            ValueType::Float => float(s).map(Value::Float),
            ValueType::Decimal => float(s).map(Value::Decimal),
            ValueType::Boolean => match s {
                "true" => Some(Value::Boolean(true)),
                "false" => Some(Value::Boolean(false)),
                _ => None,
            },
            ValueType::DateTime => parse_datetime(s).map(Value::DateTime),
            ValueType::Date => parse_date(s).map(Value::Date),
        };
        parsed.ok_or_else(|| format!("{} is not a {}", shown(s), columns::neo4j_type(t)))
    };
    match ty {
        ValueType::String => Ok(Value::String(text.to_owned())),
        ValueType::StringArray => Ok(Value::StringArray(items(text, array_delimiter))),
        ValueType::IntegerArray => items(text, array_delimiter)
            .iter()
            .map(|s| integer(s).ok_or_else(|| format!("{} is not a long", shown(s))))
            .collect::<Result<_, _>>()
            .map(Value::IntegerArray),
        _ if text.is_empty() && quoted => Err(format!(
            "an empty quoted value is not a {}",
            columns::neo4j_type(ty)
        )),
        _ => scalar(text, ty),
    }
}

/// The items of an array field; an empty field is the empty array, as Neo4j reads it.
fn items(text: &str, array_delimiter: char) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(array_delimiter).map(str::to_owned).collect()
}

fn integer(s: &str) -> Option<i64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn float(s: &str) -> Option<f64> {
    // Rust also parses `inf` and `NaN`, which the exporter never writes.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-+.eE".contains(&b))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A value for a message: quoted, and cut if long.
fn shown(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_by_their_column_type() {
        let v = |text: &str, quoted: bool, ty: ValueType| value(text, quoted, ty, ';');
        assert_eq!(
            v("", true, ValueType::String),
            Ok(Value::String(String::new()))
        );
        assert_eq!(
            v("", true, ValueType::StringArray),
            Ok(Value::StringArray(Vec::new()))
        );
        assert_eq!(
            v("a;;b", false, ValueType::StringArray),
            Ok(Value::StringArray(vec![
                "a".into(),
                String::new(),
                "b".into()
            ]))
        );
        assert_eq!(
            v("1;-2", false, ValueType::IntegerArray),
            Ok(Value::IntegerArray(vec![1, -2]))
        );
        assert_eq!(v("-0", false, ValueType::Float), Ok(Value::Float(-0.0)));
        assert_eq!(
            v("2021-03-06", false, ValueType::Date),
            Ok(Value::Date(18_692))
        );
        for (text, ty) in [
            ("+1", ValueType::Integer),
            ("1.0", ValueType::Integer),
            ("NaN", ValueType::Float),
            ("inf", ValueType::Float),
            ("1e999", ValueType::Float),
            ("TRUE", ValueType::Boolean),
            ("1;x", ValueType::IntegerArray),
            ("2024-01-01T00:00:00Z", ValueType::DateTime),
        ] {
            assert!(v(text, false, ty).is_err(), "{text}");
        }
        assert!(v("", true, ValueType::Integer).is_err());
    }
}
