//! Simulated days: what a later day serves differs from day 0 exactly as `day_changes` says.

use std::collections::{BTreeMap, BTreeSet};

use super::org::Org;
use super::server::App;
use super::tests::{all_pages, get};
use super::*;
use serde_json::Value;

fn app_at(seed: u64, spec: &OrgSpec, day: u32) -> App {
    let mut c = MockConfig::new(seed, Profile::Small);
    c.org = spec.clone();
    c.day = day;
    App::new(c)
}

fn id(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing: {v}"))
}

async fn by_id(app: &App, url: &str, key: &str) -> BTreeMap<u64, Value> {
    let items = all_pages(app, url, 500).await;
    let n = items.len();
    let map: BTreeMap<u64, Value> = items.into_iter().map(|v| (id(&v, key), v)).collect();
    assert_eq!(map.len(), n, "{url}: ids are unique");
    map
}

fn keys(m: &BTreeMap<u64, Value>) -> BTreeSet<u64> {
    m.keys().copied().collect()
}

fn sorted(s: impl IntoIterator<Item = u64>) -> Vec<u64> {
    s.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
}

/// The calendar date of simulated day `k`.
fn date_of(k: u32) -> String {
    crate::timefmt::format_date(crate::timefmt::civil_to_days(2025, 9, 30) + k as i64)
}

/// The simulated day (1..=day) a timestamp falls on, or a failure naming the field.
fn sim_day(v: &Value, field: &str, day: u32) -> u32 {
    let s = v[field].as_str().unwrap_or_else(|| panic!("{field}: {v}"));
    (1..=day)
        .find(|&k| s.starts_with(&date_of(k)))
        .unwrap_or_else(|| panic!("{field} {s} is not within simulated days 1..={day}"))
}

fn spec_with_training() -> OrgSpec {
    let mut spec = OrgSpec::profile(Profile::Small);
    spec.training_campaigns = 12;
    spec
}

/// Fetches everything at day 0 and at `day` and checks the differences against `day_changes`.
async fn check_day(seed: u64, spec: &OrgSpec, day: u32) -> DayChanges {
    let (a0, ad) = (app_at(seed, spec, 0), app_at(seed, spec, day));
    let ch = day_changes(seed, spec, day);
    let counts = org_counts_at(seed, spec, day);
    assert_eq!(counts, ad.org.counts());
    assert_eq!(org_counts_at(seed, spec, 0), org_counts(seed, spec));

    // People.
    let act0 = by_id(&a0, "/v1/users?status=active", "id").await;
    let actd = by_id(&ad, "/v1/users?status=active", "id").await;
    let arch0 = by_id(&a0, "/v1/users?status=archived", "id").await;
    let archd = by_id(&ad, "/v1/users?status=archived", "id").await;
    assert_eq!(actd.len() as u64, counts.active_users);
    assert_eq!(archd.len() as u64, counts.archived_users);
    let left = sorted(keys(&act0).difference(&keys(&actd)).copied());
    let hired = sorted(keys(&actd).difference(&keys(&act0)).copied());
    assert_eq!(left, ch.archived_users);
    assert_eq!(hired, ch.hired_users);
    let archived_now: BTreeSet<u64> = keys(&arch0)
        .union(&left.iter().copied().collect())
        .copied()
        .collect();
    assert_eq!(keys(&archd), archived_now);
    for uid in &ch.archived_users {
        let u = &archd[uid];
        assert_eq!(u["status"], "archived");
        sim_day(u, "archived_at", day);
        assert_eq!(u["groups"], serde_json::json!([]));
        let mut old = act0[uid].clone();
        let mut new = u.clone();
        for f in ["status", "archived_at", "groups"] {
            old[f] = Value::Null;
            new[f] = Value::Null;
        }
        assert_eq!(old, new, "only the departure changes user {uid}");
        let one = get(&ad, &format!("/v1/users/{uid}")).await.json();
        assert_eq!(&one, u);
    }
    for uid in &ch.hired_users {
        let u = &actd[uid];
        assert_eq!(u["status"], "active");
        sim_day(u, "joined_on", day);
        assert!(u["archived_at"].is_null() && u["last_sign_in"].is_null());
        let want: Vec<u64> = ch
            .memberships_added
            .iter()
            .filter(|(_, m)| m == uid)
            .map(|(g, _)| *g)
            .collect();
        let got: Vec<u64> = u["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_u64().unwrap())
            .collect();
        assert_eq!(got, want, "hire {uid} lists the group they joined");
        assert_eq!(get(&ad, &format!("/v1/users/{uid}")).await.json(), *u);
    }
    for (uid, u) in &actd {
        if act0.contains_key(uid) {
            assert_eq!(u, &act0[uid], "user {uid} untouched by the simulation");
        }
    }

    // Groups and members.
    let mut pairs0 = BTreeSet::new();
    let mut pairsd = BTreeSet::new();
    for status in ["active", "archived"] {
        let g0 = by_id(&a0, &format!("/v1/groups?status={status}"), "id").await;
        let gd = by_id(&ad, &format!("/v1/groups?status={status}"), "id").await;
        assert_eq!(keys(&g0), keys(&gd));
        for (gid, g) in &gd {
            let m0 = by_id(&a0, &format!("/v1/groups/{gid}/members"), "id").await;
            let md = by_id(&ad, &format!("/v1/groups/{gid}/members"), "id").await;
            assert_eq!(id(g, "member_count"), md.len() as u64);
            assert_eq!(counts.members_per_group[gid], md.len() as u64);
            if status == "active" {
                let filtered = by_id(&ad, &format!("/v1/users?group_id={gid}"), "id").await;
                assert_eq!(keys(&filtered), keys(&md));
            }
            for m in md.values() {
                assert_eq!(m["status"], "active", "group {gid} lists only active users");
            }
            pairs0.extend(m0.keys().map(|u| (*gid, *u)));
            pairsd.extend(md.keys().map(|u| (*gid, *u)));
        }
    }
    let added: Vec<_> = pairsd.difference(&pairs0).copied().collect();
    let removed: Vec<_> = pairs0.difference(&pairsd).copied().collect();
    assert_eq!(added, ch.memberships_added);
    assert_eq!(removed, ch.memberships_removed);

    // Phishing tests and recipients.
    let p0 = by_id(&a0, "/v1/phishing/security_tests", "pst_id").await;
    let pd = by_id(&ad, "/v1/phishing/security_tests", "pst_id").await;
    assert_eq!(pd.len() as u64, counts.psts);
    assert!(keys(&p0).is_subset(&keys(&pd)));
    let new_psts = sorted(keys(&pd).difference(&keys(&p0)).copied());
    assert_eq!(new_psts, ch.new_psts);
    assert!(
        new_psts.iter().all(|n| p0.keys().all(|o| n > o)),
        "new ids come after"
    );
    let mut closed = Vec::new();
    for (tid, t) in &p0 {
        let now = &pd[tid];
        if now["status"] != t["status"] {
            assert_eq!(
                (t["status"].as_str(), now["status"].as_str()),
                (Some("In Progress"), Some("Closed"))
            );
            closed.push(*tid);
        }
        let (mut a, mut b) = (t.clone(), now.clone());
        a["status"] = Value::Null;
        b["status"] = Value::Null;
        assert_eq!(a, b, "test {tid} keeps its history");
        let url = format!("/v1/phishing/security_tests/{tid}/recipients");
        assert_eq!(
            all_pages(&a0, &url, 500).await,
            all_pages(&ad, &url, 500).await
        );
    }
    assert_eq!(closed, ch.psts_closed);
    let (mut rcpt, mut clicked) = (Vec::new(), Vec::new());
    let mut last_rcpt = 0;
    for tid in &new_psts {
        let t = &pd[tid];
        let k = sim_day(t, "started_at", day);
        let open = day - k < 14;
        assert_eq!(t["status"], if open { "In Progress" } else { "Closed" });
        let rs = all_pages(
            &ad,
            &format!("/v1/phishing/security_tests/{tid}/recipients"),
            500,
        )
        .await;
        assert_eq!(counts.recipients_per_pst[tid], rs.len() as u64);
        assert_eq!(id(t, "scheduled_count"), rs.len() as u64);
        for r in &rs {
            let rid = id(r, "recipient_id");
            assert!(rid > last_rcpt, "recipient ids keep growing");
            last_rcpt = rid;
            rcpt.push(rid);
            if r["clicked_at"].is_string() {
                sim_day(r, "clicked_at", day);
                clicked.push(rid);
            }
            // Sent that day to someone active that day.
            let uid = id(&r["user"], "id");
            assert!(act0.contains_key(&uid) || actd.contains_key(&uid));
        }
        assert_eq!(
            id(t, "clicked_count"),
            rs.iter().filter(|r| r["clicked_at"].is_string()).count() as u64
        );
    }
    assert_eq!(sorted(rcpt.iter().copied()), ch.new_recipients);
    assert_eq!(sorted(clicked), ch.new_clicked_recipients);
    assert_eq!(
        counts.recipients,
        org_counts(seed, spec).recipients + ch.new_recipients.len() as u64
    );
    let mut camps = by_id(&ad, "/v1/phishing/campaigns", "campaign_id").await;
    let mut camps0 = by_id(&a0, "/v1/phishing/campaigns", "campaign_id").await;
    let url = "/v1/phishing/campaigns?campaign_type=callback";
    camps.extend(by_id(&ad, url, "campaign_id").await);
    camps0.extend(by_id(&a0, url, "campaign_id").await);
    assert_eq!(keys(&camps), keys(&camps0));
    for (cid, c) in &camps {
        let (mut a, mut b) = (camps0[cid].clone(), c.clone());
        for f in [
            "status",
            "last_run",
            "psts",
            "psts_count",
            "last_phish_prone_percentage",
        ] {
            a[f] = Value::Null;
            b[f] = Value::Null;
        }
        assert_eq!(a, b, "campaign {cid} keeps its history");
        let listed = by_id(
            &ad,
            &format!("/v1/phishing/campaigns/{cid}/security_tests"),
            "pst_id",
        )
        .await;
        let want: BTreeSet<u64> = pd
            .iter()
            .filter(|(_, t)| id(t, "campaign_id") == *cid)
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(keys(&listed), want);
        assert_eq!(id(c, "psts_count"), want.len() as u64);
        assert_eq!(counts.psts_per_campaign[cid], want.len() as u64);
        let in_array: Vec<u64> = c["psts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| id(p, "pst_id"))
            .collect();
        assert_eq!(in_array, want.iter().copied().collect::<Vec<_>>());
        if let Some(last) = in_array.last() {
            assert_eq!(c["last_run"], pd[last]["started_at"]);
        }
    }

    // Training.
    let url = "/v1/training/campaigns?exclude_percentages=true";
    let t0 = by_id(&a0, url, "campaign_id").await;
    let td = by_id(&ad, url, "campaign_id").await;
    let mut completed = Vec::new();
    let mut frozen = BTreeSet::new();
    for (cid, c) in &t0 {
        let now = &td[cid];
        if c["status"] != "In Progress" {
            frozen.insert(*cid);
            assert_eq!(now, c, "a finished campaign never changes");
        } else if now["status"] != c["status"] {
            assert_eq!(now["status"], "Completed");
            completed.push(*cid);
        }
    }
    assert_eq!(completed, ch.training_campaigns_completed);
    let url = "/v1/training/enrollments?include_campaign_id=true";
    let e0 = by_id(&a0, url, "enrollment_id").await;
    let ed = by_id(&ad, url, "enrollment_id").await;
    assert_eq!(keys(&e0), keys(&ed));
    assert_eq!(ed.len() as u64, counts.enrollments);
    let (mut passed, mut past_due) = (Vec::new(), Vec::new());
    for (eid, old) in &e0 {
        let new = &ed[eid];
        if new == old {
            continue;
        }
        assert!(!frozen.contains(&id(old, "campaign_id")));
        match new["status"].as_str() {
            Some("Passed") => {
                passed.push(*eid);
                sim_day(new, "completion_date", day);
                assert!(new["start_date"].as_str() <= new["completion_date"].as_str());
                assert!(id(new, "time_spent") >= 300);
                let uid = id(&new["user"], "id");
                assert!(actd.contains_key(&uid) || ch.archived_users.contains(&uid));
            }
            Some("Past Due") => {
                past_due.push(*eid);
                let (mut a, mut b) = (old.clone(), new.clone());
                a["status"] = Value::Null;
                b["status"] = Value::Null;
                assert_eq!(a, b, "only the status of enrollment {eid} changes");
            }
            other => panic!("enrollment {eid} changed to {other:?}"),
        }
        assert_ne!(old["status"], new["status"]);
    }
    assert_eq!(passed, ch.enrollments_passed);
    assert_eq!(past_due, ch.enrollments_past_due);

    // Filters see the same day.
    let url = "/v1/training/enrollments?exclude_archived_users=true";
    let x0 = keys(&by_id(&a0, url, "enrollment_id").await);
    let xd = keys(&by_id(&ad, url, "enrollment_id").await);
    let of_leavers: BTreeSet<u64> = ed
        .iter()
        .filter(|(_, e)| {
            e["user"]["id"]
                .as_u64()
                .is_some_and(|u| ch.archived_users.contains(&u))
        })
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(xd, x0.difference(&of_leavers).copied().collect());
    for uid in ch.archived_users.iter().chain(&ch.hired_users) {
        let mine = keys(
            &by_id(
                &ad,
                &format!("/v1/training/enrollments?user_id={uid}"),
                "enrollment_id",
            )
            .await,
        );
        let want: BTreeSet<u64> = ed
            .iter()
            .filter(|(_, e)| e["user"]["id"].as_u64() == Some(*uid))
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(mine, want);
        let url = format!("/v1/training/enrollments?user_id={uid}&exclude_archived_users=true");
        assert!(get(&ad, &url).await.items().is_empty());
    }
    ch
}

#[tokio::test]
async fn day_one_and_three_change_exactly_what_day_changes_says() {
    let spec = OrgSpec::profile(Profile::Small);
    let one = check_day(21, &spec, 1).await;
    let three = check_day(21, &spec, 3).await;
    for (ch, d) in [(&one, 1), (&three, 3)] {
        assert_eq!(ch.new_psts.len(), d);
        assert_eq!(ch.archived_users.len(), d);
        assert_eq!(ch.hired_users.len(), d);
        assert_eq!(ch.memberships_added.len(), d, "each hire joins one group");
        assert!(!ch.memberships_removed.is_empty());
        assert!(!ch.new_clicked_recipients.is_empty());
        assert!(ch.new_clicked_recipients.len() < ch.new_recipients.len());
    }
    // Later days build on earlier ones.
    for (a, b) in [
        (&one.new_psts, &three.new_psts),
        (&one.new_recipients, &three.new_recipients),
        (&one.archived_users, &three.archived_users),
        (&one.hired_users, &three.hired_users),
        (&one.enrollments_passed, &three.enrollments_passed),
    ] {
        assert!(a.iter().all(|x| b.contains(x)));
    }
    assert!(!three.enrollments_passed.is_empty());
    assert_eq!(day_changes(21, &spec, 0), DayChanges::default());
}

#[tokio::test]
async fn time_passing_closes_tests_completes_campaigns_and_leaves_enrollments_past_due() {
    let spec = spec_with_training();
    let ch = check_day(8, &spec, 40).await;
    assert!(!ch.psts_closed.is_empty());
    assert!(!ch.training_campaigns_completed.is_empty());
    assert!(!ch.enrollments_past_due.is_empty());
    assert!(!ch.enrollments_passed.is_empty());
}

#[tokio::test]
async fn cursor_mode_and_single_records_follow_the_day() {
    let spec = OrgSpec::profile(Profile::Small);
    let mut c = MockConfig::new(8, Profile::Small);
    c.day = 5;
    c.cursor_mode = true;
    let app = App::new(c);
    let paged: Vec<u64> = all_pages(&app, "/v1/users?status=active", 100)
        .await
        .iter()
        .map(|u| id(u, "id"))
        .collect();
    let mut walked = Vec::new();
    let mut url = "/v1/users?status=active&cursor=true&per_page=37".to_string();
    loop {
        let got = get(&app, &url).await;
        walked.extend(got.items().iter().map(|u| id(u, "id")));
        match got.headers.get("x-next-cursor") {
            Some(v) => url = format!("/v1/users?status=active&cursor={}", v.to_str().unwrap()),
            None => break,
        }
    }
    assert_eq!(walked, paged);
    assert_eq!(paged.len() as u64, app.org.counts().active_users);
    let ch = day_changes(8, &spec, 5);
    for pst in &ch.new_psts {
        let one = get(&app, &format!("/v1/phishing/security_tests/{pst}")).await;
        assert_eq!(one.json()["pst_id"].as_u64(), Some(*pst));
    }
    // The first new test holds the lowest new recipient ids.
    let pst = ch.new_psts[0];
    assert!(!ch.new_recipients.is_empty());
    for rid in ch.new_recipients.iter().take(3) {
        let got = get(
            &app,
            &format!("/v1/phishing/security_tests/{pst}/recipients/{rid}"),
        )
        .await;
        assert_eq!(got.json()["recipient_id"].as_u64(), Some(*rid));
    }
    // A day-5 id is unknown on day 0.
    let day0 = app_at(8, &spec, 0);
    let got = get(
        &day0,
        &format!("/v1/phishing/security_tests/{}", ch.new_psts[0]),
    )
    .await;
    assert_eq!(got.status, axum::http::StatusCode::NOT_FOUND);
    let got = get(&day0, &format!("/v1/users/{}", ch.hired_users[0])).await;
    assert_eq!(got.status, axum::http::StatusCode::NOT_FOUND);
}

#[test]
fn large_account_days_stay_lazy() {
    let spec = OrgSpec::profile(Profile::Large);
    let day = 30;
    let org = Org::at(1, &spec, day);
    // Only per-day entries are held: nothing grows with the number of users.
    assert!(org.simulated_entries() <= 2 * day as usize * (org.groups.len() + org.psts.len() + 4));
    let c = org.counts();
    assert_eq!(c.active_users, spec.active_users);
    assert_eq!(c.archived_users, spec.archived_users + day as u64);
    assert_eq!(c.psts, spec.psts + day as u64);
    let last = org.psts.len() as u32 - 1;
    assert_eq!(
        c.recipients_per_pst[&org.psts[last as usize].id],
        spec.active_users
    );
    let mut b = Vec::new();
    org.render_recipient(last, spec.active_users - 1, &mut b);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        v["recipient_id"].as_u64(),
        Some(org.recipient_id(last, spec.active_users - 1))
    );
    assert_eq!(Org::at(1, &spec, u32::MAX).day, MAX_DAY);
}
