//! The names of kb4graph's RDF vocabulary, derived from the property table.
//!
//! One class per entity type, one class per relationship type (for relationships that carry
//! properties, written as nodes of their own), one datatype property per property of each type
//! and one object property per relationship type. Property IRIs are qualified by their type
//! (`kb:User_email`), like D2RQ's `table_column`: the same JSON property name has different
//! value types on different types (`status` is an integer on policies and a string elsewhere),
//! and a qualified property has exactly one `rdfs:domain` and one `rdfs:range`.

use crate::model::{EntityType, PropDef, RelationshipDef, RelationshipType, ValueType};

/// The vocabulary namespace (classes and properties). A w3id.org permanent identifier: stable
/// whatever hosts the documentation, and never dependent on `--base-iri`.
pub const VOCAB_NS: &str = "https://w3id.org/kb4graph/ns#";
/// The ontology's own IRI (`owl:Ontology`).
pub const ONTOLOGY_IRI: &str = "https://w3id.org/kb4graph/ns";
/// The namespace of the SHACL shapes.
pub const SHAPES_NS: &str = "https://w3id.org/kb4graph/shapes#";
/// The shapes graph's own IRI.
pub const SHAPES_IRI: &str = "https://w3id.org/kb4graph/shapes";

pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// `kb:key`: the `_key` of an entity or relationship node, as a string.
pub const KEY: &str = "key";
/// `kb:from` / `kb:to`: a relationship node's two ends.
pub const FROM: &str = "from";
pub const TO: &str = "to";
/// `kb:complete`: whether a snapshot's fetch finished (provenance graph of N-Quads).
pub const COMPLETE: &str = "complete";

/// The local name of an entity type's class.
pub fn entity_class(ty: EntityType) -> &'static str {
    match ty {
        EntityType::Account => "Account",
        EntityType::User => "User",
        EntityType::UserGroup => "UserGroup",
        EntityType::TrainingCampaign => "TrainingCampaign",
        EntityType::TrainingModule => "TrainingModule",
        EntityType::PhishingCampaign => "PhishingCampaign",
        EntityType::PhishingSecurityTest => "PhishingSecurityTest",
        EntityType::PhishingSecurityTestResult => "PhishingSecurityTestResult",
        EntityType::PhishingCategory => "PhishingCategory",
        EntityType::RiskScore => "RiskScore",
        EntityType::Person => "Person",
    }
}

/// `REPORTS_TO` -> `ReportsTo` (`upper`) or `reportsTo`.
fn camel(class: &str, upper: bool) -> String {
    let mut out = String::with_capacity(class.len());
    for (i, word) in class.split('_').enumerate() {
        for (j, c) in word.chars().enumerate() {
            if j == 0 && (upper || i > 0) {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// The local name of the class of a relationship type's nodes: `TrainingModuleAssignedUser`.
pub fn relationship_class(ty: RelationshipType) -> String {
    let def = ty.def();
    format!(
        "{}{}{}",
        entity_class(def.from),
        camel(def.class, true),
        entity_class(def.to)
    )
}

/// The local name of a relationship type's object property: `TrainingModule_assignedUser`.
pub fn relationship_predicate(ty: RelationshipType) -> String {
    let def: &RelationshipDef = ty.def();
    format!(
        "{}_{}{}",
        entity_class(def.from),
        camel(def.class, false),
        entity_class(def.to)
    )
}

/// The local name of a property of a class: `User_email`.
pub fn property(owner_class: &str, name: &str) -> String {
    format!("{owner_class}_{}", property_local(name))
}

/// A property name as its IRI spells it after the owner's class: a dot (`tag.AccountName`)
/// becomes `_`, which no property name holds, so [`property_name`] undoes it.
fn property_local(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains('.') {
        name.replace('.', "_").into()
    } else {
        name.into()
    }
}

/// The property name a local name's part after the owner's class spells.
pub fn property_name(local: String) -> String {
    if local.contains('_') {
        local.replace('_', ".")
    } else {
        local
    }
}

/// An IRI as messages show it: vocabulary, shape and XSD names prefixed (`kb:User_email`,
/// `kbsh:User_email`, `xsd:integer`), any other in angle brackets.
pub fn compact(iri: &str) -> String {
    for (prefix, namespace) in [("kb", VOCAB_NS), ("xsd", XSD), ("kbsh", SHAPES_NS)] {
        if let Some(local) = iri.strip_prefix(namespace) {
            return format!("{prefix}:{local}");
        }
    }
    format!("<{iri}>")
}

/// The XSD datatype (local name) of a value type; arrays are repeated values of their item type.
pub fn datatype(ty: ValueType) -> &'static str {
    match ty {
        ValueType::String | ValueType::StringArray => "string",
        ValueType::Integer | ValueType::IntegerArray => "integer",
        // The model holds IEEE doubles; xsd:decimal would promise an exactness they lack.
        ValueType::Float => "double",
        // The API writes risk scores as decimals (`26.7`); they read back exactly.
        ValueType::Decimal => "decimal",
        ValueType::Boolean => "boolean",
        ValueType::DateTime => "dateTime",
        ValueType::Date => "date",
    }
}

/// The JupiterOne `_class`es of an entity type that are classes of their own, besides the type's
/// class (`Training` and `Module` for training modules). `Account`, `User` and `UserGroup` are
/// both a `_class` and a type's class: one IRI.
pub fn extra_classes(ty: EntityType) -> impl Iterator<Item = &'static str> {
    let own = entity_class(ty);
    ty.def().classes.iter().copied().filter(move |c| *c != own)
}

/// Every `_class` value used by some entity type, sorted.
pub fn jupiterone_classes() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = EntityType::ALL
        .iter()
        .flat_map(|t| t.def().classes.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The properties of an entity type, with their IRIs' local names.
pub fn entity_properties(ty: EntityType) -> impl Iterator<Item = (&'static PropDef, String)> {
    let class = entity_class(ty);
    ty.def()
        .properties
        .iter()
        .map(move |p| (p, property(class, p.name)))
}

/// The properties of a relationship type's nodes, with their IRIs' local names.
pub fn relationship_properties(
    ty: RelationshipType,
) -> impl Iterator<Item = (&'static PropDef, String)> {
    let class = relationship_class(ty);
    ty.def()
        .properties
        .iter()
        .map(move |p| (p, property(&class, p.name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_name_is_unique_and_a_plain_local_name() {
        let mut names = BTreeSet::new();
        let mut add = |n: String| {
            assert!(
                n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{n}"
            );
            assert!(names.insert(n.clone()), "{n} twice");
        };
        for n in [KEY, FROM, TO, COMPLETE] {
            add(n.to_owned());
        }
        for c in jupiterone_classes() {
            if !EntityType::ALL.iter().any(|t| entity_class(*t) == c) {
                add(c.to_owned());
            }
        }
        for t in EntityType::ALL {
            add(entity_class(t).to_owned());
            for (_, n) in entity_properties(t) {
                add(n);
            }
        }
        for t in RelationshipType::ALL {
            add(relationship_class(t));
            add(relationship_predicate(t));
            for (_, n) in relationship_properties(t) {
                add(n);
            }
        }
    }

    #[test]
    fn a_class_shared_with_a_type_belongs_to_that_type_only() {
        for c in jupiterone_classes() {
            let owners: Vec<EntityType> = EntityType::ALL
                .into_iter()
                .filter(|t| t.def().classes.contains(&c))
                .collect();
            if let Some(t) = EntityType::ALL.iter().find(|t| entity_class(**t) == c) {
                assert_eq!(owners, vec![*t], "{c}");
            }
        }
    }
}
