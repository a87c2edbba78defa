//! Owner-only, crash-safe files for snapshots and exports alike: a reader (or a resumed fetch)
//! sees either the previous file or the complete new one, never a prefix.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Temporary files start with this so a resumed fetch can tell its own leftovers (from a
/// killed process) apart from anything else.
pub(crate) const TEMP_PREFIX: &str = ".kb4graph-tmp-";

/// Creates `dir` and any missing parents, owner-only.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

pub(crate) fn make_private(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Writes `bytes` to `path` through a synced temporary file in the same directory, renamed
/// into place. The directory entry itself becomes durable with [`sync_dir`].
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no parent directory"))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// Makes renames inside `dir` survive a power loss.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// Opens `relative` (a `/`-separated path from a manifest) under `root` for reading, only if
/// every part of it is a real directory or, last, a regular file: no symbolic link is followed
/// (a page linked to `/etc/passwd` or out of the snapshot is refused, not read), and a FIFO or
/// device is refused before it can block the reader or feed it without end.
pub(crate) fn open_regular_inside(root: &Path, relative: &str) -> io::Result<fs::File> {
    let mut path = root.to_owned();
    let parts: Vec<&str> = relative.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || *part == "." || *part == ".." {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{relative:?} is not a path inside the directory"),
            ));
        }
        path.push(part);
        let kind = fs::symlink_metadata(&path)?.file_type();
        let last = i + 1 == parts.len();
        if kind.is_symlink() {
            return Err(refused(
                "is a symbolic link: kb4graph reads only the regular files inside the directory, never through a link",
            ));
        }
        if !last && !kind.is_dir() {
            return Err(refused("is not a directory"));
        }
        if last && !kind.is_file() {
            return Err(refused(&format!(
                "is {}, not a regular file",
                describe_kind(kind)
            )));
        }
    }
    open_checked(&path)
}

/// Opens `path` for reading only if it is a regular file and not a link (its directories are
/// the caller's: an export's fixed `json/`, `neo4j/`, ...), so that a FIFO cannot block a reader,
/// a device cannot feed it without end, and a link cannot point it elsewhere.
pub(crate) fn open_regular(path: &Path) -> io::Result<fs::File> {
    let kind = fs::symlink_metadata(path)?.file_type();
    if kind.is_symlink() {
        return Err(refused(
            "is a symbolic link: kb4graph reads only the regular files inside the directory, never through a link",
        ));
    }
    if !kind.is_file() {
        return Err(refused(&format!(
            "is {}, not a regular file",
            describe_kind(kind)
        )));
    }
    open_checked(path)
}

fn open_checked(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Between the check and the open, the file could be swapped for a link or a FIFO.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(refused("is not a regular file"));
    }
    Ok(file)
}

/// Reads a file expected to hold `expected` bytes, never more than one byte past it, so that a
/// file grown (or replaced) behind the manifest's back cannot exhaust memory.
pub(crate) fn read_expected(file: fs::File, expected: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    const PREALLOCATE_AT_MOST: u64 = 64 << 20;
    let mut bytes =
        Vec::with_capacity(usize::try_from(expected.min(PREALLOCATE_AT_MOST)).unwrap_or(0));
    file.take(expected.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn refused(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

fn describe_kind(kind: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Removes temporary files a killed process left under `dir` (recursively).
pub(crate) fn remove_stale_temp_files(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                pending.push(entry.path());
            } else if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn atomic_write_replaces_whole_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page-0001.json");
        write_atomic(&path, b"[1,2,3]").unwrap();
        write_atomic(&path, b"[4]").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"[4]");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("page-0001.json")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn failed_write_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: the rename fails after the data was written.
        let target = dir.path().join("page-0001.json");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("x"), b"keep").unwrap();
        assert!(write_atomic(&target, b"[1,2,3]").is_err());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn stale_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("raw/users/active");
        create_private_dir(&sub).unwrap();
        fs::write(sub.join(format!("{TEMP_PREFIX}abc.tmp")), b"[{\"id\"").unwrap();
        fs::write(sub.join("page-0001.json"), b"[]").unwrap();
        assert_eq!(remove_stale_temp_files(dir.path()).unwrap(), 1);
        assert!(sub.join("page-0001.json").exists());
    }
}
