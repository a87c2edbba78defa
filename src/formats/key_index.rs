//! The keys a reader has seen, to find repeats and resolve references, held as 128-bit
//! digests: 17 bytes a key instead of the key itself (60 bytes and an allocation for most), so
//! that checking the largest exports stays within a few hundred megabytes. Two different keys
//! would need to share 128 bits of SHA-256 to be taken for one. Messages quote the key from the
//! record being read, never from here.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

type KeyDigest = [u8; 16];

fn digest(key: &str) -> KeyDigest {
    let full = Sha256::digest(key.as_bytes());
    let mut short = [0u8; 16];
    short.copy_from_slice(&full[..16]);
    short
}

/// A digest is already uniform: its first eight bytes are its hash.
#[derive(Default)]
struct FirstWord(u64);

impl Hasher for FirstWord {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(word);
    }

    fn write_usize(&mut self, _length_prefix: usize) {}
}

type Build = BuildHasherDefault<FirstWord>;

/// Keys with a tag each (the type of the entity or node).
pub(crate) struct KeyTags<T> {
    map: HashMap<KeyDigest, T, Build>,
}

impl<T> Default for KeyTags<T> {
    fn default() -> Self {
        KeyTags {
            map: HashMap::default(),
        }
    }
}

impl<T: Copy> KeyTags<T> {
    /// Records `key` with `tag`; the tag it had if it was seen before (then kept).
    pub fn insert(&mut self, key: &str, tag: T) -> Option<T> {
        match self.map.entry(digest(key)) {
            std::collections::hash_map::Entry::Occupied(seen) => Some(*seen.get()),
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(tag);
                None
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<T> {
        self.map.get(&digest(key)).copied()
    }
}

/// Keys seen, for uniqueness alone. While keys come in strictly increasing order, as kb4graph
/// writes them, each is new by that alone, and its digest is only appended to a list (16 bytes
/// a key, no table); the first key out of order turns the list into a hash set.
#[derive(Default)]
pub(crate) struct KeySet(Seen);

enum Seen {
    InOrder {
        last: Option<String>,
        seen: Vec<KeyDigest>,
    },
    Hashed(HashSet<KeyDigest, Build>),
}

impl Default for Seen {
    fn default() -> Self {
        Seen::InOrder {
            last: None,
            seen: Vec::new(),
        }
    }
}

impl KeySet {
    /// `false` if `key` was seen before.
    pub fn insert(&mut self, key: &str) -> bool {
        if let Seen::InOrder { last, seen } = &mut self.0 {
            if last.as_deref().is_none_or(|last| last < key) {
                match last {
                    Some(last) => {
                        last.clear();
                        last.push_str(key);
                    }
                    None => *last = Some(key.to_owned()),
                }
                seen.push(digest(key));
                return true;
            }
            let mut set = HashSet::with_capacity_and_hasher(seen.len() + 1, Build::default());
            set.extend(std::mem::take(seen));
            self.0 = Seen::Hashed(set);
        }
        match &mut self.0 {
            Seen::Hashed(set) => set.insert(digest(key)),
            Seen::InOrder { .. } => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_lookups() {
        let mut tags = KeyTags::default();
        assert_eq!(tags.insert("knowbe4:user:1", 1u8), None);
        assert_eq!(tags.insert("knowbe4:user:2", 2), None);
        assert_eq!(tags.insert("knowbe4:user:1", 3), Some(1));
        assert_eq!(tags.get("knowbe4:user:1"), Some(1));
        assert_eq!(tags.get("knowbe4:user:2"), Some(2));
        assert_eq!(tags.get("knowbe4:user:3"), None);
        assert_eq!(tags.get("knowbe4:user:1."), None);
        let mut set = KeySet::default();
        assert!(set.insert("a|has|b"));
        assert!(set.insert("a|has|b."));
        assert!(!set.insert("a|has|b"));
    }

    #[test]
    fn a_repeat_is_found_in_order_and_out_of_it() {
        let mut set = KeySet::default();
        for key in ["a", "b", "c"] {
            assert!(set.insert(key));
        }
        assert!(matches!(set.0, Seen::InOrder { .. }));
        assert!(!set.insert("c"), "a repeat of the last key");
        let mut set = KeySet::default();
        for key in ["a", "b", "c"] {
            assert!(set.insert(key));
        }
        assert!(!set.insert("a"), "a repeat of an earlier key, out of order");
        assert!(set.insert("0"));
        assert!(!set.insert("b"));
        assert!(matches!(set.0, Seen::Hashed(_)));
    }
}
