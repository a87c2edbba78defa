//! Reads `json/graph.json` back into records, for `verify` and `diff`.
//!
//! These are rules over the shared pass of [`super::stream`], which stops at the first problem
//! it or they find: each entity and relationship object becomes a [`Record`] at once. Every
//! member other than the structural ones (`_key`, `_type`, `_class`, and for relationships
//! `_fromEntityKey`, `_toEntityKey` and `displayName`, which is the `_class`) is a property,
//! typed by the property table; a name the table does not know is an extra property, a string.
//!
//! Datetimes and dates are read with [`parse_datetime`] and [`parse_date`], the exact inverses
//! of the writer's formatting, which the Neo4j reader shares.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use serde_json::{Map, Value as J};

use super::stream::{self, Object, Rules, Section};
use crate::formats::json::{DOCUMENT_FORMAT, DOCUMENT_VERSION, FILE};
use crate::formats::problems::{FirstProblem, Location, Problem, ProblemSink};
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value, ValueType};
use crate::readback::ReadbackError;
use crate::timefmt::{parse_date, parse_datetime_millis as parse_datetime};

pub fn read(export_dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    let mut records = Vec::new();
    for_each(export_dir, &mut |record| records.push(record))?;
    Ok(records)
}

/// Hands each record to `emit` as it is read, in file order, so that a caller that needs one
/// record at a time holds no more. An error ends the reading; records handed over before it
/// were read from a file that is not valid as a whole.
pub fn for_each(export_dir: &Path, emit: &mut dyn FnMut(Record)) -> Result<(), ReadbackError> {
    let data = crate::compress::DataFile::find(export_dir, FILE);
    let io = |source| ReadbackError::Io {
        path: data.path.clone(),
        source,
    };
    let file = data.open().map_err(io)?;
    let mut builder = Builder { emit };
    let mut first = FirstProblem::default();
    stream::read(file, FILE, &mut builder, &mut first).map_err(io)?;
    match first.0 {
        Some(problem) => Err(ReadbackError::Invalid(problem)),
        None => Ok(()),
    }
}

struct Builder<'e> {
    emit: &'e mut dyn FnMut(Record),
}

impl Rules for Builder<'_> {
    fn metadata(&mut self, metadata: &J, line: u64, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        let format = metadata.get("format").and_then(J::as_str);
        let version = metadata.get("formatVersion").and_then(J::as_u64);
        if format == Some(DOCUMENT_FORMAT) && version == Some(u64::from(DOCUMENT_VERSION)) {
            return ControlFlow::Continue(());
        }
        let at = Location::Pointer {
            pointer: "/metadata/format".into(),
            line: Some(line),
        };
        let message = format!(
            "this document is {:?} version {version:?}; kb4graph reads {DOCUMENT_FORMAT:?} \
             version {DOCUMENT_VERSION}",
            format.unwrap_or("")
        );
        sink.report(Problem::new(FILE, at, message))
    }

    fn record(&mut self, mut object: Object, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        let built = match std::mem::take(&mut object.value) {
            J::Object(map) => match object.section {
                Section::Entities => entity(map),
                Section::Relationships => relationship(map),
            },
            other => Err(Fault {
                member: None,
                message: format!("must be an object, found {}", kind_of(&other)),
            }),
        };
        match built {
            Ok(record) => {
                (self.emit)(record);
                ControlFlow::Continue(())
            }
            Err(fault) => {
                let at = object.at(fault.member.as_deref());
                sink.report(Problem::new(FILE, at, fault.message))
            }
        }
    }
}

/// What is wrong with a record: the member (if one) and why.
struct Fault {
    member: Option<String>,
    message: String,
}

impl Fault {
    fn at(member: &str, message: impl Into<String>) -> Fault {
        Fault {
            member: Some(member.to_owned()),
            message: message.into(),
        }
    }
}

fn take_string(map: &mut Map<String, J>, name: &str) -> Result<String, Fault> {
    match map.remove(name) {
        Some(J::String(s)) => Ok(s),
        Some(other) => Err(Fault::at(
            name,
            format!("must be a string, found {}", kind_of(&other)),
        )),
        None => Err(Fault {
            member: None,
            message: format!("has no {name:?}"),
        }),
    }
}

fn entity(mut map: Map<String, J>) -> Result<Record, Fault> {
    let type_name = take_string(&mut map, "_type")?;
    let ty = EntityType::from_name(&type_name)
        .ok_or_else(|| Fault::at("_type", format!("{type_name:?} is not an entity type")))?;
    let key = take_string(&mut map, "_key")?;
    // `_class` follows from `_type`: not part of the record.
    map.remove("_class");
    let def = ty.def();
    let properties = properties(map, |name| def.property(name).map(|p| p.value_type))?;
    Ok(Record {
        kind: RecordKind::Entity,
        key,
        type_name,
        properties,
    })
}

fn relationship(mut map: Map<String, J>) -> Result<Record, Fault> {
    let type_name = take_string(&mut map, "_type")?;
    let ty = RelationshipType::from_name(&type_name)
        .ok_or_else(|| Fault::at("_type", format!("{type_name:?} is not a relationship type")))?;
    let key = take_string(&mut map, "_key")?;
    let from = take_string(&mut map, "_fromEntityKey")?;
    let to = take_string(&mut map, "_toEntityKey")?;
    // `_class` and `displayName` (the same word) follow from `_type`.
    map.remove("_class");
    map.remove("displayName");
    let def = ty.def();
    let properties = properties(map, |name| def.property(name).map(|p| p.value_type))?;
    Ok(Record {
        kind: RecordKind::Relationship { from, to },
        key,
        type_name,
        properties,
    })
}

/// Types every remaining member: declared ones by the table, extras as strings.
fn properties(
    map: Map<String, J>,
    declared: impl Fn(&str) -> Option<ValueType>,
) -> Result<BTreeMap<String, Value>, Fault> {
    let mut out = BTreeMap::new();
    for (name, json) in map {
        if name.starts_with('_') {
            return Err(Fault::at(&name, "is not a member kb4graph writes"));
        }
        let ty = declared(&name).unwrap_or(ValueType::String);
        match value(json, ty) {
            Ok(v) => {
                out.insert(name, v);
            }
            Err(e) => return Err(Fault::at(&name, e.to_string())),
        }
    }
    Ok(out)
}

fn kind_of(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// Why a JSON value is not a value of its declared type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ValueError {
    #[error("must be of type {expected}, found {found}")]
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    #[error("{0} is not a 64-bit integer")]
    NotInteger(String),
    #[error("{0} is not a finite number")]
    NotFinite(String),
    #[error("{0:?} is not a datetime like 2019-04-02T15:02:38.000Z")]
    NotDateTime(String),
    #[error("{0:?} is not a date like 2021-03-06")]
    NotDate(String),
    #[error("item {index} must be a string, found {found}")]
    ItemNotString { index: usize, found: &'static str },
    #[error("item {index}: {source}")]
    Item {
        index: usize,
        source: Box<ValueError>,
    },
}

/// A JSON value as a value of type `ty`, as the JSON export writes it.
fn value(json: J, ty: ValueType) -> Result<Value, ValueError> {
    let shown = |json: &J| {
        let mut text = json.to_string();
        if text.len() > 80 {
            let cut = (0..=80)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push('…');
        }
        text
    };
    let integer = |json: &J| {
        json.as_i64()
            .ok_or_else(|| ValueError::NotInteger(shown(json)))
    };
    match (ty, json) {
        (ValueType::String, J::String(s)) => Ok(Value::String(s)),
        (ValueType::Integer, json @ J::Number(_)) => integer(&json).map(Value::Integer),
        (ValueType::Float | ValueType::Decimal, J::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(|x| match ty {
                ValueType::Decimal => Value::Decimal(x),
                _ => Value::Float(x),
            })
            .ok_or_else(|| ValueError::NotFinite(n.to_string())),
        (ValueType::Boolean, J::Bool(b)) => Ok(Value::Boolean(b)),
        (ValueType::DateTime, J::String(s)) => match parse_datetime(&s) {
            Some(millis) => Ok(Value::DateTime(millis)),
            None => Err(ValueError::NotDateTime(s)),
        },
        (ValueType::Date, J::String(s)) => match parse_date(&s) {
            Some(days) => Ok(Value::Date(days)),
            None => Err(ValueError::NotDate(s)),
        },
        (ValueType::StringArray, J::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(index, item)| match item {
                J::String(s) => Ok(s),
                other => Err(ValueError::ItemNotString {
                    index,
                    found: kind_of(&other),
                }),
            })
            .collect::<Result<_, _>>()
            .map(Value::StringArray),
        (ValueType::IntegerArray, J::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                integer(item).map_err(|e| ValueError::Item {
                    index,
                    source: Box::new(e),
                })
            })
            .collect::<Result<_, _>>()
            .map(Value::IntegerArray),
        (_, json) => Err(ValueError::WrongType {
            expected: ty.name(),
            found: kind_of(&json),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_declared_type() {
        assert_eq!(
            value(serde_json::json!(4.0), ValueType::Float),
            Ok(Value::Float(4.0))
        );
        assert_eq!(
            value(serde_json::json!(26.7), ValueType::Decimal),
            Ok(Value::Decimal(26.7))
        );
        assert!(value(serde_json::json!("26.7"), ValueType::Decimal).is_err());
        assert!(value(serde_json::json!(4.5), ValueType::Integer).is_err());
        assert!(value(serde_json::json!(u64::MAX), ValueType::Integer).is_err());
        assert!(value(J::Null, ValueType::String).is_err());
        assert!(value(serde_json::json!(["a", 1]), ValueType::StringArray).is_err());
        assert_eq!(
            value(serde_json::json!([1, -2]), ValueType::IntegerArray),
            Ok(Value::IntegerArray(vec![1, -2]))
        );
    }
}
