//! How values are spelled in the CSV files, chosen per export so that both of Neo4j's CSV
//! readers take every value back exactly.
//!
//! - Fields are separated by `,`; a field is quoted only when it must be: an empty string
//!   (`""`, so it differs from a null, which is an empty unquoted field), a value starting
//!   with `"`, or one holding `,`, CR or LF. Quotes inside a quoted field are doubled.
//! - `neo4j-admin database import` reads RFC 4180; `LOAD CSV` (with the server's default
//!   `dbms.import.csv.legacy_quote_escaping=true`) also takes `\"` and `\\` inside a quoted
//!   field as escapes. The two agree on every field except a quoted one holding `\"`, `\\` or
//!   ending in `\`. Unquoted fields keep their backslashes in both readers, so values like
//!   `a\"b` are safe; only a value that also needs quotes is a problem. When the graph has such a
//!   value, the whole export switches to [`Quoting::Backslash`]: inside quoted fields every
//!   backslash is doubled too, and `import.sh` passes `--legacy-style-quoting=true`, so both
//!   readers again agree on every value.
//! - neo4j-admin has no escape for the array delimiter, so it is a character no value holds:
//!   `;` if possible, else the first free of [`ARRAY_DELIMITERS`].
//! - `--multiline-fields=true` is passed when (and only when) a value holds CR or LF.

use std::io::{self, Write};

use crate::model::{Graph, ValueRef};

/// The field delimiter.
pub const DELIMITER: char = ',';

/// Array delimiters in order of preference: `;` and `|` read well; the control characters
/// and the private-use characters after them appear in no real text.
pub const ARRAY_DELIMITERS: &[char] = &[
    ';', '|', '\u{1f}', '\u{1e}', '\u{1d}', '\u{1c}', '\u{e000}', '\u{e001}', '\u{e002}',
    '\u{e003}', '\u{e004}', '\u{e005}', '\u{e006}', '\u{e007}', '\u{e008}', '\u{e009}',
];

/// How quoted fields escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// RFC 4180: `""` inside quotes; backslashes are plain characters.
    Rfc4180,
    /// RFC 4180 plus `\\` for each backslash inside quotes (neo4j-admin
    /// `--legacy-style-quoting=true`, LOAD CSV's default).
    Backslash,
}

impl Quoting {
    pub fn name(self) -> &'static str {
        match self {
            Quoting::Rfc4180 => "rfc4180",
            Quoting::Backslash => "backslash",
        }
    }

    pub fn from_name(name: &str) -> Option<Quoting> {
        [Quoting::Rfc4180, Quoting::Backslash]
            .into_iter()
            .find(|q| q.name() == name)
    }
}

/// The spelling of one export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub array_delimiter: char,
    pub quoting: Quoting,
    pub multiline: bool,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            array_delimiter: ';',
            quoting: Quoting::Rfc4180,
            multiline: false,
        }
    }
}

/// What the pre-pass over the graph's strings found.
#[derive(Default)]
struct Scan {
    /// Per [`ARRAY_DELIMITERS`] entry: some value holds it.
    taken: u32,
    multiline: bool,
    backslash: bool,
}

/// Whether a field holding `s` must be quoted (a null is never written quoted).
pub fn needs_quotes(s: &str) -> bool {
    // All three are ASCII, so a byte scan finds them without decoding characters.
    const SPECIAL: [u8; 3] = [DELIMITER as u8, b'\n', b'\r'];
    s.is_empty() || s.starts_with('"') || s.bytes().any(|b| SPECIAL.contains(&b))
}

/// Whether LOAD CSV's backslash escapes would misread `s` inside quotes.
fn backslash_sensitive(s: &str) -> bool {
    s.ends_with('\\') || s.contains("\\\\") || s.contains("\\\"")
}

const LINE_BREAK: u8 = 1;
const NOT_ASCII: u8 = 2;
/// An ASCII array delimiter's entry is this plus its index in [`ARRAY_DELIMITERS`].
const FIRST_DELIMITER: u8 = 3;

/// What each byte is to [`Scan::chars`]: nothing (0), a line break, part of a non-ASCII
/// character, or an ASCII array delimiter.
const ASCII_ROLE: [u8; 256] = {
    let mut role = [0u8; 256];
    let mut b = 0x80;
    while b < 256 {
        role[b] = NOT_ASCII;
        b += 1;
    }
    role[b'\n' as usize] = LINE_BREAK;
    role[b'\r' as usize] = LINE_BREAK;
    let mut i = 0;
    while i < ARRAY_DELIMITERS.len() {
        let d = ARRAY_DELIMITERS[i];
        if d.is_ascii() {
            role[d as usize] = FIRST_DELIMITER + i as u8;
        }
        i += 1;
    }
    role
};

impl Scan {
    /// One pass over the bytes: every string of the graph comes through here.
    fn chars(&mut self, s: &str) {
        let mut wide = false;
        for b in s.bytes() {
            match ASCII_ROLE[usize::from(b)] {
                0 => {}
                LINE_BREAK => self.multiline = true,
                NOT_ASCII => wide = true,
                bit => self.taken |= 1 << (bit - FIRST_DELIMITER),
            }
        }
        if wide {
            for (i, d) in ARRAY_DELIMITERS.iter().enumerate() {
                if !d.is_ascii() && s.contains(*d) {
                    self.taken |= 1 << i;
                }
            }
        }
    }

    fn scalar(&mut self, s: &str) {
        self.chars(s);
        if needs_quotes(s) && backslash_sensitive(s) {
            self.backslash = true;
        }
    }

    fn value(&mut self, v: ValueRef<'_>) {
        match v {
            ValueRef::String(s) => self.scalar(s),
            ValueRef::StringArray(list) => {
                // Joined, the field needs quotes if any item (or the first one's start) does;
                // it is backslash-sensitive if any item is, whatever delimiter joins them.
                let mut quoted = list.is_empty();
                let mut sensitive = false;
                for (i, s) in list.iter().enumerate() {
                    self.chars(s);
                    quoted |= s.contains([DELIMITER, '\n', '\r']) || (i == 0 && s.starts_with('"'));
                    quoted |= list.len() == 1 && s.is_empty();
                    sensitive |= backslash_sensitive(s);
                }
                if quoted && sensitive {
                    self.backslash = true;
                }
            }
            _ => {}
        }
    }
}

/// A graph no dialect can export: neo4j-admin cannot escape the array delimiter, and every
/// candidate occurs in some value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "every candidate array delimiter occurs in some value, so neo4j-admin could not split \
     arrays; report this data to kb4graph"
)]
pub struct NoFreeArrayDelimiter;

/// Chooses the dialect of `graph`'s export with one pass over its strings.
pub fn choose(graph: &Graph) -> Result<Dialect, NoFreeArrayDelimiter> {
    let mut scan = Scan::default();
    let mut keys_quoted = false;
    let mut keys_sensitive = false;
    for e in graph.entities() {
        let key = e.key();
        scan.scalar(key);
        keys_quoted |= needs_quotes(key);
        keys_sensitive |= backslash_sensitive(key) || key.contains('\\');
        for p in e.properties() {
            scan.value(p.value);
        }
    }
    if graph.relationship_count() > 0 {
        // Every relationship `_key` holds `|` (`<from>|has|<to>`).
        scan.chars("|");
    }
    for r in graph.relationships() {
        for p in r.properties() {
            scan.value(p.value);
        }
    }
    // A relationship's `_key` joins two entity keys: it may need quotes when either does and
    // be backslash-sensitive when either holds a backslash, so decide on the keys as a whole.
    if keys_quoted && keys_sensitive {
        scan.backslash = true;
    }
    let index = (0..ARRAY_DELIMITERS.len())
        .find(|i| scan.taken & (1 << i) == 0)
        .ok_or(NoFreeArrayDelimiter)?;
    Ok(Dialect {
        array_delimiter: ARRAY_DELIMITERS[index],
        quoting: if scan.backslash {
            Quoting::Backslash
        } else {
            Quoting::Rfc4180
        },
        multiline: scan.multiline,
    })
}

/// Writes a string field, quoted only when it must be.
pub fn write_str(out: &mut impl Write, s: &str, dialect: &Dialect) -> io::Result<()> {
    if !needs_quotes(s) {
        return out.write_all(s.as_bytes());
    }
    out.write_all(b"\"")?;
    let mut rest = s.as_bytes();
    while let Some(i) = rest.iter().position(|&b| b == b'"' || b == b'\\') {
        out.write_all(&rest[..=i])?;
        if rest[i] == b'"' || dialect.quoting == Quoting::Backslash {
            out.write_all(&rest[i..=i])?;
        }
        rest = &rest[i + 1..];
    }
    out.write_all(rest)?;
    out.write_all(b"\"")
}

/// Writes a value in the spelling of its column's type; `None` (null) as an empty field.
pub fn write_value(
    out: &mut impl Write,
    v: Option<ValueRef<'_>>,
    dialect: &Dialect,
    scratch: &mut String,
) -> io::Result<()> {
    let Some(v) = v else { return Ok(()) };
    match v {
        ValueRef::String(s) => write_str(out, s, dialect),
        ValueRef::Integer(n) => out.write_all(itoa::Buffer::new().format(n).as_bytes()),
        // Rust prints the shortest text that parses back to the same bits.
        ValueRef::Float(x) | ValueRef::Decimal(x) => write!(out, "{x}"),
        ValueRef::Boolean(b) => out.write_all(if b { b"true" } else { b"false" }),
        ValueRef::DateTime(_) | ValueRef::Date(_) => match v.time_text() {
            Some(text) => out.write_all(text.as_str().as_bytes()),
            None => write!(out, "{v}"),
        },
        ValueRef::StringArray(list) => {
            scratch.clear();
            for (i, s) in list.iter().enumerate() {
                if i > 0 {
                    scratch.push(dialect.array_delimiter);
                }
                scratch.push_str(s);
            }
            write_str(out, scratch, dialect)
        }
        ValueRef::IntegerArray(ns) => {
            scratch.clear();
            for (i, n) in ns.iter().enumerate() {
                if i > 0 {
                    scratch.push(dialect.array_delimiter);
                }
                scratch.push_str(itoa::Buffer::new().format(*n));
            }
            write_str(out, scratch, dialect)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(s: &str, quoting: Quoting) -> String {
        let dialect = Dialect {
            quoting,
            ..Dialect::default()
        };
        let mut out = Vec::new();
        write_str(&mut out, s, &dialect).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("plain", Quoting::Rfc4180), "plain");
        assert_eq!(field("a\\\"b", Quoting::Rfc4180), "a\\\"b");
        assert_eq!(field("", Quoting::Rfc4180), "\"\"");
        assert_eq!(field("\"x\", y", Quoting::Rfc4180), "\"\"\"x\"\", y\"");
        assert_eq!(field("a\nb", Quoting::Rfc4180), "\"a\nb\"");
        assert_eq!(
            field("c:\\dir\\, x", Quoting::Backslash),
            "\"c:\\\\dir\\\\, x\""
        );
        assert_eq!(field("back\\slash", Quoting::Backslash), "back\\slash");
    }

    fn graph_with_name(name: &str) -> Graph {
        let mut source = crate::model::MemorySource::new();
        source.add_page("account", &serde_json::json!({"name": name}));
        crate::model::normalize(&source).0
    }

    #[test]
    fn the_array_delimiter_is_one_no_value_holds() {
        let chosen = |name: &str| choose(&graph_with_name(name)).map(|d| d.array_delimiter);
        assert_eq!(chosen("Acme"), Ok(';'));
        let other = chosen("Acme; Inc").unwrap();
        assert!(
            other != ';' && ARRAY_DELIMITERS.contains(&other),
            "{other:?}"
        );
        let every: String = ARRAY_DELIMITERS.iter().collect();
        assert_eq!(chosen(&every), Err(NoFreeArrayDelimiter));
    }
}
