//! Checks `json/graph.json` against the bundled JSON Schema, plus what a schema cannot say:
//! `_key`s are unique and every relationship's ends exist with the declared `_type`.
//!
//! These are rules over the shared pass of `super::stream`, which itself reports the syntax,
//! the top-level members and the metadata's counts; so a graph of millions of records is
//! validated in the memory of its keys. Problems are collected, and shown as `validate` has
//! always shown them: by JSON pointer, a syntax error's position in its message.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;

use serde_json::Value;

use super::FILE;
use super::schema as json_schema;
use super::stream::{self, Object, Rules, Section};
use crate::formats::Format;
use crate::formats::key_index::{KeySet, KeyTags};
use crate::formats::problems::{Collected, Location, Problem, ProblemSink};
use crate::model::{EntityType, RelationshipType};
use crate::validate::{FormatReport, ValidateError, Violation};

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

/// The checker's memory of the document: keys and the ends still to be checked.
struct Checker<'a> {
    validators: &'a Validators,
    file: &'a str,
    entity_types: KeyTags<u8>,
    relationship_keys: KeySet,
    /// Relationship ends seen before the entities: checked at the end.
    pending_ends: Vec<(Location, Box<str>, EntityType)>,
    entities_seen: bool,
}

impl Checker<'_> {
    fn report(&self, sink: &mut dyn ProblemSink, at: Location, message: String) -> ControlFlow<()> {
        sink.report(Problem::new(self.file, at, message))
    }

    fn schema(
        &self,
        validator: &jsonschema::Validator,
        base: &str,
        line: u64,
        value: &Value,
        sink: &mut dyn ProblemSink,
    ) -> ControlFlow<()> {
        for e in validator.iter_errors(value) {
            let at = Location::Pointer {
                pointer: format!("{base}{}", e.instance_path()),
                line: Some(line),
            };
            self.report(sink, at, e.to_string())?;
        }
        ControlFlow::Continue(())
    }

    fn entity(&mut self, object: &Object, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        let ty = object.entity_type();
        let (Some(ty), Some(key)) = (ty, object.value.get("_key").and_then(Value::as_str)) else {
            return ControlFlow::Continue(());
        };
        if self.entity_types.insert(key, ty as u8).is_some() {
            self.report(
                sink,
                object.at(Some("_key")),
                format!("duplicate _key {key:?}"),
            )?;
        }
        ControlFlow::Continue(())
    }

    fn relationship(&mut self, object: &Object, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        let ty = object.relationship_type();
        let Some(ty) = ty else {
            return ControlFlow::Continue(());
        };
        if let Some(key) = object.value.get("_key").and_then(Value::as_str)
            && !self.relationship_keys.insert(key)
        {
            self.report(
                sink,
                object.at(Some("_key")),
                format!("duplicate _key {key:?}"),
            )?;
        }
        let def = ty.def();
        for (field, expected) in [("_fromEntityKey", def.from), ("_toEntityKey", def.to)] {
            let Some(end) = object.value.get(field).and_then(Value::as_str) else {
                continue;
            };
            let at = object.at(Some(field));
            if self.entities_seen {
                self.check_end(at, end, expected, sink)?;
            } else {
                self.pending_ends.push((at, end.into(), expected));
            }
        }
        ControlFlow::Continue(())
    }

    fn check_end(
        &self,
        at: Location,
        key: &str,
        expected: EntityType,
        sink: &mut dyn ProblemSink,
    ) -> ControlFlow<()> {
        match self.entity_types.get(key) {
            None => self.report(sink, at, format!("dangling: no entity has _key {key:?}")),
            Some(found) if found != expected as u8 => {
                let found = EntityType::ALL
                    .get(usize::from(found))
                    .map_or("?", |t| t.name());
                let message = format!(
                    "{key:?} is a {found}, but this relationship type links a {}",
                    expected.name()
                );
                self.report(sink, at, message)
            }
            Some(_) => ControlFlow::Continue(()),
        }
    }
}

impl Rules for Checker<'_> {
    fn metadata(
        &mut self,
        metadata: &Value,
        line: u64,
        sink: &mut dyn ProblemSink,
    ) -> ControlFlow<()> {
        self.schema(&self.validators.metadata, "/metadata", line, metadata, sink)
    }

    fn record(&mut self, object: Object, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        let validators = self.validators;
        let (type_name, any) = match object.section {
            Section::Entities => (
                object.entity_type().map(|t| t.name()),
                &validators.entity_any,
            ),
            Section::Relationships => (
                object.relationship_type().map(|t| t.name()),
                &validators.relationship_any,
            ),
        };
        let validator = type_name
            .and_then(|name| validators.by_type.get(name))
            .unwrap_or(any);
        let base = object.pointer(None);
        self.schema(validator, &base, object.line, &object.value, sink)?;
        match object.section {
            Section::Entities => self.entity(&object, sink),
            Section::Relationships => self.relationship(&object, sink),
        }
    }

    fn section_done(&mut self, section: Section) {
        self.entities_seen |= section == Section::Entities;
    }

    fn finish(&mut self, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        for (at, key, expected) in std::mem::take(&mut self.pending_ends) {
            self.check_end(at, &key, expected, sink)?;
        }
        ControlFlow::Continue(())
    }
}

/// Validates the document at `path` (decompressed if it is a `.gz`); `shown` is how violations
/// name the file.
pub fn validate_file(path: &Path, shown: &str) -> Result<(Vec<Violation>, usize), ValidateError> {
    let validators = Validators::new()?;
    let io = |source| ValidateError::Io {
        path: path.to_owned(),
        source,
    };
    let file = crate::compress::open_path(path).map_err(io)?;
    let mut checker = Checker {
        validators: &validators,
        file: shown,
        entity_types: KeyTags::default(),
        relationship_keys: KeySet::default(),
        pending_ends: Vec::new(),
        entities_seen: false,
    };
    let mut found = Collected::default();
    stream::read(file, shown, &mut checker, &mut found).map_err(io)?;
    let violations = found.listed.into_iter().map(violation).collect();
    Ok((violations, found.total))
}

/// A problem as `validate` lists it: a JSON pointer without its line, and a syntax error's
/// position in its message, the way serde_json words it.
fn violation(problem: Problem) -> Violation {
    let (location, message) = match problem.location {
        Location::Pointer { pointer, .. } => (
            Location::Pointer {
                pointer,
                line: None,
            },
            problem.message,
        ),
        Location::Text { line, column } => (
            Location::Document,
            format!("{} at line {line} column {column}", problem.message),
        ),
        other => (other, problem.message),
    };
    Problem::new(problem.file, location, message)
}

/// The bundled schemas this checker reads, as (file name, content).
pub const SCHEMAS: &[(&str, &str)] = &[(json_schema::FILE_NAME, json_schema::BUNDLED)];

/// Validates the JSON export in `dir`, if there is one.
pub fn validate(dir: &Path) -> Result<Option<FormatReport>, ValidateError> {
    let Some(data) = crate::compress::find_data_file(dir, FILE) else {
        return Ok(None);
    };
    let (violations, total) = validate_file(&data.path, FILE)?;
    Ok(Some(FormatReport {
        format: Format::Json,
        files: vec![FILE.to_owned()],
        violations,
        total,
    }))
}
