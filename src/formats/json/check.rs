//! Checks `json/graph.json` against the bundled JSON Schema, plus what a schema cannot say:
//! `_key`s are unique, every relationship's ends exist with the declared `_type`, and the
//! metadata's counts match the document.
//!
//! The document is streamed: each entity and relationship is parsed and checked alone, so a
//! graph of millions of records is validated in the memory of its keys.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::BufReader;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::FILE;
use super::schema as json_schema;
use crate::formats::Format;
use crate::model::{EntityType, RelationshipType};
use crate::validate::{FormatReport, ValidateError, Violation};

/// Violations beyond this many are counted, not listed.
const MAX_LISTED: usize = 1000;

struct Validators {
    metadata: jsonschema::Validator,
    entity_any: jsonschema::Validator,
    relationship_any: jsonschema::Validator,
    by_type: HashMap<&'static str, jsonschema::Validator>,
}

fn compile(root: &Value, def: &str) -> Result<jsonschema::Validator, ValidateError> {
    let mut schema = serde_json::Map::new();
    schema.insert("$schema".into(), root["$schema"].clone());
    schema.insert("$ref".into(), Value::String(format!("#/$defs/{def}")));
    schema.insert("$defs".into(), root["$defs"].clone());
    jsonschema::draft202012::new(&Value::Object(schema))
        .map_err(|e| ValidateError::Schema(format!("{def}: {e}")))
}

impl Validators {
    fn new() -> Result<Validators, ValidateError> {
        let root: Value = serde_json::from_str(json_schema::BUNDLED)
            .map_err(|e| ValidateError::Schema(e.to_string()))?;
        let mut by_type = HashMap::new();
        for ty in EntityType::ALL {
            by_type.insert(ty.name(), compile(&root, ty.name())?);
        }
        for ty in RelationshipType::ALL {
            by_type.insert(ty.name(), compile(&root, ty.name())?);
        }
        Ok(Validators {
            metadata: compile(&root, "metadata")?,
            entity_any: compile(&root, "entity")?,
            relationship_any: compile(&root, "relationship")?,
            by_type,
        })
    }
}

/// What the walk over the document has found so far.
struct Checker<'a> {
    validators: &'a Validators,
    file: &'a str,
    violations: Vec<Violation>,
    total: usize,
    entity_types: HashMap<Box<str>, u8>,
    relationship_keys: HashSet<[u8; 16]>,
    /// Relationship ends seen before the entities: checked at the end.
    pending_ends: Vec<(String, Box<str>, EntityType)>,
    entities_seen: bool,
    counts: BTreeMap<String, u64>,
    declared_counts: Option<Value>,
    sections: Vec<String>,
}

impl Checker<'_> {
    fn report(&mut self, pointer: String, message: String) {
        self.total += 1;
        if self.violations.len() < MAX_LISTED {
            self.violations.push(Violation {
                file: self.file.to_owned(),
                pointer,
                message,
            });
        }
    }

    fn schema(&mut self, validator: &jsonschema::Validator, base: &str, value: &Value) {
        let errors: Vec<(String, String)> = validator
            .iter_errors(value)
            .map(|e| (format!("{base}{}", e.instance_path()), e.to_string()))
            .collect();
        for (pointer, message) in errors {
            self.report(pointer, message);
        }
    }

    fn entity(&mut self, index: usize, value: Value) {
        let base = format!("/entities/{index}");
        let ty = value
            .get("_type")
            .and_then(Value::as_str)
            .and_then(EntityType::from_name);
        let validators = self.validators;
        match ty.and_then(|t| validators.by_type.get(t.name())) {
            Some(v) => self.schema(v, &base, &value),
            None => self.schema(&validators.entity_any, &base, &value),
        }
        let (Some(ty), Some(key)) = (ty, value.get("_key").and_then(Value::as_str)) else {
            return;
        };
        *self.counts.entry(format!("e:{}", ty.name())).or_default() += 1;
        if self.entity_types.insert(key.into(), ty as u8).is_some() {
            self.report(format!("{base}/_key"), format!("duplicate _key {key:?}"));
        }
    }

    fn relationship(&mut self, index: usize, value: Value) {
        let base = format!("/relationships/{index}");
        let ty = value
            .get("_type")
            .and_then(Value::as_str)
            .and_then(RelationshipType::from_name);
        let validators = self.validators;
        match ty.and_then(|t| validators.by_type.get(t.name())) {
            Some(v) => self.schema(v, &base, &value),
            None => self.schema(&validators.relationship_any, &base, &value),
        }
        let Some(ty) = ty else { return };
        *self.counts.entry(format!("r:{}", ty.name())).or_default() += 1;
        if let Some(key) = value.get("_key").and_then(Value::as_str) {
            let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
            let mut short = [0u8; 16];
            short.copy_from_slice(&digest[..16]);
            if !self.relationship_keys.insert(short) {
                self.report(format!("{base}/_key"), format!("duplicate _key {key:?}"));
            }
        }
        let def = ty.def();
        for (field, expected) in [("_fromEntityKey", def.from), ("_toEntityKey", def.to)] {
            let Some(end) = value.get(field).and_then(Value::as_str) else {
                continue;
            };
            let pointer = format!("{base}/{field}");
            if self.entities_seen {
                self.check_end(pointer, end, expected);
            } else {
                self.pending_ends.push((pointer, end.into(), expected));
            }
        }
    }

    fn check_end(&mut self, pointer: String, key: &str, expected: EntityType) {
        match self.entity_types.get(key) {
            None => self.report(pointer, format!("dangling: no entity has _key {key:?}")),
            Some(&found) if found != expected as u8 => {
                let found = EntityType::ALL
                    .get(usize::from(found))
                    .map_or("?", |t| t.name());
                self.report(
                    pointer,
                    format!(
                        "{key:?} is a {found}, but this relationship type links a {}",
                        expected.name()
                    ),
                );
            }
            Some(_) => {}
        }
    }

    fn finish(&mut self) {
        for (pointer, key, expected) in std::mem::take(&mut self.pending_ends) {
            self.check_end(pointer, &key, expected);
        }
        for section in ["metadata", "entities", "relationships"] {
            if !self.sections.iter().any(|s| s == section) {
                self.report(String::new(), format!("missing \"{section}\""));
            }
        }
        let Some(declared) = self.declared_counts.take() else {
            return;
        };
        let kinds = [
            ("entities", "e:", EntityType::ALL.map(|t| t.name()).to_vec()),
            (
                "relationships",
                "r:",
                RelationshipType::ALL.map(|t| t.name()).to_vec(),
            ),
        ];
        for (section, prefix, names) in kinds {
            for name in names {
                let found = self
                    .counts
                    .get(&format!("{prefix}{name}"))
                    .copied()
                    .unwrap_or(0);
                if let Some(said) = declared[section][name].as_u64()
                    && said != found
                {
                    self.report(
                        format!("/metadata/counts/{section}/{name}"),
                        format!("says {said}, the document holds {found}"),
                    );
                }
            }
        }
    }
}

/// Validates the document at `path`; `shown` is how violations name the file.
pub fn validate_file(path: &Path, shown: &str) -> Result<(Vec<Violation>, usize), ValidateError> {
    let validators = Validators::new()?;
    let file = crate::files::open_regular(path).map_err(|source| ValidateError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut checker = Checker {
        validators: &validators,
        file: shown,
        violations: Vec::new(),
        total: 0,
        entity_types: HashMap::new(),
        relationship_keys: HashSet::new(),
        pending_ends: Vec::new(),
        entities_seen: false,
        counts: BTreeMap::new(),
        declared_counts: None,
        sections: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    let parsed = Document(&mut checker)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = parsed {
        checker.report(String::new(), format!("not a valid JSON document: {e}"));
        return Ok((checker.violations, checker.total));
    }
    checker.finish();
    Ok((checker.violations, checker.total))
}

struct Document<'c, 'a>(&'c mut Checker<'a>);

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with metadata, entities and relationships")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let checker = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "metadata" => {
                    let value: Value = map.next_value()?;
                    let validators = checker.validators;
                    checker.schema(&validators.metadata, "/metadata", &value);
                    checker.declared_counts = value.get("counts").cloned();
                }
                "entities" => {
                    map.next_value_seed(Records {
                        checker: &mut *checker,
                        entities: true,
                    })?;
                    checker.entities_seen = true;
                }
                "relationships" => map.next_value_seed(Records {
                    checker: &mut *checker,
                    entities: false,
                })?,
                other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    checker.report(
                        format!("/{}", escape_pointer(other)),
                        "unknown top-level member".to_owned(),
                    );
                }
            }
            checker.sections.push(key);
        }
        Ok(())
    }
}

struct Records<'c, 'a> {
    checker: &'c mut Checker<'a>,
    entities: bool,
}

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            if self.entities {
                self.checker.entity(index, value);
            } else {
                self.checker.relationship(index, value);
            }
            index += 1;
        }
        Ok(())
    }
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The bundled schemas this checker reads, as (file name, content).
pub const SCHEMAS: &[(&str, &str)] = &[(json_schema::FILE_NAME, json_schema::BUNDLED)];

/// Validates the JSON export in `dir`, if there is one.
pub fn validate(dir: &Path) -> Result<Option<FormatReport>, ValidateError> {
    let path = dir.join(FILE);
    if path.symlink_metadata().is_err() {
        return Ok(None);
    }
    let (violations, total) = validate_file(&path, FILE)?;
    Ok(Some(FormatReport {
        format: Format::Json,
        files: vec![FILE.to_owned()],
        violations,
        total,
    }))
}
