//! The records `verify` and `diff` read back from an RDF export: the reader's triples gathered
//! by [`Subjects`], stopped at the first problem.
//!
//! An entity is a subject typed with its type's class; its properties are typed literals of
//! `kb:<Class>_<name>` (extra properties too, their names percent-encoded), its relationships
//! links `kb:<FromClass>_<class><ToClass>` to other entities. A relationship carrying properties
//! is also a subject of its own class with `kb:key`, `kb:from` and `kb:to`; the others are
//! rebuilt from their links, with `_key` `<from>|<class>|<to>`. In N-Quads only the data graph
//! `<base>graph/<sha256>` (and in a combined export each account's `<sha256>/account/<name>`)
//! is read; the provenance graph beside it is not graph data.
//!
//! What RDF cannot carry: an array is a set of repeated values, so its order and repeated items
//! are lost. The reader gives each array's items sorted by their lexical form (for integers,
//! their decimal text) without repeats, which is how the exporter writes them, whatever the
//! order of the triples in the file. An empty array has no triple and does not come back.

use std::ops::ControlFlow;
use std::path::Path;

use oxrdf::Quad;

use super::graphs::Graphs;
use super::subjects::Subjects;
use super::{Problems, Visitor, read_file};
use crate::formats::problems::{FirstProblem, Location, Problem};
use crate::formats::rdf::Syntax;
use crate::model::Record;
use crate::readback::{ReadOptions, ReadbackError};

pub fn read(
    export_dir: &Path,
    syntax: Syntax,
    options: &ReadOptions,
) -> Result<Vec<Record>, ReadbackError> {
    let invalid = |location: Location, message: String| {
        ReadbackError::Invalid(Problem::new(syntax.file(), location, message))
    };
    let mut records = Records {
        graphs: (syntax == Syntax::NQuads).then(|| Graphs::new(Some(&options.base_iri))),
        subjects: Subjects::new(&options.base_iri),
    };
    let mut first = FirstProblem::default();
    read_file(export_dir, syntax, &mut first, &mut records).map_err(|e| ReadbackError::Io {
        path: e.path,
        source: e.source,
    })?;
    if let Some(problem) = first.0 {
        return Err(invalid(problem.location, problem.message));
    }
    records
        .subjects
        .finish()
        .map_err(|f| invalid(f.location, f.message))
}

/// The records reader's side of the reader: the data graph's triples, to the subjects.
struct Records {
    /// In N-Quads only.
    graphs: Option<Graphs>,
    subjects: Subjects,
}

impl Visitor for Records {
    fn quad(&mut self, quad: &Quad, problems: &mut Problems) -> ControlFlow<()> {
        let added = match &mut self.graphs {
            Some(graphs) => match graphs.is_data(quad) {
                Ok(true) => self.subjects.add(quad),
                Ok(false) => Ok(()),
                Err(fail) => Err(fail),
            },
            None => self.subjects.add(quad),
        };
        match added {
            Ok(()) => ControlFlow::Continue(()),
            Err(fail) => problems.report(fail.location, fail.message),
        }
    }
}
