//! One subject's triples, collected, sorted and written together.
//!
//! The files are sorted per subject, not globally: a global sort of a large account's ~100M
//! triples would not fit the memory budget, while one subject's triples (at most the account's
//! links to every user) do.

use std::cmp::Ordering;
use std::fmt::{Display, Write as _};
use std::io::{self, Write};

use super::iri::push_encoded;
use super::sink::{Object, Sink};

#[derive(Debug, Clone, Copy)]
enum Text<'v> {
    Vocab(&'v str),
    Arena(u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct Item<'v> {
    predicate: Text<'v>,
    object: (u32, u32),
    /// `None` for an IRI.
    datatype: Option<&'static str>,
}

/// The triples of one subject; strings live in one reused buffer.
#[derive(Default)]
pub struct Block<'v> {
    subject: String,
    text: String,
    items: Vec<Item<'v>>,
}

fn span(text: &str, (start, end): (u32, u32)) -> &str {
    text.get(start as usize..end as usize).unwrap_or("")
}

impl<'v> Block<'v> {
    /// Starts the block of `base` + encoded `key`.
    pub fn start(&mut self, base: &str, key: &str) {
        self.subject.clear();
        self.subject.push_str(base);
        push_encoded(&mut self.subject, key);
        self.text.clear();
        self.items.clear();
    }

    fn mark(&self) -> u32 {
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    /// Appends to the text buffer with `write` and returns the span written.
    fn push(&mut self, write: impl FnOnce(&mut String)) -> (u32, u32) {
        let start = self.mark();
        write(&mut self.text);
        (start, self.mark())
    }

    /// A predicate IRI built in the buffer (extra properties).
    pub fn predicate(&mut self, write: impl FnOnce(&mut String)) -> PredicateRef<'v> {
        let (s, e) = self.push(write);
        PredicateRef(Text::Arena(s, e))
    }

    /// `base` + encoded `key` as the object.
    pub fn link(&mut self, predicate: PredicateRef<'v>, base: &str, key: &str) {
        let object = self.push(|t| {
            t.push_str(base);
            push_encoded(t, key);
        });
        self.items.push(Item {
            predicate: predicate.0,
            object,
            datatype: None,
        });
    }

    /// An IRI object given whole.
    pub fn iri(&mut self, predicate: PredicateRef<'v>, iri: &str) {
        let object = self.push(|t| t.push_str(iri));
        self.items.push(Item {
            predicate: predicate.0,
            object,
            datatype: None,
        });
    }

    pub fn literal(
        &mut self,
        predicate: PredicateRef<'v>,
        value: impl Display,
        datatype: &'static str,
    ) {
        let object = self.push(|t| {
            let _ = write!(t, "{value}");
        });
        self.items.push(Item {
            predicate: predicate.0,
            object,
            datatype: Some(datatype),
        });
    }

    fn text_of(&self, t: Text<'v>) -> &str {
        match t {
            Text::Vocab(s) => s,
            Text::Arena(s, e) => span(&self.text, (s, e)),
        }
    }

    fn compare(&self, a: &Item<'v>, b: &Item<'v>) -> Ordering {
        self.text_of(a.predicate)
            .cmp(self.text_of(b.predicate))
            .then_with(|| a.datatype.is_some().cmp(&b.datatype.is_some()))
            .then_with(|| span(&self.text, a.object).cmp(span(&self.text, b.object)))
            .then_with(|| a.datatype.cmp(&b.datatype))
    }

    /// Sorts the triples (predicate IRI, then IRIs before literals, then the object's text, then
    /// datatype), drops repeats and writes them.
    pub fn write_to<W: Write>(&mut self, sink: &mut Sink<W>) -> io::Result<()> {
        let mut items = std::mem::take(&mut self.items);
        items.sort_unstable_by(|a, b| self.compare(a, b));
        items.dedup_by(|a, b| self.compare(a, b) == Ordering::Equal);
        for item in &items {
            let object = span(&self.text, item.object);
            let object = match item.datatype {
                None => Object::Iri(object),
                Some(datatype) => Object::Literal(object, datatype),
            };
            sink.triple(&self.subject, self.text_of(item.predicate), object)?;
        }
        items.clear();
        self.items = items;
        Ok(())
    }
}

/// A predicate for [`Block`]: a vocabulary IRI or one built in the block's buffer.
#[derive(Debug, Clone, Copy)]
pub struct PredicateRef<'v>(Text<'v>);

impl<'v> PredicateRef<'v> {
    pub fn vocab(iri: &'v str) -> Self {
        PredicateRef(Text::Vocab(iri))
    }
}
