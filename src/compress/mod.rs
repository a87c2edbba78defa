//! Compressed export files: how an export's data files may be compressed (`export --compress`),
//! the writer that compresses them (`gzip`, blocks deflated in parallel on a pool of threads
//! every file being written shares, `pool`), and the one way every reader opens a data file,
//! compressed or not (`open`).
//!
//! A compressed data file is the plain file's name with `.gz` appended (`json/graph.json.gz`),
//! one gzip member that `gzip`, `zcat`, Python's `gzip`, neo4j-admin and Jena read. The
//! manifest and `SHA256SUMS` list and hash the `.gz` bytes, so `sha256sum -c` checks them as
//! written. The bytes depend only on the data: not on the number of threads, the time or the
//! machine.

mod gzip;
mod open;
mod pool;

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use gzip::{BLOCK_SIZE, GzipWriter, LEVEL};
pub use open::{DataFile, DataReader, find_data_file, open_data_file, open_path};
pub use pool::Pool;

/// How an export's data files are written. Scripts and `format.json` are always plain text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// As they are.
    #[default]
    None,
    /// One gzip member per file, named with `.gz` appended.
    Gzip,
}

impl Compression {
    pub const ALL: [Compression; 2] = [Compression::None, Compression::Gzip];

    /// The name used on the command line and in manifests.
    pub const fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
        }
    }

    /// What is appended to a data file's name.
    pub const fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
        }
    }

    pub const fn is_none(&self) -> bool {
        matches!(self, Compression::None)
    }

    /// The name `relative` is written under.
    pub fn file_name(self, relative: &str) -> String {
        format!("{relative}{}", self.suffix())
    }

    /// A writer compressing into `inner` this way.
    pub fn writer<W: Write>(self, inner: W) -> Writer<W> {
        match self {
            Compression::None => Writer::Plain(inner),
            Compression::Gzip => Writer::Gzip(GzipWriter::new(inner)),
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown compression {0:?}: expected none or gzip")]
pub struct ParseCompressionError(String);

impl FromStr for Compression {
    type Err = ParseCompressionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Compression::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseCompressionError(s.to_owned()))
    }
}

/// A data file's bytes on their way to `W`, compressed or not.
#[derive(Debug)]
pub enum Writer<W: Write> {
    Plain(W),
    Gzip(GzipWriter<W>),
}

impl<W: Write> Writer<W> {
    /// Writes out what is still held (for gzip: the last block and the trailer) and returns the
    /// inner writer, not flushed.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Writer::Plain(w) => Ok(w),
            Writer::Gzip(w) => w.finish(),
        }
    }

    pub fn get_ref(&self) -> &W {
        match self {
            Writer::Plain(w) => w,
            Writer::Gzip(w) => w.get_ref(),
        }
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Writer::Plain(w) => w.write(buf),
            Writer::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Writer::Plain(w) => w.write_all(buf),
            Writer::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Writer::Plain(w) => w.flush(),
            Writer::Gzip(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_suffixes_append() {
        for c in Compression::ALL {
            assert_eq!(c.name().parse::<Compression>().unwrap(), c);
            assert_eq!(c.to_string(), c.name());
        }
        assert_eq!(" GZIP ".parse::<Compression>().unwrap(), Compression::Gzip);
        let err = "zstd".parse::<Compression>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown compression \"zstd\": expected none or gzip"
        );
        assert_eq!(
            Compression::Gzip.file_name("rdf/graph.nt"),
            "rdf/graph.nt.gz"
        );
        assert_eq!(Compression::None.file_name("rdf/graph.nt"), "rdf/graph.nt");
        assert_eq!(
            serde_json::to_string(&Compression::Gzip).unwrap(),
            "\"gzip\""
        );
    }
}
