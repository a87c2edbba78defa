//! The merge-join of two record streams in digest order.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::error::DiffError;
use super::filter::TypeFilter;
use super::{ChangedRecord, Counts, GraphDiff, PropertyChange, TypeDiff};
use crate::model::canonical::{self, OrderError};
use crate::model::{Graph, Record, RecordKind, Value};

/// The differences from `old` to `new`, both in digest order (entities by `_key`, then
/// relationships by `_key`, keys as bytes), each key once. Records the filter drops are still
/// checked for order. Fails, naming the key, on the first record out of order or repeated.
pub fn diff(
    old: impl Iterator<Item = Record>,
    new: impl Iterator<Item = Record>,
    filter: &TypeFilter,
) -> Result<GraphDiff, DiffError> {
    let mut old = Side::new("old", old);
    let mut new = Side::new("new", new);
    let mut out = GraphDiff {
        filter: filter.types().map(str::to_owned).collect(),
        ..GraphDiff::default()
    };
    let mut a = old.next(filter)?;
    let mut b = new.next(filter)?;
    loop {
        match (a.take(), b.take()) {
            (None, None) => break,
            (Some(x), None) => {
                removed(&mut out, x);
                a = old.next(filter)?;
            }
            (None, Some(y)) => {
                added(&mut out, y);
                b = new.next(filter)?;
            }
            (Some(x), Some(y)) => match x.canonical_cmp(&y) {
                Ordering::Less => {
                    removed(&mut out, x);
                    a = old.next(filter)?;
                    b = Some(y);
                }
                Ordering::Greater => {
                    added(&mut out, y);
                    a = Some(x);
                    b = new.next(filter)?;
                }
                Ordering::Equal => {
                    if x.type_name == y.type_name {
                        if let Some(changed) = compare(&x, y.kind, y.key, &y.properties) {
                            slot(&mut out, &x.type_name).changed.push(changed);
                        }
                    } else {
                        removed(&mut out, x);
                        added(&mut out, y);
                    }
                    a = old.next(filter)?;
                    b = new.next(filter)?;
                }
            },
        }
    }
    out.old = old.counts;
    out.new = new.counts;
    Ok(out)
}

/// The differences between two graphs (which keep their records in digest order).
pub fn diff_graphs(old: &Graph, new: &Graph, filter: &TypeFilter) -> Result<GraphDiff, DiffError> {
    diff(canonical::records(old), canonical::records(new), filter)
}

/// The differences between two sets of records in any order (as the export readers give them):
/// sorted here, then compared. A key given twice on one side is an error naming it.
pub fn diff_records(
    mut old: Vec<Record>,
    mut new: Vec<Record>,
    filter: &TypeFilter,
) -> Result<GraphDiff, DiffError> {
    old.sort_by(Record::canonical_cmp);
    new.sort_by(Record::canonical_cmp);
    diff(old.into_iter(), new.into_iter(), filter)
}

/// One input: checks order (holding only the last key) and counts what the filter keeps.
struct Side<I> {
    name: &'static str,
    records: I,
    /// Rank (relationship after entity) and key of the last record read.
    last: Option<(bool, String)>,
    counts: Counts,
}

impl<I: Iterator<Item = Record>> Side<I> {
    fn new(name: &'static str, records: I) -> Self {
        Side {
            name,
            records,
            last: None,
            counts: Counts::default(),
        }
    }

    /// The next record the filter keeps.
    fn next(&mut self, filter: &TypeFilter) -> Result<Option<Record>, DiffError> {
        for record in self.records.by_ref() {
            let rank = !record.is_entity();
            match &mut self.last {
                Some((last_rank, last_key)) => {
                    let order =
                        (*last_rank, last_key.as_bytes()).cmp(&(rank, record.key.as_bytes()));
                    if order != Ordering::Less {
                        return Err(DiffError::Order {
                            side: self.name,
                            error: OrderError {
                                kind: if rank { "relationship" } else { "entity" },
                                key: record.key,
                                problem: if order == Ordering::Equal {
                                    "twice"
                                } else {
                                    "out of order"
                                },
                            },
                        });
                    }
                    // Reuses the buffer: no allocation per record for the order check.
                    *last_rank = rank;
                    last_key.clear();
                    last_key.push_str(&record.key);
                }
                None => self.last = Some((rank, record.key.clone())),
            }
            if !filter.keeps(&record.type_name) {
                continue;
            }
            if rank {
                self.counts.relationships += 1;
            } else {
                self.counts.entities += 1;
            }
            return Ok(Some(record));
        }
        Ok(None)
    }
}

/// The differences of `type_name`, made on first use. Called once per difference, so the name
/// copied here costs in proportion to the change, like the record kept.
fn slot<'d>(out: &'d mut GraphDiff, type_name: &str) -> &'d mut TypeDiff {
    out.types.entry(type_name.to_owned()).or_default()
}

fn added(out: &mut GraphDiff, record: Record) {
    slot(out, &record.type_name).added.push(record);
}

fn removed(out: &mut GraphDiff, record: Record) {
    slot(out, &record.type_name).removed.push(record);
}

/// The changes from `old` to the new record's parts, or `None` when they hold the same data.
fn compare(
    old: &Record,
    kind: RecordKind,
    key: String,
    properties: &BTreeMap<String, Value>,
) -> Option<ChangedRecord> {
    let mut changes = Vec::new();
    if let (
        RecordKind::Relationship { from: f0, to: t0 },
        RecordKind::Relationship { from: f1, to: t1 },
    ) = (&old.kind, &kind)
    {
        for (name, a, b) in [("_fromEntityKey", f0, f1), ("_toEntityKey", t0, t1)] {
            if a != b {
                changes.push(PropertyChange {
                    name: name.to_owned(),
                    old: Some(Value::String(a.clone())),
                    new: Some(Value::String(b.clone())),
                });
            }
        }
    }
    let change = |name: &String, old: Option<&Value>, new: Option<&Value>| PropertyChange {
        name: name.clone(),
        old: old.cloned(),
        new: new.cloned(),
    };
    // Both maps iterate sorted by name: a merge finds the differing names in one pass.
    let (mut a, mut b) = (old.properties.iter(), properties.iter());
    let (mut x, mut y) = (a.next(), b.next());
    loop {
        match (x, y) {
            (None, None) => break,
            (Some((name, va)), None) => {
                changes.push(change(name, Some(va), None));
                x = a.next();
            }
            (None, Some((name, vb))) => {
                changes.push(change(name, None, Some(vb)));
                y = b.next();
            }
            (Some((na, va)), Some((nb, vb))) => match na.cmp(nb) {
                Ordering::Less => {
                    changes.push(change(na, Some(va), None));
                    x = a.next();
                }
                Ordering::Greater => {
                    changes.push(change(nb, None, Some(vb)));
                    y = b.next();
                }
                Ordering::Equal => {
                    if va != vb {
                        changes.push(change(na, Some(va), Some(vb)));
                    }
                    x = a.next();
                    y = b.next();
                }
            },
        }
    }
    (!changes.is_empty()).then_some(ChangedRecord { kind, key, changes })
}
