//! Where things live inside a snapshot directory. Paths in the manifest always use `/`.

use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const RAW_DIR: &str = "raw";

/// A collection id (`users/active`, `groups/12/members`) is a relative path of lowercase
/// ASCII segments; anything else could escape the snapshot directory.
pub fn is_valid_collection_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// `raw/<collection id>`, relative to the snapshot root.
pub fn collection_dir(id: &str) -> String {
    format!("{RAW_DIR}/{id}")
}

/// A page file's name: this, the page number, then [`PAGE_SUFFIX`].
const PAGE_PREFIX: &str = "page-";
const PAGE_SUFFIX: &str = ".json";

/// `page-0001.json`: four digits at least; the reader orders pages by number, not by name.
pub fn page_file_name(page: u32) -> String {
    format!("{PAGE_PREFIX}{page:04}{PAGE_SUFFIX}")
}

/// Whether `name` is a page file name ([`page_file_name`]).
pub(crate) fn is_page_file_name(name: &str) -> bool {
    name.strip_prefix(PAGE_PREFIX)
        .and_then(|n| n.strip_suffix(PAGE_SUFFIX))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The page's path relative to the snapshot root.
pub fn page_file(id: &str, page: u32) -> String {
    format!("{}/{}", collection_dir(id), page_file_name(page))
}

/// Resolves a manifest path under `root`, refusing absolute paths and `..` so that a tampered
/// manifest cannot point the reader outside the snapshot.
pub fn resolve(root: &Path, relative: &str) -> Option<PathBuf> {
    if relative.is_empty() || relative.starts_with('/') || relative.contains('\\') {
        return None;
    }
    let mut path = root.to_owned();
    for segment in relative.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." || segment.contains(':') {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_pad_to_four_digits() {
        assert_eq!(
            page_file("users/active", 1),
            "raw/users/active/page-0001.json"
        );
        assert_eq!(page_file_name(12345), "page-12345.json");
    }

    #[test]
    fn ids_and_paths_cannot_escape() {
        assert!(is_valid_collection_id("groups/12/members"));
        for bad in [
            "",
            "/users",
            "users/",
            "../x",
            "users/../../etc",
            "Users",
            "a b",
            "a\\b",
        ] {
            assert!(!is_valid_collection_id(bad), "{bad:?}");
        }
        let root = Path::new("/snap");
        assert_eq!(
            resolve(root, "raw/account/page-0001.json"),
            Some(PathBuf::from("/snap/raw/account/page-0001.json"))
        );
        for bad in ["/etc/passwd", "raw/../../x", "raw//x", "", "C:/x", "raw\\x"] {
            assert_eq!(resolve(root, bad), None, "{bad:?}");
        }
    }
}
