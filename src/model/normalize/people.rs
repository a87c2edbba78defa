//! Users, groups and group members.

use crate::model::raw::{Fields, Raw, get};

use super::builder::{Builder, Label, Loc};
use super::record::{Ctx, Target, id_of, targets};
use super::{State, UserSlot, seen};
use crate::model::warning::WarningCode;

/// Sets `name` and `displayName` of the user in the buffer: "First Last", else the e-mail
/// address, else "user <id>".
pub(super) fn name_user(b: &mut Builder, t: &Target, id: i64) {
    let first = b.buf_str(t.slot("firstName")).map(str::trim);
    let last = b.buf_str(t.slot("lastName")).map(str::trim);
    let name = match (first, last) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(n), None) | (None, Some(n)) => n.to_owned(),
        (None, None) => match b.buf_str(t.slot("email")) {
            Some(email) => email.trim().to_owned(),
            None => format!("user {id}"),
        },
    };
    b.buf_set_str(t.slot("name"), &name);
    b.buf_set_str(t.slot("displayName"), &name);
}

/// Sets `name` and `displayName` from the record's name, or `fallback` when it has none.
pub(super) fn name_from_record(b: &mut Builder, t: &Target, fallback: impl FnOnce() -> String) {
    let name = match b.buf_str(t.slot("name")) {
        Some(name) => name.to_owned(),
        None => fallback(),
    };
    b.buf_set_str(t.slot("name"), &name);
    b.buf_set_str(t.slot("displayName"), &name);
}

impl State {
    /// A record of `users/active` (precedence 0) or `users/archived` (1).
    pub(super) fn user(&mut self, prec: u8, loc: Loc, obj: &Fields<'_>) {
        let t = &targets().user;
        let id = id_of(get(obj, "id"));
        let Some(id) = id else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::User(None)),
                format!(
                    "a user without a usable `id` ({}): left out",
                    describe_id(get(obj, "id"))
                ),
            );
            return;
        };
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::User(Some(id)),
        };
        self.b.read_record(&ctx, obj);
        name_user(&mut self.b, t, id);
        let slot = self.users.entry(id).or_default();
        State::offer_slot(&mut self.b, &mut slot.listed, prec, loc, ());
    }

    /// A user mentioned by another record (`seen` says which kind, `prec` ranks the kinds):
    /// kept only as the source of a user that no listing has.
    pub(super) fn mention_user(
        &mut self,
        id: i64,
        bit: u8,
        prec: u8,
        loc: Loc,
        obj: &Fields<'_>,
        label: Label,
    ) {
        let slot: &mut UserSlot = self.users.entry(id).or_default();
        slot.seen |= bit;
        slot.mentions += 1;
        if slot.listed.is_some() {
            return;
        }
        let t = &targets().user;
        let ctx = Ctx {
            target: t,
            loc,
            label,
        };
        // Read even when it will not be kept, so that its warnings do not depend on which
        // mention happens to be read first.
        self.b.read_record(&ctx, obj);
        let wins = match slot.mention {
            None => true,
            Some((p, l, _)) => prec < p || (prec == p && self.b.loc_cmp(loc, l).is_lt()),
        };
        if wins {
            // The mention's id is the user's id whatever the embedded object says.
            self.b
                .buf_set(crate::model::props::Prop::integer(t.slot("id"), id));
            name_user(&mut self.b, t, id);
            if let Some(span) = self.b.commit() {
                slot.mention = Some((prec, loc, span));
            }
        }
    }

    /// A record of `groups/active` (precedence 0) or `groups/archived` (1).
    pub(super) fn group(&mut self, prec: u8, loc: Loc, obj: &Fields<'_>) {
        let t = &targets().group;
        let Some(id) = id_of(get(obj, "id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::Group(None)),
                format!(
                    "a group without a usable `id` ({}): left out",
                    describe_id(get(obj, "id"))
                ),
            );
            return;
        };
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::Group(Some(id)),
        };
        self.b.read_record(&ctx, obj);
        name_from_record(&mut self.b, t, || format!("group {id}"));
        State::offer(&mut self.b, &mut self.groups, id, prec, loc, ());
    }

    /// A record of `groups/<group>/members`: a full user record.
    pub(super) fn member(&mut self, group: i64, loc: Loc, obj: &Fields<'_>) {
        if let Some(c) = self.member_collections.get_mut(&group) {
            c.1 += 1;
        }
        let Some(id) = id_of(get(obj, "id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::Member { group, user: None }),
                format!(
                    "a group member without a usable `id` ({}): left out",
                    describe_id(get(obj, "id"))
                ),
            );
            return;
        };
        self.members.push((group, id));
        let label = Label::Member {
            group,
            user: Some(id),
        };
        self.mention_user(id, seen::MEMBERS, 0, loc, obj, label);
    }
}

/// How an unusable id looks, for a warning.
pub(super) fn describe_id(v: Option<&Raw<'_>>) -> String {
    match v {
        None => "missing".into(),
        Some(Raw::Null) => "null".into(),
        Some(v) => super::record::quote(v),
    }
}
