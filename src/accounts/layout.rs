//! A multi-account directory: `DIR/<name>/` per account, each a snapshot (or an export) of its
//! own, and `DIR/accounts.json` naming them, so that a missing account is noticed rather than
//! passed over.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::check_name;
use crate::files::{create_private_dir, sync_dir, write_atomic};

/// The listing's file name in a multi-account directory.
pub const LISTING: &str = "accounts.json";

const KIND: &str = "kb4graph-accounts";

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a kb4graph accounts listing: {problem}; it is written by `kb4graph fetch --config`", path.display())]
    Damaged { path: PathBuf, problem: String },
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} holds a snapshot or an export of one account (manifest.json): give `--out` a directory of its own for several accounts", dir.display())]
    SingleAccount { dir: PathBuf },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Listing {
    kind: String,
    accounts: Vec<String>,
}

/// A directory holding one sub-directory per account, as its listing names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsDir {
    pub dir: PathBuf,
    /// Sorted, each once.
    pub accounts: Vec<String>,
}

impl AccountsDir {
    /// Whether `dir` is a multi-account directory (it has a listing), without reading it.
    pub fn is_one(dir: &Path) -> bool {
        dir.join(LISTING).is_file() && !dir.join("manifest.json").exists()
    }

    /// Reads the listing of `dir`.
    pub fn open(dir: &Path) -> Result<AccountsDir, LayoutError> {
        let path = dir.join(LISTING);
        let bytes = std::fs::read(&path).map_err(|error| LayoutError::Read {
            path: path.clone(),
            error,
        })?;
        AccountsDir::parse(dir, &bytes)
    }

    /// The listing of `dir`, read as `bytes`.
    pub fn parse(dir: &Path, bytes: &[u8]) -> Result<AccountsDir, LayoutError> {
        let path = dir.join(LISTING);
        let damaged = |problem: String| LayoutError::Damaged {
            path: path.clone(),
            problem,
        };
        let listing: Listing = serde_json::from_slice(bytes).map_err(|e| damaged(e.to_string()))?;
        if listing.kind != KIND {
            return Err(damaged(format!("its kind is {:?}", listing.kind)));
        }
        let mut accounts = listing.accounts;
        for name in &accounts {
            check_name(name).map_err(|p| damaged(format!("account {name:?}: {p}")))?;
        }
        let before = accounts.len();
        accounts.sort();
        accounts.dedup();
        if accounts.len() != before {
            return Err(damaged("an account is listed twice".into()));
        }
        Ok(AccountsDir {
            dir: dir.to_owned(),
            accounts,
        })
    }

    /// Makes `dir` (owner-only) a multi-account directory listing `names` besides any account
    /// it already lists: an account left out of the accounts file keeps its snapshot listed.
    pub fn create(dir: &Path, names: &[String]) -> Result<AccountsDir, LayoutError> {
        if dir.join("manifest.json").exists() {
            return Err(LayoutError::SingleAccount {
                dir: dir.to_owned(),
            });
        }
        let mut accounts: Vec<String> = if dir.join(LISTING).exists() {
            AccountsDir::open(dir)?.accounts
        } else {
            Vec::new()
        };
        accounts.extend(names.iter().cloned());
        accounts.sort();
        accounts.dedup();
        let write = |error| LayoutError::Write {
            path: dir.join(LISTING),
            error,
        };
        create_private_dir(dir).map_err(write)?;
        let listing = Listing {
            kind: KIND.to_owned(),
            accounts: accounts.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&listing).unwrap_or_default();
        bytes.push(b'\n');
        write_atomic(&dir.join(LISTING), &bytes).map_err(write)?;
        sync_dir(dir).map_err(write)?;
        Ok(AccountsDir {
            dir: dir.to_owned(),
            accounts,
        })
    }

    /// The directory of account `name`.
    pub fn account_dir(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// (name, directory) of every listed account.
    pub fn each(&self) -> impl Iterator<Item = (&str, PathBuf)> + '_ {
        self.accounts
            .iter()
            .map(|name| (name.as_str(), self.account_dir(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_keeps_every_account_ever_fetched_into_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("accounts");
        AccountsDir::create(&dir, &["b.".into(), "a".into()]).unwrap();
        let again = AccountsDir::create(&dir, &["c".into(), "a".into()]).unwrap();
        assert_eq!(again.accounts, ["a", "b.", "c"]);
        assert_eq!(AccountsDir::open(&dir).unwrap(), again);
        assert!(AccountsDir::is_one(&dir));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(LISTING))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_listing_is_named_and_refused() {
        let tmp = tempfile::tempdir().unwrap();
        for (body, expected) in [
            (
                &b"{\"kind\":\"kb4graph-accounts\",\"accounts\":[\"a\""[..],
                "EOF",
            ),
            (b"{\"kind\":\"other\",\"accounts\":[]}", "kind"),
            (
                b"{\"kind\":\"kb4graph-accounts\",\"accounts\":[\"a/x\"]}",
                "'/'",
            ),
            (
                b"{\"kind\":\"kb4graph-accounts\",\"accounts\":[\"a\",\"a\"]}",
                "twice",
            ),
            (b"\xff\xfe", "accounts.json"),
        ] {
            std::fs::write(tmp.path().join(LISTING), body).unwrap();
            let err = AccountsDir::open(tmp.path()).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
            assert!(err.contains("accounts.json"), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_naming_the_listing(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), names in proptest::collection::vec("\\PC*", 0..4)) {
            if let Err(err) = AccountsDir::parse(Path::new("dir"), &bytes) {
                proptest::prop_assert!(err.to_string().contains("accounts.json"));
            }
            let listing = serde_json::json!({"kind": KIND, "accounts": names}).to_string();
            match AccountsDir::parse(Path::new("dir"), listing.as_bytes()) {
                Ok(dir) => {
                    for name in &dir.accounts {
                        proptest::prop_assert!(check_name(name).is_ok());
                    }
                }
                Err(err) => proptest::prop_assert!(err.to_string().contains("accounts.json")),
            }
        }
    }

    #[test]
    fn a_single_account_directory_is_not_made_a_listing() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("manifest.json"), "{}").unwrap();
        let err = AccountsDir::create(tmp.path(), &["a".into()]).unwrap_err();
        assert!(matches!(err, LayoutError::SingleAccount { .. }));
        assert!(!tmp.path().join(LISTING).exists());
    }
}
