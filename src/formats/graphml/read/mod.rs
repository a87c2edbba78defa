//! Reads `graphml/graph.graphml` back (see [`crate::formats::graphml`]).
//!
//! The file is streamed with quick-xml; only the data of the current node or edge is held
//! besides the records themselves. Keys are read from the file's own `<key>` declarations, so
//! extra properties come back under their names. Node and edge ids are checked against the
//! `_key`s they were escaped from, and each edge's `_key` against its ends. A key's property is
//! its `attr.name` without the type a qualified name adds (`status_long` is `status`; see
//! [`crate::formats::graphml::keys`]).
//!
//! What GraphML cannot carry: characters XML 1.0 forbids (C0 controls other than tab, line
//! feed and carriage return; U+FFFE; U+FFFF) are written as U+FFFD, in keys and string values
//! alike, and come back as U+FFFD. Items of string arrays are JSON inside the text, where
//! serde_json escapes C0 controls (`\u0007`), so those come back exactly; only U+FFFE and
//! U+FFFF, which JSON leaves as they are, become U+FFFD there.

mod items;
pub(crate) mod values;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::formats::graphml::FILE;
use crate::formats::graphml::check::stream::{self as check, get};
use crate::formats::graphml::keys::{AttrType, Domain, property_of};
use crate::formats::graphml::text::is_xml_char;
use crate::model::Record;
use crate::readback::ReadbackError;
use items::{Item, Records};

/// A `<key>` of the file.
#[derive(Debug, Clone)]
pub(super) struct FileKey {
    pub domain: Domain,
    /// The property the key carries: its attr.name, unqualified (`status_long` is `status`).
    pub property: String,
    pub attr_type: AttrType,
}

/// A problem at a byte offset of the file.
#[derive(Debug)]
pub(super) struct Fail {
    pub offset: u64,
    pub message: String,
}

pub(super) fn fail(offset: u64, message: impl Into<String>) -> Fail {
    Fail {
        offset,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    GraphMl,
    Key,
    /// A key's `<desc>`, or the graph's own `<data>`: content not read.
    Skipped,
    Graph,
    Node,
    Edge,
    Data,
}

impl Ctx {
    fn name(self) -> &'static str {
        match self {
            Ctx::GraphMl => "<graphml>",
            Ctx::Key => "<key>",
            Ctx::Skipped => "<desc>",
            Ctx::Graph => "<graph>",
            Ctx::Node => "<node>",
            Ctx::Edge => "<edge>",
            Ctx::Data => "<data>",
        }
    }
}

pub fn read(export_dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    let path = export_dir.join(FILE);
    let io_err = |source: io::Error| ReadbackError::Io {
        path: path.clone(),
        source,
    };
    let file = crate::files::open_regular(&path).map_err(io_err)?;
    match read_from(BufReader::with_capacity(1 << 16, file)) {
        Ok(records) => Ok(records),
        Err(Failure::Io(e)) => Err(io_err(e)),
        Err(Failure::At(f)) => Err(ReadbackError::Invalid {
            file: FILE.to_owned(),
            location: location(&path, f.offset),
            message: f.message,
        }),
    }
}

enum Failure {
    Io(io::Error),
    At(Fail),
}

impl From<Fail> for Failure {
    fn from(f: Fail) -> Self {
        Failure::At(f)
    }
}

/// `line L, column C` (1-based, the column in bytes) of a byte offset, found by reading the
/// file again: positions are only needed for the one error reported.
fn location(path: &Path, offset: u64) -> String {
    let Ok(file) = File::open(path) else {
        return format!("byte {offset}");
    };
    let mut reader = BufReader::new(file);
    let (mut line, mut line_start, mut seen) = (1u64, 0u64, 0u64);
    while seen < offset {
        let Ok(buf) = reader.fill_buf() else { break };
        if buf.is_empty() {
            break;
        }
        let n = buf
            .len()
            .min(usize::try_from(offset - seen).unwrap_or(usize::MAX));
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                line += 1;
                line_start = seen + i as u64 + 1;
            }
        }
        seen += n as u64;
        reader.consume(n);
    }
    format!("line {line}, column {}", offset - line_start + 1)
}

/// The element's attributes, as `validate` reads them, the error placed at `at`.
fn attrs(e: &BytesStart<'_>, at: u64) -> Result<Vec<(String, String)>, Fail> {
    check::attrs(e).map_err(|message| fail(at, message))
}

struct State {
    stack: Vec<Ctx>,
    keys: std::collections::BTreeMap<String, FileKey>,
    roots: usize,
    graphs: usize,
    item: Option<Item>,
    records: Records,
}

impl State {
    fn start(&mut self, e: &BytesStart<'_>, at: u64) -> Result<(), Fail> {
        let name = e.name().as_ref().to_owned();
        let attrs = attrs(e, at)?;
        let parent = self.stack.last().copied();
        let ctx = match (parent, name.as_str()) {
            (None, "graphml") => {
                self.roots += 1;
                if self.roots > 1 {
                    return Err(fail(at, "a second root element"));
                }
                Ctx::GraphMl
            }
            (Some(Ctx::GraphMl), "key") => {
                self.key(&attrs, at)?;
                Ctx::Key
            }
            (Some(Ctx::Key), "desc") => Ctx::Skipped,
            (Some(Ctx::GraphMl), "graph") => {
                self.graphs += 1;
                if self.graphs > 1 {
                    return Err(fail(at, "a second <graph>: the export has one"));
                }
                Ctx::Graph
            }
            (Some(Ctx::Graph), "data") => Ctx::Skipped,
            (Some(Ctx::Graph), "node" | "edge") => {
                let domain = if name == "node" {
                    Domain::Node
                } else {
                    Domain::Edge
                };
                self.item = Some(Item::new(domain, at, &attrs));
                if domain == Domain::Node {
                    Ctx::Node
                } else {
                    Ctx::Edge
                }
            }
            (Some(Ctx::Node | Ctx::Edge), "data") => {
                let Some(key) = get(&attrs, "key") else {
                    return Err(fail(at, "<data> without a key"));
                };
                if let Some(item) = &mut self.item {
                    item.data.push(items::Data {
                        key: key.to_owned(),
                        text: String::new(),
                        offset: at,
                    });
                }
                Ctx::Data
            }
            (parent, _) => {
                let inside = parent.map_or("the document", Ctx::name);
                return Err(fail(
                    at,
                    format!(
                        "unexpected <{name}> in {inside}: an export holds graphml > key*, \
                         graph > data*, node*, edge*, with data in nodes and edges"
                    ),
                ));
            }
        };
        self.stack.push(ctx);
        Ok(())
    }

    fn key(&mut self, attrs: &[(String, String)], at: u64) -> Result<(), Fail> {
        let Some(id) = get(attrs, "id") else {
            return Err(fail(at, "<key> without an id"));
        };
        let domain_name = get(attrs, "for").unwrap_or("all");
        let Some(domain) = Domain::from_name(domain_name) else {
            return Err(fail(
                at,
                format!(
                    "key {id} is for=\"{domain_name}\": an export has graph, node and edge keys only"
                ),
            ));
        };
        let attr_type = match get(attrs, "attr.type").unwrap_or("string") {
            "boolean" => AttrType::Boolean,
            "long" => AttrType::Long,
            "double" => AttrType::Double,
            "string" => AttrType::String,
            other => {
                return Err(fail(
                    at,
                    format!(
                        "key {id}: attr.type {other:?} is not one an export uses (boolean, long, double, string)"
                    ),
                ));
            }
        };
        let name = get(attrs, "attr.name").unwrap_or_default();
        let key = FileKey {
            domain,
            property: property_of(name).0.to_owned(),
            attr_type,
        };
        if self.keys.insert(id.to_owned(), key).is_some() {
            return Err(fail(at, format!("key id {id} is declared twice")));
        }
        Ok(())
    }

    fn end(&mut self, at: u64) -> Result<(), Fail> {
        match self.stack.pop() {
            Some(Ctx::Node | Ctx::Edge) => {
                if let Some(item) = self.item.take() {
                    self.records.add(item, &self.keys)?;
                }
                Ok(())
            }
            Some(_) => Ok(()),
            None => Err(fail(at, "an end tag without a start tag")),
        }
    }

    fn text(&mut self, text: &str, at: u64) -> Result<(), Fail> {
        if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
            return Err(fail(
                at,
                format!(
                    "U+{:04X} is a character XML 1.0 forbids (kb4graph writes U+FFFD instead)",
                    u32::from(c)
                ),
            ));
        }
        match self.stack.last() {
            Some(Ctx::Data) => {
                if let Some(d) = self.item.as_mut().and_then(|i| i.data.last_mut()) {
                    d.text.push_str(text);
                }
                Ok(())
            }
            Some(Ctx::Skipped) => Ok(()),
            _ if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => Ok(()),
            _ => Err(fail(
                at,
                format!(
                    "text {} outside <data>",
                    crate::formats::graphml::check::values::quote(text)
                ),
            )),
        }
    }
}

fn read_from(input: impl BufRead) -> Result<Vec<Record>, Failure> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut state = State {
        stack: Vec::new(),
        keys: Default::default(),
        roots: 0,
        graphs: 0,
        item: None,
        records: Records::default(),
    };
    let mut buf = Vec::new();
    loop {
        let at = reader.buffer_position();
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(e)) => {
                return Err(Failure::Io(io::Error::new(e.kind(), e.to_string())));
            }
            Err(e) => {
                let offset = reader.error_position();
                return Err(fail(offset, format!("not well-formed XML: {e}")).into());
            }
        };
        match event {
            Event::Start(e) => state.start(&e, at)?,
            Event::Empty(e) => {
                state.start(&e, at)?;
                state.end(at)?;
            }
            Event::End(_) => state.end(at)?,
            Event::Text(t) => state.text(&t.xml10_content(), at)?,
            Event::CData(t) => state.text(&t.xml10_content(), at)?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&r).map(str::to_owned),
                    Err(_) => None,
                };
                match resolved {
                    Some(text) => state.text(&text, at)?,
                    None => return Err(fail(at, format!("undefined reference &{};", &*r)).into()),
                }
            }
            Event::DocType(_) => {
                return Err(fail(at, "a DOCTYPE: an export has none").into());
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    let end = reader.buffer_position();
    if state.roots == 0 {
        return Err(fail(end, "no <graphml> element").into());
    }
    if !state.stack.is_empty() {
        return Err(fail(end, "the document ends inside an element").into());
    }
    if state.graphs == 0 {
        return Err(fail(end, "no <graph> element").into());
    }
    Ok(state.records.finish()?)
}
