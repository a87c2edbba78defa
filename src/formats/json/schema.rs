//! `schemas/graph.schema.json`, generated from the property table.
//!
//! The bundled file is this generator's output, committed so that outside tools can read it;
//! a test keeps the two equal, so the schema cannot drift from the model.

use serde_json::{Map, Value, json};

use crate::accounts::NAME_PATTERN;
use crate::model::{
    ENTITY_BUILTINS, EntityDef, EntityType, PropDef, RELATIONSHIP_BUILTINS, RelationshipDef,
    RelationshipType, ValueType,
};

/// The schema as bundled in the binary.
pub const BUNDLED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schemas/graph.schema.json"
));
/// Its file name in `schemas/` and in `kb4graph schemas --out DIR`.
pub const FILE_NAME: &str = "graph.schema.json";

const DATETIME: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$";
const DATE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
const ID: &str = "-?[0-9]+";

/// The `_key` of each entity type, as a regular expression without anchors: within one
/// account, or scoped by its account in a combined export (`knowbe4:acct:<account>:...`).
/// People are never scoped.
pub fn key_pattern(ty: EntityType) -> String {
    let within = key_within_account(ty);
    match within.strip_prefix("knowbe4:") {
        Some(rest) if ty != EntityType::Person => {
            format!("knowbe4:(acct:{NAME_PATTERN}:)?{rest}")
        }
        _ => within,
    }
}

fn key_within_account(ty: EntityType) -> String {
    match ty {
        // Names may hold any character, newlines included, and `.` matches no newline.
        EntityType::Account => r"knowbe4:account:[\s\S]*".to_owned(),
        EntityType::User => format!("knowbe4:user:{ID}"),
        EntityType::UserGroup => format!("knowbe4:group:{ID}"),
        EntityType::TrainingCampaign => format!("knowbe4:training:campaign:{ID}"),
        EntityType::TrainingModule => {
            format!(r"knowbe4:training:(purchase:{ID}|policy:{ID}|name:[\s\S]*)")
        }
        EntityType::PhishingCampaign => format!("knowbe4:phishing:campaign:{ID}"),
        EntityType::PhishingSecurityTest => format!("knowbe4:phishing:security_test:{ID}"),
        EntityType::PhishingSecurityTestResult => {
            format!("knowbe4:phishing:security_test:{ID}:recipient:{ID}")
        }
        EntityType::PhishingCategory => format!("knowbe4:phishing:category:{ID}"),
        EntityType::RiskScore => {
            format!(
                "knowbe4:risk_score:(account|user:{ID}|group:{ID}):[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}"
            )
        }
        // An address trimmed and lowercased: anything but empty.
        EntityType::Person => r"knowbe4:person:[\s\S]+".to_owned(),
    }
}

fn relationship_key_pattern(def: &RelationshipDef) -> String {
    let tail = if def.per_enrollment {
        format!(r"\|{ID}")
    } else {
        String::new()
    };
    format!(
        r"^{}\|{}\|{}{tail}$",
        key_pattern(def.from),
        def.key_class(),
        key_pattern(def.to)
    )
}

fn value_schema(ty: ValueType) -> Value {
    match ty {
        ValueType::String => json!({"type": "string"}),
        ValueType::Integer => json!({"type": "integer"}),
        ValueType::Float | ValueType::Decimal => json!({"type": "number"}),
        ValueType::Boolean => json!({"type": "boolean"}),
        ValueType::DateTime => json!({"$ref": "#/$defs/datetime"}),
        ValueType::Date => json!({"$ref": "#/$defs/date"}),
        ValueType::StringArray => json!({"type": "array", "items": {"type": "string"}}),
        ValueType::IntegerArray => json!({"type": "array", "items": {"type": "integer"}}),
    }
}

fn object_schema(
    title: String,
    structural: Vec<(&'static str, Value)>,
    builtins: &[PropDef],
    props: &[PropDef],
) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema) in structural {
        properties.insert(name.to_owned(), schema);
    }
    for p in builtins.iter().chain(props) {
        properties
            .entry(p.name.to_owned())
            .or_insert_with(|| value_schema(p.value_type));
        if p.required && !required.contains(&p.name) {
            required.push(p.name);
        }
    }
    json!({
        "title": title,
        "type": "object",
        "required": required,
        "properties": properties,
        // Fields of a newer API that this version does not know are kept, as strings.
        "additionalProperties": {"type": "string"},
    })
}

fn entity_schema(def: &EntityDef) -> Value {
    object_schema(
        format!("{} entity ({})", def.name, def.classes.join(", ")),
        vec![
            (
                "_key",
                json!({"type": "string", "pattern": format!("^{}$", key_pattern(def.entity_type))}),
            ),
            ("_type", json!({"const": def.name})),
            ("_class", json!({"const": def.classes})),
        ],
        ENTITY_BUILTINS,
        def.properties,
    )
}

fn relationship_schema(def: &RelationshipDef) -> Value {
    let from = def.from.def().name;
    let to = def.to.def().name;
    object_schema(
        format!("{} relationship: {from} {} {to}", def.name, def.class),
        vec![
            (
                "_key",
                json!({"type": "string", "pattern": relationship_key_pattern(def)}),
            ),
            ("_type", json!({"const": def.name})),
            ("_class", json!({"const": def.class})),
            (
                "_fromEntityKey",
                json!({"type": "string", "pattern": format!("^{}$", key_pattern(def.from))}),
            ),
            (
                "_toEntityKey",
                json!({"type": "string", "pattern": format!("^{}$", key_pattern(def.to))}),
            ),
            ("displayName", json!({"const": def.class})),
        ],
        RELATIONSHIP_BUILTINS,
        def.properties,
    )
}

/// One `if _type is X then X's definition` per type: a validator then reports the failures of
/// the right definition, not of all of them.
fn dispatch(names: &[&str]) -> Value {
    let branches: Vec<Value> = names
        .iter()
        .map(|name| {
            json!({
                "if": {"properties": {"_type": {"const": name}}, "required": ["_type"]},
                "then": {"$ref": format!("#/$defs/{name}")},
            })
        })
        .collect();
    json!({
        "type": "object",
        "required": ["_type"],
        "properties": {"_type": {"enum": names}},
        "allOf": branches,
    })
}

/// The whole schema.
pub fn generate() -> Value {
    let mut defs = Map::new();
    let entity_names: Vec<&str> = EntityType::ALL.iter().map(|t| t.def().name).collect();
    let rel_names: Vec<&str> = RelationshipType::ALL.iter().map(|t| t.def().name).collect();
    defs.insert("entity".into(), dispatch(&entity_names));
    defs.insert("relationship".into(), dispatch(&rel_names));
    for ty in EntityType::ALL {
        defs.insert(ty.def().name.into(), entity_schema(ty.def()));
    }
    for ty in RelationshipType::ALL {
        defs.insert(ty.def().name.into(), relationship_schema(ty.def()));
    }
    defs.insert(
        "datetime".into(),
        json!({"type": "string", "pattern": DATETIME}),
    );
    defs.insert("date".into(), json!({"type": "string", "pattern": DATE}));
    defs.insert("mappedRelationship".into(), super::mapped::schema());
    let count_map = |names: &[&str]| {
        let props: Map<String, Value> = names
            .iter()
            .map(|n| ((*n).to_owned(), json!({"type": "integer", "minimum": 0})))
            .collect();
        json!({"type": "object", "required": names, "properties": props, "additionalProperties": false})
    };
    defs.insert(
        "metadata".into(),
        json!({
            "type": "object",
            "required": ["format", "formatVersion", "source", "snapshot", "counts"],
            "properties": {
                "format": {"const": crate::formats::json::DOCUMENT_FORMAT},
                "formatVersion": {"const": crate::formats::json::DOCUMENT_VERSION},
                "source": {
                    "type": "object",
                    "required": ["site", "baseUrl", "account"],
                    "properties": {
                        "site": {"type": ["string", "null"]},
                        "baseUrl": {"type": "string"},
                        "account": {"type": ["string", "null"]},
                    },
                },
                "snapshot": {
                    "type": "object",
                    "required": ["site", "baseUrl", "manifestSha256", "fetchedAt", "complete"],
                    "properties": {
                        "site": {"type": ["string", "null"]},
                        "baseUrl": {"type": "string"},
                        "manifestSha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "fetchedAt": {"$ref": "#/$defs/datetime"},
                        "complete": {"type": "boolean"},
                        "accounts": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "site", "baseUrl", "manifestSha256", "fetchedAt"],
                                "properties": {
                                    "name": {"type": "string", "pattern": format!("^{NAME_PATTERN}$")},
                                    "site": {"type": ["string", "null"]},
                                    "baseUrl": {"type": "string"},
                                    "manifestSha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                    "fetchedAt": {"$ref": "#/$defs/datetime"},
                                },
                            },
                        },
                    },
                },
                "counts": {
                    "type": "object",
                    "required": ["entities", "relationships"],
                    "properties": {
                        "entities": count_map(&entity_names),
                        "relationships": count_map(&rel_names),
                    },
                },
            },
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:kb4graph:schema:graph:1",
        "title": "kb4graph graph document (json/graph.json)",
        "description": "A KnowBe4 account as JupiterOne-style entities and relationships, written by kb4graph. One definition per entity and relationship type, derived from kb4graph's property table.",
        "type": "object",
        "required": ["metadata", "entities", "relationships"],
        "additionalProperties": false,
        "properties": {
            "metadata": {"$ref": "#/$defs/metadata"},
            "entities": {"type": "array", "items": {"$ref": "#/$defs/entity"}},
            "relationships": {"type": "array", "items": {"$ref": "#/$defs/relationship"}},
            super::mapped::SECTION: {"type": "array", "items": {"$ref": "#/$defs/mappedRelationship"}},
        },
        "$defs": defs,
    })
}

/// The generated schema as the bundled file spells it.
pub fn generate_text() -> String {
    let mut text = serde_json::to_string_pretty(&generate()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerate with `KB4GRAPH_BLESS=1 cargo test --lib bundled_schema`.
    #[test]
    fn bundled_schema_is_the_generated_one() {
        let generated = generate_text();
        if std::env::var_os("KB4GRAPH_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/graph.schema.json");
            std::fs::write(path, &generated).unwrap();
            return;
        }
        assert!(
            BUNDLED == generated,
            "schemas/graph.schema.json differs from the property table; regenerate it with \
             KB4GRAPH_BLESS=1 cargo test --lib bundled_schema"
        );
    }

    #[test]
    fn every_type_has_a_definition_with_its_required_properties() {
        let schema = generate();
        let defs = &schema["$defs"];
        for ty in EntityType::ALL {
            let def = &defs[ty.name()];
            let required: Vec<&str> = def["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            for p in ENTITY_BUILTINS.iter().chain(ty.def().properties) {
                assert!(def["properties"].get(p.name).is_some(), "{ty} {}", p.name);
                assert_eq!(required.contains(&p.name), p.required, "{ty} {}", p.name);
            }
        }
        for ty in RelationshipType::ALL {
            assert!(defs[ty.name()]["properties"]["_fromEntityKey"].is_object());
        }
        assert!(jsonschema::draft202012::new(&schema).is_ok());
    }
}
