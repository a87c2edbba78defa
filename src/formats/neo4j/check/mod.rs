//! Checks `neo4j/` exports: `format.json` and `import.sh` agree on the dialect and name every
//! file; each CSV header follows neo4j-admin's grammar and matches the property table; every
//! row has the header's column count and values of the declared types; node `_key`s are
//! unique across all files; every `:START_ID` / `:END_ID` exists with the type the model says;
//! labels, `:TYPE`, `_type` and relationship `_key`s are as the model makes them; no value holds
//! the array delimiter; row counts match `format.json`. Violations name file, line and column.
//!
//! Files are streamed; memory holds the node keys (for the relationship ends).

pub mod values;

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use super::tokenizer::{Next, Record, Tokenizer};
use crate::formats::Format;
use crate::formats::neo4j::columns::{self, Column, ColumnKind, parse_header_cell};
use crate::formats::neo4j::dialect::{DELIMITER, Dialect, Quoting};
use crate::formats::neo4j::{self as export, FormatInfo};
use crate::model::{EntityType, RelationshipType, ValueType};
use crate::validate::{FormatReport, ValidateError, Violation};

pub use super::tokenizer::{
    FieldPos, Next as TokenizerNext, Record as CsvRecord, Tokenizer as CsvTokenizer,
};

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
    fn add(&mut self, file: &str, pointer: String, message: String) {
        self.total += 1;
        if self.listed_in_file < MAX_LISTED {
            self.listed_in_file += 1;
            self.violations.push(Violation {
                file: file.to_owned(),
                pointer,
                message,
            });
        }
    }
}

fn at(line: u64, column: usize) -> String {
    format!("line {line}, column {column}")
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
    let info = read_format(dir, &mut report)?;
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

    let mut keys: HashMap<Box<str>, u8> = HashMap::new();
    for ty in EntityType::ALL {
        let rel = format!("{}/{}", export::DIR, columns::node_file(ty));
        report.listed_in_file = 0;
        let rows = check_csv(dir, &rel, &dialect, Kind::Node(ty), &mut keys, &mut report)?;
        let expected = info.as_ref().and_then(|i| i.nodes.get(ty.name()).copied());
        check_count(&rel, rows, expected, &mut report);
        files.push(rel);
    }
    for ty in RelationshipType::ALL {
        let rel = format!("{}/{}", export::DIR, columns::relationship_file(ty));
        report.listed_in_file = 0;
        let rows = check_csv(dir, &rel, &dialect, Kind::Rel(ty), &mut keys, &mut report)?;
        let expected = info
            .as_ref()
            .and_then(|i| i.relationships.get(ty.name()).copied());
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
            String::new(),
            format!("{rows} rows, but {} says {expected}", export::FORMAT_FILE),
        );
    }
}

fn read_text(dir: &Path, rel: &str, report: &mut Report) -> Result<Option<String>, ValidateError> {
    let path = dir.join(rel);
    // The scripts and the format file are small; a larger file is not one kb4graph wrote.
    const TEXT_MAX_BYTES: u64 = 64 << 20;
    let read = crate::files::open_regular(&path)
        .and_then(|file| crate::files::read_expected(file, TEXT_MAX_BYTES));
    match read {
        Ok(bytes) if bytes.len() as u64 > TEXT_MAX_BYTES => {
            report.add(
                rel,
                String::new(),
                format!("larger than {TEXT_MAX_BYTES} bytes"),
            );
            Ok(None)
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Ok(Some(s)),
            Err(_) => {
                report.add(rel, String::new(), "not UTF-8".into());
                Ok(None)
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.add(rel, String::new(), "missing".into());
            Ok(None)
        }
        Err(source) => Err(ValidateError::Io { path, source }),
    }
}

fn read_format(dir: &Path, report: &mut Report) -> Result<Option<FormatInfo>, ValidateError> {
    let file = export::FORMAT_FILE;
    let Some(text) = read_text(dir, file, report)? else {
        return Ok(None);
    };
    let info: FormatInfo = match serde_json::from_str(&text) {
        Ok(info) => info,
        Err(e) => {
            report.add(
                file,
                String::new(),
                format!("not a kb4graph Neo4j format file: {e}"),
            );
            return Ok(None);
        }
    };
    if info.format != export::FORMAT_NAME || info.format_version != export::FORMAT_VERSION {
        report.add(
            file,
            "/format".into(),
            format!(
                "{} version {} is not {} version {}",
                info.format,
                info.format_version,
                export::FORMAT_NAME,
                export::FORMAT_VERSION
            ),
        );
    }
    if info.delimiter != DELIMITER.to_string() || info.id_space != columns::ID_SPACE {
        report.add(
            file,
            "/delimiter".into(),
            "delimiter or ID space is not kb4graph's".into(),
        );
    }
    match info.dialect() {
        Some(d) if [DELIMITER, '"', '\n', '\r'].contains(&d.array_delimiter) => report.add(
            file,
            "/arrayDelimiter".into(),
            format!("{:?} cannot be the array delimiter", d.array_delimiter),
        ),
        Some(_) => {}
        None => report.add(
            file,
            "/arrayDelimiter".into(),
            "the array delimiter must be one character and quoting rfc4180 or backslash".into(),
        ),
    }
    Ok(Some(info))
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
            String::new(),
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
                format!("line {}", i + 1),
                format!("{name}{v}, but {} needs {name}{want}", export::FORMAT_FILE),
            ),
            None => report.add(file, String::new(), format!("does not pass {name}{want}")),
        }
    }
    let listed: Vec<String> = EntityType::ALL
        .map(|t| format!("--nodes={}", columns::node_file(t)))
        .into_iter()
        .chain(
            RelationshipType::ALL
                .map(|t| format!("--relationships={}", columns::relationship_file(t))),
        )
        .collect();
    for want in listed {
        if !command
            .iter()
            .any(|(_, l)| l.trim().trim_end_matches('\\').trim() == want)
        {
            report.add(file, String::new(), format!("does not pass {want}"));
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
    let position = |f: String| text.find(&format!("'file:///{f}'"));
    let mut last_node = 0;
    for t in EntityType::ALL {
        match position(columns::node_file(t)) {
            Some(p) => last_node = last_node.max(p),
            None => report.add(
                file,
                String::new(),
                format!("does not load {}", columns::node_file(t)),
            ),
        }
    }
    for t in RelationshipType::ALL {
        match position(columns::relationship_file(t)) {
            Some(p) if p < last_node => report.add(
                file,
                String::new(),
                format!(
                    "loads {} before every node file",
                    columns::relationship_file(t)
                ),
            ),
            Some(_) => {}
            None => report.add(
                file,
                String::new(),
                format!("does not load {}", columns::relationship_file(t)),
            ),
        }
    }
    Ok(())
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
            if !names.contains(&name) {
                stray.push(name);
            }
        }
        stray.sort();
        for name in stray {
            report.add(
                &format!("{}/{sub}/{name}", export::DIR),
                String::new(),
                "not a file of the model: neither import.sh nor load.cypher loads it".into(),
            );
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Node(EntityType),
    Rel(RelationshipType),
}

/// The header must be the table's columns, then extra properties (`name:string`, camelCase,
/// sorted). Returns the columns to check rows against.
fn check_header(file: &str, rec: &Record, kind: Kind, report: &mut Report) -> Option<Vec<Column>> {
    let table = match kind {
        Kind::Node(t) => columns::node_columns(t, []),
        Kind::Rel(t) => columns::relationship_columns(t, []),
    };
    let mut cols = Vec::new();
    let mut ok = true;
    let mut previous_extra: Option<String> = None;
    for i in 0..rec.fields.len() {
        let cell = String::from_utf8_lossy(rec.field(i));
        let pointer = at(rec.line, i + 1);
        if let Err(e) = parse_header_cell(&cell) {
            report.add(file, pointer, format!("header: {e}"));
            ok = false;
            continue;
        }
        if let Some(want) = table.get(i) {
            if cell != want.header() {
                report.add(
                    file,
                    pointer,
                    format!(
                        "header {cell:?}, but the property table says {:?}",
                        want.header()
                    ),
                );
                ok = false;
            }
            cols.push(want.clone());
            continue;
        }
        let name = cell.strip_suffix(":string").unwrap_or("");
        let camel = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !camel || table.iter().any(|c| c.name == name) {
            report.add(
                file,
                pointer,
                format!("header {cell:?} is neither in the property table nor an extra property (camelCase name:string)"),
            );
            ok = false;
        } else if previous_extra.as_deref().is_some_and(|p| p >= name) {
            report.add(
                file,
                pointer,
                format!("extra property {name:?} is out of order or repeated"),
            );
            ok = false;
        }
        previous_extra = Some(name.to_owned());
        cols.push(Column {
            name: name.to_owned(),
            kind: ColumnKind::Property(ValueType::String),
        });
    }
    if rec.fields.len() < table.len() {
        report.add(
            file,
            at(rec.line, rec.fields.len() + 1),
            format!("header ends before {:?}", table[rec.fields.len()].header()),
        );
        ok = false;
    }
    ok.then_some(cols)
}

/// Checks one CSV file; returns its row count (`None` if it could not be read as CSV).
fn check_csv(
    dir: &Path,
    file: &str,
    dialect: &Dialect,
    kind: Kind,
    keys: &mut HashMap<Box<str>, u8>,
    report: &mut Report,
) -> Result<Option<u64>, ValidateError> {
    let path = dir.join(file);
    let input = match crate::files::open_regular(&path) {
        Ok(f) => BufReader::with_capacity(1 << 16, f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.add(file, String::new(), "missing".into());
            return Ok(None);
        }
        Err(source) => return Err(ValidateError::Io { path, source }),
    };
    let io_err = |source| ValidateError::Io {
        path: path.clone(),
        source,
    };
    let legacy = dialect.quoting == Quoting::Backslash;
    let mut tok = Tokenizer::new(input, DELIMITER as u8, legacy, dialect.multiline);
    let mut rec = Record::default();
    let columns = match tok.next(&mut rec).map_err(io_err)? {
        Next::Record => match check_header(file, &rec, kind, report) {
            Some(c) => c,
            None => return Ok(None),
        },
        Next::Eof => {
            report.add(file, String::new(), "empty: no header".into());
            return Ok(None);
        }
        Next::Error(e) => {
            report.add(file, at(e.line, e.column), e.message);
            return Ok(None);
        }
    };
    let mut rows = 0u64;
    let mut previous_key = String::new();
    let mut key = String::new();
    loop {
        match tok.next(&mut rec).map_err(io_err)? {
            Next::Eof => break,
            Next::Error(e) => {
                report.add(file, at(e.line, e.column), e.message);
                rows += 1;
                continue;
            }
            Next::Record => {}
        }
        rows += 1;
        if rec.fields.len() != columns.len() {
            report.add(
                file,
                at(rec.line, 1),
                format!(
                    "{} fields, but the header has {}",
                    rec.fields.len(),
                    columns.len()
                ),
            );
            continue;
        }
        check_row(file, &rec, &columns, dialect, kind, keys, &mut key, report);
        if !key.is_empty() {
            if key.as_str() <= previous_key.as_str() {
                report.add(
                    file,
                    at(rec.line, 1),
                    format!("_key {key:?} is not after {previous_key:?}: rows must be sorted by _key, each once"),
                );
            }
            std::mem::swap(&mut previous_key, &mut key);
        }
    }
    Ok(Some(rows))
}

#[allow(clippy::too_many_arguments)]
fn check_row(
    file: &str,
    rec: &Record,
    columns: &[Column],
    dialect: &Dialect,
    kind: Kind,
    keys: &mut HashMap<Box<str>, u8>,
    row_key: &mut String,
    report: &mut Report,
) {
    row_key.clear();
    let mut texts: Vec<Option<&str>> = Vec::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        let f = rec.fields[i];
        let pointer = at(f.line, i + 1);
        let Ok(text) = std::str::from_utf8(rec.field(i)) else {
            report.add(file, pointer, format!("{}: not UTF-8", c.header()));
            texts.push(None);
            continue;
        };
        let null = text.is_empty() && !f.quoted;
        if dialect.quoting == Quoting::Rfc4180
            && f.quoted
            && (text.ends_with('\\') || text.contains("\\\\") || text.contains("\\\""))
        {
            report.add(
                file,
                pointer.clone(),
                format!(
                    "{}: a quoted value with a backslash escape, which LOAD CSV misreads; \
                     this export needs quoting \"backslash\"",
                    c.header()
                ),
            );
        }
        if null {
            texts.push(None);
            continue;
        }
        if let Err(e) = values::check(text, f.quoted, c.value_type(), dialect.array_delimiter) {
            report.add(file, pointer, format!("{}: {e}", c.header()));
        }
        texts.push(Some(text));
    }
    let get = |name: &str| {
        columns
            .iter()
            .position(|c| c.name == name && matches!(c.kind, ColumnKind::Property(_)))
            .and_then(|i| texts[i])
    };
    let by_kind = |k: ColumnKind| columns.iter().position(|c| c.kind == k);
    let line = rec.line;
    let expect = |i: Option<usize>, want: &str, what: &str, report: &mut Report| {
        if let Some(i) = i
            && texts[i] != Some(want)
        {
            report.add(
                file,
                at(line, i + 1),
                format!(
                    "{what} {:?}, but the model says {want:?}",
                    texts[i].unwrap_or("")
                ),
            );
        }
    };
    let type_col = columns
        .iter()
        .position(|c| c.name == "_type" && matches!(c.kind, ColumnKind::Property(_)));
    let required = |props: &[crate::model::PropDef], report: &mut Report| {
        for p in props.iter().filter(|p| p.required) {
            if get(p.name).is_none() {
                let i = columns.iter().position(|c| c.name == p.name).unwrap_or(0);
                report.add(file, at(line, i + 1), format!("{} is required", p.name));
            }
        }
    };
    match kind {
        Kind::Node(ty) => {
            let def = ty.def();
            let d = dialect.array_delimiter;
            let labels: String = std::iter::once(def.name)
                .chain(def.classes.iter().copied())
                .collect::<Vec<_>>()
                .join(&d.to_string());
            expect(by_kind(ColumnKind::Label), &labels, ":LABEL", report);
            expect(type_col, def.name, "_type", report);
            required(def.properties, report);
            let Some(i) = by_kind(ColumnKind::Id) else {
                return;
            };
            let Some(key) = texts[i] else {
                report.add(file, at(line, i + 1), "_key is required".into());
                return;
            };
            row_key.push_str(key);
            if let Some(other) = keys.insert(key.into(), ty as u8) {
                let other = EntityType::ALL
                    .get(usize::from(other))
                    .map_or("?", |t| t.name());
                report.add(
                    file,
                    at(line, i + 1),
                    format!("_key {key:?} is already the ID of a {other} node: IDs must be unique in the ID space"),
                );
            }
        }
        Kind::Rel(ty) => {
            let def = ty.def();
            expect(by_kind(ColumnKind::Type), def.class, ":TYPE", report);
            expect(type_col, def.name, "_type", report);
            required(def.properties, report);
            let mut ends = [""; 2];
            for (n, (k, want)) in [(ColumnKind::StartId, def.from), (ColumnKind::EndId, def.to)]
                .into_iter()
                .enumerate()
            {
                let Some(i) = by_kind(k) else { continue };
                let Some(end) = texts[i] else {
                    report.add(
                        file,
                        at(line, i + 1),
                        format!("{} is required", columns[i].header()),
                    );
                    continue;
                };
                ends[n] = end;
                match keys.get(end) {
                    None => report.add(
                        file,
                        at(line, i + 1),
                        format!("{}: no node has the ID {end:?}", columns[i].header()),
                    ),
                    Some(&found) if found != want as u8 => {
                        let found = EntityType::ALL
                            .get(usize::from(found))
                            .map_or("?", |t| t.name());
                        report.add(
                            file,
                            at(line, i + 1),
                            format!(
                                "{end:?} is a {found}, but {} links a {}",
                                def.name,
                                want.name()
                            ),
                        );
                    }
                    Some(_) => {}
                }
            }
            let key_col = columns
                .iter()
                .position(|c| c.name == "_key" && matches!(c.kind, ColumnKind::Property(_)));
            let mut want =
                crate::model::keys::relationship_key(ends[0], def.key_class(), ends[1], None);
            if def.per_enrollment {
                want.push('|');
                want.push_str(get("enrollmentId").unwrap_or(""));
            }
            expect(key_col, &want, "_key", report);
            row_key.push_str(key_col.and_then(|i| texts[i]).unwrap_or(""));
        }
    }
}
