//! `schemas/graphml-profile.json`: what kb4graph's GraphML holds beyond GraphML itself, generated
//! from the property table.
//!
//! The official GraphML XSD checks structure and key references, but XSD 1.0 cannot tie a
//! `<data>` to the value of another `<data>` (its `_type`), which is what says which keys a node
//! may and must carry and how each value is spelled. So the profile is a JSON description that
//! the validator interprets and outside tools can read: the keys (`id`, `for`, `attr.name`,
//! `attr.type`), then per `_type` its labels, its `_class`, its endpoints (edges) and the keys it
//! carries with their kb4graph value type. The bundled file is this generator's output; a test
//! keeps the two equal, so the profile cannot drift from the model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::formats::graphml::keys::{
    self, AttrType, Domain, DomainKeys, EXTRA_DESC, Key, edge_props, graph_keys, node_props,
};
use crate::formats::graphml::{self as export, labels};
use crate::model::{EntityType, PropDef, RelationshipType, ValueType};

/// The profile as bundled in the binary.
pub const BUNDLED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schemas/graphml-profile.json"
));
/// Its file name in `schemas/` and in `kb4graph schemas --out DIR`.
pub const FILE_NAME: &str = "graphml-profile.json";
/// Identifies the profile document.
pub const PROFILE_FORMAT: &str = "kb4graph-graphml-profile";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    pub title: String,
    pub description: String,
    pub format: String,
    pub format_version: u32,
    /// The file it describes, relative to the export directory.
    pub file: String,
    /// The graph data `format` and `formatVersion` of such a file.
    pub document_format: String,
    pub document_version: u32,
    pub namespace: String,
    pub edgedefault: String,
    /// What the validator checks beyond the keys and types below, in words.
    pub rules: Vec<String>,
    pub keys: Vec<ProfileKey>,
    pub extra_keys: ExtraKeys,
    pub graph_data: Vec<DataRule>,
    pub node_types: BTreeMap<String, NodeType>,
    pub edge_types: BTreeMap<String, EdgeType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileKey {
    pub id: String,
    #[serde(rename = "for")]
    pub domain: String,
    #[serde(rename = "attr.name")]
    pub name: String,
    /// The property whose values the key carries: the attr.name, unless that is qualified
    /// (`status_long` carries `status`); empty for APOC's `labels`.
    pub property: String,
    #[serde(rename = "attr.type")]
    pub attr_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub desc: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtraKeys {
    pub description: String,
    pub domains: Vec<String>,
    #[serde(rename = "attr.type")]
    pub attr_type: String,
    pub desc: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataRule {
    pub key: String,
    /// kb4graph's value type: string, integer, float, boolean, datetime, date, string[],
    /// integer[].
    pub value_type: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeType {
    /// The exact value of the `labels` data.
    pub labels: String,
    /// The `_class` data, as a JSON array.
    pub class: Vec<String>,
    pub data: Vec<DataRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EdgeType {
    /// The exact value of the `label` data (the `_class`).
    pub label: String,
    /// The `_type` of the source and target nodes.
    pub source: String,
    pub target: String,
    /// The `_key` ends with `|<enrollmentId>`.
    pub per_enrollment: bool,
    pub data: Vec<DataRule>,
}

fn profile_key(k: &Key) -> ProfileKey {
    ProfileKey {
        id: k.id.clone(),
        domain: k.domain.name().to_owned(),
        name: k.name.clone(),
        property: k.property.clone(),
        attr_type: k.attr_type.name().to_owned(),
        desc: k.desc.clone(),
    }
}

fn rule(keys: &DomainKeys, p: &PropDef) -> DataRule {
    let id = keys
        .get(p.name, AttrType::of(p.value_type))
        .map_or_else(String::new, |k| k.id.clone());
    DataRule {
        key: id,
        value_type: p.value_type.name().to_owned(),
        required: p.required,
    }
}

fn fixed(key: &str) -> DataRule {
    DataRule {
        key: key.to_owned(),
        value_type: ValueType::String.name().to_owned(),
        required: true,
    }
}

/// The profile, from the property table.
pub fn generate() -> Profile {
    let node = DomainKeys::from_table(Domain::Node);
    let edge = DomainKeys::from_table(Domain::Edge);
    let graph = graph_keys();
    let mut node_types = BTreeMap::new();
    for ty in EntityType::ALL {
        let def = ty.def();
        let mut data = vec![fixed(keys::LABELS), fixed(keys::NODE_LABEL)];
        data.extend(node_props(ty).map(|p| rule(&node, p)));
        node_types.insert(
            def.name.to_owned(),
            NodeType {
                labels: labels(def.name, def.classes),
                class: def.classes.iter().map(|c| (*c).to_owned()).collect(),
                data,
            },
        );
    }
    let mut edge_types = BTreeMap::new();
    for ty in RelationshipType::ALL {
        let def = ty.def();
        let mut data = vec![fixed(keys::LABEL)];
        data.extend(edge_props(ty).map(|p| rule(&edge, p)));
        edge_types.insert(
            def.name.to_owned(),
            EdgeType {
                label: def.class.to_owned(),
                source: def.from.name().to_owned(),
                target: def.to.name().to_owned(),
                per_enrollment: def.per_enrollment,
                data,
            },
        );
    }
    let graph_data = keys::GRAPH_DATA
        .iter()
        .zip(&graph)
        .map(|((name, at, _), key)| DataRule {
            key: key.id.clone(),
            value_type: match at {
                AttrType::Long => ValueType::Integer,
                AttrType::Boolean => ValueType::Boolean,
                AttrType::Double => ValueType::Float,
                AttrType::String if *name == "fetchedAt" => ValueType::DateTime,
                AttrType::String => ValueType::String,
            }
            .name()
            .to_owned(),
            required: !matches!(*name, "account" | "site"),
        })
        .collect();
    Profile {
        title: "kb4graph GraphML profile (graphml/graph.graphml)".to_owned(),
        description: "What kb4graph's GraphML export holds beyond GraphML 1.0 itself (check that \
                      with the official graphml.xsd): its keys with their attr.type, and per \
                      _type the keys a node or edge carries, with kb4graph's value type. Derived \
                      from kb4graph's property table; read by `kb4graph validate`."
            .to_owned(),
        format: PROFILE_FORMAT.to_owned(),
        format_version: 2,
        file: export::FILE.to_owned(),
        document_format: export::DOCUMENT_FORMAT.to_owned(),
        document_version: export::DOCUMENT_VERSION,
        namespace: export::GRAPHML_NS.to_owned(),
        edgedefault: "directed".to_owned(),
        rules: [
            "The file is XML 1.0 in UTF-8: no control characters but tab, line feed and carriage return, no U+FFFE or U+FFFF (kb4graph writes U+FFFD instead and warns).",
            "One <graphml> in the GraphML namespace holds the <key>s, then one <graph edgedefault=\"directed\">, whose <data> come first, then every <node>, then every <edge>.",
            "Keys are those listed here, plus one string key per extra property (see extraKeys); every key listed here is declared. Key ids are unique; for is graph, node or edge, never all.",
            "No two keys of one domain share an attr.name (igraph and graph-tool key attributes by it). A key is named after the property it carries, except where the property's name has several attr.types in the domain (the type carried by the most _types keeps the name, the first in table order on a tie) or a consumer reserves the name (igraph: id; Gephi: label, weight, size, x, y, ...): there the attr.name is <property>_<attr.type>, e.g. status_long, id_long. Property names never hold '_' but at the start, so the property is the attr.name without a final _boolean, _long, _double or _string.",
            "Key ids are n.<attr.name>, e.<attr.name> and g.<attr.name>, except APOC's labels (node) and label (edge).",
            "A <data> refers to a declared key of its element's domain, at most once per element, and holds text that parses as the key's attr.type: long and int as decimal integers in range, double and float as xs:double, boolean as true or false.",
            "Node ids are unique; a node's id is its _key escaped into an NMTOKEN (ASCII letters, digits, '-', '.' and ':' as themselves, '_' as '__', every other UTF-8 byte as '_XX' in upper-case hex), so no '|' or '@' reaches an id.",
            "Every edge has an id: its _key escaped the same way; ids are unique; source and target are the ids of existing nodes whose _type are the edge type's source and target; the _key is <source _key>|<_class lowercased>|<target _key>, then |<enrollmentId> for per-enrollment types.",
            "A node carries the keys its _type lists here (required ones always) and extra keys; labels and _class hold exactly the values given, and n.label (attr.name label, which Gephi and yEd show) the node's displayName. An edge's first <data> is label (APOC reads the relationship type from it).",
            "Values follow their kb4graph value type: datetime as YYYY-MM-DDTHH:MM:SS.sssZ, date as YYYY-MM-DD, string[] and integer[] as JSON arrays.",
            "Nodes, then edges, come in ascending byte order of _key.",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        keys: graph
            .iter()
            .chain(&node.keys)
            .chain(&edge.keys)
            .map(profile_key)
            .collect(),
        extra_keys: ExtraKeys {
            description: "API fields this version of kb4graph does not know, kept as strings. \
                          An extra property shares the string key of its name if there is one \
                          above; else its attr.name is the camelCase name, or <name>_string when \
                          a key above carries the name with another attr.type in the domain or a \
                          consumer reserves the name; the key id is n.<attr.name> (nodes) or \
                          e.<attr.name> (edges)."
                .to_owned(),
            domains: vec![Domain::Node.name().to_owned(), Domain::Edge.name().to_owned()],
            attr_type: AttrType::String.name().to_owned(),
            desc: EXTRA_DESC.to_owned(),
        },
        graph_data,
        node_types,
        edge_types,
    }
}

/// The generated profile as the bundled file spells it.
pub fn generate_text() -> String {
    let mut text = serde_json::to_string_pretty(&generate()).unwrap_or_default();
    text.push('\n');
    text
}

/// The bundled profile.
pub fn bundled() -> Result<Profile, serde_json::Error> {
    serde_json::from_str(BUNDLED)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerate with `KB4GRAPH_BLESS=1 cargo test --lib graphml_profile`.
    #[test]
    fn bundled_graphml_profile_is_the_generated_one() {
        let generated = generate_text();
        if std::env::var_os("KB4GRAPH_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/graphml-profile.json");
            std::fs::write(path, &generated).unwrap();
            return;
        }
        assert!(
            BUNDLED == generated,
            "schemas/graphml-profile.json differs from the property table; regenerate it with \
             KB4GRAPH_BLESS=1 cargo test --lib graphml_profile"
        );
        assert_eq!(bundled().unwrap(), generate());
    }

    #[test]
    fn every_property_of_the_table_has_a_typed_key_in_the_profile() {
        let profile = generate();
        let key = |id: &str| profile.keys.iter().find(|k| k.id == id).unwrap();
        for ty in EntityType::ALL {
            let node = &profile.node_types[ty.name()];
            for p in node_props(ty) {
                let r = node
                    .data
                    .iter()
                    .find(|r| key(&r.key).property == p.name)
                    .unwrap_or_else(|| panic!("{ty} {}", p.name));
                assert_eq!(r.value_type, p.value_type.name());
                assert_eq!(r.required, p.required);
                assert_eq!(key(&r.key).attr_type, AttrType::of(p.value_type).name());
                assert_eq!(key(&r.key).domain, "node");
            }
        }
        for ty in RelationshipType::ALL {
            let edge = &profile.edge_types[ty.name()];
            assert_eq!(edge.data[0].key, keys::LABEL);
            for p in ty.def().properties {
                assert!(edge.data.iter().any(|r| key(&r.key).property == p.name));
            }
        }
        assert_eq!(
            profile.node_types["knowbe4_user"].labels,
            ":knowbe4_user:User"
        );
        assert_eq!(key("n.id_long").attr_type, "long");
        assert_eq!(key("n.id_long").property, "id");
        assert_eq!(key("n.status_long").property, "status");
        assert_eq!(key("n.label").name, "label");
    }
}
