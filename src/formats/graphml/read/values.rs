//! Typed values from their text, as kb4graph writes them; shared by the GraphML and RDF readers.

use crate::formats::graphml::check::values::{is_xs_double, quote};
use crate::model::{Value, ValueType};
use crate::timefmt::{parse_date, parse_datetime_millis as parse_datetime};

/// A single value of `ty` (for an array type: one item) from its text.
pub(crate) fn scalar(ty: ValueType, text: &str) -> Result<Value, String> {
    let bad = |what: &str| format!("{} is not {what}", quote(text));
    match ty {
        ValueType::String | ValueType::StringArray => Ok(Value::String(text.to_owned())),
        ValueType::Integer | ValueType::IntegerArray => integer(text)
            .map(Value::Integer)
            .ok_or_else(|| bad("a 64-bit integer")),
        ValueType::Float => double(text)
            .map(Value::Float)
            .ok_or_else(|| bad("a floating-point number")),
        ValueType::Decimal => double(text)
            .filter(|x| x.is_finite())
            .map(Value::Decimal)
            .ok_or_else(|| bad("a decimal number")),
        ValueType::Boolean => match text {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            _ => Err(bad("true or false")),
        },
        ValueType::DateTime => parse_datetime(text)
            .map(Value::DateTime)
            .ok_or_else(|| bad("a datetime (YYYY-MM-DDTHH:MM:SS.sssZ)")),
        ValueType::Date => parse_date(text)
            .map(Value::Date)
            .ok_or_else(|| bad("a date (YYYY-MM-DD)")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_written_and_nothing_else() {
        assert!(matches!(
            scalar(ValueType::Integer, "-12"),
            Ok(Value::Integer(-12))
        ));
        assert!(scalar(ValueType::Integer, "1.0").is_err());
        assert!(scalar(ValueType::Integer, "9223372036854775808").is_err());
        assert!(matches!(scalar(ValueType::Float, "1e300"), Ok(Value::Float(x)) if x == 1e300));
        assert!(scalar(ValueType::Float, "inf").is_err());
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
    }
}
