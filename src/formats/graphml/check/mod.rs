//! Validation of `graphml/graph.graphml` against GraphML's own rules and kb4graph's bundled
//! profile, `schemas/graphml-profile.json` (see [`profile`]).

mod lines;
pub mod profile;
pub(crate) mod stream;
pub mod values;

use std::path::Path;

use crate::formats::Format;
use crate::formats::graphml::FILE;
use crate::validate::{FormatReport, ValidateError, Violation};

/// The bundled schemas this validator reads, as (file name, content).
pub const SCHEMAS: &[(&str, &str)] = &[(profile::FILE_NAME, profile::BUNDLED)];

/// Validates the GraphML export in `dir`, if there is one.
pub fn validate(dir: &Path) -> Result<Option<FormatReport>, ValidateError> {
    let path = dir.join(FILE);
    if path.symlink_metadata().is_err() {
        if dir.join(Format::GraphMl.dir()).is_dir() {
            return Ok(Some(FormatReport {
                format: Format::GraphMl,
                files: vec![FILE.to_owned()],
                violations: vec![Violation {
                    file: FILE.to_owned(),
                    pointer: String::new(),
                    message: "missing: the graphml directory holds no graph.graphml".into(),
                }],
                total: 1,
            }));
        }
        return Ok(None);
    }
    let profile = profile::bundled()
        .map_err(|e| ValidateError::Schema(format!("{}: {e}", profile::FILE_NAME)))?;
    let (violations, total) = stream::check_file(&path, FILE, &profile)?;
    Ok(Some(FormatReport {
        format: Format::GraphMl,
        files: vec![FILE.to_owned()],
        violations,
        total,
    }))
}

/// Validates one GraphML file (shown in violations as `shown`) against the bundled profile.
pub fn validate_file(path: &Path, shown: &str) -> Result<(Vec<Violation>, usize), ValidateError> {
    let profile = profile::bundled()
        .map_err(|e| ValidateError::Schema(format!("{}: {e}", profile::FILE_NAME)))?;
    stream::check_file(path, shown, &profile)
}
