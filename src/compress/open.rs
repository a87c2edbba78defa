//! The one way every reader (`validate`'s checkers, `verify`'s and `diff`'s read-back) opens an
//! export's data file: `relative` as written, or `relative.gz`, decompressed as it is read.
//!
//! A damaged `.gz` (cut short, altered, not gzip at all) is an error naming what is wrong and
//! what to do, at the point where the damage is met: nothing before it is taken for the whole.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use super::Compression;

const BUFFER: usize = 1 << 16;

/// A data file of an export as it is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// Relative to the export directory, as found: `json/graph.json.gz` when compressed.
    pub name: String,
    pub path: PathBuf,
    pub compression: Compression,
    /// Both `relative` and `relative.gz` are there, which no export writes.
    both: bool,
}

/// `relative` in `dir` as it is there: compressed when only `relative.gz` is. `None` when
/// neither is.
pub fn find_data_file(dir: &Path, relative: &str) -> Option<DataFile> {
    let file = DataFile::find(dir, relative);
    file.exists().then_some(file)
}

/// Opens `relative` in `dir` (or `relative.gz`) for reading; see [`DataFile::open`].
pub fn open_data_file(dir: &Path, relative: &str) -> io::Result<(DataFile, DataReader)> {
    let file = DataFile::find(dir, relative);
    let reader = file.open()?;
    Ok((file, reader))
}

fn present(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

impl DataFile {
    /// `relative` in `dir` as it is there: compressed when only `relative.gz` is; when neither
    /// is, the plain file (which [`DataFile::open`] then reports missing).
    pub fn find(dir: &Path, relative: &str) -> DataFile {
        let plain = dir.join(relative);
        let gz_name = Compression::Gzip.file_name(relative);
        let gz = dir.join(&gz_name);
        match (present(&plain), present(&gz)) {
            (false, true) => DataFile {
                name: gz_name,
                path: gz,
                compression: Compression::Gzip,
                both: false,
            },
            (plain_there, gz_there) => DataFile {
                name: relative.to_owned(),
                path: plain,
                compression: Compression::None,
                both: plain_there && gz_there,
            },
        }
    }

    /// Whether the file (either form) is there, whatever it is.
    pub fn exists(&self) -> bool {
        present(&self.path)
    }

    /// Opens the file for reading, decompressing a `.gz` as it is read (see [`open_path`]).
    pub fn open(&self) -> io::Result<DataReader> {
        if self.both {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "both {} and {}.gz are here, and an export holds only one of them: remove the \
                     one its manifest.json does not list",
                    self.name, self.name
                ),
            ));
        }
        open_path(&self.path)
    }
}

/// Opens the file at `path` for reading (a regular file only, never through a link: see
/// `crate::files::open_regular`), decompressing it as it is read when its name ends in `.gz`.
pub fn open_path(path: &Path) -> io::Result<DataReader> {
    let file = crate::files::open_regular(path)?;
    let gzip = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(Compression::Gzip.suffix()));
    Ok(if gzip {
        DataReader::Gzip(BufReader::with_capacity(
            BUFFER,
            Gunzip(MultiGzDecoder::new(BufReader::with_capacity(BUFFER, file))),
        ))
    } else {
        DataReader::Plain(BufReader::with_capacity(BUFFER, file))
    })
}

/// A data file's content, decompressed.
#[derive(Debug)]
pub enum DataReader {
    Plain(BufReader<File>),
    Gzip(BufReader<Gunzip>),
}

impl Read for DataReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            DataReader::Plain(r) => r.read(buf),
            DataReader::Gzip(r) => r.read(buf),
        }
    }
}

impl BufRead for DataReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            DataReader::Plain(r) => r.fill_buf(),
            DataReader::Gzip(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amount: usize) {
        match self {
            DataReader::Plain(r) => r.consume(amount),
            DataReader::Gzip(r) => r.consume(amount),
        }
    }
}

/// The decoder of a `.gz` data file, whose errors say that the file is damaged and what to do.
#[derive(Debug)]
pub struct Gunzip(MultiGzDecoder<BufReader<File>>);

impl Read for Gunzip {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            // The file's own read errors pass as they are; the rest is the data's fault.
            if e.raw_os_error().is_some() || e.kind() == io::ErrorKind::Interrupted {
                return e;
            }
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "damaged gzip data ({e}): the file was cut short or altered after it was \
                     written; export again, or restore it from a copy whose SHA-256 is the one \
                     manifest.json lists"
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::compress::GzipWriter;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut w = GzipWriter::new(Vec::new());
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn read_all(dir: &Path, relative: &str) -> io::Result<Vec<u8>> {
        let (_, mut r) = open_data_file(dir, relative)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn plain_and_compressed_files_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rdf")).unwrap();
        let data = b"<a> <b> <c> .\n".repeat(1000);
        std::fs::write(dir.path().join("rdf/graph.nt"), &data).unwrap();
        assert_eq!(read_all(dir.path(), "rdf/graph.nt").unwrap(), data);
        std::fs::rename(dir.path().join("rdf/graph.nt"), dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("rdf/graph.nt.gz"), gzip(&data)).unwrap();
        let found = find_data_file(dir.path(), "rdf/graph.nt").unwrap();
        assert_eq!(found.name, "rdf/graph.nt.gz");
        assert_eq!(found.compression, Compression::Gzip);
        assert_eq!(read_all(dir.path(), "rdf/graph.nt").unwrap(), data);
        assert!(find_data_file(dir.path(), "rdf/graph.ttl").is_none());
        let missing = read_all(dir.path(), "rdf/graph.ttl").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn both_forms_at_once_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.nt"), b"x").unwrap();
        std::fs::write(dir.path().join("g.nt.gz"), gzip(b"x")).unwrap();
        let err = read_all(dir.path(), "g.nt").unwrap_err();
        assert!(err.to_string().contains("both g.nt and g.nt.gz"), "{err}");
    }

    #[test]
    fn damage_is_an_error_never_a_short_read() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("{i},{}\n", i % 97).into_bytes())
            .collect();
        let good = gzip(&data);
        let mut bad_crc = good.clone();
        let n = bad_crc.len();
        bad_crc[n - 6] ^= 1;
        let mut flipped = good.clone();
        flipped[good.len() / 2] ^= 0x40;
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"garbage");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("truncated", good[..good.len() / 2].to_vec()),
            ("no trailer", good[..good.len() - 8].to_vec()),
            ("bad CRC", bad_crc),
            ("flipped bit", flipped),
            ("trailing garbage", trailing),
            ("not gzip", data[..1000].to_vec()),
            ("empty", Vec::new()),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (what, bytes) in cases {
            std::fs::write(dir.path().join("f.csv.gz"), &bytes).unwrap();
            let err = read_all(dir.path(), "f.csv").expect_err(what);
            assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{what}: {err}");
            assert!(
                err.to_string().contains("damaged gzip data"),
                "{what}: {err}"
            );
        }
    }
}
