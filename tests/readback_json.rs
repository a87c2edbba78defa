//! Reading `json/graph.json` back: every record of the graph comes back exactly (keys, types,
//! typed values), for the simulated API's account and for hostile strings and extreme values;
//! a changed value gives different records; a broken file gives an error naming the file and
//! where in it.

use crate::readback_support;

use std::path::Path;

use crate::readback_support::{
    assert_membership_moved_to_user_2, difference, export_as, hostile_graph, invalid,
    the_changed_record,
};
use kb4graph::export::Format;
use kb4graph::model::{Graph, MemorySource, Record, Value, normalize};
use kb4graph::readback::ReadbackError;
use proptest::prelude::*;
use serde_json::json;

const FILE: &str = "json/graph.json";

fn export_json(graph: &Graph, out: &Path) {
    export_as(graph, Format::Json, out);
}

fn read_back(dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    readback_support::read_back(dir, Format::Json)
}

fn small_graph() -> Graph {
    readback_support::small_graph("Ann", None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_accounts_export_reads_back_to_its_graph() {
    readback_support::simulated_account_reads_back(Format::Json).await;
}

#[test]
fn datetimes_outside_four_digit_years_read_back() {
    // API offsets can move a datetime into year 10000 or year -1, which the exporter then
    // writes with five digits or a sign.
    let mut source = MemorySource::new();
    source.add_page("account", &json!({"name": "Acme"}));
    source.add_page(
        "users/active",
        &json!([
            {"id": 1, "joined_on": "9999-12-31T23:30:00.000-01:00"},
            {"id": 2, "joined_on": "0000-01-01T00:30:00.000+01:00"},
        ]),
    );
    let (graph, _) = normalize(&source);
    let dir = tempfile::tempdir().unwrap();
    export_json(&graph, dir.path());
    let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
    assert!(text.contains("\"10000-01-01T00:30:00.000Z\""), "{text}");
    assert!(text.contains("\"-001-12-31T23:30:00.000Z\""), "{text}");
    assert_eq!(difference(read_back(dir.path()).unwrap(), &graph), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn hostile_strings_and_extreme_values_read_back_exactly(
        names in readback_support::hostile_names(4),
        big in any::<i64>(),
        number in readback_support::finite(),
        millis in readback_support::four_digit_year_millis(),
    ) {
        let graph = hostile_graph(&names, big, number, millis);
        let dir = tempfile::tempdir().unwrap();
        export_json(&graph, dir.path());
        let read = read_back(dir.path()).expect("the export reads back");
        let diff = difference(read, &graph);
        prop_assert!(diff.is_none(), "{}", diff.unwrap_or_default());
    }
}

/// Replaces the one occurrence of `from` in the export's graph.json.
fn tamper(dir: &Path, from: &str, to: &str) {
    readback_support::tamper(dir, FILE, from, to);
}

#[test]
fn a_changed_value_reads_back_as_a_different_record() {
    let graph = small_graph();
    for (from, to, key, name, value) in [
        (
            r#""firstName":"Ann""#,
            r#""firstName":"Anne""#,
            "knowbe4:user:2",
            "firstName",
            Value::String("Anne".into()),
        ),
        (
            r#""joinedOn":"2024-01-02T03:04:05.000Z""#,
            r#""joinedOn":"2024-01-02T03:04:05.001Z""#,
            "knowbe4:user:2",
            "joinedOn",
            Value::DateTime(1_704_164_645_001),
        ),
        (
            r#""phishPronePercentage":4.5"#,
            r#""phishPronePercentage":4.25"#,
            "knowbe4:user:2",
            "phishPronePercentage",
            Value::Float(4.25),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        export_json(&graph, dir.path());
        tamper(dir.path(), from, to);
        let read = read_back(dir.path()).expect("a changed value still parses");
        let (got, was) = the_changed_record(read, &graph, from);
        assert_eq!(got.key, key);
        assert_eq!(got.properties.get(name), Some(&value));
        assert_ne!(was.properties.get(name), Some(&value));
    }
    // A relationship that now leads elsewhere.
    let dir = tempfile::tempdir().unwrap();
    export_json(&graph, dir.path());
    tamper(
        dir.path(),
        r#""_fromEntityKey":"knowbe4:group:7","_toEntityKey":"knowbe4:user:3""#,
        r#""_fromEntityKey":"knowbe4:group:7","_toEntityKey":"knowbe4:user:2""#,
    );
    assert_membership_moved_to_user_2(read_back(dir.path()).unwrap(), &graph);
}

/// The `Invalid` error of reading the export after replacing `from` with `to`.
fn broken(from: &str, to: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    export_json(&small_graph(), dir.path());
    tamper(dir.path(), from, to);
    let (file, location, message) = invalid(dir.path(), Format::Json, &format!("{from} -> {to}"));
    assert_eq!(file, FILE);
    (location, message)
}

#[test]
fn broken_files_give_an_error_naming_file_and_place() {
    // The user with id 2 is the fourth entity (account, two groups before it), on line 6.
    let (location, message) = broken(r#""id":2,"#, r#""id":"2","#);
    assert!(location == "/entities/3/id (line 6)", "{location}");
    assert!(
        message.contains("must be of type integer, found a string"),
        "{message}"
    );

    let (location, message) = broken(r#""firstName":"Ann""#, r#""firstName":null"#);
    assert!(
        location.starts_with("/entities/3/firstName (line 6"),
        "{location}"
    );
    assert!(message.contains("found null"), "{message}");

    let (location, message) = broken(r#""firstName":"Ann""#, r#""firstName":"Ann","id":9"#);
    assert!(location.starts_with("/entities/3/id (line 6"), "{location}");
    assert!(message.contains("twice"), "{message}");

    let (location, message) = broken(
        r#""_key":"knowbe4:user:3","_type":"knowbe4_user""#,
        r#""_key":"knowbe4:user:3","_type":"knowbe4_robot""#,
    );
    assert!(
        location.starts_with("/entities/4/_type (line 7"),
        "{location}"
    );
    assert!(
        message.contains("\"knowbe4_robot\" is not an entity type"),
        "{message}"
    );

    let (location, message) = broken(
        r#""joinedOn":"2024-01-02T03:04:05.000Z""#,
        r#""joinedOn":"2024-01-02T03:04:05Z""#,
    );
    assert!(location.starts_with("/entities/3/joinedOn"), "{location}");
    assert!(message.contains("not a datetime"), "{message}");

    let (location, message) = broken(
        r#""_fromEntityKey":"knowbe4:group:7","_toEntityKey":"knowbe4:user:3""#,
        r#""_toEntityKey":"knowbe4:user:3""#,
    );
    assert!(location.starts_with("/relationships/"), "{location}");
    assert!(message.contains("_fromEntityKey"), "{message}");

    let (location, message) = broken("\"kb4graph-graph\"", "\"other-graph\"");
    assert!(
        location.starts_with("/metadata/format (line 1"),
        "{location}"
    );
    assert!(message.contains("other-graph"), "{message}");

    let (location, message) = broken(
        "\n\"relationships\":[",
        "\n\"extras\":[],\"relationships\":[",
    );
    assert!(location.starts_with("/extras ("), "{location}");
    assert!(message.contains("unknown"), "{message}");

    // Not JSON any more: an unclosed string.
    let (location, message) = broken(r#""firstName":"Ann""#, r#""firstName":"Ann"#);
    assert!(location.starts_with("line 6, column "), "{location}");
    assert!(
        message.starts_with("not a valid JSON document"),
        "{message}"
    );
}

#[test]
fn truncated_empty_and_missing_files_are_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    export_json(&small_graph(), dir.path());
    let path = dir.path().join(FILE);
    let text = std::fs::read(&path).unwrap();
    for cut in [0, 1, text.len() / 3, text.len() / 2, text.len() - 3] {
        std::fs::write(&path, &text[..cut]).unwrap();
        match read_back(dir.path()) {
            Err(ReadbackError::Invalid(p)) => {
                assert_eq!(p.file, FILE);
                let location = p.location.to_string();
                assert!(location.contains("line "), "{cut}: {location}");
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // A document without relationships.
    let whole = String::from_utf8(text.clone()).unwrap();
    let (head, _) = whole.split_once(",\n\"relationships\"").unwrap();
    std::fs::write(&path, format!("{head}}}")).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Invalid(p)) => {
            assert!(p.message.contains("\"relationships\""), "{}", p.message)
        }
        other => panic!("{other:?}"),
    }
    // Not UTF-8 inside a string.
    let mut bad = text.clone();
    let at = whole.find("Ann").unwrap();
    bad[at] = 0xff;
    std::fs::write(&path, &bad).unwrap();
    assert!(matches!(
        read_back(dir.path()),
        Err(ReadbackError::Invalid(_))
    ));

    std::fs::remove_file(&path).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Io { path: p, .. }) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
}
