//! The oxttl serializer of each syntax behind one `triple` call.

use std::io::{self, Write};

use oxrdf::{GraphNameRef, LiteralRef, NamedNodeRef, QuadRef, TermRef, TripleRef};
use oxttl::nquads::WriterNQuadsSerializer;
use oxttl::ntriples::WriterNTriplesSerializer;
use oxttl::turtle::WriterTurtleSerializer;
use oxttl::{NQuadsSerializer, NTriplesSerializer, TurtleSerializer};

use super::vocab::{VOCAB_NS, XSD};
use super::write::Syntax;

/// An object as written: an IRI or a literal of an XSD datatype (full IRI).
#[derive(Debug, Clone, Copy)]
pub enum Object<'a> {
    Iri(&'a str),
    Literal(&'a str, &'static str),
}

impl<'a> Object<'a> {
    fn term(self) -> TermRef<'a> {
        match self {
            Object::Iri(iri) => NamedNodeRef::new_unchecked(iri).into(),
            Object::Literal(value, datatype) => {
                LiteralRef::new_typed_literal(value, NamedNodeRef::new_unchecked(datatype)).into()
            }
        }
    }
}

enum Inner<W: Write> {
    NTriples(WriterNTriplesSerializer<W>),
    // Boxed: it holds the prefixes and the current subject; the others hold only the writer.
    Turtle(Box<WriterTurtleSerializer<W>>),
    NQuads(WriterNQuadsSerializer<W>),
}

/// Writes triples (or quads, in N-Quads) and counts them.
pub struct Sink<W: Write> {
    inner: Inner<W>,
    /// The graph data triples go to in N-Quads.
    graph: String,
    pub count: u64,
}

impl<W: Write> Sink<W> {
    /// `graph` names the data graph in N-Quads.
    ///
    /// Turtle abbreviates only the vocabulary (`kb:`, `xsd:`), whose local names are plain
    /// identifiers. Instance IRIs are written in full (`<…>`): as prefixed names, keys would need
    /// `PN_LOCAL` escapes (`\.` for a final dot, as in `example%20corp.`, `\%`, `\~`), which oxttl
    /// writes correctly but rdflib 7 misreads or rejects.
    pub fn new(syntax: Syntax, out: W, graph: &str) -> io::Result<Self> {
        let inner = match syntax {
            Syntax::NTriples => Inner::NTriples(NTriplesSerializer::new().for_writer(out)),
            Syntax::NQuads => Inner::NQuads(NQuadsSerializer::new().for_writer(out)),
            Syntax::Turtle => {
                let invalid = |e| io::Error::new(io::ErrorKind::InvalidInput, e);
                let serializer = TurtleSerializer::new()
                    .with_prefix("kb", VOCAB_NS)
                    .map_err(|e| invalid(e.to_string()))?
                    .with_prefix("xsd", XSD)
                    .map_err(|e| invalid(e.to_string()))?;
                Inner::Turtle(Box::new(serializer.for_writer(out)))
            }
        };
        Ok(Sink {
            inner,
            graph: graph.to_owned(),
            count: 0,
        })
    }

    /// Sends the data triples that follow to `graph` in N-Quads.
    pub fn set_graph(&mut self, graph: &str) {
        if self.graph != graph {
            graph.clone_into(&mut self.graph);
        }
    }

    /// Writes a data triple.
    pub fn triple(&mut self, subject: &str, predicate: &str, object: Object<'_>) -> io::Result<()> {
        let triple = TripleRef::new(
            NamedNodeRef::new_unchecked(subject),
            NamedNodeRef::new_unchecked(predicate),
            object.term(),
        );
        self.count += 1;
        match &mut self.inner {
            Inner::NTriples(s) => s.serialize_triple(triple),
            Inner::Turtle(s) => s.serialize_triple(triple),
            Inner::NQuads(s) => s.serialize_quad(QuadRef::new(
                triple.subject,
                triple.predicate,
                triple.object,
                GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(&self.graph)),
            )),
        }
    }

    /// Writes a quad into another named graph; only N-Quads has one.
    pub fn quad(
        &mut self,
        subject: &str,
        predicate: &str,
        object: Object<'_>,
        graph: &str,
    ) -> io::Result<()> {
        if let Inner::NQuads(s) = &mut self.inner {
            self.count += 1;
            s.serialize_quad(QuadRef::new(
                NamedNodeRef::new_unchecked(subject),
                NamedNodeRef::new_unchecked(predicate),
                object.term(),
                GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(graph)),
            ))?;
        }
        Ok(())
    }

    pub fn finish(self) -> io::Result<W> {
        match self.inner {
            Inner::NTriples(s) => Ok(s.finish()),
            Inner::Turtle(s) => s.finish(),
            Inner::NQuads(s) => Ok(s.finish()),
        }
    }
}
