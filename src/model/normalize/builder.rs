//! State shared by every step of `normalize`: strings, properties, page files, warnings.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::model::intern::Interner;
use crate::model::props::{EXTRA, Prop, PropStore, Span};
use crate::model::warning::{Warning, WarningCode};

/// Where a record sits: a page file (by id) and its index in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Loc {
    pub file: u32,
    pub index: u32,
}

/// Which record a warning is about, formatted only when a warning is written.
#[derive(Debug, Clone, Copy)]
pub(super) enum Label {
    Account,
    /// `admins[<index>]` of the account record.
    Admin(usize),
    /// A risk score history point, by date when it has one.
    RiskScore(Option<i32>),
    User(Option<i64>),
    Group(Option<i64>),
    Member {
        group: i64,
        user: Option<i64>,
    },
    StorePurchase(Option<i64>),
    Policy(Option<i64>),
    TrainingCampaign(Option<i64>),
    ContentItem {
        campaign: i64,
        item: usize,
    },
    Enrollment(Option<i64>),
    PhishingCampaign(Option<i64>),
    CampaignTest {
        campaign: i64,
        pst: Option<i64>,
    },
    SecurityTest(Option<i64>),
    Result {
        pst: i64,
        recipient: Option<i64>,
    },
}

struct Id(Option<i64>);

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, "{id}"),
            None => f.write_str("(no id)"),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Label::Account => f.write_str("account"),
            Label::Admin(i) => write!(f, "account admin {i}"),
            Label::RiskScore(None) => f.write_str("risk score"),
            Label::RiskScore(Some(d)) => write!(
                f,
                "risk score {}",
                crate::timefmt::format_date(i64::from(d))
            ),
            Label::User(id) => write!(f, "user {}", Id(id)),
            Label::Group(id) => write!(f, "group {}", Id(id)),
            Label::Member { group, user } => write!(f, "group {group} member {}", Id(user)),
            Label::StorePurchase(id) => write!(f, "store purchase {}", Id(id)),
            Label::Policy(id) => write!(f, "policy {}", Id(id)),
            Label::TrainingCampaign(id) => write!(f, "training campaign {}", Id(id)),
            Label::ContentItem { campaign, item } => {
                write!(f, "training campaign {campaign} content item {item}")
            }
            Label::Enrollment(id) => write!(f, "enrollment {}", Id(id)),
            Label::PhishingCampaign(id) => write!(f, "phishing campaign {}", Id(id)),
            Label::CampaignTest { campaign, pst } => {
                write!(f, "phishing campaign {campaign} test {}", Id(pst))
            }
            Label::SecurityTest(id) => write!(f, "security test {}", Id(id)),
            Label::Result { pst, recipient } => {
                write!(f, "security test {pst} recipient {}", Id(recipient))
            }
        }
    }
}

/// "1 record", "2 records".
pub(super) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An unknown API field, reported once per type and field.
pub(super) struct UnknownField {
    pub property: String,
    pub first: Loc,
    pub count: u64,
}

/// Names of extra properties, shared by every type.
#[derive(Default)]
pub(super) struct ExtraNames {
    pub names: Vec<Box<str>>,
    index: HashMap<Box<str>, u16>,
}

impl ExtraNames {
    pub fn id(&mut self, name: &str) -> Option<u16> {
        if let Some(&id) = self.index.get(name) {
            return Some(id);
        }
        let id = u16::try_from(self.names.len())
            .ok()
            .filter(|&id| id < EXTRA)?;
        self.names.push(name.into());
        self.index.insert(name.into(), id);
        Some(id)
    }

    pub fn name(&self, id: u16) -> &str {
        self.names.get(usize::from(id)).map_or("", |n| n)
    }
}

/// A property waiting to be committed, with the rank of the API spelling it came from (the
/// table's first spelling wins when a record carries two).
#[derive(Clone, Copy)]
pub(super) struct Pending {
    pub prop: Prop,
    pub rank: u8,
}

pub(super) struct Builder {
    pub strings: Interner,
    pub store: PropStore,
    pub extras: ExtraNames,
    files: Vec<Box<str>>,
    pub warnings: Vec<Warning>,
    pub unknown: BTreeMap<(&'static str, String), UnknownField>,
    /// Properties of the record being parsed.
    pub buf: Vec<Pending>,
    full: bool,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            strings: Interner::default(),
            store: PropStore::default(),
            extras: ExtraNames::default(),
            files: Vec::new(),
            warnings: Vec::new(),
            unknown: BTreeMap::new(),
            buf: Vec::new(),
            full: false,
        }
    }

    pub fn file(&mut self, name: &str) -> u32 {
        self.files.push(name.into());
        (self.files.len() - 1) as u32
    }

    pub fn file_name(&self, file: u32) -> &str {
        self.files.get(file as usize).map_or("", |f| f)
    }

    /// Record order for "the first record wins": by page file, then position. Pages keep
    /// their file names whatever order they are read in, so this order does not depend on it.
    pub fn loc_cmp(&self, a: Loc, b: Loc) -> Ordering {
        self.file_name(a.file)
            .cmp(self.file_name(b.file))
            .then(a.index.cmp(&b.index))
    }

    pub fn location(&self, loc: Loc) -> String {
        format!("{}[{}]", self.file_name(loc.file), loc.index)
    }

    pub fn warn(&mut self, code: WarningCode, loc: Loc, label: Option<Label>, message: String) {
        let location = self.location(loc);
        self.warn_at(code, location, label, message);
    }

    pub fn warn_at(
        &mut self,
        code: WarningCode,
        location: String,
        label: Option<Label>,
        message: String,
    ) {
        self.warnings.push(Warning {
            code,
            location,
            record: label.map(|l| l.to_string()),
            message,
        });
    }

    pub fn intern(&mut self, s: &str) -> Option<u32> {
        let id = self.strings.intern(s);
        if id.is_none() {
            self.overflow();
        }
        id
    }

    pub fn str(&self, id: u32) -> &str {
        self.strings.get(id)
    }

    /// Reports, once, that the graph reached its size limits and values are being left out.
    pub fn overflow(&mut self) {
        if !self.full {
            self.full = true;
            self.warn_at(
                WarningCode::InvalidValue,
                String::new(),
                None,
                "a size limit was reached (65,535 properties in one record, 32,767 names of unknown fields, or 4 billion strings or properties in all): values beyond it are left out".into(),
            );
        }
    }

    /// The string value of declared slot `slot` in the buffer.
    pub fn buf_str(&self, slot: u16) -> Option<&str> {
        self.buf
            .iter()
            .find(|p| p.prop.slot == slot)
            .and_then(|p| p.prop.as_string_id())
            .map(|id| self.strings.get(id))
            .filter(|s| !s.trim().is_empty())
    }

    /// The property the buffer holds for declared slot `slot`.
    pub fn buf_prop(&self, slot: u16) -> Option<Prop> {
        self.buf
            .iter()
            .find(|p| p.prop.slot == slot)
            .map(|p| p.prop)
    }

    /// Replaces whatever the buffer holds for `slot`.
    pub fn buf_set(&mut self, prop: Prop) {
        self.buf.retain(|p| p.prop.slot != prop.slot);
        self.buf.push(Pending { prop, rank: 0 });
    }

    pub fn buf_set_str(&mut self, slot: u16, s: &str) {
        if let Some(id) = self.intern(s) {
            self.buf_set(Prop::string(slot, id));
        }
    }

    fn prop_order(&self, a: &Pending, b: &Pending) -> Ordering {
        match (a.prop.is_extra(), b.prop.is_extra()) {
            (false, false) => a.prop.slot.cmp(&b.prop.slot).then(a.rank.cmp(&b.rank)),
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            (true, true) => self
                .extras
                .name(a.prop.slot & !EXTRA)
                .cmp(self.extras.name(b.prop.slot & !EXTRA)),
        }
    }

    /// Sorts the buffer into output order (declared properties by table order, the preferred
    /// spelling first; extras by name), drops repeats and stores it.
    pub fn commit(&mut self) -> Option<Span> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.sort_by(|a, b| self.prop_order(a, b));
        buf.dedup_by(|later, first| later.prop.slot == first.prop.slot);
        let props: Vec<Prop> = buf.iter().map(|p| p.prop).collect();
        buf.clear();
        self.buf = buf;
        let span = self.store.append(&props);
        if span.is_none() {
            self.overflow();
        }
        span
    }

    /// Loads stored properties back into the (cleared) buffer, to add to them and commit anew.
    pub fn load(&mut self, span: Span) {
        self.buf.clear();
        let props: Vec<Prop> = self.store.get(span).collect();
        self.buf
            .extend(props.into_iter().map(|prop| Pending { prop, rank: 0 }));
    }

    /// Merges spans into one: for each property, the first span that has it wins.
    pub fn merge(&mut self, spans: &[Span]) -> Option<Span> {
        self.buf.clear();
        for (rank, &span) in spans.iter().enumerate() {
            let rank = u8::try_from(rank).unwrap_or(u8::MAX);
            let props: Vec<Prop> = self.store.get(span).collect();
            self.buf
                .extend(props.into_iter().map(|prop| Pending { prop, rank }));
        }
        // Stable sort keeps the earlier span first among equal extras too.
        let mut buf = std::mem::take(&mut self.buf);
        buf.sort_by(|a, b| self.prop_order(a, b).then(a.rank.cmp(&b.rank)));
        self.buf = buf;
        self.commit()
    }
}
