//! Reading the RDF exports (N-Triples, Turtle, N-Quads) back gives exactly the records of the
//! graph that was exported, with arrays as RDF holds them (sets: items in lexical order without
//! repeats, as documented), for the simulated API's small account and hostile strings; tampered
//! and broken files give different records or clean errors.

use crate::common;
use crate::readback_support;

use std::path::Path;

use crate::readback_support::{Arrays, assert_same, export_with, scored_graph};
use kb4graph::export::{ExportOptions, Format, SnapshotInfo};
use kb4graph::formats::rdf::{DEFAULT_BASE_IRI, Syntax, as_read_back};
use kb4graph::model::canonical::{self, digest_records};
use kb4graph::model::{Graph, MemorySource, Record, Value, normalize};
use kb4graph::readback::{ReadOptions, ReadbackError, read_records};
use proptest::prelude::*;
use serde_json::json;

const RDF: [(Format, Syntax); 3] = [
    (Format::NTriples, Syntax::NTriples),
    (Format::Turtle, Syntax::Turtle),
    (Format::NQuads, Syntax::NQuads),
];

fn export_rdf(graph: &Graph, snapshot: &SnapshotInfo, base_iri: &str, dir: &Path) {
    let options = ExportOptions {
        base_iri: base_iri.to_owned(),
        ..ExportOptions::default()
    };
    let formats: Vec<Format> = RDF.iter().map(|(f, _)| *f).collect();
    export_with(graph, snapshot, &formats, &options, dir);
}

fn read(dir: &Path, format: Format) -> Result<Vec<Record>, ReadbackError> {
    readback_support::read_back(dir, format)
}

fn expected_records(graph: &Graph) -> Vec<Record> {
    canonical::records(graph).map(as_read_back).collect()
}

/// Hostile strings wherever a string can go, in arrays of one item (RDF keeps no order).
fn hostile_graph(names: &[String], big: i64, score: f64) -> Graph {
    scored_graph(names, big, score, Arrays::OneItem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_small_account_reads_back_from_every_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let (graph, info) = readback_support::simulated_account(12, dir.path()).await;
    let export_dir = dir.path().join("export");
    export_rdf(&graph, &info, DEFAULT_BASE_IRI, &export_dir);
    let expected = expected_records(&graph);
    let digest = digest_records(expected.clone()).unwrap();
    for (format, _) in RDF {
        let read = read(&export_dir, format).expect("the export reads back");
        assert_eq!(digest_records(read.clone()).unwrap(), digest, "{format}");
        assert_same(format.name(), read, expected.clone());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn hostile_strings_read_back_exactly(
        names in readback_support::hostile_names(3),
        big in any::<i64>(),
        score in readback_support::awkward_float(),
        base in prop_oneof![
            Just(DEFAULT_BASE_IRI),
            Just("urn:kb4graph:"),
            Just("https://grc.example.com/knowbe4#"),
        ],
    ) {
        let graph = hostile_graph(&names, big, score);
        let dir = tempfile::tempdir().unwrap();
        export_rdf(&graph, &common::snapshot_info(), base, dir.path());
        let options = ReadOptions { base_iri: base.to_owned() };
        // RDF carries every string: with one-item arrays the digest is the graph's own.
        let digest = canonical::digest(&graph);
        for (format, _) in RDF {
            let read = read_records(dir.path(), format, &options).expect("the export reads back");
            prop_assert_eq!(&digest_records(read.clone()).unwrap(), &digest, "{}", format);
            assert_same(format.name(), read, canonical::records(&graph).collect());
        }
    }
}

#[test]
fn arrays_come_back_as_the_sets_rdf_holds() {
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({"name": "Acme", "domains": ["b.example", "a.example", "b.example"]}),
    );
    source.add_page(
        "users/active",
        &json!([{"id": 1, "first_name": "Ann", "groups": [9, 10, 7], "status": "active"}]),
    );
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": "x"}, {"id": 9, "name": "y"}, {"id": 10, "name": "z"}]),
    );
    let (graph, _) = normalize(&source);
    let dir = tempfile::tempdir().unwrap();
    export_rdf(
        &graph,
        &common::snapshot_info(),
        DEFAULT_BASE_IRI,
        dir.path(),
    );
    for (format, _) in RDF {
        let read = read(dir.path(), format).unwrap();
        let user = read.iter().find(|r| r.key == "knowbe4:user:1").unwrap();
        assert!(
            matches!(&user.properties["groupIds"], Value::IntegerArray(l) if *l == [10, 7, 9]),
            "{format}: {:?}",
            user.properties["groupIds"]
        );
        assert_same(format.name(), read, expected_records(&graph));
    }
}

fn small_export() -> (tempfile::TempDir, Graph) {
    let graph = hostile_graph(&["Ann".to_owned(), "Bob".to_owned()], 42, 2.5);
    let dir = tempfile::tempdir().unwrap();
    export_rdf(
        &graph,
        &common::snapshot_info(),
        DEFAULT_BASE_IRI,
        dir.path(),
    );
    (dir, graph)
}

fn rewrite(dir: &Path, syntax: Syntax, f: impl FnOnce(String) -> String) {
    readback_support::rewrite(dir, syntax.file(), f);
}

fn invalid(dir: &Path, format: Format) -> (String, String, String) {
    readback_support::invalid(dir, format, "changed")
}

/// The `Invalid` error of reading a fresh N-Triples export rewritten by `f`.
fn broken_ntriples(f: impl FnOnce(String) -> String) -> (String, String, String) {
    let (dir, _) = small_export();
    rewrite(dir.path(), Syntax::NTriples, f);
    invalid(dir.path(), Format::NTriples)
}

#[test]
fn a_changed_value_gives_different_records() {
    let (dir, graph) = small_export();
    for (format, syntax) in RDF {
        let before = digest_records(read(dir.path(), format).unwrap()).unwrap();
        assert_eq!(before, canonical::digest(&graph), "{format}");
        rewrite(dir.path(), syntax, |t| t.replacen("\"Bob\"", "\"Rob\"", 1));
        let after = read(dir.path(), format).expect("a changed value is still a valid file");
        assert_ne!(
            digest_records(after).unwrap().sha256,
            before.sha256,
            "{format}"
        );
    }
    // A triple removed: a link, so a relationship is gone.
    let (dir, graph) = small_export();
    rewrite(dir.path(), Syntax::NTriples, |t| {
        t.replacen("<https://w3id.org/kb4graph/ns#UserGroup_hasUser> <https://w3id.org/kb4graph/id/knowbe4:user:2>", "<https://w3id.org/kb4graph/ns#UserGroup_hasUser> <https://w3id.org/kb4graph/id/knowbe4:user:1>", 1)
    });
    let read = read(dir.path(), Format::NTriples).unwrap();
    assert_eq!(
        read.len(),
        graph.entity_count() + graph.relationship_count() - 1
    );
    assert!(
        !read
            .iter()
            .any(|r| r.key == "knowbe4:group:0|has|knowbe4:user:2")
    );
}

#[test]
fn the_provenance_graph_is_not_graph_data() {
    let (dir, graph) = small_export();
    let text = std::fs::read_to_string(dir.path().join(Syntax::NQuads.file())).unwrap();
    assert!(text.contains("/provenance>"));
    assert_same(
        "nquads",
        read(dir.path(), Format::NQuads).unwrap(),
        expected_records(&graph),
    );
    // A quad outside both graphs is refused.
    rewrite(dir.path(), Syntax::NQuads, |t| {
        t.replacen("/provenance> .", "/elsewhere> .", 1)
    });
    let (file, location, message) = invalid(dir.path(), Format::NQuads);
    assert_eq!(file, "rdf/graph.nq");
    assert!(location.starts_with("triple <"), "{location}");
    assert!(message.contains("elsewhere"), "{message}");
}

#[test]
fn broken_files_give_invalid_errors_naming_file_and_location() {
    // Syntax: a line cut short, in each syntax.
    for (format, syntax) in RDF {
        let (dir, _) = small_export();
        rewrite(dir.path(), syntax, |t| {
            let cut = t.find("\"Bob\"").unwrap() + 3;
            format!("{}\n{}", &t[..cut], &t[cut..])
        });
        let (file, location, message) = invalid(dir.path(), format);
        assert_eq!(file, syntax.file());
        assert!(location.starts_with("line "), "{format}: {location}");
        assert!(message.starts_with("syntax error: "), "{format}: {message}");
    }

    // A literal of the wrong datatype.
    let (file, location, message) = broken_ntriples(|t| {
        t.replacen(
            "\"42\"^^<http://www.w3.org/2001/XMLSchema#integer>",
            "\"42\"^^<http://www.w3.org/2001/XMLSchema#string>",
            1,
        )
    });
    // Placed and said as `validate` does: the focus node and path, and `sh:datatype`.
    assert_eq!(file, "rdf/graph.nt");
    assert!(
        location.starts_with("<https://") && location.contains("> kb:"),
        "{location}"
    );
    assert!(
        message.starts_with("sh:datatype xsd:integer: ") && message.ends_with("has another type"),
        "{message}"
    );

    // A value that is not of its type.
    let (_, location, message) = broken_ntriples(|t| {
        t.replacen(
            "\"2024-02-29T23:59:59.999Z\"",
            "\"2024-02-30T23:59:59.999Z\"",
            1,
        )
    });
    assert!(location.ends_with("_joinedOn"), "{location}");
    assert!(
        message.ends_with("is not a valid xsd:dateTime"),
        "{message}"
    );
    // A valid xsd:dateTime that kb4graph does not write (no milliseconds).
    let (_, location, message) = broken_ntriples(|t| {
        t.replacen(
            "\"2024-02-29T23:59:59.999Z\"",
            "\"2024-02-29T23:59:59Z\"",
            1,
        )
    });
    assert!(location.starts_with("triple <"), "{location}");
    assert!(
        message.contains("joinedOn") && message.contains("datetime"),
        "{message}"
    );

    // A `kb:key` that is not the key its IRI encodes.
    let (_, location, message) =
        broken_ntriples(|t| t.replacen("\"knowbe4:user:2\"", "\"knowbe4:user:3\"", 1));
    assert!(location.ends_with("knowbe4:user:2>"), "{location}");
    assert!(message.contains("kb:key"), "{message}");

    // A predicate outside the vocabulary.
    let (_, _, message) = broken_ntriples(|t| {
        t.replacen(
            "kb4graph/ns#User_firstName>",
            "kb4graph/ns#Contractor_firstName>",
            1,
        )
    });
    assert!(message.contains("Contractor_firstName"), "{message}");

    // A relationship node whose link is gone.
    let (_, location, message) = broken_ntriples(|t| {
        t.lines()
            .filter(|l| !l.contains("#TrainingModule_assignedUser>"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    assert!(
        location.starts_with('<') && location.ends_with('>'),
        "{location}"
    );
    assert!(message.contains("no link"), "{message}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    for (format, syntax) in RDF {
        match read(dir.path(), format) {
            Err(ReadbackError::Io { path, .. }) => assert!(path.ends_with(syntax.file())),
            other => panic!("{other:?}"),
        }
    }
}
