//! The one modification time every entry of an archive gets.

use std::fs;
use std::path::Path;

use crate::timefmt::civil_to_days;

/// A larger `manifest.json` is not one kb4graph wrote; it does not decide the time.
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// Seconds since the Unix epoch from `dir/manifest.json`: an export's `created_at`, else a
/// snapshot's `finished_at`; 0 when there is no manifest, neither field is a UTC time as
/// kb4graph writes them (`2024-06-30T12:00:00.000Z`), or the time is before 1970.
///
/// The time comes from the content, never from the file system, so archiving the same
/// directory again (or a copy of it) gives the same bytes.
pub(crate) fn manifest_mtime(dir: &Path) -> u64 {
    let path = dir.join(crate::export::MANIFEST_FILE);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return 0;
    };
    if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
        return 0;
    }
    let Ok(bytes) = fs::read(&path) else {
        return 0;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return 0;
    };
    ["created_at", "finished_at"]
        .iter()
        .find_map(|key| json.get(key)?.as_str().and_then(parse_utc_seconds))
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` as whole seconds since the epoch (fraction dropped).
pub(crate) fn parse_utc_seconds(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[b.len() - 1] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = &b[range];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = &b[19..b.len() - 1];
    if !(rest.is_empty()
        || (rest.len() > 1 && rest[0] == b'.' && rest[1..].iter().all(u8::is_ascii_digit)))
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > crate::timefmt::days_in_month(i64::from(year), month)
    {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = civil_to_days(i32::try_from(year).ok()?, month, day);
    let seconds =
        days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    u64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kb4graph_times_parse() {
        assert_eq!(parse_utc_seconds("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            parse_utc_seconds("2024-06-30T12:34:56.789Z"),
            Some(1_719_750_896)
        );
        assert_eq!(
            parse_utc_seconds("2024-02-29T00:00:01Z"),
            Some(1_709_164_801)
        );
    }

    #[test]
    fn other_text_is_not_a_time() {
        for text in [
            "",
            "2024-06-30",
            "2024-06-30T12:34:56.789",
            "2024-06-30T12:34:56.Z",
            "2024-06-30T12:34:56+02:00",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-06-30T24:00:00Z",
            "1969-12-31T23:59:59Z",
            "2024-06-30T12:34:5x.000Z",
            "+024-06-30T12:34:56.000Z",
        ] {
            assert_eq!(parse_utc_seconds(text), None, "{text}");
        }
    }

    #[test]
    fn manifest_decides_the_time() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(manifest_mtime(dir.path()), 0);
        let manifest = dir.path().join("manifest.json");
        fs::write(&manifest, br#"{"finished_at":"1970-01-02T00:00:00.000Z"}"#).unwrap();
        assert_eq!(manifest_mtime(dir.path()), 86_400);
        fs::write(
            &manifest,
            br#"{"created_at":"1970-01-01T00:01:00.000Z","finished_at":"1970-01-02T00:00:00.000Z"}"#,
        )
        .unwrap();
        assert_eq!(manifest_mtime(dir.path()), 60);
        fs::write(&manifest, br#"{"finished_at":null}"#).unwrap();
        assert_eq!(manifest_mtime(dir.path()), 0);
        fs::write(&manifest, b"not json").unwrap();
        assert_eq!(manifest_mtime(dir.path()), 0);
    }
}
