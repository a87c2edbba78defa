//! Phishing: campaigns (regular and callback), security tests and their recipients (results).

use crate::model::raw::{Fields, Raw, get};

use super::builder::{Label, Loc};
use super::people::{describe_id, name_from_record};
use super::record::{Ctx, id_of, quote, targets};
use super::{ResultRec, State, seen};
use crate::model::props::Prop;
use crate::model::table;
use crate::model::warning::WarningCode;

impl State {
    /// A record of `phishing/campaigns` or (`callback`) `phishing/campaigns/callback`.
    pub(super) fn phishing_campaign(&mut self, callback: bool, loc: Loc, obj: &Fields<'_>) {
        let Some(id) = id_of(get(obj, "campaign_id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::PhishingCampaign(None)),
                format!(
                    "a phishing campaign without a usable `campaign_id` ({}): left out",
                    describe_id(get(obj, "campaign_id"))
                ),
            );
            return;
        };
        // Each test summary becomes the properties of the campaign's CONTAINS relationship.
        let mut tests: Vec<(i64, crate::model::props::Span)> = Vec::new();
        if let Some(Raw::Array(items)) = get(obj, "psts") {
            for item in items {
                let Raw::Object(m) = item else { continue };
                // Items without a usable id are reported with the campaign's `pstIds`.
                let Some(pst) = id_of(get(m, "pst_id")) else {
                    continue;
                };
                let ctx = Ctx {
                    target: &targets().campaign_test,
                    loc,
                    label: Label::CampaignTest {
                        campaign: id,
                        pst: Some(pst),
                    },
                };
                self.b.read_record(&ctx, m);
                if tests.iter().any(|&(p, _)| p == pst) {
                    continue;
                }
                if let Some(span) = self.b.commit() {
                    tests.push((pst, span));
                }
            }
        }
        let t = &targets().phishing_campaign;
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::PhishingCampaign(Some(id)),
        };
        self.b.read_record(&ctx, obj);
        name_from_record(&mut self.b, t, || format!("phishing campaign {id}"));
        self.b.buf_set(Prop::boolean(t.slot("callback"), callback));
        let map = if callback {
            &mut self.callback
        } else {
            &mut self.phishing
        };
        State::offer(&mut self.b, map, id, 0, loc, tests);
    }

    /// A record of `phishing/security_tests`.
    pub(super) fn security_test(&mut self, loc: Loc, obj: &Fields<'_>) {
        let Some(id) = id_of(get(obj, "pst_id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::SecurityTest(None)),
                format!(
                    "a security test without a usable `pst_id` ({}): left out",
                    describe_id(get(obj, "pst_id"))
                ),
            );
            return;
        };
        let t = &targets().security_test;
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::SecurityTest(Some(id)),
        };
        self.b.read_record(&ctx, obj);
        name_from_record(&mut self.b, t, || format!("security test {id}"));
        self.b
            .buf_set_str(t.slot("category"), table::SECURITY_TEST_CATEGORY);
        self.b
            .buf_set_str(t.slot("summary"), table::SECURITY_TEST_SUMMARY);
        self.b.buf_set(Prop::boolean(t.slot("internal"), true));
        State::offer(&mut self.b, &mut self.tests, id, 0, loc, ());
    }

    /// A record of `phishing/security_tests/<pst>/recipients`.
    pub(super) fn result(&mut self, pst: i64, loc: Loc, obj: &Fields<'_>) {
        let Some(recipient) = id_of(get(obj, "recipient_id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::Result {
                    pst,
                    recipient: None,
                }),
                format!(
                    "a result without a usable `recipient_id` ({}): left out",
                    describe_id(get(obj, "recipient_id"))
                ),
            );
            return;
        };
        let label = Label::Result {
            pst,
            recipient: Some(recipient),
        };
        match get(obj, "pst_id") {
            None | Some(Raw::Null) => {}
            Some(v) if id_of(Some(v)) == Some(pst) => {}
            Some(v) => self.b.warn(
                WarningCode::MismatchedId,
                loc,
                Some(label),
                format!(
                    "`pst_id` is {} but the result is listed under security test {pst}: kept under {pst}",
                    quote(v)
                ),
            ),
        }
        let t = &targets().result;
        let ctx = Ctx {
            target: t,
            loc,
            label,
        };
        self.b.read_record(&ctx, obj);
        self.b.buf_set(Prop::integer(t.slot("pstId"), pst));
        let name = match self.b.buf_str(t.slot("userEmail")) {
            Some(email) => email.trim().to_owned(),
            None => format!("recipient {recipient}"),
        };
        self.b.buf_set_str(t.slot("name"), &name);
        self.b.buf_set_str(t.slot("displayName"), &name);
        let Some(span) = self.b.commit() else { return };
        self.results.push(ResultRec {
            pst,
            recipient,
            loc,
            span,
        });
        match get(obj, "user") {
            Some(Raw::Object(u)) => match id_of(get(u, "id")) {
                Some(uid) => self.mention_user(uid, seen::RESULT, 2, loc, u, label),
                None => self.b.warn(
                    WarningCode::MissingUser,
                    loc,
                    Some(label),
                    format!(
                        "its user has no usable `id` ({}): kept, but not linked to a user",
                        describe_id(get(u, "id"))
                    ),
                ),
            },
            other => self.b.warn(
                WarningCode::MissingUser,
                loc,
                Some(label),
                format!(
                    "no user ({}): kept, but not linked to a user",
                    describe_id(other)
                ),
            ),
        }
    }
}
