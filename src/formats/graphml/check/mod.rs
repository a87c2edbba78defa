//! Validation of `graphml/graph.graphml`: the one GraphML reader (`super::reader`, which
//! checks what GraphML itself asks) with the rules of kb4graph's bundled profile,
//! `schemas/graphml-profile.json` ([`profile`], applied by `rules`), every problem collected.
//!
//! Change the profile in [`profile`] (the bundled file is generated from it) and what `validate`
//! makes of it in `rules`.

pub mod profile;
mod rules;

use std::path::Path;

use crate::formats::Format;
use crate::formats::graphml::FILE;
use crate::formats::problems::{Collected, Location, Problem};
use crate::validate::{FormatReport, ValidateError, Violation};

/// The bundled schemas this validator reads, as (file name, content).
pub const SCHEMAS: &[(&str, &str)] = &[(profile::FILE_NAME, profile::BUNDLED)];

/// Validates the GraphML export in `dir`, if there is one.
pub fn validate(dir: &Path) -> Result<Option<FormatReport>, ValidateError> {
    let Some(data) = crate::compress::find_data_file(dir, FILE) else {
        if dir.join(Format::GraphMl.dir()).is_dir() {
            let missing = Problem::new(
                FILE,
                Location::Document,
                "missing: the graphml directory holds no graph.graphml",
            );
            return Ok(Some(FormatReport {
                format: Format::GraphMl,
                files: vec![FILE.to_owned()],
                violations: vec![missing],
                total: 1,
            }));
        }
        return Ok(None);
    };
    let (violations, total) = validate_file(&data.path, FILE)?;
    Ok(Some(FormatReport {
        format: Format::GraphMl,
        files: vec![FILE.to_owned()],
        violations,
        total,
    }))
}

/// Validates one GraphML file (decompressed if it is a `.gz`; shown in violations as `shown`)
/// against the bundled profile;
/// returns the listed violations and their total.
pub fn validate_file(path: &Path, shown: &str) -> Result<(Vec<Violation>, usize), ValidateError> {
    let profile = profile::bundled()
        .map_err(|e| ValidateError::Schema(format!("{}: {e}", profile::FILE_NAME)))?;
    let rules = rules::Rules::new(&profile)?;
    let mut found = Collected::default();
    super::reader::read_file(path, shown, &mut rules::Checker::new(&rules), &mut found).map_err(
        |source| ValidateError::Io {
            path: path.to_owned(),
            source,
        },
    )?;
    Ok((found.listed, found.total))
}
