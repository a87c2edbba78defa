//! A field's text as a value of its column's type, spelled as kb4graph writes it (the
//! canonical spelling, which neo4j-admin and LOAD CSV read exactly). The reader and the checker
//! both read values here, so they agree on every field.

use crate::formats::neo4j::columns::neo4j_type;
use crate::model::{Value, ValueType};
use crate::timefmt::{parse_date, parse_datetime_millis};

/// Why a non-null field is not a value of its column's type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("holds the array delimiter {0:?}, which neo4j-admin cannot escape")]
    HoldsArrayDelimiter(char),
    #[error("{text:?} is not a {neo4j_type}")]
    NotA {
        text: String,
        neo4j_type: &'static str,
    },
    #[error("an empty quoted value is not a {0}")]
    EmptyQuoted(&'static str),
}

fn integer(s: &str) -> Option<i64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn float(s: &str) -> Option<f64> {
    // Java's Double.parseDouble takes these; Rust's parse would also take `inf` and `NaN`.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-+.eE".contains(&b))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// One scalar, or one item of an array column of type `t`.
fn scalar(s: &str, t: ValueType) -> Result<Value, ValueError> {
    let parsed = match t {
        ValueType::String | ValueType::StringArray => Some(Value::String(s.to_owned())),
        ValueType::Integer | ValueType::IntegerArray => integer(s).map(Value::Integer),
        ValueType::Float => float(s).map(Value::Float),
        ValueType::Decimal => float(s).map(Value::Decimal),
        ValueType::Boolean => match s {
            "true" => Some(Value::Boolean(true)),
            "false" => Some(Value::Boolean(false)),
            _ => None,
        },
        ValueType::DateTime => parse_datetime_millis(s).map(Value::DateTime),
        ValueType::Date => parse_date(s).map(Value::Date),
    };
    parsed.ok_or_else(|| not_a(s, t))
}

fn not_a(s: &str, t: ValueType) -> ValueError {
    ValueError::NotA {
        text: s.to_owned(),
        neo4j_type: neo4j_type(t),
    }
}

/// A non-null field's text as a value of type `t`. An empty array field is the empty array,
/// as Neo4j reads it.
pub fn parse(
    text: &str,
    quoted: bool,
    t: ValueType,
    array_delimiter: char,
) -> Result<Value, ValueError> {
    match t {
        ValueType::String if text.contains(array_delimiter) => {
            Err(ValueError::HoldsArrayDelimiter(array_delimiter))
        }
        ValueType::String => Ok(Value::String(text.to_owned())),
        ValueType::StringArray if text.is_empty() => Ok(Value::StringArray(Vec::new())),
        ValueType::StringArray => Ok(Value::StringArray(
            text.split(array_delimiter).map(str::to_owned).collect(),
        )),
        ValueType::IntegerArray if text.is_empty() => Ok(Value::IntegerArray(Vec::new())),
        ValueType::IntegerArray => text
            .split(array_delimiter)
            .map(|item| integer(item).ok_or_else(|| not_a(item, t)))
            .collect::<Result<_, _>>()
            .map(Value::IntegerArray),
        _ if text.is_empty() && quoted => Err(ValueError::EmptyQuoted(neo4j_type(t))),
        _ => scalar(text, t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_by_their_column_type() {
        let v = |text: &str, quoted: bool, ty: ValueType| parse(text, quoted, ty, ';');
        assert_eq!(
            v("", true, ValueType::String),
            Ok(Value::String(String::new()))
        );
        assert_eq!(
            v("", true, ValueType::StringArray),
            Ok(Value::StringArray(Vec::new()))
        );
        assert_eq!(
            v("a;;b", false, ValueType::StringArray),
            Ok(Value::StringArray(vec![
                "a".into(),
                String::new(),
                "b".into()
            ]))
        );
        assert_eq!(
            v("1;-2", false, ValueType::IntegerArray),
            Ok(Value::IntegerArray(vec![1, -2]))
        );
        assert_eq!(v("-12", false, ValueType::Integer), Ok(Value::Integer(-12)));
        assert_eq!(
            v("1.5e3", false, ValueType::Float),
            Ok(Value::Float(1500.0))
        );
        assert_eq!(v("-0", false, ValueType::Float), Ok(Value::Float(-0.0)));
        assert_eq!(
            v("2021-03-06", false, ValueType::Date),
            Ok(Value::Date(18_692))
        );
        assert_eq!(
            v("1970-01-01T00:00:01.500Z", false, ValueType::DateTime),
            Ok(Value::DateTime(1500))
        );
        for (text, ty) in [
            ("+1", ValueType::Integer),
            ("1.0", ValueType::Integer),
            ("NaN", ValueType::Float),
            ("inf", ValueType::Float),
            ("1e999", ValueType::Float),
            ("TRUE", ValueType::Boolean),
            ("1;x", ValueType::IntegerArray),
            ("2023-02-29", ValueType::Date),
            ("2024-01-01T00:00:00Z", ValueType::DateTime),
            ("2024-01-01T00:00:00.000+01:00", ValueType::DateTime),
        ] {
            assert!(v(text, false, ty).is_err(), "{text}");
        }
        assert_eq!(
            v("", true, ValueType::Integer),
            Err(ValueError::EmptyQuoted("long"))
        );
        assert_eq!(
            v("1;x", false, ValueType::IntegerArray)
                .unwrap_err()
                .to_string(),
            "\"x\" is not a long[]"
        );
        assert_eq!(
            v("a;b", false, ValueType::String),
            Err(ValueError::HoldsArrayDelimiter(';'))
        );
    }
}
