//! What a format's reader finds wrong in a file, and where it goes.
//!
//! Every reader reports to a [`ProblemSink`], so one reader serves both of its callers: `verify`
//! and `diff` stop at the first problem ([`FirstProblem`]), while `validate` lists problems up
//! to a cap and counts the rest ([`Collected`]). A position is kept typed until it is shown, so
//! callers can sort, compare or count by it.

use std::fmt;
use std::ops::ControlFlow;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// The file as a whole (a count that does not add up, a file that is missing).
    Document,
    /// A line of a text file, from 1, where no column is meant (a line of a script).
    Line { line: u64 },
    /// A line and column, both from 1.
    Text { line: u64, column: u64 },
    /// A JSON pointer into the document, with its line where the reader knows it.
    Pointer { pointer: String, line: Option<u64> },
    /// An RDF focus node and the path of the shape that failed on it, as written in the file;
    /// a problem of the node as a whole has no path.
    Focus { node: String, path: String },
    /// One RDF triple, its terms as written in the file.
    Triple {
        subject: String,
        predicate: String,
        object: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => f.write_str("(document)"),
            Location::Line { line } => write!(f, "line {line}"),
            Location::Text { line, column } => write!(f, "line {line}, column {column}"),
            Location::Pointer {
                pointer,
                line: None,
            } => f.write_str(pointer),
            Location::Pointer {
                pointer,
                line: Some(line),
            } => write!(f, "{pointer} (line {line})"),
            Location::Focus { node, path } if path.is_empty() => f.write_str(node),
            Location::Focus { node, path } => write!(f, "{node} {path}"),
            Location::Triple {
                subject,
                predicate,
                object,
            } => write!(f, "triple {subject} {predicate} {object}"),
        }
    }
}

/// One problem: the file (relative to the export directory), where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub location: Location,
    pub message: String,
}

impl Problem {
    pub fn new(file: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            location,
            message: message.into(),
        }
    }
}

/// `file location: message`, as `validate` lists problems.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.file, self.location, self.message)
    }
}

/// Receives what a reader finds. `Break` tells the reader to stop: what it has read so far
/// is not to be used.
pub trait ProblemSink {
    fn report(&mut self, problem: Problem) -> ControlFlow<()>;
}

/// Keeps the first problem and stops the reader there: for readers whose caller needs the
/// whole file or nothing.
#[derive(Debug, Default)]
pub struct FirstProblem(pub Option<Problem>);

impl ProblemSink for FirstProblem {
    fn report(&mut self, problem: Problem) -> ControlFlow<()> {
        self.0.get_or_insert(problem);
        ControlFlow::Break(())
    }
}

/// Lists problems up to a cap and counts all of them, never stopping the reader.
#[derive(Debug)]
pub struct Collected {
    pub listed: Vec<Problem>,
    pub total: usize,
    cap: usize,
}

/// How many problems a file lists before it only counts them.
pub const LISTED_PER_FILE: usize = 1000;

impl Collected {
    pub fn with_cap(cap: usize) -> Self {
        Collected {
            listed: Vec::new(),
            total: 0,
            cap,
        }
    }
}

impl Default for Collected {
    fn default() -> Self {
        Collected::with_cap(LISTED_PER_FILE)
    }
}

impl ProblemSink for Collected {
    fn report(&mut self, problem: Problem) -> ControlFlow<()> {
        self.total += 1;
        if self.listed.len() < self.cap {
            self.listed.push(problem);
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> Problem {
        Problem::new("f", Location::Text { line, column: 1 }, "bad")
    }

    #[test]
    fn the_first_problem_stops_the_reader_and_is_kept() {
        let mut sink = FirstProblem::default();
        assert!(sink.report(at(1)).is_break());
        assert!(sink.report(at(2)).is_break());
        assert_eq!(sink.0, Some(at(1)));
    }

    #[test]
    fn collected_problems_past_the_cap_are_counted_not_listed() {
        let mut sink = Collected::with_cap(2);
        for line in 1..=5 {
            assert!(sink.report(at(line)).is_continue());
        }
        assert_eq!(sink.listed, vec![at(1), at(2)]);
        assert_eq!(sink.total, 5);
    }

    #[test]
    fn positions_are_shown_as_users_read_them() {
        let shown = |location| Problem::new("json/graph.json", location, "m").to_string();
        assert_eq!(shown(Location::Document), "json/graph.json (document): m");
        assert_eq!(
            shown(Location::Pointer {
                pointer: "/entities/1".into(),
                line: Some(4)
            }),
            "json/graph.json /entities/1 (line 4): m"
        );
        assert_eq!(
            shown(Location::Text { line: 3, column: 7 }),
            "json/graph.json line 3, column 7: m"
        );
        let node = |path: &str| Location::Focus {
            node: "<https://example.com/a>".into(),
            path: path.into(),
        };
        assert_eq!(
            shown(node("kb:key")),
            "json/graph.json <https://example.com/a> kb:key: m"
        );
        assert_eq!(
            shown(node("")),
            "json/graph.json <https://example.com/a>: m"
        );
    }
}
