//! What RDF cannot carry, and whether a record read back shows that it may have lost something:
//! `verify` checks, rather than trusts, a format digest that differs from the graph's.

use super::read::sort_items;
use crate::model::canonical::RecordView;
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value, ValueRef};

/// What is lost, for messages.
pub const DESCRIPTION: &str =
    "arrays read back sorted without duplicates, and empty arrays not at all";

/// A record as the RDF files give it back: an array is a set of repeated triples, so it reads
/// back sorted by its text, without repeats, and an empty one not at all.
pub fn as_read_back(mut record: Record) -> Record {
    record.properties.values_mut().for_each(sort_items);
    record.properties.retain(|_, v| match v {
        Value::StringArray(list) => !list.is_empty(),
        Value::IntegerArray(list) => !list.is_empty(),
        _ => true,
    });
    record
}

/// Whether the loss may have changed `record` as read back: it holds an array of more than one
/// item (whose order or repeats may be gone) or lacks a declared array (which may have been
/// empty).
pub fn may_have_changed(record: &Record) -> bool {
    let holds_array = record.properties.values().any(|v| {
        matches!(v, Value::StringArray(list) if list.len() > 1)
            || matches!(v, Value::IntegerArray(list) if list.len() > 1)
    });
    holds_array || lacks_a_declared_array(record)
}

fn lacks_a_declared_array(record: &Record) -> bool {
    let declared = match &record.kind {
        RecordKind::Entity => EntityType::from_name(&record.type_name).map(|t| t.def().properties),
        RecordKind::Relationship { .. } => {
            RelationshipType::from_name(&record.type_name).map(|t| t.def().properties)
        }
    };
    declared
        .unwrap_or_default()
        .iter()
        .any(|p| p.value_type.is_array() && !record.properties.contains_key(p.name))
}

/// Whether [`as_read_back`] may change the graph's record `view`: it holds an empty array, a
/// string array not strictly ascending, or an integer array of more than one item. False means
/// the record reads back as it is.
pub fn may_change(view: &RecordView<'_>) -> bool {
    view.properties.iter().any(|(_, v)| match v {
        ValueRef::StringArray(list) => {
            list.is_empty() || (1..list.len()).any(|i| list.get(i - 1) >= list.get(i))
        }
        ValueRef::IntegerArray(list) => list.len() != 1,
        _ => false,
    })
}
