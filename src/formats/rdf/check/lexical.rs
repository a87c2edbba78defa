//! Whether a literal's text is a valid lexical form of its XSD datatype, as SHACL's
//! `sh:datatype` requires (an ill-typed literal does not conform).

/// `local` is the XSD datatype's local name; datatypes not listed here accept any text.
pub fn is_valid(local: &str, text: &str) -> bool {
    match local {
        "integer" => is_integer(text),
        "double" => is_double(text),
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

fn is_double(s: &str) -> bool {
    if matches!(s, "INF" | "+INF" | "-INF" | "NaN") {
        return true;
    }
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (a.is_empty() || digits(a))
                && (b.is_empty() || digits(b))
                && !(a.is_empty() && b.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(is_integer)
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
    use super::is_valid;

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
}
