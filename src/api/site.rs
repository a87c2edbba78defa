//! Where the Reporting API lives: one of KnowBe4's regional sites, or a base URL (the simulated
//! API, a proxy).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A KnowBe4 region. Each has its own API host; an account exists on exactly one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Site {
    Us,
    Eu,
    Ca,
    Uk,
    De,
}

impl Site {
    pub const ALL: [Site; 5] = [Site::Us, Site::Eu, Site::Ca, Site::Uk, Site::De];

    pub fn as_str(self) -> &'static str {
        match self {
            Site::Us => "us",
            Site::Eu => "eu",
            Site::Ca => "ca",
            Site::Uk => "uk",
            Site::De => "de",
        }
    }

    /// The API root of this site, without the `/v1` prefix.
    pub fn base_url(self) -> String {
        format!("https://{}.api.knowbe4.com", self.as_str())
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown KnowBe4 site {0:?}: expected one of us, eu, ca, uk, de")]
pub struct ParseSiteError(String);

impl FromStr for Site {
    type Err = ParseSiteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Site::ALL
            .into_iter()
            .find(|site| site.as_str() == wanted)
            .ok_or_else(|| ParseSiteError(s.to_owned()))
    }
}

/// Where requests go. A base URL is the API root (`http://127.0.0.1:PORT` for the simulated
/// API); `/v1/...` is appended to it. It is checked by [`Source::checked_base_url`] when a
/// client is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Site(Site),
    BaseUrl(String),
}

impl Source {
    /// The API root requests go to, checked and normalised.
    pub fn checked_base_url(&self) -> Result<BaseUrl, ParseBaseUrlError> {
        match self {
            Source::Site(site) => Ok(BaseUrl(site.base_url())),
            Source::BaseUrl(url) => url.parse(),
        }
    }

    pub fn site(&self) -> Option<Site> {
        match self {
            Source::Site(site) => Some(*site),
            Source::BaseUrl(_) => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Site(site) => write!(f, "{site} ({})", site.base_url()),
            Source::BaseUrl(url) => match url.parse::<BaseUrl>() {
                Ok(url) => f.write_str(url.as_str()),
                Err(_) => f.write_str("[invalid base URL]"),
            },
        }
    }
}

impl From<Site> for Source {
    fn from(site: Site) -> Self {
        Source::Site(site)
    }
}

impl From<BaseUrl> for Source {
    fn from(url: BaseUrl) -> Self {
        Source::BaseUrl(url.0)
    }
}

/// A checked API root: http or https, a host, no credentials, no query or fragment, no trailing
/// slash. Credentials are refused because the URL is written to the manifest and to logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base URL {url:?}: {reason}")]
pub struct ParseBaseUrlError {
    url: String,
    reason: &'static str,
}

impl BaseUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BaseUrl {
    type Err = ParseBaseUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason| ParseBaseUrlError {
            // Never echo a URL that may hold credentials.
            url: if s.contains('@') {
                "[redacted]".to_owned()
            } else {
                s.to_owned()
            },
            reason,
        };
        let url = reqwest::Url::parse(s.trim()).map_err(|_| fail("not a URL"))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(fail("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(fail("no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(fail(
                "credentials in the URL are not allowed (the token goes in KNOWBE4_API_TOKEN)",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(fail("a query or fragment is not allowed"));
        }
        let mut text = url.as_str().trim_end_matches('/').to_owned();
        // People paste the documented prefix; requests add it themselves.
        if let Some(stripped) = text.strip_suffix("/v1") {
            text = stripped.to_owned();
        }
        Ok(BaseUrl(text))
    }
}

impl FromStr for Source {
    type Err = ParseBaseUrlError;

    /// A site name, or else a base URL.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Site>() {
            Ok(site) => Ok(Source::Site(site)),
            Err(_) => s.parse::<BaseUrl>().map(Source::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_round_trip() {
        for site in Site::ALL {
            assert_eq!(site.to_string().parse::<Site>(), Ok(site));
        }
        assert_eq!("EU".parse::<Site>(), Ok(Site::Eu));
        assert!("fr".parse::<Site>().is_err());
        assert_eq!(Site::Uk.base_url(), "https://uk.api.knowbe4.com");
    }

    #[test]
    fn base_urls_are_normalised_and_checked() {
        let url: BaseUrl = "http://127.0.0.1:8080/".parse().unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080");
        let url: BaseUrl = "https://proxy.example/kb4/v1".parse().unwrap();
        assert_eq!(url.as_str(), "https://proxy.example/kb4");
        assert!("ftp://x".parse::<BaseUrl>().is_err());
        assert!("http://x/?a=b".parse::<BaseUrl>().is_err());
        let err = "http://user:secret@x/".parse::<BaseUrl>().unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }
}
