use super::*;
use crate::mock::org::training::{EnrollmentFields, EnrollmentFilter};

fn small(seed: u64) -> Org {
    Org::new(seed, &OrgSpec::profile(Profile::Small))
}

fn user_json(org: &Org, p: u64) -> serde_json::Value {
    let mut b = Vec::new();
    org.render_user(p, false, &mut b);
    serde_json::from_slice(&b).unwrap()
}

#[test]
fn progression_round_trips() {
    let p = Prog::over(100, 3, 7);
    assert_eq!(p.len, 14);
    for k in 0..p.len {
        assert_eq!(p.index_of(p.get(k)), Some(k));
    }
    assert_eq!(p.index_of(2), None);
    assert_eq!(p.index_of(4), None);
    assert_eq!(p.index_of(3 + 7 * 14), None);
    assert_eq!(Prog::over(5, 5, 1).len, 0);
    assert_eq!(Prog::over(0, 0, 1).len, 0);
}

#[test]
fn user_ids_round_trip_and_some_exceed_32_bits() {
    let org = small(3);
    let mut big31 = 0;
    let mut big32 = 0;
    for p in 0..org.people() {
        let id = org.user_id(p);
        assert_eq!(org.person_of(id), Some(p));
        big31 += (id > 1 << 31) as u32;
        big32 += (id > 1 << 32) as u32;
    }
    assert!(big31 > 0 && big32 > 0);
    assert_eq!(org.person_of(0), None);
    assert_eq!(org.person_of(org.user_id(org.people())), None);
    assert_eq!(org.person_of(u64::MAX), None);
}

#[test]
fn generation_is_deterministic() {
    let (a, b, c) = (small(11), small(11), small(12));
    for p in [0, 1, 7, 13, 150] {
        assert_eq!(user_json(&a, p), user_json(&b, p));
    }
    assert_ne!(user_json(&a, 5), user_json(&c, 5));
    let mut x = Vec::new();
    let mut y = Vec::new();
    a.render_enrollment(3, EnrollmentFields::default(), &mut x);
    b.render_enrollment(3, EnrollmentFields::default(), &mut y);
    assert_eq!(x, y);
}

#[test]
fn membership_agrees_both_ways() {
    let org = small(5);
    let mut listed = 0;
    for p in 0..org.spec.active_users {
        let u = user_json(&org, p);
        let ids: Vec<u64> = u["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_u64().unwrap())
            .collect();
        for (g, meta) in org.groups.iter().enumerate() {
            let member = meta.members.index_of(p).is_some();
            let in_user = ids.contains(&meta.id);
            if meta.kind == GroupKind::Smart {
                assert!(!in_user, "smart groups are never listed on users");
            } else {
                assert_eq!(member, in_user, "user {p} group {g}");
                listed += in_user as u32;
            }
        }
    }
    assert!(listed > 0);
    let kinds: Vec<_> = org.groups.iter().map(|g| g.kind).collect();
    for k in [GroupKind::Console, GroupKind::Smart, GroupKind::AdiManaged] {
        assert!(kinds.contains(&k));
    }
}

#[test]
fn enrollment_filters_partition_the_listing() {
    let org = small(9);
    let all = org.enrollment_listing(&EnrollmentFilter::default());
    assert_eq!(all.len(), org.total_enrollments);
    let per_campaign: u64 = org
        .trainings
        .iter()
        .map(|t| {
            org.enrollment_listing(&EnrollmentFilter {
                campaign_id: Some(t.id),
                ..Default::default()
            })
            .len()
        })
        .sum();
    assert_eq!(per_campaign, all.len());
    let no_archived = org.enrollment_listing(&EnrollmentFilter {
        exclude_archived_users: true,
        ..Default::default()
    });
    assert!(no_archived.len() < all.len());
    // Every enrollment of a user shows up under that user's filter, and only those.
    let mut by_user = 0;
    for p in 0..org.spec.active_users + org.spec.archived_users {
        let f = EnrollmentFilter {
            user_id: Some(org.user_id(p)),
            ..Default::default()
        };
        let l = org.enrollment_listing(&f);
        for i in 0..l.len() {
            let mut b = Vec::new();
            org.render_enrollment(l.get(i), EnrollmentFields::default(), &mut b);
            let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
            assert_eq!(v["user"]["id"].as_u64(), Some(org.user_id(p)));
        }
        by_user += l.len();
    }
    let mut null_users = 0;
    for e in 0..org.total_enrollments {
        let mut b = Vec::new();
        org.render_enrollment(e, EnrollmentFields::default(), &mut b);
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        null_users += v["user"].is_null() as u64;
    }
    assert_eq!(by_user + null_users, org.total_enrollments);
}

#[test]
fn pst_counts_match_recipients() {
    let org = small(2);
    for t in 0..org.psts.len() as u32 {
        let c = org.pst_counts(t);
        let mut clicked = 0;
        let mut delivered = 0;
        for k in 0..org.psts[t as usize].recipients() {
            let mut b = Vec::new();
            org.render_recipient(t, k, &mut b);
            let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
            clicked += v["clicked_at"].is_string() as u64;
            delivered += v["delivered_at"].is_string() as u64;
        }
        assert_eq!((c.clicked, c.delivered), (clicked, delivered));
        assert_eq!(c.scheduled, org.psts[t as usize].recipients());
    }
}

#[test]
fn absurd_specs_are_clamped() {
    let mut spec = OrgSpec::empty();
    spec.active_users = u64::MAX;
    spec.groups = u64::MAX;
    spec.psts = 10;
    let org = Org::new(1, &spec);
    assert_eq!(org.spec.active_users, MAX_PEOPLE);
    assert_eq!(org.psts.len(), 0, "no campaign, no tests");
    let mut b = Vec::new();
    org.render_user(MAX_PEOPLE - 1, true, &mut b);
    serde_json::from_slice::<serde_json::Value>(&b).unwrap();
}
