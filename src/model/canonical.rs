//! The graph in a form every export format can be read back into, and its digest.
//!
//! A [`Record`] is one entity or relationship with owned, typed properties. The graph's digest
//! (`kb4graph-canonical-json-sha256`, recorded in each export's `manifest.json`) is the SHA-256
//! of one canonical JSON line per record: entities in `_key` order, then relationships in `_key`
//! order (keys compared as bytes). A line is a JSON object with sorted member names, no spaces,
//! serde_json's number and string escaping, holding `_key`, `_type`, for relationships
//! `_fromEntityKey` and `_toEntityKey`, and every property (datetimes and dates as their ISO
//! text, as in the JSON export), followed by `\n`. `_class` is left out: it follows from `_type`.
//! Nothing in the digest depends on a file format, on file order, or on the export's metadata,
//! so two exports of one graph in different formats have the same digest.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest as _, Sha256};

use super::graph::{EntityRef, Graph, RelationshipRef};
use super::value::{Value, ValueRef};
use crate::timefmt::{date_text, datetime_text, format_date, format_datetime_millis};

/// The name under which manifests record the digest.
pub const DIGEST_ALGORITHM: &str = "kb4graph-canonical-json-sha256";

/// Whether a record is an entity or a relationship (with its endpoints' keys).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordKind {
    Entity,
    Relationship { from: String, to: String },
}

/// One entity or relationship, as every format can express it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: RecordKind,
    pub key: String,
    /// `_type`, e.g. `knowbe4_user`.
    pub type_name: String,
    /// Property name (as in the JSON export) to value; nulls are never stored.
    pub properties: BTreeMap<String, Value>,
}

impl Record {
    pub fn is_entity(&self) -> bool {
        self.kind == RecordKind::Entity
    }

    /// The canonical JSON line of the digest, without its newline.
    pub fn canonical_json(&self) -> String {
        let mut out = Vec::new();
        self.write_canonical_json(&mut out);
        // Only JSON text and UTF-8 strings were written.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the canonical JSON line (without newline) to `out`: the members sorted by name
    /// as bytes, written the way serde_json writes them, without building a JSON value.
    pub fn write_canonical_json(&self, out: &mut Vec<u8>) {
        let mut members: Vec<(&str, Member<'_>)> = Vec::with_capacity(self.properties.len() + 4);
        members.push(("_key", Member::Text(&self.key)));
        members.push(("_type", Member::Text(&self.type_name)));
        if let RecordKind::Relationship { from, to } = &self.kind {
            members.push(("_fromEntityKey", Member::Text(from)));
            members.push(("_toEntityKey", Member::Text(to)));
        }
        for (name, value) in &self.properties {
            members.push((name, Member::Owned(value)));
        }
        write_members(out, &mut members);
    }

    /// The record with every string (keys, names, values) passed through `f`: what a format
    /// that must replace some characters holds.
    pub fn map_strings(&self, f: impl Fn(&str) -> std::borrow::Cow<'_, str>) -> Record {
        let own = |s: &str| f(s).into_owned();
        Record {
            kind: match &self.kind {
                RecordKind::Entity => RecordKind::Entity,
                RecordKind::Relationship { from, to } => RecordKind::Relationship {
                    from: own(from),
                    to: own(to),
                },
            },
            key: own(&self.key),
            type_name: own(&self.type_name),
            properties: self
                .properties
                .iter()
                .map(|(name, value)| {
                    let value = match value {
                        Value::String(s) => Value::String(own(s)),
                        Value::StringArray(list) => {
                            Value::StringArray(list.iter().map(|s| own(s)).collect())
                        }
                        other => other.clone(),
                    };
                    (own(name), value)
                })
                .collect(),
        }
    }

    /// Order of the digest: entities before relationships, each by key.
    pub fn canonical_cmp(&self, other: &Record) -> Ordering {
        (!self.is_entity(), self.key.as_bytes()).cmp(&(!other.is_entity(), other.key.as_bytes()))
    }
}

/// One member of a canonical line: structural text, or a property's value as a record or the
/// graph holds it.
enum Member<'a> {
    Text(&'a str),
    Owned(&'a Value),
    Graph(ValueRef<'a>),
}

/// Writes `{...}` of `members`, sorted by name as bytes. Of members with one name the last
/// pushed wins, as in a map: properties are pushed after the structural members.
fn write_members(out: &mut Vec<u8>, members: &mut [(&str, Member<'_>)]) {
    members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.push(b'{');
    let mut first = true;
    for (i, (name, member)) in members.iter().enumerate() {
        if members.get(i + 1).is_some_and(|next| next.0 == *name) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        write_json_str(out, name);
        out.push(b':');
        match member {
            Member::Text(text) => write_json_str(out, text),
            Member::Owned(value) => write_value(out, value),
            Member::Graph(value) => write_graph_value(out, *value),
        }
    }
    out.push(b'}');
}

fn write_json_str(out: &mut Vec<u8>, s: &str) {
    // Serializing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A value as [`value_json`] gives it, written straight to `out`.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::String(s) => write_json_str(out, s),
        Value::Integer(n) => write_scalar(out, ValueRef::Integer(*n)),
        Value::Float(x) => write_scalar(out, ValueRef::Float(*x)),
        Value::Decimal(x) => write_scalar(out, ValueRef::Decimal(*x)),
        Value::Boolean(b) => write_scalar(out, ValueRef::Boolean(*b)),
        Value::DateTime(ms) => write_scalar(out, ValueRef::DateTime(*ms)),
        Value::Date(d) => write_scalar(out, ValueRef::Date(*d)),
        Value::StringArray(list) => write_str_array(out, list.iter().map(String::as_str)),
        Value::IntegerArray(ns) => write_int_array(out, ns),
    }
}

/// A value of the graph, spelled as [`write_value`] spells it once owned.
fn write_graph_value(out: &mut Vec<u8>, value: ValueRef<'_>) {
    match value {
        ValueRef::StringArray(list) => write_str_array(out, list.iter()),
        ValueRef::IntegerArray(ns) => write_int_array(out, ns),
        scalar => write_scalar(out, scalar),
    }
}

fn write_scalar(out: &mut Vec<u8>, value: ValueRef<'_>) {
    match value {
        ValueRef::String(s) => write_json_str(out, s),
        ValueRef::Integer(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        ValueRef::Float(x) | ValueRef::Decimal(x) => {
            // serde_json writes a finite f64 as `Number::from_f64` displays it, others as null.
            let _ = serde_json::to_writer(&mut *out, &x);
        }
        ValueRef::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        ValueRef::DateTime(ms) => write_json_str(out, datetime_text(ms).as_str()),
        ValueRef::Date(d) => write_json_str(out, date_text(i64::from(d)).as_str()),
        ValueRef::StringArray(list) => write_str_array(out, list.iter()),
        ValueRef::IntegerArray(ns) => write_int_array(out, ns),
    }
}

fn write_str_array<'s>(out: &mut Vec<u8>, items: impl Iterator<Item = &'s str>) {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json_str(out, item);
    }
    out.push(b']');
}

fn write_int_array(out: &mut Vec<u8>, ns: &[i64]) {
    out.push(b'[');
    for (i, n) in ns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes());
    }
    out.push(b']');
}

/// A value as the JSON export writes it.
pub fn value_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::String(s) => J::String(s.clone()),
        Value::Integer(n) => J::from(*n),
        Value::Float(x) | Value::Decimal(x) => {
            serde_json::Number::from_f64(*x).map_or(J::Null, J::Number)
        }
        Value::Boolean(b) => J::Bool(*b),
        Value::DateTime(ms) => J::String(format_datetime_millis(*ms)),
        Value::Date(d) => J::String(format_date(i64::from(*d))),
        Value::StringArray(list) => J::Array(list.iter().cloned().map(J::String).collect()),
        Value::IntegerArray(ns) => J::Array(ns.iter().map(|&n| J::from(n)).collect()),
    }
}

/// Every record of the graph in digest order: entities, then relationships, each by key.
pub fn records(graph: &Graph) -> impl Iterator<Item = Record> + '_ {
    let entities = graph.entities().map(entity_record);
    let relationships = graph.relationships().map(relationship_record);
    entities.chain(relationships)
}

fn entity_record(e: EntityRef<'_>) -> Record {
    Record {
        kind: RecordKind::Entity,
        key: e.key().to_owned(),
        type_name: e.entity_type().name().to_owned(),
        properties: e
            .properties()
            .map(|p| (p.name.to_owned(), p.value.to_value()))
            .collect(),
    }
}

fn relationship_record(r: RelationshipRef<'_>) -> Record {
    Record {
        kind: RecordKind::Relationship {
            from: r.from_key().to_owned(),
            to: r.to_key().to_owned(),
        },
        key: r.key(),
        type_name: r.relationship_type().name().to_owned(),
        properties: r
            .properties()
            .map(|p| (p.name.to_owned(), p.value.to_value()))
            .collect(),
    }
}

/// The digest of a graph and the counts it covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GraphDigest {
    pub algorithm: String,
    pub sha256: String,
    pub entities: u64,
    pub relationships: u64,
}

impl fmt::Display for GraphDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({} entities, {} relationships)",
            self.algorithm, self.sha256, self.entities, self.relationships
        )
    }
}

/// Records given out of digest order: two with one key, or a key after a greater one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {key:?} comes {problem} (records must be unique and in key order)")]
pub struct OrderError {
    pub kind: &'static str,
    pub key: String,
    pub problem: &'static str,
}

/// Hashes records given in digest order, holding only the last key.
pub struct DigestWriter {
    hasher: Sha256,
    last: Option<(bool, String)>,
    entities: u64,
    relationships: u64,
    line: Vec<u8>,
}

impl Default for DigestWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl DigestWriter {
    pub fn new() -> Self {
        DigestWriter {
            hasher: Sha256::new(),
            last: None,
            entities: 0,
            relationships: 0,
            line: Vec::new(),
        }
    }

    pub fn push(&mut self, record: &Record) -> Result<(), OrderError> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        record.write_canonical_json(&mut line);
        line.push(b'\n');
        let pushed = self.push_line(record.is_entity(), &record.key, &line);
        self.line = line;
        pushed
    }

    /// Hashes the canonical `line` (newline included) of the record `key`.
    fn push_line(&mut self, is_entity: bool, key: &str, line: &[u8]) -> Result<(), OrderError> {
        let rank = !is_entity;
        if let Some((last_rank, last_key)) = &self.last {
            let order = (*last_rank, last_key.as_bytes()).cmp(&(rank, key.as_bytes()));
            if order != Ordering::Less {
                return Err(OrderError {
                    kind: if rank { "relationship" } else { "entity" },
                    key: key.to_owned(),
                    problem: if order == Ordering::Equal {
                        "twice"
                    } else {
                        "out of order"
                    },
                });
            }
        }
        self.hasher.update(line);
        if rank {
            self.relationships += 1;
        } else {
            self.entities += 1;
        }
        match &mut self.last {
            Some((last_rank, last_key)) => {
                *last_rank = rank;
                last_key.clear();
                last_key.push_str(key);
            }
            None => self.last = Some((rank, key.to_owned())),
        }
        Ok(())
    }

    pub fn finish(self) -> GraphDigest {
        GraphDigest {
            algorithm: DIGEST_ALGORITHM.to_owned(),
            sha256: crate::files::hex(&self.hasher.finalize()),
            entities: self.entities,
            relationships: self.relationships,
        }
    }
}

/// The digest of records in any order (sorted here); an error names a key given twice.
pub fn digest_records(mut records: Vec<Record>) -> Result<GraphDigest, OrderError> {
    records.sort_by(Record::canonical_cmp);
    let mut writer = DigestWriter::new();
    for record in &records {
        writer.push(record)?;
    }
    Ok(writer.finish())
}

/// The digest of a graph.
pub fn digest(graph: &Graph) -> GraphDigest {
    let mut writer = DigestWriter::new();
    for record in records(graph) {
        if writer.push(&record).is_err() {
            // A graph keeps its records sorted and unique; sorting here only guards that.
            return digest_mapped(graph, |s: &str| s.into());
        }
    }
    writer.finish()
}

/// The digest of the graph as a format that passes every string through `f` holds it (GraphML
/// replaces the characters XML 1.0 cannot carry).
pub fn digest_mapped(graph: &Graph, f: impl Fn(&str) -> std::borrow::Cow<'_, str>) -> GraphDigest {
    digest_of(graph, |r| r.map_strings(&f))
}

/// The digest of the graph as a format that changes records by `f` holds it. Streams; sorts
/// only if `f` reorders keys.
pub fn digest_of(graph: &Graph, f: impl Fn(Record) -> Record) -> GraphDigest {
    let mut writer = DigestWriter::new();
    for record in records(graph) {
        if writer.push(&f(record)).is_err() {
            let mapped = records(graph).map(&f).collect();
            // Keys stay unique under `f` unless it merges two of them; then the error names the
            // key, and a digest of the rest would mislead.
            return digest_records(mapped).unwrap_or_else(|e| GraphDigest {
                algorithm: DIGEST_ALGORITHM.to_owned(),
                sha256: format!("unavailable: {e}"),
                entities: graph.entity_count() as u64,
                relationships: graph.relationship_count() as u64,
            });
        }
    }
    writer.finish()
}

/// How a format changes records on their way through its files (identity for lossless ones).
pub type Form<'a> = &'a dyn Fn(Record) -> Record;

/// A record of the graph, borrowed: what [`Carrier::may_change`] looks at.
pub struct RecordView<'a> {
    pub key: &'a str,
    /// A relationship's `_fromEntityKey` and `_toEntityKey`.
    pub ends: Option<(&'a str, &'a str)>,
    /// In the graph's order.
    pub properties: &'a [(&'a str, ValueRef<'a>)],
}

/// A format's [`Form`], with what tells the records it leaves as they are.
pub struct Carrier<'a> {
    pub read_back: Form<'a>,
    /// False only for a record `read_back` returns unchanged: its line is the graph's own.
    pub may_change: fn(&RecordView<'_>) -> bool,
}

/// The digests of the graph in several forms, in one pass over the graph. Each record's line
/// is written once from the graph, and hashed as it is for every form that leaves the record
/// unchanged; only a record a form may change is built and passed through it.
pub fn digest_forms(graph: &Graph, carriers: &[Carrier<'_>]) -> Vec<GraphDigest> {
    let mut writers: Vec<Option<DigestWriter>> =
        carriers.iter().map(|_| Some(DigestWriter::new())).collect();
    let mut line = Vec::new();
    let mut key = String::new();
    let mut push = |writers: &mut [Option<DigestWriter>],
                    view: &RecordView<'_>,
                    type_name: &str,
                    owned: &dyn Fn() -> Record| {
        line.clear();
        let mut members: Vec<(&str, Member<'_>)> = Vec::with_capacity(view.properties.len() + 4);
        members.push(("_key", Member::Text(view.key)));
        members.push(("_type", Member::Text(type_name)));
        if let Some((from, to)) = view.ends {
            members.push(("_fromEntityKey", Member::Text(from)));
            members.push(("_toEntityKey", Member::Text(to)));
        }
        for &(name, value) in view.properties {
            members.push((name, Member::Graph(value)));
        }
        write_members(&mut line, &mut members);
        line.push(b'\n');
        let mut record: Option<Record> = None;
        for (carrier, writer) in carriers.iter().zip(writers.iter_mut()) {
            let Some(w) = writer else { continue };
            let pushed = if (carrier.may_change)(view) {
                let record = record.get_or_insert_with(owned).clone();
                w.push(&(carrier.read_back)(record))
            } else {
                w.push_line(view.ends.is_none(), view.key, &line)
            };
            if pushed.is_err() {
                // This form reorders keys: it is hashed on its own, sorted, below.
                *writer = None;
            }
        }
    };
    let mut properties = Vec::new();
    for e in graph.entities() {
        properties.clear();
        properties.extend(e.properties().map(|p| (p.name, p.value)));
        let view = RecordView {
            key: e.key(),
            ends: None,
            properties: &properties,
        };
        push(&mut writers, &view, e.entity_type().name(), &|| {
            entity_record(e)
        });
    }
    for r in graph.relationships() {
        properties.clear();
        properties.extend(r.properties().map(|p| (p.name, p.value)));
        key.clear();
        r.write_key(&mut key);
        let view = RecordView {
            key: &key,
            ends: Some((r.from_key(), r.to_key())),
            properties: &properties,
        };
        push(&mut writers, &view, r.relationship_type().name(), &|| {
            relationship_record(r)
        });
    }
    writers
        .into_iter()
        .zip(carriers)
        .map(|(writer, carrier)| match writer {
            Some(w) => w.finish(),
            None => digest_of(graph, carrier.read_back),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{MemorySource, normalize};

    fn graph(first_name: &str) -> Graph {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": "Acme", "type": "paid"}));
        source.add_page(
            "users/active",
            &json!([{"id": 2, "first_name": first_name, "status": "active", "groups": [7],
                     "joined_on": "2024-01-02T03:04:05.000Z", "current_risk_score": 4.5}]),
        );
        source.add_page(
            "groups/active",
            &json!([{"id": 7, "name": "Ops", "group_type": "console_group"}]),
        );
        normalize(&source).0
    }

    #[test]
    fn lines_are_sorted_json_without_class() {
        let g = graph("Ann \"quoted\"\n");
        let user = records(&g).find(|r| r.type_name == "knowbe4_user").unwrap();
        let line = user.canonical_json();
        assert!(
            line.starts_with(r#"{"_key":"knowbe4:user:2","_type":"knowbe4_user""#),
            "{line}"
        );
        assert!(line.contains(r#""firstName":"Ann \"quoted\"\n""#), "{line}");
        assert!(
            line.contains(r#""joinedOn":"2024-01-02T03:04:05.000Z""#),
            "{line}"
        );
        assert!(!line.contains("_class"));
        let rel = records(&g).find(|r| !r.is_entity()).unwrap();
        assert!(rel.canonical_json().contains("_fromEntityKey"));
    }

    /// The line is what serde_json writes for the same members in a map: the definition.
    #[test]
    fn lines_equal_serde_json_maps() {
        let mut properties = BTreeMap::new();
        properties.insert("Upper".to_owned(), Value::Float(0.1 + 0.2));
        properties.insert("zeta".to_owned(), Value::String("a\u{1}\"\\\n🎣".into()));
        properties.insert("n".to_owned(), Value::IntegerArray(vec![i64::MIN, 0, 7]));
        properties.insert(
            "s".to_owned(),
            Value::StringArray(vec!["".into(), "\u{7f}".into()]),
        );
        properties.insert("d".to_owned(), Value::Date(-3));
        properties.insert("t".to_owned(), Value::DateTime(1_700_000_000_123));
        properties.insert("b".to_owned(), Value::Boolean(false));
        properties.insert("big".to_owned(), Value::Float(1e300));
        let record = Record {
            kind: RecordKind::Relationship {
                from: "a|b".into(),
                to: "c\td".into(),
            },
            key: "a|b|has|c\td".into(),
            type_name: "x_has_y".into(),
            properties,
        };
        let mut map = serde_json::Map::new();
        map.insert("_key".into(), record.key.clone().into());
        map.insert("_type".into(), record.type_name.clone().into());
        map.insert("_fromEntityKey".into(), "a|b".into());
        map.insert("_toEntityKey".into(), "c\td".into());
        for (name, value) in &record.properties {
            map.insert(name.clone(), value_json(value));
        }
        assert_eq!(
            record.canonical_json(),
            serde_json::Value::Object(map).to_string()
        );
    }

    #[test]
    fn digest_follows_the_data_not_the_record_order() {
        let g = graph("Ann");
        let d = digest(&g);
        assert_eq!(d.algorithm, DIGEST_ALGORITHM);
        assert_eq!(d.entities as usize, g.entity_count());
        assert_eq!(d.relationships as usize, g.relationship_count());
        let mut shuffled: Vec<Record> = records(&g).collect();
        shuffled.reverse();
        assert_eq!(digest_records(shuffled).unwrap(), d);
        assert_ne!(digest(&graph("Anne")).sha256, d.sha256);
    }

    #[test]
    fn a_key_twice_or_out_of_order_is_refused() {
        let g = graph("Ann");
        let all: Vec<Record> = records(&g).collect();
        let mut twice = all.clone();
        twice.push(all[0].clone());
        let err = digest_records(twice).unwrap_err();
        assert_eq!(err.problem, "twice");
        let mut writer = DigestWriter::new();
        writer.push(&all[1]).unwrap();
        assert_eq!(writer.push(&all[0]).unwrap_err().problem, "out of order");
    }
}
