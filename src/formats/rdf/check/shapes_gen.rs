//! `schemas/kb4graph.shapes.ttl`, the SHACL shapes, generated from the property table.
//!
//! One node shape per class (entity types and relationship nodes), one property shape per
//! property; every shape has an IRI (`kbsh:`), so the file has no blank nodes and a violation
//! names the shape it broke. Only SHACL Core features the in-tool validator implements are
//! used (see `shapes.rs`).

use std::fmt::Write as _;

use super::ontology::{header, quoted};
use crate::formats::rdf::vocab::{self, SHAPES_IRI};
use crate::model::{EntityType, PropDef, RelationshipType};

struct PropertyShape {
    local: String,
    path: String,
    datatype: Option<&'static str>,
    class: Option<&'static str>,
    has_value: Option<String>,
    min: Option<u32>,
    max: Option<u32>,
}

impl PropertyShape {
    fn literal(local: String, path: String, p: &PropDef) -> PropertyShape {
        PropertyShape {
            local,
            path,
            datatype: Some(vocab::datatype(p.value_type)),
            class: None,
            has_value: None,
            min: p.required.then_some(1),
            max: (!p.value_type.is_array()).then_some(1),
        }
    }

    fn key(shape: &str) -> PropertyShape {
        PropertyShape {
            local: format!("{shape}-{}", vocab::KEY),
            path: format!("kb:{}", vocab::KEY),
            datatype: Some("string"),
            class: None,
            has_value: None,
            min: Some(1),
            max: Some(1),
        }
    }

    fn link(local: String, path: String, class: &'static str, one: bool) -> PropertyShape {
        PropertyShape {
            local,
            path,
            datatype: None,
            class: Some(class),
            has_value: None,
            min: one.then_some(1),
            max: one.then_some(1),
        }
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "kbsh:{} a sh:PropertyShape ;", self.local);
        let _ = write!(out, "    sh:path {}", self.path);
        if let Some(d) = self.datatype {
            let _ = write!(out, " ;\n    sh:datatype xsd:{d}");
        }
        if let Some(c) = self.class {
            let _ = write!(out, " ;\n    sh:class kb:{c} ;\n    sh:nodeKind sh:IRI");
        }
        if let Some(v) = &self.has_value {
            let _ = write!(out, " ;\n    sh:hasValue {v}");
        }
        if let Some(n) = self.min {
            let _ = write!(out, " ;\n    sh:minCount {n}");
        }
        if let Some(n) = self.max {
            let _ = write!(out, " ;\n    sh:maxCount {n}");
        }
        out.push_str(" .\n\n");
    }
}

fn node_shape(out: &mut String, class: &str, comment: &str, properties: &[PropertyShape]) {
    let _ = writeln!(out, "kbsh:{class} a sh:NodeShape ;");
    let _ = writeln!(out, "    rdfs:comment {} ;", quoted(comment));
    let _ = writeln!(out, "    sh:targetClass kb:{class} ;");
    let list: Vec<String> = properties
        .iter()
        .map(|p| format!("kbsh:{}", p.local))
        .collect();
    let _ = writeln!(out, "    sh:property {} .\n", list.join(",\n        "));
    for p in properties {
        p.write(out);
    }
}

/// The whole shapes file as Turtle.
pub fn generate_text() -> String {
    let mut out = String::new();
    header(
        &mut out,
        "kb4graph SHACL shapes for the RDF exports (checked by `kb4graph validate` and by pyshacl)",
        &["kb", "kbsh", "owl", "rdf", "rdfs", "sh", "xsd"],
    );
    let _ = writeln!(
        out,
        "<{SHAPES_IRI}> a owl:Ontology ;\n    rdfs:label \"kb4graph shapes\" ;\n    rdfs:comment {} .\n",
        quoted(
            "Datatypes, required properties (sh:minCount), cardinalities (sh:maxCount 1 for \
             single values) and the class of each relationship's target, for every class of \
             the kb4graph vocabulary."
        )
    );
    for ty in EntityType::ALL {
        let class = vocab::entity_class(ty);
        let mut props = vec![PropertyShape::key(class)];
        for extra in vocab::extra_classes(ty) {
            props.push(PropertyShape {
                local: format!("{class}-type-{extra}"),
                path: "rdf:type".to_owned(),
                datatype: None,
                class: None,
                has_value: Some(format!("kb:{extra}")),
                min: None,
                max: None,
            });
        }
        for (p, local) in vocab::entity_properties(ty) {
            props.push(PropertyShape::literal(
                local.clone(),
                format!("kb:{local}"),
                p,
            ));
        }
        for rel in RelationshipType::ALL {
            let def = rel.def();
            if def.from == ty {
                let local = vocab::relationship_predicate(rel);
                props.push(PropertyShape::link(
                    local.clone(),
                    format!("kb:{local}"),
                    vocab::entity_class(def.to),
                    false,
                ));
            }
        }
        node_shape(
            &mut out,
            class,
            &format!("Every {} entity.", ty.def().name),
            &props,
        );
    }
    for ty in RelationshipType::ALL {
        let def = ty.def();
        let class = vocab::relationship_class(ty);
        let mut props = vec![
            PropertyShape::key(&class),
            PropertyShape::link(
                format!("{class}-{}", vocab::FROM),
                format!("kb:{}", vocab::FROM),
                vocab::entity_class(def.from),
                true,
            ),
            PropertyShape::link(
                format!("{class}-{}", vocab::TO),
                format!("kb:{}", vocab::TO),
                vocab::entity_class(def.to),
                true,
            ),
        ];
        for (p, local) in vocab::relationship_properties(ty) {
            props.push(PropertyShape::literal(
                local.clone(),
                format!("kb:{local}"),
                p,
            ));
        }
        node_shape(
            &mut out,
            &class,
            &format!("Every {} relationship written as a node.", def.name),
            &props,
        );
    }
    out
}
