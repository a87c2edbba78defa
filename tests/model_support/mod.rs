//! Shared by the model tests: the graph and its warnings as plain JSON, to compare exactly.
#![allow(dead_code)]

use kb4graph::model::{Graph, Warning};
use serde_json::{Map, Value, json};

/// `{entities: [...], relationships: [...], warnings: [...]}`, every entity and relationship
/// with its structural fields first and its properties in output order.
pub fn render(graph: &Graph, warnings: &[Warning]) -> Value {
    let entities: Vec<Value> = graph
        .entities()
        .map(|e| {
            let mut m = Map::new();
            m.insert("_key".into(), e.key().into());
            m.insert("_type".into(), e.entity_type().name().into());
            m.insert("_class".into(), json!(e.classes()));
            for p in e.properties() {
                m.insert(p.name.into(), p.value.to_json());
            }
            Value::Object(m)
        })
        .collect();
    let relationships: Vec<Value> = graph
        .relationships()
        .map(|r| {
            let mut m = Map::new();
            m.insert("_key".into(), r.key().into());
            m.insert("_type".into(), r.relationship_type().name().into());
            m.insert("_class".into(), r.class().into());
            m.insert("_fromEntityKey".into(), r.from_key().into());
            m.insert("_toEntityKey".into(), r.to_key().into());
            m.insert("displayName".into(), r.class().into());
            for p in r.properties() {
                m.insert(p.name.into(), p.value.to_json());
            }
            Value::Object(m)
        })
        .collect();
    let warnings: Vec<Value> = warnings
        .iter()
        .map(|w| {
            json!({
                "code": w.code.as_str(),
                "location": w.location,
                "record": w.record,
                "message": w.message,
            })
        })
        .collect();
    json!({
        "entities": entities,
        "relationships": relationships,
        "warnings": warnings,
    })
}

/// What every graph must satisfy, whatever went in: keys sorted and unique, relationships
/// between existing entities of the right types, values of their declared types, required
/// properties present, properties in table order then extras by name.
pub fn check_invariants(graph: &Graph) {
    use kb4graph::model::{ENTITIES, RELATIONSHIPS, ValueType};

    let keys: Vec<&str> = graph.entities().map(|e| e.key()).collect();
    for w in keys.windows(2) {
        assert!(
            w[0] < w[1],
            "entities out of order or repeated: {:?} {:?}",
            w[0],
            w[1]
        );
    }
    let rel_keys: Vec<String> = graph.relationships().map(|r| r.key()).collect();
    for w in rel_keys.windows(2) {
        assert!(
            w[0] < w[1],
            "relationships out of order or repeated: {:?} {:?}",
            w[0],
            w[1]
        );
    }
    let check_props = |props: Vec<kb4graph::model::Property<'_>>,
                       defs: &[kb4graph::model::PropDef],
                       what: &str| {
        let mut last_declared: Option<usize> = None;
        let mut last_extra: Option<&str> = None;
        for p in &props {
            match p.def {
                Some(d) => {
                    assert_eq!(p.value.value_type(), d.value_type, "{what}: {}", p.name);
                    let i = defs
                        .iter()
                        .position(|x| x.name == d.name)
                        .expect("declared");
                    assert!(last_extra.is_none(), "{what}: extra before {}", p.name);
                    assert!(
                        last_declared.is_none_or(|l| l < i),
                        "{what}: {} out of order",
                        p.name
                    );
                    last_declared = Some(i);
                }
                None => {
                    assert_eq!(
                        p.value.value_type(),
                        ValueType::String,
                        "{what}: {}",
                        p.name
                    );
                    assert!(
                        p.name.starts_with(|c: char| c.is_ascii_alphabetic())
                            && p.name.chars().all(|c| c.is_ascii_alphanumeric()),
                        "{what}: extra property name {:?}",
                        p.name
                    );
                    assert!(!defs.iter().any(|d| d.name == p.name), "{what}: {}", p.name);
                    assert!(
                        last_extra.is_none_or(|l| l < p.name),
                        "{what}: {} out of order",
                        p.name
                    );
                    last_extra = Some(p.name);
                }
            }
        }
        for d in defs.iter().filter(|d| d.required) {
            assert!(
                props.iter().any(|p| p.name == d.name),
                "{what}: no {}",
                d.name
            );
        }
    };
    for e in graph.entities() {
        let def = &ENTITIES[e.entity_type() as usize];
        check_props(e.properties().collect(), def.properties, e.key());
        assert!(
            e.get("name").and_then(|v| v.as_str()) == e.get("displayName").and_then(|v| v.as_str())
        );
    }
    for r in graph.relationships() {
        let def = &RELATIONSHIPS[r.relationship_type() as usize];
        assert_eq!(r.from().entity_type(), def.from);
        assert_eq!(r.to().entity_type(), def.to);
        assert!(graph.entity(r.from_key()).is_some() && graph.entity(r.to_key()).is_some());
        check_props(r.properties().collect(), def.properties, &r.key());
    }
}
