//! Reading `json/graph.json` back: every record of the graph comes back exactly (keys, types,
//! typed values), for the simulated API's account and for hostile strings and extreme values;
//! a changed value gives different records; a broken file gives an error naming the file and
//! where in it.

mod common;

use std::path::Path;

use kb4graph::export::{ExportOptions, Format, export};
use kb4graph::model::canonical::{self, digest_records};
use kb4graph::model::{Graph, MemorySource, Record, RecordKind, Value, normalize};
use kb4graph::readback::{ReadOptions, ReadbackError, read_records};
use kb4graph::snapshot::Snapshot;
use kb4graph::timefmt::format_datetime_millis;
use proptest::prelude::*;
use serde_json::{Value as J, json};

const FILE: &str = "json/graph.json";

fn export_json(graph: &Graph, out: &Path) {
    export(
        graph,
        &common::snapshot_info(),
        &[Format::Json],
        &ExportOptions::default(),
        out,
    )
    .expect("the export is written");
}

fn read_back(dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    read_records(dir, Format::Json, &ReadOptions::default())
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
/// with `number` as a float and `millis` as datetimes.
fn hostile_graph(names: &[String], big: i64, number: f64, millis: i64) -> Graph {
    let when = format_datetime_millis(millis);
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({
            "name": names[0], "type": names[names.len() - 1], "domains": names,
            "admins": names.iter().enumerate()
                .map(|(i, n)| json!({"id": big.wrapping_sub(i as i64), "first_name": n, "email": n}))
                .collect::<Vec<_>>(),
            "current_risk_score": number, "subscription_end_date": "2024-02-29",
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
                // Fields the model does not know are kept as strings (JSON text if not one).
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
    // A module known only by its (hostile) name makes keys that hold the string, and
    // per-enrollment relationships carry their typed fields.
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
            {"id": 2, "first_name": "Ann", "status": "active", "groups": [7],
             "joined_on": "2024-01-02T03:04:05.000Z", "phish_prone_percentage": 4.5},
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
    export_json(&graph, &out);
    let read = read_back(&out).expect("the export reads back");
    assert_eq!(difference(read, &graph), None);
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
        names in proptest::collection::vec(common::hostile_string(), 1..5),
        big in any::<i64>(),
        number in any::<f64>().prop_filter("finite", |x| x.is_finite()),
        // Every millisecond of years 0000 to 9999.
        millis in -62_167_219_200_000i64..253_402_300_800_000,
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
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} once in {text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
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
        let want: Vec<Record> = canonical::records(&graph).collect();
        assert_eq!(read.len(), want.len());
        let changed: Vec<(&Record, &Record)> =
            read.iter().zip(&want).filter(|(r, w)| r != w).collect();
        assert_eq!(changed.len(), 1, "{from}");
        let (got, was) = changed[0];
        assert_eq!(got.key, key);
        assert_eq!(got.properties.get(name), Some(&value));
        assert_ne!(was.properties.get(name), Some(&value));
        assert_ne!(
            digest_records(read).unwrap().sha256,
            canonical::digest(&graph).sha256
        );
    }
    // A relationship that now leads elsewhere.
    let dir = tempfile::tempdir().unwrap();
    export_json(&graph, dir.path());
    tamper(
        dir.path(),
        r#""_fromEntityKey":"knowbe4:group:7","_toEntityKey":"knowbe4:user:3""#,
        r#""_fromEntityKey":"knowbe4:group:7","_toEntityKey":"knowbe4:user:2""#,
    );
    let read = read_back(dir.path()).unwrap();
    assert!(read.iter().any(|r| matches!(&r.kind,
        RecordKind::Relationship { to, .. } if to == "knowbe4:user:2" && r.key.ends_with("user:3"))));
    assert!(difference(read, &graph).is_some());
}

/// The `Invalid` error of reading the export after replacing `from` with `to`.
fn broken(from: &str, to: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    export_json(&small_graph(), dir.path());
    tamper(dir.path(), from, to);
    match read_back(dir.path()) {
        Err(ReadbackError::Invalid {
            file,
            location,
            message,
        }) => {
            assert_eq!(file, FILE);
            (location, message)
        }
        other => panic!("{from} -> {to}: {other:?}"),
    }
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
    assert!(message.starts_with("not a graph document"), "{message}");
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
            Err(ReadbackError::Invalid { file, location, .. }) => {
                assert_eq!(file, FILE);
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
        Err(ReadbackError::Invalid { message, .. }) => {
            assert!(message.contains("\"relationships\""), "{message}")
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
        Err(ReadbackError::Invalid { .. })
    ));

    std::fs::remove_file(&path).unwrap();
    match read_back(dir.path()) {
        Err(ReadbackError::Io { path: p, .. }) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
}
