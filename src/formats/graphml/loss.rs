//! What GraphML cannot carry, and whether a record read back shows that it may have lost
//! something: `verify` checks, rather than trusts, a format digest that differs from the graph's.

use super::text;
use crate::model::canonical::RecordView;
use crate::model::{Record, RecordKind, Value, ValueRef};

/// What is lost, for messages.
pub const DESCRIPTION: &str = "characters XML 1.0 cannot carry become U+FFFD";

/// A record as the GraphML file gives it back: characters XML 1.0 cannot carry become U+FFFD in
/// keys, names and text; string arrays are JSON text, whose escapes keep control characters, so
/// only U+FFFE and U+FFFF are lost there.
pub fn as_read_back(record: Record) -> Record {
    let arrays: Vec<(String, Vec<String>)> = record
        .properties
        .iter()
        .filter_map(|(name, value)| match value {
            Value::StringArray(list) => Some((
                text::sanitized(name).into_owned(),
                list.iter()
                    .map(|item| item.replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}"))
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    let mut record = record.map_strings(text::sanitized);
    for (name, list) in arrays {
        record.properties.insert(name, Value::StringArray(list));
    }
    record
}

/// Whether the loss may have changed `record` as read back: it holds U+FFFD somewhere.
pub fn may_have_changed(record: &Record) -> bool {
    let replaced = |s: &str| s.contains('\u{FFFD}');
    let ends = match &record.kind {
        RecordKind::Entity => false,
        RecordKind::Relationship { from, to } => replaced(from) || replaced(to),
    };
    ends || replaced(&record.key)
        || replaced(&record.type_name)
        || record.properties.iter().any(|(name, value)| {
            replaced(name)
                || match value {
                    Value::String(s) => replaced(s),
                    Value::StringArray(list) => list.iter().any(|s| replaced(s)),
                    _ => false,
                }
        })
}

/// Whether [`as_read_back`] may change the graph's record `view`: one of its strings (key,
/// ends, property names, values, array items) holds a character XML 1.0 cannot carry. False
/// means the record reads back as it is.
pub fn may_change(view: &RecordView<'_>) -> bool {
    let bad = |s: &str| !s.chars().all(text::is_xml_char);
    bad(view.key)
        || view.ends.is_some_and(|(from, to)| bad(from) || bad(to))
        || view.properties.iter().any(|(name, v)| {
            bad(name)
                || match v {
                    ValueRef::String(s) => bad(s),
                    ValueRef::StringArray(list) => list.iter().any(bad),
                    _ => false,
                }
        })
}
