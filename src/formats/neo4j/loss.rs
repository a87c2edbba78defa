//! What the Neo4j CSV cannot carry, and whether a record read back shows that it may have lost
//! something: `verify` checks, rather than trusts, a format digest that differs from the graph's.

use crate::model::canonical::RecordView;
use crate::model::{Record, Value, ValueRef};

/// What is lost, for messages.
pub const DESCRIPTION: &str = "a string array holding one empty string reads back empty";

/// A record as the Neo4j files give it back: a string array holding one empty string is
/// written like an empty array (both are `""` in an array column), so it reads back empty.
pub fn as_read_back(mut record: Record) -> Record {
    for value in record.properties.values_mut() {
        if let Value::StringArray(list) = value
            && list.len() == 1
            && list[0].is_empty()
        {
            list.clear();
        }
    }
    record
}

/// Whether the loss may have changed `record` as read back: it holds an empty string array.
pub fn may_have_changed(record: &Record) -> bool {
    record
        .properties
        .values()
        .any(|v| matches!(v, Value::StringArray(list) if list.is_empty()))
}

/// Whether [`as_read_back`] may change the graph's record `view`: it holds an array of one
/// empty string. False means the record reads back as it is.
pub fn may_change(view: &RecordView<'_>) -> bool {
    view.properties.iter().any(|(_, v)| {
        matches!(v, ValueRef::StringArray(list) if list.len() == 1 && list.get(0) == Some(""))
    })
}
