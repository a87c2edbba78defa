//! `json/graph.json`: the graph as JupiterOne-style entity and relationship documents.
//!
//! `{"metadata": {...}, "entities": [...], "relationships": [...], "mappedRelationships": [...]}`
//! with one entity or relationship per line, in `_key` order, so that two exports diff line by
//! line; the mapped relationships ([`super::mapped`]) follow the `knowbe4_user IS Person`
//! relationships' order. Streamed: nothing larger than one record is built in memory.

use std::io::{self, Write};

use serde::Serialize;

use crate::export::{Bundle, ExportError, SnapshotInfo};
use crate::model::{Graph, Property, ValueRef};

pub const FILE: &str = "json/graph.json";

/// Identifies the document layout, so readers can refuse a layout they do not know.
pub const DOCUMENT_FORMAT: &str = "kb4graph-graph";
pub const DOCUMENT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    format: &'static str,
    format_version: u32,
    source: Source<'a>,
    snapshot: &'a SnapshotInfo,
    counts: Counts,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Source<'a> {
    site: Option<&'a str>,
    base_url: &'a str,
    account: Option<&'a str>,
}

#[derive(Serialize)]
struct Counts {
    entities: serde_json::Map<String, serde_json::Value>,
    relationships: serde_json::Map<String, serde_json::Value>,
}

/// Writes `json/graph.json` of `graph` into `bundle`.
pub fn write(graph: &Graph, snapshot: &SnapshotInfo, bundle: &Bundle) -> Result<(), ExportError> {
    bundle.write_data_file(FILE, |out| write_document(graph, snapshot, out))
}

/// Writes the whole document to `out`.
pub fn write_document(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut counts = Counts {
        entities: serde_json::Map::new(),
        relationships: serde_json::Map::new(),
    };
    for (ty, n) in graph.entity_counts() {
        counts.entities.insert(ty.name().to_owned(), n.into());
    }
    for (ty, n) in graph.relationship_counts() {
        counts.relationships.insert(ty.name().to_owned(), n.into());
    }
    let metadata = Metadata {
        format: DOCUMENT_FORMAT,
        format_version: DOCUMENT_VERSION,
        source: Source {
            site: snapshot.site.as_deref(),
            base_url: &snapshot.base_url,
            account: graph.account_name(),
        },
        snapshot,
        counts,
    };
    out.write_all(b"{\"metadata\":")?;
    serde_json::to_writer(&mut *out, &metadata)?;
    out.write_all(b",\n\"entities\":[")?;
    for (i, entity) in graph.entities().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        out.write_all(b"{\"_key\":")?;
        string(out, entity.key())?;
        out.write_all(b",\"_type\":")?;
        string(out, entity.def().name)?;
        out.write_all(b",\"_class\":[")?;
        for (j, class) in entity.classes().iter().enumerate() {
            if j > 0 {
                out.write_all(b",")?;
            }
            string(out, class)?;
        }
        out.write_all(b"]")?;
        properties(out, entity.properties())?;
        out.write_all(b"}")?;
    }
    out.write_all(b"\n],\n\"relationships\":[")?;
    let mut key = String::new();
    for (i, rel) in graph.relationships().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        key.clear();
        rel.write_key(&mut key);
        out.write_all(b"{\"_key\":")?;
        string(out, &key)?;
        out.write_all(b",\"_type\":")?;
        string(out, rel.def().name)?;
        out.write_all(b",\"_class\":")?;
        string(out, rel.class())?;
        out.write_all(b",\"_fromEntityKey\":")?;
        string(out, rel.from_key())?;
        out.write_all(b",\"_toEntityKey\":")?;
        string(out, rel.to_key())?;
        out.write_all(b",\"displayName\":")?;
        string(out, rel.class())?;
        properties(out, rel.properties())?;
        out.write_all(b"}")?;
    }
    out.write_all(b"\n],\n\"")?;
    out.write_all(super::mapped::SECTION.as_bytes())?;
    out.write_all(b"\":[")?;
    let mapped = graph
        .relationships()
        .filter(|r| r.relationship_type() == super::mapped::OF);
    for (i, rel) in mapped.enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &super::mapped::Mapped::of(&rel))?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

fn properties<'g>(
    out: &mut impl Write,
    props: impl Iterator<Item = Property<'g>>,
) -> io::Result<()> {
    for p in props {
        out.write_all(b",")?;
        string(out, p.name)?;
        out.write_all(b":")?;
        value(out, p.value)?;
    }
    Ok(())
}

fn string(out: &mut impl Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(out, s).map_err(io::Error::from)
}

fn value(out: &mut impl Write, v: ValueRef<'_>) -> io::Result<()> {
    match v {
        ValueRef::String(s) => string(out, s),
        ValueRef::Integer(n) => out.write_all(itoa::Buffer::new().format(n).as_bytes()),
        ValueRef::Float(x) | ValueRef::Decimal(x) => {
            serde_json::to_writer(out, &x).map_err(io::Error::from)
        }
        ValueRef::Boolean(b) => out.write_all(if b { b"true" } else { b"false" }),
        ValueRef::DateTime(_) | ValueRef::Date(_) => match v.time_text() {
            // ISO text needs no escaping.
            Some(text) => {
                out.write_all(b"\"")?;
                out.write_all(text.as_str().as_bytes())?;
                out.write_all(b"\"")
            }
            None => string(out, &v.to_string()),
        },
        ValueRef::StringArray(list) => {
            out.write_all(b"[")?;
            for (i, s) in list.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                string(out, s)?;
            }
            out.write_all(b"]")
        }
        ValueRef::IntegerArray(ns) => {
            out.write_all(b"[")?;
            for (i, n) in ns.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(itoa::Buffer::new().format(*n).as_bytes())?;
            }
            out.write_all(b"]")
        }
    }
}
