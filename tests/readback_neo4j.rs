//! Reading the `neo4j/` CSV files back: every record of the graph comes back exactly, in every
//! dialect the exporter chooses (array delimiters, backslash quoting, multi-line fields), for
//! the simulated API's account and for hostile strings. The one thing the format cannot carry,
//! a string array holding a single empty string, comes back as the empty array Neo4j reads.
//! A changed value gives different records; a broken file gives an error naming file and line.

use crate::readback_support;

use std::path::Path;

use crate::readback_support::{
    assert_membership_moved_to_user_2, assert_same, difference, export_as, invalid, tamper,
    the_changed_record,
};
use kb4graph::export::Format;
use kb4graph::formats::neo4j::{FormatInfo, as_read_back};
use kb4graph::model::canonical;
use kb4graph::model::{Graph, MemorySource, Record, Value, normalize};
use kb4graph::readback::ReadbackError;
use proptest::prelude::*;
use serde_json::json;

// Hostile strings, but no string array that is a lone empty string (see
// `a_lone_empty_string_in_an_array_reads_back_as_the_empty_array`).
use crate::readback_support::hostile_graph_without_lone_empty_strings as hostile_graph;

const USERS: &str = "neo4j/nodes/knowbe4_user.csv";

fn export_neo4j(graph: &Graph, out: &Path) {
    export_as(graph, Format::Neo4j, out);
}

fn read_back(dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    readback_support::read_back(dir, Format::Neo4j)
}

fn format_info(dir: &Path) -> FormatInfo {
    let text = std::fs::read(dir.join("neo4j/format.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

fn small_graph() -> Graph {
    readback_support::small_graph("Annabel", Some("Zed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_accounts_export_reads_back_to_its_graph() {
    let (dir, graph) = readback_support::simulated_account_reads_back(Format::Neo4j).await;
    // Same records as the JSON export of the same graph.
    export_as(&graph, Format::Json, &dir.path().join("json-export"));
    let json = readback_support::read_back(&dir.path().join("json-export"), Format::Json).unwrap();
    assert_eq!(difference(json, &graph), None);
}

#[test]
fn every_dialect_reads_back() {
    let cases: [(&[&str], char, &str, bool); 4] = [
        // Extra properties hold JSON text, so a quote there is `\"`: keep quotes out.
        (&["plain", "comma, 'quoted'"], ';', "rfc4180", false),
        // `|` is in every relationship key, so the next free delimiter is U+001F.
        (
            &["semi;colon", "a\\\"b, and c:\\dir\\, x"],
            '\u{1f}',
            "backslash",
            false,
        ),
        (
            &["semi;colon|pipe\u{1f}unit", "line one\nline two"],
            '\u{1e}',
            "rfc4180",
            true,
        ),
        (
            &["ends in a backslash, \\", "lone\rCR", ""],
            ';',
            "backslash",
            true,
        ),
    ];
    for (names, delimiter, quoting, multiline) in cases {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let graph = hostile_graph(&names, 42, 0.1, 0);
        let dir = tempfile::tempdir().unwrap();
        export_neo4j(&graph, dir.path());
        let info = format_info(dir.path());
        assert_eq!(
            (
                info.array_delimiter.as_str(),
                info.quoting.as_str(),
                info.multiline_fields
            ),
            (delimiter.to_string().as_str(), quoting, multiline),
            "{names:?}"
        );
        let read = read_back(dir.path()).expect("the export reads back");
        assert_eq!(difference(read, &graph), None, "{names:?}");
    }
}

#[test]
fn a_lone_empty_string_in_an_array_reads_back_as_the_empty_array() {
    // neo4j-admin spells [""] and [] alike (`""`) and reads both as the empty array.
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({"name": "Acme", "admins": [{"id": 1, "first_name": ""}]}),
    );
    source.add_page(
        "users/active",
        &json!([{"id": 2, "aliases": []}, {"id": 3, "aliases": [""]}, {"id": 4, "aliases": ["", ""]}]),
    );
    let (graph, _) = normalize(&source);
    let dir = tempfile::tempdir().unwrap();
    export_neo4j(&graph, dir.path());
    let read = read_back(dir.path()).unwrap();
    let want: Vec<Record> = canonical::records(&graph).collect();
    let lone = Value::StringArray(vec![String::new()]);
    let replaced: Vec<String> = want
        .iter()
        .flat_map(|r| {
            r.properties
                .iter()
                .filter(|(_, value)| **value == lone)
                .map(|(name, _)| format!("{} {name}", r.key))
        })
        .collect();
    // Each of those reads back as the empty array; everything else as it was.
    assert_same("neo4j", read, want.into_iter().map(as_read_back).collect());
    assert_eq!(
        replaced,
        // An admin's empty first name is a string on its MANAGES relationship, not an array.
        ["knowbe4:user:3 aliases"]
    );
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
        export_neo4j(&graph, dir.path());
        let read = read_back(dir.path()).expect("the export reads back");
        let diff = difference(read, &graph);
        prop_assert!(diff.is_none(), "{}", diff.unwrap_or_default());
    }
}

#[test]
fn a_changed_value_reads_back_as_a_different_record() {
    let graph = small_graph();
    for (from, to, name, value) in [
        (
            ",Annabel,",
            ",Annie,",
            "firstName",
            Value::String("Annie".into()),
        ),
        (
            ",4.5,",
            ",4.25,",
            "phishPronePercentage",
            Value::Float(4.25),
        ),
        (
            ",2024-01-02T03:04:05.000Z,",
            ",2024-01-02T03:04:05.001Z,",
            "joinedOn",
            Value::DateTime(1_704_164_645_001),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        export_neo4j(&graph, dir.path());
        tamper(dir.path(), USERS, from, to);
        let mut read = read_back(dir.path()).expect("a changed value still parses");
        read.sort_by(Record::canonical_cmp);
        let (got, was) = the_changed_record(read, &graph, from);
        assert_eq!(got.key, "knowbe4:user:2");
        assert_eq!(got.properties.get(name), Some(&value));
        assert_ne!(was.properties.get(name), Some(&value));
    }
    // A relationship that now leads elsewhere.
    let dir = tempfile::tempdir().unwrap();
    export_neo4j(&graph, dir.path());
    tamper(
        dir.path(),
        "neo4j/relationships/knowbe4_user_group_has_user.csv",
        "knowbe4:group:7,knowbe4:user:3,",
        "knowbe4:group:7,knowbe4:user:2,",
    );
    assert_membership_moved_to_user_2(read_back(dir.path()).unwrap(), &graph);
}

/// The `Invalid` error of reading the export after replacing `from` with `to` in `file`.
fn broken(file: &str, from: &str, to: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    export_neo4j(&small_graph(), dir.path());
    tamper(dir.path(), file, from, to);
    invalid(dir.path(), Format::Neo4j, &format!("{from} -> {to}"))
}

#[test]
fn broken_files_give_an_error_naming_file_and_place() {
    // Rows: header, user 2, user 3; columns: _key, :LABEL, _type, name, displayName, id, ...
    let (file, location, message) = broken(USERS, ",Annabel Zed,2,", ",Annabel Zed,two,");
    assert_eq!(
        (file.as_str(), location.as_str()),
        (USERS, "line 2, column 6")
    );
    assert_eq!(message, "id:long: \"two\" is not a long");

    let (file, location, message) = broken(USERS, ",Annabel,", ",\"Annabel,");
    assert_eq!(
        (file.as_str(), location.as_str()),
        (USERS, "line 2, column 8")
    );
    assert!(message.contains("spans lines"), "{message}");

    let (file, location, message) = broken(USERS, ",Annabel,", ",\"Annabel\"x,");
    assert_eq!(
        (file.as_str(), location.as_str()),
        (USERS, "line 2, column 8")
    );
    assert!(message.contains("after the closing quote"), "{message}");

    let (_, location, message) = broken(USERS, ",knowbe4_user,Bob,", ",knowbe4_user,Bob,x,");
    assert_eq!(location, "line 3, column 1");
    assert!(message.contains("fields, but the header has"), "{message}");

    let (_, location, message) = broken(USERS, ",id:long,", ",id:string,");
    assert_eq!(location, "line 1, column 6");
    assert!(message.contains("\"id:long\""), "{message}");

    let (_, location, message) = broken(USERS, ",knowbe4_user,Bob,", ",knowbe4_user_group,Bob,");
    assert_eq!(location, "line 3, column 3");
    assert!(message.contains("knowbe4_user_group"), "{message}");

    let (_, location, message) =
        broken(USERS, ",2024-01-02T03:04:05.000Z,", ",2024-01-02 03:04:05,");
    assert!(location.starts_with("line 2, column "), "{location}");
    assert!(message.starts_with("joinedOn:datetime: "), "{message}");

    let (file, location, message) = broken("neo4j/format.json", "\"quoting\"", "\"quotes\"");
    assert_eq!(file, "neo4j/format.json");
    assert_eq!(location, "(document)");
    assert!(message.contains("quoting"), "{message}");
    assert!(message.contains("at line "), "{message}");

    let (file, location, _) = broken("neo4j/format.json", "\"rfc4180\"", "\"excel\"");
    assert_eq!(
        (file.as_str(), location.as_str()),
        ("neo4j/format.json", "/arrayDelimiter")
    );
}

#[test]
fn truncated_empty_and_missing_files_are_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    export_neo4j(&small_graph(), dir.path());
    let path = dir.path().join(USERS);
    let text = std::fs::read(&path).unwrap();
    // Cut inside the header or inside a row: never a panic, always the file and a line (the
    // whole file when nothing is left).
    for cut in [0, 1, 10, text.len() / 2, text.len() - 3] {
        std::fs::write(&path, &text[..cut]).unwrap();
        match read_back(dir.path()) {
            Err(ReadbackError::Invalid(p)) => {
                let (file, location, message) = (p.file, p.location.to_string(), p.message);
                assert_eq!(file, USERS);
                if cut == 0 {
                    assert_eq!(
                        (location.as_str(), message.as_str()),
                        ("(document)", "empty: no header")
                    );
                } else {
                    assert!(location.starts_with("line "), "{cut}: {location}");
                }
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // Not UTF-8 in a value.
    let mut bad = text.clone();
    let at = String::from_utf8_lossy(&text).find("Annabel").unwrap();
    bad[at] = 0xff;
    std::fs::write(&path, &bad).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Invalid(p)) => assert!(p.message.contains("UTF-8")),
        other => panic!("{other:?}"),
    }

    std::fs::remove_file(&path).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Io { path: p, .. }) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(dir.path().join("neo4j/format.json")).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Invalid(p)) => assert_eq!(
            (
                p.file.as_str(),
                p.location.to_string().as_str(),
                p.message.as_str()
            ),
            ("neo4j/format.json", "(document)", "missing")
        ),
        other => panic!("{other:?}"),
    }
}
