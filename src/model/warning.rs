//! What `normalize` reports instead of failing: one [`Warning`] per problem, pointing at the
//! record (`raw/users/active/page-0001.json[3]`), the page or the collection involved.

use std::cmp::Ordering;
use std::fmt;

/// What kind of problem a warning reports, for callers that count or filter them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningCode {
    /// A page could not be read or is not valid JSON; its records are missing.
    UnreadablePage,
    /// The snapshot says a collection is incomplete, or the API answered 404 for it.
    IncompleteCollection,
    /// A collection this version does not use.
    UnknownCollection,
    /// A record (or an item inside one) is not a JSON object.
    NotAnObject,
    /// A record lacks the id its entity is keyed by; it is left out.
    MissingId,
    /// A field's value does not fit the property's type; the property is left out.
    InvalidValue,
    /// A field this version does not know; kept as a string property.
    UnknownField,
    /// Two records with the same id; one is kept.
    DuplicateRecord,
    /// A key twice in one JSON object; the last value is used, as other JSON readers do.
    DuplicateKey,
    /// An enrollment or result without a user; it cannot be linked to one.
    MissingUser,
    /// A user in neither user listing, built from the records that mention it.
    UnlistedUser,
    /// A module in neither module listing, built from campaign content or enrollments.
    UnlistedModule,
    /// A module known only by its name.
    NameOnlyModule,
    /// An enrollment's module name matches several modules.
    AmbiguousModuleName,
    /// A training campaign content item that is neither a store purchase nor a policy.
    UnknownContent,
    /// A reference to a group, campaign or test that does not exist; no relationship is made.
    MissingReference,
    /// A record's id disagrees with the collection it was listed in.
    MismatchedId,
    /// The snapshot has no usable account record.
    NoAccount,
    /// Users joined into one person disagree on a field, or name different managers.
    PersonConflict,
}

impl WarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::UnreadablePage => "unreadable_page",
            WarningCode::IncompleteCollection => "incomplete_collection",
            WarningCode::UnknownCollection => "unknown_collection",
            WarningCode::NotAnObject => "not_an_object",
            WarningCode::MissingId => "missing_id",
            WarningCode::InvalidValue => "invalid_value",
            WarningCode::UnknownField => "unknown_field",
            WarningCode::DuplicateRecord => "duplicate_record",
            WarningCode::DuplicateKey => "duplicate_key",
            WarningCode::MissingUser => "missing_user",
            WarningCode::UnlistedUser => "unlisted_user",
            WarningCode::UnlistedModule => "unlisted_module",
            WarningCode::NameOnlyModule => "name_only_module",
            WarningCode::AmbiguousModuleName => "ambiguous_module_name",
            WarningCode::UnknownContent => "unknown_content",
            WarningCode::MissingReference => "missing_reference",
            WarningCode::MismatchedId => "mismatched_id",
            WarningCode::NoAccount => "no_account",
            WarningCode::PersonConflict => "person_conflict",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an [`WarningCode::UnreadablePage`] message starts; what follows is the problem.
pub(crate) const PAGE_LEFT_OUT: &str = "page left out: ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub code: WarningCode,
    /// `<page file>[<index>]` for a record, the page file for a page, the collection id for a
    /// collection.
    pub location: String,
    /// The record in words, e.g. `enrollment 2147481979`.
    pub record: Option<String>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.record {
            Some(record) => write!(f, "{}: {record}: {}", self.location, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// `file[12]` as (`file`, 12), so that `[9]` sorts before `[10]`.
fn split_location(location: &str) -> (&str, Option<u64>) {
    if let Some(inner) = location.strip_suffix(']')
        && let Some(open) = inner.rfind('[')
        && let Ok(n) = inner[open + 1..].parse::<u64>()
    {
        return (&inner[..open], Some(n));
    }
    (location, None)
}

impl Ord for Warning {
    fn cmp(&self, other: &Self) -> Ordering {
        split_location(&self.location)
            .cmp(&split_location(&other.location))
            .then_with(|| self.location.cmp(&other.location))
            .then_with(|| self.record.cmp(&other.record))
            .then_with(|| self.code.cmp(&other.code))
            .then_with(|| self.message.cmp(&other.message))
    }
}

impl PartialOrd for Warning {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(location: &str) -> Warning {
        Warning {
            code: WarningCode::MissingId,
            location: location.into(),
            record: None,
            message: String::new(),
        }
    }

    #[test]
    fn record_indices_sort_numerically() {
        let mut ws = [w("a.json[10]"), w("b"), w("a.json[9]"), w("a.json")];
        ws.sort();
        let order: Vec<_> = ws.iter().map(|w| w.location.as_str()).collect();
        assert_eq!(order, ["a.json", "a.json[9]", "a.json[10]", "b"]);
    }
}
