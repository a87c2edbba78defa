//! kb4graph fetches a KnowBe4 account through the KnowBe4 Reporting API and turns it into a
//! graph of users, groups, training and phishing results.
//!
//! The library is split the way data flows through it:
//! - [`api`]: the Reporting API client (pacing, retries, pagination) and its errors;
//! - [`fetch`]: which collections make up an account and how they are fetched into a snapshot;
//! - [`snapshot`]: the raw snapshot on disk (pages verbatim plus `manifest.json`) and its reader;
//! - [`model`]: the graph (entity and relationship types, the property table) and `normalize`;
//! - [`formats`]: each export format in its own folder (JSON, Neo4j CSV, GraphML, RDF): its
//!   writer, reader, checker and what it cannot carry; [`formats::Format`] chooses among them;
//! - [`export`]: the output bundle every format is written through, and its manifest;
//! - [`compress`]: gzip-compressed data files, written in parallel and read by every reader;
//! - [`mock`]: a simulated Reporting API over a seeded synthetic organisation, for demos, tests
//!   and benchmarks;
//! - [`pipeline`]: snapshot -> graph -> export -> validation, as `kb4graph run` does it;
//! - [`validate`] and [`readback`]: exports on disk checked against the bundled schemas, and
//!   read back into records, by each format's checker and reader;
//! - [`verify`], [`diff`] and [`archive`]: the audit commands;
//! - [`rate`] and [`timefmt`]: request-rate limits and UTC time formatting shared by the client
//!   and the simulated API.

pub mod accounts;
pub mod api;
pub mod archive;
pub mod compress;
pub mod diff;
pub mod export;
pub mod fetch;
mod files;
pub mod formats;
pub mod mock;
pub mod model;
pub mod owner;
mod parallel;
pub mod pipeline;
pub mod rate;
pub mod readback;
pub mod report;
pub mod snapshot;
pub mod timefmt;
pub mod validate;
pub mod verify;
