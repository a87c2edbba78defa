//! Deterministic, random-access randomness.
//!
//! Every generated value is a pure function of `(seed, collection tag, index)`, so any record of
//! a huge organisation can be produced on its own, in any order, without holding the others.

/// The splitmix64 finaliser: a cheap bijective mix with good avalanche.
pub const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a tag string, so call sites can name their collection instead of inventing constants.
pub const fn tag(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < b.len() {
        h ^= b[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// One hash of `(seed, tag, index)`.
pub fn hash(seed: u64, tag: u64, index: u64) -> u64 {
    mix(mix(seed ^ mix(tag)) ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// A short stream of values for one record: successive draws are independent.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, tag: u64, index: u64) -> Self {
        Rng(hash(seed, tag, index))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n == 0` gives 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A GUID-shaped string (8-4-4-4-12 lowercase hex) from two random words.
pub fn guid(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0x0FFF,
        0x8000 | (b >> 48) & 0x3FFF,
        b & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_deterministic_and_spreads() {
        assert_eq!(hash(1, tag("users"), 5), hash(1, tag("users"), 5));
        assert_ne!(hash(1, tag("users"), 5), hash(2, tag("users"), 5));
        assert_ne!(hash(1, tag("users"), 5), hash(1, tag("groups"), 5));
        let mut r = Rng::new(7, tag("x"), 0);
        let u = r.unit();
        assert!((0.0..1.0).contains(&u));
        assert_eq!(Rng::new(0, 0, 0).below(0), 0);
    }
}
