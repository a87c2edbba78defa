//! Compact property storage.
//!
//! A property is built and read as a [`Prop`]: which property it is (its index in the type's
//! table, or an extra property's name id), a type tag and a 64-bit payload. The store keeps each
//! in eight bytes ([`Packed`]): most payloads (string ids, dates, booleans, ids, datetimes
//! between 1831 and 2109, short arrays) fit in 43 bits, and the rest move to a pool of whole
//! words. On the largest accounts the store is most of the graph, and this keeps it a third
//! smaller than twelve bytes a property would.
//! Strings are arena ids; arrays live in two shared pools. Each entity or relationship owns a
//! contiguous [`Span`] of properties, sorted in output order. Null values are never stored.

use super::intern::StrArena;
use super::value::{StrList, ValueRef};

/// Set on the slot of an extra (unknown API field) property; the rest is its name id.
pub(crate) const EXTRA: u16 = 0x8000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Tag {
    String,
    Integer,
    Float,
    Decimal,
    Boolean,
    DateTime,
    Date,
    StringArray,
    IntegerArray,
}

impl Tag {
    const ALL: [Tag; 9] = [
        Tag::String,
        Tag::Integer,
        Tag::Float,
        Tag::Decimal,
        Tag::Boolean,
        Tag::DateTime,
        Tag::Date,
        Tag::StringArray,
        Tag::IntegerArray,
    ];

    /// Whether the payload is a signed number, whose inline form must sign-extend back.
    fn signed(self) -> bool {
        matches!(self, Tag::Integer | Tag::DateTime | Tag::Date)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Prop {
    pub slot: u16,
    pub tag: Tag,
    a: u32,
    b: u32,
}

const _: () = assert!(std::mem::size_of::<Prop>() == 12);
const _: () = assert!(std::mem::size_of::<Span>() == 6);

impl Prop {
    fn split(slot: u16, tag: Tag, v: u64) -> Prop {
        Prop {
            slot,
            tag,
            a: v as u32,
            b: (v >> 32) as u32,
        }
    }

    fn wide(&self) -> u64 {
        u64::from(self.a) | (u64::from(self.b) << 32)
    }

    pub fn string(slot: u16, id: u32) -> Prop {
        Prop {
            slot,
            tag: Tag::String,
            a: id,
            b: 0,
        }
    }

    pub fn integer(slot: u16, n: i64) -> Prop {
        Prop::split(slot, Tag::Integer, n as u64)
    }

    pub fn float(slot: u16, x: f64) -> Prop {
        Prop::split(slot, Tag::Float, x.to_bits())
    }

    pub fn decimal(slot: u16, x: f64) -> Prop {
        Prop::split(slot, Tag::Decimal, x.to_bits())
    }

    pub fn boolean(slot: u16, b: bool) -> Prop {
        Prop {
            slot,
            tag: Tag::Boolean,
            a: u32::from(b),
            b: 0,
        }
    }

    pub fn datetime(slot: u16, millis: i64) -> Prop {
        Prop::split(slot, Tag::DateTime, millis as u64)
    }

    pub fn date(slot: u16, days: i32) -> Prop {
        Prop {
            slot,
            tag: Tag::Date,
            a: days as u32,
            b: 0,
        }
    }

    pub fn is_extra(&self) -> bool {
        self.slot & EXTRA != 0
    }

    pub fn as_string_id(&self) -> Option<u32> {
        (self.tag == Tag::String).then_some(self.a)
    }

    pub fn as_date(&self) -> Option<i32> {
        (self.tag == Tag::Date).then_some(self.a as i32)
    }

    pub fn as_integer(&self) -> Option<i64> {
        (self.tag == Tag::Integer).then(|| self.wide() as i64)
    }

    /// UTC milliseconds since the epoch.
    pub fn as_datetime(&self) -> Option<i64> {
        (self.tag == Tag::DateTime).then(|| self.wide() as i64)
    }
}

/// A contiguous run of properties in a [`PropStore`]. Packed to six bytes, so that the
/// entity and relationship records holding one stay at 12 and 16 bytes: there are millions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, packed(2))]
pub(crate) struct Span {
    pub start: u32,
    pub len: u16,
}

/// A [`Prop`] in eight bytes: slot (16 bits), tag (4), whether the payload is in the pool
/// (1), then the payload inline (43 bits) or its index in [`PropStore::wide`].
#[derive(Debug, Clone, Copy)]
struct Packed(u64);

const INLINE_BITS: u32 = 43;
const SPILLED: u64 = 1 << 20;

#[derive(Debug, Default)]
pub(crate) struct PropStore {
    props: Vec<Packed>,
    /// Payloads that do not fit inline.
    wide: Vec<u64>,
    str_lists: Vec<u32>,
    int_lists: Vec<i64>,
}

impl PropStore {
    /// `None` once the pool of wide payloads is past `u32` indices.
    fn pack(&mut self, p: &Prop) -> Option<Packed> {
        let head = u64::from(p.slot) | (u64::from(p.tag as u8) << 16);
        let w = p.wide();
        let fits = if p.tag.signed() {
            let n = w as i64;
            (n << (64 - INLINE_BITS)) >> (64 - INLINE_BITS) == n
        } else {
            w >> INLINE_BITS == 0
        };
        if fits {
            return Some(Packed(head | (w << 21)));
        }
        let index = u32::try_from(self.wide.len()).ok()?;
        self.wide.push(w);
        Some(Packed(head | SPILLED | (u64::from(index) << 21)))
    }

    fn unpack(&self, packed: Packed) -> Prop {
        let v = packed.0;
        let slot = v as u16;
        let tag = Tag::ALL[((v >> 16) & 0xf) as usize % Tag::ALL.len()];
        let w = if v & SPILLED != 0 {
            self.wide.get((v >> 21) as usize).copied().unwrap_or(0)
        } else if tag.signed() {
            ((v as i64) >> 21) as u64
        } else {
            v >> 21
        };
        Prop::split(slot, tag, w)
    }

    pub fn string_array(&mut self, slot: u16, ids: &[u32]) -> Option<Prop> {
        let start = u32::try_from(self.str_lists.len()).ok()?;
        let len = u32::try_from(ids.len()).ok()?;
        start.checked_add(len)?;
        self.str_lists.extend_from_slice(ids);
        Some(Prop {
            slot,
            tag: Tag::StringArray,
            a: start,
            b: len,
        })
    }

    pub fn integer_array(&mut self, slot: u16, ns: &[i64]) -> Option<Prop> {
        let start = u32::try_from(self.int_lists.len()).ok()?;
        let len = u32::try_from(ns.len()).ok()?;
        start.checked_add(len)?;
        self.int_lists.extend_from_slice(ns);
        Some(Prop {
            slot,
            tag: Tag::IntegerArray,
            a: start,
            b: len,
        })
    }

    /// Appends properties already in output order. `None` if the store is full (past 4G
    /// properties) or there are more than 65535 of them.
    pub fn append(&mut self, props: &[Prop]) -> Option<Span> {
        let start = u32::try_from(self.props.len()).ok()?;
        let len = u16::try_from(props.len()).ok()?;
        start.checked_add(u32::from(len))?;
        self.props.reserve(props.len());
        for p in props {
            let packed = self.pack(p)?;
            self.props.push(packed);
        }
        Some(Span { start, len })
    }

    /// The properties of `span`, in output order.
    pub fn get(&self, span: Span) -> impl ExactSizeIterator<Item = Prop> + '_ {
        let start = span.start as usize;
        self.props
            .get(start..start + usize::from(span.len))
            .unwrap_or(&[])
            .iter()
            .map(|&packed| self.unpack(packed))
    }

    pub fn int_list(&self, p: &Prop) -> &[i64] {
        if p.tag != Tag::IntegerArray {
            return &[];
        }
        let start = p.a as usize;
        self.int_lists
            .get(start..start + p.b as usize)
            .unwrap_or(&[])
    }

    pub fn str_list(&self, p: &Prop) -> &[u32] {
        if p.tag != Tag::StringArray {
            return &[];
        }
        let start = p.a as usize;
        self.str_lists
            .get(start..start + p.b as usize)
            .unwrap_or(&[])
    }

    pub fn value<'g>(&'g self, p: &Prop, strings: &'g StrArena) -> ValueRef<'g> {
        match p.tag {
            Tag::String => ValueRef::String(strings.get(p.a)),
            Tag::Integer => ValueRef::Integer(p.wide() as i64),
            Tag::Float => ValueRef::Float(f64::from_bits(p.wide())),
            Tag::Decimal => ValueRef::Decimal(f64::from_bits(p.wide())),
            Tag::Boolean => ValueRef::Boolean(p.a != 0),
            Tag::DateTime => ValueRef::DateTime(p.wide() as i64),
            Tag::Date => ValueRef::Date(p.a as i32),
            Tag::StringArray => ValueRef::StringArray(StrList {
                ids: self.str_list(p),
                strings,
            }),
            Tag::IntegerArray => ValueRef::IntegerArray(self.int_list(p)),
        }
    }

    pub fn shrink_to_fit(&mut self) {
        self.props.shrink_to_fit();
        self.wide.shrink_to_fit();
        self.str_lists.shrink_to_fit();
        self.int_lists.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.props.capacity() * std::mem::size_of::<Packed>()
            + self.wide.capacity() * 8
            + self.str_lists.capacity() * 4
            + self.int_lists.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn same(a: &Prop, b: &Prop) -> bool {
        a.slot == b.slot && a.tag == b.tag && a.wide() == b.wide()
    }

    fn any_prop() -> impl Strategy<Value = Prop> {
        // Payloads near the 43-bit edge, where a value moves between inline and the pool.
        let edge = prop_oneof![
            any::<i64>(),
            (-(1i64 << 42) - 3..-(1i64 << 42) + 3),
            ((1i64 << 42) - 3..(1i64 << 42) + 3),
            ((1i64 << 43) - 3..(1i64 << 43) + 3),
            Just(i64::MIN),
            Just(i64::MAX),
        ];
        (any::<u16>(), 0usize..Tag::ALL.len(), edge)
            .prop_map(|(slot, tag, v)| Prop::split(slot, Tag::ALL[tag], v as u64))
    }

    #[test]
    fn typical_values_stay_inline() {
        let mut store = PropStore::default();
        let props = [
            Prop::string(3, u32::MAX),
            Prop::integer(4, -(1 << 42)),
            Prop::datetime(5, 4_102_444_800_000), // 2100-01-01
            Prop::date(6, i32::MIN),
            Prop::boolean(EXTRA | 7, true),
        ];
        let span = store.append(&props).unwrap();
        assert!(store.wide.is_empty());
        let back: Vec<Prop> = store.get(span).collect();
        assert!(props.iter().zip(&back).all(|(a, b)| same(a, b)));
        let far = [Prop::datetime(1, 4_500_000_000_000), Prop::float(2, 0.1)];
        let span = store.append(&far).unwrap();
        assert_eq!(store.wide.len(), 2);
        let back: Vec<Prop> = store.get(span).collect();
        assert!(far.iter().zip(&back).all(|(a, b)| same(a, b)));
    }

    proptest! {
        #[test]
        fn every_prop_reads_back_as_stored(props in proptest::collection::vec(any_prop(), 0..40)) {
            let mut store = PropStore::default();
            let span = store.append(&props).unwrap();
            let back: Vec<Prop> = store.get(span).collect();
            prop_assert_eq!(back.len(), props.len());
            for (a, b) in props.iter().zip(&back) {
                prop_assert!(same(a, b), "{:?} read back as {:?}", a, b);
            }
        }
    }
}
