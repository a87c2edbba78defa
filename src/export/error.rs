//! What can go wrong while writing an export.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} already exists: exports are evidence and are never overwritten; choose a new --out directory or move it away",
        path.display()
    )]
    Exists { path: PathBuf },
    #[error(
        "another export (pid {pid}) is writing into {}: wait for it to finish, or choose another --out directory",
        dir.display()
    )]
    Busy { dir: PathBuf, pid: u32 },
    #[error(
        "{} was left by an export that did not finish (kb4graph cannot tell which process wrote it): if no export is running there, remove it with `rm -rf '{}'` and export again",
        path.display(), path.display()
    )]
    UnknownStaging { path: PathBuf },
    #[error("{0} is not a file name an export can hold")]
    BadName(String),
    #[error("{file} was opened twice in one export")]
    Duplicate { file: String },
    /// The RDF namespace of instance IRIs is unusable; `path` is the file it was to name.
    #[error("cannot write {}: {source}", path.display())]
    BaseIri {
        path: PathBuf,
        #[source]
        source: crate::formats::rdf::iri::BaseIriError,
    },
    /// The graph's strings use every array delimiter the Neo4j CSV can be written with.
    #[error("cannot write {}: {source}", path.display())]
    NoFreeArrayDelimiter {
        path: PathBuf,
        #[source]
        source: crate::formats::neo4j::dialect::NoFreeArrayDelimiter,
    },
}

impl ExportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ExportError {
        let path = path.into();
        move |source| ExportError::Io { path, source }
    }
}
