//! Spellings of values: GraphML's `attr.type`s and kb4graph's value types.

use crate::model::ValueType;

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

/// Whether `v` spells a value of kb4graph's `ty` as the exporter writes it; `Err` says why not.
pub fn check_value(ty: ValueType, v: &str) -> Result<(), String> {
    let ok = match ty {
        ValueType::String => true,
        ValueType::Integer => is_integer(v) && !v.starts_with('+') && v.parse::<i64>().is_ok(),
        ValueType::Float => is_xs_double(v),
        ValueType::Decimal => is_xs_double(v) && v.parse::<f64>().is_ok_and(f64::is_finite),
        ValueType::Boolean => matches!(v, "true" | "false"),
        ValueType::DateTime => is_datetime(v),
        ValueType::Date => is_date(v),
        ValueType::StringArray => serde_json::from_str::<Vec<String>>(v).is_ok(),
        ValueType::IntegerArray => serde_json::from_str::<Vec<i64>>(v).is_ok(),
    };
    if ok {
        Ok(())
    } else {
        let example = match ty {
            ValueType::DateTime => " (YYYY-MM-DDTHH:MM:SS.sssZ)",
            ValueType::Date => " (YYYY-MM-DD)",
            ValueType::StringArray | ValueType::IntegerArray => " (a JSON array)",
            ValueType::Boolean => " (true or false)",
            _ => "",
        };
        Err(format!("{} is not a {}{example}", quote(v), ty.name()))
    }
}

fn shape(v: &str, pattern: &str) -> bool {
    v.len() == pattern.len()
        && v.bytes().zip(pattern.bytes()).all(|(b, p)| match p {
            b'9' => b.is_ascii_digit(),
            _ => b == p,
        })
}

fn is_date(v: &str) -> bool {
    shape(v, "9999-99-99")
}

fn is_datetime(v: &str) -> bool {
    shape(v, "9999-99-99T99:99:99.999Z")
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
    fn values_are_checked_by_their_types() {
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
        assert!(check_value(ValueType::DateTime, "2024-01-31T09:30:00.000Z").is_ok());
        assert!(check_value(ValueType::DateTime, "2024-01-31T09:30:00Z").is_err());
        assert!(check_value(ValueType::Date, "2024-01-31").is_ok());
        assert!(check_value(ValueType::IntegerArray, "[1,-2]").is_ok());
        assert!(check_value(ValueType::IntegerArray, "[1.5]").is_err());
        assert!(check_value(ValueType::StringArray, "[\"a\"]").is_ok());
        assert!(check_value(ValueType::Boolean, "1").is_err());
    }
}
