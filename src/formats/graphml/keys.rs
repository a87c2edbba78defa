//! The `<key>` declarations: one per property name and GraphML type per domain, derived from the
//! property table, plus one string key per extra property (an API field this version does not
//! know).
//!
//! # Names: one `(for, attr.name)` per key
//!
//! igraph, graph-tool and networkx give a file's attributes the keys' `attr.name`s, per domain:
//! igraph refuses a file that declares one name twice in a domain, graph-tool fails with
//! `boost::bad_any_cast`. So no two keys of a domain share an `attr.name`. A property's key is
//! named after the property, except:
//! - when the table gives the name several GraphML types in the domain, the type carried by the
//!   most `_type`s keeps the name (on a tie, the type met first in table order) and every other
//!   type is *qualified* as `<name>_<attr.type>`: `status` is a string on users, groups,
//!   campaigns and tests, so training modules' integer status is `status_long`;
//! - a name that a consumer gives a meaning of its own in the domain ([`RESERVED`]) is qualified
//!   the same way: igraph keeps GraphML node ids in the vertex attribute `id`, so the users' and
//!   groups' `id` is `id_long`.
//!
//! Property names are camelCase letters and digits, so a qualified name (with its `_`) never
//! meets a property's own name, and [`property_of`] reads the property back from any name. The
//! rule depends on the table alone: extra properties (strings) share the string key of their
//! name, or take a qualified `<name>_string` when the name is qualified or held by another type,
//! and never rename a declared key.
//!
//! # Ids
//!
//! Key ids are derived from names, never from counters, so a key keeps its id from one export to
//! the next: `n.<attr.name>` for nodes, `e.<attr.name>` for edges, `g.<attr.name>` for the graph.
//! APOC's conventions take two ids unprefixed: `labels` on nodes (`:<_type>:<_class>...`) and
//! `label` on edges (the `_class`, which APOC makes the relationship type). The node key
//! `n.label` (attr.name `label`) repeats `displayName`, which Gephi and yEd show as the label.

use std::collections::BTreeMap;

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
    pub const ALL: [AttrType; 4] = [
        AttrType::Boolean,
        AttrType::Long,
        AttrType::Double,
        AttrType::String,
    ];

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
            ValueType::Float | ValueType::Decimal => AttrType::Double,
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
/// Node key repeating `displayName` as `label`, which Gephi and yEd show.
pub const NODE_LABEL: &str = "n.label";
/// The property the node label key repeats.
pub const NODE_LABEL_OF: &str = "displayName";

/// `attr.name`s a consumer gives a meaning of its own in a domain, with who: a property of such
/// a name is qualified (see the module documentation). The kb4graph keys that are no property
/// (`labels`, `label`) are in here too, so no property can take their names.
pub const RESERVED: &[(Domain, &str, &str)] = &[
    (Domain::Node, "id", "igraph keeps GraphML node ids in it"),
    (
        Domain::Edge,
        "id",
        "igraph keeps GraphML edge ids in it; Gephi takes it as the edge id",
    ),
    (Domain::Node, "labels", "APOC's labels"),
    (
        Domain::Node,
        "label",
        "Gephi's and yEd's node label, kb4graph's copy of displayName",
    ),
    (Domain::Edge, "label", "Gephi's edge label"),
    (Domain::Edge, "edgelabel", "Gephi's edge label"),
    (Domain::Edge, "edgeid", "Gephi's edge id"),
    (Domain::Edge, "weight", "Gephi's edge weight"),
    (Domain::Node, "size", "Gephi's node size"),
    (Domain::Node, "x", "Gephi's node position"),
    (Domain::Node, "y", "Gephi's node position"),
    (Domain::Node, "z", "Gephi's node position"),
    (Domain::Node, "xpos", "Gephi's node position"),
    (Domain::Node, "ypos", "Gephi's node position"),
    (Domain::Node, "r", "Gephi's node colour"),
    (Domain::Node, "g", "Gephi's node colour"),
    (Domain::Node, "b", "Gephi's node colour"),
    (Domain::Edge, "r", "Gephi's edge colour"),
    (Domain::Edge, "g", "Gephi's edge colour"),
    (Domain::Edge, "b", "Gephi's edge colour"),
];

/// Whether a consumer reserves `name` in `domain`.
pub fn is_reserved(domain: Domain, name: &str) -> bool {
    RESERVED.iter().any(|(d, n, _)| *d == domain && *n == name)
}

/// The `attr.name` of `property` qualified with its GraphML type: `status_long`.
pub fn qualified(property: &str, attr_type: AttrType) -> String {
    format!("{property}_{}", attr_type.name())
}

/// The property an `attr.name` names, and the type it is qualified with, if it is: `status_long`
/// is `status` as a long; `status` and `_key` are themselves.
pub fn property_of(attr_name: &str) -> (&str, Option<AttrType>) {
    if let Some((property, suffix)) = attr_name.rsplit_once('_')
        && !property.is_empty()
        && let Some(at) = AttrType::ALL.into_iter().find(|t| t.name() == suffix)
    {
        return (property, Some(at));
    }
    (attr_name, None)
}

/// One `<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub domain: Domain,
    /// The `attr.name`: the property's name, or its qualified name.
    pub name: String,
    /// The property whose values the key carries (`labels`: none, empty).
    pub property: String,
    pub attr_type: AttrType,
    /// Written as the key's `<desc>` when not empty.
    pub desc: String,
    /// True for a key of an extra property.
    pub extra: bool,
}

impl Key {
    /// Whether the key carries a property of its own (not APOC's labels or a label copy).
    fn is_property(&self) -> bool {
        self.id != LABELS
            && self.id != NODE_LABEL
            && !(self.domain == Domain::Edge && self.id == LABEL)
    }
}

/// What a value of a kb4graph value type looks like in GraphML, for `<desc>`s.
pub fn value_type_desc(ty: ValueType) -> &'static str {
    match ty {
        ValueType::String => "text",
        ValueType::Integer => "integer (64-bit)",
        ValueType::Float => "floating-point number",
        ValueType::Decimal => "decimal number, written in its shortest exact form, e.g. 26.7",
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
    by_property: BTreeMap<String, Vec<(AttrType, usize)>>,
}

/// One property name with one GraphML type in a domain: the value types behind it, each with
/// the `_type`s that give it.
struct Use {
    property: &'static str,
    attr_type: AttrType,
    value_types: Vec<ValueTypeUse>,
}

impl Use {
    fn owners(&self) -> usize {
        self.value_types.iter().map(|(_, o)| o.len()).sum()
    }
}

impl DomainKeys {
    /// The keys the property table gives `domain` (graph keys are [`graph_keys`]).
    pub fn from_table(domain: Domain) -> DomainKeys {
        // Every (name, attr type) in table order.
        let mut uses: Vec<Use> = Vec::new();
        let mut add = |p: &PropDef, owner: &'static str| {
            let at = AttrType::of(p.value_type);
            let pos = match uses
                .iter()
                .position(|u| u.property == p.name && u.attr_type == at)
            {
                Some(pos) => pos,
                None => {
                    uses.push(Use {
                        property: p.name,
                        attr_type: at,
                        value_types: Vec::new(),
                    });
                    uses.len() - 1
                }
            };
            let vts = &mut uses[pos].value_types;
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
        // The type that keeps each name: carried by the most `_type`s, the first on a tie.
        let mut primary: BTreeMap<&str, (usize, AttrType)> = BTreeMap::new();
        for u in &uses {
            let best = primary.entry(u.property).or_insert((0, u.attr_type));
            if u.owners() > best.0 {
                *best = (u.owners(), u.attr_type);
            }
        }
        let mut keys = Vec::new();
        match domain {
            Domain::Node => {
                keys.push(Key {
                    id: LABELS.to_owned(),
                    domain,
                    name: LABELS.to_owned(),
                    property: String::new(),
                    attr_type: AttrType::String,
                    desc:
                        "Labels for apoc.import.graphml with readLabels: ':<_type>:<_class>...', \
                           e.g. :knowbe4_user:User"
                            .to_owned(),
                    extra: false,
                });
                keys.push(Key {
                    id: NODE_LABEL.to_owned(),
                    domain,
                    name: "label".to_owned(),
                    property: NODE_LABEL_OF.to_owned(),
                    attr_type: AttrType::String,
                    desc: "The displayName again, as the label Gephi and yEd show".to_owned(),
                    extra: false,
                });
            }
            Domain::Edge => keys.push(Key {
                id: LABEL.to_owned(),
                domain,
                name: "_class".to_owned(),
                property: "_class".to_owned(),
                attr_type: AttrType::String,
                desc: "The relationship's _class (HAS, ASSIGNED, COMPLETED, CONTAINS): the \
                       relationship type for apoc.import.graphml and the label Gephi shows; \
                       always the edge's first data"
                    .to_owned(),
                extra: false,
            }),
            Domain::Graph => {}
        }
        for u in &uses {
            let keeps_name = primary.get(u.property).map(|(_, at)| *at) == Some(u.attr_type)
                && !is_reserved(domain, u.property);
            let name = if keeps_name {
                u.property.to_owned()
            } else {
                qualified(u.property, u.attr_type)
            };
            keys.push(Key {
                id: key_id(domain, &name),
                domain,
                name,
                property: u.property.to_owned(),
                attr_type: u.attr_type,
                desc: declared_desc(&u.value_types),
                extra: false,
            });
        }
        DomainKeys::index(domain, keys)
    }

    fn index(domain: Domain, keys: Vec<Key>) -> DomainKeys {
        let mut by_property: BTreeMap<String, Vec<(AttrType, usize)>> = BTreeMap::new();
        for (i, k) in keys.iter().enumerate() {
            if !k.is_property() {
                continue;
            }
            by_property
                .entry(k.property.clone())
                .or_default()
                .push((k.attr_type, i));
        }
        DomainKeys {
            domain,
            keys,
            by_property,
        }
    }

    /// Adds the key of extra property `name` (a string), unless a string key of that name exists.
    pub fn add_extra(&mut self, name: &str) {
        if self.get(name, AttrType::String).is_some() {
            return;
        }
        let attr_name = extra_attr_name(self.domain, name, self.by_property.contains_key(name));
        let index = self.keys.len();
        self.keys.push(Key {
            id: key_id(self.domain, &attr_name),
            domain: self.domain,
            name: attr_name,
            property: name.to_owned(),
            attr_type: AttrType::String,
            desc: EXTRA_DESC.to_owned(),
            extra: true,
        });
        self.by_property
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

    /// The key of property `property` written as `attr_type`.
    pub fn get(&self, property: &str, attr_type: AttrType) -> Option<&Key> {
        self.by_property
            .get(property)?
            .iter()
            .find(|(at, _)| *at == attr_type)
            .and_then(|(_, i)| self.keys.get(*i))
    }
}

/// `<desc>` of an extra property's key.
pub const EXTRA_DESC: &str =
    "An API field this version of kb4graph does not know, kept as text (JSON text if not a string)";

/// The id of the key named `attr_name` in `domain`.
pub fn key_id(domain: Domain, attr_name: &str) -> String {
    let mut id = String::from(domain.prefix());
    // Table and extra names are ASCII letters, digits and `_`, all NMTOKEN characters; anything
    // else (which normalize never makes) is escaped like node ids.
    if attr_name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        id.push_str(attr_name);
    } else {
        super::ids::push_id(&mut id, attr_name);
    }
    id
}

/// The `attr.name` of an extra property's key: qualified when the table already uses the name
/// with another GraphML type in the domain (`name_declared`), or a consumer reserves it.
pub fn extra_attr_name(domain: Domain, name: &str, name_declared: bool) -> String {
    if name_declared || is_reserved(domain, name) {
        qualified(name, AttrType::String)
    } else {
        name.to_owned()
    }
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
            id: key_id(Domain::Graph, name),
            domain: Domain::Graph,
            name: (*name).to_owned(),
            property: (*name).to_owned(),
            attr_type: *at,
            desc: (*desc).to_owned(),
            extra: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn key_ids_are_unique_and_follow_names() {
        let mut ids = BTreeSet::new();
        let node = DomainKeys::from_table(Domain::Node);
        let edge = DomainKeys::from_table(Domain::Edge);
        for k in graph_keys().iter().chain(&node.keys).chain(&edge.keys) {
            assert!(ids.insert(k.id.clone()), "{} twice", k.id);
            if k.id != LABELS && k.id != LABEL {
                assert_eq!(k.id, key_id(k.domain, &k.name));
            }
        }
        let status = node.get("status", AttrType::String).unwrap();
        assert_eq!(
            (status.id.as_str(), status.name.as_str()),
            ("n.status", "status")
        );
        let status = node.get("status", AttrType::Long).unwrap();
        assert_eq!(
            (status.id.as_str(), status.name.as_str()),
            ("n.status_long", "status_long")
        );
        let id = node.get("id", AttrType::Long).unwrap();
        assert_eq!((id.id.as_str(), id.name.as_str()), ("n.id_long", "id_long"));
        assert_eq!(node.get("_key", AttrType::String).unwrap().id, "n._key");
        assert_eq!(node.keys[0].id, LABELS);
        assert_eq!(node.keys[1].id, NODE_LABEL);
        assert_eq!(node.keys[1].name, "label");
        assert_eq!(
            node.get("displayName", AttrType::String).unwrap().id,
            "n.displayName"
        );
        assert_eq!(edge.keys[0].id, LABEL);
        assert!(edge.get("_class", AttrType::String).is_none());
        assert!(
            node.get("groupIds", AttrType::String)
                .unwrap()
                .desc
                .contains("JSON array")
        );
    }

    /// What igraph and graph-tool need: one `attr.name` per domain, none a consumer reserves
    /// for a property of another meaning.
    #[test]
    fn every_attr_name_is_unique_in_its_domain_and_reads_back_as_its_property() {
        for domain in [Domain::Node, Domain::Edge] {
            let keys = DomainKeys::from_table(domain);
            let mut names = BTreeSet::new();
            for k in &keys.keys {
                assert!(
                    names.insert(k.name.clone()),
                    "{} {} twice",
                    domain.name(),
                    k.name
                );
                if !k.is_property() {
                    continue;
                }
                let (property, typed) = property_of(&k.name);
                assert_eq!(property, k.property);
                assert_eq!(typed.is_some(), k.name != k.property, "{}", k.name);
                if let Some(at) = typed {
                    assert_eq!(at, k.attr_type);
                }
                assert!(!is_reserved(domain, &k.name) || !k.is_property() || typed.is_some());
            }
        }
        assert_eq!(property_of("status_long"), ("status", Some(AttrType::Long)));
        assert_eq!(property_of("_key"), ("_key", None));
        assert_eq!(property_of("_long"), ("_long", None));
        assert_eq!(property_of("status_int"), ("status_int", None));
        assert_eq!(property_of("status"), ("status", None));
    }

    #[test]
    fn extras_never_rename_declared_keys() {
        let mut node = DomainKeys::from_table(Domain::Node);
        let before = node.keys.clone();
        node.add_extra("duration");
        node.add_extra("mfaEnrolled");
        node.add_extra("email");
        node.add_extra("size");
        node.sort_extras();
        assert_eq!(&node.keys[..before.len()], &before[..]);
        let duration = node.get("duration", AttrType::String).unwrap();
        assert_eq!(
            (duration.id.as_str(), duration.name.as_str()),
            ("n.duration_string", "duration_string")
        );
        assert_eq!(
            node.get("mfaEnrolled", AttrType::String).unwrap().id,
            "n.mfaEnrolled"
        );
        assert_eq!(
            node.get("size", AttrType::String).unwrap().name,
            "size_string"
        );
        assert_eq!(node.keys.len(), before.len() + 3);
        let mut names = BTreeSet::new();
        assert!(node.keys.iter().all(|k| names.insert(k.name.clone())));
    }
}
