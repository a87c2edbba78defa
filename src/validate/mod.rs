//! Validation of exports on disk against the schemas bundled in the binary (`schemas/`).
//!
//! It reads the files back, so it works on any earlier export, not only on a graph in memory.
//! Each format's checker lives in its folder under [`crate::formats`]; [`validate_dir`] runs
//! each one whose files it finds.

use std::path::{Path, PathBuf};

use crate::formats::Format;

/// One problem found in an export: the file, where in it (typed), and what is wrong.
pub type Violation = crate::formats::problems::Problem;

#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the bundled schema is broken ({0}): this is a bug in kb4graph")]
    Schema(String),
    #[error(
        "no export found in {}: expected json/, neo4j/, graphml/ or rdf/ as written by `kb4graph export` or `kb4graph run`",
        dir.display()
    )]
    NothingToValidate { dir: PathBuf },
}

/// What validating one format found.
#[derive(Debug, Clone)]
pub struct FormatReport {
    pub format: Format,
    pub files: Vec<String>,
    /// Listed violations (at most a thousand per file).
    pub violations: Vec<Violation>,
    /// All violations, listed or not.
    pub total: usize,
}

/// Validates every export found in `dir`, one report per format found.
pub fn validate_dir(dir: &Path) -> Result<Vec<FormatReport>, ValidateError> {
    // The formats' files are checked at once, one format per core.
    let checked = crate::parallel::map_on_cores(&Format::ALL, Result::is_err, |f| f.check(dir));
    let mut reports = Vec::new();
    for report in checked {
        reports.extend(report?);
    }
    if reports.is_empty() {
        return Err(ValidateError::NothingToValidate {
            dir: dir.to_owned(),
        });
    }
    Ok(reports)
}

/// The bundled schemas as (file name, content), for `kb4graph schemas --out DIR`.
pub fn bundled_schemas() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&'static str, &'static str)> = Vec::new();
    for format in Format::ALL {
        for schema in format.schemas() {
            if !all.contains(schema) {
                all.push(*schema);
            }
        }
    }
    all
}

/// Writes the bundled schemas into `out` (created if missing), owner-only whatever the umask,
/// each file whole or not at all; returns the paths written.
pub fn write_bundled_schemas(out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let with_path = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
    };
    crate::files::create_private_dir(out).map_err(with_path(out))?;
    let mut written = Vec::new();
    for (name, text) in bundled_schemas() {
        let path = out.join(name);
        crate::files::write_atomic(&path, text.as_bytes()).map_err(with_path(&path))?;
        written.push(path);
    }
    Ok(written)
}
