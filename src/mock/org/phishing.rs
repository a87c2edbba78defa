//! Phishing campaigns, security tests (PSTs) and their recipients (the results).

use super::people::datetime;
use super::text::*;
use super::{Org, PhishMeta, Prog, PstCounts, PstMeta, Roster, Target};
use crate::mock::json::{self, Obj};
use crate::mock::rng::{Rng, tag};

/// What happened to one recipient; drawn first from the recipient's stream so counting and
/// rendering agree.
#[derive(Debug, Clone, Copy, Default)]
struct Events {
    delivered: bool,
    opened: bool,
    clicked: bool,
    replied: bool,
    attachment_opened: bool,
    macro_enabled: bool,
    data_entered: bool,
    qr_code_scanned: bool,
    reported: bool,
    bounced: bool,
}

fn draw_events(r: &mut Rng) -> Events {
    let bounced = r.chance(3);
    let delivered = !bounced;
    let opened = delivered && r.chance(45);
    let clicked = delivered && if opened { r.chance(30) } else { r.chance(5) };
    let replied = delivered && r.chance(2);
    let attachment_opened = delivered && r.chance(3);
    let macro_enabled = attachment_opened && r.chance(40);
    let data_entered = clicked && r.chance(35);
    let qr_code_scanned = delivered && r.chance(2);
    let reported = delivered && r.chance(12);
    Events {
        delivered,
        opened,
        clicked,
        replied,
        attachment_opened,
        macro_enabled,
        data_entered,
        qr_code_scanned,
        reported,
        bounced,
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

impl Org {
    pub(super) fn build_phishing(&mut self) {
        let (a, r_n, d_n) = (
            self.spec.active_users,
            self.spec.archived_users,
            self.spec.deleted_users,
        );
        let c_n = self.spec.phishing_campaigns;
        let p_n = self.spec.psts;
        for c in 0..c_n {
            let mut r = Rng::new(self.seed, tag("phish-campaign"), c);
            let callback = c_n >= 3 && c % 4 == 2;
            let target = if self.spec.phishing_to_all_users || self.groups.is_empty() || c % 3 != 1
            {
                Target::AllUsers
            } else {
                Target::Group(r.below(self.groups.len() as u64) as u32)
            };
            let names = self.spec.texts.pools().phish_campaign_names;
            let base = names[(c % names.len() as u64) as usize];
            let round = c / names.len() as u64;
            let name = if round == 0 {
                base.to_string()
            } else {
                format!("{base} ({})", round + 1)
            };
            let base_start = c * p_n / c_n;
            let psts: Vec<u32> = (base_start..(c + 1) * p_n / c_n)
                .map(|t| t as u32)
                .collect();
            let idx = self.phish.len() as u32;
            if callback {
                self.phish_callback.push(idx);
            } else {
                self.phish_regular.push(idx);
            }
            self.phish.push(PhishMeta {
                id: self.ids.phish_campaign + c,
                name,
                target,
                base_start,
                psts,
            });
        }
        let mut first_recipient = 0u64;
        for c in 0..self.phish.len() {
            for t in self.phish[c].psts.clone() {
                let t = t as u64;
                let mut r = Rng::new(self.seed, tag("pst"), t);
                let active = match self.phish[c].target {
                    Target::AllUsers => Prog::over(a, 0, 1),
                    Target::Group(g) => self.groups[g as usize].members,
                };
                let active = Roster::of(active);
                let back = ((p_n - 1 - t) * 21).min(3000) as i64;
                let meta = PstMeta {
                    id: self.ids.pst + t * 7,
                    campaign: c as u32,
                    active,
                    archived: Prog::over(r_n, t % 3, 3),
                    deleted: Prog::over(d_n, t % 2, 2),
                    first_recipient,
                    start_day: self.ref_day - 10 - back - r.below(5) as i64,
                    simulated: false,
                    counts: Default::default(),
                };
                first_recipient += meta.recipients();
                self.psts.push(meta);
            }
        }
        self.total_recipients = first_recipient;
    }

    pub fn phish_by_id(&self, id: u64) -> Option<u32> {
        let c = id.checked_sub(self.ids.phish_campaign)?;
        (c < self.phish.len() as u64).then_some(c as u32)
    }

    pub fn pst_by_id(&self, id: u64) -> Option<u32> {
        let d = id.checked_sub(self.ids.pst)?;
        (d % 7 == 0 && d / 7 < self.psts.len() as u64).then_some((d / 7) as u32)
    }

    /// The person index of test `t`'s `k`-th recipient.
    pub fn recipient_person(&self, t: u32, k: u64) -> u64 {
        let m = &self.psts[t as usize];
        let (a, b) = (m.active.len(), m.archived.len);
        if k < a {
            m.active.get(k)
        } else if k < a + b {
            self.spec.active_users + m.archived.get(k - a)
        } else {
            self.spec.active_users + self.spec.archived_users + m.deleted.get(k - a - b)
        }
    }

    pub fn recipient_id(&self, t: u32, k: u64) -> u64 {
        self.ids.recipient + self.psts[t as usize].first_recipient + k
    }

    /// Whether test `t`'s `k`-th recipient clicked, as its record shows.
    pub fn recipient_clicked(&self, t: u32, k: u64) -> bool {
        let global = self.psts[t as usize].first_recipient + k;
        draw_events(&mut Rng::new(self.seed, tag("recipient"), global)).clicked
    }

    /// `(test index, position)` of a recipient id within test `t`.
    pub fn recipient_by_id(&self, t: u32, id: u64) -> Option<u64> {
        let m = &self.psts[t as usize];
        let k = id
            .checked_sub(self.ids.recipient)?
            .checked_sub(m.first_recipient)?;
        (k < m.recipients()).then_some(k)
    }

    pub fn pst_counts(&self, t: u32) -> PstCounts {
        let m = &self.psts[t as usize];
        *m.counts.get_or_init(|| {
            let mut c = PstCounts::default();
            for k in 0..m.recipients() {
                let e = draw_events(&mut Rng::new(
                    self.seed,
                    tag("recipient"),
                    m.first_recipient + k,
                ));
                c.scheduled += 1;
                c.delivered += e.delivered as u64;
                c.opened += e.opened as u64;
                c.clicked += e.clicked as u64;
                c.replied += e.replied as u64;
                c.attachment_opened += e.attachment_opened as u64;
                c.macro_enabled += e.macro_enabled as u64;
                c.data_entered += e.data_entered as u64;
                c.qr_code_scanned += e.qr_code_scanned as u64;
                c.reported += e.reported as u64;
                c.bounced += e.bounced as u64;
            }
            c
        })
    }

    fn pst_ppp(&self, t: u32) -> f64 {
        let c = self.pst_counts(t);
        // Clicking, enabling macros and replying all count as failing the test.
        percent(
            (c.clicked + c.macro_enabled + c.replied).min(c.delivered),
            c.delivered,
        )
    }

    /// Tests close 14 days after they start.
    pub fn pst_closed(&self, t: u32) -> bool {
        self.today - self.psts[t as usize].start_day >= 14
    }

    fn pst_status(&self, t: u32) -> &'static str {
        if self.pst_closed(t) {
            "Closed"
        } else {
            "In Progress"
        }
    }

    /// (id, name) of the email template of test `t`; both null for a share of tests.
    fn pst_template(&self, t: u32) -> Option<(u64, &'static str)> {
        let mut r = Rng::new(self.seed, tag("pst-template"), t as u64);
        let templates = self.spec.texts.pools().templates;
        let i = r.below(templates.len() as u64);
        (!self.drifted("pst-template-null", t as u64, 4))
            .then(|| (40_000 + i * 13, templates[i as usize]))
    }

    fn render_template(tpl: Option<(u64, &'static str)>, buf: &mut Vec<u8>) {
        let mut o = Obj::new(buf);
        o.opt_uint("id", tpl.map(|t| t.0))
            .opt_str("name", tpl.map(|t| t.1));
        o.end();
    }

    pub fn render_phish_campaign(&self, c: u32, buf: &mut Vec<u8>) {
        let m = &self.phish[c as usize];
        let mut r = Rng::new(self.seed, tag("phish-campaign-render"), c as u64);
        let last = m.psts.last().copied();
        let mut o = Obj::new(buf);
        o.uint("campaign_id", m.id).str("name", &m.name);
        o.with("groups", |b| {
            json::array(b, [m.target], |b, t| self.render_group_ref(t, b))
        });
        o.opt_float("last_phish_prone_percentage", last.map(|t| self.pst_ppp(t)));
        let last_run = last.map(|t| datetime(self.psts[t as usize].start_day, 9 * 3600));
        o.opt_str("last_run", last_run.as_deref());
        // Only campaigns with day-0 tests draw this, so a first simulated test leaves the
        // campaign's other draws as they were.
        let had_tests = m.psts.first().is_some_and(|&t| (t as u64) < self.spec.psts);
        let status = match last {
            None => "Created",
            Some(_) if had_tests && r.chance(5) => "Error",
            Some(t) => self.pst_status(t),
        };
        o.str("status", status);
        o.bool("hidden", r.chance(10));
        o.str(
            "send_duration",
            r.pick_str(&["3 Business Days", "1 Day", "Immediately", "2 Weeks"]),
        );
        o.str(
            "track_duration",
            r.pick_str(&["3 Days", "7 Days", "14 Days"]),
        );
        o.str(
            "frequency",
            r.pick_str(&["One Time", "Weekly", "Monthly", "Quarterly"]),
        );
        let lo = 1 + r.below(3) as i64;
        let hi = lo + r.below(3) as i64;
        o.with("difficulty_filter", |b| {
            json::array(b, lo..=hi.min(5), json::int)
        });
        // Only day-0 tests date the campaign's creation, whatever came later.
        let first_day = self
            .psts
            .get(m.base_start as usize)
            .filter(|_| m.base_start < self.spec.psts)
            .map_or(self.ref_day - 3, |p| p.start_day);
        o.str(
            "create_date",
            &datetime(first_day - 1 - r.below(20) as i64, r.next()),
        );
        o.uint("psts_count", m.psts.len() as u64);
        o.with("psts", |b| {
            json::array(b, m.psts.iter().copied(), |b, t| {
                let p = &self.psts[t as usize];
                let mut o = Obj::new(b);
                o.uint("pst_id", p.id).str("status", self.pst_status(t));
                o.str("start_date", &datetime(p.start_day, 9 * 3600));
                let null_count = self.drifted("pst-users-count-null", t as u64, 3);
                o.opt_uint("users_count", (!null_count).then(|| p.recipients()));
                o.float("phish_prone_percentage", self.pst_ppp(t));
                o.end();
            })
        });
        o.end();
    }

    pub fn render_pst(&self, t: u32, buf: &mut Vec<u8>) {
        let p = &self.psts[t as usize];
        let campaign = &self.phish[p.campaign as usize];
        let c = self.pst_counts(t);
        let mut r = Rng::new(self.seed, tag("pst-render"), t as u64);
        let old = self.drifted("psts", t as u64, 3);
        let mut o = Obj::new(buf);
        o.uint("campaign_id", campaign.id)
            .uint("pst_id", p.id)
            .str("status", self.pst_status(t));
        let seq = campaign.psts.binary_search(&t).map_or(0, |i| i + 1);
        o.str("name", &format!("{} #{seq}", campaign.name));
        o.with("groups", |b| {
            json::array(b, [campaign.target], |b, g| self.render_group_ref(g, b))
        });
        o.float("phish_prone_percentage", self.pst_ppp(t));
        o.str("started_at", &datetime(p.start_day, 9 * 3600));
        o.uint("duration", [1, 3, 7, 14][r.below(4) as usize]);
        let first_cat = r.below(CATEGORIES.len() as u64);
        let n_cat = 1 + r.below(2);
        o.with("categories", |b| {
            json::array(b, 0..n_cat, |b, i| {
                let ci = (first_cat + i) % CATEGORIES.len() as u64;
                let mut o = Obj::new(b);
                o.uint("category_id", 300 + ci)
                    .str("name", CATEGORIES[ci as usize]);
                o.end();
            })
        });
        o.with("template", |b| {
            Self::render_template(self.pst_template(t), b)
        });
        let lp = r.below(LANDING_PAGES.len() as u64);
        o.with(if old { "landing-page" } else { "landing_page" }, |b| {
            let mut o = Obj::new(b);
            o.uint("id", 900 + lp)
                .str("name", LANDING_PAGES[lp as usize]);
            o.end();
        });
        o.uint("scheduled_count", c.scheduled)
            .uint("delivered_count", c.delivered)
            .uint("opened_count", c.opened)
            .uint("clicked_count", c.clicked)
            .uint("replied_count", c.replied)
            .uint("attachment_open_count", c.attachment_opened)
            .uint("macro_enabled_count", c.macro_enabled)
            .uint("data_entered_count", c.data_entered);
        if old {
            o.uint("vulnerable_plugin_count", 0)
                .uint("exploited_count", 0);
            o.uint("reported_count", c.reported);
        } else {
            o.uint("qr_code_scanned_count", c.qr_code_scanned)
                .uint("reported_count", c.reported)
                .uint("bounced_count", c.bounced);
        }
        if self.drifted("psts-extra", t as u64, 4) {
            // A field added by a newer API version.
            o.bool("ai_generated", r.chance(50));
        }
        o.end();
    }

    pub fn render_recipient(&self, t: u32, k: u64, buf: &mut Vec<u8>) {
        let p = &self.psts[t as usize];
        let global = p.first_recipient + k;
        let mut r = Rng::new(self.seed, tag("recipient"), global);
        let e = draw_events(&mut r);
        let old = self.drifted("recipients", global, 11);
        let person = self.recipient_person(t, k);
        // Simulated tests send and collect everything on their first day, so a day's results
        // never lie after the day they are served on.
        let (spread, gap) = if p.simulated {
            (2 * 3600, 30)
        } else {
            (3 * 86_400, 240)
        };
        let scheduled = (p.start_day * 86_400 + 8 * 3600 + r.below(spread) as i64) * 1000;
        let mut clock = scheduled;
        // Each event happens some minutes after the previous one, so timelines stay ordered.
        let mut at = |r: &mut Rng, happened: bool| -> Option<String> {
            if !happened {
                return None;
            }
            clock += (1 + r.below(gap) as i64) * 60_000 + r.below(1000) as i64;
            Some(crate::timefmt::format_datetime_millis(clock))
        };
        let delivered = at(&mut r, e.delivered);
        let opened = at(&mut r, e.opened);
        let clicked = at(&mut r, e.clicked);
        let replied = at(&mut r, e.replied);
        let attachment = at(&mut r, e.attachment_opened);
        let macro_enabled = at(&mut r, e.macro_enabled);
        let data = at(&mut r, e.data_entered);
        let qr = at(&mut r, e.qr_code_scanned);
        let reported = at(&mut r, e.reported);
        let bounced = at(&mut r, e.bounced);
        let mut o = Obj::new(buf);
        o.uint("recipient_id", self.ids.recipient + global)
            .uint("pst_id", p.id);
        o.with("user", |b| self.render_recipient_user(person, old, b));
        o.with("template", |b| {
            Self::render_template(self.pst_template(t), b)
        });
        o.str(
            "scheduled_at",
            &crate::timefmt::format_datetime_millis(scheduled),
        );
        o.opt_str("delivered_at", delivered.as_deref())
            .opt_str("opened_at", opened.as_deref())
            .opt_str("clicked_at", clicked.as_deref())
            .opt_str("replied_at", replied.as_deref())
            .opt_str("attachment_opened_at", attachment.as_deref())
            .opt_str("macro_enabled_at", macro_enabled.as_deref())
            .opt_str("data_entered_at", data.as_deref());
        if old {
            o.opt_str("reported_at", reported.as_deref())
                .null("vulnerable-plugins_at")
                .null("exploited_at");
        } else {
            o.opt_str("qr_code_scanned", qr.as_deref())
                .opt_str("reported_at", reported.as_deref())
                .opt_str("bounced_at", bounced.as_deref());
        }
        let seen = e.opened || e.clicked;
        let ip = seen.then(|| format!("203.0.{}.{}", r.below(256), 1 + r.below(254)));
        o.opt_str("ip", ip.as_deref());
        let ip_loc = seen.then(|| *r.pick(IP_LOCATIONS));
        o.opt_str("ip_location", ip_loc);
        let browser = seen.then(|| *r.pick(BROWSERS));
        o.opt_str("browser", browser.map(|b| b.0))
            .opt_str("browser_version", browser.map(|b| b.1));
        let os = seen.then(|| *r.pick(OSES));
        o.opt_str("os", os);
        if self.drifted("recipients-extra", global, 13) {
            // A field added by a newer API version.
            o.opt_str("reported_via", e.reported.then_some("Phish Alert Button"));
        }
        o.end();
    }
}
