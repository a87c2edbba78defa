//! The SHACL shapes, read at run time from the bundled `schemas/kb4graph.shapes.ttl`: the file
//! is the single truth, this code only interprets it.
//!
//! The subset of SHACL Core understood: node shapes with `sh:targetClass` and `sh:property`;
//! property shapes with an IRI `sh:path`, `sh:datatype`, `sh:class`, `sh:nodeKind sh:IRI`,
//! `sh:hasValue`, `sh:minCount` and `sh:maxCount`. Any other SHACL term in the file is refused,
//! so the shapes can never say more than is checked. Not implemented: `rdfs:subClassOf`
//! reasoning for `sh:targetClass`/`sh:class` (the exports type every node with every class).

use std::collections::{BTreeMap, HashMap};

use oxrdf::{NamedOrBlankNode, Term, Triple};
use oxttl::TurtleParser;

use crate::formats::rdf::XSD_INTEGER;
use crate::formats::rdf::vocab::RDF_TYPE;
use crate::validate::ValidateError;

const SH: &str = "http://www.w3.org/ns/shacl#";

#[derive(Debug)]
pub struct PropertyShape {
    pub iri: String,
    pub path: String,
    /// The XSD datatype's full IRI.
    pub datatype: Option<String>,
    /// Index in [`Shapes::classes`].
    pub class: Option<usize>,
    pub node_kind_iri: bool,
    pub has_value: Vec<String>,
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Debug)]
pub struct NodeShape {
    pub iri: String,
    /// Index in [`Shapes::classes`].
    pub target: usize,
    pub properties: Vec<PropertyShape>,
}

/// The parsed shapes.
#[derive(Debug)]
pub struct Shapes {
    pub node_shapes: Vec<NodeShape>,
    /// Every class a shape targets or requires (at most 64: a node's classes are a bit set).
    pub classes: Vec<String>,
    /// Per predicate: (node shape, property shape) pairs whose path it is.
    pub by_path: HashMap<String, Vec<(usize, usize)>>,
}

fn schema_error(message: impl Into<String>) -> ValidateError {
    ValidateError::Schema(format!("kb4graph.shapes.ttl: {}", message.into()))
}

fn iri_of(term: &Term, what: &str, subject: &str) -> Result<String, ValidateError> {
    match term {
        Term::NamedNode(n) => Ok(n.as_str().to_owned()),
        other => Err(schema_error(format!(
            "{subject}: {what} must be an IRI, not {other}"
        ))),
    }
}

fn count_of(term: &Term, what: &str, subject: &str) -> Result<u64, ValidateError> {
    match term {
        Term::Literal(l) if l.datatype().as_str() == XSD_INTEGER => l
            .value()
            .parse()
            .map_err(|_| schema_error(format!("{subject}: {what} {l} is not a count"))),
        other => Err(schema_error(format!(
            "{subject}: {what} must be an integer, not {other}"
        ))),
    }
}

impl Shapes {
    pub fn parse(text: &str) -> Result<Shapes, ValidateError> {
        let mut by_subject: BTreeMap<String, Vec<(String, Term)>> = BTreeMap::new();
        for triple in TurtleParser::new().for_slice(text) {
            let Triple {
                subject,
                predicate,
                object,
            } = triple.map_err(|e| schema_error(e.to_string()))?;
            let NamedOrBlankNode::NamedNode(subject) = subject else {
                return Err(schema_error("blank nodes are not used in the shapes"));
            };
            by_subject
                .entry(subject.into_string())
                .or_default()
                .push((predicate.into_string(), object));
        }
        let node_shape_type =
            Term::NamedNode(oxrdf::NamedNode::new_unchecked(format!("{SH}NodeShape")));
        let mut shapes = Shapes {
            node_shapes: Vec::new(),
            classes: Vec::new(),
            by_path: HashMap::new(),
        };
        for (subject, facts) in &by_subject {
            if !facts
                .iter()
                .any(|(p, o)| p == RDF_TYPE && *o == node_shape_type)
            {
                continue;
            }
            let mut target = None;
            let mut properties = Vec::new();
            for (p, o) in facts {
                match p.strip_prefix(SH) {
                    Some("targetClass") => {
                        if target.is_some() {
                            return Err(schema_error(format!("{subject}: two sh:targetClass")));
                        }
                        target = Some(shapes.class_index(iri_of(o, "sh:targetClass", subject)?)?);
                    }
                    Some("property") => {
                        let iri = iri_of(o, "sh:property", subject)?;
                        let facts = by_subject.get(&iri).ok_or_else(|| {
                            schema_error(format!("{subject}: property shape {iri} is not defined"))
                        })?;
                        properties.push(shapes.property_shape(&iri, facts)?);
                    }
                    Some(other) => {
                        return Err(schema_error(format!(
                            "{subject}: sh:{other} is not in the SHACL subset kb4graph implements"
                        )));
                    }
                    None => {}
                }
            }
            let target =
                target.ok_or_else(|| schema_error(format!("{subject}: no sh:targetClass")))?;
            let index = shapes.node_shapes.len();
            for (i, p) in properties.iter().enumerate() {
                shapes
                    .by_path
                    .entry(p.path.clone())
                    .or_default()
                    .push((index, i));
            }
            shapes.node_shapes.push(NodeShape {
                iri: subject.clone(),
                target,
                properties,
            });
        }
        if shapes.node_shapes.is_empty() {
            return Err(schema_error("no sh:NodeShape"));
        }
        Ok(shapes)
    }

    fn class_index(&mut self, iri: String) -> Result<usize, ValidateError> {
        if let Some(i) = self.classes.iter().position(|c| *c == iri) {
            return Ok(i);
        }
        if self.classes.len() == 64 {
            return Err(schema_error("more than 64 classes"));
        }
        self.classes.push(iri);
        Ok(self.classes.len() - 1)
    }

    fn property_shape(
        &mut self,
        iri: &str,
        facts: &[(String, Term)],
    ) -> Result<PropertyShape, ValidateError> {
        let mut shape = PropertyShape {
            iri: iri.to_owned(),
            path: String::new(),
            datatype: None,
            class: None,
            node_kind_iri: false,
            has_value: Vec::new(),
            min: None,
            max: None,
        };
        for (p, o) in facts {
            match p.strip_prefix(SH) {
                Some("path") => shape.path = iri_of(o, "sh:path", iri)?,
                Some("datatype") => shape.datatype = Some(iri_of(o, "sh:datatype", iri)?),
                Some("class") => shape.class = Some(self.class_index(iri_of(o, "sh:class", iri)?)?),
                Some("nodeKind") => {
                    if iri_of(o, "sh:nodeKind", iri)? != format!("{SH}IRI") {
                        return Err(schema_error(format!(
                            "{iri}: only sh:nodeKind sh:IRI is implemented"
                        )));
                    }
                    shape.node_kind_iri = true;
                }
                Some("hasValue") => shape.has_value.push(iri_of(o, "sh:hasValue", iri)?),
                Some("minCount") => shape.min = Some(count_of(o, "sh:minCount", iri)?),
                Some("maxCount") => shape.max = Some(count_of(o, "sh:maxCount", iri)?),
                Some(other) => {
                    return Err(schema_error(format!(
                        "{iri}: sh:{other} is not in the SHACL subset kb4graph implements"
                    )));
                }
                None => {}
            }
        }
        if shape.path.is_empty() {
            return Err(schema_error(format!("{iri}: no sh:path")));
        }
        Ok(shape)
    }
}
