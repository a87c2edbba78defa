//! Checks `neo4j/` exports: `format.json` and `import.sh` agree on the dialect and name every
//! file; `load.cypher` loads every file; no stray files; and every node and relationship file,
//! read by the shared reader (`super::rows`: syntax, header against the property table,
//! column counts, typed values), holds rows as the model makes them: labels, `:TYPE`, `_type`,
//! required properties and relationship `_key`s; node `_key`s unique across all files and
//! sorted; every `:START_ID` / `:END_ID` an existing node of the type the model says; row counts
//! as `format.json` says. Violations name file, line and column; every one is listed (up to a
//! cap per file) and counted.
//!
//! Files are streamed; memory holds the node keys (for the relationship ends).

use std::ops::ControlFlow;
use std::path::Path;

use super::info;
use super::rows::{self, Kind, Row, Rules};
use crate::formats::Format;
use crate::formats::key_index::KeyTags;
use crate::formats::neo4j::columns::{self, ColumnKind};
use crate::formats::neo4j::dialect::{DELIMITER, Dialect, Quoting};
use crate::formats::neo4j::{self as export, FormatInfo};
use crate::formats::problems::{Location, Problem, ProblemSink};
use crate::model::{EntityType, RelationshipType};
use crate::validate::{FormatReport, ValidateError, Violation};

/// The bundled schemas this validator reads, as (file name, content): none, the property
/// table itself is the schema of the headers.
pub const SCHEMAS: &[(&str, &str)] = &[];

/// Violations beyond this many per file are counted, not listed.
const MAX_LISTED: usize = 1000;

struct Report {
    violations: Vec<Violation>,
    total: usize,
    listed_in_file: usize,
}

impl Report {
    fn add(&mut self, file: &str, location: Location, message: String) {
        self.push(Problem::new(file, location, message));
    }

    fn push(&mut self, problem: Problem) {
        self.total += 1;
        if self.listed_in_file < MAX_LISTED {
            self.listed_in_file += 1;
            self.violations.push(problem);
        }
    }
}

impl ProblemSink for Report {
    fn report(&mut self, problem: Problem) -> ControlFlow<()> {
        self.push(problem);
        ControlFlow::Continue(())
    }
}

/// Validates the neo4j files in `dir`, if any.
pub fn validate(dir: &Path) -> Result<Option<FormatReport>, ValidateError> {
    let root = dir.join(export::DIR);
    if !root.is_dir() {
        return Ok(None);
    }
    let mut report = Report {
        violations: Vec::new(),
        total: 0,
        listed_in_file: 0,
    };
    let mut files = Vec::new();
    let info = info::read(dir, &mut report).map_err(|source| ValidateError::Io {
        path: dir.join(export::FORMAT_FILE),
        source,
    })?;
    files.push(export::FORMAT_FILE.to_owned());
    let dialect = info
        .as_ref()
        .and_then(FormatInfo::dialect)
        .unwrap_or_default();
    check_import_sh(dir, &dialect, &mut report)?;
    files.push(export::IMPORT_SCRIPT.to_owned());
    check_load_cypher(dir, &mut report)?;
    files.push(export::LOAD_SCRIPT.to_owned());
    check_no_stray_files(&root, &mut report)?;

    let mut keys: KeyTags<u8> = KeyTags::default();
    for kind in Kind::all().into_iter().flatten() {
        let rel = kind.file();
        report.listed_in_file = 0;
        let rows = check_csv(dir, &rel, &dialect, kind, &mut keys, &mut report)?;
        let expected = info.as_ref().and_then(|i| {
            let counts = match kind {
                Kind::Node(_) => &i.nodes,
                Kind::Relationship(_) => &i.relationships,
            };
            counts.get(kind.type_name()).copied()
        });
        check_count(&rel, rows, expected, &mut report);
        files.push(rel);
    }
    Ok(Some(FormatReport {
        format: Format::Neo4j,
        files,
        violations: report.violations,
        total: report.total,
    }))
}

fn check_count(file: &str, rows: Option<u64>, expected: Option<u64>, report: &mut Report) {
    if let (Some(rows), Some(expected)) = (rows, expected)
        && rows != expected
    {
        report.add(
            file,
            Location::Document,
            format!("{rows} rows, but {} says {expected}", export::FORMAT_FILE),
        );
    }
}

fn read_text(dir: &Path, file: &str, report: &mut Report) -> Result<Option<String>, ValidateError> {
    info::read_text(dir, file, report).map_err(|source| ValidateError::Io {
        path: dir.join(file),
        source,
    })
}

/// `import.sh` must pass the dialect of `format.json` and name every file.
fn check_import_sh(
    dir: &Path,
    dialect: &Dialect,
    report: &mut Report,
) -> Result<(), ValidateError> {
    let file = export::IMPORT_SCRIPT;
    let Some(text) = read_text(dir, file, report)? else {
        return Ok(());
    };
    // Only the command, not the comment giving the Neo4j 4.4 form.
    let command: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with('#'))
        .collect();
    let option = |name: &str| {
        command.iter().find_map(|(i, l)| {
            l.trim()
                .trim_end_matches('\\')
                .trim()
                .strip_prefix(name)
                .map(|v| (*i, v.to_owned()))
        })
    };
    if !command
        .iter()
        .any(|(_, l)| l.contains("database import full"))
    {
        report.add(
            file,
            Location::Document,
            "no `neo4j-admin database import full` command".into(),
        );
    }
    let c = dialect.array_delimiter;
    let spelled = if c.is_ascii_graphic() && c != '\'' {
        format!("'{c}'")
    } else {
        format!("U+{:04X}", u32::from(c))
    };
    let expect = [
        ("--id-type=", "string".to_owned()),
        ("--delimiter=", format!("'{DELIMITER}'")),
        ("--array-delimiter=", spelled),
        ("--multiline-fields=", dialect.multiline.to_string()),
        (
            "--legacy-style-quoting=",
            (dialect.quoting == Quoting::Backslash).to_string(),
        ),
    ];
    for (name, want) in expect {
        match option(name) {
            Some((_, v)) if v == want => {}
            Some((i, v)) => report.add(
                file,
                Location::Line { line: i as u64 + 1 },
                format!("{name}{v}, but {} needs {name}{want}", export::FORMAT_FILE),
            ),
            None => report.add(
                file,
                Location::Document,
                format!("does not pass {name}{want}"),
            ),
        }
    }
    let listed: Vec<String> = EntityType::ALL
        .map(|t| format!("--nodes={}", as_found(dir, columns::node_file(t))))
        .into_iter()
        .chain(RelationshipType::ALL.map(|t| {
            format!(
                "--relationships={}",
                as_found(dir, columns::relationship_file(t))
            )
        }))
        .collect();
    for want in listed {
        if !command
            .iter()
            .any(|(_, l)| l.trim().trim_end_matches('\\').trim() == want)
        {
            report.add(file, Location::Document, format!("does not pass {want}"));
        }
    }
    Ok(())
}

/// `load.cypher` must load every file, nodes before relationships.
fn check_load_cypher(dir: &Path, report: &mut Report) -> Result<(), ValidateError> {
    let file = export::LOAD_SCRIPT;
    let Some(text) = read_text(dir, file, report)? else {
        return Ok(());
    };
    let position = |f: &str| text.find(&format!("'file:///{f}'"));
    let mut last_node = 0;
    for t in EntityType::ALL {
        let csv = as_found(dir, columns::node_file(t));
        match position(&csv) {
            Some(p) => last_node = last_node.max(p),
            None => report.add(file, Location::Document, format!("does not load {csv}")),
        }
    }
    for t in RelationshipType::ALL {
        let csv = as_found(dir, columns::relationship_file(t));
        match position(&csv) {
            Some(p) if p < last_node => report.add(
                file,
                Location::Document,
                format!("loads {csv} before every node file"),
            ),
            Some(_) => {}
            None => report.add(file, Location::Document, format!("does not load {csv}")),
        }
    }
    Ok(())
}

/// A CSV file's name relative to `neo4j/` as the scripts must name it: with `.gz` when that is
/// how it is in `dir`.
fn as_found(dir: &Path, csv: String) -> String {
    let relative = format!("{}/{csv}", export::DIR);
    let compression = crate::compress::DataFile::find(dir, &relative).compression;
    compression.file_name(&csv)
}

fn check_no_stray_files(root: &Path, report: &mut Report) -> Result<(), ValidateError> {
    for (sub, names) in [
        (
            "nodes",
            EntityType::ALL
                .map(|t| format!("{}.csv", t.name()))
                .to_vec(),
        ),
        (
            "relationships",
            RelationshipType::ALL
                .map(|t| format!("{}.csv", t.name()))
                .to_vec(),
        ),
    ] {
        let path = root.join(sub);
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        let mut stray = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| ValidateError::Io {
                path: path.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let csv = name
                .strip_suffix(crate::compress::Compression::Gzip.suffix())
                .unwrap_or(&name);
            if !names.iter().any(|n| n == csv) {
                stray.push(name);
            }
        }
        stray.sort();
        for name in stray {
            report.add(
                &format!("{}/{sub}/{name}", export::DIR),
                Location::Document,
                "not a file of the model: neither import.sh nor load.cypher loads it".into(),
            );
        }
    }
    Ok(())
}

/// Checks one CSV file; returns its row count (`None` if it could not be read as CSV).
fn check_csv(
    dir: &Path,
    file: &str,
    dialect: &Dialect,
    kind: Kind,
    keys: &mut KeyTags<u8>,
    report: &mut Report,
) -> Result<Option<u64>, ValidateError> {
    let data = crate::compress::DataFile::find(dir, file);
    let path = data.path.clone();
    let input = match data.open() {
        Ok(input) => input,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.add(file, Location::Document, "missing".into());
            return Ok(None);
        }
        Err(source) => return Err(ValidateError::Io { path, source }),
    };
    let mut rules = RowRules {
        file,
        dialect,
        kind,
        keys,
        key: String::new(),
        previous_key: String::new(),
    };
    rows::read(input, file, kind, dialect, &mut rules, report)
        .map_err(|source| ValidateError::Io { path, source })
}

/// What the checker holds rows to beyond the shared reader: the model's labels, types, keys
/// and required properties, node IDs unique across files, relationship ends that exist, and
/// rows sorted by `_key`.
struct RowRules<'a> {
    file: &'a str,
    dialect: &'a Dialect,
    kind: Kind,
    /// Every node ID so far, with its entity type.
    keys: &'a mut KeyTags<u8>,
    key: String,
    previous_key: String,
}

impl Rules for RowRules<'_> {
    fn row(&mut self, row: &Row<'_>, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        self.key.clear();
        self.model(row, sink);
        if !self.key.is_empty() {
            if self.key <= self.previous_key {
                let message = format!(
                    "_key {:?} is not after {:?}: rows must be sorted by _key, each once",
                    self.key, self.previous_key
                );
                report(sink, self.file, row.at(0), message);
            }
            std::mem::swap(&mut self.previous_key, &mut self.key);
        }
        ControlFlow::Continue(())
    }
}

/// The name of the entity type kept as its index in the node IDs seen.
fn entity_name(index: u8) -> &'static str {
    EntityType::ALL
        .get(usize::from(index))
        .map_or("?", |t| t.name())
}

/// Problems go to a [`Report`], which never stops.
fn report(sink: &mut dyn ProblemSink, file: &str, at: Location, message: String) {
    let _ = sink.report(Problem::new(file, at, message));
}

impl RowRules<'_> {
    fn model(&mut self, row: &Row<'_>, sink: &mut dyn ProblemSink) {
        let file = self.file;
        let texts = &row.texts;
        let columns = row.columns;
        let get = |name: &str| row.property(name).and_then(|i| texts[i]);
        let expect = |i: Option<usize>, want: &str, what: &str, sink: &mut dyn ProblemSink| {
            if let Some(i) = i
                && texts[i] != Some(want)
            {
                let message = format!(
                    "{what} {:?}, but the model says {want:?}",
                    texts[i].unwrap_or("")
                );
                report(sink, file, row.at(i), message);
            }
        };
        let type_col = row.property("_type");
        let required = |props: &[crate::model::PropDef], sink: &mut dyn ProblemSink| {
            for p in props.iter().filter(|p| p.required) {
                if get(p.name).is_none() {
                    let i = columns.iter().position(|c| c.name == p.name).unwrap_or(0);
                    report(sink, file, row.at(i), format!("{} is required", p.name));
                }
            }
        };
        match self.kind {
            Kind::Node(ty) => {
                let def = ty.def();
                let d = self.dialect.array_delimiter;
                let labels: String = std::iter::once(def.name)
                    .chain(def.classes.iter().copied())
                    .collect::<Vec<_>>()
                    .join(&d.to_string());
                expect(row.column(ColumnKind::Label), &labels, ":LABEL", sink);
                expect(type_col, def.name, "_type", sink);
                required(def.properties, sink);
                let Some(i) = row.column(ColumnKind::Id) else {
                    return;
                };
                let Some(key) = texts[i] else {
                    report(sink, file, row.at(i), "_key is required".into());
                    return;
                };
                self.key.push_str(key);
                if let Some(other) = self.keys.insert(key, ty as u8) {
                    let other = entity_name(other);
                    let message = format!(
                        "_key {key:?} is already the ID of a {other} node: IDs must be unique in the ID space"
                    );
                    report(sink, file, row.at(i), message);
                }
            }
            Kind::Relationship(ty) => {
                let def = ty.def();
                expect(row.column(ColumnKind::Type), def.class, ":TYPE", sink);
                expect(type_col, def.name, "_type", sink);
                required(def.properties, sink);
                let mut ends = [""; 2];
                for (n, (k, want)) in [(ColumnKind::StartId, def.from), (ColumnKind::EndId, def.to)]
                    .into_iter()
                    .enumerate()
                {
                    let Some(i) = row.column(k) else { continue };
                    let Some(end) = texts[i] else {
                        report(
                            sink,
                            file,
                            row.at(i),
                            format!("{} is required", columns[i].header()),
                        );
                        continue;
                    };
                    ends[n] = end;
                    match self.keys.get(end) {
                        None => report(
                            sink,
                            file,
                            row.at(i),
                            format!("{}: no node has the ID {end:?}", columns[i].header()),
                        ),
                        Some(found) if found != want as u8 => {
                            let found = entity_name(found);
                            let message = format!(
                                "{end:?} is a {found}, but {} links a {}",
                                def.name,
                                want.name()
                            );
                            report(sink, file, row.at(i), message);
                        }
                        Some(_) => {}
                    }
                }
                let key_col = row.property("_key");
                let mut want =
                    crate::model::keys::relationship_key(ends[0], def.key_class(), ends[1], None);
                if def.per_enrollment {
                    want.push('|');
                    want.push_str(get("enrollmentId").unwrap_or(""));
                }
                expect(key_col, &want, "_key", sink);
                self.key
                    .push_str(key_col.and_then(|i| texts[i]).unwrap_or(""));
            }
        }
    }
}
