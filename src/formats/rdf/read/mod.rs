//! The one reader of the RDF exports (`rdf/graph.nt`, `rdf/graph.ttl`, `rdf/graph.nq`; see
//! [`crate::formats::rdf`]), and the records `verify` and `diff` make of what it reads.
//!
//! - here, [`read_file`]: one streamed pass of oxttl over a file. Syntax errors (at their line
//!   and column) and the first blank node go to the caller's [`ProblemSink`]; every triple, as a
//!   quad with its graph, goes to the caller's [`Visitor`] in runs of one subject. A change of
//!   how RDF files are parsed, or of where a problem in them is said to be, is made here.
//! - [`lexical`]: whether a literal is a valid value of its XSD datatype, and what is said when it
//!   is not; the checker and the records reader both hold literals to it.
//! - `records` and `subjects`: reader + subjects = the [`Record`](crate::model::Record)s of
//!   `verify` and `diff`, stopped at the first problem.
//! - The checker `validate` runs is this reader + the bundled shapes, every problem collected:
//!   [`crate::formats::rdf::check`].

mod graphs;
pub mod lexical;
mod records;
mod subjects;

use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use oxrdf::{GraphName, NamedOrBlankNode, Quad, Triple};
use oxttl::{NQuadsParser, NTriplesParser, TurtleParseError, TurtleParser};

use crate::formats::problems::{Location, Problem, ProblemSink};
use crate::formats::rdf::Syntax;
use crate::formats::rdf::vocab::compact;
pub(crate) use graphs::Graphs;
pub use records::read;
pub(super) use subjects::sort_items;

/// Syntax errors after which a file is not read further: past them the parser mostly reports
/// the damage it is already in.
const MAX_SYNTAX_ERRORS: usize = 100;

const BLANK_NODE: &str = "blank node: kb4graph exports name every node with an IRI";

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Where a visitor's problems go: the caller's sink, with the file they are in.
pub struct Problems<'a> {
    file: &'static str,
    sink: &'a mut dyn ProblemSink,
}

impl Problems<'_> {
    pub fn report(&mut self, location: Location, message: impl Into<String>) -> ControlFlow<()> {
        self.sink.report(Problem::new(self.file, location, message))
    }
}

/// What a caller makes of the triples of a file. `Break` from any method stops the reader.
pub trait Visitor {
    /// A run of triples of one subject begins; the previous run has ended.
    fn begin(&mut self, _: &NamedOrBlankNode, _: &mut Problems) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// One triple, in its graph (the default graph outside N-Quads).
    fn quad(&mut self, quad: &Quad, problems: &mut Problems) -> ControlFlow<()>;

    /// The current run has ended: another begins, or the file ends.
    fn end(&mut self, _: &mut Problems) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// A subject's text as locations show it: an IRI's, or a blank node's label.
pub fn subject_text(subject: &NamedOrBlankNode) -> &str {
    match subject {
        NamedOrBlankNode::NamedNode(n) => n.as_str(),
        NamedOrBlankNode::BlankNode(b) => b.as_str(),
    }
}

/// The position of a problem of `subject` (as [`subject_text`] gives it) under `path` (an
/// IRI), or of the subject as a whole when `path` is empty.
pub fn focus(subject: &str, path: &str) -> Location {
    Location::Focus {
        node: format!("<{subject}>"),
        path: if path.is_empty() {
            String::new()
        } else {
            compact(path)
        },
    }
}

type Quads = Box<dyn Iterator<Item = Result<Quad, TurtleParseError>>>;

fn parse(input: crate::compress::DataReader, syntax: Syntax) -> Quads {
    let in_default =
        |t: Result<Triple, TurtleParseError>| t.map(|t| t.in_graph(GraphName::DefaultGraph));
    match syntax {
        Syntax::NTriples => Box::new(NTriplesParser::new().for_reader(input).map(in_default)),
        Syntax::Turtle => Box::new(TurtleParser::new().for_reader(input).map(in_default)),
        Syntax::NQuads => Box::new(NQuadsParser::new().for_reader(input)),
    }
}

/// Stops the reader when a sink or visitor says so.
macro_rules! go_on {
    ($flow:expr) => {
        if $flow.is_break() {
            return Ok(());
        }
    };
}

/// Reads the file of `syntax` in `export_dir` in one pass, problems to `sink`, triples to
/// `visitor`, until the end of the file, [`MAX_SYNTAX_ERRORS`], or a `Break`. Only a file that
/// cannot be read is an error; whatever is wrong inside it is a problem in `sink`.
pub fn read_file(
    export_dir: &Path,
    syntax: Syntax,
    sink: &mut dyn ProblemSink,
    visitor: &mut impl Visitor,
) -> Result<(), ReadError> {
    let data = crate::compress::DataFile::find(export_dir, syntax.file());
    let path = data.path.clone();
    let file = match data.open() {
        Ok(file) => file,
        Err(source) => return Err(ReadError { path, source }),
    };
    let mut problems = Problems {
        file: syntax.file(),
        sink,
    };
    let mut run: Option<NamedOrBlankNode> = None;
    let mut syntax_errors = 0;
    let mut blank_seen = false;
    for quad in parse(file, syntax) {
        let quad = match quad {
            Ok(quad) => quad,
            Err(TurtleParseError::Io(source)) => return Err(ReadError { path, source }),
            Err(TurtleParseError::Syntax(e)) => {
                let at = e.location().start;
                let location = Location::Text {
                    line: at.line + 1,
                    column: at.column + 1,
                };
                go_on!(problems.report(location, format!("syntax error: {}", e.message())));
                syntax_errors += 1;
                if syntax_errors == MAX_SYNTAX_ERRORS {
                    break;
                }
                continue;
            }
        };
        if run.as_ref() != Some(&quad.subject) {
            if run.is_some() {
                go_on!(visitor.end(&mut problems));
            }
            go_on!(visitor.begin(&quad.subject, &mut problems));
            run = Some(quad.subject.clone());
        }
        if !blank_seen && (quad.subject.is_blank_node() || quad.object.is_blank_node()) {
            blank_seen = true;
            go_on!(problems.report(focus(subject_text(&quad.subject), ""), BLANK_NODE));
        }
        go_on!(visitor.quad(&quad, &mut problems));
    }
    if run.is_some() {
        go_on!(visitor.end(&mut problems));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::problems::{Collected, FirstProblem};

    /// What the reader handed over, in order.
    #[derive(Default)]
    struct Events(Vec<String>);

    impl Visitor for Events {
        fn begin(&mut self, subject: &NamedOrBlankNode, _: &mut Problems) -> ControlFlow<()> {
            self.0.push(format!("begin {subject}"));
            ControlFlow::Continue(())
        }

        fn quad(&mut self, quad: &Quad, _: &mut Problems) -> ControlFlow<()> {
            self.0.push(format!("quad {}", quad.object));
            ControlFlow::Continue(())
        }

        fn end(&mut self, _: &mut Problems) -> ControlFlow<()> {
            self.0.push("end".to_owned());
            ControlFlow::Continue(())
        }
    }

    fn export(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rdf")).unwrap();
        std::fs::write(dir.path().join(Syntax::NTriples.file()), text).unwrap();
        dir
    }

    const DAMAGED: &str = "<http://a/s> <http://a/p> \"1\" .\n\
                           <http://a/s> <http://a/p> _:b .\n\
                           oops\n\
                           <http://a/t> <http://a/p> <http://a/s> .\n\
                           <http://a/s> <http://a/p> _:c .\n";

    #[test]
    fn collected_problems_do_not_stop_the_runs_of_subjects() {
        let dir = export(DAMAGED);
        let (mut found, mut events) = (Collected::default(), Events::default());
        read_file(dir.path(), Syntax::NTriples, &mut found, &mut events).unwrap();
        let shown: Vec<String> = found.listed.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert_eq!(shown[0], format!("rdf/graph.nt <http://a/s>: {BLANK_NODE}"));
        assert!(
            shown[1].starts_with("rdf/graph.nt line 3, column ")
                && shown[1].contains(": syntax error: "),
            "{shown:?}"
        );
        assert_eq!(
            events.0,
            [
                "begin <http://a/s>",
                "quad \"1\"",
                "quad _:b",
                "end",
                "begin <http://a/t>",
                "quad <http://a/s>",
                "end",
                "begin <http://a/s>",
                "quad _:c",
                "end",
            ]
        );
    }

    #[test]
    fn the_first_problem_stops_the_reader_where_it_is() {
        let dir = export(DAMAGED);
        let (mut first, mut events) = (FirstProblem::default(), Events::default());
        read_file(dir.path(), Syntax::NTriples, &mut first, &mut events).unwrap();
        let problem = first.0.unwrap();
        assert_eq!(problem.message, BLANK_NODE);
        assert_eq!(events.0, ["begin <http://a/s>", "quad \"1\""]);
    }

    #[test]
    fn a_file_of_nothing_but_errors_is_read_up_to_a_limit() {
        let dir = export(&"oops\n".repeat(MAX_SYNTAX_ERRORS + 50));
        let mut found = Collected::default();
        read_file(
            dir.path(),
            Syntax::NTriples,
            &mut found,
            &mut Events::default(),
        )
        .unwrap();
        assert_eq!(found.total, MAX_SYNTAX_ERRORS);
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_file(
            dir.path(),
            Syntax::Turtle,
            &mut FirstProblem::default(),
            &mut Events::default(),
        )
        .unwrap_err();
        assert!(err.path.ends_with("rdf/graph.ttl"), "{err}");
    }
}
