//! kb4graph's GraphML profile (`schemas/graphml-profile.json`, see [`super::profile`]) applied
//! to what the reader ([`crate::formats::graphml::reader`]) hands over: which keys the file
//! declares, which keys each `_type` carries and how their values are spelled, the labels and
//! `_class`, edge `_key`s built from their ends, the namespace, and the order of everything.
//!
//! Change here a rule of the profile that the reader cannot know; GraphML's own rules are the
//! reader's.

use std::collections::{HashMap, HashSet};

use super::profile::Profile;
use crate::formats::graphml::ids::decode_id;
use crate::formats::graphml::keys::{self, Domain, extra_attr_name, key_id, property_of};
use crate::formats::graphml::reader::{
    Checked, Consumer, End, FileKey, Ids, Keys, Position, Report, Tag, UNKNOWN, end_type_message,
    get, unknown_type,
};
use crate::formats::graphml::values::{GmlType, quote, value};
use crate::model::ValueType;
use crate::validate::ValidateError;

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

pub(super) struct Rules {
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
    pub(super) fn new(profile: &Profile) -> Result<Rules, ValidateError> {
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

/// A property name as normalize makes them: ASCII letters and digits, a lower-case letter first.
fn is_camel_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether an extra property may use key `id`: a string key of a camelCase name.
fn extra_ok(id: &str, key: &FileKey) -> bool {
    key.attr_type == GmlType::String
        && id != keys::LABELS
        && id != keys::LABEL
        && id != keys::NODE_LABEL
        && is_camel_case(&key.property)
}

/// Whether an item comes after the one before it of its kind (`nodes`, `edges`), whose `_key`
/// is `last`.
fn in_order(last: &mut Option<String>, checked: &Checked<'_>, kind: &str, r: &mut Report) {
    let Some(key) = &checked.key else { return };
    if last.as_ref().is_some_and(|last| last >= key) {
        r.at(
            checked.item.pos,
            format!("{}: {kind} are not in ascending _key order", checked.what),
        );
    }
    *last = Some(key.clone());
}

/// The profile's rules as the file is read.
pub(super) struct Checker<'a> {
    rules: &'a Rules,
    keys_checked: bool,
    edges_seen: bool,
    last_node_key: Option<String>,
    last_edge_key: Option<String>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(rules: &'a Rules) -> Checker<'a> {
        Checker {
            rules,
            keys_checked: false,
            edges_seen: false,
            last_node_key: None,
            last_edge_key: None,
        }
    }

    fn check_keys_complete(&mut self, keys: &Keys, pos: Position, r: &mut Report) {
        if self.keys_checked {
            return;
        }
        self.keys_checked = true;
        let mut missing: Vec<&String> = self
            .rules
            .keys
            .keys()
            .filter(|id| !keys.contains_key(*id))
            .collect();
        missing.sort();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            let message = format!("the profile's keys {} are not declared", list.join(", "));
            r.at(pos, message);
        }
    }

    /// Checks data against a type's rules.
    fn check_rules(
        &self,
        checked: &Checked<'_>,
        rules: &HashMap<String, (ValueType, bool)>,
        type_name: &str,
        r: &mut Report,
    ) {
        let (item, keys, what) = (checked.item, checked.keys, &checked.what);
        for d in &item.data {
            match rules.get(&d.key) {
                Some((vt, _)) => {
                    if let Err(e) = value(*vt, &d.text) {
                        r.at(d.pos, format!("{what}: {}: {}", d.key, e.against_profile()));
                    }
                }
                None => {
                    // Extra properties use their name's string key, which may be one the
                    // profile lists for other types.
                    let key = keys.get(&d.key);
                    let extra =
                        item.domain != Domain::Graph && key.is_some_and(|k| extra_ok(&d.key, k));
                    if !extra && key.is_some() {
                        r.at(
                            d.pos,
                            format!("{what}: key {} is not one {type_name} carries", d.key),
                        );
                    }
                }
            }
        }
        let mut missing: Vec<&str> = rules
            .iter()
            .filter(|(k, (_, required))| *required && !checked.by_key.contains_key(k.as_str()))
            .map(|(k, _)| k.as_str())
            .collect();
        if !missing.is_empty() {
            missing.sort();
            r.at(
                item.pos,
                format!("{what}: required data {} missing", missing.join(", ")),
            );
        }
    }

    /// The type's labels, `_class` and node label.
    fn check_labels(&self, checked: &Checked<'_>, t: &TypeRules, r: &mut Report) {
        let (item, what, by_key) = (checked.item, &checked.what, &checked.by_key);
        let label_key = if item.domain == Domain::Node {
            keys::LABELS
        } else {
            keys::LABEL
        };
        if let Some(d) = by_key.get(label_key)
            && d.text != t.label
        {
            r.at(
                d.pos,
                format!("{what}: {label_key} must be {}", quote(&t.label)),
            );
        }
        if item.domain != Domain::Node {
            return;
        }
        if let Some(d) = by_key.get("n._class")
            && serde_json::from_str::<Vec<String>>(&d.text).ok().as_ref() != Some(&t.class)
        {
            r.at(d.pos, format!("{what}: _class must be {:?}", t.class));
        }
        if let Some(d) = by_key.get(keys::NODE_LABEL)
            && by_key
                .get(self.rules.display_name_key.as_str())
                .is_some_and(|display| display.text != d.text)
        {
            r.at(
                d.pos,
                format!("{what}: {} must repeat the displayName", keys::NODE_LABEL),
            );
        }
    }

    fn node_end(&mut self, found: &Checked, ids: &mut Ids, ty: Option<usize>, r: &mut Report) {
        if self.edges_seen {
            let what = &found.what;
            r.at(found.item.pos, format!("{what}: nodes come before edges"));
        }
        in_order(&mut self.last_node_key, found, "nodes", r);
        ids.node(found, ty.map_or(UNKNOWN, |t| t as Tag), r);
    }

    fn edge_end(&mut self, found: &Checked, ids: &mut Ids, ty: Option<usize>, r: &mut Report) {
        let (checked, item, what) = (found, found.item, &found.what);
        self.edges_seen = true;
        ids.edge(found, r);
        if let Some(first) = item.data.first()
            && first.key != keys::LABEL
        {
            r.at(
                first.pos,
                format!("{what}: the first <data> must be label (APOC reads the type from it)"),
            );
        }
        let rules = ty.map(|t| &self.rules.edge_types[t]);
        let ends = rules.and_then(|r| r.ends);
        let tag = ty.map_or(UNKNOWN, |t| t as Tag);
        let found = ids.ends(checked, tag, r);
        for ((end, is_source), node) in [(&item.source, true), (&item.target, false)]
            .into_iter()
            .zip(found)
        {
            if let (Some(end), Some(node)) = (end, node) {
                self.check_end(item.pos, what, end, node, tag, is_source, r);
            }
        }
        if let (Some(key), Some(rules), Some((_, _, per_enrollment))) = (&checked.key, rules, ends)
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
                r.at(
                    item.pos,
                    format!(
                        "{what}: _key {} is not {}",
                        quote(key),
                        crate::model::keys::relationship_key_shape(&class, per_enrollment)
                    ),
                );
            }
        }
        in_order(&mut self.last_edge_key, checked, "edges", r);
    }

    /// Whether the node at one end of an edge has the type the edge's type asks there.
    #[allow(clippy::too_many_arguments)]
    fn check_end(
        &self,
        pos: Position,
        what: &str,
        end: &str,
        node_ty: Tag,
        edge_ty: Tag,
        is_source: bool,
        r: &mut Report,
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
        if node_ty != UNKNOWN && node_ty != want {
            let name = |i: Tag| {
                self.rules
                    .node_types
                    .get(usize::from(i))
                    .map_or("?", |t| t.name.as_str())
            };
            r.at(
                pos,
                end_type_message(what, is_source, end, name(node_ty), name(want)),
            );
        }
    }
}

impl Consumer for Checker<'_> {
    fn root(&mut self, attrs: &[(String, String)], at: Position, r: &mut Report<'_>) {
        if get(attrs, "xmlns") != Some(self.rules.namespace.as_str()) {
            r.at(
                at,
                format!(
                    "<graphml> is not in the GraphML namespace (xmlns=\"{}\")",
                    self.rules.namespace
                ),
            );
        }
    }

    fn key(&mut self, id: &str, key: &FileKey, at: Position, r: &mut Report<'_>) {
        let (domain, name, attr_type) = (key.domain, key.name.as_str(), key.attr_type);
        match self.rules.keys.get(id) {
            Some((d, n, t)) => {
                if Some(*d) != domain || n != name || *t != attr_type {
                    r.at(
                        at,
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
                    r.at(
                        at,
                        format!(
                            "key {id} is not in the profile, and not an extra property's key \
                             (a string key n.<name> or e.<name>, or n.<name>_string or \
                             e.<name>_string where the profile holds the name)"
                        ),
                    );
                }
            }
        }
    }

    fn graph(&mut self, attrs: &[(String, String)], keys: &Keys, at: Position, r: &mut Report) {
        self.check_keys_complete(keys, at, r);
        if get(attrs, "edgedefault") != Some("directed") {
            r.at(at, "<graph> must have edgedefault=\"directed\"");
        }
    }

    fn graph_data(&mut self, graph: &Checked<'_>, r: &mut Report) {
        self.check_rules(graph, &self.rules.graph_data, "the graph", r);
    }

    fn item(&mut self, checked: &Checked<'_>, ids: &mut Ids, r: &mut Report) {
        let item = checked.item;

        let ty_key = if item.domain == Domain::Node {
            "n._type"
        } else {
            "e._type"
        };
        let ty_name = checked.by_key.get(ty_key).map(|d| d.text.as_str());
        let types = if item.domain == Domain::Node {
            &self.rules.node_types
        } else {
            &self.rules.edge_types
        };
        let ty_index = ty_name.and_then(|n| types.iter().position(|t| t.name == n));
        match ty_index {
            None => r.at(item.pos, unknown_type(checked, ty_name)),
            Some(t) => {
                let t = &types[t];
                self.check_rules(checked, &t.data, &t.name, r);
                self.check_labels(checked, t, r);
            }
        }
        if item.domain == Domain::Node {
            self.node_end(checked, ids, ty_index, r);
        } else {
            self.edge_end(checked, ids, ty_index, r);
        }
    }

    fn late_end(&mut self, end: &End, node: Tag, r: &mut Report) {
        let what = end.what();
        self.check_end(
            end.pos,
            &what,
            &end.node,
            node,
            end.edge_tag,
            end.is_source,
            r,
        );
    }
}
