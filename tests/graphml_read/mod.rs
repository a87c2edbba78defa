//! A plain GraphML reader for the tests, on quick-xml alone: what a consumer sees in the file.
#![allow(dead_code)]

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub domain: String,
    pub name: String,
    pub attr_type: String,
}

impl Key {
    /// The property the key carries, as the README says to read it: the attr.name without a
    /// final `_<attr.type>` (`status_long` is `status`).
    pub fn property(&self) -> &str {
        for t in ["boolean", "long", "double", "string"] {
            if let Some(p) = self.name.strip_suffix(t).and_then(|p| p.strip_suffix('_'))
                && !p.is_empty()
            {
                return p;
            }
        }
        &self.name
    }
}

#[derive(Debug, Clone, Default)]
pub struct Element {
    pub id: String,
    pub source: String,
    pub target: String,
    /// (key id, text) in file order.
    pub data: Vec<(String, String)>,
}

impl Element {
    /// The text of the data whose key carries property `name` (the node label, which repeats
    /// displayName, aside).
    pub fn get<'a>(&'a self, doc: &Doc, name: &str) -> Option<&'a str> {
        self.data
            .iter()
            .find(|(k, _)| {
                k != "n.label" && doc.keys.get(k).is_some_and(|key| key.property() == name)
            })
            .map(|(_, v)| v.as_str())
    }

    /// The text of the data whose key has attr.name `name`.
    pub fn get_attr<'a>(&'a self, doc: &Doc, name: &str) -> Option<&'a str> {
        self.data
            .iter()
            .find(|(k, _)| doc.keys.get(k).is_some_and(|key| key.name == name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
pub struct Doc {
    pub keys: BTreeMap<String, Key>,
    pub edgedefault: String,
    pub graph_data: Vec<(String, String)>,
    pub nodes: Vec<Element>,
    pub edges: Vec<Element>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> String {
    e.attributes()
        .map(|a| a.expect("attribute"))
        .find(|a| a.key.as_ref() == name)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .expect("attribute value")
                .into_owned()
        })
        .unwrap_or_default()
}

pub fn parse(xml: &[u8]) -> Doc {
    let mut reader = Reader::from_reader(xml);
    let mut doc = Doc::default();
    let mut buf = Vec::new();
    let mut current: Option<(bool, Element)> = None;
    let mut data: Option<(String, String)> = None;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "key" => {
                doc.keys.insert(
                    attr(&e, "id"),
                    Key {
                        domain: attr(&e, "for"),
                        name: attr(&e, "attr.name"),
                        attr_type: attr(&e, "attr.type"),
                    },
                );
            }
            Event::Start(e) => match e.name().as_ref() {
                "graph" => doc.edgedefault = attr(&e, "edgedefault"),
                "node" | "edge" => {
                    current = Some((
                        e.name().as_ref() == "node",
                        Element {
                            id: attr(&e, "id"),
                            source: attr(&e, "source"),
                            target: attr(&e, "target"),
                            data: Vec::new(),
                        },
                    ))
                }
                "data" => data = Some((attr(&e, "key"), String::new())),
                _ => {}
            },
            Event::Empty(e) if e.name().as_ref() == "data" => {
                let d = (attr(&e, "key"), String::new());
                match &mut current {
                    Some((_, el)) => el.data.push(d),
                    None => doc.graph_data.push(d),
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = &mut data {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = &mut data {
                    match r.resolve_char_ref().expect("character reference") {
                        Some(c) => text.push(c),
                        None => text.push_str(
                            quick_xml::escape::resolve_predefined_entity(&r).expect("entity"),
                        ),
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "data" => {
                    let d = data.take().expect("data open");
                    match &mut current {
                        Some((_, el)) => el.data.push(d),
                        None => doc.graph_data.push(d),
                    }
                }
                "node" | "edge" => {
                    let (is_node, el) = current.take().expect("element open");
                    if is_node {
                        doc.nodes.push(el)
                    } else {
                        doc.edges.push(el)
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    doc
}
