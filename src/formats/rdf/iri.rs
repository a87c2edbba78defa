//! Instance IRIs: the base IRI followed by the percent-encoded `_key`.
//!
//! Every byte of the key's UTF-8 other than ASCII letters, digits and `-._~:` is written as
//! `%XX` (upper-case hex). The result is ASCII-only, fits every IRI-accepting syntax (N-Triples
//! `IRIREF`, Turtle prefixed names, SPARQL), keeps the key one path segment (`/`, `?`, `#` are
//! encoded) and decodes back to the key exactly.

use std::fmt::Write as _;

/// Whether `b` is written as itself.
fn is_kept(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':')
}

/// Appends `key`, percent-encoded, to `out`.
pub fn push_encoded(out: &mut String, key: &str) {
    for &b in key.as_bytes() {
        if is_kept(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// The key an encoded IRI tail stands for, if it is one [`push_encoded`] writes.
pub fn decode(encoded: &str) -> Option<String> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(hex, 16).ok()?;
            out.push(v);
            i += 3;
        } else if is_kept(b) {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

/// Why a `--base-iri` cannot be the namespace of instance IRIs.
#[derive(Debug, thiserror::Error)]
pub enum BaseIriError {
    #[error("--base-iri {base:?} is not an absolute IRI: {source}")]
    NotAbsolute {
        base: String,
        #[source]
        source: oxrdf::IriParseError,
    },
    #[error(
        "--base-iri {base:?} must end with '/', '#' or ':' so that keys are appended as a \
         path segment, fragment or name (e.g. https://grc.example.com/knowbe4/)"
    )]
    NoSeparator { base: String },
}

/// Whether `base` can be the namespace of instance IRIs.
pub fn check_base_iri(base: &str) -> Result<(), BaseIriError> {
    if let Err(source) = oxrdf::NamedNode::new(base) {
        return Err(BaseIriError::NotAbsolute {
            base: base.to_owned(),
            source,
        });
    }
    if !(base.ends_with('/') || base.ends_with('#') || base.ends_with(':')) {
        return Err(BaseIriError::NoSeparator {
            base: base.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_encode_as_documented() {
        let mut s = String::new();
        push_encoded(&mut s, "knowbe4:user:1|has|knowbe4:training:name:Ä b/%");
        assert_eq!(
            s,
            "knowbe4:user:1%7Chas%7Cknowbe4:training:name:%C3%84%20b%2F%25"
        );
    }

    proptest! {
        #[test]
        fn encoding_round_trips_and_makes_valid_iris(key in "\\PC*|[\\x00-\\x7f]*") {
            let mut tail = String::new();
            push_encoded(&mut tail, &key);
            prop_assert!(tail.is_ascii());
            prop_assert_eq!(decode(&tail), Some(key));
            let iri = format!("{}{tail}", super::super::DEFAULT_BASE_IRI);
            prop_assert!(oxrdf::NamedNode::new(&iri).is_ok());
        }
    }
}
