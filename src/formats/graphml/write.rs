//! The GraphML writer: streams the graph into `graphml/graph.graphml`.

use std::io::{self, Write};

use super::{ids, keys, text};
use crate::export::{Bundle, ExportError, SnapshotInfo};
use crate::model::{Graph, Property, ValueRef};
use keys::{AttrType, DomainKeys, Key, KeySet};

pub const FILE: &str = "graphml/graph.graphml";

/// Identifies the layout (graph data `format`), so readers can refuse one they do not know.
pub const DOCUMENT_FORMAT: &str = "kb4graph-graphml";
/// 2: `attr.name`s unique per domain (qualified `<name>_<type>`), and the node `label` key.
pub const DOCUMENT_VERSION: u32 = 2;

pub const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";
const SCHEMA_LOCATION: &str =
    "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd";

/// Values whose forbidden characters are reported one by one; the rest are counted.
const WARN_EACH: usize = 20;

/// Writes `graphml/graph.graphml` of `graph` into `bundle`.
pub fn write(graph: &Graph, snapshot: &SnapshotInfo, bundle: &Bundle) -> Result<(), ExportError> {
    let report = bundle.write_data_file(FILE, |out| write_document(graph, snapshot, out))?;
    if report.replaced_values > WARN_EACH {
        tracing::warn!(
            file = %bundle.out_dir().join(FILE).display(),
            values = report.replaced_values,
            characters = report.replaced_chars,
            "characters XML 1.0 cannot carry were replaced with U+FFFD in {} values in all",
            report.replaced_values
        );
    }
    Ok(())
}

/// What writing a document had to change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Values (and keys) holding characters XML 1.0 forbids, replaced with U+FFFD.
    pub replaced_values: usize,
    pub replaced_chars: usize,
}

/// Streams the document.
struct Writer<'o, W: Write> {
    out: &'o mut W,
    report: WriteReport,
    /// Reused for values that need formatting (JSON arrays, datetimes, ids).
    scratch: String,
}

impl<W: Write> Writer<'_, W> {
    /// A `<data>` element holding `text`, escaped; `owner` and `name` say where for warnings.
    fn data(&mut self, key: &str, text: &str, owner: &str, name: &str) -> io::Result<()> {
        self.out.write_all(b"<data key=\"")?;
        self.out.write_all(key.as_bytes())?;
        self.out.write_all(b"\">")?;
        let replaced = text::write_text(self.out, text)?;
        self.out.write_all(b"</data>")?;
        if replaced > 0 {
            self.replaced(replaced, owner, name);
        }
        Ok(())
    }

    fn replaced(&mut self, chars: usize, owner: &str, name: &str) {
        self.report.replaced_values += 1;
        self.report.replaced_chars += chars;
        if self.report.replaced_values <= WARN_EACH {
            tracing::warn!(
                key = owner,
                property = name,
                "{chars} character(s) XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF) \
                 replaced with U+FFFD in GraphML"
            );
        }
    }

    fn key(&mut self, key: &Key) -> io::Result<()> {
        write!(
            self.out,
            "<key id=\"{}\" for=\"{}\" attr.name=\"",
            key.id,
            key.domain.name()
        )?;
        text::write_attr(self.out, &key.name)?;
        write!(self.out, "\" attr.type=\"{}\"", key.attr_type.name())?;
        if key.desc.is_empty() {
            self.out.write_all(b"/>\n")
        } else {
            self.out.write_all(b"><desc>")?;
            text::write_text(self.out, &key.desc)?;
            self.out.write_all(b"</desc></key>\n")
        }
    }

    fn properties<'g>(
        &mut self,
        keys: &DomainKeys,
        owner: &str,
        props: impl Iterator<Item = Property<'g>>,
    ) -> io::Result<()> {
        for p in props {
            let at = p
                .def
                .map_or(AttrType::String, |d| AttrType::of(d.value_type));
            // Every property has a key: the table's, or its extra key from `KeySet::of`.
            let Some(key) = keys.get(p.name, at) else {
                return Err(io::Error::other(format!(
                    "{owner}: property {} has no GraphML key (a bug in kb4graph)",
                    p.name
                )));
            };
            self.value(&key.id, p.value, owner, p.name)?;
        }
        Ok(())
    }

    fn value(&mut self, key: &str, value: ValueRef<'_>, owner: &str, name: &str) -> io::Result<()> {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        format_value(&mut s, value);
        let result = self.data(key, &s, owner, name);
        self.scratch = s;
        result
    }
}

/// A value as GraphML text of its key's `attr.type`.
pub fn format_value(out: &mut String, value: ValueRef<'_>) {
    match value {
        ValueRef::String(s) => out.push_str(s),
        ValueRef::Integer(n) => out.push_str(itoa::Buffer::new().format(n)),
        ValueRef::Float(x) | ValueRef::Decimal(x) => push_double(out, x),
        ValueRef::Boolean(b) => out.push_str(if b { "true" } else { "false" }),
        ValueRef::DateTime(_) | ValueRef::Date(_) => {
            if let Some(text) = value.time_text() {
                out.push_str(text.as_str());
            }
        }
        ValueRef::StringArray(list) => {
            out.push('[');
            for (i, s) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, s);
            }
            out.push(']');
        }
        ValueRef::IntegerArray(ns) => {
            out.push('[');
            for (i, n) in ns.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(itoa::Buffer::new().format(*n));
            }
            out.push(']');
        }
    }
}

fn push_json_string(out: &mut String, s: &str) {
    // Serialising a str into a String cannot fail.
    if let Ok(json) = serde_json::to_string(s) {
        out.push_str(&json);
    }
}

/// An `xs:double` that reads back as the same `f64` (shortest round-trip digits).
pub fn push_double(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("NaN");
    } else if x.is_infinite() {
        out.push_str(if x > 0.0 { "INF" } else { "-INF" });
    } else {
        out.push_str(&serde_json::Number::from_f64(x).map_or_else(String::new, |n| n.to_string()));
    }
}

/// APOC's labels of an entity: `:<_type>:<_class>...`.
pub fn labels(type_name: &str, classes: &[&str]) -> String {
    let mut s = String::new();
    for part in std::iter::once(type_name).chain(classes.iter().copied()) {
        s.push(':');
        s.push_str(part);
    }
    s
}

/// Writes the whole document to `out`.
pub fn write_document(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    out: &mut impl Write,
) -> io::Result<WriteReport> {
    let keys = KeySet::of(graph);
    let mut w = Writer {
        out,
        report: WriteReport::default(),
        scratch: String::new(),
    };
    w.out
        .write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        w.out,
        "<graphml xmlns=\"{GRAPHML_NS}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{SCHEMA_LOCATION}\">"
    )?;
    for key in keys.all() {
        w.key(key)?;
    }
    w.out
        .write_all(b"<graph id=\"G\" edgedefault=\"directed\">\n")?;

    let account = graph.account_name();
    let graph_values: [(&str, Option<ValueRef<'_>>); 8] = [
        ("format", Some(ValueRef::String(DOCUMENT_FORMAT))),
        (
            "formatVersion",
            Some(ValueRef::Integer(i64::from(DOCUMENT_VERSION))),
        ),
        ("account", account.map(ValueRef::String)),
        ("site", snapshot.site.as_deref().map(ValueRef::String)),
        ("baseUrl", Some(ValueRef::String(&snapshot.base_url))),
        (
            "snapshotManifestSha256",
            Some(ValueRef::String(&snapshot.manifest_sha256)),
        ),
        ("fetchedAt", Some(ValueRef::String(&snapshot.fetched_at))),
        ("complete", Some(ValueRef::Boolean(snapshot.complete))),
    ];
    for (key, (name, value)) in keys.graph.iter().zip(graph_values) {
        debug_assert_eq!(key.name, name);
        if let Some(value) = value {
            w.value(&key.id, value, "graph", name)?;
        }
    }
    w.out.write_all(b"\n")?;

    let (Some(n_key), Some(n_type), Some(n_class)) = (
        keys.node
            .get("_key", AttrType::String)
            .map(|k| k.id.clone()),
        keys.node
            .get("_type", AttrType::String)
            .map(|k| k.id.clone()),
        keys.node
            .get("_class", AttrType::String)
            .map(|k| k.id.clone()),
    ) else {
        return Err(io::Error::other(
            "GraphML keys lack _key, _type or _class (a bug in kb4graph)",
        ));
    };
    let mut id = String::new();
    for entity in graph.entities() {
        let key = entity.key();
        let def = entity.def();
        id.clear();
        ids::push_id(&mut id, key);
        w.out.write_all(b"<node id=\"")?;
        w.out.write_all(id.as_bytes())?;
        w.out.write_all(b"\">")?;
        w.data(
            keys::LABELS,
            &labels(def.name, def.classes),
            key,
            keys::LABELS,
        )?;
        // Every entity has a displayName (the table requires it); the label repeats it.
        if let Some(ValueRef::String(display)) = entity
            .properties()
            .find(|p| p.name == keys::NODE_LABEL_OF)
            .map(|p| p.value)
        {
            w.data(keys::NODE_LABEL, display, key, "label")?;
        }
        w.data(&n_key, key, key, "_key")?;
        w.data(&n_type, def.name, key, "_type")?;
        let classes = serde_json::to_string(def.classes).map_err(io::Error::other)?;
        w.data(&n_class, &classes, key, "_class")?;
        w.properties(&keys.node, key, entity.properties())?;
        w.out.write_all(b"</node>\n")?;
    }

    let (Some(e_key), Some(e_type)) = (
        keys.edge
            .get("_key", AttrType::String)
            .map(|k| k.id.clone()),
        keys.edge
            .get("_type", AttrType::String)
            .map(|k| k.id.clone()),
    ) else {
        return Err(io::Error::other(
            "GraphML keys lack _key or _type (a bug in kb4graph)",
        ));
    };
    let mut rel_key = String::new();
    for rel in graph.relationships() {
        rel_key.clear();
        rel.write_key(&mut rel_key);
        w.out.write_all(b"<edge id=\"")?;
        id.clear();
        ids::push_id(&mut id, &rel_key);
        w.out.write_all(id.as_bytes())?;
        w.out.write_all(b"\" source=\"")?;
        id.clear();
        ids::push_id(&mut id, rel.from_key());
        w.out.write_all(id.as_bytes())?;
        w.out.write_all(b"\" target=\"")?;
        id.clear();
        ids::push_id(&mut id, rel.to_key());
        w.out.write_all(id.as_bytes())?;
        w.out.write_all(b"\">")?;
        // APOC reads the relationship type from the first data; it must stay first.
        w.data(keys::LABEL, rel.class(), &rel_key, "_class")?;
        w.data(&e_key, &rel_key, &rel_key, "_key")?;
        w.data(&e_type, rel.def().name, &rel_key, "_type")?;
        w.properties(&keys.edge, &rel_key, rel.properties())?;
        w.out.write_all(b"</edge>\n")?;
    }
    w.out.write_all(b"</graph>\n</graphml>\n")?;
    Ok(w.report)
}
