//! Reading the GraphML export back gives exactly the records of the graph that was exported:
//! the simulated API's small account, hostile strings and numbers (characters XML 1.0 forbids
//! come back as U+FFFD, as documented), and tampered or broken files.

mod common;

use std::borrow::Cow;
use std::path::Path;

use kb4graph::export::graphml::text::sanitized;
use kb4graph::export::{ExportOptions, Format, SnapshotInfo, export};
use kb4graph::model::canonical::{self, digest_records};
use kb4graph::model::{Graph, MemorySource, Record, RecordKind, Value, normalize};
use kb4graph::readback::{ReadOptions, ReadbackError, read_records};
use kb4graph::snapshot::Snapshot;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

const FILE: &str = "graphml/graph.graphml";

fn export_graphml(graph: &Graph, snapshot: &SnapshotInfo, dir: &Path) {
    export(
        graph,
        snapshot,
        &[Format::GraphMl],
        &ExportOptions::default(),
        dir,
    )
    .expect("the export is written");
}

fn read(dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    read_records(dir, Format::GraphMl, &ReadOptions::default())
}

/// Items of string arrays are JSON in the text, which escapes C0 controls itself: only U+FFFE
/// and U+FFFF, which JSON leaves alone, are replaced there.
fn json_item(s: &str) -> Cow<'_, str> {
    if s.contains(['\u{FFFE}', '\u{FFFF}']) {
        s.replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}").into()
    } else {
        s.into()
    }
}

/// A record as GraphML holds it (see the reader's module docs).
fn as_graphml(r: Record) -> Record {
    let own = |s: &str| sanitized(s).into_owned();
    Record {
        kind: match &r.kind {
            RecordKind::Entity => RecordKind::Entity,
            RecordKind::Relationship { from, to } => RecordKind::Relationship {
                from: own(from),
                to: own(to),
            },
        },
        key: own(&r.key),
        type_name: r.type_name,
        properties: r
            .properties
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::String(s) => Value::String(own(&s)),
                    Value::StringArray(list) => {
                        Value::StringArray(list.iter().map(|s| json_item(s).into_owned()).collect())
                    }
                    other => other,
                };
                (name, value)
            })
            .collect(),
    }
}

/// Compares record by record, naming the first difference.
fn assert_same(mut read: Vec<Record>, mut expected: Vec<Record>) {
    read.sort_by(Record::canonical_cmp);
    expected.sort_by(Record::canonical_cmp);
    for (i, (r, e)) in read.iter().zip(&expected).enumerate() {
        assert_eq!(
            r.canonical_json(),
            e.canonical_json(),
            "record {i} differs (read, then expected)"
        );
        assert_eq!(r, e, "record {i} differs in a value's type");
    }
    assert_eq!(
        read.len(),
        expected.len(),
        "{} records read, {} expected; the first extra: {:?}",
        read.len(),
        expected.len(),
        read.get(expected.len()).or(expected.get(read.len()))
    );
}

fn expected_records(graph: &Graph) -> Vec<Record> {
    canonical::records(graph).map(as_graphml).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_small_account_reads_back_exactly() {
    let server = common::start(common::small(11)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    server.shutdown().await;
    let snapshot = Snapshot::open(&out).unwrap();
    let (graph, _) = normalize(&snapshot);
    assert!(graph.relationship_count() > 100, "{graph:?}");
    let export_dir = dir.path().join("export");
    export_graphml(&graph, &SnapshotInfo::of(&snapshot).unwrap(), &export_dir);

    let read = read(&export_dir).expect("the export reads back");
    let digest = digest_records(read.clone()).unwrap();
    assert_same(read, expected_records(&graph));
    // The simulated account has names with control characters, which GraphML replaces: the
    // manifest records the digest of what the file holds beside the graph's own.
    let manifest = common::manifest(&export_dir);
    assert_eq!(
        manifest["format_digests"]["graphml"],
        digest.sha256.as_str()
    );
}

/// A graph with hostile strings everywhere a string can go: keys (account and module names),
/// names, free text, arrays, extra properties; and extreme numbers.
fn hostile_graph(names: &[String], big: i64, score: f64) -> Graph {
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({"name": names[0], "type": "paid", "domains": names, "number_of_seats": big,
                "current_risk_score": score, "subscription_end_date": "2031-02-28",
                "admins": [{"id": big, "first_name": names[0], "last_name": "x", "email": "a@b"}],
                "new_account_field": names[names.len() - 1]}),
    );
    let users: Vec<Json> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": i as i64 + 1,
                "first_name": n,
                "last_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "aliases": [n, "plain", n],
                "employee_number": big.to_string(),
                "current_risk_score": score,
                "joined_on": "2024-02-29T23:59:59.999Z",
                "groups": [7, big],
                "status": "active",
                "mfa_enrolled": n,
                // An extra property named like APOC's `labels` key.
                "labels": n,
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
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn hostile_strings_and_numbers_read_back(
        names in proptest::collection::vec(common::hostile_string(), 1..5),
        big in any::<i64>(),
        score in prop_oneof![any::<f64>().prop_filter("finite", |x| x.is_finite()), Just(0.1), Just(-0.0), Just(1e300)],
    ) {
        let graph = hostile_graph(&names, big, score);
        let dir = tempfile::tempdir().unwrap();
        export_graphml(&graph, &common::snapshot_info(), dir.path());
        let read = read(dir.path()).expect("the export reads back");
        let expected = expected_records(&graph);
        prop_assert_eq!(
            digest_records(read.clone()).unwrap(),
            digest_records(expected.clone()).unwrap()
        );
        assert_same(read, expected);
        // Where nothing needed replacing, the digest is the graph's own.
        let forbidden = |s: &String| s.chars().any(|c| !kb4graph::export::graphml::text::is_xml_char(c));
        if !names.iter().any(forbidden) {
            let read = read_records(dir.path(), Format::GraphMl, &ReadOptions::default()).unwrap();
            prop_assert_eq!(digest_records(read).unwrap(), canonical::digest(&graph));
        }
    }
}

#[test]
fn forbidden_characters_come_back_as_documented() {
    let name = "bell\u{7} esc\u{1b} nul\u{0} nonchar\u{FFFF}\u{FFFE} cr\r tab\t ok".to_owned();
    let graph = hostile_graph(std::slice::from_ref(&name), 5, 1.5);
    let dir = tempfile::tempdir().unwrap();
    export_graphml(&graph, &common::snapshot_info(), dir.path());
    let read = read(dir.path()).unwrap();
    let user = read
        .iter()
        .find(|r| r.key == "knowbe4:user:1")
        .expect("the user");
    let replaced = "bell\u{FFFD} esc\u{FFFD} nul\u{FFFD} nonchar\u{FFFD}\u{FFFD} cr\r tab\t ok";
    assert!(
        matches!(&user.properties["firstName"], Value::String(s) if s == replaced),
        "{:?}",
        user.properties["firstName"]
    );
    // In arrays (JSON text) the controls survive; U+FFFE and U+FFFF do not.
    let in_array = "bell\u{7} esc\u{1b} nul\u{0} nonchar\u{FFFD}\u{FFFD} cr\r tab\t ok";
    assert!(
        matches!(&user.properties["aliases"], Value::StringArray(l) if l[0] == in_array),
        "{:?}",
        user.properties["aliases"]
    );
    // An extra property (an API field this version does not know) comes back as a string.
    assert!(matches!(&user.properties["mfaEnrolled"], Value::String(s) if s == replaced));
    // The module's key holds the name: replaced in `_key`, and in the relationships' keys.
    assert!(
        read.iter().any(
            |r| r.key == format!("knowbe4:training:name:{}", replaced.to_lowercase())
                || r.key == format!("knowbe4:training:name:{replaced}")
        ),
        "{:?}",
        read.iter().map(|r| &r.key).collect::<Vec<_>>()
    );
    assert_same(read, expected_records(&graph));
}

fn small_export() -> (tempfile::TempDir, Graph) {
    let graph = hostile_graph(&["Ann".to_owned(), "Bob".to_owned()], 42, 2.5);
    let dir = tempfile::tempdir().unwrap();
    export_graphml(&graph, &common::snapshot_info(), dir.path());
    (dir, graph)
}

fn rewrite(dir: &Path, f: impl FnOnce(String) -> String) {
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = f(text.clone());
    assert_ne!(changed, text, "the test changes the file");
    std::fs::write(&path, changed).unwrap();
}

fn invalid(dir: &Path) -> (String, String, String) {
    match read(dir) {
        Err(ReadbackError::Invalid {
            file,
            location,
            message,
        }) => (file, location, message),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(dir: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_changed_value_gives_different_records() {
    let (dir, graph) = small_export();
    let before = digest_records(read(dir.path()).unwrap()).unwrap();
    assert_eq!(before, canonical::digest(&graph));
    rewrite(dir.path(), |t| {
        t.replacen(
            "<data key=\"n.firstName\">Bob<",
            "<data key=\"n.firstName\">Rob<",
            1,
        )
    });
    let after = read(dir.path()).expect("a changed value is still a valid file");
    assert_ne!(digest_records(after.clone()).unwrap().sha256, before.sha256);
    let user = after.iter().find(|r| r.key == "knowbe4:user:2").unwrap();
    assert!(matches!(&user.properties["firstName"], Value::String(s) if s == "Rob"));
    // One byte more in a number changes the records too.
    rewrite(dir.path(), |t| {
        t.replacen(
            "<data key=\"n.numberOfSeats\">42<",
            "<data key=\"n.numberOfSeats\">421<",
            1,
        )
    });
    let account = read(dir.path())
        .unwrap()
        .into_iter()
        .find(|r| r.type_name == "knowbe4_account")
        .unwrap();
    assert!(matches!(
        account.properties["numberOfSeats"],
        Value::Integer(421)
    ));
}

#[test]
fn broken_files_give_invalid_errors_naming_file_and_line() {
    // Not well-formed: an element left open.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| t.replacen("</node>", "", 1));
    let (file, location, message) = invalid(dir.path());
    assert_eq!(file, FILE);
    assert!(location.starts_with("line "), "{location}");
    assert!(message.contains("<node>"), "{message}");

    // A value that is not of its type, on a known line.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| {
        t.replacen("<data key=\"n.id\">1<", "<data key=\"n.id\">one<", 1)
    });
    let line = line_of(dir.path(), "<data key=\"n.id\">one<");
    let (file, location, message) = invalid(dir.path());
    assert_eq!(file, FILE);
    assert!(
        location.starts_with(&format!("line {line}, column ")),
        "{location}"
    );
    assert!(
        message.contains("\"one\"") && message.contains("id"),
        "{message}"
    );

    // An id that is not its `_key`.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| {
        t.replacen(
            "<node id=\"knowbe4:user:2\">",
            "<node id=\"knowbe4:user:3\">",
            1,
        )
    });
    let (_, location, message) = invalid(dir.path());
    assert_eq!(
        location,
        format!(
            "line {}, column 1",
            line_of(dir.path(), "<node id=\"knowbe4:user:3\">")
        )
    );
    assert!(message.contains("escaped _key"), "{message}");

    // An edge whose `_key` does not follow from its ends.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| {
        t.replacen(
            "<data key=\"e._key\">knowbe4:group:7|has|knowbe4:user:2<",
            "<data key=\"e._key\">knowbe4:group:7|has|knowbe4:user:1<",
            1,
        )
    });
    let (_, _, message) = invalid(dir.path());
    assert!(message.contains("_key"), "{message}");

    // A data element naming no declared key.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| {
        t.replacen("key=\"n.email\"", "key=\"n.nothing\"", 1)
    });
    let (_, _, message) = invalid(dir.path());
    assert!(message.contains("n.nothing"), "{message}");

    // An edge to a node that is not there.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| {
        let start = t.find("<node id=\"knowbe4:user:2\">").unwrap();
        let end = start + t[start..].find("</node>\n").unwrap() + "</node>\n".len();
        format!("{}{}", &t[..start], &t[end..])
    });
    let (_, _, message) = invalid(dir.path());
    assert!(message.contains("no node of the graph"), "{message}");

    // Cut short.
    let (dir, _) = small_export();
    rewrite(dir.path(), |t| t[..t.len() / 2].to_owned());
    let (file, location, _) = invalid(dir.path());
    assert_eq!(file, FILE);
    assert!(location.starts_with("line "), "{location}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    match read(dir.path()) {
        Err(ReadbackError::Io { path, .. }) => assert!(path.ends_with(FILE)),
        other => panic!("{other:?}"),
    }
}
