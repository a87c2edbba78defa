//! The graph model: entity and relationship types with their property table, the compact
//! sorted [`Graph`], and [`normalize`], which builds it from a raw snapshot.
//!
//! ```no_run
//! use kb4graph::model::{normalize, EntityType};
//! use kb4graph::snapshot::Snapshot;
//!
//! let snapshot = Snapshot::open("snapshot").expect("a snapshot");
//! let (graph, warnings) = normalize(&snapshot);
//! for w in &warnings {
//!     eprintln!("warning: {w}");
//! }
//! for entity in graph.entities() {
//!     if entity.entity_type() == EntityType::User {
//!         for p in entity.properties() {
//!             println!("{} {} = {}", entity.key(), p.name, p.value);
//!         }
//!     }
//! }
//! ```
//!
//! What `normalize` decides, where the data leaves a choice:
//! - **Values** take the type the property table gives them. A value that does not fit (a
//!   datetime that does not parse, a word where a number belongs) is left out with an
//!   `invalid_value` warning quoting it; lenient spellings that lose nothing are accepted (ids
//!   as digit strings, numbers for string fields, `"true"` for booleans, see `time.rs` for
//!   datetimes). Digits below the millisecond are dropped with a warning.
//! - **Unknown fields** (a newer API) are kept as string properties named in camelCase (JSON
//!   text for non-strings; `template.foo` -> `templateFoo`), reported once per type and field.
//!   Exporters see them as [`Property`]s whose `def` is `None`, after the declared properties,
//!   and [`Graph::extra_properties`] lists them per type for headers and schemas.
//! - **Duplicates** (two records with one id): the record in the first page file (by name,
//!   then position) is kept; `users/active` beats `users/archived`.
//! - **Users** from `users/archived` are ordinary users (status `archived`). A user in neither
//!   listing but mentioned by a group member listing, an enrollment or a phishing result is
//!   built from the first such mention (members, then enrollments, then results) and marked
//!   with `knownOnlyFrom`; so a result's or enrollment's user always exists.
//! - **"All Users"** (group 0) always exists; its members are the users of `users/active`.
//! - **Modules** come from store purchases and policies by id, then from campaign content
//!   (marked `knownOnlyFrom: ["training_campaign"]` when in no listing). Enrollments join by id,
//!   else by name within their campaign, else by name among all modules of their kind; a name
//!   matching none or several gives a module known only by name (`knowbe4:training:name:<name>`)
//!   and a warning, never a guess.
//! - **Enrollments** are all kept: one ASSIGNED per enrollment and one COMPLETED per passed
//!   (status `Passed` or `Completed`) enrollment, both carrying the enrollment's fields. An
//!   enrollment without a user (`"user": null`) or without any module reference cannot be linked
//!   and is reported instead. A training campaign HAS the modules of its content and of its
//!   enrollments.
//! - **References that lead nowhere** (a group id that does not exist, a test's campaign that
//!   was not listed) are reported and make no relationship: no relationship dangles.
//! - **Shapes without a value type**: arrays of objects become parallel arrays (`groups[]` ->
//!   `groupIds` + `groupNames`; an item without its id is left out whole, with a warning); a
//!   phishing campaign's `psts[]` summaries go on its CONTAINS relationships; the account's
//!   risk score history is `riskScoreHistory`, `<date>=<score>` newest first; campaigns listed
//!   by `phishing/campaigns/callback` have `callback: true`.
//! - **Records without their key's id** (a user without `id`, an enrollment without
//!   `enrollment_id`) cannot be keyed and are reported instead.
//!
//! Entities and relationships iterate in `_key` order; properties come in the table's order,
//! then extras by name; nulls are never stored. Relationship keys are derived when asked for.

pub mod canonical;
mod graph;
mod intern;
pub(crate) mod keys;
mod normalize;
mod outgoing;
mod props;
mod raw;
mod source;
mod table;
mod time;
mod value;
pub(crate) mod warning;

pub use canonical::{GraphDigest, Record, RecordKind};
pub use graph::{EntityRef, Graph, Property, RelationshipRef};
pub use normalize::{AccountGraph, combine, normalize, normalize_with_threads};
pub use source::{
    MemoryCollection, MemoryPage, MemorySource, PageError, RawPage, RawSource, SourceCollection,
};
pub use table::{
    ACCOUNT_TAG, ENTITIES, ENTITY_BUILTINS, EntityDef, EntityType, KNOWN_ONLY_FROM_VALUES, PropDef,
    RELATIONSHIP_BUILTINS, RELATIONSHIPS, RelationshipDef, RelationshipType, ValueType,
};
pub use value::{StrList, Value, ValueRef};
pub use warning::{Warning, WarningCode};
