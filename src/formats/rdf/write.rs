//! The RDF writer: one streamed pass per syntax, each subject's triples in a sorted block.

use std::io::{self, Write};

use super::iri::{self, check_base_iri};
use super::{block, sink, vocab};
use crate::export::{Bundle, ExportError, SnapshotInfo};
use crate::formats::Format;
use crate::model::{EntityType, Graph, PropDef, RelationshipType, ValueRef};
use block::{Block, PredicateRef};
use sink::{Object, Sink};
use vocab::{RDF_TYPE, VOCAB_NS};

/// The instance namespace unless `--base-iri` says otherwise. Instance IRIs are stable across
/// runs and versions: they depend only on this base and the `_key`s.
pub const DEFAULT_BASE_IRI: &str = "https://w3id.org/kb4graph/id/";

pub const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
pub const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
pub const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
pub const XSD_DECIMAL: &str = "http://www.w3.org/2001/XMLSchema#decimal";
pub const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
pub const XSD_DATETIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";
pub const XSD_DATE: &str = "http://www.w3.org/2001/XMLSchema#date";

/// The full IRI of an XSD datatype named by [`vocab::datatype`].
pub fn xsd(local: &str) -> &'static str {
    match local {
        "integer" => XSD_INTEGER,
        "double" => XSD_DOUBLE,
        "decimal" => XSD_DECIMAL,
        "boolean" => XSD_BOOLEAN,
        "dateTime" => XSD_DATETIME,
        "date" => XSD_DATE,
        _ => XSD_STRING,
    }
}

const PROV: &str = "http://www.w3.org/ns/prov#";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCTERMS: &str = "http://purl.org/dc/terms/";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const SCHEMA_VERSION: &str = "https://schema.org/softwareVersion";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    NTriples,
    Turtle,
    NQuads,
}

impl Syntax {
    pub const ALL: [Syntax; 3] = [Syntax::NTriples, Syntax::Turtle, Syntax::NQuads];

    /// The file this syntax is written to, relative to the export directory.
    pub const fn file(self) -> &'static str {
        match self {
            Syntax::NTriples => "rdf/graph.nt",
            Syntax::Turtle => "rdf/graph.ttl",
            Syntax::NQuads => "rdf/graph.nq",
        }
    }

    /// The export format written in this syntax.
    pub const fn format(self) -> Format {
        match self {
            Syntax::NTriples => Format::NTriples,
            Syntax::Turtle => Format::Turtle,
            Syntax::NQuads => Format::NQuads,
        }
    }
}

/// Writes the file of `syntax` of `graph` into `bundle`, instances named under `base_iri`.
pub fn write(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    syntax: Syntax,
    base_iri: &str,
    bundle: &Bundle,
) -> Result<(), ExportError> {
    check_base_iri(base_iri).map_err(|source| ExportError::BaseIri {
        path: bundle.out_dir().join(syntax.file()),
        source,
    })?;
    bundle.write_data_file(syntax.file(), |out| {
        write_graph(graph, snapshot, base_iri, syntax, out).map(|_| ())
    })
}

/// The full IRIs of the vocabulary, built once per export.
struct Terms {
    rdf_type: String,
    key: String,
    from: String,
    to: String,
    entity_class: Vec<String>,
    entity_extra_classes: Vec<Vec<String>>,
    entity_props: Vec<Vec<String>>,
    relationship_class: Vec<String>,
    relationship_predicate: Vec<String>,
    relationship_props: Vec<Vec<String>>,
}

fn kb(local: &str) -> String {
    format!("{VOCAB_NS}{local}")
}

impl Terms {
    fn new() -> Terms {
        Terms {
            rdf_type: RDF_TYPE.to_owned(),
            key: kb(vocab::KEY),
            from: kb(vocab::FROM),
            to: kb(vocab::TO),
            entity_class: EntityType::ALL
                .iter()
                .map(|t| kb(vocab::entity_class(*t)))
                .collect(),
            entity_extra_classes: EntityType::ALL
                .iter()
                .map(|t| vocab::extra_classes(*t).map(kb).collect())
                .collect(),
            entity_props: EntityType::ALL
                .iter()
                .map(|t| vocab::entity_properties(*t).map(|(_, n)| kb(&n)).collect())
                .collect(),
            relationship_class: RelationshipType::ALL
                .iter()
                .map(|t| kb(&vocab::relationship_class(*t)))
                .collect(),
            relationship_predicate: RelationshipType::ALL
                .iter()
                .map(|t| kb(&vocab::relationship_predicate(*t)))
                .collect(),
            relationship_props: RelationshipType::ALL
                .iter()
                .map(|t| {
                    vocab::relationship_properties(*t)
                        .map(|(_, n)| kb(&n))
                        .collect()
                })
                .collect(),
        }
    }
}

/// The index of `def` in `defs`, found by address: `def` points into the static table.
fn def_index(defs: &[PropDef], def: &PropDef) -> Option<usize> {
    let size = std::mem::size_of::<PropDef>();
    let offset = (def as *const PropDef as usize).checked_sub(defs.as_ptr() as usize)?;
    let i = offset / size;
    match defs.get(i) {
        Some(d) if std::ptr::eq(d, def) => Some(i),
        _ => defs.iter().position(|d| std::ptr::eq(d, def)),
    }
}

/// Adds one property's values to `block`.
fn add_property<'v>(
    block: &mut Block<'v>,
    owner_class: &str,
    declared: &'v [String],
    defs: &'static [PropDef],
    p: crate::model::Property<'_>,
) {
    let predicate = match p.def.and_then(|d| def_index(defs, d)) {
        Some(i) => match declared.get(i) {
            Some(iri) => PredicateRef::vocab(iri),
            None => return,
        },
        None => block.predicate(|t| {
            t.push_str(VOCAB_NS);
            t.push_str(owner_class);
            t.push('_');
            iri::push_encoded(t, p.name);
        }),
    };
    match p.value {
        ValueRef::String(s) => block.literal(predicate, s, XSD_STRING),
        ValueRef::Integer(n) => block.literal(predicate, n, XSD_INTEGER),
        ValueRef::Float(x) => block.literal(predicate, Double(x), XSD_DOUBLE),
        ValueRef::Decimal(x) => block.literal(predicate, Double(x), XSD_DECIMAL),
        ValueRef::Boolean(b) => block.literal(predicate, b, XSD_BOOLEAN),
        ValueRef::DateTime(_) => block.literal(predicate, p.value, XSD_DATETIME),
        ValueRef::Date(_) => block.literal(predicate, p.value, XSD_DATE),
        ValueRef::StringArray(list) => {
            for s in list.iter() {
                block.literal(predicate, s, XSD_STRING);
            }
        }
        ValueRef::IntegerArray(ns) => {
            for n in ns {
                block.literal(predicate, n, XSD_INTEGER);
            }
        }
    }
}

/// An `xsd:double` lexical form: the shortest decimal that reads back as the same double. For a
/// finite value (every decimal the model holds) it is also an `xsd:decimal` lexical form: Rust
/// never writes an exponent.
struct Double(f64);

impl std::fmt::Display for Double {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        if x.is_nan() {
            f.write_str("NaN")
        } else if x.is_infinite() {
            f.write_str(if x > 0.0 { "INF" } else { "-INF" })
        } else {
            write!(f, "{x}")
        }
    }
}

/// The named graph of the data in N-Quads, for a snapshot.
pub fn data_graph_iri(base: &str, snapshot: &SnapshotInfo) -> String {
    format!("{base}graph/{}", snapshot.manifest_sha256)
}

/// The named graph of one account's data in a combined export's N-Quads.
pub fn account_graph_iri(base: &str, snapshot: &SnapshotInfo, account: &str) -> String {
    format!("{}/account/{account}", data_graph_iri(base, snapshot))
}

/// The named graph of the provenance in N-Quads.
pub fn provenance_graph_iri(base: &str, snapshot: &SnapshotInfo) -> String {
    format!("{}/provenance", data_graph_iri(base, snapshot))
}

/// Writes `graph` in `syntax` to `out` and returns the writer and the number of triples (quads).
/// `base` must pass [`check_base_iri`].
pub fn write_graph<W: Write>(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    base: &str,
    syntax: Syntax,
    out: W,
) -> io::Result<(W, u64)> {
    let terms = Terms::new();
    let data_graph = data_graph_iri(base, snapshot);
    let mut sink = Sink::new(syntax, out, &data_graph)?;
    if syntax == Syntax::NQuads {
        write_provenance(&mut sink, graph, snapshot, base)?;
    }

    let outgoing = graph.outgoing();
    let rdf_type = PredicateRef::vocab(&terms.rdf_type);
    let key = PredicateRef::vocab(&terms.key);
    let mut block = Block::default();
    // In a combined export's N-Quads, each account's entities go to the account's graph; the
    // people, shared by accounts, stay in the data graph.
    let by_account = syntax == Syntax::NQuads && !snapshot.accounts.is_empty();
    let graph_of = |key: &str| match crate::model::keys::scope_of(key).filter(|_| by_account) {
        Some(account) => account_graph_iri(base, snapshot, account),
        None => data_graph.clone(),
    };
    for entity in graph.entities() {
        let ty = entity.entity_type() as usize;
        if by_account {
            sink.set_graph(&graph_of(entity.key()));
        }
        block.start(base, entity.key());
        block.iri(rdf_type, &terms.entity_class[ty]);
        for class in &terms.entity_extra_classes[ty] {
            block.iri(rdf_type, class);
        }
        block.literal(key, entity.key(), XSD_STRING);
        let class = vocab::entity_class(entity.entity_type());
        for p in entity.properties() {
            add_property(
                &mut block,
                class,
                &terms.entity_props[ty],
                entity.def().properties,
                p,
            );
        }
        for (to, rel_ty) in outgoing.of_entity(entity.index()) {
            if let (Some(to_key), Some(predicate)) = (
                graph.entity_key(to),
                terms.relationship_predicate.get(rel_ty),
            ) {
                block.link(PredicateRef::vocab(predicate), base, to_key);
            }
        }
        block.write_to(&mut sink)?;
    }

    let from = PredicateRef::vocab(&terms.from);
    let to = PredicateRef::vocab(&terms.to);
    let mut rel_key = String::new();
    for rel in graph.relationships() {
        if rel.properties().next().is_none() {
            continue;
        }
        let ty = rel.relationship_type();
        if by_account {
            sink.set_graph(&graph_of(rel.from_key()));
        }
        rel_key.clear();
        rel.write_key(&mut rel_key);
        block.start(base, &rel_key);
        block.iri(rdf_type, &terms.relationship_class[ty as usize]);
        block.literal(key, &rel_key, XSD_STRING);
        block.link(from, base, rel.from_key());
        block.link(to, base, rel.to_key());
        let class = vocab::relationship_class(ty);
        for p in rel.properties() {
            add_property(
                &mut block,
                &class,
                &terms.relationship_props[ty as usize],
                rel.def().properties,
                p,
            );
        }
        block.write_to(&mut sink)?;
    }
    let count = sink.count;
    Ok((sink.finish()?, count))
}

/// The provenance graph: what the data graph is, which snapshot it comes from and which
/// kb4graph wrote it. Only facts fixed by the snapshot and the tool version: no export time.
fn write_provenance<W: Write>(
    sink: &mut Sink<W>,
    graph: &Graph,
    snapshot: &SnapshotInfo,
    base: &str,
) -> io::Result<()> {
    let data = data_graph_iri(base, snapshot);
    let provenance = provenance_graph_iri(base, snapshot);
    let snapshot_iri = format!("{base}snapshot/{}", snapshot.manifest_sha256);
    let export = format!("{data}/export");
    let version = env!("CARGO_PKG_VERSION");
    let agent = format!("https://crates.io/crates/kb4graph/{version}");
    let p = |ns: &str, local: &str| format!("{ns}{local}");
    let mut quads: Vec<(String, String, String, Option<&'static str>)> = Vec::new();
    let mut iri = |s: &str, pred: String, o: &str| {
        quads.push((s.to_owned(), pred, o.to_owned(), None));
    };
    iri(&data, RDF_TYPE.into(), &p(DCAT, "Dataset"));
    iri(&data, RDF_TYPE.into(), &p(PROV, "Entity"));
    iri(&data, p(DCTERMS, "conformsTo"), vocab::ONTOLOGY_IRI);
    iri(&data, p(PROV, "wasDerivedFrom"), &snapshot_iri);
    iri(&data, p(PROV, "wasGeneratedBy"), &export);
    iri(&export, RDF_TYPE.into(), &p(PROV, "Activity"));
    iri(&export, p(PROV, "used"), &snapshot_iri);
    iri(&export, p(PROV, "wasAssociatedWith"), &agent);
    iri(&agent, RDF_TYPE.into(), &p(PROV, "SoftwareAgent"));
    iri(&snapshot_iri, RDF_TYPE.into(), &p(PROV, "Entity"));
    // A combined export: each account's graph, part of the data, from its own snapshot.
    for account in &snapshot.accounts {
        let graph = account_graph_iri(base, snapshot, &account.name);
        let source = format!("{base}snapshot/{}", account.manifest_sha256);
        iri(&graph, RDF_TYPE.into(), &p(PROV, "Entity"));
        iri(&graph, p(DCTERMS, "isPartOf"), &data);
        iri(&graph, p(PROV, "wasDerivedFrom"), &source);
        iri(&source, RDF_TYPE.into(), &p(PROV, "Entity"));
    }
    if oxrdf::NamedNode::new(&snapshot.base_url).is_ok() {
        iri(&snapshot_iri, p(DCTERMS, "source"), &snapshot.base_url);
    }
    let mut lit = |s: &str, pred: String, o: &str, datatype: &'static str| {
        quads.push((s.to_owned(), pred, o.to_owned(), Some(datatype)));
    };
    lit(
        &agent,
        RDFS_LABEL.into(),
        &format!("kb4graph {version}"),
        XSD_STRING,
    );
    lit(&agent, SCHEMA_VERSION.into(), version, XSD_STRING);
    if let Some(name) = graph.account_name() {
        lit(
            &data,
            p(DCTERMS, "title"),
            &format!("KnowBe4 account {name}"),
            XSD_STRING,
        );
    }
    lit(
        &snapshot_iri,
        p(DCTERMS, "identifier"),
        &format!("sha256:{}", snapshot.manifest_sha256),
        XSD_STRING,
    );
    lit(
        &snapshot_iri,
        p(PROV, "generatedAtTime"),
        &snapshot.fetched_at,
        XSD_DATETIME,
    );
    lit(
        &snapshot_iri,
        p(DCTERMS, "description"),
        &format!(
            "Raw KnowBe4 Reporting API pages fetched from {}{}{}",
            snapshot.base_url,
            snapshot
                .site
                .as_deref()
                .map(|s| format!(" (site {s})"))
                .unwrap_or_default(),
            if snapshot.complete {
                ""
            } else {
                "; INCOMPLETE: the fetch did not finish"
            }
        ),
        XSD_STRING,
    );
    lit(
        &snapshot_iri,
        kb(vocab::COMPLETE),
        if snapshot.complete { "true" } else { "false" },
        XSD_BOOLEAN,
    );
    quads.sort();
    quads.dedup();
    for (s, pred, o, datatype) in &quads {
        let object = match datatype {
            None => Object::Iri(o),
            Some(d) => Object::Literal(o, d),
        };
        sink.quad(s, pred, object, &provenance)?;
    }
    Ok(())
}
