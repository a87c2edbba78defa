//! The columns of each Neo4j CSV file, derived from the property table, and their header cells
//! in neo4j-admin's typed syntax (`name:type`, `:ID(space)`, `:LABEL`, ...).
//!
//! The validator parses headers back with [`parse_header_cell`] and compares them with
//! [`node_columns`] / [`relationship_columns`], so the exporter, the validator and the table
//! cannot drift apart.

use crate::model::{EntityType, Graph, PropDef, RelationshipType, ValueType};

/// One ID space for every node: `_key`s are globally unique.
pub const ID_SPACE: &str = "knowbe4";

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// `_key:ID(knowbe4)`: the node's `_key`, also stored as its `_key` property.
    Id,
    /// `:LABEL`: `_type` then every `_class`, joined with the array delimiter.
    Label,
    /// `:START_ID(knowbe4)`: `_fromEntityKey`.
    StartId,
    /// `:END_ID(knowbe4)`: `_toEntityKey`.
    EndId,
    /// `:TYPE`: the relationship's `_class`.
    Type,
    /// A property of this value type (structural ones such as `_type` included).
    Property(ValueType),
}

/// A column: its property name (empty for `:LABEL`, `:START_ID`, ...) and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// neo4j-admin's name for a value type.
pub const fn neo4j_type(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "string",
        ValueType::Integer => "long",
        // Neo4j has no decimal type: a decimal is the double nearest to it.
        ValueType::Float | ValueType::Decimal => "double",
        ValueType::Boolean => "boolean",
        ValueType::DateTime => "datetime",
        ValueType::Date => "date",
        ValueType::StringArray => "string[]",
        ValueType::IntegerArray => "long[]",
    }
}

/// The value type behind a neo4j-admin type name kb4graph writes.
pub fn value_type_of(neo4j: &str) -> Option<ValueType> {
    ValueType::ALL.into_iter().find(|&t| neo4j_type(t) == neo4j)
}

impl Column {
    fn property(name: &str, t: ValueType) -> Column {
        Column {
            name: name.to_owned(),
            kind: ColumnKind::Property(t),
        }
    }

    /// The header cell, e.g. `_key:ID(knowbe4)`, `:LABEL`, `joinedOn:datetime`.
    pub fn header(&self) -> String {
        match self.kind {
            ColumnKind::Id => format!("{}:ID({ID_SPACE})", self.name),
            ColumnKind::Label => ":LABEL".to_owned(),
            ColumnKind::StartId => format!(":START_ID({ID_SPACE})"),
            ColumnKind::EndId => format!(":END_ID({ID_SPACE})"),
            ColumnKind::Type => ":TYPE".to_owned(),
            ColumnKind::Property(t) => format!("{}:{}", self.name, neo4j_type(t)),
        }
    }

    /// The value type of the column's data (`:LABEL` is a string array, IDs are strings).
    pub fn value_type(&self) -> ValueType {
        match self.kind {
            ColumnKind::Property(t) => t,
            ColumnKind::Label => ValueType::StringArray,
            ColumnKind::Id | ColumnKind::StartId | ColumnKind::EndId | ColumnKind::Type => {
                ValueType::String
            }
        }
    }
}

/// The columns of `nodes/<_type>.csv`: `_key:ID`, `:LABEL`, `_type`, the table's properties,
/// then the extra properties the graph holds for the type (strings), sorted.
pub fn node_columns<'a>(ty: EntityType, extras: impl IntoIterator<Item = &'a str>) -> Vec<Column> {
    let columns = vec![
        Column {
            name: "_key".into(),
            kind: ColumnKind::Id,
        },
        Column {
            name: String::new(),
            kind: ColumnKind::Label,
        },
        Column::property("_type", ValueType::String),
    ];
    with_properties(columns, ty.def().properties, extras)
}

/// The columns of `relationships/<_type>.csv`: `:START_ID`, `:END_ID`, `:TYPE`, `_key`,
/// `_type`, the table's properties, then extra properties (strings), sorted.
pub fn relationship_columns<'a>(
    ty: RelationshipType,
    extras: impl IntoIterator<Item = &'a str>,
) -> Vec<Column> {
    let columns = vec![
        Column {
            name: String::new(),
            kind: ColumnKind::StartId,
        },
        Column {
            name: String::new(),
            kind: ColumnKind::EndId,
        },
        Column {
            name: String::new(),
            kind: ColumnKind::Type,
        },
        Column::property("_key", ValueType::String),
        Column::property("_type", ValueType::String),
    ];
    with_properties(columns, ty.def().properties, extras)
}

/// The columns of every node file of `graph`, by entity type.
pub fn graph_node_columns(graph: &Graph, ty: EntityType) -> Vec<Column> {
    node_columns(ty, graph.extra_properties(ty))
}

/// The columns of every relationship file of `graph`, by relationship type.
pub fn graph_relationship_columns(graph: &Graph, ty: RelationshipType) -> Vec<Column> {
    relationship_columns(ty, graph.relationship_extra_properties(ty))
}

/// `nodes/<_type>.csv`, relative to `neo4j/`.
pub fn node_file(ty: EntityType) -> String {
    format!("nodes/{}.csv", ty.name())
}

/// `relationships/<_type>.csv`, relative to `neo4j/`.
pub fn relationship_file(ty: RelationshipType) -> String {
    format!("relationships/{}.csv", ty.name())
}

/// A header cell parsed by neo4j-admin's rules: `name:type`, `name:ID(space)`, `:LABEL`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCell {
    pub name: String,
    /// The part after the last `:`, without an ID space (`ID`, `START_ID`, `long[]`, ...);
    /// `None` when there is no `:` (a string property).
    pub tag: Option<String>,
    /// The ID space of `ID`, `START_ID` and `END_ID`, if given.
    pub id_space: Option<String>,
}

/// Why neo4j-admin would refuse a header cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderCellError {
    #[error("an empty header cell")]
    Empty,
    #[error("{0:?}: an ID space must end with `)`")]
    UnclosedIdSpace(String),
    #[error("{0:?}: only ID, START_ID and END_ID take an ID space")]
    IdSpaceNotAllowed(String),
    #[error("{0:?}: a malformed ID space")]
    MalformedIdSpace(String),
    #[error("{cell:?}: {tag:?} is not a neo4j-admin type")]
    UnknownType { cell: String, tag: String },
    #[error("{cell:?}: :{tag} takes no property name")]
    NameNotAllowed { cell: String, tag: String },
    #[error("{0:?}: a property needs a name")]
    NoName(String),
}

/// Parses one header cell the way neo4j-admin does: the type follows the last `:`; `ID`,
/// `START_ID` and `END_ID` may carry an ID space in parentheses.
pub fn parse_header_cell(cell: &str) -> Result<HeaderCell, HeaderCellError> {
    let Some((name, tag)) = cell.rsplit_once(':') else {
        if cell.is_empty() {
            return Err(HeaderCellError::Empty);
        }
        return Ok(HeaderCell {
            name: cell.to_owned(),
            tag: None,
            id_space: None,
        });
    };
    let (tag, id_space) = match tag.split_once('(') {
        Some((t, rest)) => {
            let Some(space) = rest.strip_suffix(')') else {
                return Err(HeaderCellError::UnclosedIdSpace(cell.to_owned()));
            };
            if !matches!(t, "ID" | "START_ID" | "END_ID") {
                return Err(HeaderCellError::IdSpaceNotAllowed(cell.to_owned()));
            }
            if space.is_empty() || space.contains(['(', ')']) {
                return Err(HeaderCellError::MalformedIdSpace(cell.to_owned()));
            }
            (t, Some(space.to_owned()))
        }
        None => (tag, None),
    };
    let known = matches!(
        tag,
        "ID" | "START_ID" | "END_ID" | "LABEL" | "TYPE" | "IGNORE"
    ) || [
        "int",
        "long",
        "float",
        "double",
        "boolean",
        "byte",
        "short",
        "char",
        "string",
        "point",
        "date",
        "localtime",
        "time",
        "localdatetime",
        "datetime",
        "duration",
    ]
    .iter()
    .any(|t| tag == *t || tag.strip_suffix("[]") == Some(t));
    if !known {
        return Err(HeaderCellError::UnknownType {
            cell: cell.to_owned(),
            tag: tag.to_owned(),
        });
    }
    if matches!(tag, "LABEL" | "TYPE" | "START_ID" | "END_ID") && !name.is_empty() {
        return Err(HeaderCellError::NameNotAllowed {
            cell: cell.to_owned(),
            tag: tag.to_owned(),
        });
    }
    if !matches!(
        tag,
        "LABEL" | "TYPE" | "START_ID" | "END_ID" | "ID" | "IGNORE"
    ) && name.is_empty()
    {
        return Err(HeaderCellError::NoName(cell.to_owned()));
    }
    Ok(HeaderCell {
        name: name.to_owned(),
        tag: Some(tag.to_owned()),
        id_space,
    })
}

/// `columns` followed by the table's properties, then the extra properties (strings).
fn with_properties<'a>(
    mut columns: Vec<Column>,
    properties: &[PropDef],
    extras: impl IntoIterator<Item = &'a str>,
) -> Vec<Column> {
    columns.extend(
        properties
            .iter()
            .map(|p| Column::property(p.name, p.value_type)),
    );
    columns.extend(
        extras
            .into_iter()
            .map(|name| Column::property(name, ValueType::String)),
    );
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_header_parses_back_to_itself() {
        for ty in EntityType::ALL {
            for c in node_columns(ty, ["mfaEnrolled"]) {
                let cell = parse_header_cell(&c.header()).unwrap();
                assert_eq!(cell.name, c.name);
            }
        }
        for ty in RelationshipType::ALL {
            for c in relationship_columns(ty, []) {
                parse_header_cell(&c.header()).unwrap();
            }
        }
        for t in ValueType::ALL {
            // A decimal is a double in Neo4j: the header alone reads back as a float.
            let back = if t == ValueType::Decimal {
                ValueType::Float
            } else {
                t
            };
            assert_eq!(value_type_of(neo4j_type(t)), Some(back));
        }
    }

    #[test]
    fn malformed_header_cells_are_refused() {
        for bad in [
            "",
            "x:number",
            ":ID(",
            "x:LABEL",
            ":string",
            "a:long(x)",
            ":ID()",
        ] {
            assert!(parse_header_cell(bad).is_err(), "{bad:?}");
        }
        let id = parse_header_cell("_key:ID(knowbe4)").unwrap();
        assert_eq!(id.id_space.as_deref(), Some("knowbe4"));
    }
}
