//! Training: store purchases, uploaded policies, training campaigns and enrollments.

use super::people::{PersonKind, date, datetime};
use super::{ContentStyle, ModuleRef, Org, Prog, Segment, Target, TrainingMeta};
use crate::mock::json::{self, Obj};
use crate::mock::rng::{Rng, hash, tag};

/// Shared by two store purchases and a policy: modules matched by name collide.
pub const COLLIDING_MODULE_NAME: &str = "Security Awareness Training 2025";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentStatus {
    Passed,
    InProgress,
    NotStarted,
    PastDue,
}

impl EnrollmentStatus {
    fn api_name(self) -> &'static str {
        match self {
            EnrollmentStatus::Passed => "Passed",
            EnrollmentStatus::InProgress => "In Progress",
            EnrollmentStatus::NotStarted => "Not Started",
            EnrollmentStatus::PastDue => "Past Due",
        }
    }
}

/// A training campaign's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingStatus {
    InProgress,
    Completed,
    Closed,
}

impl TrainingStatus {
    fn api_name(self) -> &'static str {
        match self {
            TrainingStatus::InProgress => "In Progress",
            TrainingStatus::Completed => "Completed",
            TrainingStatus::Closed => "Closed",
        }
    }
}

/// What decides a campaign's status on any day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrainingPlan {
    pub end_day: Option<i64>,
    /// Closed by an admin before the reference day (final).
    pub closed: bool,
}

impl TrainingPlan {
    /// The status shown on `today` by an account whose history was generated up to `ref_day`.
    pub fn status_on(&self, ref_day: i64, today: i64) -> TrainingStatus {
        match self.end_day {
            Some(end) if end < ref_day => TrainingStatus::Completed,
            _ if self.closed => TrainingStatus::Closed,
            Some(end) if end < today => TrainingStatus::Completed,
            _ => TrainingStatus::InProgress,
        }
    }
}

/// Simulated progress spreads each pending enrollment's pass day over this many days (about
/// 1% of them a day).
const PROGRESS_DAYS: u64 = 100;

/// An enrollment on the organisation's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrollmentState {
    /// As on day 0 (what the record's other generated fields follow).
    pub base: EnrollmentStatus,
    pub status: EnrollmentStatus,
    /// The day a simulated day passed it.
    pub passed_on: Option<i64>,
}

/// Filters of `/v1/training/enrollments`, ids as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnrollmentFilter {
    pub campaign_id: Option<u64>,
    pub store_purchase_id: Option<u64>,
    pub user_id: Option<u64>,
    pub exclude_archived_users: bool,
}

/// Which optional fields enrollment rows carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnrollmentFields {
    pub campaign_id: bool,
    pub store_purchase_id: bool,
    pub employee_number: bool,
}

/// A listing made of runs of enrollment indices, addressed by position.
#[derive(Debug, Default)]
pub struct IndexRanges {
    runs: Vec<(u64, u64)>,
    /// Position of each run's first item in the listing.
    starts: Vec<u64>,
    total: u64,
}

impl IndexRanges {
    fn push(&mut self, start: u64, len: u64) {
        if len > 0 {
            self.runs.push((start, len));
            self.starts.push(self.total);
            self.total += len;
        }
    }

    pub fn len(&self) -> u64 {
        self.total
    }

    /// Pushes `start..start + len` except the sorted offsets in `skip`.
    fn push_except(&mut self, start: u64, len: u64, skip: &[u64]) {
        let mut from = 0;
        for &s in skip {
            self.push(start + from, s - from);
            from = s + 1;
        }
        self.push(start + from, len - from);
    }

    pub fn get(&self, i: u64) -> u64 {
        let r = self.starts.partition_point(|&s| s <= i) - 1;
        self.runs[r].0 + (i - self.starts[r])
    }
}

impl Org {
    pub(super) fn build_training(&mut self) {
        let (a, arch) = (self.spec.active_users, self.spec.archived_users);
        let (s_n, p_n) = (self.spec.store_purchases as u32, self.spec.policies as u32);
        let t_n = self.spec.training_campaigns;
        let phase = hash(self.seed, tag("training-style"), 0);
        let mut next_start = 0u64;
        for c in 0..t_n {
            let mut r = Rng::new(self.seed, tag("training"), c);
            let target = if self.groups.is_empty() || c % 6 == 0 {
                Target::AllUsers
            } else {
                Target::Group(r.below(self.groups.len() as u64) as u32)
            };
            // Every account of four campaigns or more shows each content shape at least once,
            // whatever the seed; later campaigns take one by seed.
            let mut style = match (c.wrapping_add(phase)) % 5 {
                _ if c < 2 => ContentStyle::Flat,
                _ if c == 2 => ContentStyle::Nested,
                _ if c == 3 => ContentStyle::Modules,
                3 => ContentStyle::Nested,
                4 => ContentStyle::Modules,
                _ => ContentStyle::Flat,
            };
            let mut content = Vec::new();
            match c {
                // The first two campaigns hold the modules that share a name.
                0 if s_n > 0 => content.push(ModuleRef::Purchase(0)),
                0 if p_n > 0 => content.push(ModuleRef::Policy(0)),
                1 => {
                    if s_n > 1 {
                        content.push(ModuleRef::Purchase(1));
                    }
                    if p_n > 0 {
                        content.push(ModuleRef::Policy(0));
                    }
                }
                _ => {}
            }
            if content.is_empty() && s_n + p_n > 0 {
                let n = if target == Target::AllUsers {
                    1
                } else {
                    1 + r.below(3)
                };
                for _ in 0..n {
                    let purchase =
                        s_n > 0 && (p_n == 0 || style == ContentStyle::Modules || r.chance(75));
                    let m = if purchase {
                        ModuleRef::Purchase(r.below(s_n as u64) as u32)
                    } else {
                        ModuleRef::Policy(r.below(p_n as u64) as u32)
                    };
                    if !content.contains(&m) {
                        content.push(m);
                    }
                }
            }
            if style == ContentStyle::Modules
                && (content.is_empty() || content.iter().any(|m| matches!(m, ModuleRef::Policy(_))))
            {
                style = ContentStyle::Flat;
            }
            let active = match target {
                Target::AllUsers => Prog::over(a, 0, 1),
                Target::Group(g) => self.groups[g as usize].members,
            };
            let first_segment = self.segments.len();
            for &module in &content {
                let seg = Segment {
                    campaign: c as u32,
                    module,
                    start: next_start,
                    active,
                    archived: Prog::over(arch, c % 4, 4),
                    reenrolled: Prog::over(active.len, r.below(29), 29),
                };
                next_start += seg.len();
                self.segments.push(seg);
            }
            let names = self.spec.texts.pools().training_campaign_names;
            let base = names[(c % names.len() as u64) as usize];
            let round = c / names.len() as u64;
            let name = if round == 0 {
                base.to_string()
            } else {
                format!("{base} {}", round + 1)
            };
            let start_day = self.ref_day - 15 - ((t_n - 1 - c) * 20).min(3000) as i64;
            let plan = self.training_schedule(c as u32, start_day).1;
            self.trainings.push(TrainingMeta {
                id: self.ids.training + c * 5,
                name,
                target,
                content,
                style,
                unknown_item: style != ContentStyle::Modules
                    && (c == 1 || (c.wrapping_add(phase)) % 7 == 5),
                start_day,
                plan,
                segments: first_segment..self.segments.len(),
                completion: Default::default(),
            });
        }
        self.total_enrollments = next_start;
    }

    pub fn purchase_by_id(&self, id: u64) -> Option<u32> {
        let d = id.checked_sub(self.ids.purchase)?;
        (d % 11 == 0 && d / 11 < self.spec.store_purchases).then_some((d / 11) as u32)
    }

    pub fn policy_by_id(&self, id: u64) -> Option<u32> {
        let d = id.checked_sub(self.ids.policy)?;
        (d % 3 == 0 && d / 3 < self.spec.policies).then_some((d / 3) as u32)
    }

    pub fn training_by_id(&self, id: u64) -> Option<u32> {
        let d = id.checked_sub(self.ids.training)?;
        (d % 5 == 0 && d / 5 < self.trainings.len() as u64).then_some((d / 5) as u32)
    }

    pub fn enrollment_by_id(&self, id: u64) -> Option<u64> {
        let e = id.checked_sub(self.ids.enrollment)?;
        (e < self.total_enrollments).then_some(e)
    }

    fn module_id(&self, m: ModuleRef) -> u64 {
        match m {
            ModuleRef::Purchase(i) => self.ids.purchase + i as u64 * 11,
            ModuleRef::Policy(i) => self.ids.policy + i as u64 * 3,
        }
    }

    fn module_name(&self, m: ModuleRef) -> String {
        match m {
            ModuleRef::Purchase(0 | 1) | ModuleRef::Policy(0) => COLLIDING_MODULE_NAME.to_string(),
            ModuleRef::Purchase(i) => {
                let names = self.spec.texts.pools().module_names;
                let n = names.len() as u32;
                let base = names[(i % n) as usize];
                if i < n {
                    base.to_string()
                } else {
                    format!("{base} (v{})", i / n + 1)
                }
            }
            ModuleRef::Policy(i) => {
                let names = self.spec.texts.pools().policy_names;
                let n = names.len() as u32;
                let base = names[(i % n) as usize];
                if i < n {
                    base.to_string()
                } else {
                    format!("{base} (v{})", i / n + 1)
                }
            }
        }
    }

    pub fn render_purchase(&self, i: u32, buf: &mut Vec<u8>) {
        let mut r = Rng::new(self.seed, tag("purchase"), i as u64);
        let old = self.drifted("purchases", i as u64, 3);
        let m = ModuleRef::Purchase(i);
        let mut o = Obj::new(buf);
        o.uint(
            if old {
                "store_purchased_id"
            } else {
                "store_purchase_id"
            },
            self.module_id(m),
        );
        o.str("content_type", "Store Purchase")
            .str("name", &self.module_name(m));
        let desc = r.chance(85).then_some(
            "Learn to spot \"red flags\", report them, and stay safe.\nIncludes a quiz.",
        );
        o.opt_str("description", desc);
        o.str(
            "type",
            r.pick_str(&[
                "Training Module",
                "Training Module",
                "Video Module",
                "Game",
                "Assessment",
            ]),
        );
        o.uint("duration", 5 + r.below(55));
        let retired = r.chance(15);
        o.bool("retired", retired);
        let retirement = retired.then(|| date(self.ref_day - r.below(200) as i64));
        o.opt_str("retirement_date", retirement.as_deref());
        o.str(
            "publish_date",
            &datetime(self.ref_day - 400 - r.below(1500) as i64, 0),
        );
        o.str(
            "publisher",
            r.pick_str(&[
                "KnowBe4",
                "KnowBe4",
                "The Security Awareness Company",
                "Twist & Shout",
            ]),
        );
        o.str(
            "purchase_date",
            &datetime(self.ref_day - 30 - r.below(700) as i64, r.next()),
        );
        o.null("policy_url");
        o.end();
    }

    /// A policy as `/v1/training/policies` lists it (`in_content`: as campaign content shows it).
    pub fn render_policy(&self, i: u32, in_content: bool, buf: &mut Vec<u8>) {
        let mut r = Rng::new(self.seed, tag("policy"), i as u64);
        let m = ModuleRef::Policy(i);
        let mut o = Obj::new(buf);
        o.uint("policy_id", self.module_id(m));
        o.str("content_type", "Uploaded Policy")
            .str("name", &self.module_name(m));
        o.uint("minimum_time", 1 + r.below(10));
        o.str(
            "default_language",
            r.pick_str(&["en-us", "en-gb", "de-de", "he"]),
        );
        let published = !r.chance(20);
        if in_content {
            o.bool("published", published);
        } else {
            o.uint("status", published as u64);
        }
        o.end();
    }

    fn render_module(&self, m: ModuleRef, buf: &mut Vec<u8>) {
        match m {
            ModuleRef::Purchase(i) => self.render_purchase(i, buf),
            ModuleRef::Policy(i) => self.render_policy(i, true, buf),
        }
    }

    /// (passed, total) enrollments of campaign `c`.
    pub(crate) fn completion(&self, c: u32) -> (u64, u64) {
        let t = &self.trainings[c as usize];
        *t.completion.get_or_init(|| {
            let mut passed = 0;
            let mut total = 0;
            for seg in &self.segments[t.segments.clone()] {
                let reenrolled_from = seg.start + seg.active.len + seg.archived.len;
                for e in seg.start..seg.start + seg.len() {
                    passed += (self
                        .enrollment_state_in(seg, e, e >= reenrolled_from)
                        .status
                        == EnrollmentStatus::Passed) as u64;
                }
                total += seg.len();
            }
            (passed, total)
        })
    }

    /// The draws that open a campaign's record (duration type, end day, closed by an admin),
    /// with the stream positioned for the rest of the record.
    fn training_schedule(&self, c: u32, start_day: i64) -> (&'static str, TrainingPlan, Rng) {
        let mut r = Rng::new(self.seed, tag("training-render"), c as u64);
        let (duration_type, days) = match r.below(3) {
            0 => ("Specific End Date", Some(30 + r.below(60) as i64)),
            1 => ("Relative Duration", None),
            _ => ("No End Date", None),
        };
        let end_day = days.map(|d| start_day + d);
        // Campaigns already over on the reference day never drew this.
        let closed = end_day.is_none_or(|end| end >= self.ref_day) && r.chance(10);
        (duration_type, TrainingPlan { end_day, closed }, r)
    }

    pub fn training_status(&self, c: u32) -> TrainingStatus {
        self.trainings[c as usize]
            .plan
            .status_on(self.ref_day, self.today)
    }

    pub fn render_training(&self, c: u32, with_percentages: bool, buf: &mut Vec<u8>) {
        let t = &self.trainings[c as usize];
        let (duration_type, plan, mut r) = self.training_schedule(c, t.start_day);
        let mut o = Obj::new(buf);
        o.uint("campaign_id", t.id).str("name", &t.name);
        o.with("groups", |b| {
            json::array(b, [t.target], |b, g| self.render_group_ref(g, b))
        });
        let end_day = plan.end_day;
        o.str(
            "status",
            plan.status_on(self.ref_day, self.today).api_name(),
        );
        let items = |b: &mut Vec<u8>| {
            json::array(
                b,
                t.content
                    .iter()
                    .map(Some)
                    .chain(t.unknown_item.then_some(None)),
                |b, m| match m {
                    Some(m) => self.render_module(*m, b),
                    None => {
                        let mut o = Obj::new(b);
                        o.uint("content_id", 990_000 + c as u64);
                        o.end();
                    }
                },
            )
        };
        match t.style {
            ContentStyle::Flat => {
                o.with("content", items);
            }
            ContentStyle::Nested => {
                o.with("content", |b| {
                    b.push(b'[');
                    items(b);
                    b.push(b']');
                });
            }
            ContentStyle::Modules => {
                o.with("modules", items);
            }
        }
        o.str("duration_type", duration_type);
        o.str("start_date", &datetime(t.start_day, 8 * 3600));
        let end = end_day.map(|d| datetime(d, 23 * 3600));
        o.opt_str("end_date", end.as_deref());
        let relative = (duration_type == "Relative Duration")
            .then(|| format!("{} days", 7 * (1 + r.below(8))));
        o.opt_str("relative_duration", relative.as_deref());
        o.bool("auto_enroll", r.chance(60));
        o.bool("allow_multiple_enrollments", r.chance(30));
        if with_percentages {
            let (passed, total) = self.completion(c);
            let pct = if total == 0 {
                0.0
            } else {
                passed as f64 * 100.0 / total as f64
            };
            o.float("completion_percentage", pct);
        }
        if self.drifted("trainings-extra", c as u64, 4) {
            // A field added by a newer API version.
            o.bool("notify_managers", r.chance(50));
        }
        o.end();
    }

    fn segment_of(&self, e: u64) -> &Segment {
        let s = self.segments.partition_point(|s| s.start <= e) - 1;
        &self.segments[s]
    }

    /// (person index, is a re-enrollment) of enrollment `e`.
    fn enrollee(&self, seg: &Segment, e: u64) -> (u64, bool) {
        let off = e - seg.start;
        let (a, b) = (seg.active.len, seg.archived.len);
        if off < a {
            (seg.active.get(off), false)
        } else if off < a + b {
            (self.spec.active_users + seg.archived.get(off - a), false)
        } else {
            (seg.active.get(seg.reenrolled.get(off - a - b)), true)
        }
    }

    fn enrollment_status(&self, e: u64, reenrollment: bool) -> EnrollmentStatus {
        let roll = Rng::new(self.seed, tag("enrollment"), e).below(100);
        let cut = if reenrollment {
            [30, 70, 100]
        } else {
            [55, 70, 88]
        };
        if roll < cut[0] {
            EnrollmentStatus::Passed
        } else if roll < cut[1] {
            EnrollmentStatus::InProgress
        } else if roll < cut[2] {
            EnrollmentStatus::NotStarted
        } else {
            EnrollmentStatus::PastDue
        }
    }

    /// Enrollment `e` on the organisation's day.
    pub fn enrollment_state(&self, e: u64) -> EnrollmentState {
        let seg = self.segment_of(e);
        let re = e >= seg.start + seg.active.len + seg.archived.len;
        self.enrollment_state_in(seg, e, re)
    }

    fn enrollment_state_in(&self, seg: &Segment, e: u64, reenrollment: bool) -> EnrollmentState {
        let base = self.enrollment_status(e, reenrollment);
        let mut st = EnrollmentState {
            base,
            status: base,
            passed_on: None,
        };
        if base == EnrollmentStatus::Passed || self.day == 0 {
            return st;
        }
        let plan = self.trainings[seg.campaign as usize].plan;
        let k = 1 + hash(self.seed, tag("enrollment-progress"), e) % PROGRESS_DAYS;
        let pass_day = self.ref_day + k as i64;
        // Only people still at the company train; a campaign that ended or was closed is final.
        let (p, _) = self.enrollee(seg, e);
        let can_pass = p < self.spec.active_users
            && !self.enrollment_user_is_null(e)
            && self.archived_day(p).is_none_or(|gone| gone as u64 > k);
        if can_pass
            && k <= self.day as u64
            && plan.status_on(self.ref_day, pass_day) == TrainingStatus::InProgress
        {
            st.status = EnrollmentStatus::Passed;
            st.passed_on = Some(pass_day);
        } else if matches!(
            base,
            EnrollmentStatus::InProgress | EnrollmentStatus::NotStarted
        ) && !plan.closed
            && plan
                .end_day
                .is_some_and(|end| end >= self.ref_day && end < self.today)
        {
            st.status = EnrollmentStatus::PastDue;
        }
        st
    }

    /// Enrollments whose user was deleted come back with `"user": null`.
    fn enrollment_user_is_null(&self, e: u64) -> bool {
        self.drifted("enrollment-null-user", e, 197)
    }

    /// The enrollment indices a filtered listing serves, in order.
    pub fn enrollment_listing(&self, f: &EnrollmentFilter) -> IndexRanges {
        let mut out = IndexRanges::default();
        let segments = match f.campaign_id {
            None => 0..self.segments.len(),
            Some(id) => match self.training_by_id(id) {
                Some(c) => self.trainings[c as usize].segments.clone(),
                None => return out,
            },
        };
        let module = match f.store_purchase_id {
            None => None,
            Some(id) => match self.purchase_by_id(id) {
                Some(i) => Some(ModuleRef::Purchase(i)),
                None => return out,
            },
        };
        let user = match f.user_id {
            None => None,
            Some(id) => match self.person_of(id) {
                // Hires are enrolled in nothing yet.
                Some(p) if self.hire_of(p).is_some() => return out,
                Some(p) if f.exclude_archived_users && self.archived_day(p).is_some() => {
                    return out;
                }
                Some(p) if self.kind_of(p) != PersonKind::Deleted => Some(p),
                _ => return out,
            },
        };
        for seg in &self.segments[segments] {
            if module.is_some_and(|m| m != seg.module) {
                continue;
            }
            let (a, b) = (seg.active.len, seg.archived.len);
            match user {
                Some(p) if p < self.spec.active_users => {
                    if let Some(k) = seg.active.index_of(p) {
                        for e in [
                            Some(seg.start + k),
                            seg.reenrolled.index_of(k).map(|i| seg.start + a + b + i),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            if !self.enrollment_user_is_null(e) {
                                out.push(e, 1);
                            }
                        }
                    }
                }
                Some(p) => {
                    if !f.exclude_archived_users
                        && let Some(j) = seg.archived.index_of(p - self.spec.active_users)
                        && !self.enrollment_user_is_null(seg.start + a + j)
                    {
                        out.push(seg.start + a + j, 1);
                    }
                }
                None if f.exclude_archived_users => {
                    // Targets archived by a simulated day leave holes (sorted offsets); rows
                    // already showing a deleted user stay, as they do for everyone else.
                    let positions: std::collections::BTreeSet<u64> = self
                        .archived_order
                        .iter()
                        .filter_map(|&p| seg.active.index_of(p))
                        .collect();
                    let gone: Vec<u64> = positions
                        .iter()
                        .copied()
                        .filter(|&k| !self.enrollment_user_is_null(seg.start + k))
                        .collect();
                    let gone_again: Vec<u64> = positions
                        .iter()
                        .filter_map(|&k| seg.reenrolled.index_of(k))
                        .filter(|&j| !self.enrollment_user_is_null(seg.start + a + b + j))
                        .collect();
                    out.push_except(seg.start, a, &gone);
                    out.push_except(seg.start + a + b, seg.reenrolled.len, &gone_again);
                }
                None => out.push(seg.start, seg.len()),
            }
        }
        out
    }

    pub fn render_enrollment(&self, e: u64, fields: EnrollmentFields, buf: &mut Vec<u8>) {
        let seg = self.segment_of(e);
        let (p, re) = self.enrollee(seg, e);
        let state = self.enrollment_state_in(seg, e, re);
        // Every draw follows the day-0 status so a record keeps its history; simulated changes
        // are laid over it below.
        let status = state.base;
        let t = &self.trainings[seg.campaign as usize];
        let mut r = Rng::new(self.seed, tag("enrollment-render"), e);
        let mut o = Obj::new(buf);
        o.uint("enrollment_id", self.ids.enrollment + e);
        o.str(
            "content_type",
            match seg.module {
                ModuleRef::Purchase(_) => "Store Purchase",
                ModuleRef::Policy(_) => "Uploaded Policy",
            },
        );
        o.str("module_name", &self.module_name(seg.module));
        if self.enrollment_user_is_null(e) {
            o.null("user");
        } else {
            let person = self.person(p);
            o.with("user", |b| {
                let mut u = Obj::new(b);
                u.uint("id", person.id)
                    .str("first_name", person.first)
                    .str("last_name", person.last)
                    .str("email", &person.email);
                if fields.employee_number {
                    let n = person
                        .employee_number
                        .as_deref()
                        .and_then(|n| n.parse::<u64>().ok());
                    u.opt_uint("employee_number", n);
                }
                u.end();
            });
        }
        o.str("campaign_name", &t.name);
        let enrolled = t.start_day
            + if re {
                60 + r.below(30) as i64
            } else {
                r.below(3) as i64
            };
        o.str("enrollment_date", &datetime(enrolled, r.next()));
        let started =
            (status != EnrollmentStatus::NotStarted).then(|| enrolled + r.below(20) as i64);
        let mut start_at = started.map(|d| (d, r.next()));
        let completed = (status == EnrollmentStatus::Passed)
            .then(|| started.unwrap_or(enrolled) + r.below(10) as i64);
        let mut completed_at = completed.map(|d| (d, r.next()));
        let mut spent = match status {
            EnrollmentStatus::Passed => 300 + r.below(3300),
            EnrollmentStatus::InProgress | EnrollmentStatus::PastDue => r.below(1200),
            EnrollmentStatus::NotStarted => 0,
        };
        if let Some(day) = state.passed_on {
            // Finished during the working hours of its pass day, started that day at the latest.
            let mut s = Rng::new(self.seed, tag("enrollment-progress-render"), e);
            let done = 10 * 3600 + s.below(7 * 3600);
            start_at = match start_at {
                Some((d, sec)) if d < day => Some((d, sec)),
                _ => Some((day, 8 * 3600 + s.below(3600))),
            };
            completed_at = Some((day, done));
            spent = spent.max(300 + s.below(3300));
        }
        o.opt_str(
            "start_date",
            start_at.map(|(d, sec)| datetime(d, sec)).as_deref(),
        );
        o.opt_str(
            "completion_date",
            completed_at.map(|(d, sec)| datetime(d, sec)).as_deref(),
        );
        let status = state.status;
        o.str("status", status.api_name());
        o.uint("time_spent", spent);
        let is_policy = matches!(seg.module, ModuleRef::Policy(_));
        o.bool(
            "policy_acknowledged",
            is_policy && status == EnrollmentStatus::Passed,
        );
        if fields.campaign_id {
            o.uint("campaign_id", t.id);
        }
        if fields.store_purchase_id {
            o.opt_uint(
                "store_purchase_id",
                (!is_policy).then(|| self.module_id(seg.module)),
            );
        }
        if self.drifted("enrollments-extra", e, 17) {
            // A field added by a newer API version.
            let url = completed_at.map(|_| {
                format!(
                    "https://training.knowbe4.com/certificates/{}",
                    self.ids.enrollment + e
                )
            });
            o.opt_str("certificate_url", url.as_deref());
        }
        o.end();
    }
}
