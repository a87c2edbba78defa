//! Whether a literal is a valid value of an XSD datatype, in the words of SHACL's `sh:datatype`
//! (an ill-typed literal does not conform). The checker holds each value to its shape's
//! datatype and the records reader to its property's, so both say the same of the same literal.

use oxrdf::Term;

use crate::formats::graphml::values::is_xs_double;
use crate::formats::rdf::vocab::{XSD, compact};

/// A value that is not a valid literal of its datatype (a full IRI).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatatypeError {
    /// An IRI, a language-tagged string or a literal of another datatype.
    #[error("sh:datatype {}: {object} has another type", compact(.datatype))]
    OtherType { datatype: String, object: String },
    #[error(
        "sh:datatype {}: {object} is not a valid {}",
        compact(.datatype),
        compact(.datatype)
    )]
    NotLexical { datatype: String, object: String },
}

/// The text of `object` if it is a literal of `datatype` whose text is valid for it.
pub fn lexical_form<'t>(object: &'t Term, datatype: &str) -> Result<&'t str, DatatypeError> {
    let error = |valid_type: bool| {
        let (datatype, object) = (datatype.to_owned(), object.to_string());
        if valid_type {
            DatatypeError::NotLexical { datatype, object }
        } else {
            DatatypeError::OtherType { datatype, object }
        }
    };
    match object {
        Term::Literal(l) if l.datatype().as_str() == datatype => {
            let local = datatype.strip_prefix(XSD).unwrap_or("");
            if is_valid(local, l.value()) {
                Ok(l.value())
            } else {
                Err(error(true))
            }
        }
        _ => Err(error(false)),
    }
}

/// `local` is the XSD datatype's local name; datatypes not listed here accept any text.
fn is_valid(local: &str, text: &str) -> bool {
    match local {
        "integer" => is_integer(text),
        "double" => is_xs_double(text),
        "boolean" => matches!(text, "true" | "false" | "1" | "0"),
        "dateTime" => is_date_time(text),
        "date" => is_date(text),
        _ => true,
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_integer(s: &str) -> bool {
    digits(s.strip_prefix(['+', '-']).unwrap_or(s))
}

/// `-?YYYY-MM-DD` (a year of four or more digits, no leading zero beyond four); returns the rest.
fn date_part(s: &str) -> Option<&str> {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let year_len = s.find('-')?;
    let year_text = &s[..year_len];
    if year_len < 4 || !digits(year_text) || (year_len > 4 && year_text.starts_with('0')) {
        return None;
    }
    let year: i64 = year_text.parse().ok()?;
    let year = if negative { -year } else { year };
    let rest = &s[year_len..];
    let month: u32 = two(rest.get(1..3)?)?;
    if rest.get(3..4)? != "-" || rest.get(..1)? != "-" {
        return None;
    }
    let day: u32 = two(rest.get(4..6)?)?;
    if !(1..=12).contains(&month) || day == 0 || day > crate::timefmt::days_in_month(year, month) {
        return None;
    }
    rest.get(6..)
}

fn two(s: &str) -> Option<u32> {
    if s.len() == 2 && digits(s) {
        s.parse().ok()
    } else {
        None
    }
}

fn is_timezone(s: &str) -> bool {
    if s.is_empty() || s == "Z" {
        return true;
    }
    let Some(rest) = s.strip_prefix(['+', '-']) else {
        return false;
    };
    match (
        rest.get(..2).and_then(two),
        rest.get(2..3),
        rest.get(3..).and_then(two),
    ) {
        (Some(h), Some(":"), Some(m)) => (h < 14 && m < 60) || (h == 14 && m == 0),
        _ => false,
    }
}

fn is_date(s: &str) -> bool {
    date_part(s).is_some_and(is_timezone)
}

fn is_date_time(s: &str) -> bool {
    let Some(rest) = date_part(s) else {
        return false;
    };
    let Some(time) = rest.strip_prefix('T') else {
        return false;
    };
    let (h, m, sec) = match (
        time.get(..2).and_then(two),
        time.get(2..3),
        time.get(3..5).and_then(two),
        time.get(5..6),
        time.get(6..8).and_then(two),
    ) {
        (Some(h), Some(":"), Some(m), Some(":"), Some(sec)) => (h, m, sec),
        _ => return false,
    };
    let mut rest = &time[8..];
    let mut fraction_zero = true;
    if let Some(after) = rest.strip_prefix('.') {
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        fraction_zero = after[..n].bytes().all(|b| b == b'0');
        rest = &after[n..];
    }
    let time_ok =
        (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0 && fraction_zero);
    time_ok && is_timezone(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_forms() {
        for (dt, ok) in [
            ("integer", "-12"),
            ("integer", "+0"),
            ("double", "1.5"),
            ("double", "1e300"),
            ("double", "-INF"),
            ("double", ".5E-3"),
            ("boolean", "true"),
            ("dateTime", "2019-04-02T15:02:38.000Z"),
            ("dateTime", "2020-02-29T23:59:59+05:30"),
            ("dateTime", "-0044-03-15T12:00:00"),
            ("date", "2021-03-06"),
        ] {
            assert!(is_valid(dt, ok), "{dt} {ok}");
        }
        for (dt, bad) in [
            ("integer", "abc"),
            ("integer", "1.0"),
            ("integer", ""),
            ("double", "1e"),
            ("double", "."),
            ("double", "inf"),
            ("boolean", "yes"),
            ("dateTime", "2019-04-02"),
            ("dateTime", "2019-02-30T00:00:00Z"),
            ("dateTime", "2019-04-02T25:00:00Z"),
            ("dateTime", "19-04-02T15:02:38Z"),
            ("date", "2021-13-06"),
            ("date", "2021-03-06T00:00:00Z"),
        ] {
            assert!(!is_valid(dt, bad), "{dt} {bad}");
        }
    }

    #[test]
    fn datatype_errors_say_what_shacl_says() {
        let xsd_double = format!("{XSD}double");
        let forty = Term::from(oxrdf::Literal::new_typed_literal(
            "forty",
            oxrdf::NamedNode::new_unchecked(&xsd_double),
        ));
        assert_eq!(
            lexical_form(&forty, &xsd_double).unwrap_err().to_string(),
            format!("sh:datatype xsd:double: \"forty\"^^<{xsd_double}> is not a valid xsd:double")
        );
        let plain = Term::from(oxrdf::Literal::new_simple_literal("x"));
        assert_eq!(
            lexical_form(&plain, &format!("{XSD}integer"))
                .unwrap_err()
                .to_string(),
            "sh:datatype xsd:integer: \"x\" has another type"
        );
        let iri = Term::from(oxrdf::NamedNode::new_unchecked("https://example.com/a"));
        assert!(matches!(
            lexical_form(&iri, &xsd_double),
            Err(DatatypeError::OtherType { .. })
        ));
        let one = Term::from(oxrdf::Literal::new_typed_literal(
            "1.5",
            oxrdf::NamedNode::new_unchecked(&xsd_double),
        ));
        assert_eq!(lexical_form(&one, &xsd_double), Ok("1.5"));
    }
}
