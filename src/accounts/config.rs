//! The accounts file of `fetch --config`: one `[[account]]` table per KnowBe4 account, each
//! with its name, where the account is, and where its token comes from. The token itself is
//! never in the file: a file that holds one is refused without echoing it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::api::{Site, Source, Token, TokenError};
use crate::rate::RateSpec;
use crate::snapshot::RiskHistory;

/// The longest account name: it becomes a directory name and part of every key.
pub const MAX_NAME_LEN: usize = 64;

/// What [`check_name`] accepts, as a regular expression without anchors (for schemas).
pub const NAME_PATTERN: &str = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}";

/// One account of the file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Directory under `--out`, key scope of a combined export and `tag.AccountName`.
    pub name: String,
    pub source: Source,
    pub token: TokenSource,
    /// The account's own pace, instead of the command line's.
    pub pace: Option<RateSpec>,
    /// The account's own request budget, instead of the command line's.
    pub max_requests: Option<u64>,
    /// Whose risk score history this account fetches, instead of the command line's choice.
    pub risk_history: Option<RiskHistory>,
}

/// Where an account's token is read from, when its fetch starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Env(String),
    /// Relative paths are taken from the accounts file's directory.
    File(PathBuf),
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Env(var) => write!(f, "the environment variable {var}"),
            TokenSource::File(path) => write!(f, "the file {}", path.display()),
        }
    }
}

impl TokenSource {
    pub fn read(&self) -> Result<Token, TokenError> {
        match self {
            TokenSource::Env(var) => Token::from_env_var(var),
            TokenSource::File(path) => Token::from_file(path),
        }
    }
}

/// A checked accounts file, its accounts in name order.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountsConfig {
    pub path: PathBuf,
    pub accounts: Vec<Account>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the accounts file {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}: account {index} ({name:?}): {problem}", path.display())]
    Account {
        path: PathBuf,
        /// 1-based, in file order.
        index: usize,
        name: String,
        problem: String,
    },
    #[error("{}: no accounts: add one [[account]] table per KnowBe4 account", path.display())]
    Empty { path: PathBuf },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    account: Vec<RawAccount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: String,
    site: Option<String>,
    base_url: Option<String>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    /// Accepted only to refuse it with a message that does not repeat it.
    token: Option<serde::de::IgnoredAny>,
    pace: Option<String>,
    max_requests: Option<u64>,
    risk_history: Option<String>,
}

impl AccountsConfig {
    pub fn load(path: &Path) -> Result<AccountsConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            error,
        })?;
        AccountsConfig::parse(path, &text)
    }

    /// `path` names the file in messages and anchors relative token files.
    pub fn parse(path: &Path, text: &str) -> Result<AccountsConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|err| ConfigError::Parse {
            path: path.to_owned(),
            // The message quotes the offending line, which may be a token: only the position
            // and the reason are kept.
            message: parse_message(&err, text),
        })?;
        if raw.account.is_empty() {
            return Err(ConfigError::Empty {
                path: path.to_owned(),
            });
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut accounts = Vec::with_capacity(raw.account.len());
        for (i, account) in raw.account.into_iter().enumerate() {
            let index = i + 1;
            let fail = |name: &str, problem: String| ConfigError::Account {
                path: path.to_owned(),
                index,
                name: name.to_owned(),
                problem,
            };
            let name = account.name.clone();
            check_name(&name).map_err(|p| fail(&name, p))?;
            if let Some(first) = seen.insert(name.to_lowercase(), index) {
                return Err(fail(
                    &name,
                    format!(
                        "the name is already used by account {first} (names are compared ignoring case, as they become directories)"
                    ),
                ));
            }
            let account = checked(account, base).map_err(|p| fail(&name, p))?;
            accounts.push(account);
        }
        accounts.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(AccountsConfig {
            path: path.to_owned(),
            accounts,
        })
    }
}

fn parse_message(err: &toml::de::Error, text: &str) -> String {
    let reason = err.message();
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {reason}")
        }
        None => reason.to_owned(),
    }
}

/// A name is a directory of its own under `--out` and part of keys: letters, digits, `.`,
/// `_` and `-`, not starting with `.`.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!("the name is longer than {MAX_NAME_LEN} characters"));
    }
    if name.starts_with('.') {
        return Err("the name starts with `.`".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "the name holds {c:?}: use letters, digits, `.`, `_` and `-` only (it names a directory and scopes keys)"
        ));
    }
    Ok(())
}

fn checked(raw: RawAccount, base: &Path) -> Result<Account, String> {
    if raw.token.is_some() {
        return Err(
            "`token` is not accepted: a token never goes in this file; name the environment variable that holds it (token_env) or a file (token_file)"
                .into(),
        );
    }
    let source = match (raw.site, raw.base_url) {
        (Some(site), None) => Source::Site(site.parse::<Site>().map_err(|e| e.to_string())?),
        (None, Some(url)) => {
            let url: crate::api::BaseUrl = url
                .parse()
                .map_err(|e: crate::api::ParseBaseUrlError| e.to_string())?;
            Source::from(url)
        }
        (Some(_), Some(_)) => return Err("give `site` or `base_url`, not both".into()),
        (None, None) => {
            return Err(format!(
                "say where the account is: `site` ({}) or `base_url`",
                Site::ALL.map(|s| s.to_string()).join(", ")
            ));
        }
    };
    let token = match (raw.token_env, raw.token_file) {
        (Some(var), None) if !var.is_empty() => TokenSource::Env(var),
        (None, Some(file)) if !file.as_os_str().is_empty() => TokenSource::File(base.join(file)),
        (Some(_), Some(_)) => return Err("give `token_env` or `token_file`, not both".into()),
        _ => {
            return Err(
                "say where the token comes from: `token_env` (an environment variable's name) or `token_file` (a path)"
                    .into(),
            );
        }
    };
    let pace = raw
        .pace
        .map(|p| p.parse::<RateSpec>().map_err(|e| format!("pace: {e}")))
        .transpose()?;
    let risk_history = raw
        .risk_history
        .map(|r| {
            r.parse::<RiskHistory>()
                .map_err(|e| format!("risk_history: {e}"))
        })
        .transpose()?;
    Ok(Account {
        name: raw.name,
        source,
        token,
        pace,
        max_requests: raw.max_requests,
        risk_history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AccountsConfig, ConfigError> {
        AccountsConfig::parse(Path::new("/etc/kb4graph/accounts.toml"), text)
    }

    #[test]
    fn accounts_are_read_checked_and_sorted_by_name() {
        let config = parse(
            r#"
[[account]]
name = "trial."
base_url = "http://127.0.0.1:8080/"
token_file = "trial.token"
pace = "40/s"

[[account]]
name = "acme"
site = "eu"
token_env = "KB4_ACME"
max_requests = 500
risk_history = "users,groups"
"#,
        )
        .unwrap();
        let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["acme", "trial."]);
        assert_eq!(config.accounts[0].source, Source::Site(Site::Eu));
        assert_eq!(
            config.accounts[0].token,
            TokenSource::Env("KB4_ACME".into())
        );
        assert_eq!(config.accounts[0].max_requests, Some(500));
        assert_eq!(
            config.accounts[1].source,
            Source::BaseUrl("http://127.0.0.1:8080".into())
        );
        assert_eq!(
            config.accounts[1].token,
            TokenSource::File("/etc/kb4graph/trial.token".into())
        );
        assert!(config.accounts[1].pace.is_some());
        assert_eq!(
            config.accounts[0].risk_history,
            Some("users,groups".parse().unwrap())
        );
        assert_eq!(config.accounts[1].risk_history, None);
        let err = parse(
            "[[account]]\nname = \"acme\"\nsite = \"us\"\ntoken_env = \"X\"\nrisk_history = \"everyone\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("risk_history") && err.contains("\"everyone\"") && err.contains("acme"),
            "{err}"
        );
    }

    #[test]
    fn a_token_in_the_file_is_refused_without_being_repeated() {
        let err =
            parse("[[account]]\nname = \"acme\"\nsite = \"us\"\ntoken = \"s3cr3t-token-value\"\n")
                .unwrap_err()
                .to_string();
        assert!(err.contains("token_env"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
        // A syntax error on the token's line must not quote it either.
        let err = parse("[[account]]\nname = \"acme\"\ntoken = s3cr3t-token-value\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn bad_accounts_are_named_with_what_to_do() {
        let cases = [
            (
                "name = \"a/b\"\nsite = \"us\"\ntoken_env = \"T\"",
                "holds '/'",
            ),
            (
                "name = \".hidden\"\nsite = \"us\"\ntoken_env = \"T\"",
                "starts with",
            ),
            ("name = \"\"\nsite = \"us\"\ntoken_env = \"T\"", "empty"),
            (
                "name = \"a\"\ntoken_env = \"T\"",
                "say where the account is",
            ),
            ("name = \"a\"\nsite = \"mars\"\ntoken_env = \"T\"", "mars"),
            ("name = \"a\"\nsite = \"us\"", "token_env"),
            (
                "name = \"a\"\nsite = \"us\"\ntoken_env = \"T\"\nsurprise = 1",
                "surprise",
            ),
            (
                "name = \"a\"\nbase_url = \"http://u:p@host\"\ntoken_env = \"T\"",
                "credentials",
            ),
        ];
        for (body, expected) in cases {
            let err = parse(&format!("[[account]]\n{body}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{body:?}: {err}");
            assert!(err.contains("accounts.toml"), "{err}");
        }
        let err = parse(
            "[[account]]\nname = \"Acme\"\nsite = \"us\"\ntoken_env = \"A\"\n[[account]]\nname = \"acme\"\nsite = \"us\"\ntoken_env = \"B\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("already used by account 1"), "{err}");
        assert!(matches!(parse(""), Err(ConfigError::Empty { .. })));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn any_text_is_read_or_refused_and_never_repeats_a_token(
            text in "(\\PC|\n|\"|=|\\[|\\])*",
            name in "\\PC*",
            token in "[A-Za-z0-9]{16,40}",
        ) {
            let _ = parse(&text);
            let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
            let file = format!("[[account]]\nname = \"{escaped}\"\nsite = \"us\"\ntoken = \"{token}\"\n");
            let err = parse(&file).unwrap_err().to_string();
            proptest::prop_assert!(!err.contains(&token), "{}", err);
            let file = format!("[[account]]\nname = \"{escaped}\"\nsite = \"us\"\ntoken_env = \"T\"\n");
            match parse(&file) {
                Ok(config) => proptest::prop_assert!(check_name(&config.accounts[0].name).is_ok()),
                Err(err) => proptest::prop_assert!(err.to_string().contains("accounts.toml"), "{}", err),
            }
        }
    }

    #[test]
    fn tokens_come_from_the_named_variable_or_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.token"), "abcdefgh-1234\n").unwrap();
        let config = AccountsConfig::parse(
            &dir.path().join("accounts.toml"),
            "[[account]]\nname = \"a\"\nsite = \"us\"\ntoken_file = \"t.token\"\n[[account]]\nname = \"b\"\nsite = \"us\"\ntoken_env = \"KB4GRAPH_TEST_SURELY_UNSET\"\n",
        )
        .unwrap();
        assert_eq!(
            config.accounts[0].token.read().unwrap(),
            Token::new("abcdefgh-1234").unwrap()
        );
        let err = config.accounts[1].token.read().unwrap_err().to_string();
        assert!(
            err.contains("KB4GRAPH_TEST_SURELY_UNSET is not set"),
            "{err}"
        );
    }
}
