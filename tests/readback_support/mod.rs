//! Shared by the read-back tests: exporting a graph, reading it back, tampering with the files,
//! and comparing what was read with what was exported, naming the first difference. Uses the
//! test crate's `common` module, which every read-back test declares.
#![allow(dead_code)]

use std::path::Path;

use kb4graph::export::{ExportOptions, Format, SnapshotInfo, export};
use kb4graph::model::canonical::{self, digest_records, value_json};
use kb4graph::model::{Graph, MemorySource, Record, RecordKind, Value, normalize};
use kb4graph::readback::{ReadOptions, ReadbackError, read_records};
use kb4graph::snapshot::Snapshot;
use kb4graph::timefmt::format_datetime_millis;
use proptest::prelude::*;
use serde_json::{Value as J, json};

use crate::common;

/// Fetches the simulated API's small account made from `seed` into `dir/snapshot` and
/// normalizes it.
pub async fn simulated_account(seed: u64, dir: &Path) -> (Graph, SnapshotInfo) {
    let server = common::start(common::small(seed)).await;
    let out = dir.join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    server.shutdown().await;
    let snapshot = Snapshot::open(&out).expect("snapshot");
    let (graph, _) = normalize(&snapshot);
    assert!(graph.relationship_count() > 100, "a real account");
    (graph, SnapshotInfo::of(&snapshot))
}

/// Exports the simulated account as `format`, with the facts of an in-memory snapshot, and
/// asserts that it reads back to its graph; gives the directory (export in `export/`) and graph.
pub async fn simulated_account_reads_back(format: Format) -> (tempfile::TempDir, Graph) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (graph, _) = simulated_account(11, dir.path()).await;
    let out = dir.path().join("export");
    export_as(&graph, format, &out);
    let read = read_back(&out, format).expect("the export reads back");
    assert_eq!(difference(read, &graph), None);
    (dir, graph)
}

/// Account, group 7 and users 2 and 3 in it; user 2 is `first_name` (and `last_name`), with a
/// datetime and a float.
pub fn small_graph(first_name: &str, last_name: Option<&str>) -> Graph {
    let mut ann = json!({"id": 2, "first_name": first_name, "status": "active", "groups": [7],
                         "joined_on": "2024-01-02T03:04:05.000Z", "phish_prone_percentage": 4.5});
    if let Some(last_name) = last_name {
        ann["last_name"] = json!(last_name);
    }
    let mut source = MemorySource::new();
    source.add_page("account", &json!({"name": "Acme", "type": "paid"}));
    source.add_page(
        "users/active",
        &json!([ann, {"id": 3, "first_name": "Bob", "status": "active", "groups": [7]}]),
    );
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": "Ops", "group_type": "console_group"}]),
    );
    normalize(&source).0
}

/// Exports `graph` in `formats` to `dir`.
pub fn export_with(
    graph: &Graph,
    snapshot: &SnapshotInfo,
    formats: &[Format],
    options: &ExportOptions,
    dir: &Path,
) {
    export(graph, snapshot, formats, options, dir).expect("the export is written");
}

/// Exports `graph` as `format` to `dir`, with the facts of an in-memory snapshot.
pub fn export_as(graph: &Graph, format: Format, dir: &Path) {
    export_with(
        graph,
        &common::snapshot_info(),
        &[format],
        &ExportOptions::default(),
        dir,
    );
}

/// The records of the `format` export in `dir`.
pub fn read_back(dir: &Path, format: Format) -> Result<Vec<Record>, ReadbackError> {
    read_records(dir, format, &ReadOptions::default())
}

/// File, location and message of the `Invalid` error reading the `format` export in `dir`;
/// `what` says what was done to the files.
pub fn invalid(dir: &Path, format: Format, what: &str) -> (String, String, String) {
    match read_back(dir, format) {
        Err(ReadbackError::Invalid(p)) => (p.file, p.location.to_string(), p.message),
        other => panic!("{format} {what}: expected an Invalid error, got {other:?}"),
    }
}

/// Replaces the one occurrence of `from` in `file` of the export in `dir`.
pub fn tamper(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} once in {text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// Rewrites `file` of the export in `dir` with `f`, which must change it.
pub fn rewrite(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = f(text.clone());
    assert_ne!(changed, text, "the test changes {file}");
    std::fs::write(&path, changed).unwrap();
}

/// A value for a message: cut if long.
fn short(v: &impl std::fmt::Debug) -> String {
    let text = format!("{v:?}");
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Equal, and written alike (so `-0.0` is not `0.0`).
fn same_value(a: Option<&Value>, b: Option<&Value>) -> bool {
    a == b && a.map(value_json) == b.map(value_json)
}

/// What differs between two records, field by field.
fn record_difference(got: &Record, want: &Record) -> Vec<String> {
    let mut what = Vec::new();
    if got.key != want.key {
        what.push(format!(
            "_key {} instead of {}",
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
        if !same_value(g, w) {
            what.push(format!(
                "{name}: read {} but expected {}",
                short(&g),
                short(&w)
            ));
        }
    }
    if what.is_empty() {
        what.push(format!(
            "read {} but expected {}",
            short(&got.canonical_json()),
            short(&want.canonical_json())
        ));
    }
    what
}

/// The first difference between the records `read` and `expected`, in digest order, if any,
/// described by key and field; also compares their digests.
pub fn first_difference(mut read: Vec<Record>, mut expected: Vec<Record>) -> Option<String> {
    read.sort_by(Record::canonical_cmp);
    expected.sort_by(Record::canonical_cmp);
    for (i, (got, want)) in read.iter().zip(&expected).enumerate() {
        if got != want || got.canonical_json() != want.canonical_json() {
            return Some(format!(
                "record {i} ({}): {}",
                short(&want.key),
                record_difference(got, want).join("; ")
            ));
        }
    }
    if read.len() != expected.len() {
        return Some(format!(
            "{} records read, {} expected; the first extra: {}",
            read.len(),
            expected.len(),
            short(&read.get(expected.len()).or(expected.get(read.len())))
        ));
    }
    let digest = digest_records(read).expect("keys are unique");
    (digest != digest_records(expected).expect("keys are unique"))
        .then(|| "the digests differ".to_owned())
}

/// The first difference between `read` and the records of `graph`, if any; also checks the
/// graph's own digest.
pub fn difference(read: Vec<Record>, graph: &Graph) -> Option<String> {
    let digest = digest_records(read.clone()).ok();
    first_difference(read, canonical::records(graph).collect()).or_else(|| {
        (digest.as_ref() != Some(&canonical::digest(graph)))
            .then(|| "the digest is not the graph's".to_owned())
    })
}

/// Asserts that `read` holds exactly the records `expected`, naming the first difference.
pub fn assert_same(what: &str, read: Vec<Record>, expected: Vec<Record>) {
    if let Some(difference) = first_difference(read, expected) {
        panic!("{what}: {difference}");
    }
}

/// The one record of `read` (in the order read) that differs from the graph's, beside the
/// graph's; the digest must differ too. `what` names the change.
pub fn the_changed_record(read: Vec<Record>, graph: &Graph, what: &str) -> (Record, Record) {
    let want: Vec<Record> = canonical::records(graph).collect();
    assert_eq!(read.len(), want.len(), "{what}");
    let mut changed: Vec<(&Record, &Record)> =
        read.iter().zip(&want).filter(|(r, w)| r != w).collect();
    assert_eq!(changed.len(), 1, "{what}");
    let (got, was) = changed.pop().unwrap();
    let pair = (got.clone(), was.clone());
    assert_ne!(
        digest_records(read).unwrap().sha256,
        canonical::digest(graph).sha256,
        "{what}"
    );
    pair
}

/// Asserts that `read` has the group's relationship to user 3 now leading to user 2, and so
/// differs from `graph`.
pub fn assert_membership_moved_to_user_2(read: Vec<Record>, graph: &Graph) {
    assert!(read.iter().any(|r| matches!(&r.kind,
        RecordKind::Relationship { to, .. } if to == "knowbe4:user:2" && r.key.ends_with("user:3"))));
    assert!(difference(read, graph).is_some());
}

/// One to `most` hostile strings.
pub fn hostile_names(most: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(common::hostile_string(), 1..most + 1)
}

/// Any finite float.
pub fn finite() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |x| x.is_finite())
}

/// Any finite float, often one that naive number writers get wrong.
pub fn awkward_float() -> impl Strategy<Value = f64> {
    prop_oneof![finite(), Just(0.1), Just(-0.0), Just(1e300)]
}

/// Every millisecond of years 0000 to 9999.
pub fn four_digit_year_millis() -> impl Strategy<Value = i64> {
    -62_167_219_200_000i64..253_402_300_800_000
}

/// Group 7, named by the last of `names`, and the `enrollment` page; then the graph.
fn with_group_and_enrollment(mut source: MemorySource, names: &[String], enrollment: J) -> Graph {
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": names[names.len() - 1], "group_type": "console_group"}]),
    );
    source.add_page("training/enrollments", &json!([enrollment]));
    normalize(&source).0
}

/// An account whose strings are all `names` (in keys, declared and extra properties, arrays),
/// with `number` as a float and `millis` as datetimes. With one name, some string arrays hold
/// one string, which may be empty.
pub fn hostile_graph(names: &[String], big: i64, number: f64, millis: i64) -> Graph {
    hostile_graph_with(names, big, number, millis, false)
}

/// The same with a plain admin and domain added, so that no string array is a lone empty
/// string (which the Neo4j files cannot tell from the empty array).
pub fn hostile_graph_without_lone_empty_strings(
    names: &[String],
    big: i64,
    number: f64,
    millis: i64,
) -> Graph {
    hostile_graph_with(names, big, number, millis, true)
}

fn hostile_graph_with(names: &[String], big: i64, number: f64, millis: i64, padded: bool) -> Graph {
    let when = format_datetime_millis(millis);
    let mut admins: Vec<J> = names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": big.wrapping_sub(i as i64), "first_name": n, "email": n}))
        .collect();
    let mut domains = names.to_vec();
    if padded {
        admins.push(
            json!({"id": 1, "first_name": "Root", "last_name": "Admin", "email": "root@example.com"}),
        );
        domains.push("example.com".into());
    }
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
                // Fields the model does not know are kept as strings (JSON text if not one).
                "mfa_enrolled": n,
                "new_settings": {"nested": n, "n": big},
                "status": "active",
            })
        })
        .collect();
    source.add_page("users/active", &J::Array(users));
    // A module known only by its (hostile) name makes keys that hold the string, and
    // per-enrollment relationships carry their typed fields.
    with_group_and_enrollment(
        source,
        names,
        json!({
            "enrollment_id": big, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": big}, "status": "Passed", "campaign_name": names[0],
            "completion_date": "2024-02-29T23:59:59.999Z", "time_spent": big,
            "enrollment_note": names[names.len() - 1],
        }),
    )
}

/// How the arrays of [`scored_graph`] hold the names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrays {
    /// Several items, with repeats, in no sorted order.
    Several,
    /// One item each, so formats that keep arrays as sets give them back unchanged.
    OneItem,
}

/// A graph with hostile strings wherever a string can go: keys (account and module names),
/// names, free text, arrays, extra properties; and extreme numbers. User ids count from 1.
pub fn scored_graph(names: &[String], big: i64, score: f64, arrays: Arrays) -> Graph {
    let several = arrays == Arrays::Several;
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({"name": names[0], "type": "paid", "number_of_seats": big,
                "domains": if several { names.to_vec() } else { vec![names[0].clone()] },
                "current_risk_score": score, "subscription_end_date": "2031-02-28",
                "admins": [{"id": big, "first_name": names[0], "last_name": "x", "email": "a@b"}],
                "new_account_field": names[names.len() - 1]}),
    );
    let users: Vec<J> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": i as i64 + 1,
                "first_name": n,
                "last_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "aliases": if several { json!([n, "plain", n]) } else { json!([n]) },
                "employee_number": big.to_string(),
                "current_risk_score": score,
                "joined_on": "2024-02-29T23:59:59.999Z",
                "groups": if several { json!([7, big]) } else { json!([7]) },
                "provisioning_managed": i % 2 == 0,
                "status": "active",
                "mfa_enrolled": n,
                // An extra property named like APOC's `labels` key.
                "labels": n,
            })
        })
        .collect();
    source.add_page("users/active", &J::Array(users));
    with_group_and_enrollment(
        source,
        names,
        json!({
            "enrollment_id": 1, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": 1}, "status": "Passed", "campaign_name": names[0],
            "time_spent": big, "enrollment_date": "1970-01-01T00:00:00.000Z"
        }),
    )
}
