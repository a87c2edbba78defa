//! One RDF file checked against the shapes, streamed in two passes.
//!
//! Pass 1 records, per run of triples with one subject, a 128-bit hash of the subject and the
//! shape classes it is typed with: `sh:class` needs the types of nodes that may come later in
//! the file. Pass 2 checks each subject's triples as they stream by, against the shapes that
//! target it; counts are checked when the subject's run ends. Memory: 24 bytes per subject.
//!
//! kb4graph writes each subject's triples together; a subject split into several runs is
//! reported, since its counts could not be checked.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufReader;
use std::path::Path;

use oxrdf::{NamedOrBlankNode, Term, Triple};
use oxttl::{NQuadsParser, NTriplesParser, TurtleParseError, TurtleParser};

use super::lexical;
use super::shapes::Shapes;
use crate::formats::rdf::Syntax;
use crate::formats::rdf::vocab::{RDF_TYPE, VOCAB_NS};
use crate::validate::{ValidateError, Violation};

/// Violations beyond this many are counted, not listed.
const MAX_LISTED: usize = 1000;
/// Syntax errors after which a file is not read further.
const MAX_SYNTAX_ERRORS: usize = 100;
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

fn hash(s: &str) -> u128 {
    let half = |seed: u8| {
        let mut h = DefaultHasher::new();
        seed.hash(&mut h);
        s.hash(&mut h);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

fn subject_text(s: &NamedOrBlankNode) -> &str {
    match s {
        NamedOrBlankNode::NamedNode(n) => n.as_str(),
        NamedOrBlankNode::BlankNode(b) => b.as_str(),
    }
}

/// `kb:x` for vocabulary IRIs, `<iri>` otherwise.
fn short(iri: &str) -> String {
    match iri.strip_prefix(VOCAB_NS) {
        Some(local) => format!("kb:{local}"),
        None => match iri.strip_prefix(XSD) {
            Some(local) => format!("xsd:{local}"),
            None => match iri.strip_prefix("https://w3id.org/kb4graph/shapes#") {
                Some(local) => format!("kbsh:{local}"),
                None => format!("<{iri}>"),
            },
        },
    }
}

type Triples = Box<dyn Iterator<Item = Result<Triple, TurtleParseError>>>;

fn open(path: &Path, syntax: Syntax) -> Result<Triples, ValidateError> {
    let file = crate::files::open_regular(path).map_err(|source| ValidateError::Io {
        path: path.to_owned(),
        source,
    })?;
    let reader = BufReader::with_capacity(1 << 16, file);
    Ok(match syntax {
        Syntax::NTriples => Box::new(NTriplesParser::new().for_reader(reader)),
        Syntax::Turtle => Box::new(TurtleParser::new().for_reader(reader)),
        Syntax::NQuads => Box::new(
            NQuadsParser::new()
                .for_reader(reader)
                .map(|q| q.map(Triple::from)),
        ),
    })
}

struct Report<'a> {
    file: &'a str,
    violations: Vec<Violation>,
    total: usize,
}

impl Report<'_> {
    fn add(&mut self, pointer: String, message: String) {
        self.total += 1;
        if self.violations.len() < MAX_LISTED {
            self.violations.push(Violation {
                file: self.file.to_owned(),
                pointer,
                message,
            });
        }
    }
}

/// Classes (bit set over [`Shapes::classes`]) of every subject, sorted by subject hash.
struct Types {
    by_hash: Vec<(u128, u64)>,
    split: HashSet<u128>,
}

impl Types {
    fn get(&self, h: u128) -> u64 {
        match self.by_hash.binary_search_by(|(k, _)| k.cmp(&h)) {
            Ok(i) => self.by_hash[i].1,
            Err(_) => 0,
        }
    }
}

/// Reads a triple, or records a syntax error; `None` at the end or when giving up.
fn next_triple(
    triples: &mut Triples,
    path: &Path,
    report: Option<&mut Report<'_>>,
    errors: &mut usize,
) -> Result<Option<Triple>, ValidateError> {
    let mut report = report;
    loop {
        match triples.next() {
            None => return Ok(None),
            Some(Ok(t)) => return Ok(Some(t)),
            Some(Err(TurtleParseError::Io(source))) => {
                return Err(ValidateError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
            Some(Err(TurtleParseError::Syntax(e))) => {
                *errors += 1;
                if let Some(r) = report.as_deref_mut() {
                    let at = e.location().start;
                    r.add(
                        format!("line {}, column {}", at.line + 1, at.column + 1),
                        format!("syntax error: {}", e.message()),
                    );
                }
                if *errors >= MAX_SYNTAX_ERRORS {
                    return Ok(None);
                }
            }
        }
    }
}

fn collect_types(path: &Path, syntax: Syntax, shapes: &Shapes) -> Result<Types, ValidateError> {
    let mut triples = open(path, syntax)?;
    let mut runs: Vec<(u128, u64)> = Vec::new();
    let mut current = String::new();
    let mut errors = 0;
    while let Some(t) = next_triple(&mut triples, path, None, &mut errors)? {
        let subject = subject_text(&t.subject);
        if runs.is_empty() || subject != current {
            current.clear();
            current.push_str(subject);
            runs.push((hash(subject), 0));
        }
        if t.predicate.as_str() == RDF_TYPE
            && let Term::NamedNode(class) = &t.object
            && let Some(bit) = shapes.classes.iter().position(|c| c == class.as_str())
            && let Some(last) = runs.last_mut()
        {
            last.1 |= 1 << bit;
        }
    }
    runs.sort_unstable_by_key(|(h, _)| *h);
    let mut by_hash: Vec<(u128, u64)> = Vec::with_capacity(runs.len());
    let mut split = HashSet::new();
    for (h, bits) in runs {
        match by_hash.last_mut() {
            Some(last) if last.0 == h => {
                last.1 |= bits;
                split.insert(h);
            }
            _ => by_hash.push((h, bits)),
        }
    }
    by_hash.shrink_to_fit();
    Ok(Types { by_hash, split })
}

/// The state of the subject being read in pass 2.
struct Focus {
    subject: String,
    classes: u64,
    /// Per (node shape, property shape): values seen, and whether a `sh:hasValue` was met.
    counts: Vec<Vec<(u64, bool)>>,
}

fn finish_focus(focus: &Focus, shapes: &Shapes, report: &mut Report<'_>) {
    for (n, shape) in shapes.node_shapes.iter().enumerate() {
        if focus.classes & (1 << shape.target) == 0 {
            continue;
        }
        for (i, p) in shape.properties.iter().enumerate() {
            let (count, has_value) = focus.counts[n][i];
            let pointer = || format!("<{}> {}", focus.subject, short(&p.path));
            if let Some(min) = p.min
                && count < min
            {
                report.add(
                    pointer(),
                    format!(
                        "sh:minCount {min}: {count} value(s) (shape {}, targeting {})",
                        short(&p.iri),
                        short(&shapes.classes[shape.target])
                    ),
                );
            }
            if let Some(max) = p.max
                && count > max
            {
                report.add(
                    pointer(),
                    format!(
                        "sh:maxCount {max}: {count} values (shape {}, targeting {})",
                        short(&p.iri),
                        short(&shapes.classes[shape.target])
                    ),
                );
            }
            if !p.has_value.is_empty() && !has_value {
                report.add(
                    pointer(),
                    format!(
                        "sh:hasValue {}: missing (shape {})",
                        p.has_value
                            .iter()
                            .map(|v| short(v))
                            .collect::<Vec<_>>()
                            .join(", "),
                        short(&p.iri)
                    ),
                );
            }
        }
    }
}

fn check_value(
    focus: &Focus,
    object: &Term,
    p: &super::shapes::PropertyShape,
    shapes: &Shapes,
    types: &Types,
    report: &mut Report<'_>,
) {
    let pointer = || format!("<{}> {}", focus.subject, short(&p.path));
    if let Some(datatype) = &p.datatype {
        match object {
            Term::Literal(l) if l.datatype().as_str() == datatype => {
                let local = datatype.strip_prefix(XSD).unwrap_or("");
                if !lexical::is_valid(local, l.value()) {
                    report.add(
                        pointer(),
                        format!(
                            "sh:datatype {}: {l} is not a valid {} (shape {})",
                            short(datatype),
                            short(datatype),
                            short(&p.iri)
                        ),
                    );
                }
            }
            other => report.add(
                pointer(),
                format!(
                    "sh:datatype {}: {other} has another type (shape {})",
                    short(datatype),
                    short(&p.iri)
                ),
            ),
        }
    }
    if p.node_kind_iri && !matches!(object, Term::NamedNode(_)) {
        report.add(
            pointer(),
            format!(
                "sh:nodeKind sh:IRI: {object} is not an IRI (shape {})",
                short(&p.iri)
            ),
        );
    }
    if let Some(class) = p.class {
        let bits = match object {
            Term::NamedNode(n) => types.get(hash(n.as_str())),
            Term::BlankNode(b) => types.get(hash(b.as_str())),
            _ => 0,
        };
        if bits & (1 << class) == 0 {
            report.add(
                pointer(),
                format!(
                    "sh:class {}: {object} is not a {} (shape {})",
                    short(&shapes.classes[class]),
                    short(&shapes.classes[class]),
                    short(&p.iri)
                ),
            );
        }
    }
}

/// Checks `path` (shown as `shown`) against `shapes`: the listed violations and their total.
pub fn check_file(
    path: &Path,
    shown: &str,
    syntax: Syntax,
    shapes: &Shapes,
) -> Result<(Vec<Violation>, usize), ValidateError> {
    let types = collect_types(path, syntax, shapes)?;
    let mut report = Report {
        file: shown,
        violations: Vec::new(),
        total: 0,
    };
    let mut focus = Focus {
        subject: String::new(),
        classes: 0,
        counts: shapes
            .node_shapes
            .iter()
            .map(|s| vec![(0, false); s.properties.len()])
            .collect(),
    };
    let mut started = false;
    let mut reported_split: HashSet<u128> = HashSet::new();
    let mut blank_reported = false;
    let mut triples = open(path, syntax)?;
    let mut errors = 0;
    while let Some(t) = next_triple(&mut triples, path, Some(&mut report), &mut errors)? {
        let subject = subject_text(&t.subject);
        if !started || subject != focus.subject {
            if started {
                finish_focus(&focus, shapes, &mut report);
            }
            started = true;
            focus.subject.clear();
            focus.subject.push_str(subject);
            let h = hash(subject);
            focus.classes = types.get(h);
            for counts in &mut focus.counts {
                counts.fill((0, false));
            }
            if types.split.contains(&h) && reported_split.insert(h) {
                report.add(
                    format!("<{subject}>"),
                    "the subject's triples are not together: kb4graph writes each subject's \
                     triples in one run, and its counts cannot be checked"
                        .to_owned(),
                );
            }
        }
        if !blank_reported && (t.subject.is_blank_node() || matches!(t.object, Term::BlankNode(_)))
        {
            blank_reported = true;
            report.add(
                format!("<{subject}>"),
                "blank node: kb4graph exports name every node with an IRI".to_owned(),
            );
        }
        let Some(uses) = shapes.by_path.get(t.predicate.as_str()) else {
            continue;
        };
        for &(n, i) in uses {
            let shape = &shapes.node_shapes[n];
            if focus.classes & (1 << shape.target) == 0 {
                continue;
            }
            let p = &shape.properties[i];
            let slot = &mut focus.counts[n][i];
            if p.has_value.is_empty() {
                slot.0 += 1;
                check_value(&focus, &t.object, p, shapes, &types, &mut report);
            } else if let Term::NamedNode(v) = &t.object
                && p.has_value.iter().any(|h| h == v.as_str())
            {
                slot.1 = true;
            }
        }
    }
    if started {
        finish_focus(&focus, shapes, &mut report);
    }
    Ok((report.violations, report.total))
}
