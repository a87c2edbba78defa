//! Parsing the API's datetimes and dates.
//!
//! The API writes `2019-04-02T15:02:38.000Z` and `2021-03-06`. Accepted besides, because
//! other clients met them: a space instead of `T`, lowercase `t`/`z`, 0 to 9 fraction digits, a
//! numeric offset (`+02:00`, `-0500`), no zone at all (read as UTC, the API's only zone), and a
//! bare date where a datetime is expected (midnight UTC). A date field also accepts a datetime
//! at exactly midnight UTC. Anything else does not parse, and the caller reports it.

use crate::timefmt::{MILLIS_PER_DAY, civil_to_days, days_in_month};

/// A parsed datetime: UTC milliseconds, and whether digits below the millisecond were dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub millis: i64,
    pub truncated: bool,
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let slice = self.b.get(self.i..end)?;
        let mut v = 0u32;
        for &c in slice {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i = end;
        Some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

/// `YYYY-MM-DD` at the cursor, as days since the epoch.
fn date_part(c: &mut Cursor<'_>) -> Option<i64> {
    let year = c.digits(4)?;
    if !c.eat(b'-') {
        return None;
    }
    let month = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let day = c.digits(2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(i64::from(year), month) {
        return None;
    }
    Some(civil_to_days(year as i32, month, day))
}

/// Parses a datetime (see the module docs).
pub(crate) fn parse_datetime(text: &str) -> Option<Parsed> {
    let mut c = Cursor {
        b: text.trim().as_bytes(),
        i: 0,
    };
    let days = date_part(&mut c)?;
    if c.done() {
        return Some(Parsed {
            millis: days * MILLIS_PER_DAY,
            truncated: false,
        });
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let hour = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let minute = c.digits(2)?;
    // Seconds are optional in ISO-8601's reduced precision form.
    let second = if c.eat(b':') { c.digits(2)? } else { 0 };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut millis = 0i64;
    let mut truncated = false;
    if c.eat(b'.') || c.eat(b',') {
        let mut n = 0;
        while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
            if n < 3 {
                millis = millis * 10 + i64::from(d - b'0');
            } else if d != b'0' {
                truncated = true;
            }
            n += 1;
            c.i += 1;
        }
        if n == 0 || n > 9 {
            return None;
        }
        for _ in n..3 {
            millis *= 10;
        }
    }
    let offset_minutes: i64 = match c.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            c.i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let h = c.digits(2)?;
            c.eat(b':');
            let m = if c.done() { 0 } else { c.digits(2)? };
            if h > 23 || m > 59 {
                return None;
            }
            let total = i64::from(h * 60 + m);
            if sign == b'+' { total } else { -total }
        }
        Some(_) => return None,
    };
    if !c.done() {
        return None;
    }
    let local = days * MILLIS_PER_DAY
        + i64::from(hour) * 3_600_000
        + i64::from(minute) * 60_000
        + i64::from(second) * 1000
        + millis;
    Some(Parsed {
        millis: local - offset_minutes * 60_000,
        truncated,
    })
}

/// Parses a date, or a datetime at exactly midnight UTC, as days since the epoch.
pub(crate) fn parse_date(text: &str) -> Option<i32> {
    let trimmed = text.trim();
    let mut c = Cursor {
        b: trimmed.as_bytes(),
        i: 0,
    };
    let days = if let Some(days) = date_part(&mut c).filter(|_| c.done()) {
        days
    } else {
        let parsed = parse_datetime(trimmed)?;
        if parsed.truncated || parsed.millis.rem_euclid(MILLIS_PER_DAY) != 0 {
            return None;
        }
        parsed.millis.div_euclid(MILLIS_PER_DAY)
    };
    i32::try_from(days).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timefmt::{format_date, format_datetime_millis};
    use proptest::prelude::*;

    fn dt(s: &str) -> Option<String> {
        parse_datetime(s).map(|p| format_datetime_millis(p.millis))
    }

    #[test]
    fn api_forms_parse_exactly() {
        assert_eq!(
            dt("2019-04-02T15:02:38.000Z").as_deref(),
            Some("2019-04-02T15:02:38.000Z")
        );
        assert_eq!(
            dt("2025-06-27T16:13:50.737Z").as_deref(),
            Some("2025-06-27T16:13:50.737Z")
        );
        assert_eq!(
            dt("2019-04-02T15:02:38Z").as_deref(),
            Some("2019-04-02T15:02:38.000Z")
        );
        assert_eq!(
            dt("2019-04-02 15:02:38.5").as_deref(),
            Some("2019-04-02T15:02:38.500Z")
        );
        assert_eq!(
            dt("2019-04-02T17:02:38.000+02:00").as_deref(),
            Some("2019-04-02T15:02:38.000Z")
        );
        assert_eq!(
            dt("2019-04-02T10:02:38-0500").as_deref(),
            Some("2019-04-02T15:02:38.000Z")
        );
        assert_eq!(
            dt("2021-03-06").as_deref(),
            Some("2021-03-06T00:00:00.000Z")
        );
        let p = parse_datetime("2019-04-02T15:02:38.123456Z").unwrap();
        assert!(p.truncated);
        assert_eq!(format_datetime_millis(p.millis), "2019-04-02T15:02:38.123Z");
        assert!(
            !parse_datetime("2019-04-02T15:02:38.123000Z")
                .unwrap()
                .truncated
        );
    }

    #[test]
    fn nonsense_does_not_parse() {
        for bad in [
            "",
            "yesterday",
            "2019-13-02T00:00:00Z",
            "2019-02-29",
            "2019-04-31T00:00:00Z",
            "2019-04-02T24:00:00Z",
            "2019-04-02T15:02:38.Z",
            "2019-04-02T15:02:38.000Zjunk",
            "19-04-02",
            "2019-04-02T15",
            "２０１９-04-02",
            "1554217358000",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2021-03-06").map(|d| format_date(d.into())),
            Some("2021-03-06".into())
        );
        assert_eq!(
            parse_date("2021-03-06T00:00:00.000Z").map(|d| format_date(d.into())),
            Some("2021-03-06".into())
        );
        assert_eq!(parse_date("2021-03-06T10:00:00.000Z"), None);
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        assert_eq!(parse_date("2100-02-29"), None);
    }

    proptest! {
        #[test]
        fn formatted_datetimes_round_trip(ms in -62_135_596_800_000i64..253_402_300_799_999) {
            let text = format_datetime_millis(ms);
            prop_assert_eq!(parse_datetime(&text), Some(Parsed { millis: ms, truncated: false }));
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = parse_datetime(&s);
            let _ = parse_date(&s);
        }
    }
}
