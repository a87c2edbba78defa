//! A JSON value that borrows from the page it was parsed from.
//!
//! `serde_json::Value` allocates every key and string and keeps objects in B-trees; on a large
//! account that was half of `normalize`'s time. Here strings without escapes borrow from the
//! page bytes and an object is a vector of fields in document order. A key that appears twice
//! counts once, at its first place, with its last value: what Python, jq and serde_json's
//! `Value` read from the same page, so that kb4graph never disagrees with them silently. Each
//! such key is reported by [`parse_list`] and [`parse_one`] for a warning.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    Array(Vec<Raw<'a>>),
    Object(Vec<(Cow<'a, str>, Raw<'a>)>),
}

pub(crate) type Fields<'a> = [(Cow<'a, str>, Raw<'a>)];

impl<'a> Raw<'a> {
    pub fn is_null(&self) -> bool {
        matches!(self, Raw::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Raw::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Raw::U64(n) => Some(n as f64),
            Raw::I64(n) => Some(n as f64),
            Raw::F64(x) => Some(x),
            _ => None,
        }
    }

    /// The value as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Raw::Null => "null",
            Raw::Bool(_) => "a boolean",
            Raw::U64(_) | Raw::I64(_) | Raw::F64(_) => "a number",
            Raw::Str(_) => "a string",
            Raw::Array(_) => "an array",
            Raw::Object(_) => "an object",
        }
    }
}

/// The first value of field `key`.
pub(crate) fn get<'r, 'a>(fields: &'r Fields<'a>, key: &str) -> Option<&'r Raw<'a>> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

thread_local! {
    /// Keys found twice in one object while parsing the current page on this thread.
    static DUPLICATE_KEYS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A parsed page and the keys that appeared twice in one of its objects (in page order).
pub(crate) struct Parsed<T> {
    pub value: T,
    pub duplicate_keys: Vec<String>,
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<Parsed<T>, serde_json::Error> {
    DUPLICATE_KEYS.with_borrow_mut(Vec::clear);
    let value = serde_json::from_slice(bytes);
    let duplicate_keys = DUPLICATE_KEYS.with_borrow_mut(std::mem::take);
    Ok(Parsed {
        value: value?,
        duplicate_keys,
    })
}

/// Parses a page: a JSON array of records.
pub(crate) fn parse_list(bytes: &[u8]) -> Result<Parsed<Vec<Raw<'_>>>, serde_json::Error> {
    parse(bytes)
}

/// Parses an object page: one record.
pub(crate) fn parse_one(bytes: &[u8]) -> Result<Parsed<Raw<'_>>, serde_json::Error> {
    parse(bytes)
}

/// A parsed page's records, borrowing from its bytes, and the keys that appeared twice in one
/// of its objects. A `Yoke` keeps it together with the bytes it borrows from, so it can be
/// parsed on one thread and read on another.
#[derive(yoke::Yokeable)]
pub(crate) struct PageRecords<'a> {
    pub records: Vec<Raw<'a>>,
    pub duplicate_keys: Vec<String>,
}

/// Parses a page of records, or with `one` an object page (one record).
pub(crate) fn parse_page(bytes: &[u8], one: bool) -> Result<PageRecords<'_>, serde_json::Error> {
    let parsed = if one {
        parse_one(bytes).map(|one| Parsed {
            value: vec![one.value],
            duplicate_keys: one.duplicate_keys,
        })
    } else {
        parse_list(bytes)
    };
    parsed.map(|p| PageRecords {
        records: p.value,
        duplicate_keys: p.duplicate_keys,
    })
}

/// A cheap fingerprint of a key: objects have a few dozen fields, and a repeated key is rare,
/// so the linear search for an earlier one runs only when the fingerprint was seen before.
fn key_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let mix = bytes.len()
        ^ usize::from(bytes.first().copied().unwrap_or(0)).wrapping_mul(7)
        ^ usize::from(bytes.last().copied().unwrap_or(0)).wrapping_mul(31);
    1 << (mix & 63)
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::I64(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::U64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::F64(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        Deserialize::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        let mut fields: Vec<(Cow<'de, str>, Raw<'de>)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        let mut seen = 0u64;
        while let Some(Key(key)) = map.next_key()? {
            let value: Raw<'de> = map.next_value()?;
            let bit = key_bit(&key);
            if seen & bit != 0
                && let Some(earlier) = fields.iter_mut().find(|(k, _)| *k == key)
            {
                DUPLICATE_KEYS.with_borrow_mut(|keys| keys.push(key.into_owned()));
                earlier.1 = value;
                continue;
            }
            seen |= bit;
            fields.push((key, value));
        }
        Ok(Raw::Object(fields))
    }
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw<'de>, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

/// An object key, borrowed when it has no escapes (serde's own `Cow` never borrows).
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl Serialize for Raw<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Raw::Null => s.serialize_unit(),
            Raw::Bool(b) => s.serialize_bool(*b),
            Raw::U64(n) => s.serialize_u64(*n),
            Raw::I64(n) => s.serialize_i64(*n),
            Raw::F64(x) => s.serialize_f64(*x),
            Raw::Str(v) => s.serialize_str(v),
            Raw::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Raw::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_keeps_field_order() {
        let bytes = br#"[{"b": "plain", "a": "esc\"aped", "n": -5, "u": 18446744073709551615, "f": 2.5, "x": null, "l": [true, {}]}]"#;
        let list = parse_list(bytes).unwrap().value;
        let Raw::Object(fields) = &list[0] else {
            panic!("an object")
        };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["b", "a", "n", "u", "f", "x", "l"]);
        assert!(matches!(
            get(fields, "b"),
            Some(Raw::Str(Cow::Borrowed("plain")))
        ));
        assert_eq!(get(fields, "a").and_then(Raw::as_str), Some("esc\"aped"));
        assert_eq!(get(fields, "n"), Some(&Raw::I64(-5)));
        assert_eq!(get(fields, "u"), Some(&Raw::U64(u64::MAX)));
        assert_eq!(
            list[0].to_json(),
            r#"{"b":"plain","a":"esc\"aped","n":-5,"u":18446744073709551615,"f":2.5,"x":null,"l":[true,{}]}"#
        );
    }

    #[test]
    fn last_of_repeated_keys_wins_at_the_first_place_and_is_reported() {
        let bytes = br#"{"id": 1, "name": "a", "id": 2, "u": {"x": 1, "x": [3]}}"#;
        let one = parse_one(bytes).unwrap();
        let Raw::Object(fields) = &one.value else {
            panic!("an object")
        };
        assert_eq!(get(fields, "id"), Some(&Raw::U64(2)));
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[0].0, "id");
        assert_eq!(one.duplicate_keys, ["id", "x"]);
        // What serde_json's own Value reads from the same bytes.
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(value["id"], 2);
        assert_eq!(value["u"]["x"], serde_json::json!([3]));
        assert_eq!(one.value.to_json(), r#"{"id":2,"name":"a","u":{"x":[3]}}"#);
        // The next page starts with none.
        assert!(parse_list(b"[{}]").unwrap().duplicate_keys.is_empty());
    }
}
