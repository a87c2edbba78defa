//! Values and keys as one-line text for the table report.
//!
//! Values print as [`crate::model::ValueRef`] displays them (strings verbatim, datetimes and
//! dates in ISO form, arrays as JSON); an empty string prints as `""`. Text from the data is
//! then made safe for a terminal line: backslash, control characters (C0, DEL, C1), line and
//! paragraph separators and bidirectional controls are written as escapes (`\\`, `\n`, `\r`,
//! `\t`, else `\u{XXXX}`), so one record is one line and nothing reorders or recolours it; text
//! longer than [`MAX_CHARS`] characters is cut, with `...(N more chars)` saying how much.

use crate::model::Value;
use crate::model::canonical::value_json;
use crate::timefmt::{format_date, format_datetime_millis};

/// Characters of one value (after escaping) shown before it is cut.
pub const MAX_CHARS: usize = 200;

/// A value as the table shows it: displayed, escaped and cut.
pub fn value(value: &Value) -> String {
    let shown = match value {
        Value::String(s) if s.is_empty() => return "\"\"".to_owned(),
        Value::String(s) => return escape(s),
        Value::Integer(n) => n.to_string(),
        Value::Float(x) | Value::Decimal(x) => x.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::DateTime(ms) => format_datetime_millis(*ms),
        Value::Date(d) => format_date(i64::from(*d)),
        Value::StringArray(_) | Value::IntegerArray(_) => value_json(value).to_string(),
    };
    escape(&shown)
}

/// Text from the data (a key, a type or property name, a value), escaped and cut.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 2));
    for (shown, (at, c)) in text.char_indices().enumerate() {
        if shown >= MAX_CHARS {
            let rest = text[at..].chars().count();
            out.push_str(&format!("...({rest} more chars)"));
            return out;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{2028}' | '\u{2029}'
            // Bidirectional embeddings, overrides and isolates, and the marks.
            | '\u{200E}' | '\u{200F}' | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_layout_characters_are_escaped() {
        assert_eq!(
            escape("a\nb\r\tc\\d\u{0}\u{1b}[31m\u{85}\u{2028}\u{202e}x"),
            "a\\nb\\r\\tc\\\\d\\u{0000}\\u{001B}[31m\\u{0085}\\u{2028}\\u{202E}x"
        );
        assert_eq!(escape("emoji 🎣 مرحبا"), "emoji 🎣 مرحبا");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_CHARS + 5);
        let shown = escape(&long);
        assert_eq!(shown, format!("{}...(5 more chars)", "é".repeat(MAX_CHARS)));
        assert_eq!(escape(&"x".repeat(MAX_CHARS)), "x".repeat(MAX_CHARS));
    }

    #[test]
    fn values_display_like_the_exports() {
        assert_eq!(value(&Value::String(String::new())), "\"\"");
        assert_eq!(value(&Value::DateTime(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(value(&Value::Date(1)), "1970-01-02");
        assert_eq!(value(&Value::Float(4.5)), "4.5");
        assert_eq!(
            value(&Value::StringArray(vec!["a\"".into(), "b".into()])),
            "[\"a\\\\\"\",\"b\"]"
        );
        assert_eq!(value(&Value::IntegerArray(vec![1, 2])), "[1,2]");
    }
}
