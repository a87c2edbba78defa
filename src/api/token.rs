//! The Reporting API token. It is a bearer credential for an account's personal data, so it
//! can only leave this type as an `Authorization` header value marked sensitive.

use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable the token is read from.
pub const TOKEN_ENV: &str = "KNOWBE4_API_TOKEN";

/// A Reporting API token. `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "{TOKEN_ENV} is not set: put a KnowBe4 Reporting API token in it, or use --token-file PATH"
    )]
    EnvMissing,
    #[error("{TOKEN_ENV} is set but empty: put a KnowBe4 Reporting API token in it")]
    EnvEmpty,
    #[error(
        "{TOKEN_ENV} does not hold valid text: it must be the token as shown by the KnowBe4 console"
    )]
    EnvNotUnicode,
    #[error("{var} is not set: put the account's KnowBe4 Reporting API token in it")]
    VarMissing { var: String },
    #[error("{var} is set but empty: put the account's KnowBe4 Reporting API token in it")]
    VarEmpty { var: String },
    #[error("{var} does not hold valid text: it must be the token as shown by the KnowBe4 console")]
    VarNotUnicode { var: String },
    #[error("cannot read the token file {}: {error}", path.display())]
    FileRead {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("the token file {} is empty: put a KnowBe4 Reporting API token in it", path.display())]
    FileEmpty { path: PathBuf },
    // The offending value is deliberately not part of the message.
    #[error(
        "the token from {origin} contains characters a token cannot hold (spaces, control or non-ASCII characters): check it was copied whole and alone"
    )]
    Malformed { origin: String },
    #[error("the token is empty")]
    Empty,
}

impl Token {
    /// A token from a string (trimmed). Rejects empty and malformed values without echoing them.
    pub fn new(value: impl Into<String>) -> Result<Token, TokenError> {
        Self::checked(value.into(), "the given value", TokenError::Empty)
    }

    /// Reads `KNOWBE4_API_TOKEN`.
    pub fn from_env() -> Result<Token, TokenError> {
        match std::env::var(TOKEN_ENV) {
            Ok(value) => Self::checked(value, TOKEN_ENV, TokenError::EnvEmpty),
            Err(std::env::VarError::NotPresent) => Err(TokenError::EnvMissing),
            Err(std::env::VarError::NotUnicode(_)) => Err(TokenError::EnvNotUnicode),
        }
    }

    /// Reads the environment variable `var` (an account of a configuration file names its own).
    pub fn from_env_var(var: &str) -> Result<Token, TokenError> {
        match std::env::var(var) {
            Ok(value) => Self::checked(
                value,
                var,
                TokenError::VarEmpty {
                    var: var.to_owned(),
                },
            ),
            Err(std::env::VarError::NotPresent) => Err(TokenError::VarMissing {
                var: var.to_owned(),
            }),
            Err(std::env::VarError::NotUnicode(_)) => Err(TokenError::VarNotUnicode {
                var: var.to_owned(),
            }),
        }
    }

    /// Reads a file holding only the token (surrounding whitespace and newlines are ignored).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Token, TokenError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|error| TokenError::FileRead {
            path: path.to_owned(),
            error,
        })?;
        let origin = format!("the file {}", path.display());
        let text = String::from_utf8(bytes).map_err(|_| TokenError::Malformed {
            origin: origin.clone(),
        })?;
        Self::checked(
            text,
            &origin,
            TokenError::FileEmpty {
                path: path.to_owned(),
            },
        )
    }

    fn checked(value: String, origin: &str, empty: TokenError) -> Result<Token, TokenError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(empty);
        }
        // Anything outside visible ASCII cannot travel in a header and means a bad copy.
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::Malformed {
                origin: origin.to_owned(),
            });
        }
        Ok(Token(trimmed.to_owned()))
    }

    /// `text` with every occurrence of the token replaced by `[redacted]`, for text that came
    /// from elsewhere (a server's error body) and could echo it.
    ///
    /// Tokens shorter than [`Token::SCRUB_MIN_LEN`] are left alone: replacing every `t` of a
    /// one-letter test token would garble the message, and no issued token is that short.
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.0.len() < Self::SCRUB_MIN_LEN {
            return text.to_owned();
        }
        text.replace(&self.0, "[redacted]")
    }

    /// Whether `bytes` (a response body) hold the token. Same length floor as [`Token::scrub`].
    pub(crate) fn appears_in(&self, bytes: &[u8]) -> bool {
        let needle = self.0.as_bytes();
        needle.len() >= Self::SCRUB_MIN_LEN && bytes.windows(needle.len()).any(|w| w == needle)
    }

    /// The shortest token that `Token::scrub` looks for in foreign text.
    pub const SCRUB_MIN_LEN: usize = 8;

    /// The `Authorization` header value, flagged sensitive so that http's own `Debug` hides it.
    pub(crate) fn authorization(&self) -> reqwest::header::HeaderValue {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.0))
            // Unreachable: `checked` admits visible ASCII only, which is always a valid header.
            .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("Bearer"));
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "eyJhbGciOiJIUzI1NiJ9.s3cr3t-value";

    #[test]
    fn debug_and_display_hide_the_value() {
        let token = Token::new(format!("  {SECRET}\n")).unwrap();
        assert_eq!(token.to_string(), "[redacted]");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", token.authorization()).contains("s3cr3t"));
        assert_eq!(
            token.authorization().to_str().unwrap(),
            format!("Bearer {SECRET}")
        );
    }

    #[test]
    fn files_are_trimmed_and_empty_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, format!("{SECRET}\r\n")).unwrap();
        assert_eq!(
            Token::from_file(&path).unwrap(),
            Token::new(SECRET).unwrap()
        );

        std::fs::write(&path, " \n").unwrap();
        let err = Token::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("token") && err.contains(&path.display().to_string()),
            "{err}"
        );

        let missing = dir.path().join("nope");
        let err = Token::from_file(&missing).unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn malformed_tokens_are_refused_without_echo() {
        let err = Token::new(format!("{SECRET} extra"))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
        assert!(Token::new("tok\u{0}en").is_err());
        assert!(Token::new("").is_err());
    }
}
