//! The machine-readable report: one JSON document (compact, ending in a newline), the same bytes
//! for the same diff.
//!
//! ```text
//! {"format":"kb4graph-diff","formatVersion":1,"equal":false,
//!  "summary":{"typeFilter":[],                      // the --type names, sorted; [] = all
//!             "old":{"entities":N,"relationships":N}, "new":{...},
//!             "added":N,"removed":N,"changed":N,
//!             "byType":{"<_type>":{"added":N,"removed":N,"changed":N}}},
//!  "highlights":{"usersAdded":{"count":N,"keys":[...]}, "usersArchived":..., "usersRemoved":...,
//!                "groupMembership":{"added":N,"removed":N,
//!                                   "groups":{"<group _key>":{"added":[user _key...],"removed":[...]}}},
//!                "enrollmentsCompleted":..., "enrollmentsPastDue":...,
//!                "phishingResultsAdded":..., "phishingResultsAddedClicked":...,
//!                "phishingResultsClickOrReportChanged":...},
//!  "types":{"<_type>":{"added":[R...],"changed":[C...],"removed":[R...]}}}
//! R = {"_key":K, "_fromEntityKey":K, "_toEntityKey":K (relationships only), "properties":{name: value}}
//! C = {"_key":K, endpoints as in R, "changes":{name:{"old":value,"new":value}}}
//! ```
//! Values are written as the JSON export writes them (datetimes and dates as ISO text). In a
//! change, `old` or `new` is left out where the property is absent on that side. Highlight key
//! lists are complete and sorted (see `highlights.rs` for what each reads); `types` lists only
//! types with a difference, sorted by name, records in `_key` order. Objects' members are sorted
//! by name, except the top level, which comes in the order above.

use std::io::{self, Write};

use serde_json::{Map, Value as J, json};

use super::highlights::Highlights;
use super::{ChangedRecord, GraphDiff, Record};
use crate::model::RecordKind;
use crate::model::canonical::value_json;

/// `format` of the document.
pub const FORMAT_NAME: &str = "kb4graph-diff";
/// `formatVersion`: raised when a member changes meaning or goes away (adding one does not).
pub const FORMAT_VERSION: u32 = 1;

/// Writes the document. Types are written record by record, so the whole document is never
/// held in memory twice.
pub fn render_json(diff: &GraphDiff, out: &mut impl Write) -> io::Result<()> {
    write!(
        out,
        "{{\"format\":{},\"formatVersion\":{FORMAT_VERSION},\"equal\":{},\"summary\":",
        J::from(FORMAT_NAME),
        diff.is_empty()
    )?;
    serde_json::to_writer(&mut *out, &summary(diff))?;
    out.write_all(b",\"highlights\":")?;
    serde_json::to_writer(&mut *out, &highlights(&diff.highlights()))?;
    out.write_all(b",\"types\":{")?;
    let mut first_type = true;
    for (name, t) in diff.types.iter().filter(|(_, t)| !t.is_empty()) {
        if !first_type {
            out.write_all(b",")?;
        }
        first_type = false;
        serde_json::to_writer(&mut *out, name)?;
        out.write_all(b":{\"added\":")?;
        array(out, t.added.iter().map(record))?;
        out.write_all(b",\"changed\":")?;
        array(out, t.changed.iter().map(changed))?;
        out.write_all(b",\"removed\":")?;
        array(out, t.removed.iter().map(record))?;
        out.write_all(b"}")?;
    }
    out.write_all(b"}}\n")
}

fn array(out: &mut impl Write, items: impl Iterator<Item = J>) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &item)?;
    }
    out.write_all(b"]")
}

fn summary(diff: &GraphDiff) -> J {
    let c = diff.counts();
    let by_type: Map<String, J> = diff
        .types
        .iter()
        .filter(|(_, t)| !t.is_empty())
        .map(|(name, t)| {
            let c = t.counts();
            (
                name.clone(),
                json!({"added": c.added, "removed": c.removed, "changed": c.changed}),
            )
        })
        .collect();
    json!({
        "typeFilter": diff.filter,
        "old": {"entities": diff.old.entities, "relationships": diff.old.relationships},
        "new": {"entities": diff.new.entities, "relationships": diff.new.relationships},
        "added": c.added,
        "removed": c.removed,
        "changed": c.changed,
        "byType": by_type,
    })
}

fn highlights(h: &Highlights) -> J {
    let keys = |k: &[String]| json!({"count": k.len(), "keys": k});
    let (added, removed) = h.membership_counts();
    let groups: Map<String, J> = h
        .group_membership
        .iter()
        .map(|(g, m)| (g.clone(), json!({"added": m.added, "removed": m.removed})))
        .collect();
    json!({
        "usersAdded": keys(&h.users_added),
        "usersArchived": keys(&h.users_archived),
        "usersRemoved": keys(&h.users_removed),
        "groupMembership": {"added": added, "removed": removed, "groups": groups},
        "enrollmentsCompleted": keys(&h.enrollments_completed),
        "enrollmentsPastDue": keys(&h.enrollments_past_due),
        "phishingResultsAdded": keys(&h.phishing_results_added),
        "phishingResultsAddedClicked": keys(&h.phishing_results_added_clicked),
        "phishingResultsClickOrReportChanged": keys(&h.phishing_results_click_or_report_changed),
        "personsLeft": keys(&h.persons_left),
        "personsManagerChanged": keys(&h.persons_manager_changed),
    })
}

fn identity(kind: &RecordKind, key: &str) -> Map<String, J> {
    let mut o = Map::new();
    o.insert("_key".into(), key.into());
    if let RecordKind::Relationship { from, to } = kind {
        o.insert("_fromEntityKey".into(), from.as_str().into());
        o.insert("_toEntityKey".into(), to.as_str().into());
    }
    o
}

fn record(r: &Record) -> J {
    let mut o = identity(&r.kind, &r.key);
    let props: Map<String, J> = r
        .properties
        .iter()
        .map(|(name, v)| (name.clone(), value_json(v)))
        .collect();
    o.insert("properties".into(), J::Object(props));
    J::Object(o)
}

fn changed(c: &ChangedRecord) -> J {
    let mut o = identity(&c.kind, &c.key);
    let changes: Map<String, J> = c
        .changes
        .iter()
        .map(|p| {
            let mut change = Map::new();
            if let Some(v) = &p.old {
                change.insert("old".into(), value_json(v));
            }
            if let Some(v) = &p.new {
                change.insert("new".into(), value_json(v));
            }
            (p.name.clone(), J::Object(change))
        })
        .collect();
    o.insert("changes".into(), J::Object(changes));
    J::Object(o)
}
