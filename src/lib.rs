//! kb4graph fetches a KnowBe4 account through the KnowBe4 Reporting API and turns it into a
//! graph of users, groups, training and phishing results.
//!
//! The library is split the way data flows through it:
//! - [`api`]: the Reporting API client (pacing, retries, pagination) and its errors;
//! - [`fetch`]: which collections make up an account and how they are fetched into a snapshot;
//! - [`snapshot`]: the raw snapshot on disk (pages verbatim plus `manifest.json`) and its reader;
//! - [`model`]: the graph (entity and relationship types, the property table) and `normalize`;
//! - [`export`]: the output bundle and the exporters (JSON, Neo4j CSV, GraphML, RDF);
//! - [`mock`]: a simulated Reporting API over a seeded synthetic organisation, for demos, tests
//!   and benchmarks;
//! - [`pipeline`]: snapshot -> graph -> export -> validation, as `kb4graph run` does it;
//! - [`validate`]: exports checked on disk against the bundled schemas;
//! - [`rate`] and [`timefmt`]: request-rate limits and UTC time formatting shared by the client
//!   and the simulated API.

pub mod api;
pub mod archive;
pub mod diff;
pub mod export;
pub mod fetch;
mod files;
pub mod formats;
pub mod mock;
pub mod model;
pub mod owner;
pub mod pipeline;
pub mod rate;
pub mod readback;
pub mod snapshot;
pub mod timefmt;
pub mod validate;
pub mod verify;
