//! Property tests of the diff: a graph against itself has no difference, and random users
//! added, removed and changed give exactly the expected added, removed and changed records.

use std::collections::BTreeSet;

use kb4graph::diff::{TypeFilter, diff_graphs, render_json, render_table};
use kb4graph::model::{Graph, MemorySource, normalize};
use proptest::prelude::*;
use serde_json::{Value, json};

/// API field and the property it becomes, for the user fields the test varies: none that the
/// user's person carries, so that a change is one changed record.
const FIELDS: [(&str, &str); 4] = [
    ("comment", "comment"),
    ("job_title", "jobTitle"),
    ("location", "location"),
    ("custom_field_1", "customField1"),
];

#[derive(Debug, Clone)]
struct User {
    in_old: bool,
    in_new: bool,
    old: [Option<String>; 4],
    new: [Option<String>; 4],
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,3}",
        ".{1,12}",
        Just("two\nlines\r\t\u{1b}[0m".to_owned()),
        Just("\u{202e}rtl \\ \"".to_owned()),
    ]
}

fn fields() -> impl Strategy<Value = [Option<String>; 4]> {
    let f = || proptest::option::of(text());
    (f(), f(), f(), f()).prop_map(|(a, b, c, d)| [a, b, c, d])
}

fn user() -> impl Strategy<Value = User> {
    (
        any::<bool>(),
        any::<bool>(),
        fields(),
        prop::bool::weighted(0.5),
        fields(),
    )
        .prop_map(|(in_old, in_new, old, same, new)| User {
            // Every user is on at least one side.
            in_old: in_old || !in_new,
            in_new,
            new: if same { old.clone() } else { new },
            old,
        })
}

fn graph(users: &[User], new: bool) -> Graph {
    let mut source = MemorySource::new();
    source.add_page("account", &json!({"name": "Acme"}));
    let records: Vec<Value> = users
        .iter()
        .enumerate()
        .filter(|(_, u)| if new { u.in_new } else { u.in_old })
        .map(|(i, u)| {
            let mut record =
                json!({"id": i + 1, "email": format!("u{i}@example.com"), "status": "active"});
            let values = if new { &u.new } else { &u.old };
            for ((field, _), value) in FIELDS.iter().zip(values) {
                if let Some(v) = value {
                    record[*field] = json!(v);
                }
            }
            record
        })
        .collect();
    source.add_page("users/active", &Value::Array(records));
    let (graph, warnings) = normalize(&source);
    assert!(warnings.is_empty(), "{warnings:?}");
    graph
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_graph_against_itself_has_no_difference(users in prop::collection::vec(user(), 0..20)) {
        let g = graph(&users, true);
        let d = diff_graphs(&g, &g, &TypeFilter::all()).unwrap();
        prop_assert!(d.is_empty());
        prop_assert!(d.highlights().is_empty());
        prop_assert_eq!(d.old.entities, g.entity_count() as u64);
        prop_assert_eq!(d.new.relationships, g.relationship_count() as u64);
    }

    #[test]
    fn random_changes_are_found_exactly(users in prop::collection::vec(user(), 1..20)) {
        let (old, new) = (graph(&users, false), graph(&users, true));
        let d = diff_graphs(&old, &new, &TypeFilter::all()).unwrap();

        let key = |i: usize| format!("knowbe4:user:{}", i + 1);
        let mut added = BTreeSet::new();
        let mut removed = BTreeSet::new();
        let mut changed = BTreeSet::new();
        for (i, u) in users.iter().enumerate() {
            match (u.in_old, u.in_new) {
                (false, true) => { added.insert(key(i)); }
                (true, false) => { removed.insert(key(i)); }
                (true, true) => {
                    let names: Vec<&str> = FIELDS
                        .iter()
                        .zip(u.old.iter().zip(&u.new))
                        .filter(|(_, (a, b))| a != b)
                        .map(|((_, name), _)| *name)
                        .collect();
                    if !names.is_empty() {
                        changed.insert((key(i), names));
                    }
                }
                (false, false) => {}
            }
        }

        let empty = Default::default();
        let t = d.types.get("knowbe4_user").unwrap_or(&empty);
        let got_added: BTreeSet<String> = t.added.iter().map(|r| r.key.clone()).collect();
        let got_removed: BTreeSet<String> = t.removed.iter().map(|r| r.key.clone()).collect();
        prop_assert_eq!(&got_added, &added);
        prop_assert_eq!(&got_removed, &removed);
        // Key order is byte order ("knowbe4:user:10" before "knowbe4:user:2"), as in a BTreeSet.
        let got_changed: Vec<(String, Vec<&str>)> = t
            .changed
            .iter()
            .map(|c| (c.key.clone(), c.changes.iter().map(|p| p.name.as_str()).collect()))
            .collect();
        let mut want_changed: Vec<(String, Vec<&str>)> = changed.into_iter().collect();
        for (_, names) in &mut want_changed {
            names.sort();
        }
        prop_assert_eq!(&got_changed, &want_changed);
        for c in &t.changed {
            for p in &c.changes {
                prop_assert_ne!(&p.old, &p.new);
            }
        }

        // Each added or removed user brings its account and "All Users" relationships, its
        // person (one per address) and the IS relationship to it.
        let c = d.counts();
        prop_assert_eq!(c.added, 5 * added.len() as u64);
        prop_assert_eq!(c.removed, 5 * removed.len() as u64);
        let all_users_count_changed = u64::from(added.len() != removed.len());
        prop_assert_eq!(c.changed, want_changed.len() as u64 + all_users_count_changed);
        prop_assert_eq!(d.is_empty(), c.total() == 0);
        let h = d.highlights();
        prop_assert_eq!(h.users_added.len(), added.len());
        prop_assert_eq!(h.users_removed.len(), removed.len());

        // Backwards is the mirror image.
        let back = diff_graphs(&new, &old, &TypeFilter::all()).unwrap();
        let b = back.counts();
        prop_assert_eq!((b.added, b.removed, b.changed), (c.removed, c.added, c.changed));

        // Both reports are deterministic, the JSON parses and agrees, every table line is printable.
        let mut json_bytes = Vec::new();
        render_json(&d, &mut json_bytes).unwrap();
        let mut again = Vec::new();
        render_json(&d, &mut again).unwrap();
        prop_assert_eq!(&json_bytes, &again);
        let doc: Value = serde_json::from_slice(&json_bytes).unwrap();
        prop_assert_eq!(&doc["summary"]["changed"], &json!(c.changed));
        prop_assert_eq!(&doc["equal"], &json!(d.is_empty()));
        let mut table = Vec::new();
        render_table(&d, &mut table).unwrap();
        let table = String::from_utf8(table).unwrap();
        for line in table.lines() {
            prop_assert!(!line.chars().any(|ch| ch.is_control() || ch == '\u{202e}'), "{:?}", line);
        }
        let record_lines = table.lines().filter(|l| ["  + ", "  - ", "  ~ "].iter().any(|m| l.starts_with(m))).count();
        prop_assert_eq!(record_lines as u64, c.total());
    }
}
