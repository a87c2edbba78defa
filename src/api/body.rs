//! Checks a response body without rewriting it: the bytes are kept verbatim, this only decides
//! whether they are a usable page.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The JSON shape an endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// One object (`/v1/account`).
    Object,
    /// A bare array of records (every list endpoint).
    Array,
}

/// What a 2xx body turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyCheck {
    /// Usable: the number of records it holds (1 for an object).
    Records(usize),
    /// `{"message":"Invalid Token"}`, the API's older way of refusing a token.
    InvalidToken,
    /// Not JSON, truncated, or not the expected shape: worth fetching again.
    Unusable(String),
}

pub fn check_body(bytes: &[u8], expect: Expect) -> BodyCheck {
    let shape = match serde_json::from_slice::<Shape>(bytes) {
        Ok(shape) => shape,
        Err(err) => return BodyCheck::Unusable(format!("the body is not valid JSON ({err})")),
    };
    match (shape, expect) {
        (
            Shape::Object {
                message: Some(m),
                keys,
            },
            _,
        ) if keys <= 2 && is_invalid_token(&m) => BodyCheck::InvalidToken,
        (Shape::Array(n), Expect::Array) => BodyCheck::Records(n),
        (Shape::Object { .. }, Expect::Object) => BodyCheck::Records(1),
        (
            Shape::Object {
                message: Some(m), ..
            },
            Expect::Array,
        ) => BodyCheck::Unusable(format!(
            "expected a JSON array, got an object with the message {:?}",
            clip(&m)
        )),
        (shape, _) => BodyCheck::Unusable(format!(
            "expected a JSON {}, got {}",
            match expect {
                Expect::Object => "object",
                Expect::Array => "array",
            },
            shape.describe()
        )),
    }
}

fn is_invalid_token(message: &str) -> bool {
    message.to_ascii_lowercase().contains("invalid token")
}

fn clip(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// The top-level shape of a JSON document, found without building it.
enum Shape {
    Array(usize),
    Object {
        message: Option<String>,
        keys: usize,
    },
    Scalar(&'static str),
}

impl Shape {
    fn describe(&self) -> String {
        match self {
            Shape::Array(n) => format!("an array of {n} items"),
            Shape::Object { .. } => "an object".to_owned(),
            Shape::Scalar(kind) => (*kind).to_owned(),
        }
    }
}

impl<'de> de::Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        let mut n = 0usize;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Shape::Array(n))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut message = None;
        let mut keys = 0usize;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            keys += 1;
            if key == "message" {
                message = map.next_value::<MaybeString>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Shape::Object { message, keys })
    }

    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::Scalar("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::Scalar("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::Scalar("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::Scalar("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::Scalar("a string"))
    }
    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Scalar("null"))
    }
}

/// A string, or nothing for any other JSON value.
struct MaybeString(Option<String>);

impl<'de> de::Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(MaybeString(match value {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_are_counted() {
        assert_eq!(check_body(b"[]", Expect::Array), BodyCheck::Records(0));
        assert_eq!(
            check_body(br#"[{"id":1,"x":[1,2]},{"id":2}] "#, Expect::Array),
            BodyCheck::Records(2)
        );
        assert_eq!(
            check_body(br#"{"name":"A"}"#, Expect::Object),
            BodyCheck::Records(1)
        );
    }

    #[test]
    fn invalid_token_body_is_an_auth_failure() {
        for expect in [Expect::Array, Expect::Object] {
            assert_eq!(
                check_body(br#"{"message":"Invalid Token"}"#, expect),
                BodyCheck::InvalidToken
            );
        }
    }

    #[test]
    fn malformed_truncated_and_misshapen_bodies_are_unusable() {
        for body in [
            &b"[{\"id\":1},{\"id\""[..],
            b"",
            b"<html>",
            b"[1,2]x",
            b"{\"a\":1}",
            b"null",
            b"\"text\"",
        ] {
            assert!(
                matches!(check_body(body, Expect::Array), BodyCheck::Unusable(_)),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(matches!(
            check_body(b"[]", Expect::Object),
            BodyCheck::Unusable(_)
        ));
        let deep = "[".repeat(100_000);
        assert!(matches!(
            check_body(deep.as_bytes(), Expect::Array),
            BodyCheck::Unusable(_)
        ));
    }
}
