//! Reading the `neo4j/` CSV files back: every record of the graph comes back exactly, in every
//! dialect the exporter chooses (array delimiters, backslash quoting, multi-line fields), for
//! the simulated API's account and for hostile strings. The one thing the format cannot carry,
//! a string array holding a single empty string, comes back as the empty array Neo4j reads.
//! A changed value gives different records; a broken file gives an error naming file and line.

mod common;

use std::path::Path;

use kb4graph::export::neo4j::FormatInfo;
use kb4graph::export::{ExportOptions, Format, export};
use kb4graph::model::canonical::{self, digest_records};
use kb4graph::model::{Graph, MemorySource, Record, RecordKind, Value, normalize};
use kb4graph::readback::{ReadOptions, ReadbackError, read_records};
use kb4graph::snapshot::Snapshot;
use kb4graph::timefmt::format_datetime_millis;
use proptest::prelude::*;
use serde_json::{Value as J, json};

const USERS: &str = "neo4j/nodes/knowbe4_user.csv";

fn export_neo4j(graph: &Graph, out: &Path) {
    export(
        graph,
        &common::snapshot_info(),
        &[Format::Neo4j],
        &ExportOptions::default(),
        out,
    )
    .expect("the export is written");
}

fn read_back(dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    read_records(dir, Format::Neo4j, &ReadOptions::default())
}

fn format_info(dir: &Path) -> FormatInfo {
    let text = std::fs::read(dir.join("neo4j/format.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

/// A value for a message: cut if long.
fn short(v: &impl std::fmt::Debug) -> String {
    let text = format!("{v:?}");
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The first difference between `read` and the records of `graph`, if any, described by key
/// and field; also checks the digest.
fn difference(mut read: Vec<Record>, graph: &Graph) -> Option<String> {
    let mut want: Vec<Record> = canonical::records(graph).collect();
    read.sort_by(Record::canonical_cmp);
    want.sort_by(Record::canonical_cmp);
    for (i, (got, want)) in read.iter().zip(&want).enumerate() {
        if got == want {
            continue;
        }
        let mut what = Vec::new();
        if got.key != want.key {
            what.push(format!(
                "_key {:?} instead of {:?}",
                short(&got.key),
                short(&want.key)
            ));
        }
        if got.type_name != want.type_name || got.kind != want.kind {
            what.push(format!(
                "{} {:?} instead of {} {:?}",
                got.type_name, got.kind, want.type_name, want.kind
            ));
        }
        let names: std::collections::BTreeSet<&String> = got
            .properties
            .keys()
            .chain(want.properties.keys())
            .collect();
        for name in names {
            let (g, w) = (got.properties.get(name), want.properties.get(name));
            if g != w {
                what.push(format!(
                    "{name}: read {} but the graph has {}",
                    short(&g),
                    short(&w)
                ));
            }
        }
        return Some(format!(
            "record {i} ({}): {}",
            short(&want.key),
            what.join("; ")
        ));
    }
    if read.len() != want.len() {
        return Some(format!(
            "{} records read, the graph has {}",
            read.len(),
            want.len()
        ));
    }
    let digest = digest_records(read).expect("keys are unique");
    (digest != canonical::digest(graph)).then(|| "the digests differ".to_owned())
}

/// An account whose strings are all `names` (in keys, declared and extra properties, arrays),
/// with `number` as a float and `millis` as datetimes. No string array is a lone empty string.
fn hostile_graph(names: &[String], big: i64, number: f64, millis: i64) -> Graph {
    let when = format_datetime_millis(millis);
    let mut admins: Vec<J> = names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": big.wrapping_sub(i as i64), "first_name": n, "email": n}))
        .collect();
    admins.push(
        json!({"id": 1, "first_name": "Root", "last_name": "Admin", "email": "root@example.com"}),
    );
    let mut domains = names.to_vec();
    domains.push("example.com".into());
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({
            "name": names[0], "type": names[names.len() - 1], "domains": domains,
            "admins": admins, "current_risk_score": number,
            "subscription_end_date": "2024-02-29",
        }),
    );
    let users: Vec<J> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": big.wrapping_add(i as i64),
                "first_name": n,
                "last_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "aliases": [n, format!("{n}{n}"), ""],
                "employee_number": big.to_string(),
                "groups": [7, big],
                "phish_prone_percentage": number / (i as f64 + 1.0),
                "provisioning_managed": i % 2 == 0,
                "joined_on": when,
                "last_sign_in": "9999-12-31T23:30:00.5-01:00",
                "custom_date_1": "2021-03-06",
                "mfa_enrolled": n,
                "new_settings": {"nested": n, "n": big},
                "status": "active",
            })
        })
        .collect();
    source.add_page("users/active", &J::Array(users));
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": names[names.len() - 1], "group_type": "console_group"}]),
    );
    source.add_page(
        "training/enrollments",
        &json!([{
            "enrollment_id": big, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": big}, "status": "Passed", "campaign_name": names[0],
            "completion_date": "2024-02-29T23:59:59.999Z", "time_spent": big,
            "enrollment_note": names[names.len() - 1],
        }]),
    );
    normalize(&source).0
}

fn small_graph() -> Graph {
    let mut source = MemorySource::new();
    source.add_page("account", &json!({"name": "Acme", "type": "paid"}));
    source.add_page(
        "users/active",
        &json!([
            {"id": 2, "first_name": "Annabel", "last_name": "Zed", "status": "active",
             "groups": [7], "joined_on": "2024-01-02T03:04:05.000Z",
             "phish_prone_percentage": 4.5},
            {"id": 3, "first_name": "Bob", "status": "active", "groups": [7]},
        ]),
    );
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": "Ops", "group_type": "console_group"}]),
    );
    normalize(&source).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_accounts_export_reads_back_to_its_graph() {
    let server = common::start(common::small(11)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("snapshot");
    common::fetch(common::options(&server, &snapshot)).await;
    server.shutdown().await;
    let (graph, _) = normalize(&Snapshot::open(&snapshot).expect("snapshot"));
    assert!(graph.relationship_count() > 100, "a real account");

    let out = dir.path().join("export");
    export_neo4j(&graph, &out);
    let read = read_back(&out).expect("the export reads back");
    assert_eq!(difference(read, &graph), None);
    // Same records as the JSON export of the same graph.
    export(
        &graph,
        &common::snapshot_info(),
        &[Format::Json],
        &ExportOptions::default(),
        &dir.path().join("json-export"),
    )
    .unwrap();
    let json = read_records(
        &dir.path().join("json-export"),
        Format::Json,
        &ReadOptions::default(),
    )
    .unwrap();
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
    let mut read = read_back(dir.path()).unwrap();
    read.sort_by(Record::canonical_cmp);
    let want: Vec<Record> = canonical::records(&graph).collect();
    assert_eq!(read.len(), want.len());
    let lone = Value::StringArray(vec![String::new()]);
    let empty = Value::StringArray(Vec::new());
    let mut replaced = Vec::new();
    for (got, want) in read.iter().zip(&want) {
        assert_eq!((&got.key, &got.kind), (&want.key, &want.kind));
        for (name, value) in &want.properties {
            let back = got.properties.get(name);
            if *value == lone {
                assert_eq!(back, Some(&empty), "{} {name}", want.key);
                replaced.push(format!("{} {name}", want.key));
            } else {
                assert_eq!(back, Some(value), "{} {name}", want.key);
            }
        }
        assert_eq!(got.properties.len(), want.properties.len());
    }
    assert_eq!(
        replaced,
        [
            // A lone admin without e-mail or last name gives [""] for those too.
            "knowbe4:account:acme adminEmails",
            "knowbe4:account:acme adminFirstNames",
            "knowbe4:account:acme adminLastNames",
            "knowbe4:user:3 aliases"
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn hostile_strings_and_extreme_values_read_back_exactly(
        names in proptest::collection::vec(common::hostile_string(), 1..5),
        big in any::<i64>(),
        number in any::<f64>().prop_filter("finite", |x| x.is_finite()),
        millis in -62_167_219_200_000i64..253_402_300_800_000,
    ) {
        let graph = hostile_graph(&names, big, number, millis);
        let dir = tempfile::tempdir().unwrap();
        export_neo4j(&graph, dir.path());
        let read = read_back(dir.path()).expect("the export reads back");
        let diff = difference(read, &graph);
        prop_assert!(diff.is_none(), "{}", diff.unwrap_or_default());
    }
}

/// Replaces the one occurrence of `from` in `file` of the export.
fn tamper(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} once in {text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
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
        let want: Vec<Record> = canonical::records(&graph).collect();
        let changed: Vec<(&Record, &Record)> =
            read.iter().zip(&want).filter(|(r, w)| r != w).collect();
        assert_eq!(changed.len(), 1, "{from}");
        let (got, was) = changed[0];
        assert_eq!(got.key, "knowbe4:user:2");
        assert_eq!(got.properties.get(name), Some(&value));
        assert_ne!(was.properties.get(name), Some(&value));
        assert_ne!(
            digest_records(read).unwrap().sha256,
            canonical::digest(&graph).sha256
        );
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
    let read = read_back(dir.path()).unwrap();
    assert!(read.iter().any(|r| matches!(&r.kind,
        RecordKind::Relationship { to, .. } if to == "knowbe4:user:2" && r.key.ends_with("user:3"))));
    assert!(difference(read, &graph).is_some());
}

/// The `Invalid` error of reading the export after replacing `from` with `to` in `file`.
fn broken(file: &str, from: &str, to: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    export_neo4j(&small_graph(), dir.path());
    tamper(dir.path(), file, from, to);
    match read_back(dir.path()) {
        Err(ReadbackError::Invalid {
            file,
            location,
            message,
        }) => (file, location, message),
        other => panic!("{from} -> {to}: {other:?}"),
    }
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
    assert!(location.starts_with("line "), "{location}");
    assert!(message.contains("quoting"), "{message}");

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
    // Cut inside the header or inside a row: never a panic, always the file and a line.
    for cut in [0, 1, 10, text.len() / 2, text.len() - 3] {
        std::fs::write(&path, &text[..cut]).unwrap();
        match read_back(dir.path()) {
            Err(ReadbackError::Invalid { file, location, .. }) => {
                assert_eq!(file, USERS);
                assert!(location.starts_with("line "), "{cut}: {location}");
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
        Err(ReadbackError::Invalid { message, .. }) => assert!(message.contains("UTF-8")),
        other => panic!("{other:?}"),
    }

    std::fs::remove_file(&path).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Io { path: p, .. }) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(dir.path().join("neo4j/format.json")).unwrap();
    assert!(matches!(
        read_back(dir.path()),
        Err(ReadbackError::Io { .. })
    ));
}
