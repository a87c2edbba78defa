//! `kb4graph report`: one self-contained HTML page of a snapshot, an export or an archive of
//! either, for the people who look at training and phishing rather than load graphs. The
//! figures are counted in [`figures`], the page drawn in [`html`].

pub mod figures;
pub mod html;

use std::path::{Path, PathBuf};

pub use figures::Figures;

use crate::pipeline::{PipelineError, load_side};

/// What [`write_report`] wrote.
#[derive(Debug)]
pub struct ReportSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub figures: Figures,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Input(#[from] PipelineError),
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} exists: choose another --out, or remove it first", path.display())]
    Exists { path: PathBuf },
}

/// Reads `input` (a snapshot, an export, or an archive of either) and writes its report to
/// `out`, owner-only and atomically; an existing file is never overwritten.
pub fn write_report(input: &Path, out: &Path) -> Result<ReportSummary, ReportError> {
    if out.exists() {
        return Err(ReportError::Exists {
            path: out.to_owned(),
        });
    }
    let side = load_side(input, false)?;
    let figures = Figures::of(side.records());
    let page = html::render(&figures, side.snapshot());
    // A bare file name is written in the current directory, through a temporary file there.
    let target = match out.parent() {
        Some(parent) if parent.as_os_str().is_empty() => Path::new(".").join(out),
        _ => out.to_owned(),
    };
    crate::files::write_atomic(&target, page.as_bytes()).map_err(|source| ReportError::Write {
        path: out.to_owned(),
        source,
    })?;
    Ok(ReportSummary {
        path: out.to_owned(),
        bytes: page.len() as u64,
        figures,
    })
}
