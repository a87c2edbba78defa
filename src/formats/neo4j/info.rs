//! Reads `neo4j/format.json`, the export's dialect and row counts, for the reader and the
//! checker alike: what is wrong with it goes to the caller's [`ProblemSink`], and what can be
//! read of it is returned. The small text files of the export (this one and the scripts) are
//! read whole here.

use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use super::columns::ID_SPACE;
use super::dialect::DELIMITER;
use super::{FORMAT_FILE, FORMAT_NAME, FORMAT_VERSION, FormatInfo};
use crate::formats::problems::{Location, Problem, ProblemSink};

/// The scripts and the format file are small; a larger file is not one kb4graph wrote.
const TEXT_MAX_BYTES: u64 = 64 << 20;

/// The text of the export's file `rel` (relative to `dir`), or `None` when it is missing, too
/// large or not UTF-8 (reported). Only an I/O error is an `Err`.
pub(super) fn read_text(
    dir: &Path,
    rel: &str,
    sink: &mut dyn ProblemSink,
) -> io::Result<Option<String>> {
    let read = crate::files::open_regular(&dir.join(rel))
        .and_then(|file| crate::files::read_expected(file, TEXT_MAX_BYTES));
    let problem = match read {
        Ok(bytes) if bytes.len() as u64 > TEXT_MAX_BYTES => {
            format!("larger than {TEXT_MAX_BYTES} bytes")
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => return Ok(Some(s)),
            Err(_) => "not UTF-8".to_owned(),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => "missing".to_owned(),
        Err(e) => return Err(e),
    };
    let _ = sink.report(Problem::new(rel, Location::Document, problem));
    Ok(None)
}

/// `format.json` of the export in `dir`: `None` when it cannot be read as one (reported), or
/// when the sink said stop at a problem in it.
pub(super) fn read(dir: &Path, sink: &mut dyn ProblemSink) -> io::Result<Option<FormatInfo>> {
    let Some(text) = read_text(dir, FORMAT_FILE, sink)? else {
        return Ok(None);
    };
    let info: FormatInfo = match serde_json::from_str(&text) {
        Ok(info) => info,
        Err(e) => {
            let message = format!("not a kb4graph Neo4j format file: {e}");
            let _ = sink.report(Problem::new(FORMAT_FILE, Location::Document, message));
            return Ok(None);
        }
    };
    Ok(check(&info, sink).is_continue().then_some(info))
}

fn check(info: &FormatInfo, sink: &mut dyn ProblemSink) -> ControlFlow<()> {
    let mut report = |member: &str, message: String| {
        let at = Location::Pointer {
            pointer: member.to_owned(),
            line: None,
        };
        sink.report(Problem::new(FORMAT_FILE, at, message))
    };
    if info.format != FORMAT_NAME || info.format_version != FORMAT_VERSION {
        let message = format!(
            "{} version {} is not {FORMAT_NAME} version {FORMAT_VERSION}",
            info.format, info.format_version
        );
        report("/format", message)?;
    }
    if info.delimiter != DELIMITER.to_string() || info.id_space != ID_SPACE {
        report(
            "/delimiter",
            "delimiter or ID space is not kb4graph's".into(),
        )?;
    }
    match info.dialect() {
        Some(d) if [DELIMITER, '"', '\n', '\r'].contains(&d.array_delimiter) => report(
            "/arrayDelimiter",
            format!("{:?} cannot be the array delimiter", d.array_delimiter),
        ),
        Some(_) => ControlFlow::Continue(()),
        None => report(
            "/arrayDelimiter",
            "the array delimiter must be one character and quoting rfc4180 or backslash".into(),
        ),
    }
}
