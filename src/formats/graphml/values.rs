//! Spellings of values: GraphML's `attr.type`s, and kb4graph's value types as its exporters
//! write them. One parser serves the GraphML reader, its checker and the RDF reader, so a value
//! is accepted or refused alike wherever it is read.
//!
//! Change here what text a value type accepts; how a refusal is worded for a user is chosen by
//! the caller ([`ValueError`]'s `Display`, or [`ValueError::against_profile`]).

use std::fmt;

use crate::model::{Value, ValueType};
use crate::timefmt::{parse_date, parse_datetime_millis as parse_datetime};

/// A GraphML `attr.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GmlType {
    Boolean,
    Int,
    Long,
    Float,
    Double,
    String,
}

impl GmlType {
    pub fn parse(s: &str) -> Option<GmlType> {
        Some(match s {
            "boolean" => GmlType::Boolean,
            "int" => GmlType::Int,
            "long" => GmlType::Long,
            "float" => GmlType::Float,
            "double" => GmlType::Double,
            "string" => GmlType::String,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            GmlType::Boolean => "boolean",
            GmlType::Int => "int",
            GmlType::Long => "long",
            GmlType::Float => "float",
            GmlType::Double => "double",
            GmlType::String => "string",
        }
    }

    /// Whether `v` is a value of this type, as GraphML readers parse them.
    pub fn accepts(self, v: &str) -> bool {
        match self {
            GmlType::Boolean => matches!(v, "true" | "false" | "1" | "0"),
            GmlType::Int => is_integer(v) && v.parse::<i32>().is_ok(),
            GmlType::Long => is_integer(v) && v.parse::<i64>().is_ok(),
            GmlType::Float | GmlType::Double => is_xs_double(v),
            GmlType::String => true,
        }
    }
}

fn is_integer(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The lexical space of `xs:double`.
pub fn is_xs_double(v: &str) -> bool {
    if matches!(v, "INF" | "-INF" | "+INF" | "NaN") {
        return true;
    }
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// A text that does not spell a value of the type it should hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValueError {
    pub text: String,
    pub expected: ValueType,
}

/// What the text is not, in plain words: `"x" is not a floating-point number`.
impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.expected {
            ValueType::String => "a string",
            ValueType::Integer => "a 64-bit integer",
            ValueType::Float => "a floating-point number",
            ValueType::Decimal => "a decimal number",
            ValueType::Boolean => "true or false",
            ValueType::DateTime => "a datetime (YYYY-MM-DDTHH:MM:SS.sssZ)",
            ValueType::Date => "a date (YYYY-MM-DD)",
            ValueType::StringArray => "a JSON array of strings",
            ValueType::IntegerArray => "a JSON array of integers",
        };
        write!(f, "{} is not {what}", quote(&self.text))
    }
}

impl ValueError {
    fn new(expected: ValueType, text: &str) -> ValueError {
        ValueError {
            text: text.to_owned(),
            expected,
        }
    }

    /// What the text is not, named by the value type of the GraphML profile, as `validate`
    /// says it: `"x" is not a datetime (YYYY-MM-DDTHH:MM:SS.sssZ)`.
    pub fn against_profile(&self) -> String {
        let example = match self.expected {
            ValueType::DateTime => " (YYYY-MM-DDTHH:MM:SS.sssZ)",
            ValueType::Date => " (YYYY-MM-DD)",
            ValueType::StringArray | ValueType::IntegerArray => " (a JSON array)",
            ValueType::Boolean => " (true or false)",
            _ => "",
        };
        format!(
            "{} is not a {}{example}",
            quote(&self.text),
            self.expected.name()
        )
    }
}

/// A value of `ty` from its text as kb4graph writes it: arrays as JSON.
pub fn value(ty: ValueType, text: &str) -> Result<Value, ValueError> {
    let bad = || ValueError::new(ty, text);
    match ty {
        ValueType::StringArray => serde_json::from_str::<Vec<String>>(text)
            .map(Value::StringArray)
            .map_err(|_| bad()),
        ValueType::IntegerArray => serde_json::from_str::<Vec<i64>>(text)
            .map(Value::IntegerArray)
            .map_err(|_| bad()),
        _ => scalar(ty, text),
    }
}

/// A single value of `ty` (for an array type: one item) from its text.
pub fn scalar(ty: ValueType, text: &str) -> Result<Value, ValueError> {
    let bad = || ValueError::new(ty, text);
    match ty {
        ValueType::String | ValueType::StringArray => Ok(Value::String(text.to_owned())),
        ValueType::Integer | ValueType::IntegerArray => {
            integer(text).map(Value::Integer).ok_or_else(bad)
        }
        ValueType::Float => double(text).map(Value::Float).ok_or_else(bad),
        ValueType::Decimal => double(text)
            .filter(|x| x.is_finite())
            .map(Value::Decimal)
            .ok_or_else(bad),
        ValueType::Boolean => match text {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            _ => Err(bad()),
        },
        ValueType::DateTime => parse_datetime(text).map(Value::DateTime).ok_or_else(bad),
        ValueType::Date => parse_date(text).map(Value::Date).ok_or_else(bad),
    }
}

fn integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// An `xs:double`: Rust's parser also takes `inf` and `infinity`, which XSD does not.
fn double(text: &str) -> Option<f64> {
    if !is_xs_double(text) {
        return None;
    }
    match text {
        "INF" | "+INF" => Some(f64::INFINITY),
        "-INF" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

/// A short, single-line quote of a value for a message.
pub fn quote(v: &str) -> String {
    const MAX: usize = 80;
    let cut: String = v.chars().take(MAX).collect();
    let mut q = format!("{cut:?}");
    if v.chars().count() > MAX {
        q.push_str("...");
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphml_types_take_what_graphml_readers_take() {
        for ok in [
            "0", "-12", "1.5", ".5", "5.", "1e300", "-1.25E-7", "INF", "NaN",
        ] {
            assert!(is_xs_double(ok), "{ok}");
        }
        for bad in ["", ".", "e5", "1e", "inf", "1.2.3", "0x10", " 1"] {
            assert!(!is_xs_double(bad), "{bad}");
        }
        assert!(GmlType::Long.accepts("9223372036854775807"));
        assert!(!GmlType::Long.accepts("9223372036854775808"));
        assert!(!GmlType::Int.accepts("4294967296"));
        assert!(!GmlType::Boolean.accepts("True"));
    }

    #[test]
    fn values_parse_as_written_and_nothing_else() {
        assert!(matches!(
            scalar(ValueType::Integer, "-12"),
            Ok(Value::Integer(-12))
        ));
        assert!(scalar(ValueType::Integer, "1.0").is_err());
        assert!(scalar(ValueType::Integer, "+1").is_err());
        assert!(scalar(ValueType::Integer, "9223372036854775808").is_err());
        assert!(matches!(scalar(ValueType::Float, "1e300"), Ok(Value::Float(x)) if x == 1e300));
        assert!(scalar(ValueType::Float, "inf").is_err());
        assert!(scalar(ValueType::Decimal, "INF").is_err());
        assert!(scalar(ValueType::Boolean, "1").is_err());
        assert!(matches!(
            scalar(ValueType::DateTime, "1970-01-01T00:00:01.500Z"),
            Ok(Value::DateTime(1500))
        ));
        assert!(scalar(ValueType::DateTime, "1970-01-01T00:00:01Z").is_err());
        assert!(matches!(
            scalar(ValueType::Date, "1970-01-02"),
            Ok(Value::Date(1))
        ));
        assert!(scalar(ValueType::Date, "1970-02-30").is_err());
        assert!(value(ValueType::IntegerArray, "[1,-2]").is_ok());
        assert!(value(ValueType::IntegerArray, "[1.5]").is_err());
        assert!(value(ValueType::StringArray, "[\"a\"]").is_ok());
    }

    #[test]
    fn a_refusal_is_worded_plainly_or_as_the_profile_names_the_type() {
        let e = scalar(ValueType::Float, "forty").unwrap_err();
        assert_eq!(e.to_string(), "\"forty\" is not a floating-point number");
        assert_eq!(e.against_profile(), "\"forty\" is not a float");
        let e = value(ValueType::StringArray, "x").unwrap_err();
        assert_eq!(
            e.against_profile(),
            "\"x\" is not a string[] (a JSON array)"
        );
    }
}
