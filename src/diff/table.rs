//! The human-readable report: a summary, the highlights, then per type one line per record
//! added (`+`), removed (`-`) or changed (`~`, with each property `old -> new`). Keys and values
//! are escaped and cut as `text.rs` describes, so every record is one line.

use std::io::{self, Write};

use super::highlights::Highlights;
use super::text::{escape, value};
use super::{Counts, GraphDiff, Record, TypeDiff};
use crate::model::Value;

/// Keys listed per highlight before `... and N more`.
pub const HIGHLIGHT_KEYS: usize = 20;

const ABSENT: &str = "(absent)";

/// Writes the report. The same diff always gives the same bytes.
pub fn render_table(diff: &GraphDiff, out: &mut impl Write) -> io::Result<()> {
    let c = diff.counts();
    if diff.is_empty() {
        writeln!(out, "kb4graph diff: no differences")?;
    } else {
        writeln!(
            out,
            "kb4graph diff: {} added, {} removed, {} changed",
            c.added, c.removed, c.changed
        )?;
    }
    writeln!(
        out,
        "compared: old {}; new {}",
        sizes(diff.old),
        sizes(diff.new)
    )?;
    if diff.filter.is_empty() {
        writeln!(out, "types: all")?;
    } else {
        let names: Vec<String> = diff.filter.iter().map(|t| escape(t)).collect();
        writeln!(out, "types: {}", names.join(", "))?;
    }
    if diff.is_empty() {
        return Ok(());
    }

    writeln!(out)?;
    highlights(&diff.highlights(), out)?;

    for (name, t) in &diff.types {
        if !t.is_empty() {
            writeln!(out)?;
            type_section(name, t, out)?;
        }
    }
    Ok(())
}

fn sizes(c: Counts) -> String {
    format!("{} entities, {} relationships", c.entities, c.relationships)
}

fn highlights(h: &Highlights, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "highlights:")?;
    list(out, "users added", &h.users_added)?;
    list(out, "users archived", &h.users_archived)?;
    list(out, "users removed", &h.users_removed)?;
    let (added, removed) = h.membership_counts();
    writeln!(out, "  group membership: {added} added, {removed} removed")?;
    let lines = h.group_membership.iter().flat_map(|(group, m)| {
        let group = escape(group);
        m.added
            .iter()
            .map({
                let group = group.clone();
                move |u| format!("{group} +{}", escape(u))
            })
            .chain(
                m.removed
                    .iter()
                    .map(move |u| format!("{group} -{}", escape(u))),
            )
    });
    capped(out, lines, added + removed)?;
    list(out, "enrollments newly completed", &h.enrollments_completed)?;
    list(out, "enrollments newly past due", &h.enrollments_past_due)?;
    list(out, "phishing results added", &h.phishing_results_added)?;
    list(
        out,
        "phishing results added with a click",
        &h.phishing_results_added_clicked,
    )?;
    list(
        out,
        "phishing results with clickedAt or reportedAt changed",
        &h.phishing_results_click_or_report_changed,
    )?;
    list(
        out,
        "people who lost their last active account",
        &h.persons_left,
    )?;
    list(
        out,
        "people whose manager changed",
        &h.persons_manager_changed,
    )
}

fn list(out: &mut impl Write, title: &str, keys: &[String]) -> io::Result<()> {
    writeln!(out, "  {title}: {}", keys.len())?;
    capped(out, keys.iter().map(|k| escape(k)), keys.len())
}

/// The first [`HIGHLIGHT_KEYS`] lines, then how many were left out.
fn capped(
    out: &mut impl Write,
    lines: impl Iterator<Item = String>,
    total: usize,
) -> io::Result<()> {
    for line in lines.take(HIGHLIGHT_KEYS) {
        writeln!(out, "    {line}")?;
    }
    if total > HIGHLIGHT_KEYS {
        writeln!(out, "    ... and {} more", total - HIGHLIGHT_KEYS)?;
    }
    Ok(())
}

fn type_section(name: &str, t: &TypeDiff, out: &mut impl Write) -> io::Result<()> {
    let c = t.counts();
    writeln!(
        out,
        "{}: {} added, {} removed, {} changed",
        escape(name),
        c.added,
        c.removed,
        c.changed
    )?;
    for r in &t.added {
        record_line('+', r, out)?;
    }
    for r in &t.removed {
        record_line('-', r, out)?;
    }
    for r in &t.changed {
        let changes: Vec<String> = r
            .changes
            .iter()
            .map(|p| {
                format!(
                    "{}: {} -> {}",
                    escape(&p.name),
                    shown(p.old.as_ref()),
                    shown(p.new.as_ref())
                )
            })
            .collect();
        writeln!(out, "  ~ {}  {}", escape(&r.key), changes.join("; "))?;
    }
    Ok(())
}

fn record_line(mark: char, r: &Record, out: &mut impl Write) -> io::Result<()> {
    let props: Vec<String> = r
        .properties
        .iter()
        .map(|(name, v)| format!("{}={}", escape(name), value(v)))
        .collect();
    if props.is_empty() {
        writeln!(out, "  {mark} {}", escape(&r.key))
    } else {
        writeln!(out, "  {mark} {}  {}", escape(&r.key), props.join("; "))
    }
}

fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| ABSENT.to_owned(), value)
}
