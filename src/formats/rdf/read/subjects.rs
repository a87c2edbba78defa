//! The triples of each subject, gathered, then turned into records once every subject is known.

use std::collections::BTreeMap;

use oxrdf::{NamedOrBlankNode, Quad, Term};

use super::lexical::lexical_form;
use super::{focus, subject_text};
use crate::formats::graphml::values::scalar;
use crate::formats::problems::Location;
use crate::formats::rdf::iri::decode;
use crate::formats::rdf::vocab::{self, RDF_TYPE, VOCAB_NS};
use crate::formats::rdf::xsd;
use crate::model::{EntityType, Record, RecordKind, RelationshipType, Value, ValueType};

/// What is wrong, and where: the first problem the records reader finds itself.
pub(crate) struct Fail {
    pub location: Location,
    pub message: String,
}

/// At most this many characters of a triple are quoted in a location.
const QUOTED: usize = 200;

/// A triple as a problem's location, its object shortened so that the triple fits [`QUOTED`].
pub(super) fn triple_location(t: &Quad) -> Location {
    let (subject, predicate) = (t.subject.to_string(), t.predicate.to_string());
    let mut object = t.object.to_string();
    let room = QUOTED.saturating_sub(subject.chars().count() + predicate.chars().count() + 2);
    if object.chars().count() > room {
        object = object.chars().take(room).collect();
        object.push_str("...");
    }
    Location::Triple {
        subject,
        predicate,
        object,
    }
}

fn object_kind(o: &Term) -> &'static str {
    match o {
        Term::NamedNode(_) => "an IRI",
        Term::Literal(_) => "a literal",
        _ => "neither an IRI nor a literal",
    }
}

/// Why a relationship's end is not the entity it must be.
#[derive(Debug, thiserror::Error)]
enum EndError {
    #[error("{key:?} is a {}, not a {}", found.name(), want.name())]
    OtherType {
        key: String,
        found: EntityType,
        want: EntityType,
    },
    #[error("{key:?} is no entity of the graph")]
    Missing { key: String },
}

/// What a subject is: an entity or a relationship node, and of which type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Entity(EntityType),
    Relationship(RelationshipType),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Entity(t) => t.name(),
            Kind::Relationship(t) => t.name(),
        }
    }
}

/// A class of the vocabulary.
#[derive(Debug, Clone, Copy)]
enum Class {
    Main(Kind),
    /// A JupiterOne `_class` that is a class of its own (`Training`, `Module`).
    Extra(&'static str),
}

/// The vocabulary's local names, looked up for every triple.
struct Vocab {
    classes: BTreeMap<String, Class>,
    /// Owner class of properties: `User` in `kb:User_email`.
    owners: BTreeMap<String, Kind>,
    links: BTreeMap<String, RelationshipType>,
}

impl Vocab {
    fn new() -> Vocab {
        let mut classes = BTreeMap::new();
        let mut owners = BTreeMap::new();
        let mut links = BTreeMap::new();
        for t in EntityType::ALL {
            let class = vocab::entity_class(t);
            classes.insert(class.to_owned(), Class::Main(Kind::Entity(t)));
            owners.insert(class.to_owned(), Kind::Entity(t));
            for extra in vocab::extra_classes(t) {
                classes.insert(extra.to_owned(), Class::Extra(extra));
            }
        }
        for t in RelationshipType::ALL {
            let class = vocab::relationship_class(t);
            classes.insert(class.clone(), Class::Main(Kind::Relationship(t)));
            owners.insert(class, Kind::Relationship(t));
            links.insert(vocab::relationship_predicate(t), t);
        }
        Vocab {
            classes,
            owners,
            links,
        }
    }
}

/// One subject's triples, as far as read.
#[derive(Default)]
struct Subject {
    kind: Option<Kind>,
    extra_classes: Vec<&'static str>,
    /// The type its property predicates and links name.
    owner: Option<Kind>,
    key: Option<String>,
    from: Option<String>,
    to: Option<String>,
    properties: BTreeMap<String, Value>,
    /// Links to other entities; sorted and without repeats once every triple is read.
    links: Vec<(RelationshipType, String)>,
}

/// Every subject of the graph, by `_key`.
pub(super) struct Subjects {
    base: String,
    vocab: Vocab,
    subjects: BTreeMap<String, Subject>,
}

fn fail_at(triple: &Quad, message: String) -> Fail {
    Fail {
        location: triple_location(triple),
        message,
    }
}

fn fail_subject(base: &str, key: &str, message: String) -> Fail {
    let mut iri = String::from(base);
    crate::formats::rdf::iri::push_encoded(&mut iri, key);
    Fail {
        location: focus(&iri, ""),
        message,
    }
}

impl Subjects {
    pub fn new(base: &str) -> Subjects {
        Subjects {
            base: base.to_owned(),
            vocab: Vocab::new(),
            subjects: BTreeMap::new(),
        }
    }

    /// The `_key` of an instance IRI in `triple`.
    fn key_of(&self, triple: &Quad, iri: &str) -> Result<String, Fail> {
        iri.strip_prefix(self.base.as_str())
            .and_then(decode)
            .ok_or_else(|| {
                fail_at(
                    triple,
                    format!(
                        "<{iri}> is not an instance IRI: the base IRI {} followed by a \
                         percent-encoded _key",
                        self.base
                    ),
                )
            })
    }

    fn iri_object<'t>(triple: &'t Quad, what: &str) -> Result<&'t str, Fail> {
        match &triple.object {
            Term::NamedNode(n) => Ok(n.as_str()),
            other => Err(fail_at(
                triple,
                format!("the object of {what} is {}, not an IRI", object_kind(other)),
            )),
        }
    }

    /// Gathers one triple of the data graph (its graph is not looked at).
    pub fn add(&mut self, triple: &Quad) -> Result<(), Fail> {
        let NamedOrBlankNode::NamedNode(subject) = &triple.subject else {
            // The reader reports a file's first blank node, and records come only from a file
            // without problems.
            return Ok(());
        };
        let key = self.key_of(triple, subject.as_str())?;
        let predicate = triple.predicate.as_str();
        if predicate == RDF_TYPE {
            let class_iri = Self::iri_object(triple, "rdf:type")?;
            let class = class_iri
                .strip_prefix(VOCAB_NS)
                .and_then(|local| self.vocab.classes.get(local).copied())
                .ok_or_else(|| {
                    fail_at(
                        triple,
                        format!("<{class_iri}> is no class of the vocabulary"),
                    )
                })?;
            let s = self.subjects.entry(key).or_default();
            match class {
                Class::Main(kind) => match s.kind {
                    Some(k) if k != kind => {
                        return Err(fail_at(
                            triple,
                            format!("the subject is a {} and a {}", k.name(), kind.name()),
                        ));
                    }
                    _ => s.kind = Some(kind),
                },
                Class::Extra(c) => {
                    if !s.extra_classes.contains(&c) {
                        s.extra_classes.push(c);
                    }
                }
            }
            return Ok(());
        }
        let Some(local) = predicate.strip_prefix(VOCAB_NS) else {
            return Err(fail_at(
                triple,
                format!("<{predicate}> is no property of the vocabulary"),
            ));
        };
        match local {
            vocab::KEY => {
                let value = lexical_form(&triple.object, xsd(vocab::datatype(ValueType::String)))
                    .map_err(|e| fail_datatype(triple, &e))?
                    .to_owned();
                set_once(
                    triple,
                    &mut self.subjects.entry(key).or_default().key,
                    value,
                    "kb:key",
                )
            }
            vocab::FROM | vocab::TO => {
                let end = self.key_of(triple, Self::iri_object(triple, local)?)?;
                let s = self.subjects.entry(key).or_default();
                let slot = if local == vocab::FROM {
                    &mut s.from
                } else {
                    &mut s.to
                };
                set_once(triple, slot, end, local)
            }
            _ => match &triple.object {
                Term::NamedNode(object) => {
                    let Some(&ty) = self.vocab.links.get(local) else {
                        return Err(fail_at(
                            triple,
                            format!("<{predicate}> is no relationship of the vocabulary"),
                        ));
                    };
                    let to = self.key_of(triple, object.as_str())?;
                    let s = self.subjects.entry(key).or_default();
                    set_owner(triple, s, Kind::Entity(ty.def().from))?;
                    s.links.push((ty, to));
                    Ok(())
                }
                Term::Literal(_) => {
                    let (owner, name, value_type) = self.property(local).ok_or_else(|| {
                        fail_at(
                            triple,
                            format!("<{predicate}> is no property of the vocabulary"),
                        )
                    })?;
                    let value = typed_value(triple, &name, value_type)?;
                    let s = self.subjects.entry(key).or_default();
                    set_owner(triple, s, owner)?;
                    add_value(triple, s, name, value_type, value)
                }
                other => Err(fail_at(
                    triple,
                    format!("the object is {}", object_kind(other)),
                )),
            },
        }
    }

    /// The owner, property name and value type of a property's local name (`User_email`); a
    /// name the owner does not declare is an extra property, a string.
    fn property(&self, local: &str) -> Option<(Kind, String, ValueType)> {
        let (class, encoded) = local.split_once('_')?;
        let owner = *self.vocab.owners.get(class)?;
        let name = crate::formats::rdf::vocab::property_name(decode(encoded)?);
        let defs = match owner {
            Kind::Entity(t) => t.def().properties,
            Kind::Relationship(t) => t.def().properties,
        };
        let value_type = defs
            .iter()
            .find(|p| p.name == name)
            .map_or(ValueType::String, |p| p.value_type);
        Some((owner, name, value_type))
    }

    /// Every record: entities, relationship nodes, and relationships known only by their links.
    pub fn finish(mut self) -> Result<Vec<Record>, Fail> {
        let base = self.base.clone();
        let fail = |key: &str, message: String| fail_subject(&base, key, message);
        let mut types: BTreeMap<String, EntityType> = BTreeMap::new();
        for (key, s) in &mut self.subjects {
            let Some(kind) = s.kind else {
                return Err(fail(
                    key,
                    "no rdf:type of an entity or relationship class: every subject of an \
                     export has one"
                        .to_owned(),
                ));
            };
            if let Some(owner) = s.owner
                && owner != kind
            {
                return Err(fail(
                    key,
                    format!(
                        "a {} with properties or links of a {}",
                        kind.name(),
                        owner.name()
                    ),
                ));
            }
            if s.key.as_deref() != Some(key.as_str()) {
                return Err(fail(
                    key,
                    match &s.key {
                        Some(k) => format!("kb:key {k:?} is not the _key its IRI encodes"),
                        None => "no kb:key".to_owned(),
                    },
                ));
            }
            if let Kind::Entity(t) = kind {
                let mut want: Vec<&str> = vocab::extra_classes(t).collect();
                let mut have = s.extra_classes.clone();
                want.sort_unstable();
                have.sort_unstable();
                if want != have {
                    return Err(fail(
                        key,
                        format!(
                            "a {} has the classes {:?} besides its own, not {:?}",
                            t.name(),
                            want,
                            have
                        ),
                    ));
                }
                if s.from.is_some() || s.to.is_some() {
                    return Err(fail(key, "an entity with kb:from or kb:to".to_owned()));
                }
                s.links.sort();
                s.links.dedup();
                types.insert(key.clone(), t);
            } else if !s.extra_classes.is_empty() {
                return Err(fail(
                    key,
                    format!("a {} with an entity's class", kind.name()),
                ));
            }
            for value in s.properties.values_mut() {
                sort_items(value);
            }
        }

        let mut records = Vec::with_capacity(self.subjects.len());
        let mut covered: Vec<(String, RelationshipType, String)> = Vec::new();
        for (key, s) in &self.subjects {
            let Some(Kind::Relationship(ty)) = s.kind else {
                continue;
            };
            let def = ty.def();
            let (Some(from), Some(to)) = (&s.from, &s.to) else {
                return Err(fail(
                    key,
                    format!("a {} without kb:from and kb:to", ty.name()),
                ));
            };
            for (end, end_key, want) in [("kb:from", from, def.from), ("kb:to", to, def.to)] {
                check_end(&types, end_key, want).map_err(|e| fail(key, format!("{end}: {e}")))?;
            }
            let enrollment = match s.properties.get("enrollmentId") {
                Some(Value::Integer(n)) if def.per_enrollment => Some(*n),
                _ if def.per_enrollment => {
                    return Err(fail(key, format!("a {} needs its enrollmentId", ty.name())));
                }
                _ => None,
            };
            let derived =
                crate::model::keys::relationship_key(from, def.key_class(), to, enrollment);
            if derived != *key {
                return Err(fail(
                    key,
                    format!("its _key is not {derived:?}, which its ends and type give"),
                ));
            }
            let link = (ty, to.clone());
            let linked = self
                .subjects
                .get(from)
                .is_some_and(|f| f.links.binary_search(&link).is_ok());
            if !linked {
                return Err(fail(
                    key,
                    format!(
                        "its source has no link kb:{} to its target",
                        vocab::relationship_predicate(ty)
                    ),
                ));
            }
            covered.push((from.clone(), ty, to.clone()));
            records.push(Record {
                kind: RecordKind::Relationship {
                    from: from.clone(),
                    to: to.clone(),
                },
                key: key.clone(),
                type_name: ty.name().to_owned(),
                properties: s.properties.clone(),
            });
        }
        covered.sort();
        covered.dedup();

        for (key, s) in &mut self.subjects {
            let Some(Kind::Entity(t)) = s.kind else {
                continue;
            };
            for (ty, to) in &s.links {
                let def = ty.def();
                check_end(&types, to, def.to).map_err(|e| {
                    fail(
                        key,
                        format!("link kb:{}: {e}", vocab::relationship_predicate(*ty)),
                    )
                })?;
                let triple = (key.clone(), *ty, to.clone());
                if covered.binary_search(&triple).is_ok() {
                    continue;
                }
                if def.per_enrollment {
                    return Err(fail(
                        key,
                        format!(
                            "link kb:{} to {to:?} has no relationship node, which holds its \
                             enrollmentId",
                            vocab::relationship_predicate(*ty)
                        ),
                    ));
                }
                records.push(Record {
                    kind: RecordKind::Relationship {
                        from: key.clone(),
                        to: to.clone(),
                    },
                    key: crate::model::keys::relationship_key(key, def.key_class(), to, None),
                    type_name: ty.name().to_owned(),
                    properties: BTreeMap::new(),
                });
            }
            records.push(Record {
                kind: RecordKind::Entity,
                key: key.clone(),
                type_name: t.name().to_owned(),
                properties: std::mem::take(&mut s.properties),
            });
        }
        Ok(records)
    }
}

fn check_end(
    types: &BTreeMap<String, EntityType>,
    key: &str,
    want: EntityType,
) -> Result<(), EndError> {
    match types.get(key) {
        Some(&t) if t == want => Ok(()),
        Some(&found) => Err(EndError::OtherType {
            key: key.to_owned(),
            found,
            want,
        }),
        None => Err(EndError::Missing {
            key: key.to_owned(),
        }),
    }
}

fn set_once(
    triple: &Quad,
    slot: &mut Option<String>,
    value: String,
    what: &str,
) -> Result<(), Fail> {
    match slot {
        Some(v) if *v != value => Err(fail_at(
            triple,
            format!("{what} is given twice, as {v:?} and {value:?}"),
        )),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

fn set_owner(triple: &Quad, s: &mut Subject, owner: Kind) -> Result<(), Fail> {
    match s.owner {
        Some(o) if o != owner => Err(fail_at(
            triple,
            format!(
                "the subject has properties or links of a {} and of a {}",
                o.name(),
                owner.name()
            ),
        )),
        _ => {
            s.owner = Some(owner);
            Ok(())
        }
    }
}

fn add_value(
    triple: &Quad,
    s: &mut Subject,
    name: String,
    value_type: ValueType,
    value: Value,
) -> Result<(), Fail> {
    use std::collections::btree_map::Entry;
    let entry = s.properties.entry(name);
    match (entry, value) {
        (Entry::Vacant(v), Value::String(x)) if value_type == ValueType::StringArray => {
            v.insert(Value::StringArray(vec![x]));
        }
        (Entry::Vacant(v), Value::Integer(n)) if value_type == ValueType::IntegerArray => {
            v.insert(Value::IntegerArray(vec![n]));
        }
        (Entry::Vacant(v), value) => {
            v.insert(value);
        }
        (Entry::Occupied(mut o), value) => match (o.get_mut(), value) {
            (Value::StringArray(list), Value::String(x)) => list.push(x),
            (Value::IntegerArray(list), Value::Integer(n)) => list.push(n),
            (old, value) if *old == value => {}
            (_, _) => {
                return Err(fail_at(
                    triple,
                    format!("{} has a second, different value", o.key()),
                ));
            }
        },
    }
    Ok(())
}

/// Orders an array's items as the exporter writes them: by lexical form, without repeats.
pub(in crate::formats::rdf) fn sort_items(value: &mut Value) {
    match value {
        Value::StringArray(list) => {
            list.sort_unstable();
            list.dedup();
        }
        Value::IntegerArray(list) => {
            list.sort_unstable_by_key(|n| n.to_string());
            list.dedup();
        }
        _ => {}
    }
}

/// A literal that is no valid value of its property's datatype: said, and placed, as the
/// checker does for the same literal.
fn fail_datatype(triple: &Quad, error: &super::lexical::DatatypeError) -> Fail {
    Fail {
        location: focus(subject_text(&triple.subject), triple.predicate.as_str()),
        message: error.to_string(),
    }
}

/// The value of the literal of a property `name` of `value_type` (for an array: one item). A
/// valid XSD literal spelled otherwise than kb4graph writes it (`+1`, `1` for true, a datetime
/// without milliseconds) is refused too: kb4graph did not write it so.
fn typed_value(triple: &Quad, name: &str, value_type: ValueType) -> Result<Value, Fail> {
    let text = lexical_form(&triple.object, xsd(vocab::datatype(value_type)))
        .map_err(|e| fail_datatype(triple, &e))?;
    scalar(value_type, text).map_err(|m| fail_at(triple, format!("{name}: {m}")))
}
