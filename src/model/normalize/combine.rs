//! Several accounts' graphs as one. Every key is scoped by its account
//! (`knowbe4:acct:<account>:user:12` for `knowbe4:user:12`), so that ids, which are unique
//! only within an account, cannot collide, and every entity carries its own account's
//! `tag.AccountName`. People are joined anew across all accounts from their users, exactly as
//! within one account, and keep their unscoped keys (`knowbe4:person:<address>`): one
//! employee with users in two accounts is one person.

use super::builder::Builder;
use super::entities::Drafts;
use super::finish::{assemble, in_key_order};
use super::persons::{self, At, Said};
use crate::model::graph::{EntityRec, Graph, RelRec};
use crate::model::keys;
use crate::model::props::{EXTRA, Prop, Span};
use crate::model::table::{ACCOUNT_TAG, EntityType, RelationshipType};
use crate::model::value::ValueRef;
use crate::model::warning::{Warning, WarningCode};

/// One account's graph and the warnings of making it, under the account's name.
pub struct AccountGraph {
    /// Checked by the caller: letters, digits, `.`, `_` and `-`.
    pub name: String,
    pub graph: Graph,
    pub warnings: Vec<Warning>,
}

/// The combined graph of `accounts` (in the order given, which does not change the result
/// beyond warnings' order) and its warnings: each account's own, located under its name,
/// except its people's, which are decided anew across accounts.
pub fn combine(mut accounts: Vec<AccountGraph>) -> (Graph, Vec<Warning>) {
    accounts.sort_by(|a, b| a.name.cmp(&b.name));
    let mut b = Builder::new();
    let mut d = Drafts::default();
    let mut rels: Vec<(u32, u32, Span, RelationshipType)> = Vec::new();
    let mut said: Vec<Said> = Vec::new();
    for account in &accounts {
        let g = &account.graph;
        let tag = g.account_tag();
        let active = active_users(g);
        let mut draft_of: Vec<Option<u32>> = vec![None; g.entity_count()];
        for e in g.entities() {
            let ty = e.entity_type();
            if ty == EntityType::Person {
                continue;
            }
            let Some(span) = copy_props(&mut b, g, e.props_span(), tag_of(ty, tag)) else {
                continue;
            };
            let draft = d.add(ty, span, |k| keys::scoped_key(k, &account.name, e.key()));
            draft_of[e.index()] = draft;
            if ty == EntityType::User
                && let Some(draft) = draft
                && let Some(s) = what_a_user_says(e, draft, &account.name, active[e.index()])
            {
                said.push(s);
            }
        }
        for r in g.relationships() {
            let ty = r.relationship_type();
            if matches!(
                ty,
                RelationshipType::UserIsPerson | RelationshipType::PersonReportsToPerson
            ) {
                continue;
            }
            let (Some(from), Some(to)) = (draft_of[r.from().index()], draft_of[r.to().index()])
            else {
                continue;
            };
            let props = r.props_span();
            let span = if { props.len } == 0 {
                Span::default()
            } else {
                copy_props(&mut b, g, props, None).unwrap_or_default()
            };
            rels.push((from, to, span, ty));
        }
        for w in &account.warnings {
            if w.code == WarningCode::PersonConflict {
                continue;
            }
            b.warnings.push(Warning {
                location: format!("{}/{}", account.name, w.location),
                ..w.clone()
            });
        }
    }
    let plan = persons::plan(&said);
    let people = persons::apply(&mut b, &mut d, &said, plan);
    rels.extend(
        people
            .is
            .iter()
            .map(|&(u, p)| (u, p, Span::default(), RelationshipType::UserIsPerson)),
    );
    rels.extend(people.reports_to.iter().map(|&(p, m)| {
        (
            p,
            m,
            Span::default(),
            RelationshipType::PersonReportsToPerson,
        )
    }));
    drop(accounts);

    let keys_arena = std::mem::take(&mut d.keys);
    let (entities, final_of): (Vec<EntityRec>, Vec<u32>) =
        in_key_order(&keys_arena, std::mem::take(&mut d.list));
    let rels = rels
        .into_iter()
        .map(|(from, to, props, ty)| RelRec {
            from: final_of[from as usize],
            to: final_of[to as usize],
            props,
            ty,
        })
        .collect();
    assemble(b, keys_arena, entities, rels)
}

/// Whether each entity of `g` is a user listed as active: a member of "All Users".
fn active_users(g: &Graph) -> Vec<bool> {
    let mut active = vec![false; g.entity_count()];
    let all_users = format!("{}0", keys::GROUP);
    for r in g.relationships() {
        if r.relationship_type() == RelationshipType::UserGroupHasUser && r.from_key() == all_users
        {
            active[r.to().index()] = true;
        }
    }
    active
}

/// `props` of `g` stored anew in `b`, and a property `(slot, value)` set besides (an
/// entity's `tag.AccountName`).
fn copy_props(b: &mut Builder, g: &Graph, props: Span, set: Option<(u16, &str)>) -> Option<Span> {
    b.buf.clear();
    for p in g.store.get(props) {
        copy_one(b, g, p);
    }
    if let Some((slot, value)) = set {
        b.buf_set_str(slot, value);
    }
    b.commit()
}

/// The slot of `tag.AccountName` among the properties of `ty`, with the value it takes.
fn tag_of(ty: EntityType, tag: Option<&str>) -> Option<(u16, &str)> {
    let defs = ty.def().properties;
    let tag = tag?;
    defs.last()
        .filter(|d| d.name == ACCOUNT_TAG)
        .map(|_| ((defs.len() - 1) as u16, tag))
}

/// Puts property `p` of `g` into `b`'s buffer, its strings interned in `b`.
fn copy_one(b: &mut Builder, g: &Graph, p: Prop) {
    let slot = if p.is_extra() {
        let name = g
            .extra_names
            .get(usize::from(p.slot & !EXTRA))
            .map_or("", |n| n);
        match b.extras.id(name) {
            Some(id) => id | EXTRA,
            None => return,
        }
    } else {
        p.slot
    };
    let prop = match g.store.value(&p, &g.strings) {
        ValueRef::String(s) => match b.intern(s) {
            Some(id) => Prop::string(slot, id),
            None => return,
        },
        ValueRef::Integer(n) => Prop::integer(slot, n),
        ValueRef::Float(x) => Prop::float(slot, x),
        ValueRef::Decimal(x) => Prop::decimal(slot, x),
        ValueRef::Boolean(v) => Prop::boolean(slot, v),
        ValueRef::DateTime(t) => Prop::datetime(slot, t),
        ValueRef::Date(day) => Prop::date(slot, day),
        ValueRef::StringArray(list) => {
            let ids: Vec<u32> = list.iter().filter_map(|s| b.intern(s)).collect();
            match b.store.string_array(slot, &ids) {
                Some(prop) => prop,
                None => return,
            }
        }
        ValueRef::IntegerArray(ns) => match b.store.integer_array(slot, ns) {
            Some(prop) => prop,
            None => return,
        },
    };
    b.buf_set(prop);
}

/// What user `e` of account `account` says about its person, as within one account.
fn what_a_user_says(
    e: crate::model::EntityRef<'_>,
    draft: u32,
    account: &str,
    active: bool,
) -> Option<Said> {
    let text = |name: &str| match e.get(name) {
        Some(ValueRef::String(s)) => Some(s),
        _ => None,
    };
    let aliases = match e.get("aliases") {
        Some(ValueRef::StringArray(list)) => list.iter().collect(),
        _ => Vec::new(),
    };
    let id = match e.get("id") {
        Some(ValueRef::Integer(id)) => id,
        _ => 0,
    };
    let joined_on = match e.get("joinedOn") {
        Some(ValueRef::DateTime(t)) => Some(t),
        _ => None,
    };
    Said::of(
        format!("{account}/{id}"),
        draft,
        At::Account(account.to_owned(), id),
        active,
        text,
        aliases,
        joined_on,
    )
}
