//! Records from the data of one `<node>` or `<edge>`, and the checks that need every node.

use std::collections::BTreeMap;

use super::values::scalar;
use super::{Fail, FileKey, fail};
use crate::formats::graphml::check::values::quote;
use crate::formats::graphml::ids::decode_id;
use crate::formats::graphml::keys::{AttrType, Domain, LABEL, LABELS, NODE_LABEL};
use crate::formats::graphml::text::sanitized;
use crate::model::{EntityType, PropDef, Record, RecordKind, RelationshipType, Value, ValueType};

/// One `<data>` of the current item.
pub(super) struct Data {
    pub key: String,
    pub text: String,
    pub offset: u64,
}

/// A `<node>` or `<edge>` until its end tag.
pub(super) struct Item {
    domain: Domain,
    offset: u64,
    id: Option<String>,
    source: Option<String>,
    target: Option<String>,
    pub data: Vec<Data>,
}

impl Item {
    pub fn new(domain: Domain, offset: u64, attrs: &[(String, String)]) -> Item {
        let get = |name: &str| super::get(attrs, name).map(str::to_owned);
        Item {
            domain,
            offset,
            id: get("id"),
            source: get("source"),
            target: get("target"),
            data: Vec::new(),
        }
    }

    fn what(&self) -> String {
        let element = if self.domain == Domain::Node {
            "node"
        } else {
            "edge"
        };
        match &self.id {
            Some(id) => format!("{element} {}", quote(id)),
            None => element.to_owned(),
        }
    }
}

/// The records read so far, with where each starts in the file.
#[derive(Default)]
pub(super) struct Records {
    entities: Vec<(Record, u64)>,
    relationships: Vec<(Record, u64)>,
}

/// The `_key`, `_type` and properties of an item, its values still text.
struct Fields<'i> {
    key: Option<&'i Data>,
    type_name: Option<&'i Data>,
    properties: Vec<(&'i FileKey, &'i Data)>,
}

fn fields<'i>(item: &'i Item, keys: &'i BTreeMap<String, FileKey>) -> Result<Fields<'i>, Fail> {
    let what = item.what();
    let mut out = Fields {
        key: None,
        type_name: None,
        properties: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::with_capacity(item.data.len());
    for d in &item.data {
        let Some(key) = keys.get(&d.key) else {
            return Err(fail(
                d.offset,
                format!("{what}: <data key=\"{}\"> refers to no declared key", d.key),
            ));
        };
        if key.domain != item.domain {
            return Err(fail(
                d.offset,
                format!("{what}: key {} is not a {} key", d.key, item.domain.name()),
            ));
        }
        // APOC's labels (nodes) and the `_class` (edges, and nodes' `_class` key) follow
        // from `_type`, and the node label repeats displayName: not graph data.
        if ((d.key == LABELS || d.key == NODE_LABEL) && item.domain == Domain::Node)
            || (d.key == LABEL && item.domain == Domain::Edge)
        {
            continue;
        }
        if seen.contains(&key.property.as_str()) {
            return Err(fail(
                d.offset,
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
        if key.attr_type != wanted {
            return Err(fail(
                d.offset,
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
            .map_err(|e| fail(d.offset, format!("{what}: {}: {e}", key.property)))?;
        out.insert(key.property.clone(), value);
    }
    Ok(out)
}

fn value(ty: ValueType, text: &str) -> Result<Value, String> {
    match ty {
        ValueType::StringArray => serde_json::from_str::<Vec<String>>(text)
            .map(Value::StringArray)
            .map_err(|e| format!("{} is not a JSON array of strings: {e}", quote(text))),
        ValueType::IntegerArray => serde_json::from_str::<Vec<i64>>(text)
            .map(Value::IntegerArray)
            .map_err(|e| format!("{} is not a JSON array of integers: {e}", quote(text))),
        _ => scalar(ty, text),
    }
}

/// The key an id was escaped from, as the text of its `_key` holds it.
fn id_key(what: &str, attr: &str, id: Option<&str>, offset: u64) -> Result<String, Fail> {
    let Some(id) = id else {
        return Err(fail(offset, format!("{what}: no {attr} attribute")));
    };
    decode_id(id)
        .map(|k| sanitized(&k).into_owned())
        .ok_or_else(|| {
            fail(
                offset,
                format!("{what}: {attr} {} is not an escaped _key", quote(id)),
            )
        })
}

fn required<'i>(what: &str, offset: u64, d: Option<&'i Data>, name: &str) -> Result<&'i str, Fail> {
    d.map(|d| d.text.as_str())
        .ok_or_else(|| fail(offset, format!("{what}: no {name}")))
}

impl Records {
    pub fn add(&mut self, item: Item, keys: &BTreeMap<String, FileKey>) -> Result<(), Fail> {
        let what = item.what();
        let f = fields(&item, keys)?;
        let key = required(&what, item.offset, f.key, "_key")?;
        let type_name = required(&what, item.offset, f.type_name, "_type")?;
        let id = id_key(&what, "id", item.id.as_deref(), item.offset)?;
        if id != key {
            return Err(fail(
                item.offset,
                format!("{what}: the id is not the escaped _key {}", quote(key)),
            ));
        }
        if item.domain == Domain::Node {
            let Some(ty) = EntityType::from_name(type_name) else {
                return Err(fail(
                    item.offset,
                    format!("{what}: _type {} is no entity type", quote(type_name)),
                ));
            };
            let record = Record {
                kind: RecordKind::Entity,
                key: key.to_owned(),
                type_name: type_name.to_owned(),
                properties: properties(&what, ty.def().properties, &f.properties)?,
            };
            self.entities.push((record, item.offset));
            return Ok(());
        }
        let Some(ty) = RelationshipType::from_name(type_name) else {
            return Err(fail(
                item.offset,
                format!("{what}: _type {} is no relationship type", quote(type_name)),
            ));
        };
        let def = ty.def();
        let from = id_key(&what, "source", item.source.as_deref(), item.offset)?;
        let to = id_key(&what, "target", item.target.as_deref(), item.offset)?;
        let properties = properties(&what, def.properties, &f.properties)?;
        let enrollment = match properties.get("enrollmentId") {
            Some(Value::Integer(n)) if def.per_enrollment => Some(*n),
            _ => None,
        };
        let derived = crate::model::keys::relationship_key(&from, def.key_class(), &to, enrollment);
        if def.per_enrollment {
            match enrollment {
                Some(_) => {}
                None => {
                    return Err(fail(
                        item.offset,
                        format!("{what}: a {type_name} needs its enrollmentId"),
                    ));
                }
            }
        }
        if derived != key {
            return Err(fail(
                item.offset,
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
        self.relationships.push((record, item.offset));
        Ok(())
    }

    /// Every record, once each key is known to be unique and every edge to join nodes of the
    /// types its `_type` names.
    pub fn finish(mut self) -> Result<Vec<Record>, Fail> {
        for list in [&mut self.entities, &mut self.relationships] {
            list.sort_by(|a, b| a.0.key.cmp(&b.0.key).then(a.1.cmp(&b.1)));
            if let Some(pair) = list.windows(2).find(|w| w[0].0.key == w[1].0.key) {
                return Err(fail(
                    pair[1].1,
                    format!("_key {} is given twice", quote(&pair[1].0.key)),
                ));
            }
        }
        let types: BTreeMap<&str, &str> = self
            .entities
            .iter()
            .map(|(r, _)| (r.key.as_str(), r.type_name.as_str()))
            .collect();
        for (r, offset) in &self.relationships {
            let (RecordKind::Relationship { from, to }, Some(ty)) =
                (&r.kind, RelationshipType::from_name(&r.type_name))
            else {
                continue;
            };
            for (end, key, want) in [("source", from, ty.def().from), ("target", to, ty.def().to)] {
                match types.get(key.as_str()) {
                    Some(&t) if t == want.name() => {}
                    Some(&t) => {
                        return Err(fail(
                            *offset,
                            format!(
                                "edge {}: its {end} is a {t}, not a {}",
                                quote(&r.key),
                                want.name()
                            ),
                        ));
                    }
                    None => {
                        return Err(fail(
                            *offset,
                            format!(
                                "edge {}: its {end} {} is no node of the graph",
                                quote(&r.key),
                                quote(key)
                            ),
                        ));
                    }
                }
            }
        }
        drop(types);
        Ok(self
            .entities
            .into_iter()
            .chain(self.relationships)
            .map(|(r, _)| r)
            .collect())
    }
}
