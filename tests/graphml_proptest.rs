//! Property tests of the GraphML writer: hostile strings (quotes, markup, separators, newlines,
//! carriage returns, control characters XML 1.0 forbids, emoji, right-to-left text, huge values)
//! and extreme numbers always give a file that quick-xml reads back to the same graph (with
//! forbidden characters as U+FFFD) and that `validate` accepts.

use crate::common;

use crate::graphml_read;

use kb4graph::export::SnapshotInfo;
use kb4graph::formats::graphml::check::validate_file;
use kb4graph::formats::graphml::text::sanitized;
use kb4graph::formats::graphml::write_document;
use kb4graph::model::{MemorySource, ValueRef, normalize};
use proptest::prelude::*;
use serde_json::{Value, json};

fn info() -> SnapshotInfo {
    SnapshotInfo {
        site: None,
        base_url: "http://127.0.0.1:9/\"<&>".into(),
        manifest_sha256: "0".repeat(64),
        fetched_at: "2026-01-01T00:00:00.000Z".into(),
        complete: true,
        damaged_pages: Vec::new(),
        inconsistencies: Vec::new(),
        accounts: Vec::new(),
    }
}

/// The expected text of a value as GraphML carries it.
fn expected(v: ValueRef<'_>) -> Expected {
    match v {
        ValueRef::String(s) => Expected::Text(sanitized(s).into_owned()),
        ValueRef::Integer(n) => Expected::Long(n),
        ValueRef::Float(x) | ValueRef::Decimal(x) => Expected::Double(x),
        ValueRef::Boolean(b) => Expected::Bool(b),
        ValueRef::DateTime(_) | ValueRef::Date(_) => Expected::Text(v.to_string()),
        // JSON escapes control characters itself (`\u0007`); only U+FFFE and U+FFFF, which
        // JSON leaves alone, are replaced.
        ValueRef::StringArray(_) | ValueRef::IntegerArray(_) => Expected::Json(
            serde_json::from_str(&sanitized(&v.to_json().to_string())).expect("JSON"),
        ),
    }
}

#[derive(Debug, PartialEq)]
enum Expected {
    Text(String),
    Long(i64),
    Double(f64),
    Bool(bool),
    Json(Value),
}

fn read(attr_type: &str, text: &str, like: &Expected) -> Expected {
    match (attr_type, like) {
        ("long", _) => Expected::Long(text.parse().expect("a long")),
        ("double", _) => Expected::Double(text.parse().expect("a double")),
        ("boolean", _) => Expected::Bool(text.parse().expect("a boolean")),
        ("string", Expected::Json(_)) => Expected::Json(serde_json::from_str(text).expect("JSON")),
        ("string", _) => Expected::Text(text.to_owned()),
        (other, _) => panic!("attr.type {other}"),
    }
}

fn nmtoken(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:_".contains(&b))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hostile_strings_survive_the_graphml_writer(
        names in proptest::collection::vec(common::hostile_string(), 1..6),
        big in any::<i64>(),
        score in any::<f64>().prop_filter("JSON numbers are finite", |x| x.is_finite()),
        managed in any::<bool>(),
    ) {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": names[0], "type": "paid", "current_risk_score": score}));
        let users: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({
                "id": big.wrapping_add(i as i64),
                "first_name": n,
                "last_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "aliases": [n, "plain"],
                "employee_number": big.to_string(),
                "current_risk_score": score,
                "provisioning_managed": managed,
                "groups": [7],
                "status": "active",
                "joined_on": "2024-02-29T23:59:59.123Z",
                // An API field this version does not know: kept as a string.
                "mfa_enrolled": n,
            }))
            .collect();
        source.add_page("users/active", &Value::Array(users));
        source.add_page("groups/active", &json!([{"id": 7, "name": names[names.len() - 1], "group_type": "console_group"}]));
        source.add_page("training/enrollments", &json!([{
            "enrollment_id": big, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": big}, "status": "Passed", "campaign_name": names[0]
        }]));
        let (graph, _) = normalize(&source);

        let mut bytes = Vec::new();
        write_document(&graph, &info(), &mut bytes).unwrap();
        let doc = graphml_read::parse(&bytes);
        prop_assert_eq!(&doc.edgedefault, "directed");

        prop_assert_eq!(doc.nodes.len(), graph.entity_count());
        let mut ids = std::collections::BTreeSet::new();
        for (node, entity) in doc.nodes.iter().zip(graph.entities()) {
            prop_assert!(nmtoken(&node.id), "{}", node.id);
            prop_assert!(ids.insert(node.id.clone()));
            prop_assert_eq!(node.get(&doc, "_key"), Some(&*sanitized(entity.key())));
            prop_assert_eq!(node.get(&doc, "_type"), Some(entity.def().name));
            prop_assert_eq!(node.data[0].0.as_str(), "labels");
            prop_assert_eq!(node.get_attr(&doc, "label"), node.get(&doc, "displayName"));
            let mut count = 5;
            for p in entity.properties() {
                let want = expected(p.value);
                let key_and_text = node
                    .data
                    .iter()
                    .find(|(k, _)| k != "n.label" && doc.keys[k].property() == p.name);
                let (key, text) = key_and_text.expect("every property has its data");
                let key = &doc.keys[key];
                prop_assert_eq!(&key.domain, "node");
                let got = read(&key.attr_type, text, &want);
                match (&got, &want) {
                    (Expected::Double(a), Expected::Double(b)) => prop_assert_eq!(a.to_bits(), b.to_bits()),
                    _ => prop_assert_eq!(&got, &want, "{} {}", entity.key(), p.name),
                }
                count += 1;
            }
            prop_assert_eq!(node.data.len(), count);
        }

        prop_assert_eq!(doc.edges.len(), graph.relationship_count());
        for (edge, rel) in doc.edges.iter().zip(graph.relationships()) {
            prop_assert!(nmtoken(&edge.id) && !edge.id.contains('|'));
            prop_assert!(ids.insert(edge.id.clone()));
            prop_assert_eq!(edge.data[0].0.as_str(), "label");
            prop_assert_eq!(edge.data[0].1.as_str(), rel.class());
            let rel_key = rel.key();
            prop_assert_eq!(edge.get(&doc, "_key"), Some(&*sanitized(&rel_key)));
            let source = doc.nodes.iter().find(|n| n.id == edge.source).expect("source node");
            let target = doc.nodes.iter().find(|n| n.id == edge.target).expect("target node");
            prop_assert_eq!(source.get(&doc, "_key"), Some(&*sanitized(rel.from_key())));
            prop_assert_eq!(target.get(&doc, "_key"), Some(&*sanitized(rel.to_key())));
            for p in rel.properties() {
                let (key, text) = edge
                    .data
                    .iter()
                    .find(|(k, _)| doc.keys[k].property() == p.name)
                    .expect("every property has its data");
                let want = expected(p.value);
                prop_assert_eq!(read(&doc.keys[key].attr_type, text, &want), want);
            }
        }

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph.graphml");
        std::fs::write(&path, &bytes).unwrap();
        let (violations, total) = validate_file(&path, "graph.graphml").unwrap();
        prop_assert_eq!(total, 0, "{:?}", violations);
    }
}
