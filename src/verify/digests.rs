//! Each export format read back and its graph digest recomputed: the files of every format
//! must hold the graph the manifest names.
//!
//! Nothing the manifest says about the graph is taken on trust. The graph is recomputed from
//! the most faithful format whose files provably hold it unchanged (JSON; else Neo4j or
//! GraphML when nothing read back shows their loss could have acted): its digest and counts
//! must be the manifest's `graph`, and every other format's files must read back to exactly
//! that graph passed through the format's documented loss (see [`crate::formats::Loss`]). Without
//! such a format, each format's files must read back to its recorded digest, the counts must
//! match, and a graph digest differing from them must be one the format's loss can explain.

use std::path::Path;
use std::sync::Arc;

use super::Problem;
use super::manifest::MANIFEST_FILE;
use crate::export::{ExportManifest, Format};
use crate::formats::Loss;
use crate::model::canonical::{DigestWriter, OrderError};
use crate::model::{GraphDigest, Record};
use crate::readback::{ReadOptions, ReadbackError, read_records};

/// One format's recomputed digest against the one recorded.
#[derive(Debug, Clone)]
pub struct FormatDigest {
    pub format: String,
    /// What the manifest records for this format (the graph's digest when it records none).
    pub recorded: Option<String>,
    /// What the files hold, or why they could not be read back.
    pub computed: Result<GraphDigest, Unreadable>,
    /// The digest of the recomputed graph as this format carries it, when the graph could be
    /// recomputed from a format that holds it unchanged.
    pub expected: Option<String>,
    /// The recorded digest is the graph's own (the format lost nothing).
    pub lossless: bool,
    /// The first record the files hold differently from the recomputed graph, when they do.
    pub first_difference: Option<String>,
}

impl FormatDigest {
    pub fn ok(&self) -> bool {
        match (&self.computed, &self.recorded) {
            (Ok(d), Some(r)) => {
                &d.sha256 == r && self.expected.as_ref().is_none_or(|e| e == &d.sha256)
            }
            _ => false,
        }
    }
}

/// Why a format's files give no graph digest.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Unreadable {
    #[error("{0}")]
    Read(Arc<ReadbackError>),
    #[error("{0}")]
    Order(#[from] OrderError),
    #[error("{MANIFEST_FILE} names a format this version does not know")]
    UnknownFormat,
}

/// The graph digest of an export and every format's recomputed one.
#[derive(Debug, Clone)]
pub struct GraphCheck {
    /// What the manifest records.
    pub graph: Option<GraphDigest>,
    /// The graph recomputed from the files, and the format it was recomputed from.
    pub recomputed: Option<(String, GraphDigest)>,
    pub formats: Vec<FormatDigest>,
    /// The manifest's graph digest or counts against the files.
    pub graph_problems: Vec<Problem>,
    /// How the graph digest was checked, when it could not be recomputed.
    pub notes: Vec<String>,
}

impl GraphCheck {
    pub fn ok(&self) -> bool {
        self.graph_problems.is_empty() && self.formats.iter().all(FormatDigest::ok)
    }

    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = self.graph_problems.clone();
        problems.extend(self.formats.iter().filter(|f| !f.ok()).map(|f| Problem {
            file: format!("{} files", f.format),
            message: match (&f.computed, &f.recorded) {
                (Err(e), _) => format!("cannot be read back: {e}"),
                (Ok(_), None) => format!(
                    "the manifest records no digest for {}, so its data cannot be checked",
                    f.format
                ),
                (Ok(d), Some(r)) if &d.sha256 != r => format!(
                    "hold a graph with digest {} ({} entities, {} relationships), the manifest says {r}{}",
                    d.sha256,
                    d.entities,
                    d.relationships,
                    difference(f)
                ),
                (Ok(d), Some(_)) => format!(
                    "hold a graph with digest {} ({} entities, {} relationships), but the graph the \
                     other formats hold, as {} carries it, has digest {}{}",
                    d.sha256,
                    d.entities,
                    d.relationships,
                    f.format,
                    f.expected.as_deref().unwrap_or("-"),
                    difference(f)
                ),
            },
        }));
        problems
    }
}

fn difference(f: &FormatDigest) -> String {
    f.first_difference
        .as_ref()
        .map(|d| format!("; first difference: {d}"))
        .unwrap_or_default()
}

/// Formats the graph may be recomputed from, most faithful first (RDF's loss can never be
/// ruled out: an empty array leaves no trace).
const REFERENCES: [Format; 3] = [Format::Json, Format::Neo4j, Format::GraphMl];

fn problem(message: String) -> Problem {
    Problem {
        file: MANIFEST_FILE.to_owned(),
        message,
    }
}

/// Sorts `records` into digest order and hashes them.
fn digest_sorted(records: &mut [Record]) -> Result<GraphDigest, Unreadable> {
    records.sort_by(Record::canonical_cmp);
    let mut writer = DigestWriter::new();
    for record in records.iter() {
        writer.push(record)?;
    }
    Ok(writer.finish())
}

/// A graph's digests as losses carry it.
type Carried = Vec<(Loss, Result<GraphDigest, Unreadable>)>;

/// What one pass over a format's records gives: their digest, how many show a sign that the
/// format's loss acted, and their digests as each of the other formats' losses carries them.
struct Pass {
    digest: GraphDigest,
    changed: usize,
    carried: Carried,
}

/// Digest writers fed one record at a time; a writer given a record out of digest order is
/// dropped, and its digest computed afterwards from the records sorted.
struct Digests {
    own: Option<DigestWriter>,
    loss: Loss,
    changed: usize,
    carried: Vec<(Loss, Option<DigestWriter>)>,
}

impl Digests {
    fn new(loss: Loss, losses: &[Loss]) -> Digests {
        Digests {
            own: Some(DigestWriter::new()),
            loss,
            changed: 0,
            carried: losses
                .iter()
                .map(|&l| (l, Some(DigestWriter::new())))
                .collect(),
        }
    }

    fn push(&mut self, record: Record) {
        if self.own.is_none() {
            return;
        }
        self.changed += self.loss.may_have_changed(std::slice::from_ref(&record));
        for (loss, writer) in &mut self.carried {
            if let Some(w) = writer
                && w.push(&loss.read_back()(record.clone())).is_err()
            {
                *writer = None;
            }
        }
        if let Some(w) = &mut self.own
            && w.push(&record).is_err()
        {
            self.own = None;
        }
    }
}

/// One pass over `format`'s files: read record by record where the files are in digest order
/// (as kb4graph writes JSON), so that the graph is never held; otherwise read whole and sorted.
fn pass(
    dir: &Path,
    format: Format,
    options: &ReadOptions,
    losses: &[Loss],
) -> Result<Pass, Unreadable> {
    let read_err = |e| Unreadable::Read(Arc::new(e));
    let mut digests = Digests::new(format.loss(), losses);
    format
        .for_each_record(dir, options, &mut |record| digests.push(record))
        .map_err(read_err)?;
    let Some(own) = digests.own else {
        // Not in digest order: sorted in memory.
        let mut records = read_records(dir, format, options).map_err(read_err)?;
        let digest = digest_sorted(&mut records)?;
        let changed = format.loss().may_have_changed(&records);
        let carried = losses
            .iter()
            .map(|&loss| {
                let mut mapped: Vec<Record> =
                    records.iter().cloned().map(loss.read_back()).collect();
                (loss, digest_sorted(&mut mapped))
            })
            .collect();
        return Ok(Pass {
            digest,
            changed,
            carried,
        });
    };
    let mut carried = Vec::new();
    for (loss, writer) in digests.carried {
        let digest = match writer {
            Some(w) => Ok(w.finish()),
            // The loss reorders keys (a replaced character moved one): hashed sorted.
            None => read_records(dir, format, options)
                .map_err(read_err)
                .and_then(|records| {
                    let mut mapped: Vec<Record> =
                        records.into_iter().map(loss.read_back()).collect();
                    digest_sorted(&mut mapped)
                }),
        };
        carried.push((loss, digest));
    }
    Ok(Pass {
        digest: own.finish(),
        changed: digests.changed,
        carried,
    })
}

pub fn check(dir: &Path, manifest: &ExportManifest) -> GraphCheck {
    let options = ReadOptions {
        base_iri: manifest
            .base_iri
            .clone()
            .unwrap_or_else(|| ReadOptions::default().base_iri),
    };
    let graph_sha = manifest.graph.as_ref().map(|g| g.sha256.clone());
    let recorded_of = |name: &str| {
        manifest
            .format_digests
            .get(name)
            .cloned()
            .or_else(|| graph_sha.clone())
    };
    let known = |name: &str| Format::ALL.into_iter().find(|f| f.name() == name);
    let read = |format: Format| -> Result<Vec<Record>, Unreadable> {
        read_records(dir, format, &options).map_err(|e| Unreadable::Read(Arc::new(e)))
    };
    // Every loss the export's formats carry the graph through, hashed in the reference's pass.
    let mut losses: Vec<Loss> = manifest
        .formats
        .iter()
        .filter_map(|n| known(n))
        .map(Format::loss)
        .collect();
    losses.sort_unstable();
    losses.dedup();

    // The reference: the first faithful format that reads back to its own recorded digest and
    // shows no sign that its loss acted, so that its records are the graph itself. Its pass
    // also gives the graph as every other format carries it, so it is read once.
    let mut computed: Vec<(String, Result<GraphDigest, Unreadable>)> = Vec::new();
    let mut reference: Option<(Format, GraphDigest, Carried)> = None;
    let mut notes = Vec::new();
    for format in REFERENCES {
        if !manifest.formats.iter().any(|n| n == format.name()) {
            continue;
        }
        let pass = pass(dir, format, &options, &losses);
        computed.push((
            format.name().to_owned(),
            pass.as_ref()
                .map(|p| p.digest.clone())
                .map_err(Clone::clone),
        ));
        let Ok(pass) = pass else {
            continue;
        };
        if recorded_of(format.name()).as_deref() != Some(pass.digest.sha256.as_str()) {
            continue;
        }
        if pass.changed > 0 {
            notes.push(format!(
                "the graph is not recomputed from the {} files: {} records may have changed \
                 on their way through them ({})",
                format.name(),
                pass.changed,
                format.loss().describe()
            ));
            continue;
        }
        reference = Some((format, pass.digest, pass.carried));
        break;
    }

    let mut graph_problems = Vec::new();
    if let (Some(recorded), Some((format, digest, _))) = (&manifest.graph, &reference) {
        compare_graph(recorded, digest, format.name(), &mut graph_problems);
    }

    let mut formats = Vec::new();
    for name in &manifest.formats {
        let recorded = recorded_of(name);
        let Some(format) = known(name) else {
            formats.push(FormatDigest {
                format: name.clone(),
                lossless: false,
                recorded,
                computed: Err(Unreadable::UnknownFormat),
                expected: None,
                first_difference: None,
            });
            continue;
        };
        let digest = match computed.iter().find(|(n, _)| n == name) {
            Some((_, digest)) => digest.clone(),
            None => pass(dir, format, &options, &[]).map(|p| p.digest),
        };
        let expected = reference.as_ref().map(|(reference, _, carried)| {
            let digest = carried
                .iter()
                .find(|(loss, _)| *loss == format.loss())
                .map(|(_, d)| d.clone())
                .unwrap_or(Err(Unreadable::UnknownFormat));
            (*reference, digest)
        });
        let mut first_difference = None;
        let expected_sha = match expected {
            Some((reference, Ok(expected))) => {
                if let Ok(d) = &digest
                    && d.sha256 != expected.sha256
                {
                    // Only now are both read whole, to name the record.
                    let carried = read(reference).map(|graph| {
                        graph
                            .into_iter()
                            .map(format.loss().read_back())
                            .collect::<Vec<_>>()
                    });
                    if let (Ok(mine), Ok(carried)) = (read(format), carried) {
                        first_difference = Some(first_difference_of(mine, carried));
                    }
                }
                if recorded.as_deref() != Some(expected.sha256.as_str()) {
                    graph_problems.push(problem(format!(
                        "format_digests.{name} is {}, but the graph the files hold, as {name} \
                         carries it ({}), has digest {}",
                        recorded.as_deref().unwrap_or("missing"),
                        format.loss().describe(),
                        expected.sha256
                    )));
                }
                Some(expected.sha256)
            }
            Some((_, Err(e))) => Some(format!("unavailable: {e}")),
            None => None,
        };
        let graph_sha = match &reference {
            Some((_, digest, _)) => Some(digest.sha256.clone()),
            None => graph_sha.clone(),
        };
        formats.push(FormatDigest {
            format: name.clone(),
            lossless: recorded.is_some() && recorded == graph_sha,
            recorded,
            computed: digest,
            expected: expected_sha,
            first_difference,
        });
    }

    let recomputed = reference.map(|(format, digest, _)| (format.name().to_owned(), digest));
    if recomputed.is_none()
        && let Some(recorded) = &manifest.graph
    {
        check_unrecomputed(
            recorded,
            &formats,
            dir,
            &options,
            &mut graph_problems,
            &mut notes,
        );
    }
    GraphCheck {
        graph: manifest.graph.clone(),
        recomputed,
        formats,
        graph_problems,
        notes,
    }
}

/// The manifest's graph digest and counts against the recomputed graph.
fn compare_graph(recorded: &GraphDigest, actual: &GraphDigest, from: &str, out: &mut Vec<Problem>) {
    if recorded.algorithm != actual.algorithm {
        out.push(problem(format!(
            "graph.algorithm is {:?}, kb4graph computes {:?}",
            recorded.algorithm, actual.algorithm
        )));
    }
    if recorded.sha256 != actual.sha256 {
        out.push(problem(format!(
            "graph.sha256 is {}, but the {from} files hold a graph with digest {}",
            recorded.sha256, actual.sha256
        )));
    }
    if recorded.entities != actual.entities {
        out.push(problem(format!(
            "graph.entities is {}, but the {from} files hold {}",
            recorded.entities, actual.entities
        )));
    }
    if recorded.relationships != actual.relationships {
        out.push(problem(format!(
            "graph.relationships is {}, but the {from} files hold {}",
            recorded.relationships, actual.relationships
        )));
    }
}

/// Without a format that holds the graph unchanged: the counts (no loss drops a record) and a
/// graph digest that differs from every format's must be one some format's loss explains.
fn check_unrecomputed(
    recorded: &GraphDigest,
    formats: &[FormatDigest],
    dir: &Path,
    options: &ReadOptions,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<String>,
) {
    let read_back: Vec<(&FormatDigest, &GraphDigest)> = formats
        .iter()
        .filter_map(|f| f.computed.as_ref().ok().map(|d| (f, d)))
        .collect();
    let Some((first, digest)) = read_back.first() else {
        return;
    };
    for (name, recorded_n, actual_n) in [
        ("entities", recorded.entities, digest.entities),
        (
            "relationships",
            recorded.relationships,
            digest.relationships,
        ),
    ] {
        if recorded_n != actual_n {
            problems.push(problem(format!(
                "graph.{name} is {recorded_n}, but the {} files hold {actual_n}",
                first.format
            )));
        }
    }
    if let Some((same, _)) = read_back.iter().find(|(_, d)| d.sha256 == recorded.sha256) {
        notes.push(format!(
            "the graph digest is what the {} files hold",
            same.format
        ));
        return;
    }
    let mut explained = Vec::new();
    for (f, _) in &read_back {
        let Some(format) = Format::ALL.into_iter().find(|x| x.name() == f.format) else {
            continue;
        };
        let changed = read_records(dir, format, options)
            .map(|records| format.loss().may_have_changed(&records))
            .unwrap_or(0);
        if changed > 0 {
            explained.push(format!(
                "{} ({}: {changed} records may have changed)",
                f.format,
                format.loss().describe()
            ));
        }
    }
    if explained.is_empty() {
        problems.push(problem(format!(
            "graph.sha256 is {}, but no format's files hold it and none of their documented losses \
             can explain the difference (no record read back shows a sign of them)",
            recorded.sha256
        )));
    } else {
        notes.push(format!(
            "the graph digest cannot be recomputed (no format holds the graph unchanged); it differs \
             from every format's as their losses allow: {}",
            explained.join("; ")
        ));
    }
}

/// The first record (in digest order) that the files hold differently from `expected`.
fn first_difference_of(mut mine: Vec<Record>, mut expected: Vec<Record>) -> String {
    mine.sort_by(Record::canonical_cmp);
    expected.sort_by(Record::canonical_cmp);
    let mut a = mine.iter().peekable();
    let mut b = expected.iter().peekable();
    loop {
        match (a.peek(), b.peek()) {
            (None, None) => return "none found record by record".into(),
            (Some(x), None) => return format!("{} is not in the graph", x.key),
            (None, Some(y)) => return format!("{} is missing", y.key),
            (Some(x), Some(y)) => match x.canonical_cmp(y) {
                std::cmp::Ordering::Less => return format!("{} is not in the graph", x.key),
                std::cmp::Ordering::Greater => return format!("{} is missing", y.key),
                std::cmp::Ordering::Equal if x != y => {
                    let name = x
                        .properties
                        .keys()
                        .chain(y.properties.keys())
                        .find(|n| x.properties.get(*n) != y.properties.get(*n));
                    return match name {
                        Some(n) => format!("{} property {n}", x.key),
                        None => format!("{} (its type or ends)", x.key),
                    };
                }
                std::cmp::Ordering::Equal => {
                    a.next();
                    b.next();
                }
            },
        }
    }
}
