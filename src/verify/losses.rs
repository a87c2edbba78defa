//! What each export format loses on the way through its files (its exporter's `as_read_back`,
//! the form its files read back to), and whether records read back from it show that the loss
//! could have changed anything. `verify` uses both to check, rather than trust, a format digest
//! that differs from the graph digest.

use crate::export::Format;
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value};

/// The graph as `format`'s files hold it, from the graph itself.
pub fn form(format: Format) -> fn(Record) -> Record {
    match format {
        Format::Json => std::convert::identity,
        Format::Neo4j => crate::formats::neo4j::as_read_back,
        Format::GraphMl => crate::formats::graphml::as_read_back,
        Format::NTriples | Format::Turtle | Format::NQuads => crate::formats::rdf::as_read_back,
    }
}

/// The documented losses, for messages.
pub fn describe(format: Format) -> &'static str {
    match format {
        Format::Json => "nothing",
        Format::Neo4j => "a string array holding one empty string reads back empty",
        Format::GraphMl => "characters XML 1.0 cannot carry become U+FFFD",
        Format::NTriples | Format::Turtle | Format::NQuads => {
            "arrays read back sorted without duplicates, and empty arrays not at all"
        }
    }
}

/// How many records read back from `format` its loss may have changed: where none, they are
/// the graph itself.
pub fn may_have_changed(format: Format, records: &[Record]) -> usize {
    let changed: fn(&Record) -> bool = match format {
        Format::Json => |_| false,
        Format::Neo4j => |r| {
            r.properties
                .values()
                .any(|v| matches!(v, Value::StringArray(list) if list.is_empty()))
        },
        Format::GraphMl => |r| {
            let replaced = |s: &str| s.contains('\u{FFFD}');
            let ends = match &r.kind {
                RecordKind::Entity => false,
                RecordKind::Relationship { from, to } => replaced(from) || replaced(to),
            };
            ends || replaced(&r.key)
                || replaced(&r.type_name)
                || r.properties.iter().any(|(name, value)| {
                    replaced(name)
                        || match value {
                            Value::String(s) => replaced(s),
                            Value::StringArray(list) => list.iter().any(|s| replaced(s)),
                            _ => false,
                        }
                })
        },
        Format::NTriples | Format::Turtle | Format::NQuads => |r| {
            let holds_array = r.properties.values().any(|v| {
                matches!(v, Value::StringArray(list) if list.len() > 1)
                    || matches!(v, Value::IntegerArray(list) if list.len() > 1)
            });
            holds_array || lacks_a_declared_array(r)
        },
    };
    records.iter().filter(|r| changed(r)).count()
}

/// A record without one of the array properties its type declares: it may have been empty.
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn user(properties: &[(&str, Value)]) -> Record {
        Record {
            kind: RecordKind::Entity,
            key: "knowbe4:user:1".into(),
            type_name: "knowbe4_user".into(),
            properties: properties
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    /// A record each loss leaves alone shows no sign of it; one it may have changed does.
    #[test]
    fn each_loss_is_seen_only_where_it_may_have_acted() {
        let plain = user(&[("name", Value::String("Ann".into()))]);
        let empty = user(&[("tags", Value::StringArray(vec![]))]);
        let replaced = user(&[("name", Value::String("A\u{FFFD}n".into()))]);
        let two = user(&[("tags", Value::StringArray(vec!["a".into(), "b".into()]))]);
        assert_eq!(
            may_have_changed(Format::Json, std::slice::from_ref(&empty)),
            0
        );
        assert_eq!(
            may_have_changed(Format::Neo4j, std::slice::from_ref(&plain)),
            0
        );
        assert_eq!(may_have_changed(Format::Neo4j, &[empty]), 1);
        assert_eq!(
            may_have_changed(Format::GraphMl, std::slice::from_ref(&plain)),
            0
        );
        assert_eq!(may_have_changed(Format::GraphMl, &[replaced]), 1);
        assert_eq!(may_have_changed(Format::NTriples, &[two]), 1);
        for format in Format::ALL {
            let record = form(format)(plain.clone());
            assert_eq!(record, plain, "{format:?}");
        }
    }
}
