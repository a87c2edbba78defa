//! Compact property storage.
//!
//! A property is 12 bytes: which property it is (its index in the type's table, or an extra
//! property's name id), a type tag and a 64-bit payload split in two `u32` halves so the
//! struct packs to 4-byte alignment. Strings are arena ids; arrays live in two shared pools.
//! Each entity or relationship owns a contiguous [`Span`] of properties, sorted in output order.
//! Null values are never stored.

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

#[derive(Debug, Clone, Copy)]
pub(crate) struct Prop {
    pub slot: u16,
    pub tag: Tag,
    a: u32,
    b: u32,
}

const _: () = assert!(std::mem::size_of::<Prop>() == 12);

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
}

/// A contiguous run of properties in a [`PropStore`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u16,
}

#[derive(Debug, Default)]
pub(crate) struct PropStore {
    pub props: Vec<Prop>,
    str_lists: Vec<u32>,
    int_lists: Vec<i64>,
}

impl PropStore {
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
        self.props.extend_from_slice(props);
        Some(Span { start, len })
    }

    pub fn get(&self, span: Span) -> &[Prop] {
        let start = span.start as usize;
        self.props
            .get(start..start + usize::from(span.len))
            .unwrap_or(&[])
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
        self.str_lists.shrink_to_fit();
        self.int_lists.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.props.capacity() * std::mem::size_of::<Prop>()
            + self.str_lists.capacity() * 4
            + self.int_lists.capacity() * 8
    }
}
