//! Reading one API record into typed properties, driven by the property table's `api` paths.
//!
//! Every field of a record ends up somewhere: in a declared property (coerced to its type), in
//! the graph's structure (a field the caller reads itself, like a campaign's `content`), or, if
//! this version does not know it, in an extra string property named after it. A value that
//! does not fit its property's type is left out with a warning that quotes it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use super::builder::{Builder, Label, Loc, Pending, UnknownField};
use crate::model::intern::IdMap;
use crate::model::props::{EXTRA, Prop};
use crate::model::raw::{Fields, Raw, get};
use crate::model::table::{EntityType, PropDef, RelationshipType, ValueType};
use crate::model::time::{parse_date, parse_datetime};
use crate::model::warning::WarningCode;

#[derive(Debug)]
enum Rule {
    /// `field`: one property, or several spellings of it (rank).
    Direct { slot: u16, rank: u8 },
    /// `field.sub`: an object whose fields are properties.
    Object(Vec<(&'static str, u16, u8)>),
    /// `field[]`: an array of scalars.
    Scalars(u16),
    /// `field[].sub`: an array of objects, one parallel array property per sub-field. With
    /// `rest_structural`, the other sub-fields are read by the caller.
    Items {
        subs: Vec<(&'static str, u16)>,
        rest_structural: bool,
    },
    /// Read by the caller (`content`, an enrollment's `user`).
    Structural,
}

/// How the records of one entity or relationship type are read.
#[derive(Debug)]
pub(super) struct Target {
    pub type_name: &'static str,
    pub defs: &'static [PropDef],
    /// Keyed by a fast hash: this is looked up for every field of every record.
    fields: IdMap<&'static str, Rule>,
    /// Names an extra property may not take.
    reserved: Vec<&'static str>,
}

impl Target {
    fn new(
        type_name: &'static str,
        defs: &'static [PropDef],
        structural: &[&'static str],
    ) -> Target {
        let mut fields: IdMap<&'static str, Rule> = IdMap::default();
        for (slot, def) in defs.iter().enumerate() {
            let slot = slot as u16;
            for (rank, path) in def.api.iter().enumerate() {
                let rank = rank as u8;
                if let Some((field, sub)) = path.split_once("[].") {
                    let rule = fields.entry(field).or_insert(Rule::Items {
                        subs: Vec::new(),
                        rest_structural: false,
                    });
                    if let Rule::Items { subs, .. } = rule {
                        subs.push((sub, slot));
                    }
                } else if let Some(field) = path.strip_suffix("[]") {
                    fields.insert(field, Rule::Scalars(slot));
                } else if let Some((field, sub)) = path.split_once('.') {
                    let rule = fields.entry(field).or_insert(Rule::Object(Vec::new()));
                    if let Rule::Object(subs) = rule {
                        subs.push((sub, slot, rank));
                    }
                } else {
                    fields.insert(path, Rule::Direct { slot, rank });
                }
            }
        }
        for &path in structural {
            if let Some(field) = path.strip_suffix("[].*") {
                if let Some(Rule::Items {
                    rest_structural, ..
                }) = fields.get_mut(field)
                {
                    *rest_structural = true;
                }
            } else {
                fields.insert(path, Rule::Structural);
            }
        }
        let mut reserved: Vec<&'static str> = defs.iter().map(|d| d.name).collect();
        reserved.push("displayName");
        Target {
            type_name,
            defs,
            fields,
            reserved,
        }
    }

    pub fn slot(&self, name: &str) -> u16 {
        // The callers ask only for names of their own table; a miss maps to a slot no
        // property has, which readers skip.
        self.defs
            .iter()
            .position(|d| d.name == name)
            .map_or(!EXTRA, |i| i as u16)
    }
}

pub(super) struct Targets {
    pub account: Target,
    pub user: Target,
    pub group: Target,
    pub training_campaign: Target,
    pub module: Target,
    pub phishing_campaign: Target,
    pub security_test: Target,
    pub result: Target,
    pub enrollment: Target,
    pub campaign_test: Target,
    pub risk_score: Target,
    pub phishing_category: Target,
    pub admin: Target,
    pub person: Target,
}

pub(super) fn targets() -> &'static Targets {
    static TARGETS: OnceLock<Targets> = OnceLock::new();
    TARGETS.get_or_init(|| {
        let entity = |t: EntityType, structural: &[&'static str]| {
            Target::new(t.name(), t.def().properties, structural)
        };
        let rel = |t: RelationshipType, structural: &[&'static str]| {
            Target::new(t.name(), t.def().properties, structural)
        };
        Targets {
            account: entity(EntityType::Account, &["admins"]),
            user: entity(EntityType::User, &[]),
            group: entity(EntityType::UserGroup, &[]),
            training_campaign: entity(EntityType::TrainingCampaign, &["content", "modules"]),
            module: entity(EntityType::TrainingModule, &[]),
            phishing_campaign: entity(EntityType::PhishingCampaign, &["psts[].*"]),
            security_test: entity(EntityType::PhishingSecurityTest, &[]),
            result: entity(EntityType::PhishingSecurityTestResult, &[]),
            enrollment: rel(RelationshipType::TrainingModuleAssignedUser, &["user"]),
            campaign_test: rel(
                RelationshipType::PhishingCampaignContainsSecurityTest,
                &["pst_id"],
            ),
            risk_score: entity(EntityType::RiskScore, &[]),
            phishing_category: entity(EntityType::PhishingCategory, &[]),
            admin: rel(RelationshipType::UserManagesAccount, &["id"]),
            person: entity(EntityType::Person, &[]),
        }
    })
}

/// `custom_field_1` -> `customField1`, `landing-page` -> `landingPage`. Anything but ASCII
/// letters and digits separates words, so the name is safe in every output format.
pub(crate) fn camel_case(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut upper = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if upper && !out.is_empty() {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "field");
    }
    out
}

/// A short, single-line quote of a value for a warning.
pub(super) fn quote(v: &Raw<'_>) -> String {
    let text = v.to_json();
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// An id as the API writes it: a JSON integer, or a string of digits (older payloads).
pub(super) fn id_of(v: Option<&Raw<'_>>) -> Option<i64> {
    match v? {
        Raw::U64(n) => i64::try_from(*n).ok(),
        Raw::I64(n) => Some(*n),
        // Integral floats within the range where f64 is exact.
        Raw::F64(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
        Raw::Str(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// A field's path in a record (`template.id`, `groups[2].name`), formatted only for warnings
/// and extra property names.
#[derive(Clone, Copy)]
pub(super) enum Path<'p> {
    Field(&'p str),
    Sub(&'p str, &'p str),
    Item(&'p str, usize, &'p str),
    /// `field[].sub`: a sub-field across all items.
    Column(&'p str, &'p str),
    ItemOf(&'p str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Path::Field(a) => f.write_str(a),
            Path::Sub(a, b) => write!(f, "{a}.{b}"),
            Path::Item(a, i, b) => write!(f, "{a}[{i}].{b}"),
            Path::Column(a, b) => write!(f, "{a}[].{b}"),
            Path::ItemOf(a) => write!(f, "{a} item"),
        }
    }
}

/// What a value could not be read as.
struct Problem(String);

fn integer(v: &Raw<'_>) -> Result<Option<i64>, Problem> {
    match v {
        Raw::Null => Ok(None),
        Raw::Str(s) if s.trim().is_empty() => Ok(None),
        Raw::U64(_) | Raw::I64(_) | Raw::F64(_) | Raw::Str(_) => id_of(Some(v))
            .map(Some)
            .ok_or_else(|| Problem("not an integer".into())),
        other => Err(Problem(format!(
            "expected an integer, found {}",
            other.type_name()
        ))),
    }
}

fn float(v: &Raw<'_>) -> Result<Option<f64>, Problem> {
    match v {
        Raw::Null => Ok(None),
        Raw::Str(s) if s.trim().is_empty() => Ok(None),
        Raw::Str(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| Problem("not a number".into())),
        other => other
            .as_f64()
            .map(Some)
            .ok_or_else(|| Problem(format!("expected a number, found {}", other.type_name()))),
    }
}

fn boolean(v: &Raw<'_>) -> Result<Option<bool>, Problem> {
    match v {
        Raw::Null => Ok(None),
        Raw::Bool(b) => Ok(Some(*b)),
        Raw::U64(0) | Raw::I64(0) => Ok(Some(false)),
        Raw::U64(1) | Raw::I64(1) => Ok(Some(true)),
        Raw::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(Problem("not a boolean".into())),
        },
        _ => Err(Problem("not a boolean".into())),
    }
}

/// Scalars become their JSON text; arrays and objects are not strings.
fn string_text<'v>(v: &'v Raw<'_>) -> Result<Option<Cow<'v, str>>, Problem> {
    match v {
        Raw::Null => Ok(None),
        Raw::Str(s) => Ok(Some(Cow::Borrowed(s))),
        Raw::Bool(_) | Raw::U64(_) | Raw::I64(_) | Raw::F64(_) => Ok(Some(v.to_json().into())),
        other => Err(Problem(format!(
            "expected a string, found {}",
            other.type_name()
        ))),
    }
}

/// An array field's items; a lone value counts as one item.
fn items_of<'v, 'a>(v: &'v Raw<'a>) -> &'v [Raw<'a>] {
    match v {
        Raw::Null => &[],
        Raw::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

/// The record being read, for warnings and unknown-field statistics.
pub(super) struct Ctx<'t> {
    pub target: &'t Target,
    pub loc: Loc,
    pub label: Label,
}

impl Builder {
    fn invalid(&mut self, ctx: &Ctx<'_>, path: Path<'_>, v: &Raw<'_>, problem: Problem) {
        self.warn(
            WarningCode::InvalidValue,
            ctx.loc,
            Some(ctx.label),
            format!(
                "`{path}` of {}: {}: {}; left out",
                ctx.target.type_name,
                problem.0,
                quote(v)
            ),
        );
    }

    fn push(&mut self, prop: Prop, rank: u8) {
        self.buf.push(Pending { prop, rank });
    }

    /// Coerces `v` to the type of declared property `slot` and adds it to the buffer.
    fn scalar(&mut self, ctx: &Ctx<'_>, path: Path<'_>, slot: u16, rank: u8, v: &Raw<'_>) {
        let Some(def) = ctx.target.defs.get(usize::from(slot)) else {
            return;
        };
        let prop = match def.value_type {
            ValueType::String => match string_text(v) {
                Ok(Some(s)) => self.intern(&s).map(|id| Prop::string(slot, id)),
                Ok(None) => None,
                Err(p) => return self.invalid(ctx, path, v, p),
            },
            ValueType::Integer => match integer(v) {
                Ok(n) => n.map(|n| Prop::integer(slot, n)),
                Err(p) => return self.invalid(ctx, path, v, p),
            },
            ValueType::Float => match float(v) {
                Ok(x) => x.map(|x| Prop::float(slot, x)),
                Err(p) => return self.invalid(ctx, path, v, p),
            },
            ValueType::Decimal => match float(v) {
                Ok(Some(x)) if !x.is_finite() => {
                    let p = Problem("not a finite decimal".into());
                    return self.invalid(ctx, path, v, p);
                }
                Ok(x) => x.map(|x| Prop::decimal(slot, x)),
                Err(p) => return self.invalid(ctx, path, v, p),
            },
            ValueType::Boolean => match boolean(v) {
                Ok(b) => b.map(|b| Prop::boolean(slot, b)),
                Err(p) => return self.invalid(ctx, path, v, p),
            },
            ValueType::DateTime => match v {
                Raw::Null => None,
                Raw::Str(s) if s.trim().is_empty() => None,
                Raw::Str(s) => match parse_datetime(s) {
                    Some(parsed) => {
                        if parsed.truncated {
                            self.warn(
                                WarningCode::InvalidValue,
                                ctx.loc,
                                Some(ctx.label),
                                format!(
                                    "`{path}` of {}: digits below the millisecond dropped: {}",
                                    ctx.target.type_name,
                                    quote(v)
                                ),
                            );
                        }
                        Some(Prop::datetime(slot, parsed.millis))
                    }
                    None => {
                        return self.invalid(ctx, path, v, Problem("not a datetime".into()));
                    }
                },
                other => {
                    let p = Problem(format!("expected a datetime, found {}", other.type_name()));
                    return self.invalid(ctx, path, v, p);
                }
            },
            ValueType::Date => match v {
                Raw::Null => None,
                Raw::Str(s) if s.trim().is_empty() => None,
                Raw::Str(s) => match parse_date(s) {
                    Some(days) => Some(Prop::date(slot, days)),
                    None => return self.invalid(ctx, path, v, Problem("not a date".into())),
                },
                other => {
                    let p = Problem(format!("expected a date, found {}", other.type_name()));
                    return self.invalid(ctx, path, v, p);
                }
            },
            ValueType::StringArray => {
                if let Raw::Object(_) = v {
                    let p = Problem("expected an array, found an object".into());
                    return self.invalid(ctx, path, v, p);
                }
                let mut ids = Vec::new();
                for item in items_of(v) {
                    let text = match item {
                        Raw::Null => continue,
                        Raw::Str(s) => Cow::Borrowed(s.as_ref()),
                        other => other.to_json().into(),
                    };
                    if let Some(id) = self.intern(&text) {
                        ids.push(id);
                    }
                }
                self.store.string_array(slot, &ids)
            }
            ValueType::IntegerArray => {
                if let Raw::Object(_) = v {
                    let p = Problem("expected an array, found an object".into());
                    return self.invalid(ctx, path, v, p);
                }
                let mut ns = Vec::new();
                for item in items_of(v) {
                    // `expand=group` gives objects with an `id` instead of bare ids.
                    let n = match item {
                        Raw::Object(m) => integer(get(m, "id").unwrap_or(&Raw::Null)),
                        other => integer(other),
                    };
                    match n {
                        Ok(Some(n)) => ns.push(n),
                        Ok(None) => {}
                        Err(p) => {
                            let at = match path {
                                Path::Field(f) => Path::ItemOf(f),
                                other => other,
                            };
                            self.invalid(ctx, at, item, p);
                        }
                    }
                }
                self.store.integer_array(slot, &ns)
            }
        };
        match prop {
            Some(prop) => self.push(prop, rank),
            None if def.value_type.is_array() => self.overflow(),
            None => {}
        }
    }

    /// Keeps an unknown field as an extra string property and counts it for the report.
    fn extra(&mut self, ctx: &Ctx<'_>, path: Path<'_>, v: &Raw<'_>) {
        let path = path.to_string();
        if v.is_null() {
            self.count_unknown(ctx, &path, None);
            return;
        }
        let base = camel_case(&path);
        let base = if base.is_empty() {
            "field".to_owned()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 1;
        let taken = |b: &Builder, name: &str| {
            ctx.target.reserved.contains(&name)
                || b.buf
                    .iter()
                    .any(|p| p.prop.is_extra() && b.extras.name(p.prop.slot & !EXTRA) == name)
        };
        while taken(self, &name) {
            n += 1;
            name = format!("{base}{n}");
        }
        let text = match v {
            Raw::Str(s) => Cow::Borrowed(s.as_ref()),
            other => other.to_json().into(),
        };
        let id = self.extras.id(&name);
        let value = self.intern(&text);
        match (id, value) {
            (Some(id), Some(value)) => {
                self.push(Prop::string(EXTRA | id, value), 0);
                self.count_unknown(ctx, &path, Some(name));
            }
            _ => {
                self.count_unknown(ctx, &path, None);
                self.overflow();
            }
        }
    }

    /// Counts one more record with the unknown field `path` of `type_name`, remembering the
    /// earliest location (by page order, not reading order) so warnings do not depend on it.
    fn tally_unknown(
        &mut self,
        type_name: &'static str,
        path: &str,
        loc: Loc,
    ) -> &mut UnknownField {
        let key = (type_name, path.to_owned());
        let earlier = match self.unknown.get(&key) {
            Some(u) => self.loc_cmp(loc, u.first).is_lt(),
            None => false,
        };
        let entry = self.unknown.entry(key).or_insert_with(|| UnknownField {
            property: String::new(),
            first: loc,
            count: 0,
        });
        entry.count += 1;
        if earlier {
            entry.first = loc;
        }
        entry
    }

    fn count_unknown(&mut self, ctx: &Ctx<'_>, path: &str, property: Option<String>) {
        let entry = self.tally_unknown(ctx.target.type_name, path, ctx.loc);
        // The name must not depend on which record came first: it is the field's camelCase
        // name except in a record where that name is taken, so keep the plainest seen.
        if let Some(p) = property
            && (entry.property.is_empty()
                || (p.len(), &p) < (entry.property.len(), &entry.property))
        {
            entry.property = p;
        }
    }

    /// Reads `obj` into the (cleared) buffer.
    pub(super) fn read_record(&mut self, ctx: &Ctx<'_>, obj: &Fields<'_>) {
        self.buf.clear();
        for (field, v) in obj {
            let field = field.as_ref();
            match ctx.target.fields.get(field) {
                None => self.extra(ctx, Path::Field(field), v),
                Some(Rule::Structural) => {}
                Some(&Rule::Direct { slot, rank }) => {
                    self.scalar(ctx, Path::Field(field), slot, rank, v)
                }
                Some(&Rule::Scalars(slot)) => self.scalar(ctx, Path::Field(field), slot, 0, v),
                Some(Rule::Object(subs)) => match v {
                    Raw::Null => {}
                    Raw::Object(m) => {
                        for (sub, sv) in m {
                            let sub = sub.as_ref();
                            let path = Path::Sub(field, sub);
                            match subs.iter().find(|(name, _, _)| *name == sub) {
                                Some(&(_, slot, rank)) => self.scalar(ctx, path, slot, rank, sv),
                                None => self.extra(ctx, path, sv),
                            }
                        }
                    }
                    other => {
                        let p = Problem(format!("expected an object, found {}", other.type_name()));
                        self.invalid(ctx, Path::Field(field), v, p);
                    }
                },
                Some(Rule::Items {
                    subs,
                    rest_structural,
                }) => self.items(ctx, field, subs, *rest_structural, v),
            }
        }
    }

    /// `field[].sub` properties: parallel arrays, one entry per item. An item without a
    /// usable integer (an id) would break the parallel arrays, so it is left out whole; a
    /// missing string becomes "".
    fn items(
        &mut self,
        ctx: &Ctx<'_>,
        field: &str,
        subs: &[(&'static str, u16)],
        rest_structural: bool,
        v: &Raw<'_>,
    ) {
        if let Raw::Bool(_) | Raw::U64(_) | Raw::I64(_) | Raw::F64(_) | Raw::Str(_) = v {
            let p = Problem(format!("expected an array, found {}", v.type_name()));
            return self.invalid(ctx, Path::Field(field), v, p);
        }
        let defs = ctx.target.defs;
        let is_int = |slot: u16| {
            defs.get(usize::from(slot))
                .is_some_and(|d| d.value_type == ValueType::IntegerArray)
        };
        let mut ints: Vec<Vec<i64>> = vec![Vec::new(); subs.len()];
        let mut strs: Vec<Vec<u32>> = vec![Vec::new(); subs.len()];
        let mut unknown: BTreeMap<&str, Vec<&Raw<'_>>> = BTreeMap::new();
        let mut kept = 0usize;
        'items: for (i, item) in items_of(v).iter().enumerate() {
            let Raw::Object(m) = item else {
                self.warn(
                    WarningCode::NotAnObject,
                    ctx.loc,
                    Some(ctx.label),
                    format!("`{field}[{i}]` is not an object: {}; left out", quote(item)),
                );
                continue;
            };
            let mut row_ints = Vec::new();
            for &(sub, slot) in subs {
                if !is_int(slot) {
                    continue;
                }
                let sv = get(m, sub).unwrap_or(&Raw::Null);
                match integer(sv) {
                    Ok(Some(n)) => row_ints.push(n),
                    _ => {
                        self.warn(
                            WarningCode::InvalidValue,
                            ctx.loc,
                            Some(ctx.label),
                            format!(
                                "`{}` of {} is not an integer: {}; item left out",
                                Path::Item(field, i, sub),
                                ctx.target.type_name,
                                quote(sv)
                            ),
                        );
                        continue 'items;
                    }
                }
            }
            let mut row_ints = row_ints.into_iter();
            for (k, &(sub, slot)) in subs.iter().enumerate() {
                if is_int(slot) {
                    if let Some(n) = row_ints.next() {
                        ints[k].push(n);
                    }
                    continue;
                }
                let sv = get(m, sub).unwrap_or(&Raw::Null);
                let text = match string_text(sv) {
                    Ok(t) => t.unwrap_or_default(),
                    Err(p) => {
                        self.invalid(ctx, Path::Item(field, i, sub), sv, p);
                        Cow::Borrowed("")
                    }
                };
                if let Some(id) = self.intern(&text) {
                    strs[k].push(id);
                }
            }
            if !rest_structural {
                for (sub, sv) in m {
                    if !subs.iter().any(|(name, _)| name == sub) {
                        let column = unknown.entry(sub.as_ref()).or_default();
                        column.resize(kept, &Raw::Null);
                        column.push(sv);
                    }
                }
            }
            kept += 1;
        }
        for (k, &(_, slot)) in subs.iter().enumerate() {
            let prop = if is_int(slot) {
                self.store.integer_array(slot, &ints[k])
            } else {
                self.store.string_array(slot, &strs[k])
            };
            match prop {
                Some(prop) => self.push(prop, 0),
                None => self.overflow(),
            }
        }
        for (sub, mut column) in unknown {
            column.resize(kept, &Raw::Null);
            let array = Raw::Array(column.into_iter().cloned().collect());
            self.extra(ctx, Path::Column(field, sub), &array);
        }
    }
}
