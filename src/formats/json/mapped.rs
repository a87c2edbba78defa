//! `mappedRelationships`: JupiterOne's mapped-relationship form of each `knowbe4_user IS
//! Person`, after the relationships. A JupiterOne pipeline that loads them links each user to
//! JupiterOne's own `Person` with that e-mail address (creating one where none exists) instead of
//! to ours. Each is what `createMappedRelationship` of `@jupiterone/integration-sdk-core` makes
//! of its `_class` and `_mapping` (CI compares them with the package's own function), and the
//! field names are those of its `MappedRelationship` type.

use serde::{Deserialize, Serialize};

use crate::model::{RelationshipRef, RelationshipType, ValueRef};

/// The document member that holds them.
pub const SECTION: &str = "mappedRelationships";
/// The relationship type they stand for.
pub const OF: RelationshipType = RelationshipType::UserIsPerson;
/// The `_type` the SDK makes of a mapping to an `employee`.
const TYPE: &str = "mapping_source_is_employee";
const CLASS: &str = "IS";
const DIRECTION: &str = "FORWARD";
const TARGET_CLASS: &str = "Person";
const TARGET_TYPE: &str = "employee";

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mapped {
    _key: String,
    _type: String,
    _class: String,
    #[serde(rename = "displayName")]
    display_name: String,
    _mapping: Mapping,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Mapping {
    relationship_direction: String,
    source_entity_key: String,
    target_filter_keys: Vec<Vec<String>>,
    target_entity: Target,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Target {
    // camelCase would drop the leading underscore.
    #[serde(rename = "_class")]
    class: String,
    #[serde(rename = "_type")]
    ty: String,
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
}

/// The SDK's `_key` of a mapping: the source's key, the class, then the direction and each
/// filter key with its value.
fn key(source: &str, email: &str) -> String {
    format!(
        "{source}|{}|{DIRECTION}:_class={TARGET_CLASS}:email={email}",
        CLASS.to_lowercase()
    )
}

/// The JSON Schema of one mapped relationship, for the bundled schema.
pub fn schema() -> serde_json::Value {
    let text = serde_json::json!({"type": "string"});
    serde_json::json!({
        "description": format!("JupiterOne's mapped-relationship form of one {} relationship (MappedRelationship of @jupiterone/integration-sdk-core): JupiterOne links the user to its own Person with that e-mail address.", OF.name()),
        "type": "object",
        "required": ["_key", "_type", "_class", "displayName", "_mapping"],
        "additionalProperties": false,
        "properties": {
            "_key": text,
            "_type": {"const": TYPE},
            "_class": {"const": CLASS},
            "displayName": {"const": CLASS},
            "_mapping": {
                "type": "object",
                "required": ["relationshipDirection", "sourceEntityKey", "targetFilterKeys", "targetEntity"],
                "additionalProperties": false,
                "properties": {
                    "relationshipDirection": {"const": DIRECTION},
                    "sourceEntityKey": text,
                    "targetFilterKeys": {"const": [["_class", "email"]]},
                    "targetEntity": {
                        "type": "object",
                        "required": ["_class", "_type", "email"],
                        "additionalProperties": false,
                        "properties": {
                            "_class": {"const": TARGET_CLASS},
                            "_type": {"const": TARGET_TYPE},
                            "email": text,
                            "displayName": text,
                            "firstName": text,
                            "lastName": text,
                        },
                    },
                },
            },
        },
    })
}

impl Mapped {
    /// The mapped form of a `knowbe4_user IS Person` relationship.
    pub fn of(rel: &RelationshipRef<'_>) -> Mapped {
        let person = rel.to();
        let text = |name: &str| match person.get(name) {
            Some(ValueRef::String(s)) => Some(s.to_owned()),
            _ => None,
        };
        let email = text("email").unwrap_or_default();
        Mapped {
            _key: key(rel.from_key(), &email),
            _type: TYPE.to_owned(),
            _class: CLASS.to_owned(),
            display_name: CLASS.to_owned(),
            _mapping: Mapping {
                relationship_direction: DIRECTION.to_owned(),
                source_entity_key: rel.from_key().to_owned(),
                target_filter_keys: vec![vec!["_class".to_owned(), "email".to_owned()]],
                target_entity: Target {
                    class: TARGET_CLASS.to_owned(),
                    ty: TARGET_TYPE.to_owned(),
                    email,
                    display_name: text("displayName"),
                    first_name: text("firstName"),
                    last_name: text("lastName"),
                },
            },
        }
    }

    /// What is wrong with `value` as a mapped relationship kb4graph writes, if anything.
    pub fn check(value: &serde_json::Value) -> Result<Mapped, String> {
        let mapped = Mapped::deserialize(value)
            .map_err(|e| format!("not a mapped relationship as kb4graph writes it: {e}"))?;
        let m = &mapped._mapping;
        let fixed = [
            ("_type", mapped._type.as_str(), TYPE),
            ("_class", &mapped._class, CLASS),
            ("displayName", &mapped.display_name, CLASS),
            (
                "_mapping/relationshipDirection",
                &m.relationship_direction,
                DIRECTION,
            ),
            (
                "_mapping/targetEntity/_class",
                &m.target_entity.class,
                TARGET_CLASS,
            ),
            (
                "_mapping/targetEntity/_type",
                &m.target_entity.ty,
                TARGET_TYPE,
            ),
        ];
        for (name, found, wanted) in fixed {
            if found != wanted {
                return Err(format!("{name} is {found:?}, not {wanted:?}"));
            }
        }
        if m.target_filter_keys != [["_class", "email"]] {
            return Err(format!(
                "_mapping/targetFilterKeys is {:?}, not [[\"_class\", \"email\"]]",
                m.target_filter_keys
            ));
        }
        let wanted = key(&m.source_entity_key, &m.target_entity.email);
        if mapped._key != wanted {
            return Err(format!(
                "_key is {:?}, not {wanted:?} (made from sourceEntityKey and the target's email)",
                mapped._key
            ));
        }
        Ok(mapped)
    }

    /// The user's key and the person's address.
    pub fn ends(&self) -> (&str, &str) {
        (
            &self._mapping.source_entity_key,
            &self._mapping.target_entity.email,
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{Graph, MemorySource, normalize};

    fn graph() -> Graph {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": "Acme"}));
        source.add_page(
            "users/active",
            &json!([{"id": 1, "email": "Ann@X.example", "first_name": "Ann"},
                    {"id": 2, "email": "a|b@x.example"}]),
        );
        normalize(&source).0
    }

    fn written() -> Vec<serde_json::Value> {
        graph()
            .relationships()
            .filter(|r| r.relationship_type() == OF)
            .map(|r| serde_json::to_value(Mapped::of(&r)).unwrap())
            .collect()
    }

    #[test]
    fn what_is_written_is_what_the_schema_and_the_check_accept() {
        let written = written();
        assert_eq!(written.len(), 2);
        assert_eq!(
            written[0],
            json!({
                "_key": "knowbe4:user:1|is|FORWARD:_class=Person:email=ann@x.example",
                "_type": "mapping_source_is_employee",
                "_class": "IS",
                "displayName": "IS",
                "_mapping": {
                    "relationshipDirection": "FORWARD",
                    "sourceEntityKey": "knowbe4:user:1",
                    "targetFilterKeys": [["_class", "email"]],
                    "targetEntity": {"_class": "Person", "_type": "employee",
                                     "email": "ann@x.example", "displayName": "Ann",
                                     "firstName": "Ann"},
                },
            })
        );
        let schema = jsonschema::validator_for(&schema()).unwrap();
        for value in &written {
            assert!(schema.is_valid(value), "{value}");
            assert_eq!(
                serde_json::to_value(Mapped::check(value).unwrap()).unwrap(),
                *value
            );
        }
    }

    #[test]
    fn a_changed_mapping_is_refused_by_the_schema_and_the_check() {
        let schema = jsonschema::validator_for(&schema()).unwrap();
        let cases: [(&str, serde_json::Value, &str); 4] = [
            (
                "/_mapping/targetEntity/_class",
                json!("User"),
                "_class is \"User\"",
            ),
            (
                "/_mapping/targetFilterKeys",
                json!([["_type", "_key"]]),
                "targetFilterKeys",
            ),
            (
                "/_mapping/sourceEntityKey",
                json!("knowbe4:user:9"),
                "_key is",
            ),
            ("/_mapping/extra", json!(1), "unknown field `extra`"),
        ];
        for (pointer, replacement, said) in cases {
            let mut value = written().remove(0);
            let (parent, name) = pointer.rsplit_once('/').unwrap();
            value.pointer_mut(parent).unwrap()[name] = replacement;
            let message = Mapped::check(&value).unwrap_err();
            assert!(message.contains(said), "{pointer}: {message}");
            // The key is made from the mapping, which no schema can say.
            if pointer != "/_mapping/sourceEntityKey" {
                assert!(!schema.is_valid(&value), "{pointer}");
            }
        }
    }
}
