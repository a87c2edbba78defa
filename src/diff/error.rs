//! Errors of the diff: a type the filter cannot know, or an input that is not in digest order.

use crate::model::canonical::OrderError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("unknown type {name:?} for --type: valid types are {valid}")]
    UnknownType { name: String, valid: String },
    /// `side` is `old` or `new`. The readers give records sorted, so this points at a damaged
    /// export or a reader bug rather than at anything the user typed.
    #[error("the {side} graph: {error}; export it again with this kb4graph version")]
    Order {
        side: &'static str,
        error: OrderError,
    },
}
