//! The one streaming reader of `graphml/graph.graphml`, on which both `validate`'s checker
//! ([`super::check`]) and the records reader of `verify` and `diff` (`super::read`) stand.
//!
//! One quick-xml pass checks what GraphML itself asks of the file and hands each part of it to a
//! [`Consumer`]: the root element, each `<key>`, the `<graph>`, the graph's own data, and each
//! `<node>` and `<edge>` with its data once its end tag is read. Every problem goes to a
//! [`ProblemSink`] with its line and column, tracked while streaming ([`lines`]): the checker
//! collects them, the records reader stops at the first.
//!
//! Checked here, for both: well-formed XML 1.0 in UTF-8 without a DOCTYPE; the structure
//! graphml > key*, graph > data*, node*, edge*; key declarations (an NMTOKEN id, declared once,
//! a GraphML domain and attr.type); data that refer to a declared key of their element's domain,
//! once each, with text of that key's attr.type; node and edge ids that are NMTOKENs escaped
//! from the item's `_key` (see [`super::ids`]) and unique; edge ends that are nodes of the graph
//! ([`Ids`]). What kb4graph's profile adds belongs to the checker, what makes a record to the
//! records reader. Only what later elements need is kept: the file's keys, each node id with
//! its type, a digest of each edge id, and edge ends not seen yet.
//!
//! Change here what GraphML itself allows and how the file is walked; a rule of kb4graph's
//! profile goes to the checker, and how an item becomes a record to the records reader.

mod lines;

use std::collections::HashMap;
use std::io;
use std::path::Path;

use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::reader::Reader;

use super::ids::decode_id;
use super::keys::{Domain, property_of};
use super::text::{is_xml_char, sanitized};
use super::values::{GmlType, quote};
use crate::formats::key_index::{KeySet, KeyTags};
use crate::formats::problems::{Problem, ProblemSink};
use lines::LineReader;
pub(crate) use lines::Position;

/// An element's attributes, as (name, value) in file order.
pub(crate) type Attrs = Vec<(String, String)>;

/// The value of attribute `name`.
pub(crate) fn get<'v>(attrs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A `<key>` the file declares.
#[derive(Debug, Clone)]
pub(crate) struct FileKey {
    /// `None` for a domain other than graph, node and edge.
    pub domain: Option<Domain>,
    /// The attr.name.
    pub name: String,
    /// The property the key carries: its attr.name without the type a qualified name adds
    /// (`status_long` is `status`; see [`super::keys::property_of`]).
    pub property: String,
    pub attr_type: GmlType,
}

/// The file's keys by id.
pub(crate) type Keys = HashMap<String, FileKey>;

/// One `<data>`.
pub(crate) struct Data {
    pub key: String,
    pub text: String,
    pub pos: Position,
}

/// A node, an edge or the graph's own data, collected until its end tag.
pub(crate) struct Item {
    pub domain: Domain,
    pub pos: Position,
    pub id: Option<String>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub data: Vec<Data>,
}

/// An item as the reader hands it over, once GraphML's own rules are checked.
pub(crate) struct Checked<'i> {
    pub item: &'i Item,
    /// The file's keys.
    pub keys: &'i Keys,
    /// How messages name the item: `node <id>`, `edge <id>` or `graph`.
    pub what: String,
    /// The data whose key is declared, by key id (the last of a key given twice).
    pub by_key: HashMap<&'i str, &'i Data>,
    /// The `_key` the id is the escaping of, if it is one.
    pub key: Option<String>,
}

/// A consumer's name for the type of a node or edge, so that edge ends can be checked
/// against node types without the reader knowing either.
pub(crate) type Tag = u8;
/// A node or edge of no type the consumer knows.
pub(crate) const UNKNOWN: Tag = u8::MAX;

/// One end of an edge whose node came later in the file than the edge.
pub(crate) struct End {
    pub pos: Position,
    pub edge: String,
    pub node: String,
    pub edge_tag: Tag,
    pub is_source: bool,
}

impl End {
    pub fn what(&self) -> String {
        format!("edge {}", self.edge)
    }
}

/// `source` or `target`.
pub(crate) fn end_name(is_source: bool) -> &'static str {
    if is_source { "source" } else { "target" }
}

/// An edge end at a node of another type than the edge's type asks there.
pub(crate) fn end_type_message(
    what: &str,
    is_source: bool,
    end: &str,
    got: &str,
    want: &str,
) -> String {
    format!(
        "{what}: {} {end} is a {got}, not a {want}",
        end_name(is_source)
    )
}

/// A node or edge whose `_type` is none of its domain (`None`: it has no `_type`).
pub(crate) fn unknown_type(item: &Checked, type_name: Option<&str>) -> String {
    format!(
        "{}: _type {} is not a {} type of the profile",
        item.what,
        type_name.map_or("(missing)".to_owned(), quote),
        item.item.domain.name()
    )
}

/// Where problems go: the sink, with the file they are in.
pub(crate) struct Report<'s> {
    file: &'s str,
    sink: &'s mut dyn ProblemSink,
    stopped: bool,
}

impl Report<'_> {
    pub fn at(&mut self, pos: Position, message: impl Into<String>) {
        if self.stopped {
            return;
        }
        let problem = Problem::new(self.file, pos.location(), message);
        self.stopped = self.sink.report(problem).is_break();
    }

    /// Whether the sink wants no more: what was read is not to be used.
    pub fn stopped(&self) -> bool {
        self.stopped
    }
}

/// What is made of the parts of the file, in file order. Problems found here go to `report`
/// like the reader's own.
pub(crate) trait Consumer {
    /// The `<graphml>` element's attributes.
    fn root(&mut self, _attrs: &[(String, String)], _at: Position, _report: &mut Report<'_>) {}

    /// A `<key>`, before it joins the file's keys.
    fn key(&mut self, _id: &str, _key: &FileKey, _at: Position, _report: &mut Report<'_>) {}

    /// The `<graph>` element, with every key declared before it.
    fn graph(
        &mut self,
        _attrs: &[(String, String)],
        _keys: &Keys,
        _at: Position,
        _report: &mut Report<'_>,
    ) {
    }

    /// The graph's own `<data>`, once the first node or edge (or the end of the graph) is read.
    fn graph_data(&mut self, _graph: &Checked<'_>, _report: &mut Report<'_>) {}

    /// A node or edge with an id. Its id joins `ids` when the consumer says with which tag
    /// ([`Ids::node`], [`Ids::edge`]), so that its own problems can come first.
    fn item(&mut self, item: &Checked<'_>, ids: &mut Ids, report: &mut Report<'_>);

    /// An edge end whose node came after the edge, with that node's tag.
    fn late_end(&mut self, end: &End, node: Tag, report: &mut Report<'_>);
}

/// Node and edge ids seen so far: unique, and edge ends resolved to nodes.
#[derive(Default)]
pub(crate) struct Ids {
    /// Node id -> the consumer's tag for its type.
    nodes: KeyTags<Tag>,
    edges: KeySet,
    pending: Vec<End>,
}

impl Ids {
    /// Adds a node; a second node of its id is reported.
    pub fn node(&mut self, node: &Checked, tag: Tag, report: &mut Report) {
        let id = node.item.id.as_deref().unwrap_or_default();
        if self.nodes.insert(id, tag).is_some() {
            report.at(
                node.item.pos,
                format!("{}: the node id is not unique", node.what),
            );
        }
    }

    /// Adds an edge; a second edge of its id is reported.
    pub fn edge(&mut self, edge: &Checked, report: &mut Report) {
        let id = edge.item.id.as_deref().unwrap_or_default();
        if !self.edges.insert(id) {
            report.at(
                edge.item.pos,
                format!("{}: the edge id is not unique", edge.what),
            );
        }
    }

    /// The tags of the edge's source and target where they are nodes seen already; an end not
    /// seen yet waits for the end of the file ([`Consumer::late_end`]), a missing one is
    /// reported.
    pub fn ends(&mut self, edge: &Checked, edge_tag: Tag, report: &mut Report) -> [Option<Tag>; 2] {
        let item = edge.item;
        let mut found = [None, None];
        for (slot, (end, is_source)) in found
            .iter_mut()
            .zip([(&item.source, true), (&item.target, false)])
        {
            let Some(end) = end else {
                report.at(
                    item.pos,
                    format!("{}: no {}", edge.what, end_name(is_source)),
                );
                continue;
            };
            match self.nodes.get(end.as_str()) {
                Some(tag) => *slot = Some(tag),
                None => self.pending.push(End {
                    pos: item.pos,
                    edge: item.id.clone().unwrap_or_default(),
                    node: end.clone(),
                    edge_tag,
                    is_source,
                }),
            }
        }
        found
    }

    fn finish(&mut self, consumer: &mut impl Consumer, report: &mut Report) {
        for end in std::mem::take(&mut self.pending) {
            match self.nodes.get(end.node.as_str()) {
                Some(tag) => consumer.late_end(&end, tag, report),
                None => report.at(
                    end.pos,
                    format!(
                        "{}: {} {} is not a node of the graph",
                        end.what(),
                        end_name(end.is_source),
                        end.node
                    ),
                ),
            }
        }
    }
}

/// The element being read, by what it is inside of. Its `Debug` name, lower-cased, names it
/// in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    GraphMl,
    Key,
    /// A key's `<desc>`, or an unexpected element: content not read.
    KeyChild,
    Graph,
    Node,
    Edge,
    Data,
}

fn is_nmtoken(s: &str) -> bool {
    // NameChar, restricted to what kb4graph writes plus the other ASCII name characters;
    // non-ASCII letters are NameChars too.
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_') || (c as u32) > 0xB6
        })
}

#[derive(Default)]
struct State {
    keys: Keys,
    ids: Ids,
    stack: Vec<Ctx>,
    roots: usize,
    graphs: usize,
    item: Option<Item>,
    graph_data_done: bool,
}

impl State {
    /// The element's attributes; a broken one is reported and leaves none.
    fn attrs(e: &BytesStart<'_>, pos: Position, report: &mut Report) -> Attrs {
        let mut out = Vec::new();
        for a in e.attributes() {
            let a = match a {
                Ok(a) => a,
                Err(err) => {
                    report.at(pos, format!("not well-formed XML: {err}"));
                    return Vec::new();
                }
            };
            let name = a.key.as_ref().to_owned();
            let value = match a.normalized_value(quick_xml::XmlVersion::Explicit1_0) {
                Ok(v) => v,
                Err(err) => {
                    report.at(
                        pos,
                        format!("not well-formed XML in attribute {name}: {err}"),
                    );
                    return Vec::new();
                }
            };
            if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
                report.at(
                    pos,
                    format!(
                        "attribute {name} holds U+{:04X}, which XML 1.0 forbids",
                        u32::from(c)
                    ),
                );
                return Vec::new();
            }
            out.push((name, value.into_owned()));
        }
        out
    }

    fn declaration(d: &BytesDecl<'_>, pos: Position, report: &mut Report) {
        let version = d.version().map(|v| v.into_owned()).unwrap_or_default();
        if version != "1.0" {
            report.at(
                pos,
                format!("XML version {version:?}: the profile is XML 1.0"),
            );
        }
        if let Some(Ok(enc)) = d.encoding()
            && !enc.eq_ignore_ascii_case("utf-8")
        {
            report.at(pos, format!("encoding {enc:?}: the profile is UTF-8"));
        }
    }

    fn start(
        &mut self,
        e: &BytesStart<'_>,
        pos: Position,
        consumer: &mut impl Consumer,
        report: &mut Report,
    ) {
        let name = e.name().as_ref().to_owned();
        let attrs = Self::attrs(e, pos, report);
        let parent = self.stack.last().copied();
        let ctx = match (parent, name.as_str()) {
            (None, "graphml") => {
                self.roots += 1;
                if self.roots > 1 {
                    report.at(pos, "a second root element");
                }
                consumer.root(&attrs, pos, report);
                Some(Ctx::GraphMl)
            }
            (Some(Ctx::GraphMl), "key") => {
                if self.graphs > 0 {
                    report.at(pos, "<key> after <graph>: keys come first");
                }
                self.key(&attrs, pos, consumer, report);
                Some(Ctx::Key)
            }
            (Some(Ctx::Key), "desc") => Some(Ctx::KeyChild),
            (Some(Ctx::GraphMl), "graph") => {
                self.graphs += 1;
                if self.graphs > 1 {
                    report.at(pos, "a second <graph>: the profile has one");
                }
                consumer.graph(&attrs, &self.keys, pos, report);
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
                self.finish_graph_data(consumer, report);
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
                    report.at(pos, "<data> without a key");
                }
                if let Some(item) = &mut self.item {
                    item.data.push(Data {
                        key,
                        text: String::new(),
                        pos,
                    });
                }
                self.stack.push(Ctx::Data);
            }
            Some(ctx) => self.stack.push(ctx),
            None => {
                let inside = parent.map_or("the document".to_owned(), |p| format!("{p:?}"));
                report.at(
                    pos,
                    format!(
                        "unexpected <{name}> in {}: the profile allows graphml > key*, graph > \
                         data*, node*, edge*, with data in nodes and edges",
                        inside.to_lowercase()
                    ),
                );
                // Its content is skipped, as a key child's is.
                self.stack.push(Ctx::KeyChild);
            }
        }
    }

    fn key(
        &mut self,
        attrs: &[(String, String)],
        pos: Position,
        consumer: &mut impl Consumer,
        report: &mut Report,
    ) {
        let Some(id) = get(attrs, "id") else {
            report.at(pos, "<key> without an id");
            return;
        };
        if !is_nmtoken(id) {
            report.at(pos, format!("key id {} is not an NMTOKEN", quote(id)));
        }
        let domain_name = get(attrs, "for").unwrap_or("all");
        let domain = Domain::from_name(domain_name);
        if domain.is_none() {
            let known = ["all", "graphml", "hyperedge", "port", "endpoint"].contains(&domain_name);
            report.at(
                pos,
                if known {
                    format!(
                        "key {id} is for=\"{domain_name}\": the profile has graph, node and edge keys only"
                    )
                } else {
                    format!("key {id}: for=\"{domain_name}\" is not a GraphML domain")
                },
            );
        }
        let name = get(attrs, "attr.name").unwrap_or_default();
        let attr_type = match get(attrs, "attr.type") {
            Some(t) => GmlType::parse(t).unwrap_or_else(|| {
                report.at(
                    pos,
                    format!("key {id}: attr.type {} is not a GraphML type", quote(t)),
                );
                GmlType::String
            }),
            None => GmlType::String,
        };
        let key = FileKey {
            domain,
            name: name.to_owned(),
            property: property_of(name).0.to_owned(),
            attr_type,
        };
        consumer.key(id, &key, pos, report);
        if self.keys.insert(id.to_owned(), key).is_some() {
            report.at(pos, format!("key id {id} is declared twice"));
        }
    }

    fn end(&mut self, pos: Position, consumer: &mut impl Consumer, report: &mut Report) {
        match self.stack.pop() {
            Some(Ctx::Node | Ctx::Edge) => {
                if let Some(item) = self.item.take() {
                    self.item_end(item, consumer, report);
                }
            }
            Some(Ctx::Graph) => {
                self.finish_graph_data(consumer, report);
                self.item = None;
            }
            Some(Ctx::Data | Ctx::GraphMl | Ctx::Key | Ctx::KeyChild) => {}
            None => report.at(pos, "an end tag without a start tag"),
        }
    }

    fn text(&mut self, text: &str, pos: Position, report: &mut Report) {
        if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
            report.at(
                pos,
                format!(
                    "U+{:04X} is a character XML 1.0 forbids (kb4graph writes U+FFFD instead)",
                    u32::from(c)
                ),
            );
        }
        match self.stack.last() {
            Some(Ctx::Data) => {
                if let Some(d) = self.item.as_mut().and_then(|i| i.data.last_mut()) {
                    d.text.push_str(text);
                }
            }
            Some(Ctx::KeyChild) => {}
            _ => {
                if !text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                    report.at(pos, format!("text {} outside <data>", quote(text)));
                }
            }
        }
    }

    /// Checks the data of an item against the file's keys; returns the declared ones by key.
    fn check_data<'i>(
        &self,
        item: &'i Item,
        what: &str,
        report: &mut Report,
    ) -> HashMap<&'i str, &'i Data> {
        let mut by_key: HashMap<&str, &Data> = HashMap::new();
        for d in &item.data {
            let Some(key) = self.keys.get(&d.key) else {
                report.at(
                    d.pos,
                    format!("{what}: <data key=\"{}\"> refers to no declared key", d.key),
                );
                continue;
            };
            if key.domain != Some(item.domain) {
                report.at(
                    d.pos,
                    format!("{what}: key {} is not a {} key", d.key, item.domain.name()),
                );
            }
            if !key.attr_type.accepts(&d.text) {
                report.at(
                    d.pos,
                    format!(
                        "{what}: {} {} is not a {}",
                        d.key,
                        quote(&d.text),
                        key.attr_type.name()
                    ),
                );
            }
            if by_key.insert(d.key.as_str(), d).is_some() {
                report.at(d.pos, format!("{what}: two <data key=\"{}\">", d.key));
            }
        }
        by_key
    }

    fn finish_graph_data(&mut self, consumer: &mut impl Consumer, report: &mut Report) {
        if self.graph_data_done {
            return;
        }
        self.graph_data_done = true;
        let Some(item) = self.item.take() else {
            return;
        };
        let what = "graph".to_owned();
        let by_key = self.check_data(&item, &what, report);
        let graph = Checked {
            item: &item,
            keys: &self.keys,
            what,
            by_key,
            key: None,
        };
        consumer.graph_data(&graph, report);
    }

    fn item_end(&mut self, item: Item, consumer: &mut impl Consumer, report: &mut Report) {
        let kind = item.domain.name();
        let Some(id) = item.id.as_deref() else {
            report.at(item.pos, format!("a <{kind}> without an id"));
            return;
        };
        let what = format!("{kind} {id}");
        if !is_nmtoken(id) {
            report.at(item.pos, format!("{what}: the id is not an NMTOKEN"));
        }
        let by_key = self.check_data(&item, &what, report);
        let key = decode_id(id);
        if key.is_none() {
            report.at(
                item.pos,
                format!("{what}: the id is not a _key escaped as the profile says"),
            );
        }
        let key_data = item.data.iter().rev().find(|d| {
            self.keys
                .get(&d.key)
                .is_some_and(|k| k.domain == Some(item.domain) && k.property == "_key")
        });
        if let (Some(key), Some(d)) = (&key, key_data)
            && sanitized(key) != d.text.as_str()
        {
            report.at(
                item.pos,
                format!(
                    "{what}: the id is not the escaping of _key {}",
                    quote(&d.text)
                ),
            );
        }
        if report.stopped() {
            return;
        }
        let checked = Checked {
            item: &item,
            keys: &self.keys,
            what,
            by_key,
            key,
        };
        consumer.item(&checked, &mut self.ids, report);
    }

    fn finish(&mut self, end: Position, consumer: &mut impl Consumer, report: &mut Report) {
        self.ids.finish(consumer, report);
        if self.roots == 0 {
            report.at(end, "no <graphml> element");
        } else if self.graphs == 0 {
            report.at(end, "no <graph> element");
        }
        if !self.stack.is_empty() {
            report.at(end, "the document ends inside an element");
        }
    }
}

/// Reads the GraphML file at `path` (decompressed if it is a `.gz`; shown in problems as
/// `file`) into `consumer`, reporting
/// every problem to `sink` until the sink says to stop. Only a failure to read the file is an
/// error.
pub(crate) fn read_file(
    path: &Path,
    file: &str,
    consumer: &mut impl Consumer,
    sink: &mut dyn ProblemSink,
) -> io::Result<()> {
    let f = crate::compress::open_path(path)?;
    let mut xml = Reader::from_reader(LineReader::new(f));
    xml.config_mut().check_end_names = true;
    let mut report = Report {
        file,
        sink,
        stopped: false,
    };
    let mut state = State::default();
    let mut buf = Vec::new();
    loop {
        if report.stopped() {
            return Ok(());
        }
        let pos = xml.get_ref().position();
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(e)) => return Err(io::Error::new(e.kind(), e.to_string())),
            Err(e) => {
                report.at(pos, format!("not well-formed XML: {e}"));
                return Ok(());
            }
        };
        let r = &mut report;
        match event {
            Event::Start(e) => state.start(&e, pos, consumer, r),
            Event::Empty(e) => {
                state.start(&e, pos, consumer, r);
                state.end(pos, consumer, r);
            }
            Event::End(_) => state.end(pos, consumer, r),
            Event::Text(t) => state.text(&t.xml10_content(), pos, r),
            Event::CData(t) => state.text(&t.xml10_content(), pos, r),
            Event::GeneralRef(g) => {
                let resolved = match g.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&g).map(str::to_owned),
                    Err(_) => None,
                };
                match resolved {
                    Some(text) => state.text(&text, pos, r),
                    None => r.at(pos, format!("undefined reference &{};", &*g)),
                }
            }
            Event::Decl(d) => State::declaration(&d, pos, r),
            Event::DocType(_) => r.at(pos, "a DOCTYPE: the profile has none"),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    let end = xml.get_ref().position();
    state.finish(end, consumer, &mut report);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::problems::{Collected, FirstProblem, Location};

    /// Keeps the ids of the items handed over and the late ends, every node of one type.
    #[derive(Default)]
    struct Seen {
        items: Vec<String>,
        late: Vec<(String, String)>,
    }

    impl Consumer for Seen {
        fn item(&mut self, found: &Checked<'_>, ids: &mut Ids, report: &mut Report<'_>) {
            self.items.push(found.what.clone());
            match found.item.domain {
                Domain::Node => ids.node(found, 0, report),
                _ => {
                    ids.edge(found, report);
                    ids.ends(found, 0, report);
                }
            }
        }

        fn late_end(&mut self, end: &End, _node: Tag, _report: &mut Report<'_>) {
            self.late.push((end.edge.clone(), end.node.clone()));
        }
    }

    const KEYS: &str = "<graphml>\n\
        <key id=\"n._key\" for=\"node\" attr.name=\"_key\" attr.type=\"string\"/>\n\
        <key id=\"e._key\" for=\"edge\" attr.name=\"_key\" attr.type=\"string\"/>\n\
        <key id=\"n.n\" for=\"node\" attr.name=\"n\" attr.type=\"long\"/>\n";

    fn read(graph: &str, sink: &mut dyn ProblemSink) -> Seen {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.graphml");
        std::fs::write(
            &path,
            format!("{KEYS}<graph>\n{graph}</graph>\n</graphml>\n"),
        )
        .unwrap();
        let mut seen = Seen::default();
        read_file(&path, "g.graphml", &mut seen, sink).unwrap();
        seen
    }

    fn at(line: u64, column: u64) -> Location {
        Location::Text { line, column }
    }

    #[test]
    fn problems_are_placed_by_line_and_column_while_streaming() {
        let mut found = Collected::default();
        read(
            "<node id=\"a\"><data key=\"n._key\">a</data>\n  <data key=\"n.n\">x</data></node>\n",
            &mut found,
        );
        assert_eq!(found.total, 1, "{:?}", found.listed);
        assert_eq!(found.listed[0].location, at(7, 3));
        assert_eq!(found.listed[0].message, "node a: n.n \"x\" is not a long");
    }

    #[test]
    fn the_first_problem_stops_the_reader_and_collecting_reads_on() {
        let graph = "<node id=\"a\"><data key=\"n._key\">b</data></node>\n\
                     <node id=\"c\"><data key=\"n._key\">c</data></node>\n\
                     <node id=\"d\"><data key=\"n.none\">d</data></node>\n";
        let mut first = FirstProblem::default();
        let seen = read(graph, &mut first);
        let problem = first.0.unwrap();
        assert_eq!(problem.location, at(6, 1));
        assert_eq!(
            problem.message,
            "node a: the id is not the escaping of _key \"b\""
        );
        assert!(seen.items.is_empty(), "{:?}", seen.items);

        let mut all = Collected::default();
        let seen = read(graph, &mut all);
        assert_eq!(all.total, 2, "{:?}", all.listed);
        assert_eq!(
            all.listed[1].message,
            "node d: <data key=\"n.none\"> refers to no declared key"
        );
        assert_eq!(seen.items, ["node a", "node c", "node d"]);
    }

    #[test]
    fn edge_ends_are_nodes_seen_before_or_after_the_edge() {
        let mut all = Collected::default();
        let seen = read(
            "<edge id=\"e1\" source=\"a\" target=\"z\"/>\n\
             <edge id=\"e1\" source=\"a\"/>\n\
             <node id=\"a\"/>\n",
            &mut all,
        );
        let messages: Vec<&str> = all.listed.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "edge e1: the edge id is not unique",
                "edge e1: no target",
                "edge e1: target z is not a node of the graph",
            ]
        );
        assert_eq!(
            seen.late,
            [
                ("e1".to_owned(), "a".to_owned()),
                ("e1".to_owned(), "a".to_owned())
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_xml_is_one_problem_at_its_place() {
        let mut all = Collected::default();
        read("<node id=\"a\">\n</edge>\n", &mut all);
        assert_eq!(all.total, 1, "{:?}", all.listed);
        assert_eq!(all.listed[0].location, at(7, 1));
        assert!(
            all.listed[0].message.starts_with("not well-formed XML"),
            "{}",
            all.listed[0].message
        );
    }
}
