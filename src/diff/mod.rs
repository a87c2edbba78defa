//! Differences between two graphs, for audits over time: what was added, removed and changed
//! between an older and a newer snapshot or export, grouped by `_type`, with the changes that
//! answer the usual audit questions picked out as [`Highlights`].
//!
//! [`diff`] merge-joins two streams of [`Record`]s given in digest order (entities by `_key`,
//! then relationships by `_key`, keys compared as bytes: what [`crate::model::canonical::records`]
//! and the export readers yield). It holds one record of each side at a time plus the
//! differences found, so memory follows the size of the change, not of the graphs.
//!
//! Records are matched by kind (entity or relationship) and `_key`. A matched pair with the same
//! `_type` is *changed* when a property differs (values compare by type and value, floats by
//! bits) or, for relationships, an endpoint differs (reported as a change of `_fromEntityKey` or
//! `_toEntityKey`). A matched pair whose `_type`s differ is a removal from the old type and an
//! addition to the new one.
//!
//! ```no_run
//! use kb4graph::diff::{TypeFilter, diff_graphs, render_table};
//! # fn graphs() -> (kb4graph::model::Graph, kb4graph::model::Graph) { unimplemented!() }
//! let (old, new) = graphs();
//! let filter = TypeFilter::new(["knowbe4_user"]).expect("a known type");
//! let d = diff_graphs(&old, &new, &filter).expect("graphs are sorted");
//! render_table(&d, &mut std::io::stdout().lock()).expect("stdout");
//! // What a change means (an alert, a failed check, an exit code) is the caller's to decide.
//! let changed = !d.is_empty();
//! # let _ = changed;
//! ```

mod engine;
mod error;
mod filter;
mod highlights;
mod json;
mod table;
mod text;

use std::collections::BTreeMap;

pub use engine::{diff, diff_graphs, diff_records};
pub use error::DiffError;
pub use filter::TypeFilter;
pub use highlights::{GroupMembership, Highlights};
pub use json::{FORMAT_NAME, FORMAT_VERSION, render_json};
pub use table::render_table;

use crate::model::{Record, RecordKind, Value};

/// The differences between two graphs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphDiff {
    /// The `_type`s compared, sorted; empty when every type was.
    pub filter: Vec<String>,
    /// Records compared on the old side (those the filter kept).
    pub old: Counts,
    /// Records compared on the new side.
    pub new: Counts,
    /// Per `_type` with at least one difference, sorted by type name.
    pub types: BTreeMap<String, TypeDiff>,
}

/// How many entities and relationships one side holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub entities: u64,
    pub relationships: u64,
}

/// The differences within one `_type`, each list in digest order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeDiff {
    /// Records only in the new graph.
    pub added: Vec<Record>,
    /// Records only in the old graph.
    pub removed: Vec<Record>,
    /// Records in both whose properties or endpoints differ.
    pub changed: Vec<ChangedRecord>,
}

/// A record in both graphs that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedRecord {
    /// Entity, or relationship with its endpoints in the new graph.
    pub kind: RecordKind,
    pub key: String,
    /// The properties that differ, sorted by name (endpoint changes, `_fromEntityKey` and
    /// `_toEntityKey`, come first).
    pub changes: Vec<PropertyChange>,
}

/// One property that differs; `None` where the property is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    pub name: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Added, removed and changed record counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeCounts {
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
}

impl ChangeCounts {
    pub fn total(&self) -> u64 {
        self.added + self.removed + self.changed
    }
}

impl TypeDiff {
    pub fn counts(&self) -> ChangeCounts {
        ChangeCounts {
            added: self.added.len() as u64,
            removed: self.removed.len() as u64,
            changed: self.changed.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl ChangedRecord {
    /// The change of property `name`, if it changed.
    pub fn change(&self, name: &str) -> Option<&PropertyChange> {
        self.changes.iter().find(|c| c.name == name)
    }
}

impl GraphDiff {
    /// True when the graphs (as far as the filter looked) hold the same records.
    pub fn is_empty(&self) -> bool {
        self.types.values().all(TypeDiff::is_empty)
    }

    /// Counts over every type.
    pub fn counts(&self) -> ChangeCounts {
        self.types
            .values()
            .map(TypeDiff::counts)
            .fold(ChangeCounts::default(), |a, c| ChangeCounts {
                added: a.added + c.added,
                removed: a.removed + c.removed,
                changed: a.changed + c.changed,
            })
    }

    /// The differences of one `_type`, if it has any.
    pub fn of_type(&self, type_name: &str) -> Option<&TypeDiff> {
        self.types.get(type_name)
    }

    /// The audit questions answered from these differences.
    pub fn highlights(&self) -> Highlights {
        Highlights::of(self)
    }
}
