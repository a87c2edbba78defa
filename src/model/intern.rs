//! String storage: one arena per graph, strings addressed by `u32` ids.
//!
//! A large account repeats the same few hundred thousand strings (names, e-mail addresses,
//! statuses, templates) across millions of records; each is stored once. The arena is one
//! buffer plus one offset per string, so a string costs its bytes and eight more, with no
//! allocation of its own. The hash index exists only while normalizing.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Append-only strings, addressed by id in insertion order.
#[derive(Debug, Default, Clone)]
pub(crate) struct StrArena {
    bytes: String,
    /// `ends[i]` is where string `i` ends; it starts where `i - 1` ends.
    ends: Vec<u64>,
}

impl StrArena {
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `None` once `u32` ids run out (no real account comes near).
    pub fn push(&mut self, s: &str) -> Option<u32> {
        let id = u32::try_from(self.ends.len()).ok()?;
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len() as u64);
        Some(id)
    }

    /// The string with id `id`; empty for an id this arena never gave out.
    pub fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = match i.checked_sub(1) {
            Some(prev) => self.ends.get(prev).copied().unwrap_or(0) as usize,
            None => 0,
        };
        self.bytes.get(start..end).unwrap_or("")
    }

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8
    }
}

/// Passes an already computed 64-bit hash through: the index is keyed by string hashes.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Strings (field names) fold in a word at a time, FxHash style: short keys, no attacker.
        self.0 = fold_words(self.0, bytes);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write_i64(&mut self, n: i64) {
        // Ids are spread well enough once multiplied; a raw id would cluster in the table.
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdentityHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// Folds `bytes` into `h` eight at a time (the last word zero-padded), FxHash style.
fn fold_words(mut h: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(SEED);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(SEED);
    }
    h
}

/// A word-at-a-time hash of the string and its length, with a final avalanche: stable across
/// runs and platforms. Every string of every record is hashed, so it must be cheap.
fn hash_str(s: &str) -> u64 {
    let mut h = fold_words((s.len() as u64).wrapping_mul(SEED), s.as_bytes());
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Deduplicating strings while normalizing; [`Interner::finish`] keeps only the arena.
#[derive(Default)]
pub(crate) struct Interner {
    arena: StrArena,
    /// String hash -> the first id with that hash.
    index: IdMap<u64, u32>,
    /// Further ids whose strings share a hash with another (64-bit collisions: practically never).
    collisions: IdMap<u64, Vec<u32>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Option<u32> {
        let h = hash_str(s);
        match self.index.get(&h) {
            None => {
                let id = self.arena.push(s)?;
                self.index.insert(h, id);
                Some(id)
            }
            Some(&id) if self.arena.get(id) == s => Some(id),
            Some(_) => {
                if let Some(&id) = self
                    .collisions
                    .get(&h)
                    .and_then(|ids| ids.iter().find(|&&id| self.arena.get(id) == s))
                {
                    return Some(id);
                }
                let id = self.arena.push(s)?;
                self.collisions.entry(h).or_default().push(id);
                Some(id)
            }
        }
    }

    pub fn get(&self, id: u32) -> &str {
        self.arena.get(id)
    }

    pub fn finish(self) -> StrArena {
        let mut arena = self.arena;
        arena.shrink_to_fit();
        arena
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_dedupes_and_resolves() {
        let mut i = Interner::default();
        let a = i.intern("alpha").unwrap();
        let b = i.intern("").unwrap();
        let c = i.intern("alpha").unwrap();
        let d = i.intern("שלום 🌸\u{7}").unwrap();
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!(i.get(b), "");
        assert_eq!(i.get(d), "שלום 🌸\u{7}");
        let arena = i.finish();
        assert_eq!(arena.len(), 3);
        assert_eq!(arena.get(a), "alpha");
        assert_eq!(arena.get(99), "");
    }

    #[test]
    fn colliding_hashes_stay_distinct() {
        let mut i = Interner::default();
        // Force a collision by planting a different string under "b"'s hash.
        let x = i.arena.push("not b").unwrap();
        i.index.insert(hash_str("b"), x);
        let b = i.intern("b").unwrap();
        assert_ne!(b, x);
        assert_eq!(i.intern("b"), Some(b));
        assert_eq!(i.get(b), "b");
    }
}
