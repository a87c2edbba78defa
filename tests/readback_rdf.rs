//! Reading the RDF exports (N-Triples, Turtle, N-Quads) back gives exactly the records of the
//! graph that was exported, with arrays as RDF holds them (sets: items in lexical order without
//! repeats, as documented), for the simulated API's small account and hostile strings; tampered
//! and broken files give different records or clean errors.

mod common;

use std::path::Path;

use kb4graph::export::rdf::Syntax;
use kb4graph::export::{ExportOptions, Format, SnapshotInfo, export};
use kb4graph::model::canonical::{self, digest_records};
use kb4graph::model::{Graph, MemorySource, Record, Value, normalize};
use kb4graph::readback::{ReadOptions, ReadbackError, read_records};
use kb4graph::snapshot::Snapshot;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

const RDF: [(Format, Syntax); 3] = [
    (Format::NTriples, Syntax::NTriples),
    (Format::Turtle, Syntax::Turtle),
    (Format::NQuads, Syntax::NQuads),
];

fn export_rdf(graph: &Graph, snapshot: &SnapshotInfo, base_iri: &str, dir: &Path) {
    let options = ExportOptions {
        base_iri: base_iri.to_owned(),
    };
    let formats: Vec<Format> = RDF.iter().map(|(f, _)| *f).collect();
    export(graph, snapshot, &formats, &options, dir).expect("the export is written");
}

fn read(dir: &Path, format: Format) -> Result<Vec<Record>, ReadbackError> {
    read_records(dir, format, &ReadOptions::default())
}

/// A record as RDF holds it: each array a set, in the order the exporter writes it.
fn as_rdf(mut r: Record) -> Record {
    for value in r.properties.values_mut() {
        match value {
            Value::StringArray(list) => {
                list.sort();
                list.dedup();
            }
            Value::IntegerArray(list) => {
                list.sort_by_key(|n| n.to_string());
                list.dedup();
            }
            _ => {}
        }
    }
    r.properties.retain(|_, v| {
        !matches!(v, Value::StringArray(l) if l.is_empty())
            && !matches!(v, Value::IntegerArray(l) if l.is_empty())
    });
    r
}

fn expected_records(graph: &Graph) -> Vec<Record> {
    canonical::records(graph).map(as_rdf).collect()
}

/// Compares record by record, naming the first difference.
fn assert_same(what: &str, mut read: Vec<Record>, mut expected: Vec<Record>) {
    read.sort_by(Record::canonical_cmp);
    expected.sort_by(Record::canonical_cmp);
    for (i, (r, e)) in read.iter().zip(&expected).enumerate() {
        assert_eq!(
            r.canonical_json(),
            e.canonical_json(),
            "{what}: record {i} differs (read, then expected)"
        );
        assert_eq!(r, e, "{what}: record {i} differs in a value's type");
    }
    assert_eq!(
        read.len(),
        expected.len(),
        "{what}: {} records read, {} expected; the first extra: {:?}",
        read.len(),
        expected.len(),
        read.get(expected.len()).or(expected.get(read.len()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_small_account_reads_back_from_every_syntax() {
    let server = common::start(common::small(12)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    server.shutdown().await;
    let snapshot = Snapshot::open(&out).unwrap();
    let (graph, _) = normalize(&snapshot);
    assert!(graph.relationship_count() > 100, "{graph:?}");
    let export_dir = dir.path().join("export");
    let info = SnapshotInfo::of(&snapshot).unwrap();
    export_rdf(
        &graph,
        &info,
        kb4graph::export::rdf::DEFAULT_BASE_IRI,
        &export_dir,
    );
    let expected = expected_records(&graph);
    let digest = digest_records(expected.clone()).unwrap();
    for (format, _) in RDF {
        let read = read(&export_dir, format).expect("the export reads back");
        assert_eq!(digest_records(read.clone()).unwrap(), digest, "{format}");
        assert_same(format.name(), read, expected.clone());
    }
}

/// A graph with hostile strings wherever a string can go: keys (account and module names),
/// names, free text, extra properties; arrays of one item (RDF keeps no order).
fn hostile_graph(names: &[String], big: i64, score: f64) -> Graph {
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({"name": names[0], "type": "paid", "domains": [names[0]], "number_of_seats": big,
                "current_risk_score": score, "subscription_end_date": "2031-02-28",
                "new_account_field": names[names.len() - 1]}),
    );
    let users: Vec<Json> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": i as i64 + 1,
                "first_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "aliases": [n],
                "employee_number": big.to_string(),
                "current_risk_score": score,
                "joined_on": "2024-02-29T23:59:59.999Z",
                "groups": [7],
                "provisioning_managed": i % 2 == 0,
                "status": "active",
                "mfa_enrolled": n,
            })
        })
        .collect();
    source.add_page("users/active", &Json::Array(users));
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": names[names.len() - 1], "group_type": "console_group"}]),
    );
    source.add_page(
        "training/enrollments",
        &json!([{
            "enrollment_id": 1, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": 1}, "status": "Passed", "campaign_name": names[0],
            "time_spent": big, "enrollment_date": "1970-01-01T00:00:00.000Z"
        }]),
    );
    normalize(&source).0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn hostile_strings_read_back_exactly(
        names in proptest::collection::vec(common::hostile_string(), 1..4),
        big in any::<i64>(),
        score in prop_oneof![any::<f64>().prop_filter("finite", |x| x.is_finite()), Just(0.1), Just(-0.0), Just(1e300)],
        base in prop_oneof![
            Just(kb4graph::export::rdf::DEFAULT_BASE_IRI),
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
        kb4graph::export::rdf::DEFAULT_BASE_IRI,
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
        kb4graph::export::rdf::DEFAULT_BASE_IRI,
        dir.path(),
    );
    (dir, graph)
}

fn rewrite(dir: &Path, syntax: Syntax, f: impl FnOnce(String) -> String) {
    let path = dir.join(syntax.file());
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = f(text.clone());
    assert_ne!(changed, text, "the test changes {}", syntax.file());
    std::fs::write(&path, changed).unwrap();
}

fn invalid(dir: &Path, format: Format) -> (String, String, String) {
    match read(dir, format) {
        Err(ReadbackError::Invalid {
            file,
            location,
            message,
        }) => (file, location, message),
        other => panic!("{format}: expected an Invalid error, got {other:?}"),
    }
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
        assert!(message.contains(format.name()), "{message}");
    }

    // A literal of the wrong datatype.
    let (dir, _) = small_export();
    rewrite(dir.path(), Syntax::NTriples, |t| {
        t.replacen(
            "\"42\"^^<http://www.w3.org/2001/XMLSchema#integer>",
            "\"42\"^^<http://www.w3.org/2001/XMLSchema#string>",
            1,
        )
    });
    let (file, location, message) = invalid(dir.path(), Format::NTriples);
    assert_eq!(file, "rdf/graph.nt");
    assert!(location.starts_with("triple <"), "{location}");
    assert!(message.contains("XMLSchema#integer"), "{message}");

    // A value that is not of its type.
    let (dir, _) = small_export();
    rewrite(dir.path(), Syntax::NTriples, |t| {
        t.replacen(
            "\"2024-02-29T23:59:59.999Z\"",
            "\"2024-02-30T23:59:59.999Z\"",
            1,
        )
    });
    let (_, _, message) = invalid(dir.path(), Format::NTriples);
    assert!(
        message.contains("joinedOn") && message.contains("datetime"),
        "{message}"
    );

    // A `kb:key` that is not the key its IRI encodes.
    let (dir, _) = small_export();
    rewrite(dir.path(), Syntax::NTriples, |t| {
        t.replacen("\"knowbe4:user:2\"", "\"knowbe4:user:3\"", 1)
    });
    let (_, location, message) = invalid(dir.path(), Format::NTriples);
    assert!(location.ends_with("knowbe4:user:2>"), "{location}");
    assert!(message.contains("kb:key"), "{message}");

    // A predicate outside the vocabulary.
    let (dir, _) = small_export();
    rewrite(dir.path(), Syntax::NTriples, |t| {
        t.replacen(
            "kb4graph/ns#User_firstName>",
            "kb4graph/ns#Person_firstName>",
            1,
        )
    });
    let (_, _, message) = invalid(dir.path(), Format::NTriples);
    assert!(message.contains("Person_firstName"), "{message}");

    // A relationship node whose link is gone.
    let (dir, _) = small_export();
    rewrite(dir.path(), Syntax::NTriples, |t| {
        t.lines()
            .filter(|l| !l.contains("#TrainingModule_assignedUser>"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let (_, location, message) = invalid(dir.path(), Format::NTriples);
    assert!(location.starts_with("subject <"), "{location}");
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
