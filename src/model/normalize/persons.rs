//! The person behind one or more users. Users are joined by any address they share, their
//! `email` or one of their `aliases` (trimmed and lowercased), so an archived and an active
//! account of one employee, and a user known only from a phishing result, become one person.
//! The person carries what its users agree on; where two disagree, the field is left out and a
//! warning names both, so that no user's value is picked silently. Managers come from the
//! users' `managerEmail`, resolved through the same addresses: the active users' where they
//! name one (an archived account's manager is who it was), else every user's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::builder::{Builder, Label, Loc};
use super::entities::{Drafts, UserInfo, prop_of};
use super::record::targets;
use super::{IdMap, State};
use crate::model::keys;
use crate::model::props::{Prop, Span};
use crate::model::table::EntityType;
use crate::model::warning::WarningCode;

/// The links a person makes, between drafts.
#[derive(Default)]
pub(super) struct Persons {
    /// (user, person).
    pub is: Vec<(u32, u32)>,
    /// (person, manager).
    pub reports_to: Vec<(u32, u32)>,
}

/// How an address is compared: trimmed and lowercased. `None` when nothing is left.
pub(crate) fn normalize_address(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_lowercase())
}

/// Addresses joined into sets (union by the smaller index, so the result depends only on the
/// order addresses are first seen).
#[derive(Default)]
struct Joined {
    index: HashMap<String, usize>,
    parent: Vec<usize>,
}

impl Joined {
    fn add(&mut self, address: &str) -> usize {
        if let Some(&i) = self.index.get(address) {
            return i;
        }
        let i = self.parent.len();
        self.parent.push(i);
        self.index.insert(address.to_owned(), i);
        i
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[high] = low;
    }
}

/// What one user says about its person.
pub(super) struct Said {
    /// The user in warnings: its id, or in a combined graph its account and id.
    pub who: String,
    pub draft: u32,
    pub at: At,
    pub active: bool,
    /// Its own `email`, normalized.
    pub email: Option<String>,
    /// `email` first, then `aliases`, normalized.
    pub addresses: Vec<String>,
    pub manager: Option<String>,
    pub fields: [Option<String>; FIELDS.len()],
    pub joined_on: Option<i64>,
}

impl Said {
    /// What a user says, from its string properties by name (`text`), its `aliases` and its
    /// `joinedOn`, compared as [`normalize_address`] says; `None` for a user without any
    /// address.
    pub(super) fn of<'a>(
        who: String,
        draft: u32,
        at: At,
        active: bool,
        text: impl Fn(&str) -> Option<&'a str>,
        aliases: impl IntoIterator<Item = &'a str>,
        joined_on: Option<i64>,
    ) -> Option<Said> {
        let email = text("email").and_then(normalize_address);
        let mut addresses: Vec<String> = email.iter().cloned().collect();
        for alias in aliases {
            if let Some(a) = normalize_address(alias)
                && !addresses.contains(&a)
            {
                addresses.push(a);
            }
        }
        if addresses.is_empty() {
            return None;
        }
        Some(Said {
            who,
            draft,
            at,
            active,
            email,
            addresses,
            manager: text("managerEmail").and_then(normalize_address),
            fields: FIELDS.map(|(name, _)| {
                text(name)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            }),
            joined_on,
        })
    }
}

/// Where a warning about a user points.
pub(super) enum At {
    /// Its record.
    Record(Option<Loc>, i64),
    /// A user of a combined graph: its account's name and id.
    Account(String, i64),
}

/// The string fields a person takes (the two names first) when all of its users agree: (the user's, the person's).
/// `employeeId` is what JupiterOne's `Person` calls an employee number.
pub(super) const FIELDS: [(&str, &str); 4] = [
    ("firstName", "firstName"),
    ("lastName", "lastName"),
    ("employeeNumber", "employeeId"),
    ("department", "department"),
];

/// A person to make, as [`plan`] decides it.
pub(super) struct Planned {
    /// Its key's address: the least own e-mail of its users (or, where none has one, the
    /// least alias).
    pub address: String,
    /// Its other addresses, sorted.
    pub others: Vec<String>,
    /// Its users, as indices into what was said.
    pub members: Vec<usize>,
    pub name: String,
    /// By [`FIELDS`]: the value all of its users agree on.
    pub agreed: [Option<String>; FIELDS.len()],
    pub joined_on: Option<i64>,
    pub active: bool,
}

/// The people behind what users said, their managers (indices into `persons`) and the
/// warnings (about the user at that index of what was said), in the order they arose.
#[derive(Default)]
pub(super) struct Plan {
    pub persons: Vec<Planned>,
    pub reports_to: Vec<(usize, usize)>,
    pub warnings: Vec<(usize, String)>,
}

/// Joins users by the addresses they share and decides each person's fields and managers.
pub(super) fn plan(said: &[Said]) -> Plan {
    let mut joined = Joined::default();
    for user in said {
        let first = joined.add(&user.addresses[0]);
        for other in &user.addresses[1..] {
            let other = joined.add(other);
            joined.join(first, other);
        }
    }
    let roots: Vec<usize> = (0..joined.parent.len()).map(|i| joined.root(i)).collect();
    let root_of = |address: &str| joined.index.get(address).map(|&i| roots[i]);
    // Users by the set they joined, each set named by its least own e-mail (or, where no
    // user has one, its least alias).
    let mut sets: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (n, user) in said.iter().enumerate() {
        if let Some(root) = root_of(&user.addresses[0]) {
            sets.entry(root).or_default().push(n);
        }
    }
    let mut addresses_of: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for (address, &i) in &joined.index {
        addresses_of.entry(roots[i]).or_default().insert(address);
    }
    let mut keyed: Vec<(String, usize)> = sets
        .iter()
        .map(|(&root, members)| {
            let own = members
                .iter()
                .filter_map(|&n| said[n].email.as_deref())
                .min();
            let key = own
                .or_else(|| addresses_of[&root].first().copied())
                .unwrap_or_default();
            (key.to_owned(), root)
        })
        .collect();
    keyed.sort();

    let mut out = Plan::default();
    let mut person_of_root: HashMap<usize, usize> = HashMap::new();
    for (address, root) in &keyed {
        let members = sets[root].clone();
        let others: Vec<String> = addresses_of[root]
            .iter()
            .filter(|a| **a != address.as_str())
            .map(|a| (*a).to_owned())
            .collect();
        let person = agree(address, others, members, said, &mut out.warnings);
        person_of_root.insert(*root, out.persons.len());
        out.persons.push(person);
    }

    for (address, root) in &keyed {
        let person = person_of_root[root];
        // Manager -> the first user that names it. An archived account's manager is who it
        // was: where an active user names one, only active users count.
        let members = &sets[root];
        let current = members
            .iter()
            .any(|&n| said[n].active && said[n].manager.as_deref().and_then(root_of).is_some());
        let mut managers: BTreeMap<usize, usize> = BTreeMap::new();
        for &n in members.iter().filter(|&&n| said[n].active || !current) {
            let Some(manager) = said[n].manager.as_deref() else {
                continue;
            };
            let Some(root) = root_of(manager) else {
                continue;
            };
            let m = person_of_root[&root];
            // Reporting to oneself says nothing about the org chart.
            if m != person {
                managers.entry(m).or_insert(n);
            }
        }
        if managers.len() > 1 {
            let named: Vec<String> = managers
                .values()
                .map(|&n| {
                    format!(
                        "user {} names {}",
                        said[n].who,
                        said[n].manager.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            let &last = managers.values().max().unwrap_or(&0);
            out.warnings.push((
                last,
                format!(
                    "the users of person {address} name different managers ({}): the person reports to each of them",
                    named.join(", ")
                ),
            ));
        }
        out.reports_to.extend(managers.keys().map(|&m| (person, m)));
    }
    out
}

/// The person of `members`: each field its users agree on, the earliest `joinedOn`.
fn agree(
    address: &str,
    others: Vec<String>,
    members: Vec<usize>,
    said: &[Said],
    warnings: &mut Vec<(usize, String)>,
) -> Planned {
    let mut agreed: [Option<String>; FIELDS.len()] = Default::default();
    let mut disputed = [false; FIELDS.len()];
    for (f, &(_, name)) in FIELDS.iter().enumerate() {
        let mut first: Option<(&Said, &str)> = None;
        let mut conflict = false;
        for &n in &members {
            let Some(value) = said[n].fields[f].as_deref() else {
                continue;
            };
            match first {
                None => first = Some((&said[n], value)),
                Some((by, held)) if held != value && !conflict => {
                    conflict = true;
                    warnings.push((
                        n,
                        format!(
                            "users {} and {} are one person ({address}) but give {name} {:?} and {:?}: the person has no {name}",
                            by.who, said[n].who, held, value
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        if conflict {
            disputed[f] = true;
        } else {
            agreed[f] = first.map(|(_, v)| v.to_owned());
        }
    }
    // Named as a user is, but by the address where the users disagree on either name.
    let name = match (&agreed[0], &agreed[1]) {
        _ if disputed[0] || disputed[1] => address.to_owned(),
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(n), None) | (None, Some(n)) => n.clone(),
        (None, None) => address.to_owned(),
    };
    Planned {
        address: address.to_owned(),
        others,
        name,
        agreed,
        joined_on: members.iter().filter_map(|&n| said[n].joined_on).min(),
        active: members.iter().any(|&n| said[n].active),
        members,
    }
}

/// Stores a planned person's properties.
pub(super) fn person_record(b: &mut Builder, person: &Planned) -> Option<Span> {
    let t = &targets().person;
    b.buf.clear();
    b.buf_set_str(t.slot("name"), &person.name);
    b.buf_set_str(t.slot("displayName"), &person.name);
    b.buf_set_str(t.slot("email"), &person.address);
    if !person.others.is_empty() {
        let ids: Vec<u32> = person.others.iter().filter_map(|a| b.intern(a)).collect();
        if let Some(prop) = b.store.string_array(t.slot("aliases"), &ids) {
            b.buf_set(prop);
        }
    }
    for (f, &(_, name)) in FIELDS.iter().enumerate() {
        if let Some(value) = &person.agreed[f] {
            b.buf_set_str(t.slot(name), value);
        }
    }
    if let Some(earliest) = person.joined_on {
        b.buf_set(Prop::datetime(t.slot("joinedOn"), earliest));
    }
    b.buf_set(Prop::boolean(t.slot("active"), person.active));
    b.commit()
}

/// Makes the planned people drafts, and their links between drafts. A person whose record
/// cannot be stored is left out with its links.
pub(super) fn apply(b: &mut Builder, d: &mut Drafts, said: &[Said], plan: Plan) -> Persons {
    for (n, message) in plan.warnings {
        warn_person(b, &said[n], message);
    }
    let mut out = Persons::default();
    let mut draft_of: Vec<Option<u32>> = Vec::with_capacity(plan.persons.len());
    for person in &plan.persons {
        let draft = person_record(b, person).and_then(|span| {
            d.add(EntityType::Person, span, |k| {
                k.push_str(keys::PERSON);
                k.push_str(&person.address);
            })
        });
        if let Some(draft) = draft {
            out.is
                .extend(person.members.iter().map(|&n| (said[n].draft, draft)));
        }
        draft_of.push(draft);
    }
    for (person, manager) in plan.reports_to {
        if let (Some(p), Some(m)) = (draft_of[person], draft_of[manager]) {
            out.reports_to.push((p, m));
        }
    }
    out
}

fn warn_person(b: &mut Builder, user: &Said, message: String) {
    match &user.at {
        At::Record(loc, id) => {
            let label = Some(Label::User(Some(*id)));
            match loc {
                Some(loc) => b.warn(WarningCode::PersonConflict, *loc, label, message),
                None => b.warn_at(WarningCode::PersonConflict, String::new(), label, message),
            }
        }
        At::Account(account, id) => b.warn_at(
            WarningCode::PersonConflict,
            account.clone(),
            Some(Label::User(Some(*id))),
            message,
        ),
    }
}

impl State {
    pub(super) fn finish_persons(
        &mut self,
        d: &mut Drafts,
        users: &IdMap<i64, UserInfo>,
    ) -> Persons {
        let said = self.what_users_say(users);
        let plan = plan(&said);
        apply(&mut self.b, d, &said, plan)
    }

    /// The users with at least one address, in id order, with what they say.
    fn what_users_say(&self, users: &IdMap<i64, UserInfo>) -> Vec<Said> {
        let t = &targets().user;
        let b = &self.b;
        let mut ids: Vec<i64> = users.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter()
            .filter_map(|id| {
                let u = &users[&id];
                let text = |name: &str| {
                    prop_of(b, u.span, t.slot(name))
                        .and_then(|p| p.as_string_id())
                        .map(|s| b.str(s))
                };
                let aliases = prop_of(b, u.span, t.slot("aliases"))
                    .map(|p| {
                        b.store
                            .str_list(&p)
                            .iter()
                            .map(|&a| b.str(a))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let joined_on =
                    prop_of(b, u.span, t.slot("joinedOn")).and_then(|p| p.as_datetime());
                Said::of(
                    id.to_string(),
                    u.draft,
                    At::Record(u.loc, id),
                    u.active,
                    text,
                    aliases,
                    joined_on,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::model::{
        Graph, MemorySource, RelationshipType, ValueRef, Warning, WarningCode, normalize,
    };

    fn graph(active: serde_json::Value, archived: serde_json::Value) -> (Graph, Vec<Warning>) {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": "Acme"}));
        source.add_page("users/active", &active);
        source.add_page("users/archived", &archived);
        normalize(&source)
    }

    fn links(g: &Graph, ty: RelationshipType) -> Vec<(String, String)> {
        g.relationships()
            .filter(|r| r.relationship_type() == ty)
            .map(|r| (r.from_key().to_owned(), r.to_key().to_owned()))
            .collect()
    }

    fn text<'g>(g: &'g Graph, key: &str, name: &str) -> Option<&'g str> {
        match g.entity(key)?.get(name)? {
            ValueRef::String(s) => Some(s),
            _ => None,
        }
    }

    const ANN: &str = "knowbe4:person:ann@x.example";

    #[test]
    fn users_sharing_an_address_in_any_case_or_as_an_alias_are_one_person() {
        let (g, warnings) = graph(
            json!([
                {"id": 1, "email": "Ann@X.example", "first_name": "Ann", "last_name": "Lee",
                 "joined_on": "2024-01-01T00:00:00.000Z"},
                {"id": 3, "email": "other@x.example", "aliases": [" ANN@x.example"]},
                {"id": 4, "first_name": "No", "last_name": "Address"}
            ]),
            json!([{"id": 2, "email": " ann@x.example ", "first_name": "Ann", "last_name": "Lee",
                    "status": "archived", "joined_on": "2020-05-01T00:00:00.000Z"}]),
        );
        assert!(
            warnings
                .iter()
                .all(|w| w.code != WarningCode::PersonConflict),
            "{warnings:?}"
        );
        let persons: Vec<&str> = g
            .entities()
            .filter(|e| e.def().name == "employee")
            .map(|e| e.key())
            .collect();
        assert_eq!(persons, [ANN]);
        assert_eq!(
            links(&g, RelationshipType::UserIsPerson),
            [1, 2, 3].map(|id| (format!("knowbe4:user:{id}"), ANN.to_owned()))
        );
        let ann = g.entity(ANN).unwrap();
        assert_eq!(text(&g, ANN, "name"), Some("Ann Lee"));
        assert_eq!(text(&g, ANN, "email"), Some("ann@x.example"));
        assert_eq!(ann.get("active"), Some(ValueRef::Boolean(true)));
        assert_eq!(
            ann.get("joinedOn").map(|v| v.to_string()).as_deref(),
            Some("2020-05-01T00:00:00.000Z")
        );
        match ann.get("aliases") {
            Some(ValueRef::StringArray(list)) => {
                assert_eq!(list.iter().collect::<Vec<_>>(), ["other@x.example"]);
            }
            other => panic!("aliases: {other:?}"),
        }
    }

    #[test]
    fn a_field_the_users_disagree_on_is_left_out_and_both_are_named() {
        let (g, warnings) = graph(
            json!([{"id": 1, "email": "ann@x.example", "first_name": "Ann", "last_name": "Lee",
                    "department": "Ops", "employee_number": "007"}]),
            json!([{"id": 2, "email": "ANN@x.example", "first_name": "Anne", "last_name": "Lee",
                    "department": "Ops", "employee_number": "007", "status": "archived"}]),
        );
        let conflicts: Vec<&str> = warnings
            .iter()
            .filter(|w| w.code == WarningCode::PersonConflict)
            .map(|w| w.message.as_str())
            .collect();
        assert_eq!(
            conflicts,
            [
                "users 1 and 2 are one person (ann@x.example) but give firstName \"Ann\" and \"Anne\": the person has no firstName"
            ]
        );
        assert_eq!(text(&g, ANN, "firstName"), None);
        // Named by the address rather than by half a name.
        assert_eq!(text(&g, ANN, "name"), Some("ann@x.example"));
        assert_eq!(text(&g, ANN, "lastName"), Some("Lee"));
        assert_eq!(text(&g, ANN, "department"), Some("Ops"));
        assert_eq!(text(&g, ANN, "employeeId"), Some("007"));
    }

    #[test]
    fn managers_come_from_active_users_and_resolve_through_addresses() {
        let (g, warnings) = graph(
            json!([
                {"id": 1, "email": "ann@x.example", "manager_email": " BOB@x.example"},
                {"id": 2, "email": "bob@x.example", "manager_email": "bob@x.example"},
                {"id": 3, "email": "cy@x.example", "manager_email": "nobody@x.example"},
                {"id": 5, "email": "dee@x.example", "manager_email": "cy@x.example"},
                {"id": 6, "email": "dee.alt@x.example", "aliases": ["dee@x.example"],
                 "manager_email": "ann@x.example"}
            ]),
            // An archived account of Ann's names her manager of then.
            json!([{"id": 4, "email": "ann@x.example", "manager_email": "cy@x.example",
                    "status": "archived"}]),
        );
        let person = |name: &str| format!("knowbe4:person:{name}@x.example");
        assert_eq!(
            links(&g, RelationshipType::PersonReportsToPerson),
            [
                (person("ann"), person("bob")),
                // The least of the users' own addresses names the person.
                (person("dee.alt"), person("ann")),
                (person("dee.alt"), person("cy")),
            ]
        );
        // Bob reports to himself: no line. Cy's manager is no user: no line. Dee's two
        // active users name two managers: both kept, and said.
        let said: Vec<&str> = warnings
            .iter()
            .filter(|w| w.code == WarningCode::PersonConflict)
            .map(|w| w.message.as_str())
            .collect();
        assert_eq!(
            said,
            [
                "the users of person dee.alt@x.example name different managers (user 6 names ann@x.example, user 5 names cy@x.example): the person reports to each of them"
            ]
        );
    }
}
