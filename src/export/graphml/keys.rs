//! The `<key>` declarations: one per property name and GraphML type per domain, derived from the
//! property table, plus one string key per extra property (an API field this version does not
//! know).
//!
//! Key ids are derived from names, never from counters, so the same property keeps its id from
//! one export to the next: `n.<name>` for nodes, `e.<name>` for edges, `g.<name>` for the graph.
//! Where the table gives one name two GraphML types in one domain (`status` is a string on users
//! and an integer on training modules) each key gets the type as a suffix (`n.status.string`,
//! `n.status.long`); that depends on the table alone, so extras never rename a declared key.
//! APOC's conventions take two ids unprefixed: `labels` on nodes and `label` (the `_class`) on
//! edges.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    ENTITY_BUILTINS, EntityType, Graph, PropDef, RELATIONSHIP_BUILTINS, RelationshipType, ValueType,
};

/// The `for` of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Domain {
    Graph,
    Node,
    Edge,
}

impl Domain {
    pub const fn name(self) -> &'static str {
        match self {
            Domain::Graph => "graph",
            Domain::Node => "node",
            Domain::Edge => "edge",
        }
    }

    const fn prefix(self) -> &'static str {
        match self {
            Domain::Graph => "g.",
            Domain::Node => "n.",
            Domain::Edge => "e.",
        }
    }

    pub fn from_name(name: &str) -> Option<Domain> {
        [Domain::Graph, Domain::Node, Domain::Edge]
            .into_iter()
            .find(|d| d.name() == name)
    }
}

/// The GraphML `attr.type`s kb4graph writes (GraphML also has `int` and `float`, which it never
/// needs: integers are `long` so no id loses digits, floats are `double`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttrType {
    Boolean,
    Long,
    Double,
    String,
}

impl AttrType {
    pub const fn name(self) -> &'static str {
        match self {
            AttrType::Boolean => "boolean",
            AttrType::Long => "long",
            AttrType::Double => "double",
            AttrType::String => "string",
        }
    }

    /// How a value of the table's type is written: dates, datetimes and arrays (GraphML has no
    /// list type) as strings.
    pub const fn of(ty: ValueType) -> AttrType {
        match ty {
            ValueType::Integer => AttrType::Long,
            ValueType::Float => AttrType::Double,
            ValueType::Boolean => AttrType::Boolean,
            ValueType::String
            | ValueType::DateTime
            | ValueType::Date
            | ValueType::StringArray
            | ValueType::IntegerArray => AttrType::String,
        }
    }
}

/// Node key holding APOC's labels, `:<_type>:<_class>...`.
pub const LABELS: &str = "labels";
/// Edge key holding the `_class`, which APOC makes the relationship type.
pub const LABEL: &str = "label";

/// One `<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub domain: Domain,
    pub name: String,
    pub attr_type: AttrType,
    /// Written as the key's `<desc>` when not empty.
    pub desc: String,
    /// True for a key of an extra property.
    pub extra: bool,
}

/// What a value of a kb4graph value type looks like in GraphML, for `<desc>`s.
pub fn value_type_desc(ty: ValueType) -> &'static str {
    match ty {
        ValueType::String => "text",
        ValueType::Integer => "integer (64-bit)",
        ValueType::Float => "floating-point number",
        ValueType::Boolean => "true or false",
        ValueType::DateTime => {
            "datetime as an ISO 8601 string in UTC with milliseconds, e.g. 2024-01-31T09:30:00.000Z"
        }
        ValueType::Date => "date as an ISO 8601 string, e.g. 2024-01-31",
        ValueType::StringArray => {
            "list of strings written as a JSON array string, e.g. [\"a\",\"b\"] (GraphML has no list type)"
        }
        ValueType::IntegerArray => {
            "list of integers written as a JSON array string, e.g. [1,2] (GraphML has no list type)"
        }
    }
}

/// The properties of a domain as written, per `_type`: entity builtins and properties for
/// nodes; `_key`, `_type` and the properties for edges (the `_class` is the `label` key).
pub fn node_props(ty: EntityType) -> impl Iterator<Item = &'static PropDef> {
    ENTITY_BUILTINS.iter().chain(ty.def().properties)
}

pub fn edge_props(ty: RelationshipType) -> impl Iterator<Item = &'static PropDef> {
    RELATIONSHIP_BUILTINS
        .iter()
        .filter(|p| p.name == "_key" || p.name == "_type")
        .chain(ty.def().properties)
}

/// The keys of one domain, by property name and GraphML type.
#[derive(Debug, Clone)]
pub struct DomainKeys {
    pub domain: Domain,
    /// Declared keys (from the table) first, in the table's order; extras after, by id.
    pub keys: Vec<Key>,
    by_name: BTreeMap<String, Vec<(AttrType, usize)>>,
}

impl DomainKeys {
    /// The keys the property table gives `domain` (graph keys are [`graph_keys`]).
    pub fn from_table(domain: Domain) -> DomainKeys {
        // (name, attr type, value type -> _types), all in table order.
        let mut uses: Vec<(&'static str, AttrType, Vec<ValueTypeUse>)> = Vec::new();
        let mut add = |p: &PropDef, owner: &'static str| {
            let at = AttrType::of(p.value_type);
            let pos = match uses.iter().position(|(n, a, _)| *n == p.name && *a == at) {
                Some(pos) => pos,
                None => {
                    uses.push((p.name, at, Vec::new()));
                    uses.len() - 1
                }
            };
            let vts = &mut uses[pos].2;
            match vts.iter_mut().find(|(vt, _)| *vt == p.value_type) {
                Some((_, owners)) => owners.push(owner),
                None => vts.push((p.value_type, vec![owner])),
            }
        };
        match domain {
            Domain::Graph => {}
            Domain::Node => {
                for ty in EntityType::ALL {
                    node_props(ty).for_each(|p| add(p, ty.name()));
                }
            }
            Domain::Edge => {
                for ty in RelationshipType::ALL {
                    edge_props(ty).for_each(|p| add(p, ty.name()));
                }
            }
        }
        let mut types_of: BTreeMap<&str, BTreeSet<AttrType>> = BTreeMap::new();
        for (name, at, _) in &uses {
            types_of.entry(name).or_default().insert(*at);
        }
        let mut keys = Vec::new();
        match domain {
            Domain::Node => keys.push(Key {
                id: LABELS.to_owned(),
                domain,
                name: LABELS.to_owned(),
                attr_type: AttrType::String,
                desc: "Labels for apoc.import.graphml with readLabels: ':<_type>:<_class>...', \
                       e.g. :knowbe4_user:User"
                    .to_owned(),
                extra: false,
            }),
            Domain::Edge => keys.push(Key {
                id: LABEL.to_owned(),
                domain,
                name: "_class".to_owned(),
                attr_type: AttrType::String,
                desc: "The relationship's _class (HAS, ASSIGNED, COMPLETED, CONTAINS): the \
                       relationship type for apoc.import.graphml; always the edge's first data"
                    .to_owned(),
                extra: false,
            }),
            Domain::Graph => {}
        }
        for (name, at, vts) in &uses {
            let shared = types_of.get(name).is_some_and(|s| s.len() > 1);
            let id = key_id(domain, name, shared.then_some(*at));
            keys.push(Key {
                id,
                domain,
                name: (*name).to_owned(),
                attr_type: *at,
                desc: declared_desc(vts),
                extra: false,
            });
        }
        DomainKeys::index(domain, keys)
    }

    fn index(domain: Domain, keys: Vec<Key>) -> DomainKeys {
        let mut by_name: BTreeMap<String, Vec<(AttrType, usize)>> = BTreeMap::new();
        for (i, k) in keys.iter().enumerate() {
            if k.id == LABELS || k.id == LABEL {
                continue;
            }
            by_name
                .entry(k.name.clone())
                .or_default()
                .push((k.attr_type, i));
        }
        DomainKeys {
            domain,
            keys,
            by_name,
        }
    }

    /// Adds the key of extra property `name` (a string), unless a string key of that name exists.
    pub fn add_extra(&mut self, name: &str) {
        if self.get(name, AttrType::String).is_some() {
            return;
        }
        let id = extra_key_id(self.domain, name, self.by_name.contains_key(name));
        let index = self.keys.len();
        self.keys.push(Key {
            id,
            domain: self.domain,
            name: name.to_owned(),
            attr_type: AttrType::String,
            desc: EXTRA_DESC.to_owned(),
            extra: true,
        });
        self.by_name
            .entry(name.to_owned())
            .or_default()
            .push((AttrType::String, index));
    }

    /// Sorts the extra keys (after the declared ones) by id.
    fn sort_extras(&mut self) {
        let first_extra = self.keys.iter().position(|k| k.extra);
        if let Some(first) = first_extra {
            self.keys[first..].sort_by(|a, b| a.id.cmp(&b.id));
            let keys = std::mem::take(&mut self.keys);
            *self = DomainKeys::index(self.domain, keys);
        }
    }

    /// The key of property `name` written as `attr_type`.
    pub fn get(&self, name: &str, attr_type: AttrType) -> Option<&Key> {
        self.by_name
            .get(name)?
            .iter()
            .find(|(at, _)| *at == attr_type)
            .and_then(|(_, i)| self.keys.get(*i))
    }
}

/// `<desc>` of an extra property's key.
pub const EXTRA_DESC: &str =
    "An API field this version of kb4graph does not know, kept as text (JSON text if not a string)";

/// The id of a declared key; `typed` when the name has several GraphML types in the domain.
pub fn key_id(domain: Domain, name: &str, typed: Option<AttrType>) -> String {
    let mut id = String::from(domain.prefix());
    // Table and extra names are ASCII letters, digits and `_`, all NMTOKEN characters; anything
    // else (which normalize never makes) is escaped like node ids.
    if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        id.push_str(name);
    } else {
        super::ids::push_id(&mut id, name);
    }
    if let Some(at) = typed {
        id.push('.');
        id.push_str(at.name());
    }
    id
}

/// The id of an extra property's key: typed only when the table already uses the name with
/// another GraphML type in the domain.
pub fn extra_key_id(domain: Domain, name: &str, name_declared: bool) -> String {
    key_id(domain, name, name_declared.then_some(AttrType::String))
}

/// A value type and the `_type`s that give a property name that type.
type ValueTypeUse = (ValueType, Vec<&'static str>);

fn declared_desc(vts: &[ValueTypeUse]) -> String {
    let plain = |vt: ValueType| {
        matches!(
            vt,
            ValueType::String | ValueType::Integer | ValueType::Float | ValueType::Boolean
        )
    };
    if vts.iter().all(|(vt, _)| plain(*vt)) {
        return String::new();
    }
    if let [(vt, _)] = vts {
        return value_type_desc(*vt).to_owned();
    }
    vts.iter()
        .map(|(vt, owners)| format!("on {}: {}", owners.join(", "), value_type_desc(*vt)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The keys of one export: the table's, plus those of the graph's extra properties.
#[derive(Debug, Clone)]
pub struct KeySet {
    pub graph: Vec<Key>,
    pub node: DomainKeys,
    pub edge: DomainKeys,
}

impl KeySet {
    /// The keys of an export of `graph`.
    pub fn of(graph: &Graph) -> KeySet {
        let mut node = DomainKeys::from_table(Domain::Node);
        for ty in EntityType::ALL {
            for name in graph.extra_properties(ty) {
                node.add_extra(name);
            }
        }
        node.sort_extras();
        let mut edge = DomainKeys::from_table(Domain::Edge);
        for ty in RelationshipType::ALL {
            for name in graph.relationship_extra_properties(ty) {
                edge.add_extra(name);
            }
        }
        edge.sort_extras();
        KeySet {
            graph: graph_keys(),
            node,
            edge,
        }
    }

    /// Every key, in the order of the file.
    pub fn all(&self) -> impl Iterator<Item = &Key> {
        self.graph
            .iter()
            .chain(&self.node.keys)
            .chain(&self.edge.keys)
    }
}

/// The graph's own data: where the export came from.
pub const GRAPH_DATA: &[(&str, AttrType, &str)] = &[
    (
        "format",
        AttrType::String,
        "Identifies the layout: kb4graph-graphml",
    ),
    (
        "formatVersion",
        AttrType::Long,
        "Version of the layout, raised on incompatible changes",
    ),
    (
        "account",
        AttrType::String,
        "The KnowBe4 account's name, if the snapshot had one",
    ),
    (
        "site",
        AttrType::String,
        "The KnowBe4 site (us, eu, ...) fetched from; absent when a base URL was given",
    ),
    ("baseUrl", AttrType::String, "The API base URL fetched from"),
    (
        "snapshotManifestSha256",
        AttrType::String,
        "SHA-256 of the snapshot's manifest.json, which lists every raw page with its hash",
    ),
    (
        "fetchedAt",
        AttrType::String,
        "When the fetch ended, ISO 8601 UTC",
    ),
    (
        "complete",
        AttrType::Boolean,
        "Whether the snapshot was fetched completely",
    ),
];

pub fn graph_keys() -> Vec<Key> {
    GRAPH_DATA
        .iter()
        .map(|(name, at, desc)| Key {
            id: key_id(Domain::Graph, name, None),
            domain: Domain::Graph,
            name: (*name).to_owned(),
            attr_type: *at,
            desc: (*desc).to_owned(),
            extra: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_unique_and_follow_names() {
        let mut ids = BTreeSet::new();
        let node = DomainKeys::from_table(Domain::Node);
        let edge = DomainKeys::from_table(Domain::Edge);
        for k in graph_keys().iter().chain(&node.keys).chain(&edge.keys) {
            assert!(ids.insert(k.id.clone()), "{} twice", k.id);
        }
        assert_eq!(
            node.get("status", AttrType::Long).unwrap().id,
            "n.status.long"
        );
        assert_eq!(
            node.get("status", AttrType::String).unwrap().id,
            "n.status.string"
        );
        assert_eq!(node.get("id", AttrType::Long).unwrap().id, "n.id");
        assert_eq!(node.get("_key", AttrType::String).unwrap().id, "n._key");
        assert_eq!(node.keys[0].id, LABELS);
        assert_eq!(edge.keys[0].id, LABEL);
        assert!(edge.get("_class", AttrType::String).is_none());
        assert!(
            node.get("groupIds", AttrType::String)
                .unwrap()
                .desc
                .contains("JSON array")
        );
    }

    #[test]
    fn extras_never_rename_declared_keys() {
        let mut node = DomainKeys::from_table(Domain::Node);
        let before = node.keys.clone();
        node.add_extra("duration");
        node.add_extra("mfaEnrolled");
        node.add_extra("email");
        node.sort_extras();
        assert_eq!(&node.keys[..before.len()], &before[..]);
        assert_eq!(
            node.get("duration", AttrType::String).unwrap().id,
            "n.duration.string"
        );
        assert_eq!(
            node.get("mfaEnrolled", AttrType::String).unwrap().id,
            "n.mfaEnrolled"
        );
        assert_eq!(node.keys.len(), before.len() + 2);
    }
}
