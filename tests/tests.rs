//! Every integration test, in one crate so that the library and its dependencies are linked
//! once rather than once per file. Each module is one file of `tests/`, named for what it
//! proves; the support modules hold what several share.
//!
//! `cargo test --test tests MODULE::` runs one file's tests.

mod common;
mod graphml_read;
mod model_support;
mod readback_support;

mod account_tag;
mod archive_det;
mod archive_refuse;
mod cli_diff;
mod cli_pipeline;
mod cli_serve_mock;
mod cli_verify;
mod damaged_input;
mod diff_engine;
mod diff_proptest;
mod export_accounts;
mod export_gzip;
mod export_json;
mod export_json_proptest;
mod fetch_accounts;
mod fetch_faults;
mod fetch_incremental;
mod fetch_pacing;
mod fetch_pagination;
mod fetch_resume;
mod fetch_risk_history;
mod fetch_snapshot;
mod fetch_stops;
mod graphml_export;
mod graphml_proptest;
mod hostile_account;
mod messages;
mod model_mock;
mod model_proptest;
mod model_snapshots;
mod neo4j_export;
mod neo4j_proptest;
mod normalize_golden;
mod rdf_proptest;
mod rdf_triple_store;
mod rdf_validate;
mod readback_graphml;
mod readback_json;
mod readback_neo4j;
mod readback_rdf;
mod report_html;
mod token_secrecy;
