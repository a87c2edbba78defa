//! The account record, its admins, and the risk score histories of the account, its users and
//! its groups.

use crate::model::raw::{Fields, Raw, get};

use super::builder::{Label, Loc};
use super::people::describe_id;
use super::record::{Ctx, id_of, quote, targets};
use super::{IdMap, Slot, State, seen};
use crate::model::keys::RiskSubject;
use crate::model::props::{Prop, Span};
use crate::model::table;
use crate::model::warning::WarningCode;

/// Users rank admins of the account after every other mention: the account record gives only
/// their names and address.
const ADMIN_MENTION: u8 = 3;

impl State {
    pub(super) fn account(&mut self, loc: Loc, obj: &Fields<'_>) {
        let admins = self.admins(loc, get(obj, "admins"));
        let t = &targets().account;
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::Account,
        };
        self.b.read_record(&ctx, obj);
        let name_slot = t.slot("name");
        let name = match self.b.buf_str(name_slot) {
            Some(name) => name.to_owned(),
            None => {
                // The key needs a name; a domain names the account as well as anything.
                let domains = match get(obj, "domains") {
                    Some(Raw::Array(items)) => items.as_slice(),
                    _ => &[],
                };
                let fallback = domains
                    .iter()
                    .find_map(Raw::as_str)
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or("knowbe4")
                    .to_owned();
                self.b.warn(
                    WarningCode::MissingId,
                    loc,
                    Some(Label::Account),
                    format!("the account has no name: named {fallback:?} after its first domain"),
                );
                fallback
            }
        };
        self.b.buf_set_str(name_slot, &name);
        self.b.buf_set_str(t.slot("displayName"), &name);
        self.b.buf_set_str(t.slot("vendor"), table::ACCOUNT_VENDOR);
        let mut map: IdMap<i64, Slot<Vec<(i64, Span)>>> = IdMap::default();
        if let Some(held) = self.account.take() {
            map.insert(0, held);
        }
        State::offer(&mut self.b, &mut map, 0, 0, loc, admins);
        self.account = map.remove(&0);
    }

    /// `admins[]` of the account record: (user id, MANAGES properties) in list order. Each
    /// admin is also a mention of the user it is, so that an admin no user listing holds is
    /// still a user.
    fn admins(&mut self, loc: Loc, v: Option<&Raw<'_>>) -> Vec<(i64, Span)> {
        let items = match v {
            None | Some(Raw::Null) => return Vec::new(),
            Some(Raw::Array(items)) => items,
            Some(other) => {
                self.b.warn(
                    WarningCode::InvalidValue,
                    loc,
                    Some(Label::Account),
                    format!("`admins` is not an array: {}; no admins made", quote(other)),
                );
                return Vec::new();
            }
        };
        let mut out: Vec<(i64, Span)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let label = Label::Admin(i);
            let Raw::Object(m) = item else {
                self.b.warn(
                    WarningCode::NotAnObject,
                    loc,
                    Some(label),
                    format!("`admins[{i}]` is not an object: {}; left out", quote(item)),
                );
                continue;
            };
            let Some(user) = id_of(get(m, "id")) else {
                self.b.warn(
                    WarningCode::MissingId,
                    loc,
                    Some(label),
                    format!(
                        "an admin without a usable `id` ({}): left out",
                        describe_id(get(m, "id"))
                    ),
                );
                continue;
            };
            if out.iter().any(|&(u, _)| u == user) {
                self.b.warn(
                    WarningCode::DuplicateRecord,
                    loc,
                    Some(label),
                    format!("user {user} is listed as an admin more than once: the first is kept"),
                );
                continue;
            }
            let t = &targets().admin;
            let ctx = Ctx {
                target: t,
                loc,
                label,
            };
            self.b.read_record(&ctx, m);
            // The place in the account's list, gaps left by items left out included.
            let position = i64::try_from(i).unwrap_or(i64::MAX);
            self.b.buf_set(Prop::integer(t.slot("position"), position));
            if let Some(span) = self.b.commit() {
                out.push((user, span));
            }
            self.mention_user(user, seen::ADMIN, ADMIN_MENTION, loc, m, label);
        }
        out
    }

    /// A point of the risk score history of `subject`: a `knowbe4_risk_score` entity, one per
    /// subject and date.
    pub(super) fn risk_score(&mut self, subject: RiskSubject, loc: Loc, obj: &Fields<'_>) {
        let t = &targets().risk_score;
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::RiskScore(None),
        };
        self.b.read_record(&ctx, obj);
        let date = self.b.buf_prop(t.slot("date")).and_then(|p| p.as_date());
        let score = self.b.buf_prop(t.slot("riskScore"));
        let (Some(date), Some(_)) = (date, score) else {
            self.b.warn(
                WarningCode::InvalidValue,
                loc,
                Some(Label::RiskScore(date)),
                format!(
                    "a risk score history point needs a date and a risk_score: {}; left out",
                    quote(&Raw::Object(obj.to_vec()))
                ),
            );
            return;
        };
        let day = crate::timefmt::format_date(i64::from(date));
        let name = match subject {
            RiskSubject::Account => format!("Risk score {day}"),
            RiskSubject::User(u) => format!("Risk score of user {u} {day}"),
            RiskSubject::Group(g) => format!("Risk score of group {g} {day}"),
        };
        self.b.buf_set_str(t.slot("name"), &name);
        self.b.buf_set_str(t.slot("displayName"), &name);
        let mut held = self.risk_scores.remove(&(subject, i64::from(date)));
        State::offer_slot(&mut self.b, &mut held, 0, loc, ());
        if let Some(held) = held {
            self.risk_scores.insert((subject, i64::from(date)), held);
        }
    }
}
