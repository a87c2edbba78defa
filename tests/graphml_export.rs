//! The GraphML export of a fetched account: byte-identical for the same snapshot, every raw
//! user found with exact typed values (read straight from the raw pages, without the model),
//! the same entities and relationships as the JSON export, valid for `validate`, and broken
//! copies rejected with the line of the fault.

use crate::common;
use crate::graphml_read;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kb4graph::export::{ExportOptions, Format};
use kb4graph::formats::graphml::check::validate_file;
use kb4graph::formats::graphml::text::sanitized;
use kb4graph::pipeline;
use serde_json::Value;

const GRAPHML: &str = "graphml/graph.graphml";

async fn snapshot(dir: &Path) -> PathBuf {
    let server = common::start(common::small(11)).await;
    let out = dir.join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    out
}

fn export(snapshot: &Path, out: &Path, formats: &[Format]) {
    pipeline::export_snapshot(snapshot, formats, &ExportOptions::default(), out).unwrap();
}

/// Every record of the raw pages under `prefix` whose directory is exactly `prefix`.
fn records(snapshot: &Path, prefix: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (path, bytes) in common::raw_pages(snapshot) {
        if path.parent().is_some_and(|p| p == Path::new(prefix)) {
            let page: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
            out.extend(page);
        }
    }
    out
}

#[tokio::test]
async fn graphml_holds_the_raw_users_with_exact_values_and_matches_the_json_export() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path()).await;
    let out = dir.path().join("a");
    export(&snap, &out, &[Format::Json, Format::GraphMl]);
    let again = dir.path().join("b");
    export(&snap, &again, &[Format::GraphMl]);
    let bytes = std::fs::read(out.join(GRAPHML)).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(again.join(GRAPHML)).unwrap(),
        "not deterministic"
    );

    let doc = graphml_read::parse(&bytes);
    assert_eq!(doc.edgedefault, "directed");
    // igraph and graph-tool key attributes by (for, attr.name): each pair once.
    let mut names = BTreeSet::new();
    for key in doc.keys.values() {
        assert!(
            names.insert((key.domain.clone(), key.name.clone())),
            "{} {} twice",
            key.domain,
            key.name
        );
    }
    assert!(!names.contains(&("node".to_owned(), "id".to_owned())));
    for node in &doc.nodes {
        assert_eq!(node.get_attr(&doc, "label"), node.get(&doc, "displayName"));
        assert!(node.get(&doc, "displayName").is_some());
    }
    let by_key: BTreeMap<&str, &graphml_read::Element> = doc
        .nodes
        .iter()
        .map(|n| (n.get(&doc, "_key").unwrap(), n))
        .collect();

    // Users, first listing wins (active before archived), straight from the raw pages.
    let mut seen = BTreeSet::new();
    let mut big = 0;
    for user in records(&snap, "raw/users/active")
        .into_iter()
        .chain(records(&snap, "raw/users/archived"))
    {
        let Some(id) = user["id"].as_i64() else {
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        let node = by_key
            .get(format!("knowbe4:user:{id}").as_str())
            .unwrap_or_else(|| panic!("user {id} missing"));
        assert_eq!(node.get(&doc, "id").unwrap().parse::<i64>().unwrap(), id);
        if id > 1 << 32 {
            big += 1;
        }
        if let Some(first) = user["first_name"].as_str().filter(|s| !s.is_empty()) {
            assert_eq!(
                node.get(&doc, "firstName"),
                Some(&*sanitized(first)),
                "user {id}"
            );
        }
        if let Some(b) = user["provisioning_managed"].as_bool() {
            assert_eq!(
                node.get(&doc, "provisioningManaged"),
                Some(if b { "true" } else { "false" })
            );
        }
        if let Some(x) = user["phish_prone_percentage"].as_f64() {
            let got: f64 = node
                .get(&doc, "phishPronePercentage")
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(got.to_bits(), x.to_bits(), "user {id}");
        }
    }
    assert!(!seen.is_empty());
    assert!(big > 0, "the small account has user ids above 2^32");

    // The JSON export holds the same entities and relationships, with the same _type.
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("json/graph.json")).unwrap()).unwrap();
    let entities = json["entities"].as_array().unwrap();
    assert_eq!(entities.len(), doc.nodes.len());
    for (e, n) in entities.iter().zip(&doc.nodes) {
        assert_eq!(
            n.get(&doc, "_key"),
            Some(&*sanitized(e["_key"].as_str().unwrap()))
        );
        assert_eq!(n.get(&doc, "_type"), e["_type"].as_str());
    }
    let rels = json["relationships"].as_array().unwrap();
    assert_eq!(rels.len(), doc.edges.len());
    for (r, e) in rels.iter().zip(&doc.edges) {
        assert_eq!(
            e.get(&doc, "_key"),
            Some(&*sanitized(r["_key"].as_str().unwrap()))
        );
        assert_eq!(
            e.data[0],
            ("label".to_owned(), r["_class"].as_str().unwrap().to_owned())
        );
    }

    let reports = pipeline::validate_export(&out).unwrap();
    for r in &reports {
        assert_eq!(r.total, 0, "{:?}: {:?}", r.format, r.violations);
    }
    assert!(reports.iter().any(|r| r.format == Format::GraphMl));
}

/// Replaces the first `from` after `anchor` with `to`.
fn mutate(text: &str, anchor: &str, from: &str, to: &str) -> String {
    let start = text
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} not found"));
    let at = start
        + text[start..]
            .find(from)
            .unwrap_or_else(|| panic!("{from} not found"));
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

#[tokio::test]
async fn broken_copies_are_rejected_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path()).await;
    let out = dir.path().join("a");
    export(&snap, &out, &[Format::GraphMl]);
    let text = std::fs::read_to_string(out.join(GRAPHML)).unwrap();
    let first_node = text.find("<node ").unwrap();
    let node_line = text[first_node..].split_inclusive('\n').next().unwrap();
    let first_edge = text.find("<edge ").unwrap();
    let edge_line = text[first_edge..].split_inclusive('\n').next().unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "undeclared key",
            mutate(&text, "<node ", "key=\"n._type\"", "key=\"n.undeclared\""),
            "refers to no declared key",
        ),
        (
            "duplicate node id",
            text.replacen(node_line, &format!("{node_line}{node_line}"), 1),
            "not unique",
        ),
        (
            "edge to a missing node",
            mutate(&text, "<edge ", "target=\"", "target=\"knowbe4:user:404"),
            "is not a node of the graph",
        ),
        (
            "value that is not a long",
            mutate(
                &text,
                "knowbe4_user<",
                "<data key=\"n.id_long\">",
                "<data key=\"n.id_long\">x",
            ),
            "is not a long",
        ),
        (
            "control character",
            mutate(
                &text,
                "knowbe4_user<",
                "<data key=\"n.name\">",
                "<data key=\"n.name\">\u{7}",
            ),
            "XML 1.0 forbids",
        ),
        (
            "label not first",
            text.replacen(
                edge_line,
                &edge_line
                    .replacen("<data key=\"label\">HAS</data>", "", 1)
                    .replacen("</edge>", "<data key=\"label\">HAS</data></edge>", 1),
                1,
            ),
            "first <data> must be label",
        ),
        (
            "datetime without milliseconds",
            mutate(&text, "<data key=\"n.joinedOn\">", ".000Z<", "Z<"),
            "is not a datetime",
        ),
        (
            "one attr.name twice in a domain",
            text.replacen("attr.name=\"status_long\"", "attr.name=\"status\"", 1),
            "must be for=\"node\" attr.name=\"status_long\"",
        ),
        (
            "label that is not the displayName",
            mutate(
                &text,
                "knowbe4_user<",
                "<data key=\"n.label\">",
                "<data key=\"n.label\">not ",
            ),
            "must repeat the displayName",
        ),
        (
            "truncated",
            text[..=text[..text.len() / 2].rfind('\n').unwrap()].to_owned(),
            "ends inside an element",
        ),
        (
            "wrong node _type",
            mutate(&text, "<node ", ">knowbe4_account<", ">knowbe4_accounts<"),
            "is not a node type",
        ),
    ];
    for (name, broken, expected) in cases {
        assert_ne!(broken, text, "{name}: the mutation changed nothing");
        let path = dir
            .path()
            .join(format!("{}.graphml", name.replace(' ', "-")));
        std::fs::write(&path, &broken).unwrap();
        let (violations, total) = validate_file(&path, "broken.graphml").unwrap();
        assert!(total > 0, "{name}: accepted");
        let hit = violations
            .iter()
            .find(|v| v.message.contains(expected))
            .unwrap_or_else(|| panic!("{name}: no violation says {expected:?}: {violations:?}"));
        assert!(
            matches!(
                hit.location,
                kb4graph::formats::problems::Location::Text { .. }
            ),
            "{name}: {hit}"
        );
    }
}
