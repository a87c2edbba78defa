//! The shapes checked on one RDF file, each subject's run of triples as the reader streams it
//! by: the checker's side of [`crate::formats::rdf::read`].
//!
//! The file is read twice. Pass 1 records, per run of triples with one subject, a 128-bit hash
//! of the subject and the shape classes it is typed with: `sh:class` needs the types of nodes
//! that may come later in the file. Pass 2 checks each subject's triples as they stream by,
//! against the shapes that target it; counts are checked when the subject's run ends. Memory:
//! 24 bytes per subject. Both passes report the reader's problems alike; pass 1's are dropped.
//!
//! kb4graph writes each subject's triples together; a subject split into several runs is
//! reported, since its counts could not be checked.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::ControlFlow;
use std::path::Path;

use oxrdf::{NamedOrBlankNode, Quad, Term};

use super::shapes::{PropertyShape, Shapes};
use crate::formats::problems::{Collected, ProblemSink};
use crate::formats::rdf::Syntax;
use crate::formats::rdf::read::lexical::lexical_form;
use crate::formats::rdf::read::{
    Graphs, Problems, ReadError, Visitor, focus, read_file, subject_text,
};
use crate::formats::rdf::vocab::{RDF_TYPE, compact};

fn hash(s: &str) -> u128 {
    let half = |seed: u8| {
        let mut h = DefaultHasher::new();
        seed.hash(&mut h);
        s.hash(&mut h);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// Checks the file of `syntax` in `export_dir` against `shapes`, every problem to `sink`.
pub fn check_file(
    export_dir: &Path,
    syntax: Syntax,
    shapes: &Shapes,
    sink: &mut dyn ProblemSink,
) -> Result<(), ReadError> {
    let mut runs = Runs {
        shapes,
        runs: Vec::new(),
    };
    read_file(export_dir, syntax, &mut Collected::with_cap(0), &mut runs)?;
    let types = runs.types();
    let mut focus = Focus {
        shapes,
        types: &types,
        subject: String::new(),
        classes: 0,
        counts: shapes
            .node_shapes
            .iter()
            .map(|s| vec![(0, false); s.properties.len()])
            .collect(),
        reported_split: HashSet::new(),
        graphs: (syntax == Syntax::NQuads).then(|| Graphs::new(None)),
    };
    read_file(export_dir, syntax, sink, &mut focus)
}

/// Classes (bit set over [`Shapes::classes`]) of every subject, sorted by subject hash.
struct Types {
    by_hash: Vec<(u128, u64)>,
    /// Subjects whose triples are in more than one run.
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

/// Pass 1: each run's subject hash and shape classes.
struct Runs<'a> {
    shapes: &'a Shapes,
    runs: Vec<(u128, u64)>,
}

impl Runs<'_> {
    fn types(mut self) -> Types {
        self.runs.sort_unstable_by_key(|(h, _)| *h);
        let mut by_hash: Vec<(u128, u64)> = Vec::with_capacity(self.runs.len());
        let mut split = HashSet::new();
        for (h, bits) in self.runs {
            match by_hash.last_mut() {
                Some(last) if last.0 == h => {
                    last.1 |= bits;
                    split.insert(h);
                }
                _ => by_hash.push((h, bits)),
            }
        }
        by_hash.shrink_to_fit();
        Types { by_hash, split }
    }
}

impl Visitor for Runs<'_> {
    fn begin(&mut self, subject: &NamedOrBlankNode, _: &mut Problems) -> ControlFlow<()> {
        self.runs.push((hash(subject_text(subject)), 0));
        ControlFlow::Continue(())
    }

    fn quad(&mut self, t: &Quad, _: &mut Problems) -> ControlFlow<()> {
        if t.predicate.as_str() == RDF_TYPE
            && let Term::NamedNode(class) = &t.object
            && let Some(bit) = self.shapes.classes.iter().position(|c| c == class.as_str())
            && let Some(last) = self.runs.last_mut()
        {
            last.1 |= 1 << bit;
        }
        ControlFlow::Continue(())
    }
}

/// Pass 2: the subject being read, checked against the shapes that target it.
struct Focus<'a> {
    shapes: &'a Shapes,
    types: &'a Types,
    subject: String,
    classes: u64,
    /// Per (node shape, property shape): values seen, and whether a `sh:hasValue` was met.
    counts: Vec<Vec<(u64, bool)>>,
    reported_split: HashSet<u128>,
    /// In N-Quads: every quad in a graph an export writes, all of one snapshot.
    graphs: Option<Graphs>,
}

impl Visitor for Focus<'_> {
    fn begin(&mut self, subject: &NamedOrBlankNode, problems: &mut Problems) -> ControlFlow<()> {
        let subject = subject_text(subject);
        self.subject.clear();
        self.subject.push_str(subject);
        let h = hash(subject);
        self.classes = self.types.get(h);
        for counts in &mut self.counts {
            counts.fill((0, false));
        }
        if self.types.split.contains(&h) && self.reported_split.insert(h) {
            problems.report(
                focus(subject, ""),
                "the subject's triples are not together: kb4graph writes each subject's \
                 triples in one run, and its counts cannot be checked",
            )?;
        }
        ControlFlow::Continue(())
    }

    fn quad(&mut self, t: &Quad, problems: &mut Problems) -> ControlFlow<()> {
        if let Some(graphs) = &mut self.graphs
            && let Err(fail) = graphs.is_data(t)
        {
            problems.report(fail.location, fail.message)?;
        }
        let shapes = self.shapes;
        let Some(uses) = shapes.by_path.get(t.predicate.as_str()) else {
            return ControlFlow::Continue(());
        };
        for &(n, i) in uses {
            let shape = &shapes.node_shapes[n];
            if self.classes & (1 << shape.target) == 0 {
                continue;
            }
            let p = &shape.properties[i];
            if p.has_value.is_empty() {
                self.counts[n][i].0 += 1;
                self.check_value(&t.object, p, problems)?;
            } else if let Term::NamedNode(v) = &t.object
                && p.has_value.iter().any(|h| h == v.as_str())
            {
                self.counts[n][i].1 = true;
            }
        }
        ControlFlow::Continue(())
    }

    fn end(&mut self, problems: &mut Problems) -> ControlFlow<()> {
        let shapes = self.shapes;
        for (n, shape) in shapes.node_shapes.iter().enumerate() {
            if self.classes & (1 << shape.target) == 0 {
                continue;
            }
            for (i, p) in shape.properties.iter().enumerate() {
                let (count, has_value) = self.counts[n][i];
                let shape_of = || {
                    let targeting = compact(&shapes.classes[shape.target]);
                    format!("shape {}, targeting {targeting}", compact(&p.iri))
                };
                if let Some(min) = p.min
                    && count < min
                {
                    let message = format!("sh:minCount {min}: {count} value(s) ({})", shape_of());
                    problems.report(focus(&self.subject, &p.path), message)?;
                }
                if let Some(max) = p.max
                    && count > max
                {
                    let message = format!("sh:maxCount {max}: {count} values ({})", shape_of());
                    problems.report(focus(&self.subject, &p.path), message)?;
                }
                if !p.has_value.is_empty() && !has_value {
                    let wanted: Vec<String> = p.has_value.iter().map(|v| compact(v)).collect();
                    let message = format!(
                        "sh:hasValue {}: missing (shape {})",
                        wanted.join(", "),
                        compact(&p.iri)
                    );
                    problems.report(focus(&self.subject, &p.path), message)?;
                }
            }
        }
        ControlFlow::Continue(())
    }
}

impl Focus<'_> {
    fn check_value(
        &self,
        object: &Term,
        p: &PropertyShape,
        problems: &mut Problems,
    ) -> ControlFlow<()> {
        let at = || focus(&self.subject, &p.path);
        if let Some(datatype) = &p.datatype
            && let Err(e) = lexical_form(object, datatype)
        {
            problems.report(at(), format!("{e} (shape {})", compact(&p.iri)))?;
        }
        if p.node_kind_iri && !matches!(object, Term::NamedNode(_)) {
            let message = format!(
                "sh:nodeKind sh:IRI: {object} is not an IRI (shape {})",
                compact(&p.iri)
            );
            problems.report(at(), message)?;
        }
        if let Some(class) = p.class {
            let bits = match object {
                Term::NamedNode(n) => self.types.get(hash(n.as_str())),
                Term::BlankNode(b) => self.types.get(hash(b.as_str())),
                _ => 0,
            };
            if bits & (1 << class) == 0 {
                let class = compact(&self.shapes.classes[class]);
                let message = format!(
                    "sh:class {class}: {object} is not a {class} (shape {})",
                    compact(&p.iri)
                );
                problems.report(at(), message)?;
            }
        }
        ControlFlow::Continue(())
    }
}
