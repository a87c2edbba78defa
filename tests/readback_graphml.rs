//! Reading the GraphML export back gives exactly the records of the graph that was exported:
//! the simulated API's small account, hostile strings and numbers (characters XML 1.0 forbids
//! come back as U+FFFD, as documented), and tampered or broken files.

use crate::common;
use crate::readback_support;

use std::path::Path;

use crate::readback_support::{Arrays, assert_same, export_as, export_with, rewrite, scored_graph};
use kb4graph::export::{ExportOptions, Format};
use kb4graph::formats::graphml::as_read_back;
use kb4graph::model::canonical::{self, digest_records};
use kb4graph::model::{Graph, Record, Value};
use kb4graph::readback::ReadbackError;
use proptest::prelude::*;

const FILE: &str = "graphml/graph.graphml";

fn read(dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    readback_support::read_back(dir, Format::GraphMl)
}

fn expected_records(graph: &Graph) -> Vec<Record> {
    canonical::records(graph).map(as_read_back).collect()
}

fn hostile_graph(names: &[String], big: i64, score: f64) -> Graph {
    scored_graph(names, big, score, Arrays::Several)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_small_account_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (graph, info) = readback_support::simulated_account(11, dir.path()).await;
    let export_dir = dir.path().join("export");
    export_with(
        &graph,
        &info,
        &[Format::GraphMl],
        &ExportOptions::default(),
        &export_dir,
    );

    let read = read(&export_dir).expect("the export reads back");
    let digest = digest_records(read.clone()).unwrap();
    assert_same("graphml", read, expected_records(&graph));
    // The simulated account has names with control characters, which GraphML replaces: the
    // manifest records the digest of what the file holds beside the graph's own.
    let manifest = common::manifest(&export_dir);
    assert_eq!(
        manifest["format_digests"]["graphml"],
        digest.sha256.as_str()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn hostile_strings_and_numbers_read_back(
        names in readback_support::hostile_names(4),
        big in any::<i64>(),
        score in readback_support::awkward_float(),
    ) {
        let graph = hostile_graph(&names, big, score);
        let dir = tempfile::tempdir().unwrap();
        export_as(&graph, Format::GraphMl, dir.path());
        let read = read(dir.path()).expect("the export reads back");
        let expected = expected_records(&graph);
        prop_assert_eq!(
            digest_records(read.clone()).unwrap(),
            digest_records(expected.clone()).unwrap()
        );
        assert_same("graphml", read, expected);
        // Where nothing needed replacing, the digest is the graph's own.
        let forbidden = |s: &String| s.chars().any(|c| !kb4graph::formats::graphml::text::is_xml_char(c));
        if !names.iter().any(forbidden) {
            let read = readback_support::read_back(dir.path(), Format::GraphMl).unwrap();
            prop_assert_eq!(digest_records(read).unwrap(), canonical::digest(&graph));
        }
    }
}

#[test]
fn forbidden_characters_come_back_as_documented() {
    let name = "bell\u{7} esc\u{1b} nul\u{0} nonchar\u{FFFF}\u{FFFE} cr\r tab\t ok".to_owned();
    let graph = hostile_graph(std::slice::from_ref(&name), 5, 1.5);
    let dir = tempfile::tempdir().unwrap();
    export_as(&graph, Format::GraphMl, dir.path());
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
    assert_same("graphml", read, expected_records(&graph));
}

fn small_export() -> (tempfile::TempDir, Graph) {
    let graph = hostile_graph(&["Ann".to_owned(), "Bob".to_owned()], 42, 2.5);
    let dir = tempfile::tempdir().unwrap();
    export_as(&graph, Format::GraphMl, dir.path());
    (dir, graph)
}

fn invalid(dir: &Path) -> (String, String, String) {
    readback_support::invalid(dir, Format::GraphMl, "changed")
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
    rewrite(dir.path(), FILE, |t| {
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
    rewrite(dir.path(), FILE, |t| {
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
    rewrite(dir.path(), FILE, |t| t.replacen("</node>", "", 1));
    let (file, location, message) = invalid(dir.path());
    assert_eq!(file, FILE);
    assert!(location.starts_with("line "), "{location}");
    assert!(message.contains("<node>"), "{message}");

    // A value that is not of its type, on a known line.
    let (dir, _) = small_export();
    rewrite(dir.path(), FILE, |t| {
        t.replacen(
            "<data key=\"n.id_long\">1<",
            "<data key=\"n.id_long\">one<",
            1,
        )
    });
    let line = line_of(dir.path(), "<data key=\"n.id_long\">one<");
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
    rewrite(dir.path(), FILE, |t| {
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
    assert!(message.contains("escaping of _key"), "{message}");

    // An edge whose `_key` does not follow from its ends.
    let (dir, _) = small_export();
    rewrite(dir.path(), FILE, |t| {
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
    rewrite(dir.path(), FILE, |t| {
        t.replacen("key=\"n.email\"", "key=\"n.nothing\"", 1)
    });
    let (_, _, message) = invalid(dir.path());
    assert!(message.contains("n.nothing"), "{message}");

    // An edge to a node that is not there.
    let (dir, _) = small_export();
    rewrite(dir.path(), FILE, |t| {
        let start = t.find("<node id=\"knowbe4:user:2\">").unwrap();
        let end = start + t[start..].find("</node>\n").unwrap() + "</node>\n".len();
        format!("{}{}", &t[..start], &t[end..])
    });
    let (_, _, message) = invalid(dir.path());
    assert!(message.contains("is not a node of the graph"), "{message}");

    // Cut short.
    let (dir, _) = small_export();
    rewrite(dir.path(), FILE, |t| t[..t.len() / 2].to_owned());
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
