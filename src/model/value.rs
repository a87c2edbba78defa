//! Typed property values: [`ValueRef`] borrows from a [`crate::model::Graph`], [`Value`] owns.
//!
//! Datetimes are UTC milliseconds since the Unix epoch and print as the API writes them
//! (`2019-04-02T15:02:38.000Z`); dates are days since the epoch and print as `2021-03-06`.

use std::fmt;

use super::table::ValueType;
use crate::timefmt::{date_text, datetime_text, format_date, format_datetime_millis};

/// A property value as stored in the graph, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum ValueRef<'g> {
    String(&'g str),
    Integer(i64),
    Float(f64),
    /// A decimal, held as the nearest `f64` (see [`ValueType::Decimal`]).
    Decimal(f64),
    Boolean(bool),
    /// UTC milliseconds since the Unix epoch.
    DateTime(i64),
    /// Days since 1970-01-01.
    Date(i32),
    StringArray(StrList<'g>),
    IntegerArray(&'g [i64]),
}

/// An owned property value, for building expectations and for callers that keep values.
#[derive(Debug, Clone)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Decimal(f64),
    Boolean(bool),
    DateTime(i64),
    Date(i32),
    StringArray(Vec<String>),
    IntegerArray(Vec<i64>),
}

/// The strings of a string-array value, in order.
#[derive(Clone, Copy)]
pub struct StrList<'g> {
    pub(crate) ids: &'g [u32],
    pub(crate) strings: &'g super::intern::StrArena,
}

impl<'g> StrList<'g> {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'g str> {
        self.ids.get(i).map(|&id| self.strings.get(id))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'g str> + 'g {
        let strings = self.strings;
        self.ids.iter().map(move |&id| strings.get(id))
    }
}

impl fmt::Debug for StrList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for StrList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'g> ValueRef<'g> {
    pub fn value_type(&self) -> ValueType {
        match self {
            ValueRef::String(_) => ValueType::String,
            ValueRef::Integer(_) => ValueType::Integer,
            ValueRef::Float(_) => ValueType::Float,
            ValueRef::Decimal(_) => ValueType::Decimal,
            ValueRef::Boolean(_) => ValueType::Boolean,
            ValueRef::DateTime(_) => ValueType::DateTime,
            ValueRef::Date(_) => ValueType::Date,
            ValueRef::StringArray(_) => ValueType::StringArray,
            ValueRef::IntegerArray(_) => ValueType::IntegerArray,
        }
    }

    pub fn as_str(&self) -> Option<&'g str> {
        match *self {
            ValueRef::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ValueRef::Integer(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            ValueRef::Boolean(b) => Some(b),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match *self {
            ValueRef::String(s) => Value::String(s.to_owned()),
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Float(x) => Value::Float(x),
            ValueRef::Decimal(x) => Value::Decimal(x),
            ValueRef::Boolean(b) => Value::Boolean(b),
            ValueRef::DateTime(ms) => Value::DateTime(ms),
            ValueRef::Date(d) => Value::Date(d),
            ValueRef::StringArray(list) => {
                Value::StringArray(list.iter().map(str::to_owned).collect())
            }
            ValueRef::IntegerArray(ns) => Value::IntegerArray(ns.to_vec()),
        }
    }

    /// The value as JSON: datetimes and dates as their ISO text, everything else as itself.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match *self {
            ValueRef::String(s) => J::String(s.to_owned()),
            ValueRef::Integer(n) => J::from(n),
            // Values come from JSON numbers or checked text, so they are finite.
            ValueRef::Float(x) | ValueRef::Decimal(x) => {
                serde_json::Number::from_f64(x).map_or(J::Null, J::Number)
            }
            ValueRef::Boolean(b) => J::Bool(b),
            ValueRef::DateTime(ms) => J::String(format_datetime_millis(ms)),
            ValueRef::Date(d) => J::String(format_date(i64::from(d))),
            ValueRef::StringArray(list) => {
                J::Array(list.iter().map(|s| J::String(s.to_owned())).collect())
            }
            ValueRef::IntegerArray(ns) => J::Array(ns.iter().map(|&n| J::from(n)).collect()),
        }
    }
}

/// Equal when of the same type and value; floats compare by bits, so equality is reflexive.
impl PartialEq for ValueRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ValueRef::String(a), ValueRef::String(b)) => a == b,
            (ValueRef::Integer(a), ValueRef::Integer(b)) => a == b,
            (ValueRef::Float(a), ValueRef::Float(b)) => a.to_bits() == b.to_bits(),
            (ValueRef::Decimal(a), ValueRef::Decimal(b)) => a.to_bits() == b.to_bits(),
            (ValueRef::Boolean(a), ValueRef::Boolean(b)) => a == b,
            (ValueRef::DateTime(a), ValueRef::DateTime(b)) => a == b,
            (ValueRef::Date(a), ValueRef::Date(b)) => a == b,
            (ValueRef::StringArray(a), ValueRef::StringArray(b)) => a == b,
            (ValueRef::IntegerArray(a), ValueRef::IntegerArray(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Decimal(a), Value::Decimal(b)) => a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::StringArray(a), Value::StringArray(b)) => a == b,
            (Value::IntegerArray(a), Value::IntegerArray(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq<Value> for ValueRef<'_> {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (ValueRef::StringArray(a), Value::StringArray(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (ValueRef::IntegerArray(a), Value::IntegerArray(b)) => *a == b.as_slice(),
            _ => self.to_value() == *other,
        }
    }
}

/// Canonical text: strings verbatim, datetimes and dates in ISO form, arrays as JSON arrays.
impl ValueRef<'_> {
    /// A datetime's or date's ISO text, spelled on the stack; `None` for other values.
    pub fn time_text(&self) -> Option<crate::timefmt::TimeText> {
        match *self {
            ValueRef::DateTime(ms) => Some(datetime_text(ms)),
            ValueRef::Date(d) => Some(date_text(i64::from(d))),
            _ => None,
        }
    }
}

impl fmt::Display for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ValueRef::String(s) => f.write_str(s),
            ValueRef::Integer(n) => f.write_str(itoa::Buffer::new().format(n)),
            ValueRef::Float(x) | ValueRef::Decimal(x) => write!(f, "{x}"),
            ValueRef::Boolean(b) => write!(f, "{b}"),
            ValueRef::DateTime(ms) => f.write_str(datetime_text(ms).as_str()),
            ValueRef::Date(d) => f.write_str(date_text(i64::from(d)).as_str()),
            ValueRef::StringArray(_) | ValueRef::IntegerArray(_) => {
                write!(f, "{}", self.to_json())
            }
        }
    }
}

impl Value {
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::String(_) => ValueType::String,
            Value::Integer(_) => ValueType::Integer,
            Value::Float(_) => ValueType::Float,
            Value::Decimal(_) => ValueType::Decimal,
            Value::Boolean(_) => ValueType::Boolean,
            Value::DateTime(_) => ValueType::DateTime,
            Value::Date(_) => ValueType::Date,
            Value::StringArray(_) => ValueType::StringArray,
            Value::IntegerArray(_) => ValueType::IntegerArray,
        }
    }
}
