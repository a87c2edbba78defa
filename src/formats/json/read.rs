//! Reads `json/graph.json` back into records.
//!
//! The document is streamed with serde: each entity and relationship object is parsed alone and
//! turned into a [`Record`] at once, so memory holds the records, never the file. Every member
//! other than the structural ones (`_key`, `_type`, `_class`, and for relationships
//! `_fromEntityKey`, `_toEntityKey` and `displayName`, which is the `_class`) is a property,
//! typed by the property table; a name the table does not know is an extra property, a string.
//!
//! Datetimes and dates are read with [`parse_datetime`] and [`parse_date`], the exact inverses
//! of the writer's formatting, which the Neo4j reader shares.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as J;

use crate::formats::json::{DOCUMENT_FORMAT, DOCUMENT_VERSION, FILE};
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value, ValueType};
use crate::readback::ReadbackError;
use crate::timefmt::{parse_date, parse_datetime_millis as parse_datetime};

pub fn read(export_dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    let path = export_dir.join(FILE);
    let file = crate::files::open_regular(&path).map_err(|source| ReadbackError::Io {
        path: path.clone(),
        source,
    })?;
    let walk = Walk::default();
    let input = Lines {
        inner: BufReader::with_capacity(1 << 16, file),
        newlines: &walk.newlines,
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    let parsed = Document(&walk).deserialize(&mut de).and_then(|()| de.end());
    drop(de);
    let mut state = walk.state.into_inner();
    if let Err(e) = parsed {
        if e.is_io() {
            return Err(ReadbackError::Io {
                path,
                source: e.into(),
            });
        }
        return Err(match state.problem.take() {
            Some((location, message)) => invalid(location, message),
            None => invalid(
                format!("line {}, column {}", e.line(), e.column()),
                format!(
                    "not a graph document as kb4graph writes it: {}",
                    without_position(&e)
                ),
            ),
        });
    }
    for (seen, section) in state.sections.iter().zip(SECTIONS) {
        if !seen {
            return Err(invalid(
                "/".to_owned(),
                format!("the document has no {section:?} member"),
            ));
        }
    }
    if let Some(counts) = &state.counts {
        check_counts(counts, &state.records)?;
    }
    Ok(state.records)
}

const SECTIONS: [&str; 3] = ["metadata", "entities", "relationships"];

fn invalid(location: String, message: String) -> ReadbackError {
    ReadbackError::Invalid {
        file: FILE.to_owned(),
        location,
        message,
    }
}

/// serde_json's message without the ` at line L column C` it appends (given separately).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// Counts the newlines serde has read, so a record's problem can name its line: serde_json
/// reports the position where the error surfaced, which is past the record.
struct Lines<'c, R> {
    inner: R,
    newlines: &'c Cell<u64>,
}

impl<R: Read> Read for Lines<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let found = buf[..n].iter().filter(|&&b| b == b'\n').count();
        self.newlines.set(self.newlines.get() + found as u64);
        Ok(n)
    }
}

#[derive(Default)]
struct Walk {
    state: RefCell<State>,
    newlines: Cell<u64>,
}

#[derive(Default)]
struct State {
    records: Vec<Record>,
    sections: [bool; 3],
    /// `metadata.counts`, checked against the records once all are read.
    counts: Option<Counts>,
    /// What stopped the walk (location, message): serde's error carries only a message.
    problem: Option<(String, String)>,
}

impl Walk {
    /// Stops the walk at `pointer`, on the line serde has read up to, with `message`.
    fn fail<E: serde::de::Error>(&self, pointer: String, message: String) -> E {
        let error = E::custom(&message);
        let line = self.newlines.get() + 1;
        self.state.borrow_mut().problem = Some((format!("{pointer} (line {line})"), message));
        error
    }
}

struct Document<'w>(&'w Walk);

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with metadata, entities and relationships")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("/{}", escape_pointer(&key));
            let Some(section) = SECTIONS.iter().position(|s| *s == key) else {
                return Err(walk.fail(pointer, "unknown top-level member".into()));
            };
            if std::mem::replace(&mut walk.state.borrow_mut().sections[section], true) {
                return Err(walk.fail(pointer, "appears twice".into()));
            }
            match section {
                0 => {
                    let metadata: Metadata = map.next_value()?;
                    if metadata.format.as_deref() != Some(DOCUMENT_FORMAT)
                        || metadata.format_version != Some(u64::from(DOCUMENT_VERSION))
                    {
                        return Err(walk.fail(
                            "/metadata/format".into(),
                            format!(
                                "this document is {:?} version {:?}; kb4graph reads {DOCUMENT_FORMAT:?} \
                                 version {DOCUMENT_VERSION}",
                                metadata.format.as_deref().unwrap_or(""),
                                metadata.format_version
                            ),
                        ));
                    }
                    walk.state.borrow_mut().counts = metadata.counts;
                }
                1 => map.next_value_seed(Records {
                    walk,
                    entities: true,
                })?,
                _ => map.next_value_seed(Records {
                    walk,
                    entities: false,
                })?,
            }
        }
        Ok(())
    }
}

/// The members of `metadata` a reader needs; the rest describes the export, not the graph.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    format: Option<String>,
    format_version: Option<u64>,
    counts: Option<Counts>,
}

/// `metadata.counts`: records per `_type`, which must be what the document holds.
#[derive(serde::Deserialize)]
struct Counts {
    entities: BTreeMap<String, u64>,
    relationships: BTreeMap<String, u64>,
}

/// The metadata's counts against the records read, naming the first type that differs.
fn check_counts(counts: &Counts, records: &[Record]) -> Result<(), ReadbackError> {
    let mut held: [BTreeMap<&str, u64>; 2] = Default::default();
    for r in records {
        *held[usize::from(!r.is_entity())]
            .entry(r.type_name.as_str())
            .or_default() += 1;
    }
    for (section, stated, held) in [
        ("entities", &counts.entities, &held[0]),
        ("relationships", &counts.relationships, &held[1]),
    ] {
        let types = stated
            .keys()
            .map(String::as_str)
            .chain(held.keys().copied());
        for ty in types {
            let says = stated.get(ty).copied().unwrap_or(0);
            let has = held.get(ty).copied().unwrap_or(0);
            if says != has {
                return Err(invalid(
                    format!("/metadata/counts/{section}/{}", escape_pointer(ty)),
                    format!("says {says} {ty} records, the document holds {has}"),
                ));
            }
        }
    }
    Ok(())
}

struct Records<'w> {
    walk: &'w Walk,
    entities: bool,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let section = if self.entities {
            "entities"
        } else {
            "relationships"
        };
        let mut index = 0usize;
        while let Some(members) = seq.next_element::<Members>()? {
            let base = format!("/{section}/{index}");
            let record = if self.entities {
                entity(members.0)
            } else {
                relationship(members.0)
            };
            match record {
                Ok(record) => self.walk.state.borrow_mut().records.push(record),
                Err((member, message)) => {
                    let pointer = match member {
                        Some(m) => format!("{base}/{}", escape_pointer(&m)),
                        None => base,
                    };
                    return Err(self.walk.fail(pointer, message));
                }
            }
            index += 1;
        }
        Ok(())
    }
}

/// One object's members in document order, duplicates kept so they can be refused.
struct Members(Vec<(String, J)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Members, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an entity or relationship object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let value: J = map.next_value()?;
                    members.push((name, value));
                }
                Ok(Members(members))
            }
        }
        de.deserialize_map(MembersVisitor)
    }
}

/// What is wrong with a record: the member (if one) and why.
type Problem = (Option<String>, String);

/// Members by name; a name given twice is refused, since readers disagree on which one counts.
fn by_name(members: Vec<(String, J)>) -> Result<BTreeMap<String, J>, Problem> {
    let mut map = BTreeMap::new();
    for (name, value) in members {
        if map.contains_key(&name) {
            return Err((Some(name), "appears twice in the object".into()));
        }
        map.insert(name, value);
    }
    Ok(map)
}

fn take_string(map: &mut BTreeMap<String, J>, name: &str) -> Result<String, Problem> {
    match map.remove(name) {
        Some(J::String(s)) => Ok(s),
        Some(other) => Err((
            Some(name.to_owned()),
            format!("must be a string, found {}", kind_of(&other)),
        )),
        None => Err((None, format!("has no {name:?}"))),
    }
}

fn entity(members: Vec<(String, J)>) -> Result<Record, Problem> {
    let mut map = by_name(members)?;
    let type_name = take_string(&mut map, "_type")?;
    let ty = EntityType::from_name(&type_name).ok_or_else(|| {
        (
            Some("_type".to_owned()),
            format!("{type_name:?} is not an entity type"),
        )
    })?;
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

fn relationship(members: Vec<(String, J)>) -> Result<Record, Problem> {
    let mut map = by_name(members)?;
    let type_name = take_string(&mut map, "_type")?;
    let ty = RelationshipType::from_name(&type_name).ok_or_else(|| {
        (
            Some("_type".to_owned()),
            format!("{type_name:?} is not a relationship type"),
        )
    })?;
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
    map: BTreeMap<String, J>,
    declared: impl Fn(&str) -> Option<ValueType>,
) -> Result<BTreeMap<String, Value>, Problem> {
    let mut out = BTreeMap::new();
    for (name, json) in map {
        if name.starts_with('_') {
            return Err((Some(name), "is not a member kb4graph writes".into()));
        }
        let ty = declared(&name).unwrap_or(ValueType::String);
        match value(json, ty) {
            Ok(v) => {
                out.insert(name, v);
            }
            Err(message) => return Err((Some(name), message)),
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

/// A JSON value as a value of type `ty`, as the JSON export writes it.
fn value(json: J, ty: ValueType) -> Result<Value, String> {
    let wrong = |json: &J| format!("must be of type {}, found {}", ty.name(), kind_of(json));
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
            .ok_or_else(|| format!("{} is not a 64-bit integer", shown(json)))
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
            .ok_or_else(|| format!("{n} is not a finite number")),
        (ValueType::Boolean, J::Bool(b)) => Ok(Value::Boolean(b)),
        (ValueType::DateTime, J::String(s)) => parse_datetime(&s)
            .map(Value::DateTime)
            .ok_or_else(|| format!("{:?} is not a datetime like 2019-04-02T15:02:38.000Z", s)),
        (ValueType::Date, J::String(s)) => parse_date(&s)
            .map(Value::Date)
            .ok_or_else(|| format!("{s:?} is not a date like 2021-03-06")),
        (ValueType::StringArray, J::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                J::String(s) => Ok(s),
                other => Err(format!(
                    "item {i} must be a string, found {}",
                    kind_of(&other)
                )),
            })
            .collect::<Result<_, _>>()
            .map(Value::StringArray),
        (ValueType::IntegerArray, J::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| integer(item).map_err(|e| format!("item {i}: {e}")))
            .collect::<Result<_, _>>()
            .map(Value::IntegerArray),
        (_, json) => Err(wrong(&json)),
    }
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
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
