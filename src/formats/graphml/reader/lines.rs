//! A buffered reader that knows the line and column of what it has handed out, so problems in
//! a file of millions of lines can say where they are without keeping or re-reading the file.

use std::io::{self, BufRead, Read};

use crate::formats::problems::Location;

pub struct LineReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    cap: usize,
    /// Bytes consumed so far.
    offset: u64,
    /// Lines completed (line feeds consumed).
    lines: u64,
    /// Offset just after the last line feed consumed.
    line_start: u64,
}

/// A place in the file, 1-based; the column counts bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl Position {
    /// The position as problems carry it. The column stays a byte count, as `validate` has
    /// always shown it for GraphML.
    pub fn location(self) -> Location {
        Location::Text {
            line: self.line,
            column: self.column,
        }
    }
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> LineReader<R> {
        LineReader {
            inner,
            buf: vec![0; 1 << 16].into_boxed_slice(),
            pos: 0,
            cap: 0,
            offset: 0,
            lines: 0,
            line_start: 0,
        }
    }

    /// Where the next byte to be consumed is.
    pub fn position(&self) -> Position {
        Position {
            line: self.lines + 1,
            column: self.offset - self.line_start + 1,
        }
    }
}

impl<R: Read> Read for LineReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for LineReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.cap {
            self.cap = self.inner.read(&mut self.buf)?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.cap])
    }

    fn consume(&mut self, amt: usize) {
        let end = (self.pos + amt).min(self.cap);
        let consumed = &self.buf[self.pos..end];
        if let Some(last) = consumed.iter().rposition(|&b| b == b'\n') {
            self.lines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
            self.line_start = self.offset + last as u64 + 1;
        }
        self.offset += (end - self.pos) as u64;
        self.pos = end;
    }
}
