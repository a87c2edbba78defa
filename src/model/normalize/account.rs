//! The account record and its risk score history.

use crate::model::raw::{Fields, Raw, get};

use super::builder::{Label, Loc};
use super::record::{Ctx, quote, targets};
use super::{IdMap, Slot, State};
use crate::model::table;
use crate::model::time::parse_date;
use crate::model::warning::WarningCode;

impl State {
    pub(super) fn account(&mut self, loc: Loc, obj: &Fields<'_>) {
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
        let mut map: IdMap<i64, Slot<()>> = IdMap::default();
        if let Some(held) = self.account.take() {
            map.insert(0, held);
        }
        State::offer(&mut self.b, &mut map, 0, 0, loc, ());
        self.account = map.remove(&0);
    }

    pub(super) fn risk_score(&mut self, loc: Loc, obj: &Fields<'_>) {
        let mut date = None;
        let mut score = None;
        for (field, v) in obj {
            match field.as_ref() {
                "date" => date = v.as_str().and_then(parse_date),
                "risk_score" => {
                    score = match v {
                        Raw::Str(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
                        other => other.as_f64(),
                    }
                }
                other => {
                    let path = format!("risk_score_history[].{other}");
                    self.b
                        .unknown_dropped(targets().account.type_name, &path, loc);
                }
            }
        }
        match (date, score) {
            (Some(date), Some(score)) => self.history.push((date, score)),
            _ => self.b.warn(
                WarningCode::InvalidValue,
                loc,
                Some(Label::RiskScore),
                format!(
                    "a risk score history point needs a date and a risk_score: {}; left out",
                    quote(&Raw::Object(obj.to_vec()))
                ),
            ),
        }
    }
}
