//! XML 1.0 text: escaping, and replacement of the characters XML 1.0 cannot carry.
//!
//! XML 1.0 allows tab, line feed, carriage return and everything from U+0020 except the
//! surrogates (which Rust strings never hold), U+FFFE and U+FFFF. Other C0 controls (BEL, ESC
//! and the like, which the API does return) cannot be written at all, not even as character
//! references, so they become U+FFFD REPLACEMENT CHARACTER; the caller warns about it. A carriage
//! return is written `&#13;` because parsers turn a literal CR LF into LF.

use std::io::{self, Write};

/// The replacement for characters XML 1.0 forbids.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether XML 1.0 can carry `c`.
pub const fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` as XML 1.0 reads it back from what [`write_text`] writes.
pub fn sanitized(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        s.into()
    } else {
        s.chars()
            .map(|c| if is_xml_char(c) { c } else { REPLACEMENT })
            .collect::<String>()
            .into()
    }
}

/// Writes `s` as element content; returns how many characters were replaced.
pub fn write_text(out: &mut impl Write, s: &str) -> io::Result<usize> {
    write_escaped(out, s, false)
}

/// Writes `s` as the content of a double-quoted attribute; returns how many characters were
/// replaced. Tabs and line breaks are written as references, which attribute-value
/// normalisation leaves alone.
pub fn write_attr(out: &mut impl Write, s: &str) -> io::Result<usize> {
    write_escaped(out, s, true)
}

fn write_escaped(out: &mut impl Write, s: &str, attr: bool) -> io::Result<usize> {
    let bytes = s.as_bytes();
    let mut replaced = 0;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (escape, len): (&[u8], usize) = match b {
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'&' => (b"&amp;", 1),
            b'\r' => (b"&#13;", 1),
            b'"' if attr => (b"&quot;", 1),
            b'\n' if attr => (b"&#10;", 1),
            b'\t' if attr => (b"&#9;", 1),
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..=0x1f => {
                replaced += 1;
                ("\u{FFFD}".as_bytes(), 1)
            }
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                replaced += 1;
                ("\u{FFFD}".as_bytes(), 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(escape)?;
        i += len;
        start = i;
    }
    out.write_all(&bytes[start..])?;
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> (String, usize) {
        let mut out = Vec::new();
        let n = write_text(&mut out, s).unwrap();
        (String::from_utf8(out).unwrap(), n)
    }

    #[test]
    fn markup_and_forbidden_characters_are_escaped_or_replaced() {
        assert_eq!(text("a<b>&c\"'"), ("a&lt;b&gt;&amp;c\"'".to_owned(), 0));
        assert_eq!(text("x\r\ny\tz"), ("x&#13;\ny\tz".to_owned(), 0));
        assert_eq!(
            text("\u{7}\u{1b}[0m\u{0}\u{FFFE}\u{FFFF}\u{FFFD}é🎣"),
            (
                "\u{FFFD}\u{FFFD}[0m\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}é🎣".to_owned(),
                5
            )
        );
        assert_eq!(
            sanitized("\u{7}\u{FFFF}ok"),
            "\u{FFFD}\u{FFFD}ok".to_owned()
        );
        let mut out = Vec::new();
        write_attr(&mut out, "a\"b\n\tc").unwrap();
        assert_eq!(out, b"a&quot;b&#10;&#9;c");
    }
}
