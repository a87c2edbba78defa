//! A tiny JSON writer with a fixed field order.
//!
//! Records are written straight into the response buffer in the order the API documents them:
//! no intermediate `serde_json::Value` (whose map would sort keys and cost an allocation per
//! field on pages of 500 records). Strings go through serde_json so escaping is exactly right.

pub struct Obj<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

pub fn string(buf: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail and a &str always serialises.
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// A number with one decimal, the way scores and percentages come from the API.
pub fn float(buf: &mut Vec<u8>, x: f64) {
    let x = if x.is_finite() { x } else { 0.0 };
    let s = format!("{x:.1}");
    buf.extend_from_slice(if s == "-0.0" { b"0.0" } else { s.as_bytes() });
}

pub fn int(buf: &mut Vec<u8>, n: i64) {
    buf.extend_from_slice(n.to_string().as_bytes());
}

/// Writes `[item, item, ...]`.
pub fn array<I, T>(buf: &mut Vec<u8>, items: I, mut each: impl FnMut(&mut Vec<u8>, T))
where
    I: IntoIterator<Item = T>,
{
    buf.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        each(buf, item);
    }
    buf.push(b']');
}

impl<'a> Obj<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        buf.push(b'{');
        Obj { buf, first: true }
    }

    fn key(&mut self, k: &str) -> &mut Vec<u8> {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        string(self.buf, k);
        self.buf.push(b':');
        self.buf
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        let b = self.key(k);
        string(b, v);
        self
    }

    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.null(k),
        }
    }

    pub fn uint(&mut self, k: &str, v: u64) -> &mut Self {
        let b = self.key(k);
        b.extend_from_slice(v.to_string().as_bytes());
        self
    }

    pub fn opt_uint(&mut self, k: &str, v: Option<u64>) -> &mut Self {
        match v {
            Some(v) => self.uint(k, v),
            None => self.null(k),
        }
    }

    pub fn float(&mut self, k: &str, v: f64) -> &mut Self {
        let b = self.key(k);
        float(b, v);
        self
    }

    pub fn opt_float(&mut self, k: &str, v: Option<f64>) -> &mut Self {
        match v {
            Some(v) => self.float(k, v),
            None => self.null(k),
        }
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        let b = self.key(k);
        b.extend_from_slice(if v { b"true" } else { b"false" });
        self
    }

    pub fn null(&mut self, k: &str) -> &mut Self {
        let b = self.key(k);
        b.extend_from_slice(b"null");
        self
    }

    /// A value written by the caller (nested object or array).
    pub fn with(&mut self, k: &str, write: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        let b = self.key(k);
        write(b);
        self
    }

    pub fn end(&mut self) {
        self.buf.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json_in_order() {
        let mut b = Vec::new();
        Obj::new(&mut b)
            .uint("z", 5)
            .str("a", "q\"\n\u{7}é")
            .null("n")
            .float("f", -0.01)
            .with("arr", |b| array(b, [1, 2], int))
            .end();
        let s = String::from_utf8(b).unwrap();
        assert_eq!(
            s,
            r#"{"z":5,"a":"q\"\n\u0007é","n":null,"f":0.0,"arr":[1,2]}"#
        );
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "q\"\n\u{7}é");
    }
}
