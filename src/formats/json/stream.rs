//! The one pass over `json/graph.json` that the reader and the checker share.
//!
//! The document is streamed with serde: each entity and relationship object is parsed alone and
//! handed to the caller's [`Rules`], so memory holds what the rules keep, never the file. This
//! pass owns what every reading of the document agrees on, and reports it to the caller's
//! [`ProblemSink`]: the JSON syntax, the three top-level members, a name given twice, and the
//! metadata's counts against the records. Each problem names its JSON pointer and the line the
//! pass had reached, counted as the bytes go by.
//!
//! What a caller adds lives beside it: the checker's schema and key rules in `check`, the
//! records in `read`.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufReader, Read};
use std::ops::ControlFlow;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as J};

use crate::formats::problems::{Location, Problem, ProblemSink};
use crate::model::{EntityType, RelationshipType};

/// The members of the document, in the order the schema lists them. The last, JupiterOne's
/// mapped relationships, is optional: exports made before it was added have none.
const SECTIONS: [&str; 4] = [
    "metadata",
    "entities",
    "relationships",
    super::mapped::SECTION,
];
const REQUIRED_SECTIONS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Entities,
    Relationships,
}

impl Section {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Section::Entities => "entities",
            Section::Relationships => "relationships",
        }
    }
}

/// One entity or relationship object, with where it stands.
pub(super) struct Object {
    pub section: Section,
    pub index: usize,
    /// The line the object ends on.
    pub line: u64,
    /// The object; of a member name given twice, the last (the pass has reported it). Any
    /// other JSON value where an object belongs is kept for the rules to judge.
    pub value: J,
}

impl Object {
    /// `/entities/3`, or `/entities/3/firstName` for one of its members.
    pub fn pointer(&self, member: Option<&str>) -> String {
        let base = format!("/{}/{}", self.section.name(), self.index);
        match member {
            Some(m) => format!("{base}/{}", escape_pointer(m)),
            None => base,
        }
    }

    pub fn at(&self, member: Option<&str>) -> Location {
        Location::Pointer {
            pointer: self.pointer(member),
            line: Some(self.line),
        }
    }

    fn type_name(&self) -> Option<&str> {
        self.value.get("_type").and_then(J::as_str)
    }

    pub fn entity_type(&self) -> Option<EntityType> {
        self.type_name().and_then(EntityType::from_name)
    }

    pub fn relationship_type(&self) -> Option<RelationshipType> {
        self.type_name().and_then(RelationshipType::from_name)
    }
}

/// What a caller does with the parts of the document as the pass meets them. `Break` from any
/// of them stops the pass.
pub(super) trait Rules {
    fn metadata(&mut self, metadata: &J, line: u64, sink: &mut dyn ProblemSink) -> ControlFlow<()>;

    fn record(&mut self, object: Object, sink: &mut dyn ProblemSink) -> ControlFlow<()>;

    /// Every object of `section` has been seen.
    fn section_done(&mut self, _section: Section) {}

    /// The whole document has been read without a syntax error; before the pass's own checks
    /// of the whole.
    fn finish(&mut self, _sink: &mut dyn ProblemSink) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Reads the document from `input`, naming it `file` in problems. Only an I/O error is an
/// `Err`: everything wrong with the text goes to `sink`.
pub(super) fn read(
    input: impl Read,
    file: &str,
    rules: &mut impl Rules,
    sink: &mut dyn ProblemSink,
) -> std::io::Result<()> {
    let newlines = Cell::new(0);
    let input = Lines {
        inner: BufReader::with_capacity(1 << 16, input),
        newlines: &newlines,
    };
    let mut pass = Pass {
        file,
        rules,
        sink,
        newlines: &newlines,
        stopped: false,
        sections: [false; 4],
        held: BTreeMap::new(),
        counts: None,
        ends: Ends::default(),
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    let parsed = Document(&mut pass)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if pass.stopped {
        return Ok(());
    }
    if let Err(e) = parsed {
        if e.is_io() {
            return Err(e.into());
        }
        let location = match e.line() {
            0 => Location::Document,
            line => Location::Text {
                line: line as u64,
                column: e.column() as u64,
            },
        };
        let _ = pass.report(
            location,
            format!("not a valid JSON document: {}", message_of(&e)),
        );
        return Ok(());
    }
    let _ = pass.finish();
    Ok(())
}

/// serde_json's message without the ` at line L column C` it appends (kept typed apart).
fn message_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match (e.line(), text.rsplit_once(" at line ")) {
        (1.., Some((message, _))) => message.to_owned(),
        _ => text,
    }
}

/// Counts the newlines serde has read, so a problem can name its line: serde_json's own
/// position is only given with its errors.
struct Lines<'c, R> {
    inner: R,
    newlines: &'c Cell<u64>,
}

impl<R: Read> Read for Lines<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let found = buf[..n].iter().filter(|&&b| b == b'\n').count();
        self.newlines.set(self.newlines.get() + found as u64);
        Ok(n)
    }
}

struct Pass<'p, R> {
    file: &'p str,
    rules: &'p mut R,
    sink: &'p mut dyn ProblemSink,
    newlines: &'p Cell<u64>,
    /// The sink said stop: what has been read is not to be used.
    stopped: bool,
    sections: [bool; 4],
    /// Records read per `_type` of their section (0 entities, 1 relationships).
    held: BTreeMap<(usize, &'static str), u64>,
    /// `metadata.counts` and the line it ended on.
    counts: Option<(J, u64)>,
    ends: Ends,
}

/// The ends of the relationships that have a mapped form and of the mapped relationships, each
/// kept as a count and a sum of hashes: the two agree (but for a chance of 2^-64) exactly when
/// they hold the same pairs, whatever their order, without holding any.
#[derive(Default)]
struct Ends {
    relationships: (u64, u64),
    mapped: (u64, u64),
}

fn add_ends(to: &mut (u64, u64), from: &str, to_key: &str) {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    (from, to_key).hash(&mut h);
    to.0 += 1;
    to.1 = to.1.wrapping_add(h.finish());
}

impl<R: Rules> Pass<'_, R> {
    fn line(&self) -> u64 {
        self.newlines.get() + 1
    }

    fn report(&mut self, location: Location, message: String) -> ControlFlow<()> {
        let flow = self.sink.report(Problem::new(self.file, location, message));
        self.stopped |= flow.is_break();
        flow
    }

    /// Turns a stop into the error that ends serde's walk.
    fn go_on<E: serde::de::Error>(&mut self, flow: ControlFlow<()>) -> Result<(), E> {
        self.stopped |= flow.is_break();
        match flow {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(E::custom("stopped at the first problem")),
        }
    }

    fn object(&mut self, section: Section, index: usize, element: Element) -> ControlFlow<()> {
        let mut object = Object {
            section,
            index,
            line: self.line(),
            value: J::Null,
        };
        object.value = match element {
            Element::Members(members) => {
                let mut map = Map::new();
                for (name, value) in members {
                    if map.contains_key(&name) {
                        // Readers disagree on which one counts.
                        let at = object.at(Some(&name));
                        self.report(at, "appears twice in the object".into())?;
                    }
                    map.insert(name, value);
                }
                J::Object(map)
            }
            Element::Other(value) => value,
        };
        let counted = match section {
            Section::Entities => object.entity_type().map(|t| (0, t.name())),
            Section::Relationships => object.relationship_type().map(|t| (1, t.name())),
        };
        if let Some(counted) = counted {
            *self.held.entry(counted).or_default() += 1;
        }
        if section == Section::Relationships
            && object.relationship_type() == Some(super::mapped::OF)
        {
            let end = |name| object.value.get(name).and_then(J::as_str).unwrap_or("");
            add_ends(
                &mut self.ends.relationships,
                end("_fromEntityKey"),
                end("_toEntityKey"),
            );
        }
        let sink = &mut *self.sink;
        let flow = self.rules.record(object, sink);
        self.stopped |= flow.is_break();
        flow
    }

    /// One item of `mappedRelationships`.
    fn mapped(&mut self, index: usize, element: Element) -> ControlFlow<()> {
        let at = Location::Pointer {
            pointer: format!("/{}/{index}", super::mapped::SECTION),
            line: Some(self.line()),
        };
        let value = match element {
            Element::Members(members) => J::Object(members.into_iter().collect()),
            Element::Other(value) => value,
        };
        match super::mapped::Mapped::check(&value) {
            Ok(mapped) => {
                let (user, email) = mapped.ends();
                let person = format!("{}{email}", crate::model::keys::PERSON);
                add_ends(&mut self.ends.mapped, user, &person);
                ControlFlow::Continue(())
            }
            Err(message) => self.report(at, message),
        }
    }

    fn finish(&mut self) -> ControlFlow<()> {
        let flow = self.rules.finish(&mut *self.sink);
        self.stopped |= flow.is_break();
        flow?;
        for (seen, section) in self
            .sections
            .into_iter()
            .zip(SECTIONS)
            .take(REQUIRED_SECTIONS)
        {
            if !seen {
                self.report(Location::Document, format!("missing {section:?}"))?;
            }
        }
        if self.sections[REQUIRED_SECTIONS] && self.ends.mapped != self.ends.relationships {
            let at = Location::Pointer {
                pointer: format!("/{}", super::mapped::SECTION),
                line: None,
            };
            let (mapped, relationships) = (self.ends.mapped.0, self.ends.relationships.0);
            self.report(
                at,
                format!(
                    "does not stand for the {} relationships: {mapped} mapped, {relationships} relationships{}",
                    super::mapped::OF.name(),
                    if mapped == relationships { ", with other ends" } else { "" }
                ),
            )?;
        }
        let Some((declared, line)) = self.counts.take() else {
            return ControlFlow::Continue(());
        };
        let names = [
            EntityType::ALL.map(|t| t.name()).to_vec(),
            RelationshipType::ALL.map(|t| t.name()).to_vec(),
        ];
        for (kind, (section, names)) in ["entities", "relationships"]
            .into_iter()
            .zip(names)
            .enumerate()
        {
            for name in names {
                let found = self.held.get(&(kind, name)).copied().unwrap_or(0);
                if let Some(said) = declared[section][name].as_u64()
                    && said != found
                {
                    let at = Location::Pointer {
                        pointer: format!("/metadata/counts/{section}/{name}"),
                        line: Some(line),
                    };
                    self.report(at, format!("says {said}, the document holds {found}"))?;
                }
            }
        }
        ControlFlow::Continue(())
    }
}

struct Document<'a, 'p, R>(&'a mut Pass<'p, R>);

impl<'de, R: Rules> DeserializeSeed<'de> for Document<'_, '_, R> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, R: Rules> Visitor<'de> for Document<'_, '_, R> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with metadata, entities and relationships")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let pass = self.0;
        while let Some(key) = map.next_key::<String>()? {
            let at = |pass: &Pass<R>| Location::Pointer {
                pointer: format!("/{}", escape_pointer(&key)),
                line: Some(pass.line()),
            };
            let Some(section) = SECTIONS.iter().position(|s| *s == key) else {
                let flow = pass.report(at(pass), "unknown top-level member".into());
                pass.go_on(flow)?;
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            };
            if std::mem::replace(&mut pass.sections[section], true) {
                let flow = pass.report(at(pass), "appears twice".into());
                pass.go_on(flow)?;
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            match section {
                0 => {
                    let metadata: J = map.next_value()?;
                    let line = pass.line();
                    let flow = pass.rules.metadata(&metadata, line, &mut *pass.sink);
                    pass.go_on(flow)?;
                    pass.counts = metadata.get("counts").cloned().map(|c| (c, line));
                }
                1 => map.next_value_seed(Records(&mut *pass, Items::Of(Section::Entities)))?,
                2 => map.next_value_seed(Records(&mut *pass, Items::Of(Section::Relationships)))?,
                _ => map.next_value_seed(Records(&mut *pass, Items::Mapped))?,
            }
        }
        Ok(())
    }
}

/// What an array of the document holds.
#[derive(Clone, Copy)]
enum Items {
    /// Records, for the caller's rules.
    Of(Section),
    /// JupiterOne's mapped relationships, which the pass checks itself.
    Mapped,
}

struct Records<'a, 'p, R>(&'a mut Pass<'p, R>, Items);

impl<'de, R: Rules> DeserializeSeed<'de> for Records<'_, '_, R> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de, R: Rules> Visitor<'de> for Records<'_, '_, R> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Records(pass, items) = self;
        let mut index = 0;
        while let Some(element) = seq.next_element::<Element>()? {
            let flow = match items {
                Items::Of(section) => pass.object(section, index, element),
                Items::Mapped => pass.mapped(index, element),
            };
            pass.go_on(flow)?;
            index += 1;
        }
        if let Items::Of(section) = items {
            pass.rules.section_done(section);
        }
        Ok(())
    }
}

/// One item of `entities` or `relationships`: an object's members in document order, a name
/// given twice kept so it can be reported; or whatever other JSON value stands there.
enum Element {
    Members(Vec<(String, J)>),
    Other(J),
}

impl<'de> serde::Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Element, D::Error> {
        de.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an entity or relationship object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut members = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            members.push((name, map.next_value::<J>()?));
        }
        Ok(Element::Members(members))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<J>()? {
            items.push(item);
        }
        Ok(Element::Other(J::Array(items)))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Element, E> {
        Ok(Element::Other(J::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Element, E> {
        Ok(Element::Other(J::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Element, E> {
        Ok(Element::Other(J::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Element, E> {
        Ok(Element::Other(J::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Element, E> {
        Ok(Element::Other(J::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Element, E> {
        Ok(Element::Other(J::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Element, E> {
        Ok(Element::Other(J::Null))
    }
}

/// A member name as one segment of a JSON pointer (RFC 6901).
pub(super) fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::problems::{Collected, FirstProblem};

    /// Rules that accept everything, so only the pass's own problems are seen.
    struct Nothing;

    impl Rules for Nothing {
        fn metadata(&mut self, _: &J, _: u64, _: &mut dyn ProblemSink) -> ControlFlow<()> {
            ControlFlow::Continue(())
        }

        fn record(&mut self, _: Object, _: &mut dyn ProblemSink) -> ControlFlow<()> {
            ControlFlow::Continue(())
        }
    }

    fn shown(text: &str, sink: &mut dyn ProblemSink) {
        read(text.as_bytes(), "g.json", &mut Nothing, sink).unwrap();
    }

    fn all(text: &str) -> Vec<String> {
        let mut found = Collected::default();
        shown(text, &mut found);
        assert_eq!(found.total, found.listed.len());
        found.listed.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_pass_reports_what_every_reading_agrees_on_with_its_line() {
        let text = "{\"metadata\":{\"counts\":{\"entities\":{\"knowbe4_user\":2}}},\n\
                    \"entities\":[\n{\"_type\":\"knowbe4_user\",\"a\":1,\"a\":2}\n],\n\
                    \"extra\":1,\n\"entities\":[]}";
        assert_eq!(
            all(text),
            [
                "g.json /entities/0/a (line 3): appears twice in the object",
                "g.json /extra (line 5): unknown top-level member",
                "g.json /entities (line 6): appears twice",
                "g.json (document): missing \"relationships\"",
                "g.json /metadata/counts/entities/knowbe4_user (line 1): says 2, the document holds 1",
            ]
        );
    }

    #[test]
    fn a_syntax_error_names_its_line_and_column_and_ends_the_pass() {
        assert_eq!(
            all("{\"metadata\":{},\n\"entities\":[{\"_key\":\"x"),
            ["g.json line 2, column 22: not a valid JSON document: EOF while parsing a string"]
        );
        assert_eq!(
            all("[]"),
            [
                "g.json line 1, column 1: not a valid JSON document: invalid type: sequence, \
              expected an object with metadata, entities and relationships"
            ]
        );
    }

    #[test]
    fn the_first_problem_stops_the_pass() {
        let mut first = FirstProblem::default();
        shown("{\"x\":1,\"y\":2}", &mut first);
        assert_eq!(
            first.0.map(|p| p.to_string()).as_deref(),
            Some("g.json /x (line 1): unknown top-level member")
        );
    }
}
