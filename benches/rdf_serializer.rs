//! How close the RDF exporter comes to oxttl's own serializer: the same triples written by
//! oxttl alone from a pre-built `Vec<Triple>` (the library's limit), and by the exporter from
//! the graph (which also builds IRIs and literals, groups and sorts each subject's triples).
//!
//! The graph is the `small` demo account, fetched from the simulated API; set
//! `KB4GRAPH_BENCH_SNAPSHOT=/path/to/snapshot` to use another (e.g. a `medium` one).
//!
//!     cargo bench --bench rdf_serializer

mod common;

use std::io;
use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use kb4graph::export::SnapshotInfo;
use kb4graph::formats::rdf::{DEFAULT_BASE_IRI, Syntax, write_graph};
use kb4graph::model::{Graph, normalize};
use kb4graph::snapshot::Snapshot;
use oxrdf::Triple;

struct Fixture {
    graph: Graph,
    info: SnapshotInfo,
    /// The exporter's N-Triples output, parsed back: the same triples, pre-built.
    triples: Vec<Triple>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let source = common::snapshot();
        let snapshot = Snapshot::open(&source.path).expect("a snapshot");
        let info = SnapshotInfo::of(&snapshot);
        let (graph, _) = normalize(&snapshot);
        let (bytes, _) = write_graph(
            &graph,
            &info,
            DEFAULT_BASE_IRI,
            Syntax::NTriples,
            Vec::new(),
        )
        .expect("export");
        let triples = oxttl::NTriplesParser::new()
            .for_slice(&bytes)
            .collect::<Result<Vec<_>, _>>()
            .expect("parses");
        Fixture {
            graph,
            info,
            triples,
        }
    })
}

/// Counts the bytes written: unlike `io::sink()`, every byte is formatted and handed over.
#[derive(Default)]
struct Counter(u64);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() {
    divan::main();
}

#[divan::bench(args = ["ntriples", "turtle"])]
fn oxttl_alone(bencher: Bencher, syntax: &str) {
    let f = fixture();
    bencher
        .counter(ItemsCount::new(f.triples.len()))
        .bench(|| -> io::Result<u64> {
            match syntax {
                "ntriples" => {
                    let mut s = oxttl::NTriplesSerializer::new().for_writer(Counter::default());
                    for t in &f.triples {
                        s.serialize_triple(t)?;
                    }
                    Ok(s.finish().0)
                }
                _ => {
                    let mut s = oxttl::TurtleSerializer::new()
                        .with_prefix("id", DEFAULT_BASE_IRI)
                        .and_then(|s| s.with_prefix("kb", "https://w3id.org/kb4graph/ns#"))
                        .and_then(|s| s.with_prefix("xsd", "http://www.w3.org/2001/XMLSchema#"))
                        .expect("prefixes")
                        .for_writer(Counter::default());
                    for t in &f.triples {
                        s.serialize_triple(t)?;
                    }
                    Ok(s.finish()?.0)
                }
            }
        });
}

#[divan::bench(args = ["ntriples", "turtle", "nquads"])]
fn exporter(bencher: Bencher, syntax: &str) {
    let f = fixture();
    let syntax = match syntax {
        "ntriples" => Syntax::NTriples,
        "turtle" => Syntax::Turtle,
        _ => Syntax::NQuads,
    };
    bencher.counter(ItemsCount::new(f.triples.len())).bench(|| {
        write_graph(
            &f.graph,
            &f.info,
            DEFAULT_BASE_IRI,
            syntax,
            Counter::default(),
        )
        .map(|(w, _)| w.0)
    });
}
