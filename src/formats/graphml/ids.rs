//! Node and edge ids: XML NMTOKENs derived from `_key`s by an escaping that can be undone.
//!
//! ASCII letters, digits, `-`, `.` and `:` stand for themselves; `_` is written `__`; every
//! other byte of the key's UTF-8 (`|`, `@`, spaces, anything beyond ASCII) is written `_XX` in
//! upper-case hex. The result holds only NMTOKEN characters, no `|` or `@` ever reaches an id,
//! and two keys never share an id (the escaping is reversible: see [`decode_id`]).

/// Appends the id of `key` to `out`.
pub fn push_id(out: &mut String, key: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in key.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b':' => out.push(char::from(b)),
            b'_' => out.push_str("__"),
            _ => {
                out.push('_');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
}

/// The id of `key`.
pub fn id(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    push_id(&mut out, key);
    out
}

/// The key an id was made from, or `None` when `id` is not such an escaping.
pub fn decode_id(id: &str) -> Option<String> {
    let bytes = id.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b':' => {
                out.push(bytes[i]);
                i += 1;
            }
            b'_' if bytes.get(i + 1) == Some(&b'_') => {
                out.push(b'_');
                i += 2;
            }
            b'_' => {
                let hex = id.get(i + 1..i + 3)?;
                if !hex
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
                {
                    return None;
                }
                let b = u8::from_str_radix(hex, 16).ok()?;
                // Escaped bytes are exactly those not written as themselves.
                if b.is_ascii_alphanumeric() || b"-.:_".contains(&b) {
                    return None;
                }
                out.push(b);
                i += 3;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_nmtokens_that_decode_to_their_keys() {
        for key in [
            "knowbe4:user:4294967301",
            "knowbe4:account:acme, inc. | \"east\"",
            "knowbe4:training:name:ana@example.com 🌸",
            "a_b__c_7C",
            "knowbe4:group:1|has|knowbe4:user:2",
            "",
        ] {
            let id = id(key);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:_".contains(&b)),
                "{id}"
            );
            assert!(!id.contains('|') && !id.contains('@'));
            assert_eq!(decode_id(&id).as_deref(), Some(key), "{id}");
        }
        assert_eq!(id("knowbe4:user:12"), "knowbe4:user:12");
        assert_eq!(id("a|b"), "a_7Cb");
        assert_eq!(decode_id("a_7"), None);
        assert_eq!(decode_id("a_41"), None);
        assert_eq!(decode_id("a b"), None);
    }
}
