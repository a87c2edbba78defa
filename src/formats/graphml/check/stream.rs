//! The streaming check of one GraphML file: well-formedness (with quick-xml), what the GraphML
//! XSD says (declared keys, unique ids, edges between existing nodes, values of their
//! `attr.type`), and kb4graph's profile (which keys each `_type` carries, how values are spelled,
//! ids derived from `_key`s, order).
//!
//! Only what later elements need is kept: a node's id and `_type`, a digest of each edge id, and
//! edges whose nodes have not been seen yet.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use sha2::{Digest, Sha256};

use super::lines::{LineReader, Position};
use super::profile::Profile;
use super::values::{GmlType, check_value, quote};
use crate::formats::graphml::ids::decode_id;
use crate::formats::graphml::keys::{self, Domain, extra_attr_name, key_id, property_of};
use crate::formats::graphml::text::{is_xml_char, sanitized};
use crate::model::ValueType;
use crate::validate::{ValidateError, Violation};

/// Violations beyond this many are counted, not listed.
const MAX_LISTED: usize = 1000;

/// The rules of one `_type`, read from the profile.
struct TypeRules {
    name: String,
    /// `labels` (nodes) or `label` (edges) as it must be written.
    label: String,
    /// Nodes: the `_class` array.
    class: Vec<String>,
    /// Edges: source and target `_type` indices, and whether the key ends with an enrollment.
    ends: Option<(u8, u8, bool)>,
    data: HashMap<String, (ValueType, bool)>,
}

struct Rules {
    keys: HashMap<String, (Domain, String, GmlType)>,
    /// Properties the profile's keys carry, per domain (an extra property of such a name takes
    /// a qualified name).
    properties: HashSet<(Domain, String)>,
    /// The id of the key carrying nodes' displayName, which the node label repeats.
    display_name_key: String,
    graph_data: HashMap<String, (ValueType, bool)>,
    node_types: Vec<TypeRules>,
    edge_types: Vec<TypeRules>,
    namespace: String,
}

fn value_type(name: &str) -> Result<ValueType, ValidateError> {
    ValueType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| ValidateError::Schema(format!("graphml profile: unknown value type {name}")))
}

fn data_rules(
    rules: &[super::profile::DataRule],
) -> Result<HashMap<String, (ValueType, bool)>, ValidateError> {
    rules
        .iter()
        .map(|r| Ok((r.key.clone(), (value_type(&r.value_type)?, r.required))))
        .collect()
}

impl Rules {
    fn new(profile: &Profile) -> Result<Rules, ValidateError> {
        let bad = |what: String| ValidateError::Schema(format!("graphml profile: {what}"));
        let mut keys = HashMap::new();
        let mut properties = HashSet::new();
        let mut display_name_key = String::new();
        for k in &profile.keys {
            let domain = Domain::from_name(&k.domain).ok_or_else(|| bad(k.domain.clone()))?;
            let at = GmlType::parse(&k.attr_type).ok_or_else(|| bad(k.attr_type.clone()))?;
            properties.insert((domain, k.property.clone()));
            if domain == Domain::Node
                && k.property == keys::NODE_LABEL_OF
                && k.id != keys::NODE_LABEL
            {
                display_name_key = k.id.clone();
            }
            keys.insert(k.id.clone(), (domain, k.name.clone(), at));
        }
        let node_names: Vec<&String> = profile.node_types.keys().collect();
        let index = |name: &str| {
            node_names
                .iter()
                .position(|n| *n == name)
                .map(|i| i as u8)
                .ok_or_else(|| bad(format!("unknown node type {name}")))
        };
        let mut node_types = Vec::new();
        for (name, t) in &profile.node_types {
            node_types.push(TypeRules {
                name: name.clone(),
                label: t.labels.clone(),
                class: t.class.clone(),
                ends: None,
                data: data_rules(&t.data)?,
            });
        }
        let mut edge_types = Vec::new();
        for (name, t) in &profile.edge_types {
            edge_types.push(TypeRules {
                name: name.clone(),
                label: t.label.clone(),
                class: Vec::new(),
                ends: Some((index(&t.source)?, index(&t.target)?, t.per_enrollment)),
                data: data_rules(&t.data)?,
            });
        }
        Ok(Rules {
            keys,
            properties,
            display_name_key,
            graph_data: data_rules(&profile.graph_data)?,
            node_types,
            edge_types,
            namespace: profile.namespace.clone(),
        })
    }
}

/// A key the file declares.
struct FileKey {
    domain: Option<Domain>,
    /// Whether an extra property may use it: a string key of a camelCase name.
    extra_ok: bool,
    attr_type: GmlType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    GraphMl,
    Key,
    KeyChild,
    Graph,
    Node,
    Edge,
    Data,
}

struct Data {
    key: String,
    value: String,
    pos: Position,
}

/// A node, an edge or the graph's own data, collected until its end tag.
struct Item {
    domain: Domain,
    pos: Position,
    id: Option<String>,
    source: Option<String>,
    target: Option<String>,
    data: Vec<Data>,
}

struct Checker<'a> {
    rules: &'a Rules,
    file: &'a str,
    violations: Vec<Violation>,
    total: usize,
    keys: HashMap<String, FileKey>,
    keys_checked: bool,
    stack: Vec<Ctx>,
    roots: usize,
    graphs: usize,
    item: Option<Item>,
    graph_data_done: bool,
    /// Node id -> index of its `_type` in `rules.node_types` (u8::MAX: unknown).
    nodes: HashMap<Box<str>, u8>,
    edge_ids: HashSet<[u8; 16]>,
    /// Edge ends not seen yet: (position, edge id, end id, edge type, is source).
    pending: Vec<(Position, String, String, u8, bool)>,
    edges_seen: bool,
    last_node_key: Option<String>,
    last_edge_key: Option<String>,
}

pub(crate) fn attrs(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("not well-formed XML: {err}"))?;
        let name = a.key.as_ref().to_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Explicit1_0)
            .map_err(|err| format!("not well-formed XML in attribute {name}: {err}"))?;
        if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
            return Err(format!(
                "attribute {name} holds U+{:04X}, which XML 1.0 forbids",
                u32::from(c)
            ));
        }
        out.push((name, value.into_owned()));
    }
    Ok(out)
}

pub(crate) fn get<'v>(attrs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A property name as normalize makes them: ASCII letters and digits, a lower-case letter first.
fn is_camel_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_nmtoken(s: &str) -> bool {
    // NameChar, restricted to what kb4graph writes plus the other ASCII name characters;
    // non-ASCII letters are NameChars too.
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_') || (c as u32) > 0xB6
        })
}

impl Checker<'_> {
    fn report(&mut self, pos: Option<Position>, message: String) {
        self.total += 1;
        if self.violations.len() < MAX_LISTED {
            self.violations.push(Violation {
                file: self.file.to_owned(),
                pointer: pos.map(|p| p.to_string()).unwrap_or_default(),
                message,
            });
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, pos: Position) {
        let name = e.name().as_ref().to_owned();
        let attrs = match attrs(e) {
            Ok(a) => a,
            Err(message) => {
                self.report(Some(pos), message);
                Vec::new()
            }
        };
        let parent = self.stack.last().copied();
        let ctx = match (parent, name.as_str()) {
            (None, "graphml") => {
                self.roots += 1;
                if self.roots > 1 {
                    self.report(Some(pos), "a second root element".into());
                }
                if get(&attrs, "xmlns") != Some(self.rules.namespace.as_str()) {
                    self.report(
                        Some(pos),
                        format!(
                            "<graphml> is not in the GraphML namespace (xmlns=\"{}\")",
                            self.rules.namespace
                        ),
                    );
                }
                Some(Ctx::GraphMl)
            }
            (Some(Ctx::GraphMl), "key") => {
                if self.graphs > 0 {
                    self.report(Some(pos), "<key> after <graph>: keys come first".into());
                }
                self.key(&attrs, pos);
                Some(Ctx::Key)
            }
            (Some(Ctx::Key), "desc") => Some(Ctx::KeyChild),
            (Some(Ctx::GraphMl), "graph") => {
                self.graphs += 1;
                if self.graphs > 1 {
                    self.report(Some(pos), "a second <graph>: the profile has one".into());
                }
                self.check_keys_complete(pos);
                if get(&attrs, "edgedefault") != Some("directed") {
                    self.report(
                        Some(pos),
                        "<graph> must have edgedefault=\"directed\"".into(),
                    );
                }
                self.item = Some(Item {
                    domain: Domain::Graph,
                    pos,
                    id: None,
                    source: None,
                    target: None,
                    data: Vec::new(),
                });
                Some(Ctx::Graph)
            }
            (Some(Ctx::Graph), "data") if !self.graph_data_done => Some(Ctx::Data),
            (Some(Ctx::Graph), "node" | "edge") => {
                self.finish_graph_data();
                let domain = if name == "node" {
                    Domain::Node
                } else {
                    Domain::Edge
                };
                self.item = Some(Item {
                    domain,
                    pos,
                    id: get(&attrs, "id").map(str::to_owned),
                    source: get(&attrs, "source").map(str::to_owned),
                    target: get(&attrs, "target").map(str::to_owned),
                    data: Vec::new(),
                });
                Some(if domain == Domain::Node {
                    Ctx::Node
                } else {
                    Ctx::Edge
                })
            }
            (Some(Ctx::Node | Ctx::Edge), "data") => Some(Ctx::Data),
            _ => None,
        };
        match ctx {
            Some(Ctx::Data) => {
                let key = get(&attrs, "key").unwrap_or_default().to_owned();
                if key.is_empty() {
                    self.report(Some(pos), "<data> without a key".into());
                }
                if let Some(item) = &mut self.item {
                    item.data.push(Data {
                        key,
                        value: String::new(),
                        pos,
                    });
                }
                self.stack.push(Ctx::Data);
            }
            Some(ctx) => self.stack.push(ctx),
            None => {
                let inside = parent.map_or("the document".to_owned(), |p| format!("{p:?}"));
                self.report(
                    Some(pos),
                    format!(
                        "unexpected <{name}> in {}: the profile allows graphml > key*, graph > \
                         data*, node*, edge*, with data in nodes and edges",
                        inside.to_lowercase()
                    ),
                );
                // Its content is skipped: track it as a key child, whose content is ignored.
                self.stack.push(Ctx::KeyChild);
            }
        }
    }

    fn end(&mut self, pos: Position) {
        match self.stack.pop() {
            Some(Ctx::Node | Ctx::Edge) => {
                if let Some(item) = self.item.take() {
                    self.item_end(item);
                }
            }
            Some(Ctx::Graph) => {
                self.finish_graph_data();
                self.item = None;
            }
            Some(Ctx::Data) | Some(Ctx::GraphMl | Ctx::Key | Ctx::KeyChild) => {}
            None => self.report(Some(pos), "an end tag without a start tag".into()),
        }
    }

    fn text(&mut self, text: &str, pos: Position) {
        if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
            self.report(
                Some(pos),
                format!(
                    "U+{:04X} is a character XML 1.0 forbids (kb4graph writes U+FFFD instead)",
                    u32::from(c)
                ),
            );
        }
        match self.stack.last() {
            Some(Ctx::Data) => {
                if let Some(d) = self.item.as_mut().and_then(|i| i.data.last_mut()) {
                    d.value.push_str(text);
                }
            }
            Some(Ctx::KeyChild) => {}
            _ => {
                if !text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                    self.report(Some(pos), format!("text {} outside <data>", quote(text)));
                }
            }
        }
    }

    fn key(&mut self, attrs: &[(String, String)], pos: Position) {
        let Some(id) = get(attrs, "id") else {
            self.report(Some(pos), "<key> without an id".into());
            return;
        };
        if !is_nmtoken(id) {
            self.report(Some(pos), format!("key id {} is not an NMTOKEN", quote(id)));
        }
        let domain_name = get(attrs, "for").unwrap_or("all");
        let domain = Domain::from_name(domain_name);
        if domain.is_none() {
            let known = ["all", "graphml", "hyperedge", "port", "endpoint"].contains(&domain_name);
            self.report(
                Some(pos),
                if known {
                    format!("key {id} is for=\"{domain_name}\": the profile has graph, node and edge keys only")
                } else {
                    format!("key {id}: for=\"{domain_name}\" is not a GraphML domain")
                },
            );
        }
        let name = get(attrs, "attr.name").unwrap_or_default();
        let attr_type = match get(attrs, "attr.type") {
            Some(t) => GmlType::parse(t).unwrap_or_else(|| {
                self.report(
                    Some(pos),
                    format!("key {id}: attr.type {} is not a GraphML type", quote(t)),
                );
                GmlType::String
            }),
            None => GmlType::String,
        };
        match self.rules.keys.get(id) {
            Some((d, n, t)) => {
                if Some(*d) != domain || n != name || *t != attr_type {
                    self.report(
                        Some(pos),
                        format!(
                            "key {id} must be for=\"{}\" attr.name=\"{n}\" attr.type=\"{}\"",
                            d.name(),
                            t.name()
                        ),
                    );
                }
            }
            None => {
                let property = property_of(name).0;
                let extra_ok = matches!(domain, Some(Domain::Node | Domain::Edge))
                    && attr_type == GmlType::String
                    && !property.is_empty()
                    && property.chars().all(|c| c.is_ascii_alphanumeric())
                    && domain.is_some_and(|d| {
                        let declared = self.rules.properties.contains(&(d, property.to_owned()));
                        extra_attr_name(d, property, declared) == name && key_id(d, name) == id
                    });
                if !extra_ok {
                    self.report(
                        Some(pos),
                        format!(
                            "key {id} is not in the profile, and not an extra property's key \
                             (a string key n.<name> or e.<name>, or n.<name>_string or \
                             e.<name>_string where the profile holds the name)"
                        ),
                    );
                }
            }
        }
        if self
            .keys
            .insert(
                id.to_owned(),
                FileKey {
                    domain,
                    extra_ok: attr_type == GmlType::String
                        && id != keys::LABELS
                        && id != keys::LABEL
                        && id != keys::NODE_LABEL
                        && is_camel_case(property_of(name).0),
                    attr_type,
                },
            )
            .is_some()
        {
            self.report(Some(pos), format!("key id {id} is declared twice"));
        }
    }

    fn check_keys_complete(&mut self, pos: Position) {
        if self.keys_checked {
            return;
        }
        self.keys_checked = true;
        let mut missing: Vec<&String> = self
            .rules
            .keys
            .keys()
            .filter(|id| !self.keys.contains_key(*id))
            .collect();
        missing.sort();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            let message = format!("the profile's keys {} are not declared", list.join(", "));
            self.report(Some(pos), message);
        }
    }

    /// Checks the data of an item against the file's keys; returns the valid ones by key.
    fn check_data<'i>(&mut self, item: &'i Item, what: &str) -> HashMap<&'i str, &'i Data> {
        let mut by_key: HashMap<&str, &Data> = HashMap::new();
        for d in &item.data {
            let Some((key_domain, key_type)) =
                self.keys.get(&d.key).map(|k| (k.domain, k.attr_type))
            else {
                self.report(
                    Some(d.pos),
                    format!("{what}: <data key=\"{}\"> refers to no declared key", d.key),
                );
                continue;
            };
            if key_domain != Some(item.domain) {
                self.report(
                    Some(d.pos),
                    format!("{what}: key {} is not a {} key", d.key, item.domain.name()),
                );
            }
            if !key_type.accepts(&d.value) {
                self.report(
                    Some(d.pos),
                    format!(
                        "{what}: {} {} is not a {}",
                        d.key,
                        quote(&d.value),
                        key_type.name()
                    ),
                );
            }
            if by_key.insert(d.key.as_str(), d).is_some() {
                self.report(Some(d.pos), format!("{what}: two <data key=\"{}\">", d.key));
            }
        }
        by_key
    }

    /// Checks data against a type's rules (`None`: graph data).
    fn check_rules(
        &mut self,
        item: &Item,
        by_key: &HashMap<&str, &Data>,
        rules: &HashMap<String, (ValueType, bool)>,
        type_name: &str,
        what: &str,
    ) {
        for d in &item.data {
            match rules.get(&d.key) {
                Some((vt, _)) => {
                    if let Err(e) = check_value(*vt, &d.value) {
                        self.report(Some(d.pos), format!("{what}: {}: {e}", d.key));
                    }
                }
                None => {
                    // Extra properties use their name's string key, which may be one the
                    // profile lists for other types.
                    let extra = item.domain != Domain::Graph
                        && self.keys.get(&d.key).is_some_and(|k| k.extra_ok);
                    if !extra && self.keys.contains_key(&d.key) {
                        self.report(
                            Some(d.pos),
                            format!("{what}: key {} is not one {type_name} carries", d.key),
                        );
                    }
                }
            }
        }
        let mut missing: Vec<&str> = rules
            .iter()
            .filter(|(k, (_, required))| *required && !by_key.contains_key(k.as_str()))
            .map(|(k, _)| k.as_str())
            .collect();
        if !missing.is_empty() {
            missing.sort();
            self.report(
                Some(item.pos),
                format!("{what}: required data {} missing", missing.join(", ")),
            );
        }
    }

    fn finish_graph_data(&mut self) {
        if self.graph_data_done {
            return;
        }
        self.graph_data_done = true;
        let Some(item) = self.item.take() else {
            return;
        };
        let by_key = self.check_data(&item, "graph");
        let rules = &self.rules.graph_data;
        self.check_rules(&item, &by_key, rules, "the graph", "graph");
    }

    fn item_end(&mut self, item: Item) {
        let kind = item.domain.name();
        let Some(id) = item.id.clone() else {
            self.report(Some(item.pos), format!("a <{kind}> without an id"));
            return;
        };
        let what = format!("{kind} {id}");
        if !is_nmtoken(&id) {
            self.report(Some(item.pos), format!("{what}: the id is not an NMTOKEN"));
        }
        let by_key = self.check_data(&item, &what);
        let ty_key = if item.domain == Domain::Node {
            "n._type"
        } else {
            "e._type"
        };
        let ty_name = by_key.get(ty_key).map(|d| d.value.as_str());
        let types = if item.domain == Domain::Node {
            &self.rules.node_types
        } else {
            &self.rules.edge_types
        };
        let ty_index = ty_name.and_then(|n| types.iter().position(|t| t.name == n));
        let decoded = decode_id(&id);
        if decoded.is_none() {
            self.report(
                Some(item.pos),
                format!("{what}: the id is not a _key escaped as the profile says"),
            );
        }
        let key_data = if item.domain == Domain::Node {
            "n._key"
        } else {
            "e._key"
        };
        if let (Some(key), Some(d)) = (&decoded, by_key.get(key_data))
            && sanitized(key) != d.value.as_str()
        {
            self.report(
                Some(item.pos),
                format!(
                    "{what}: the id is not the escaping of _key {}",
                    quote(&d.value)
                ),
            );
        }
        match ty_index {
            None => self.report(
                Some(item.pos),
                format!(
                    "{what}: _type {} is not a {kind} type of the profile",
                    ty_name.map_or("(missing)".to_owned(), quote)
                ),
            ),
            Some(t) => {
                let t = &types[t];
                self.check_rules(&item, &by_key, &t.data, &t.name, &what);
                let label_key = if item.domain == Domain::Node {
                    keys::LABELS
                } else {
                    keys::LABEL
                };
                if let Some(d) = by_key.get(label_key)
                    && d.value != t.label
                {
                    self.report(
                        Some(d.pos),
                        format!("{what}: {label_key} must be {}", quote(&t.label)),
                    );
                }
                if item.domain == Domain::Node
                    && let Some(d) = by_key.get("n._class")
                    && serde_json::from_str::<Vec<String>>(&d.value).ok().as_ref() != Some(&t.class)
                {
                    self.report(Some(d.pos), format!("{what}: _class must be {:?}", t.class));
                }
                if item.domain == Domain::Node
                    && let Some(d) = by_key.get(keys::NODE_LABEL)
                    && by_key
                        .get(self.rules.display_name_key.as_str())
                        .is_some_and(|display| display.value != d.value)
                {
                    self.report(
                        Some(d.pos),
                        format!("{what}: {} must repeat the displayName", keys::NODE_LABEL),
                    );
                }
            }
        }
        if item.domain == Domain::Node {
            self.node_end(&item, &what, &id, decoded, ty_index);
        } else {
            self.edge_end(&item, &what, &id, decoded, ty_index);
        }
    }

    fn node_end(
        &mut self,
        item: &Item,
        what: &str,
        id: &str,
        decoded: Option<String>,
        ty: Option<usize>,
    ) {
        if self.edges_seen {
            self.report(Some(item.pos), format!("{what}: nodes come before edges"));
        }
        if let Some(key) = decoded {
            if let Some(last) = &self.last_node_key
                && *last >= key
            {
                self.report(
                    Some(item.pos),
                    format!("{what}: nodes are not in ascending _key order"),
                );
            }
            self.last_node_key = Some(key);
        }
        let ty = ty.map_or(u8::MAX, |t| t as u8);
        if self.nodes.insert(id.into(), ty).is_some() {
            self.report(Some(item.pos), format!("{what}: the node id is not unique"));
        }
    }

    fn edge_end(
        &mut self,
        item: &Item,
        what: &str,
        id: &str,
        decoded: Option<String>,
        ty: Option<usize>,
    ) {
        self.edges_seen = true;
        let digest: [u8; 16] = Sha256::digest(id.as_bytes())[..16]
            .try_into()
            .unwrap_or_default();
        if !self.edge_ids.insert(digest) {
            self.report(Some(item.pos), format!("{what}: the edge id is not unique"));
        }
        if let Some(first) = item.data.first()
            && first.key != keys::LABEL
        {
            self.report(
                Some(first.pos),
                format!("{what}: the first <data> must be label (APOC reads the type from it)"),
            );
        }
        let rules = ty.map(|t| &self.rules.edge_types[t]);
        let ends = rules.and_then(|r| r.ends);
        let ty = ty.map_or(u8::MAX, |t| t as u8);
        for (end, is_source) in [(&item.source, true), (&item.target, false)] {
            let Some(end) = end else {
                let attr = if is_source { "source" } else { "target" };
                self.report(Some(item.pos), format!("{what}: no {attr}"));
                continue;
            };
            match self.nodes.get(end.as_str()) {
                Some(&node_ty) => self.check_end(item.pos, what, end, node_ty, ty, is_source),
                None => self
                    .pending
                    .push((item.pos, id.to_owned(), end.clone(), ty, is_source)),
            }
        }
        if let (Some(key), Some(rules), Some((_, _, per_enrollment))) = (&decoded, rules, ends)
            && let (Some(source), Some(target)) = (
                item.source.as_deref().and_then(decode_id),
                item.target.as_deref().and_then(decode_id),
            )
        {
            let class = rules.label.to_ascii_lowercase();
            let prefix = crate::model::keys::relationship_key(&source, &class, &target, None);
            let ok = match key.strip_prefix(&prefix) {
                Some("") => !per_enrollment,
                Some(rest) => {
                    per_enrollment
                        && rest
                            .strip_prefix('|')
                            .is_some_and(|n| n.parse::<i64>().is_ok())
                }
                None => false,
            };
            if !ok {
                self.report(
                    Some(item.pos),
                    format!(
                        "{what}: _key {} is not {}",
                        quote(key),
                        crate::model::keys::relationship_key_shape(&class, per_enrollment)
                    ),
                );
            }
        }
        if let Some(key) = decoded {
            if let Some(last) = &self.last_edge_key
                && *last >= key
            {
                self.report(
                    Some(item.pos),
                    format!("{what}: edges are not in ascending _key order"),
                );
            }
            self.last_edge_key = Some(key);
        }
    }

    fn check_end(
        &mut self,
        pos: Position,
        what: &str,
        end: &str,
        node_ty: u8,
        edge_ty: u8,
        is_source: bool,
    ) {
        let Some((source, target, _)) = self
            .rules
            .edge_types
            .get(usize::from(edge_ty))
            .and_then(|t| t.ends)
        else {
            return;
        };
        let want = if is_source { source } else { target };
        if node_ty != u8::MAX && node_ty != want {
            let name = |i: u8| {
                self.rules
                    .node_types
                    .get(usize::from(i))
                    .map_or("?", |t| t.name.as_str())
            };
            let message = format!(
                "{what}: {} {end} is a {}, not a {}",
                if is_source { "source" } else { "target" },
                name(node_ty),
                name(want)
            );
            self.report(Some(pos), message);
        }
    }

    fn finish(&mut self, end: Position) {
        for (pos, edge_id, end_id, edge_ty, is_source) in std::mem::take(&mut self.pending) {
            let what = format!("edge {edge_id}");
            let end = if is_source { "source" } else { "target" };
            match self.nodes.get(end_id.as_str()) {
                Some(&node_ty) => self.check_end(pos, &what, &end_id, node_ty, edge_ty, is_source),
                None => self.report(
                    Some(pos),
                    format!("{what}: {end} {end_id} is not a node of the graph"),
                ),
            }
        }
        if self.roots == 0 {
            self.report(Some(end), "no <graphml> element".into());
        } else if self.graphs == 0 {
            self.report(Some(end), "no <graph> element".into());
        }
        if !self.stack.is_empty() {
            self.report(Some(end), "the document ends inside an element".into());
        }
    }
}

/// Checks `path` (shown as `file`) against `profile`; returns the listed violations and their
/// total.
pub fn check_file(
    path: &Path,
    file: &str,
    profile: &Profile,
) -> Result<(Vec<Violation>, usize), ValidateError> {
    let rules = Rules::new(profile)?;
    let io_err = |source| ValidateError::Io {
        path: path.to_owned(),
        source,
    };
    let f = crate::files::open_regular(path).map_err(io_err)?;
    let mut reader = Reader::from_reader(LineReader::new(f));
    reader.config_mut().check_end_names = true;
    let mut checker = Checker {
        rules: &rules,
        file,
        violations: Vec::new(),
        total: 0,
        keys: HashMap::new(),
        keys_checked: false,
        stack: Vec::new(),
        roots: 0,
        graphs: 0,
        item: None,
        graph_data_done: false,
        nodes: HashMap::new(),
        edge_ids: HashSet::new(),
        pending: Vec::new(),
        edges_seen: false,
        last_node_key: None,
        last_edge_key: None,
    };
    let mut buf = Vec::new();
    loop {
        let pos = reader.get_ref().position();
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(e)) => {
                return Err(io_err(std::io::Error::new(e.kind(), e.to_string())));
            }
            Err(e) => {
                checker.report(Some(pos), format!("not well-formed XML: {e}"));
                return Ok((checker.violations, checker.total));
            }
        };
        match event {
            Event::Start(e) => checker.start(&e, pos),
            Event::Empty(e) => {
                checker.start(&e, pos);
                checker.end(pos);
            }
            Event::End(_) => checker.end(pos),
            Event::Text(t) => checker.text(&t.xml10_content(), pos),
            Event::CData(t) => checker.text(&t.xml10_content(), pos),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&r).map(str::to_owned),
                    Err(_) => None,
                };
                match resolved {
                    Some(text) => checker.text(&text, pos),
                    None => {
                        checker.report(Some(pos), format!("undefined reference &{};", &*r));
                    }
                }
            }
            Event::Decl(d) => {
                let version = d.version().map(|v| v.into_owned()).unwrap_or_default();
                if version != "1.0" {
                    checker.report(
                        Some(pos),
                        format!("XML version {version:?}: the profile is XML 1.0"),
                    );
                }
                if let Some(Ok(enc)) = d.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    checker.report(Some(pos), format!("encoding {enc:?}: the profile is UTF-8"));
                }
            }
            Event::DocType(_) => {
                checker.report(Some(pos), "a DOCTYPE: the profile has none".into());
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    let end = reader.get_ref().position();
    checker.finish(end);
    Ok((checker.violations, checker.total))
}
