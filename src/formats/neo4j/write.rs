//! The Neo4j writer: one CSV file per type, and the scripts and `format.json` beside them.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{columns, dialect, scripts};
use crate::export::{Bundle, BundleFile, ExportError};
use crate::model::{EntityType, Graph, RelationshipType};
use columns::{Column, ColumnKind, ID_SPACE, node_file, relationship_file};
use dialect::Dialect;

/// The export's directory.
pub const DIR: &str = "neo4j";
/// `neo4j/format.json`.
pub const FORMAT_FILE: &str = "neo4j/format.json";
pub const IMPORT_SCRIPT: &str = "neo4j/import.sh";
pub const LOAD_SCRIPT: &str = "neo4j/load.cypher";

/// Identifies `format.json`.
pub const FORMAT_NAME: &str = "kb4graph-neo4j-csv";
pub const FORMAT_VERSION: u32 = 1;

/// `neo4j/format.json`: how the CSV files are spelled and how many rows each holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormatInfo {
    pub format: String,
    pub format_version: u32,
    pub id_space: String,
    pub delimiter: String,
    pub array_delimiter: String,
    /// `rfc4180` or `backslash` (see [`dialect::Quoting`]).
    pub quoting: String,
    pub multiline_fields: bool,
    /// Rows per file, by `_type`.
    pub nodes: std::collections::BTreeMap<String, u64>,
    pub relationships: std::collections::BTreeMap<String, u64>,
}

impl FormatInfo {
    /// The dialect it describes, if it is one kb4graph writes.
    pub fn dialect(&self) -> Option<Dialect> {
        let mut chars = self.array_delimiter.chars();
        let array_delimiter = chars.next().filter(|_| chars.next().is_none())?;
        Some(Dialect {
            array_delimiter,
            quoting: dialect::Quoting::from_name(&self.quoting)?,
            multiline: self.multiline_fields,
        })
    }
}

/// Writes `neo4j/` of `graph` into `bundle`: a CSV file per type, the scripts and
/// `format.json`.
pub fn write(graph: &Graph, bundle: &Bundle) -> Result<(), ExportError> {
    let dialect = dialect::choose(graph).map_err(|source| ExportError::NoFreeArrayDelimiter {
        path: bundle.out_dir().join(DIR),
        source,
    })?;
    write_csv(graph, &dialect, bundle)?;
    let info = format_info(graph, &dialect);
    let compression = bundle.compression();
    let text = scripts::import_sh(&dialect, compression);
    write_text(bundle, IMPORT_SCRIPT, text.as_bytes())?;
    let text = scripts::load_cypher(graph, &dialect, compression);
    write_text(bundle, LOAD_SCRIPT, text.as_bytes())?;
    let mut json = serde_json::to_vec_pretty(&info).map_err(|e| ExportError::Io {
        path: bundle.out_dir().join(FORMAT_FILE),
        source: e.into(),
    })?;
    json.push(b'\n');
    write_text(bundle, FORMAT_FILE, &json)
}

fn write_text(bundle: &Bundle, relative: &str, bytes: &[u8]) -> Result<(), ExportError> {
    bundle.write_file(relative, |out| out.write_all(bytes))
}

fn format_info(graph: &Graph, dialect: &Dialect) -> FormatInfo {
    FormatInfo {
        format: FORMAT_NAME.into(),
        format_version: FORMAT_VERSION,
        id_space: ID_SPACE.into(),
        delimiter: dialect::DELIMITER.to_string(),
        array_delimiter: dialect.array_delimiter.to_string(),
        quoting: dialect.quoting.name().into(),
        multiline_fields: dialect.multiline,
        nodes: graph
            .entity_counts()
            .into_iter()
            .map(|(t, n)| (t.name().to_owned(), n as u64))
            .collect(),
        relationships: graph
            .relationship_counts()
            .into_iter()
            .map(|(t, n)| (t.name().to_owned(), n as u64))
            .collect(),
    }
}

/// One open CSV file with its columns.
struct Sink {
    file: BundleFile,
    path: PathBuf,
    columns: Vec<Column>,
}

fn open(bundle: &Bundle, relative: &str, columns: Vec<Column>) -> Result<Sink, ExportError> {
    let mut file = bundle.create_data_file(&format!("{DIR}/{relative}"))?;
    let path = file.path().to_owned();
    let mut header = String::new();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            header.push(dialect::DELIMITER);
        }
        header.push_str(&c.header());
    }
    header.push('\n');
    file.write_all(header.as_bytes())
        .map_err(ExportError::io(&path))?;
    Ok(Sink {
        file,
        path,
        columns,
    })
}

/// The structural values of a row: everything that is not a property of the table.
enum Head<'a> {
    Node {
        key: &'a str,
        labels: &'a str,
        type_name: &'a str,
    },
    Relationship {
        from: &'a str,
        to: &'a str,
        class: &'a str,
        key: &'a str,
        type_name: &'a str,
    },
}

impl<'a> Head<'a> {
    /// The text of a structural column, `None` for a property column.
    fn text(&self, c: &Column) -> Option<&'a str> {
        match (self, c.kind, c.name.as_str()) {
            (Head::Node { key, .. }, ColumnKind::Id, _) => Some(key),
            (Head::Node { labels, .. }, ColumnKind::Label, _) => Some(labels),
            (Head::Node { type_name, .. }, ColumnKind::Property(_), "_type") => Some(type_name),
            (Head::Relationship { from, .. }, ColumnKind::StartId, _) => Some(from),
            (Head::Relationship { to, .. }, ColumnKind::EndId, _) => Some(to),
            (Head::Relationship { class, .. }, ColumnKind::Type, _) => Some(class),
            (Head::Relationship { key, .. }, ColumnKind::Property(_), "_key") => Some(key),
            (Head::Relationship { type_name, .. }, ColumnKind::Property(_), "_type") => {
                Some(type_name)
            }
            _ => None,
        }
    }
}

/// Writes every CSV file in one pass over the graph: each type's rows come out in `_key`
/// order because the graph iterates in `_key` order.
fn write_csv(graph: &Graph, dialect: &Dialect, bundle: &Bundle) -> Result<(), ExportError> {
    let mut nodes = Vec::new();
    for ty in EntityType::ALL {
        let columns = columns::graph_node_columns(graph, ty);
        nodes.push(open(bundle, &node_file(ty), columns)?);
    }
    let mut rels = Vec::new();
    for ty in RelationshipType::ALL {
        let columns = columns::graph_relationship_columns(graph, ty);
        rels.push(open(bundle, &relationship_file(ty), columns)?);
    }
    let mut scratch = String::new();
    let mut labels = String::new();
    for e in graph.entities() {
        let sink = &mut nodes[e.entity_type() as usize];
        labels.clear();
        labels.push_str(e.def().name);
        for class in e.classes() {
            labels.push(dialect.array_delimiter);
            labels.push_str(class);
        }
        let head = Head::Node {
            key: e.key(),
            labels: &labels,
            type_name: e.def().name,
        };
        write_row(sink, dialect, &mut scratch, &head, e.properties())?;
    }
    let mut key = String::new();
    for r in graph.relationships() {
        let sink = &mut rels[r.relationship_type() as usize];
        key.clear();
        r.write_key(&mut key);
        let head = Head::Relationship {
            from: r.from_key(),
            to: r.to_key(),
            class: r.class(),
            key: &key,
            type_name: r.def().name,
        };
        write_row(sink, dialect, &mut scratch, &head, r.properties())?;
    }
    for sink in nodes.into_iter().chain(rels) {
        bundle.close_file(sink.file)?;
    }
    Ok(())
}

fn write_row<'g>(
    sink: &mut Sink,
    dialect: &Dialect,
    scratch: &mut String,
    head: &Head<'_>,
    props: impl Iterator<Item = crate::model::Property<'g>>,
) -> Result<(), ExportError> {
    let path = &sink.path;
    let out = &mut sink.file;
    // Properties come in the table's order then extras by name, as the columns do, so one
    // merge walk places each value in its column.
    let mut props = props.peekable();
    for (i, c) in sink.columns.iter().enumerate() {
        if i > 0 {
            out.write_all(&[dialect::DELIMITER as u8])
                .map_err(ExportError::io(path))?;
        }
        if let Some(text) = head.text(c) {
            dialect::write_str(out, text, dialect).map_err(ExportError::io(path))?;
            continue;
        }
        let value = match props.peek() {
            Some(p) if p.name == c.name => props.next().map(|p| p.value),
            _ => None,
        };
        dialect::write_value(out, value, dialect, scratch).map_err(ExportError::io(path))?;
    }
    if let Some(p) = props.next() {
        // Unreachable while columns derive from the same table and extras list; never drop
        // a value silently if that ever changes.
        return Err(ExportError::Io {
            path: path.clone(),
            source: io::Error::other(format!(
                "property {:?} has no column in this file: this is a bug in kb4graph",
                p.name
            )),
        });
    }
    out.write_all(b"\n").map_err(ExportError::io(path))
}
