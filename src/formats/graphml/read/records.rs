//! Records from the nodes and edges the reader hands over: the `_key`, `_type` and typed
//! properties of each, edge keys derived from their ends, and ends of the types an edge's
//! `_type` names.
//!
//! Change here how an item becomes a [`Record`]; whether the file is GraphML is the reader's
//! to say.

use std::collections::BTreeMap;

use crate::formats::graphml::FILE;
use crate::formats::graphml::ids::decode_id;
use crate::formats::graphml::keys::{AttrType, Domain, LABEL, LABELS, NODE_LABEL};
use crate::formats::graphml::reader::{
    Checked, Consumer, Data, End, FileKey, Ids, Item, Keys, Position, Report, Tag, UNKNOWN,
    end_name, end_type_message, unknown_type,
};
use crate::formats::graphml::text::sanitized;
use crate::formats::graphml::values::{quote, value};
use crate::formats::problems::Problem;
use crate::model::{EntityType, PropDef, Record, RecordKind, RelationshipType, Value, ValueType};

/// A problem with one item, before it is reported.
struct Fail {
    pos: Position,
    message: String,
}

fn fail(pos: Position, message: impl Into<String>) -> Fail {
    Fail {
        pos,
        message: message.into(),
    }
}

/// The records read so far, with where each starts in the file; or, given `emit`, each record
/// handed over as it is read, for a caller that holds them to an order itself.
#[derive(Default)]
pub(super) struct Records<'e> {
    entities: Vec<(Record, Position)>,
    relationships: Vec<(Record, Position)>,
    emit: Option<&'e mut dyn FnMut(Record)>,
}

/// The `_key`, `_type` and properties of an item, its values still text.
struct Fields<'i> {
    key: Option<&'i Data>,
    type_name: Option<&'i Data>,
    properties: Vec<(&'i FileKey, &'i Data)>,
}

fn fields<'i>(item: &'i Item, what: &str, keys: &'i Keys) -> Result<Fields<'i>, Fail> {
    let mut out = Fields {
        key: None,
        type_name: None,
        properties: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::with_capacity(item.data.len());
    for d in &item.data {
        // Data of no key of this domain are the reader's to report.
        let Some(key) = keys.get(&d.key).filter(|k| k.domain == Some(item.domain)) else {
            continue;
        };
        // APOC's labels (nodes) and the `_class` (edges, and nodes' `_class` key) follow
        // from `_type`, and the node label repeats displayName: not graph data.
        if ((d.key == LABELS || d.key == NODE_LABEL) && item.domain == Domain::Node)
            || (d.key == LABEL && item.domain == Domain::Edge)
        {
            continue;
        }
        if seen.contains(&key.property.as_str()) {
            return Err(fail(
                d.pos,
                format!("{what}: {} is given twice", key.property),
            ));
        }
        seen.push(&key.property);
        match key.property.as_str() {
            "_key" => out.key = Some(d),
            "_type" => out.type_name = Some(d),
            "_class" => {}
            _ => out.properties.push((key, d)),
        }
    }
    Ok(out)
}

/// The properties of an item of a type with `defs`; a name the type does not declare is an
/// extra property, always a string.
fn properties(
    what: &str,
    defs: &'static [PropDef],
    fields: &[(&FileKey, &Data)],
) -> Result<BTreeMap<String, Value>, Fail> {
    let mut out = BTreeMap::new();
    for (key, d) in fields {
        let (value_type, wanted) = match defs.iter().find(|p| p.name == key.property) {
            Some(def) => (def.value_type, AttrType::of(def.value_type)),
            None => (ValueType::String, AttrType::String),
        };
        if key.attr_type.name() != wanted.name() {
            return Err(fail(
                d.pos,
                format!(
                    "{what}: {} is a {} key, but {} is written as {}",
                    d.key,
                    key.attr_type.name(),
                    key.property,
                    wanted.name()
                ),
            ));
        }
        let value = value(value_type, &d.text)
            .map_err(|e| fail(d.pos, format!("{what}: {}: {}", d.key, e.against_profile())))?;
        out.insert(key.property.clone(), value);
    }
    Ok(out)
}

fn required<'i>(
    what: &str,
    pos: Position,
    d: Option<&'i Data>,
    name: &str,
) -> Result<&'i str, Fail> {
    d.map(|d| d.text.as_str())
        .ok_or_else(|| fail(pos, format!("{what}: no {name}")))
}

/// The `_key` an edge end's id was escaped from; the reader has checked that a node id is one.
fn end_key(what: &str, pos: Position, end: Option<&str>, is_source: bool) -> Result<String, Fail> {
    let name = end_name(is_source);
    let id = end.unwrap_or_default();
    decode_id(id)
        .map(|k| sanitized(&k).into_owned())
        .ok_or_else(|| {
            fail(
                pos,
                format!("{what}: {name} {} is not an escaped _key", quote(id)),
            )
        })
}

fn tag_of<T: PartialEq>(all: &[T], t: &T) -> Tag {
    all.iter()
        .position(|x| x == t)
        .and_then(|i| Tag::try_from(i).ok())
        .unwrap_or(UNKNOWN)
}

/// Whether the node at an end of an edge of type `edge` has the type the edge asks there.
fn check_end(
    what: &str,
    pos: Position,
    edge: RelationshipType,
    end: &str,
    node: Tag,
    is_source: bool,
) -> Result<(), Fail> {
    let def = edge.def();
    let want = if is_source { def.from } else { def.to };
    match EntityType::ALL.get(usize::from(node)) {
        Some(&got) if got != want => Err(fail(
            pos,
            end_type_message(what, is_source, end, got.name(), want.name()),
        )),
        _ => Ok(()),
    }
}

impl<'e> Records<'e> {
    pub fn emitting(emit: &'e mut dyn FnMut(Record)) -> Records<'e> {
        Records {
            emit: Some(emit),
            ..Records::default()
        }
    }

    fn keep(&mut self, record: Record, pos: Position) {
        match (&mut self.emit, &record.kind) {
            (Some(emit), _) => emit(record),
            (None, RecordKind::Entity) => self.entities.push((record, pos)),
            (None, RecordKind::Relationship { .. }) => self.relationships.push((record, pos)),
        }
    }

    fn add(&mut self, found: &Checked<'_>, ids: &mut Ids, r: &mut Report) -> Result<(), Fail> {
        let (item, what) = (found.item, found.what.as_str());
        let f = fields(item, what, found.keys)?;
        let key = required(what, item.pos, f.key, "_key")?;
        let type_name = required(what, item.pos, f.type_name, "_type")?;
        if item.domain == Domain::Node {
            let Some(ty) = EntityType::from_name(type_name) else {
                return Err(fail(item.pos, unknown_type(found, Some(type_name))));
            };
            let record = Record {
                kind: RecordKind::Entity,
                key: key.to_owned(),
                type_name: type_name.to_owned(),
                properties: properties(what, ty.def().properties, &f.properties)?,
            };
            ids.node(found, tag_of(&EntityType::ALL, &ty), r);
            self.keep(record, item.pos);
            return Ok(());
        }
        let Some(ty) = RelationshipType::from_name(type_name) else {
            return Err(fail(item.pos, unknown_type(found, Some(type_name))));
        };
        // An edge's id is the escaping of its `_key`, so a repeated id is a repeated `_key`: where
        // records are handed over as read, the caller sees that, and the millions of edge ids
        // are not held.
        if self.emit.is_none() {
            ids.edge(found, r);
        }
        let nodes = ids.ends(found, tag_of(&RelationshipType::ALL, &ty), r);
        let ends = [
            (item.source.as_deref(), true),
            (item.target.as_deref(), false),
        ];
        for ((end, is_source), node) in ends.into_iter().zip(nodes) {
            if let (Some(end), Some(node)) = (end, node) {
                check_end(what, item.pos, ty, end, node, is_source)?;
            }
        }
        if r.stopped() {
            return Ok(());
        }
        let def = ty.def();
        let from = end_key(what, item.pos, item.source.as_deref(), true)?;
        let to = end_key(what, item.pos, item.target.as_deref(), false)?;
        let properties = properties(what, def.properties, &f.properties)?;
        let enrollment = match properties.get("enrollmentId") {
            Some(Value::Integer(n)) if def.per_enrollment => Some(*n),
            _ => None,
        };
        if def.per_enrollment && enrollment.is_none() {
            return Err(fail(
                item.pos,
                format!("{what}: a {type_name} needs its enrollmentId"),
            ));
        }
        let derived = crate::model::keys::relationship_key(&from, def.key_class(), &to, enrollment);
        if derived != key {
            return Err(fail(
                item.pos,
                format!(
                    "{what}: _key {} is not {} ({})",
                    quote(key),
                    quote(&derived),
                    crate::model::keys::relationship_key_shape(def.key_class(), def.per_enrollment)
                ),
            ));
        }
        let record = Record {
            kind: RecordKind::Relationship { from, to },
            key: key.to_owned(),
            type_name: type_name.to_owned(),
            properties,
        };
        self.keep(record, item.pos);
        Ok(())
    }

    /// Every record read, once each `_key` is known to be unique. The reader has made sure
    /// that ids are, but two keys that differ only in characters XML 1.0 cannot carry share
    /// their text in the file while their ids differ.
    pub fn finish(mut self) -> Result<Vec<Record>, Problem> {
        for list in [&mut self.entities, &mut self.relationships] {
            list.sort_by(|a, b| a.0.key.cmp(&b.0.key).then(a.1.cmp(&b.1)));
            if let Some(pair) = list.windows(2).find(|w| w[0].0.key == w[1].0.key) {
                return Err(Problem::new(
                    FILE,
                    pair[1].1.location(),
                    format!("_key {} is given twice", quote(&pair[1].0.key)),
                ));
            }
        }
        Ok(self
            .entities
            .into_iter()
            .chain(self.relationships)
            .map(|(r, _)| r)
            .collect())
    }
}

impl Consumer for Records<'_> {
    fn item(&mut self, found: &Checked<'_>, ids: &mut Ids, r: &mut Report<'_>) {
        if let Err(f) = self.add(found, ids, r) {
            r.at(f.pos, f.message);
        }
    }

    fn late_end(&mut self, end: &End, node: Tag, r: &mut Report<'_>) {
        let Some(&edge) = RelationshipType::ALL.get(usize::from(end.edge_tag)) else {
            return;
        };
        let what = end.what();
        if let Err(f) = check_end(&what, end.pos, edge, &end.node, node, end.is_source) {
            r.at(f.pos, f.message);
        }
    }
}
