//! Deterministic `.tar.gz` archives of snapshots and exports.
