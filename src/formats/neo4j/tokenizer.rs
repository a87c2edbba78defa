//! Reads CSV the way Neo4j's reader does (`BufferedCharSeeker`): a quote is special only at the
//! start of a field, `""` inside quotes is one quote, and with legacy-style quoting `\"` and
//! `\\` inside quotes are escapes too. Each field keeps whether it was quoted (an empty
//! unquoted field is a null, `""` an empty string) and where it starts, for violations.

use std::io::{self, BufRead};

/// One field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPos {
    pub start: usize,
    pub end: usize,
    pub quoted: bool,
    /// 1-based line of the file the field starts on.
    pub line: u64,
}

/// A record: its fields' bytes, unescaped, in one buffer.
#[derive(Debug, Default)]
pub struct Record {
    pub bytes: Vec<u8>,
    pub fields: Vec<FieldPos>,
    /// 1-based line the record starts on.
    pub line: u64,
}

impl Record {
    pub fn field(&self, i: usize) -> &[u8] {
        self.fields
            .get(i)
            .and_then(|f| self.bytes.get(f.start..f.end))
            .unwrap_or(&[])
    }
}

/// A syntax error: the line it was found on and what is wrong.
#[derive(Debug)]
pub struct SyntaxError {
    pub line: u64,
    /// 1-based field index in the record.
    pub column: usize,
    pub message: String,
}

pub enum Next {
    Record,
    Eof,
    Error(SyntaxError),
}

pub struct Tokenizer<R> {
    input: R,
    delimiter: u8,
    legacy: bool,
    multiline: bool,
    line: u64,
    peeked: Option<u8>,
}

impl<R: BufRead> Tokenizer<R> {
    pub fn new(input: R, delimiter: u8, legacy: bool, multiline: bool) -> Self {
        Tokenizer {
            input,
            delimiter,
            legacy,
            multiline,
            line: 1,
            peeked: None,
        }
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        if let Some(b) = self.peeked.take() {
            return Ok(Some(b));
        }
        let buf = self.input.fill_buf()?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        self.input.consume(1);
        Ok(Some(b))
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.peeked.is_none() {
            self.peeked = self.byte()?;
        }
        Ok(self.peeked)
    }

    /// Reads the next record into `rec`. After an error the rest of the line is skipped.
    pub fn next(&mut self, rec: &mut Record) -> io::Result<Next> {
        rec.bytes.clear();
        rec.fields.clear();
        rec.line = self.line;
        if self.peek()?.is_none() {
            return Ok(Next::Eof);
        }
        loop {
            let column = rec.fields.len() + 1;
            let start = rec.bytes.len();
            let line = self.line;
            let mut quoted = false;
            if self.peek()? == Some(b'"') {
                self.peeked = None;
                quoted = true;
                loop {
                    match self.byte()? {
                        None => {
                            return Ok(Next::Error(SyntaxError {
                                line,
                                column,
                                message: "a quoted field is never closed".into(),
                            }));
                        }
                        Some(b'"') => {
                            if self.peek()? == Some(b'"') {
                                self.peeked = None;
                                rec.bytes.push(b'"');
                            } else {
                                break;
                            }
                        }
                        Some(b'\\') if self.legacy => match self.peek()? {
                            Some(n @ (b'"' | b'\\')) => {
                                self.peeked = None;
                                rec.bytes.push(n);
                            }
                            _ => rec.bytes.push(b'\\'),
                        },
                        Some(b @ (b'\n' | b'\r')) => {
                            if !self.multiline {
                                self.skip_line()?;
                                return Ok(Next::Error(SyntaxError {
                                    line,
                                    column,
                                    message: "a value spans lines but import.sh does not pass \
                                              --multiline-fields=true"
                                        .into(),
                                }));
                            }
                            if b == b'\n' {
                                self.line += 1;
                            }
                            rec.bytes.push(b);
                        }
                        Some(b) => rec.bytes.push(b),
                    }
                }
            }
            loop {
                match self.byte()? {
                    None => {
                        // neo4j-admin would take the line as it is, but kb4graph ends every
                        // file with a newline: a value cut short reads as a shorter value.
                        return Ok(Next::Error(SyntaxError {
                            line,
                            column,
                            message: "the file ends inside this line, without the newline \
                                      kb4graph ends every file with: it was cut short"
                                .into(),
                        }));
                    }
                    Some(b) if b == self.delimiter => {
                        rec.fields.push(FieldPos {
                            start,
                            end: rec.bytes.len(),
                            quoted,
                            line,
                        });
                        break;
                    }
                    Some(b @ (b'\n' | b'\r')) => {
                        if b == b'\r' && self.peek()? == Some(b'\n') {
                            self.peeked = None;
                        }
                        self.line += 1;
                        rec.fields.push(FieldPos {
                            start,
                            end: rec.bytes.len(),
                            quoted,
                            line,
                        });
                        return Ok(Next::Record);
                    }
                    Some(b) if quoted => {
                        self.skip_line()?;
                        return Ok(Next::Error(SyntaxError {
                            line,
                            column,
                            message: format!(
                                "{:?} after the closing quote of a field (neo4j-admin: DataAfterQuoteException)",
                                char::from(b)
                            ),
                        }));
                    }
                    Some(b) => rec.bytes.push(b),
                }
            }
        }
    }

    fn skip_line(&mut self) -> io::Result<()> {
        while let Some(b) = self.byte()? {
            if b == b'\n' {
                self.line += 1;
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str, legacy: bool) -> Vec<(String, bool)> {
        let mut t = Tokenizer::new(text.as_bytes(), b',', legacy, true);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while let Next::Record = t.next(&mut rec).unwrap() {
            for (i, f) in rec.fields.iter().enumerate() {
                out.push((String::from_utf8(rec.field(i).to_vec()).unwrap(), f.quoted));
            }
        }
        out
    }

    #[test]
    fn quotes_backslashes_and_nulls_read_as_neo4j_reads_them() {
        let f = fields("a\\\"b,\"\",,\"x\"\"y\nz\"\n", false);
        assert_eq!(
            f,
            [
                ("a\\\"b".into(), false),
                (String::new(), true),
                (String::new(), false),
                ("x\"y\nz".into(), true)
            ]
        );
        let f = fields("\"c:\\\\d\\\"\"\n", true);
        assert_eq!(f, [("c:\\d\"".into(), true)]);
    }
}
