//! The raw snapshot: every API page exactly as received under `raw/<collection>/page-NNNN.json`,
//! plus `manifest.json` (source, times, totals, per collection its pages and resume state, and
//! every file with its size and SHA-256). Files are owner-only and written atomically.

mod collection;
mod error;
mod layout;
mod lock;
mod manifest;
mod reader;
mod risk_history;
mod writer;

pub use crate::files::sha256_hex;
pub use collection::{CollectionId, UnknownCollectionId, canonical_u64};
pub use error::{PageProblem, SnapshotError};
pub use layout::{
    MANIFEST_FILE, RAW_DIR, collection_dir, is_valid_collection_id, page_file, page_file_name,
};
pub use lock::{FetchLock, LOCK_FILE, LockHolder, LockState, lock_state};
pub use manifest::{
    CollectionEntry, CollectionKind, Consistency, FORMAT, FORMAT_VERSION, FetchRun, FileEntry,
    Manifest, ManifestProblem, ManifestSource, PageEntry, ResumeState, ReusedFrom, SinceRef,
    SnapshotRef, Span, Totals,
};
pub use reader::{PageRef, RecordRef, Snapshot, SnapshotProblem, VerifyProblem};
pub use risk_history::{RiskHistory, RiskHistoryError};
pub use writer::{SnapshotWriter, WrittenPage};

#[cfg(test)]
mod tests;
