//! UTC calendar arithmetic and ISO-8601 formatting.
//!
//! The API speaks UTC only (`2019-04-02T15:02:38.000Z`, `2021-03-06`), and manifests record
//! times the same way, so a proleptic Gregorian conversion is all that is needed; a calendar
//! crate would add time zones and locale data nobody here uses.

use std::time::{SystemTime, UNIX_EPOCH};

pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// Days in `month` (1-12) of `year` (proleptic Gregorian); 0 for a month that does not exist.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Converts days since 1970-01-01 to (year, month 1-12, day 1-31).
///
/// Howard Hinnant's `civil_from_days`: exact for every `i64` day count that fits an `i32` year.
pub fn days_to_civil(days_since_epoch: i64) -> (i32, u32, u32) {
    let z = days_since_epoch + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// Converts a civil date to days since 1970-01-01 (inverse of [`days_to_civil`]).
pub fn civil_to_days(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_datetime_millis(unix_millis: i64) -> String {
    datetime_text(unix_millis).as_str().to_owned()
}

/// Formats days since the Unix epoch as `YYYY-MM-DD`.
pub fn format_date(days_since_epoch: i64) -> String {
    date_text(days_since_epoch).as_str().to_owned()
}

/// A datetime or date as text, on the stack: writers spell millions of them.
#[derive(Clone, Copy)]
pub struct TimeText {
    bytes: [u8; 40],
    len: usize,
}

impl TimeText {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, `-`, `T`, `:`, `.` and `Z` are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// `n` (0 ≤ n < 10^width) zero-padded to `width` digits.
    fn digits(&mut self, n: u32, width: u32) {
        for place in (0..width).rev() {
            self.push(b'0' + (n / 10u32.pow(place) % 10) as u8);
        }
    }

    /// A year as `{y:04}` spells it: at least four characters, the sign of a negative year
    /// among them.
    fn year(&mut self, year: i32) {
        if (0..10_000).contains(&year) {
            self.digits(year as u32, 4);
        } else {
            let abs = year.unsigned_abs();
            let mut width = abs.checked_ilog10().map_or(1, |l| l + 1);
            if year < 0 {
                self.push(b'-');
                width = width.max(3);
            } else {
                width = width.max(4);
            }
            self.digits_wide(abs, width);
        }
    }

    fn digits_wide(&mut self, n: u32, width: u32) {
        for place in (0..width).rev() {
            let scale = 10u64.pow(place);
            self.push(b'0' + (u64::from(n) / scale % 10) as u8);
        }
    }
}

/// Milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn datetime_text(unix_millis: i64) -> TimeText {
    let days = unix_millis.div_euclid(MILLIS_PER_DAY);
    let ms_of_day = unix_millis.rem_euclid(MILLIS_PER_DAY) as u32;
    let mut text = date_text(days);
    let secs = ms_of_day / 1000;
    text.push(b'T');
    text.digits(secs / 3600, 2);
    text.push(b':');
    text.digits((secs / 60) % 60, 2);
    text.push(b':');
    text.digits(secs % 60, 2);
    text.push(b'.');
    text.digits(ms_of_day % 1000, 3);
    text.push(b'Z');
    text
}

/// Days since the Unix epoch as `YYYY-MM-DD`.
pub fn date_text(days_since_epoch: i64) -> TimeText {
    let (y, mo, d) = days_to_civil(days_since_epoch);
    let mut text = TimeText {
        bytes: [0; 40],
        len: 0,
    };
    text.year(y);
    text.push(b'-');
    text.digits(mo, 2);
    text.push(b'-');
    text.digits(d, 2);
    text
}

/// `[-]YYYY-MM-DD` (four or more year digits) as days since the epoch, not yet checked to be
/// a real day.
fn civil_days(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let mut parts = body.splitn(3, '-');
    let mut number = |max_len: usize| -> Option<i64> {
        let part = parts.next()?;
        if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = number(10)?;
    let month = u32::try_from(number(2)?).ok()?;
    let day = u32::try_from(number(2)?).ok()?;
    let year = i32::try_from(if negative { -year } else { year }).ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(civil_to_days(year, month, day))
}

/// A date as the exporters write it ([`format_date`]), as days since the epoch. Only the
/// canonical spelling is taken: formatting the result must give `text` back, so a day that
/// does not exist (`2023-02-29`) or an unpadded field is refused.
pub fn parse_date(text: &str) -> Option<i32> {
    let days = civil_days(text)?;
    let short = i32::try_from(days).ok()?;
    (format_date(days) == text).then_some(short)
}

/// A datetime as the exporters write it ([`format_datetime_millis`]:
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, years outside 0000-9999 with more digits or a sign), as UTC
/// milliseconds since the epoch. Only the canonical spelling is taken.
pub fn parse_datetime_millis(text: &str) -> Option<i64> {
    // The date may start with `-`; the time holds none, so split at the `T`.
    let (date, time) = text.split_once('T')?;
    let days = civil_days(date)?;
    let time = time.strip_suffix('Z')?;
    let (hms, millis) = time.split_once('.')?;
    let field = |s: &str, len: usize| -> Option<i64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut parts = hms.split(':');
    let hour = field(parts.next()?, 2)?;
    let minute = field(parts.next()?, 2)?;
    let second = field(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    let millis = field(millis, 3)?;
    let total = days
        .checked_mul(MILLIS_PER_DAY)?
        .checked_add(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)?;
    (format_datetime_millis(total) == text).then_some(total)
}

/// Milliseconds since the Unix epoch (negative before it).
pub fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Formats a system time as RFC 3339 UTC with milliseconds, e.g. `2026-11-21T03:22:54.123Z`.
pub fn format_system_time(t: SystemTime) -> String {
    format_datetime_millis(unix_millis(t))
}

/// The UTC day (days since the Unix epoch) that `t` falls on: the unit of the API's daily quota.
pub fn utc_day_of(t: SystemTime) -> i64 {
    unix_millis(t).div_euclid(MILLIS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `format!` spells, which the stack formatting must equal for every value.
    fn spelled_by_format(unix_millis: i64) -> String {
        let days = unix_millis.div_euclid(MILLIS_PER_DAY);
        let ms_of_day = unix_millis.rem_euclid(MILLIS_PER_DAY);
        let (y, mo, d) = days_to_civil(days);
        let secs = ms_of_day / 1000;
        format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            ms_of_day % 1000
        )
    }

    proptest::proptest! {
        #[test]
        fn datetimes_are_spelled_as_format_spells_them(
            ms in proptest::prop_oneof![
                -62_135_596_800_000i64..253_402_300_800_000,
                // Years of more than four digits, and before year 0.
                (i32::MIN as i64 / 366 * MILLIS_PER_DAY)..(i32::MAX as i64 / 366 * MILLIS_PER_DAY),
            ]
        ) {
            let text = datetime_text(ms);
            proptest::prop_assert_eq!(text.as_str(), spelled_by_format(ms));
        }
    }

    #[test]
    fn edge_years_are_spelled_as_format_spells_them() {
        for year in [
            -10_000, -9_999, -1, 0, 1, 999, 9_999, 10_000, 123_456, 5_000_000,
        ] {
            let days = civil_to_days(year, 2, 28);
            let ms = days * MILLIS_PER_DAY + 3_723_004;
            assert_eq!(datetime_text(ms).as_str(), spelled_by_format(ms), "{year}");
            let (y, m, d) = days_to_civil(days);
            assert_eq!(date_text(days).as_str(), format!("{y:04}-{m:02}-{d:02}"));
        }
    }

    #[test]
    fn datetimes_and_dates_read_exactly_what_the_exporters_write() {
        for ms in [
            0,
            -1,
            1_554_217_358_123,
            // Years 10000 and -1: offsets can carry an API datetime past four digits.
            253_402_300_800_000,
            -62_167_219_200_001,
        ] {
            let text = format_datetime_millis(ms);
            assert_eq!(parse_datetime_millis(&text), Some(ms), "{text}");
        }
        for days in [0, -1, 19_782, 2_932_897, -719_529] {
            let text = format_date(i64::from(days));
            assert_eq!(parse_date(&text), Some(days), "{text}");
        }
        for bad in [
            "2023-02-29",
            "2024-1-01",
            "+2024-01-01",
            "2024-01-01T00:00:00.000Z",
            "",
            "-",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in [
            "2024-01-01T00:00:00Z",
            "2024-01-01T24:00:00.000Z",
            "2024-01-01T00:00:00.000+01:00",
            "2024-01-01 00:00:00.000Z",
            "2024-01-01T00:00:60.000Z",
            "99999999999-01-01T00:00:00.000Z",
        ] {
            assert_eq!(parse_datetime_millis(bad), None, "{bad}");
        }
    }
    use proptest::prelude::*;
    use std::time::Duration;

    #[test]
    fn known_dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(civil_to_days(2000, 2, 29)), "2000-02-29");
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(
            format_datetime_millis(1_554_217_358_000),
            "2019-04-02T15:02:38.000Z"
        );
        assert_eq!(
            format_datetime_millis(-1),
            "1969-12-31T23:59:59.999Z",
            "times before the epoch round towards the past"
        );
    }

    #[test]
    fn system_time_formatting() {
        let t = UNIX_EPOCH + Duration::from_millis(1_554_217_358_123);
        assert_eq!(format_system_time(t), "2019-04-02T15:02:38.123Z");
        assert_eq!(utc_day_of(t), civil_to_days(2019, 4, 2));
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = days_to_civil(days);
            prop_assert!((1..=12).contains(&m));
            prop_assert!((1..=31).contains(&d));
            prop_assert_eq!(civil_to_days(y, m, d), days);
        }
    }
}
