//! Which `_type`s a diff compares.

use std::collections::BTreeSet;

use super::error::DiffError;
use crate::model::{EntityType, RelationshipType};

/// The `_type`s to compare: empty keeps every type (including any a newer export may hold).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeFilter {
    types: BTreeSet<String>,
}

impl TypeFilter {
    /// Every type.
    pub fn all() -> Self {
        TypeFilter::default()
    }

    /// Only these types; each must be an entity or relationship `_type` of the model.
    pub fn new<I, S>(names: I) -> Result<Self, DiffError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut types = BTreeSet::new();
        for name in names {
            let name = name.as_ref();
            if EntityType::from_name(name).is_none() && RelationshipType::from_name(name).is_none()
            {
                return Err(DiffError::UnknownType {
                    name: name.to_owned(),
                    valid: Self::valid_names().join(", "),
                });
            }
            types.insert(name.to_owned());
        }
        Ok(TypeFilter { types })
    }

    /// Every `_type` the filter accepts: entity types, then relationship types, in model order.
    pub fn valid_names() -> Vec<&'static str> {
        EntityType::ALL
            .iter()
            .map(|t| t.name())
            .chain(RelationshipType::ALL.iter().map(|t| t.name()))
            .collect()
    }

    pub fn keeps(&self, type_name: &str) -> bool {
        self.types.is_empty() || self.types.contains(type_name)
    }

    /// True when every type is kept.
    pub fn is_all(&self) -> bool {
        self.types.is_empty()
    }

    /// The types kept, sorted; empty for every type.
    pub fn types(&self) -> impl Iterator<Item = &str> + '_ {
        self.types.iter().map(String::as_str)
    }
}
