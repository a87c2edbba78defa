//! Simulated days: how the account moves on after the reference day.
//!
//! Day `d` applies the changes of days `1..=d` in order; each day first archives one active
//! user and hires one, then starts one phishing test. Training progress and status changes
//! are rules over "today" (`ref_day + d`) evaluated per record when rendered, so nothing here
//! grows with the number of users.

use super::training::{EnrollmentStatus, TrainingStatus};
use super::{GroupKind, Org, OrgSpec, Prog, PstMeta, Target};
use crate::mock::rng::{hash, tag};

/// Days past this are treated as this many: a year of changes keeps every table small.
pub const MAX_DAY: u32 = 366;

/// A user hired by the simulation: the `i`-th hire is person `people() + i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hire {
    pub day: u32,
    /// The console group the user joined (index into `Org::groups`).
    pub group: Option<u32>,
}

/// Everything that differs between day 0 and day `d` of one organisation: the ground truth
/// tests compare served pages against. Every vector is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayChanges {
    /// Phishing tests started by the simulation (pst ids).
    pub new_psts: Vec<u64>,
    /// Recipient ids of those tests.
    pub new_recipients: Vec<u64>,
    /// Those of them with `clicked_at` set.
    pub new_clicked_recipients: Vec<u64>,
    /// User ids moved from the active to the archived list.
    pub archived_users: Vec<u64>,
    /// New user ids.
    pub hired_users: Vec<u64>,
    /// (group id, user id); "All Users" (group 0) excluded.
    pub memberships_added: Vec<(u64, u64)>,
    pub memberships_removed: Vec<(u64, u64)>,
    /// Tests of day 0 whose status went from "In Progress" to "Closed" (new tests are only in
    /// `new_psts`, whatever their status).
    pub psts_closed: Vec<u64>,
    /// Training campaigns whose status became "Completed".
    pub training_campaigns_completed: Vec<u64>,
    /// Enrollment ids newly "Passed".
    pub enrollments_passed: Vec<u64>,
    /// Enrollment ids newly "Past Due".
    pub enrollments_past_due: Vec<u64>,
}

/// What changed between day 0 and day `day` of the organisation built from `seed` and `spec`.
///
/// Status changes are found by comparing each record's state on both days with the same
/// functions the server renders from; on `large` that is a pass over every enrollment of the
/// campaigns still running on day 0.
pub fn day_changes(seed: u64, spec: &OrgSpec, day: u32) -> DayChanges {
    let before = Org::new(seed, spec);
    let after = Org::at(seed, spec, day);
    let mut out = DayChanges::default();
    for t in before.psts.len()..after.psts.len() {
        let m = &after.psts[t];
        out.new_psts.push(m.id);
        for k in 0..m.recipients() {
            out.new_recipients.push(after.recipient_id(t as u32, k));
            if after.recipient_clicked(t as u32, k) {
                out.new_clicked_recipients
                    .push(after.recipient_id(t as u32, k));
            }
        }
    }
    for t in 0..before.psts.len() as u32 {
        if before.pst_closed(t) != after.pst_closed(t) {
            out.psts_closed.push(after.psts[t as usize].id);
        }
    }
    for &p in after.archived_on.keys() {
        let id = after.user_id(p);
        out.archived_users.push(id);
        for (g, meta) in after.groups.iter().enumerate() {
            if meta.members.index_of(p).is_some() {
                out.memberships_removed.push((after.groups[g].id, id));
            }
        }
    }
    for (i, h) in after.hires.iter().enumerate() {
        let id = after.user_id(after.people() + i as u64);
        out.hired_users.push(id);
        if let Some(g) = h.group {
            out.memberships_added
                .push((after.groups[g as usize].id, id));
        }
    }
    for c in 0..before.trainings.len() as u32 {
        let (was, now) = (before.training_status(c), after.training_status(c));
        if was != now && now == TrainingStatus::Completed {
            out.training_campaigns_completed
                .push(after.trainings[c as usize].id);
        }
        if was != TrainingStatus::InProgress {
            continue;
        }
        for seg in &after.segments[after.trainings[c as usize].segments.clone()] {
            for e in seg.start..seg.start + seg.len() {
                let (old, new) = (before.enrollment_state(e), after.enrollment_state(e));
                if old.status == new.status {
                    continue;
                }
                let id = after.ids.enrollment + e;
                match new.status {
                    EnrollmentStatus::Passed => out.enrollments_passed.push(id),
                    EnrollmentStatus::PastDue => out.enrollments_past_due.push(id),
                    _ => {}
                }
            }
        }
    }
    for v in [
        &mut out.new_psts,
        &mut out.new_recipients,
        &mut out.new_clicked_recipients,
        &mut out.archived_users,
        &mut out.hired_users,
        &mut out.psts_closed,
        &mut out.training_campaigns_completed,
        &mut out.enrollments_passed,
        &mut out.enrollments_past_due,
    ] {
        v.sort_unstable();
    }
    out.memberships_added.sort_unstable();
    out.memberships_removed.sort_unstable();
    out
}

impl Org {
    /// Applies days `1..=day` to a freshly built organisation.
    pub(super) fn simulate_days(&mut self, day: u32) {
        let day = day.min(MAX_DAY);
        self.day = day;
        self.today = self.ref_day + day as i64;
        for k in 1..=day {
            if let Some(p) = self.pick_leaver(k) {
                self.archive(p, k);
            }
            self.hire(k);
            self.start_simulated_test(k);
        }
    }

    /// The active user archived on day `k`: never an account admin (the first two people),
    /// never a hire, never one already archived.
    fn pick_leaver(&self, k: u32) -> Option<u64> {
        let a = self.spec.active_users;
        let admins = a.min(2);
        let pool = a - admins;
        if pool <= self.archived_on.len() as u64 {
            return None;
        }
        let start = hash(self.seed, tag("sim-leaver"), k as u64) % pool;
        // At most `archived_on.len()` probes land on people already gone.
        (0..pool)
            .map(|j| admins + (start + j) % pool)
            .find(|p| !self.archived_on.contains_key(p))
    }

    fn archive(&mut self, p: u64, k: u32) {
        self.archived_on.insert(p, k);
        self.archived_order.push(p);
        for g in &mut self.groups {
            if let Some(pos) = g.members.index_of(p) {
                g.roster.remove(pos);
            }
        }
        self.active_roster.remove(p);
    }

    fn hire(&mut self, k: u32) {
        let p = self.people() + self.hires.len() as u64;
        // Joins an active console group that has members (some groups are kept empty).
        let open: Vec<u32> = (0..self.groups.len() as u32)
            .filter(|&g| {
                let m = &self.groups[g as usize];
                m.kind == GroupKind::Console && !m.archived && m.members.len > 0
            })
            .collect();
        let group = (!open.is_empty()).then(|| {
            open[(hash(self.seed, tag("sim-hire-group"), k as u64) % open.len() as u64) as usize]
        });
        if let Some(g) = group {
            self.groups[g as usize].roster.add(p);
        }
        self.active_roster.add(p);
        self.hires.push(Hire { day: k, group });
    }

    /// One test a day in a regular campaign (rotating over them), sent to whoever is in the
    /// campaign's target that day.
    fn start_simulated_test(&mut self, k: u32) {
        if self.phish_regular.is_empty() {
            return;
        }
        let c = self.phish_regular[(k as usize - 1) % self.phish_regular.len()];
        let active = match self.phish[c as usize].target {
            Target::AllUsers => self.active_roster.clone(),
            Target::Group(g) => self.groups[g as usize].roster.clone(),
        };
        let t = self.psts.len() as u64;
        let meta = PstMeta {
            id: self.ids.pst + t * 7,
            campaign: c,
            active,
            archived: Prog::over(0, 0, 1),
            deleted: Prog::over(0, 0, 1),
            first_recipient: self.total_recipients,
            start_day: self.ref_day + k as i64,
            simulated: true,
            counts: Default::default(),
        };
        self.total_recipients += meta.recipients();
        self.psts.push(meta);
        self.phish[c as usize].psts.push(t as u32);
    }

    /// The day (1-based) person `p` was archived by the simulation.
    pub fn archived_day(&self, p: u64) -> Option<u32> {
        self.archived_on.get(&p).copied()
    }

    /// The index among hires of person `p`, if the simulation hired them.
    pub fn hire_of(&self, p: u64) -> Option<usize> {
        let i = p.checked_sub(self.people())?;
        (i < self.hires.len() as u64).then_some(i as usize)
    }

    /// Entries held for simulated days, for tests that check nothing grows with the users.
    #[cfg(test)]
    pub fn simulated_entries(&self) -> usize {
        let roster = |r: &super::Roster| r.removed.len() + r.added.len();
        self.groups.iter().map(|g| roster(&g.roster)).sum::<usize>()
            + self.psts.iter().map(|t| roster(&t.active)).sum::<usize>()
            + roster(&self.active_roster)
            + self.archived_on.len()
            + self.archived_order.len()
            + self.hires.len()
    }
}
