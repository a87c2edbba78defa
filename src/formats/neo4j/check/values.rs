//! Whether a field's text is a value of its column's type, as kb4graph writes it (the
//! canonical spelling, which neo4j-admin and LOAD CSV read exactly).

use crate::model::ValueType;

/// `YYYY-MM-DD` as kb4graph writes it -> days since the epoch.
pub fn parse_date(s: &str) -> Option<i64> {
    crate::timefmt::parse_date(s).map(i64::from)
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` as kb4graph writes it -> UTC milliseconds since the epoch.
pub fn parse_datetime(s: &str) -> Option<i64> {
    crate::timefmt::parse_datetime_millis(s)
}

fn integer(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) && s.parse::<i64>().is_ok()
}

fn float(s: &str) -> bool {
    // Java's Double.parseDouble takes these; Rust's parse would also take `inf` and `NaN`.
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"-+.eE".contains(&b))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Checks a non-null field. `Err` says what is wrong.
pub fn check(text: &str, quoted: bool, t: ValueType, array_delimiter: char) -> Result<(), String> {
    let scalar = |s: &str, t: ValueType| -> Result<(), String> {
        let ok = match t {
            ValueType::String | ValueType::StringArray => true,
            ValueType::Integer | ValueType::IntegerArray => integer(s),
            ValueType::Float | ValueType::Decimal => float(s),
            ValueType::Boolean => s == "true" || s == "false",
            ValueType::DateTime => parse_datetime(s).is_some(),
            ValueType::Date => parse_date(s).is_some(),
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{s:?} is not a {}",
                crate::formats::neo4j::columns::neo4j_type(t)
            ))
        }
    };
    match t {
        ValueType::String => {
            if text.contains(array_delimiter) {
                return Err(format!(
                    "holds the array delimiter {array_delimiter:?}, which neo4j-admin cannot escape"
                ));
            }
            Ok(())
        }
        ValueType::StringArray | ValueType::IntegerArray => {
            if text.is_empty() {
                return Ok(());
            }
            for item in text.split(array_delimiter) {
                scalar(item, t)?;
            }
            Ok(())
        }
        _ if text.is_empty() && quoted => Err(format!(
            "an empty quoted value is not a {}",
            crate::formats::neo4j::columns::neo4j_type(t)
        )),
        _ => scalar(text, t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings_parse_and_others_do_not() {
        assert_eq!(parse_datetime("1970-01-01T00:00:01.500Z"), Some(1500));
        assert_eq!(parse_date("2024-02-29"), Some(19782));
        for bad in ["2023-02-29", "2024-13-01", "24-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in [
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.000+01:00",
            "2024-01-01",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert!(check("-12", false, ValueType::Integer, ';').is_ok());
        assert!(check("1.5e3", false, ValueType::Float, ';').is_ok());
        for (bad, t) in [
            ("TRUE", ValueType::Boolean),
            ("1.0", ValueType::Integer),
            ("NaN", ValueType::Float),
            ("1;x", ValueType::IntegerArray),
            ("", ValueType::Integer),
        ] {
            assert!(check(bad, true, t, ';').is_err(), "{bad}");
        }
        assert!(check("a;b", false, ValueType::String, ';').is_err());
    }
}
