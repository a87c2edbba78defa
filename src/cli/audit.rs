//! The audit commands: `verify`, `diff` and `archive`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use kb4graph::pipeline;

use super::Outcome;
use kb4graph::verify::{Report, VerifyOptions, verify};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A snapshot or export directory, or a `.tar.gz` made by `kb4graph archive`.
    pub path: PathBuf,
    /// Check files only; do not read each export format back to recompute its graph digest.
    #[arg(long)]
    pub files_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot or export (directory or archive).
    pub old: PathBuf,
    /// The later snapshot or export (directory or archive).
    pub new: PathBuf,
    /// Output: a table for people, or JSON for programs.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Only these entity or relationship types (`_type`, e.g. knowbe4_user); repeatable.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Compare a snapshot even if some of its pages are missing or damaged: the pages left out
    /// are listed, and what they held shows as removed.
    #[arg(long)]
    pub allow_damaged: bool,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The snapshot or export directory to archive (it is verified first).
    pub dir: PathBuf,
    /// The archive to create (`.tar.gz`); an existing file is never overwritten.
    #[arg(long, value_name = "FILE.tar.gz")]
    pub out: PathBuf,
}

pub fn run_verify(args: &VerifyArgs, quiet: bool) -> Result<Outcome> {
    let options = VerifyOptions {
        graph: !args.files_only,
    };
    let report = verify(&args.path, &options)?;
    let mut out = std::io::stdout().lock();
    for problem in report.all_problems() {
        writeln!(out, "{problem}")?;
    }
    if !quiet {
        let mut text = String::new();
        describe(&report, &args.path.display().to_string(), &mut text);
        eprint!("{text}");
    }
    if report.ok() {
        if !quiet {
            eprintln!("verified: every file matches its manifest");
        }
        Ok(Outcome::Success)
    } else {
        let n = report.all_problems().len();
        eprintln!(
            "verify failed: {n} problem{} (listed on stdout); this copy differs from what kb4graph wrote",
            if n == 1 { "" } else { "s" }
        );
        Ok(Outcome::Problems)
    }
}

fn describe(report: &Report, name: &str, text: &mut String) {
    use std::fmt::Write as _;
    if report.kind == kb4graph::verify::Kind::Accounts {
        let _ = writeln!(
            text,
            "{name}: {} accounts, as {} lists them",
            report.nested.len(),
            kb4graph::accounts::LISTING
        );
    } else {
        let _ = writeln!(
            text,
            "{name}: {}, {} files, {} bytes checked against manifest.json",
            report.kind.name(),
            report.files,
            report.bytes
        );
    }
    for note in &report.notes {
        let _ = writeln!(text, "  note: {note}");
    }
    if let Some(graph) = &report.graph {
        match (&graph.recomputed, &graph.graph) {
            (Some((from, digest)), _) => {
                let _ = writeln!(text, "  graph {digest} (recomputed from the {from} files)");
            }
            (None, Some(digest)) => {
                let _ = writeln!(
                    text,
                    "  graph {digest} (as the manifest records it: no format holds it unchanged)"
                );
            }
            (None, None) => {}
        }
        for f in &graph.formats {
            let verdict = match (&f.computed, f.ok(), f.lossless) {
                (Err(_), _, _) => "cannot be read back".to_owned(),
                (Ok(_), false, _) => "DIFFERS from the manifest".to_owned(),
                (Ok(_), true, true) => "holds the graph exactly".to_owned(),
                (Ok(_), true, false) => {
                    "holds the graph as this format can carry it (see the README: what each format keeps)"
                        .to_owned()
                }
            };
            let sha = f.computed.as_ref().map_or("-", |d| d.sha256.as_str());
            let _ = writeln!(text, "  {:<9} {sha}  {verdict}", f.format);
        }
    }
    for nested in &report.nested {
        describe(nested, &format!("{name}/{}", nested.location), text);
    }
}

pub fn run_diff(args: &DiffArgs) -> Result<Outcome> {
    let filter = kb4graph::diff::TypeFilter::new(&args.types)?;
    let old = pipeline::load_side(&args.old, args.allow_damaged)?;
    let new = pipeline::load_side(&args.new, args.allow_damaged)?;
    for (side, path) in [(&old, &args.old), (&new, &args.new)] {
        for w in side.warnings() {
            tracing::debug!("{}: {w}", path.display());
        }
        let damaged = side.damaged();
        if let Some(first) = damaged.first() {
            eprintln!(
                "{} is damaged: {} pages of its snapshot are left out of its graph (first {}: {}), so their records show as changed",
                path.display(),
                damaged.len(),
                first.file,
                first.problem
            );
        }
    }
    let diff = kb4graph::diff::diff(old.records(), new.records(), &filter)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        DiffFormat::Table => kb4graph::diff::render_table(&diff, &mut out)?,
        DiffFormat::Json => kb4graph::diff::render_json(&diff, &mut out)?,
    }
    out.flush()?;
    Ok(if diff.is_empty() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

pub fn run_archive(args: &ArchiveArgs, quiet: bool) -> Result<Outcome> {
    if !args.dir.is_dir() {
        bail!(
            "{} is not a directory: give the snapshot or export directory to archive",
            args.dir.display()
        );
    }
    let report = verify(&args.dir, &VerifyOptions { graph: false })
        .with_context(|| format!("checking {} before archiving it", args.dir.display()))?;
    if !report.ok() {
        for problem in report.all_problems() {
            eprintln!("{problem}");
        }
        bail!(
            "{} does not match its manifest, so it is not archived (an archive must be evidence of what kb4graph wrote); run `kb4graph verify {}` for details",
            args.dir.display(),
            args.dir.display()
        );
    }
    let summary = kb4graph::archive::write_archive(&args.dir, &args.out)?;
    if !quiet {
        eprintln!(
            "archived {} files into {} ({} bytes)",
            summary.files,
            summary.path.display(),
            summary.bytes
        );
    }
    println!("{}  {}", summary.sha256, summary.path.display());
    Ok(Outcome::Success)
}
