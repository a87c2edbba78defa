//! The simulator's `hostile` account, whose strings carry what breaks CSV, XML and Turtle
//! readers, is served over loopback, fetched, exported in every format, passes every format's
//! checks, and reads back to its graph with only each format's documented losses.

use crate::common;

use std::path::Path;

use crate::readback_support::{assert_same, export_with, read_back};
use kb4graph::export::{ExportOptions, Format, SnapshotInfo};
use kb4graph::formats::{graphml, neo4j, rdf};
use kb4graph::mock::{MockConfig, Profile};
use kb4graph::model::canonical::{self, Record};
use kb4graph::model::{Graph, Value, normalize};
use kb4graph::snapshot::Snapshot;

/// Whether a string holds one kind of hostile content.
type Holds = fn(&str) -> bool;
/// What a format's read-back gives for a record of the graph.
type ReadBackForm = fn(Record) -> Record;

async fn hostile_account(dir: &Path) -> (Graph, SnapshotInfo) {
    let server = common::start(MockConfig::new(7, Profile::Hostile)).await;
    let out = dir.join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    server.shutdown().await;
    let snapshot = Snapshot::open(&out).expect("snapshot");
    let (graph, _) = normalize(&snapshot);
    (graph, SnapshotInfo::of(&snapshot))
}

fn strings(graph: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for record in canonical::records(graph) {
        for value in record.properties.values() {
            match value {
                Value::String(s) => out.push(s.clone()),
                Value::StringArray(items) => out.extend(items.iter().cloned()),
                _ => {}
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_kind_of_string_reaches_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let (graph, _) = hostile_account(dir.path()).await;
    let strings = strings(&graph);
    let kinds: [(&str, Holds); 15] = [
        ("a double quote", |s| s.contains('"')),
        ("a backslash-escaped quote", |s| s.contains("\\\"")),
        ("a trailing backslash", |s| s.ends_with('\\')),
        ("a comma", |s| s.contains(',')),
        ("a semicolon", |s| s.contains(';')),
        ("a pipe", |s| s.contains('|')),
        ("U+001F", |s| s.contains('\u{1f}')),
        ("a line feed alone", |s| {
            s.replace("\r\n", "").contains('\n')
        }),
        ("CRLF", |s| s.contains("\r\n")),
        ("a carriage return alone", |s| {
            s.replace("\r\n", "").contains('\r')
        }),
        ("an emoji", |s| s.chars().any(|c| c as u32 >= 0x1F300)),
        ("right-to-left text", |s| {
            s.chars().any(|c| ('\u{590}'..='\u{6ff}').contains(&c))
        }),
        ("a bidi control", |s| {
            s.chars().any(|c| ('\u{202a}'..='\u{202e}').contains(&c))
        }),
        ("a trailing dot", |s| s.ends_with('.')),
        ("`]]>`", |s| s.contains("]]>")),
    ];
    for (kind, holds) in kinds {
        assert!(
            strings.iter().any(|s| holds(s)),
            "no string of the hostile account holds {kind}"
        );
    }
    let account = canonical::records(&graph)
        .find(|r| r.type_name == "knowbe4_account")
        .expect("the account");
    let Some(Value::String(name)) = account.properties.get("name") else {
        panic!("the account has no name");
    };
    assert!(name.ends_with('.'), "account name {name:?} ends in a dot");
    let users_ending_in_dot = canonical::records(&graph)
        .filter(|r| r.type_name == "knowbe4_user")
        .filter(
            |r| matches!(r.properties.get("lastName"), Some(Value::String(s)) if s.ends_with('.')),
        )
        .count();
    assert!(
        users_ending_in_dot > 0,
        "some user's last name ends in a dot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hostile_account_validates_and_reads_back_from_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (graph, info) = hostile_account(dir.path()).await;
    let out = dir.path().join("export");
    export_with(&graph, &info, &Format::ALL, &ExportOptions::default(), &out);

    for report in kb4graph::validate::validate_dir(&out).expect("the export is readable") {
        assert_eq!(
            report.total, 0,
            "{:?} violations on the hostile account: {:?}",
            report.format, report.violations
        );
    }
    let expected = |read_back_form: ReadBackForm| -> Vec<Record> {
        canonical::records(&graph).map(read_back_form).collect()
    };
    let cases: [(Format, ReadBackForm); 6] = [
        (Format::Json, |r| r),
        (Format::Neo4j, neo4j::as_read_back),
        (Format::GraphMl, graphml::as_read_back),
        (Format::NTriples, rdf::as_read_back),
        (Format::Turtle, rdf::as_read_back),
        (Format::NQuads, rdf::as_read_back),
    ];
    for (format, form) in cases {
        let read = read_back(&out, format)
            .unwrap_or_else(|e| panic!("{format:?} of the hostile account reads back: {e}"));
        assert_same(&format!("{format:?}"), read, expected(form));
    }
}
