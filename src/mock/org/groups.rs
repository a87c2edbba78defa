//! Groups and their membership.

use super::{GroupKind, GroupMeta, Org, Prog, Roster};
use crate::mock::json::Obj;
use crate::mock::rng::{Rng, guid, tag};

impl Org {
    pub(super) fn build_groups(&mut self) {
        let a = self.spec.active_users;
        let n = self.spec.groups;
        for g in 0..n {
            let mut r = Rng::new(self.seed, tag("group"), g);
            // The first three cover every kind; the rest are mostly console groups.
            let kind = match g {
                0 => GroupKind::Console,
                1 => GroupKind::Smart,
                2 => GroupKind::AdiManaged,
                _ => match r.below(100) {
                    0..60 => GroupKind::Console,
                    60..85 => GroupKind::Smart,
                    _ => GroupKind::AdiManaged,
                },
            };
            let archived = n > 3 && g % 7 == 6;
            let members = if g % 17 == 16 {
                Prog::over(a, a, 1)
            } else if g < 3 {
                let step = g + 2;
                Prog::over(a, r.below(step), step)
            } else {
                // Log-uniform sizes from a handful of people up to a tenth of the company keep
                // the average user in a few groups whatever the company size.
                let hi = (a / 10).max(10) as f64;
                let size = (5.0 * (hi / 5.0).powf(r.unit())).max(1.0) as u64;
                let step = (a / size.max(1)).max(1);
                Prog::over(a, r.below(step), step)
            };
            let names = self.spec.texts.pools().group_names;
            let base = names[(g % names.len() as u64) as usize];
            let round = g / names.len() as u64;
            let name = if round == 0 {
                base.to_string()
            } else {
                format!("{base} {}", round + 1)
            };
            if archived {
                self.archived_groups.push(g as u32);
            } else {
                self.active_groups.push(g as u32);
            }
            self.groups.push(GroupMeta {
                id: self.ids.group + g * 3,
                name,
                kind,
                archived,
                members,
                roster: Roster::of(members),
            });
        }
    }

    pub fn group_by_id(&self, id: u64) -> Option<u32> {
        let d = id.checked_sub(self.ids.group)?;
        (d % 3 == 0 && d / 3 < self.groups.len() as u64).then_some((d / 3) as u32)
    }

    /// `{"group_id": ..., "name": ...}` as campaigns reference groups; 0 is "All Users".
    pub fn render_group_ref(&self, target: super::Target, buf: &mut Vec<u8>) {
        let mut o = Obj::new(buf);
        match target {
            super::Target::AllUsers => {
                o.uint("group_id", 0).str("name", "All Users");
            }
            super::Target::Group(g) => {
                let meta = &self.groups[g as usize];
                o.uint("group_id", meta.id).str("name", &meta.name);
            }
        }
        o.end();
    }

    pub fn render_group(&self, g: u32, buf: &mut Vec<u8>) {
        let meta = &self.groups[g as usize];
        let mut r = Rng::new(self.seed, tag("group-render"), g as u64);
        let mut o = Obj::new(buf);
        o.uint("id", meta.id)
            .str("name", &meta.name)
            .str("group_type", meta.kind.api_name());
        let g_guid = (meta.kind == GroupKind::AdiManaged).then(|| guid(r.next(), r.next()));
        let guid_key = if self.drifted("groups", g as u64, 5) {
            "adi_guid"
        } else {
            "provisioning_guid"
        };
        o.opt_str(guid_key, g_guid.as_deref());
        o.uint("member_count", meta.roster.len());
        o.float("current_risk_score", r.below(1000) as f64 / 10.0);
        o.str("status", if meta.archived { "archived" } else { "active" });
        if self.drifted("groups-extra", g as u64, 4) {
            // A field added by a newer API version.
            o.str("description", "Synced nightly, do not edit");
        }
        o.end();
    }
}
