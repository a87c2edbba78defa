//! The checker `validate` runs on RDF exports: the reader of `crate::formats::rdf::read` and
//! the bundled SHACL shapes (`schemas/kb4graph.shapes.ttl`), every problem collected.
//!
//! Each of `rdf/graph.nt`, `rdf/graph.ttl` and `rdf/graph.nq` found is read and checked against
//! the shapes as [`shapes`] reads them from the bundled file (`focus`: the rules, node by
//! node); in N-Quads every graph is checked (the provenance graph has no shape targets).
//! Violations name the focus node, the path and the rule. Both bundled files are generated from
//! the property table ([`ontology`], [`shapes_gen`]) and kept equal to it by a test. A change of
//! what is checked is made here; a change of how files are parsed, in the reader.

mod focus;
pub mod ontology;
pub mod shapes;
pub mod shapes_gen;

use std::path::Path;

use crate::formats::problems::Collected;
use crate::formats::rdf::Syntax;
use crate::validate::{FormatReport, ValidateError};

pub const ONTOLOGY_FILE: &str = "kb4graph.ttl";
pub const SHAPES_FILE: &str = "kb4graph.shapes.ttl";
/// The ontology as bundled in the binary.
pub const ONTOLOGY: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/kb4graph.ttl"));
/// The shapes as bundled in the binary: what `kb4graph validate` checks.
pub const SHAPES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schemas/kb4graph.shapes.ttl"
));

/// The bundled schemas this validator reads, as (file name, content).
pub const SCHEMAS: &[(&str, &str)] = &[(ONTOLOGY_FILE, ONTOLOGY), (SHAPES_FILE, SHAPES)];

/// Validates the file of `syntax` in `dir`, if there is one.
pub fn validate(dir: &Path, syntax: Syntax) -> Result<Option<FormatReport>, ValidateError> {
    if crate::compress::find_data_file(dir, syntax.file()).is_none() {
        return Ok(None);
    }
    let shapes = shapes::Shapes::parse(SHAPES)?;
    let mut found = Collected::default();
    focus::check_file(dir, syntax, &shapes, &mut found).map_err(|e| ValidateError::Io {
        path: e.path,
        source: e.source,
    })?;
    Ok(Some(FormatReport {
        format: syntax.format(),
        files: vec![syntax.file().to_owned()],
        violations: found.listed,
        total: found.total,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntityType, RelationshipType};

    fn bless_or_compare(file: &str, bundled: &str, generated: &str) {
        if std::env::var_os("KB4GRAPH_BLESS").is_some() {
            let path = format!("{}/schemas/{file}", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(path, generated).unwrap();
            return;
        }
        assert!(
            bundled == generated,
            "schemas/{file} differs from the property table; regenerate it with \
             KB4GRAPH_BLESS=1 cargo test --lib rdf_bundled"
        );
    }

    #[test]
    fn rdf_bundled_ontology_is_the_generated_one() {
        bless_or_compare(ONTOLOGY_FILE, ONTOLOGY, &ontology::generate_text());
    }

    #[test]
    fn rdf_bundled_shapes_are_the_generated_ones() {
        bless_or_compare(SHAPES_FILE, SHAPES, &shapes_gen::generate_text());
    }

    #[test]
    fn generated_files_parse_and_shapes_cover_every_class() {
        for text in [ontology::generate_text(), shapes_gen::generate_text()] {
            for t in oxttl::TurtleParser::new().for_slice(&text) {
                let t = t.unwrap();
                assert!(!t.subject.is_blank_node() && !t.object.is_blank_node());
            }
        }
        let shapes = shapes::Shapes::parse(&shapes_gen::generate_text()).unwrap();
        assert_eq!(
            shapes.node_shapes.len(),
            EntityType::ALL.len() + RelationshipType::ALL.len()
        );
    }
}
