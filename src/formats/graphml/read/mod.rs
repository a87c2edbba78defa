//! Reads `graphml/graph.graphml` back into records, for `verify` and `diff` (see
//! [`crate::formats::graphml`]): the one GraphML reader ([`super::reader`]) feeding `records`,
//! stopping at the first problem, which is worded as `validate` words it.
//!
//! Keys are read from the file's own `<key>` declarations, so extra properties come back under
//! their names. A key's property is its `attr.name` without the type a qualified name adds
//! (`status_long` is `status`; see [`crate::formats::graphml::keys`]).
//!
//! What GraphML cannot carry: characters XML 1.0 forbids (C0 controls other than tab, line
//! feed and carriage return; U+FFFE; U+FFFF) are written as U+FFFD, in keys and string values
//! alike, and come back as U+FFFD. Items of string arrays are JSON inside the text, where
//! serde_json escapes C0 controls (`\u0007`), so those come back exactly; only U+FFFE and
//! U+FFFF, which JSON leaves as they are, become U+FFFD there.
//!
//! Change here how the first problem reaches the caller; how items become records is
//! `records`'s.

mod records;

use std::path::Path;

use crate::formats::graphml::FILE;
use crate::formats::graphml::reader::read_file;
use crate::formats::problems::{FirstProblem, Problem};
use crate::model::Record;
use crate::readback::ReadbackError;
use records::Records;

pub fn read(export_dir: &Path) -> Result<Vec<Record>, ReadbackError> {
    let path = crate::compress::DataFile::find(export_dir, FILE).path;
    let mut records = Records::default();
    let mut first = FirstProblem::default();
    read_file(&path, FILE, &mut records, &mut first).map_err(|source| ReadbackError::Io {
        path: path.clone(),
        source,
    })?;
    if let Some(problem) = first.0 {
        return Err(invalid(problem));
    }
    records.finish().map_err(invalid)
}

/// Every record in file order, none held: for a caller that checks the order itself and, where
/// it is not the order it needs, reads the file whole with [`read`]. Repeated keys, and so
/// repeated edge ids (an id is its `_key` escaped), are not looked for here; in key order they
/// are neighbours, which the caller sees.
pub fn for_each(export_dir: &Path, emit: &mut dyn FnMut(Record)) -> Result<(), ReadbackError> {
    let path = crate::compress::DataFile::find(export_dir, FILE).path;
    let mut records = Records::emitting(emit);
    let mut first = FirstProblem::default();
    read_file(&path, FILE, &mut records, &mut first).map_err(|source| ReadbackError::Io {
        path: path.clone(),
        source,
    })?;
    match first.0 {
        Some(problem) => Err(invalid(problem)),
        None => Ok(()),
    }
}

/// A problem as `verify` and `diff` are told it.
fn invalid(p: Problem) -> ReadbackError {
    ReadbackError::Invalid(p)
}
