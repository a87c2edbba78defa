//! Pagination against the simulated API over loopback: every item fetched, no request wasted.

use crate::common;

use kb4graph::api::Pagination;
use kb4graph::mock::{OrgSpec, org_counts};
use kb4graph::snapshot::Snapshot;

const EDGES: [u64; 6] = [0, 1, 499, 500, 501, 1000];

fn only_active_users(n: u64) -> OrgSpec {
    let mut org = OrgSpec::empty();
    org.active_users = n;
    org
}

fn user_ids(dir: &std::path::Path) -> Vec<u64> {
    let snapshot = Snapshot::open(dir).expect("snapshot opens");
    snapshot
        .records("users/active")
        .expect("users/active collection")
        .map(|r| r.expect("record").1["id"].as_u64().expect("numeric id"))
        .collect()
}

#[tokio::test]
async fn page_mode_fetches_every_item_with_the_fewest_requests() {
    for n in EDGES {
        let mut config = common::small(11);
        config.org = only_active_users(n);
        let server = common::start(config).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snap");
        let mut opts = common::options(&server, &out);
        opts.pagination = Pagination::Page;
        let report = common::fetch(opts).await;
        assert!(report.complete, "n={n}: {report}");

        let ids = user_ids(&out);
        assert_eq!(ids.len() as u64, n, "n={n}: every user fetched");
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "n={n}: no user twice");

        let stats = server.stats();
        assert_eq!(
            common::requests_to(&stats, "/v1/users", &["status=active"]),
            common::page_mode_bound(n),
            "n={n}: requests for the active users"
        );
        assert!(
            stats.per_request.values().all(|&times| times == 1),
            "n={n}: no request sent twice: {:?}",
            stats.per_request
        );
    }
}

#[tokio::test]
async fn cursor_mode_is_followed_when_the_server_offers_it() {
    for mode in [Pagination::Cursor, Pagination::Auto] {
        for n in EDGES {
            let mut config = common::small(12);
            config.org = only_active_users(n);
            config.cursor_mode = true;
            let server = common::start(config).await;
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("snap");
            let mut opts = common::options(&server, &out);
            opts.pagination = mode;
            let report = common::fetch(opts).await;
            assert!(report.complete, "{mode} n={n}: {report}");
            assert_eq!(
                user_ids(&out).len() as u64,
                n,
                "{mode} n={n}: every user fetched"
            );

            let stats = server.stats();
            let total = common::requests_to(&stats, "/v1/users", &["status=active"]);
            let followed = stats
                .per_request
                .keys()
                .filter(|k| {
                    k.starts_with("/v1/users?")
                        && k.contains("cursor=")
                        && !k.contains("cursor=true")
                })
                .count() as u64;
            if mode == Pagination::Cursor {
                assert_eq!(total, common::cursor_mode_bound(n), "{mode} n={n}");
                assert_eq!(
                    followed,
                    total - 1,
                    "{mode} n={n}: later pages follow X-Next-Cursor"
                );
            } else {
                // Auto cannot tell a cursor server's exactly full last page from a page-mode
                // server's full page, so it may spend the page-mode bound, never more.
                assert!(
                    total <= common::page_mode_bound(n),
                    "{mode} n={n}: {total} requests"
                );
                if n > 500 {
                    assert!(followed >= 1, "{mode} n={n}: X-Next-Cursor followed");
                }
            }
            assert!(
                stats.per_request.values().all(|&times| times == 1),
                "{mode} n={n}: no request sent twice"
            );
        }
    }
}

#[tokio::test]
async fn training_campaigns_are_not_cut_at_ten_per_page() {
    let mut org = OrgSpec::empty();
    org.training_campaigns = 25;
    org.store_purchases = 3;
    let mut config = common::small(13);
    config.org = org;
    let server = common::start(config).await;

    // Without exclude_percentages the API caps a page at 10 items: a client that forgot the
    // flag would take that page for the last one.
    let body = common::get_bytes(&format!(
        "{}/v1/training/campaigns?per_page=500",
        server.base_url()
    ))
    .await;
    let capped: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(capped.len(), 10);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    common::fetch(common::options(&server, &out)).await;
    let snapshot = Snapshot::open(&out).unwrap();
    assert_eq!(snapshot.records("training/campaigns").unwrap().count(), 25);
    let stats = server.stats();
    assert_eq!(
        common::requests_to(
            &stats,
            "/v1/training/campaigns",
            &["exclude_percentages=true"]
        ),
        1
    );
}

#[tokio::test]
async fn a_whole_account_costs_exactly_the_lower_bound() {
    let config = common::small(14);
    let counts = org_counts(config.seed, &config.org);
    let server = common::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = common::options(&server, &out);
    opts.pagination = Pagination::Page;
    let report = common::fetch(opts).await;
    assert!(report.complete);
    let stats = server.stats();
    assert_eq!(stats.requests, common::fetch_lower_bound(&counts));

    // Every listed item is in the snapshot: members of every group, recipients of every test.
    let snapshot = Snapshot::open(&out).unwrap();
    for (group, members) in &counts.members_per_group {
        let id = format!("groups/{group}/members");
        assert_eq!(
            snapshot.records(&id).unwrap().count() as u64,
            *members,
            "{id}"
        );
    }
    for (pst, recipients) in &counts.recipients_per_pst {
        let id = format!("phishing/security_tests/{pst}/recipients");
        assert_eq!(
            snapshot.records(&id).unwrap().count() as u64,
            *recipients,
            "{id}"
        );
    }
    for (campaign, enrollments) in &counts.enrollments_per_campaign {
        let id = format!("training/campaigns/{campaign}/enrollments");
        assert_eq!(
            snapshot.records(&id).unwrap().count() as u64,
            *enrollments,
            "{id}"
        );
    }
    assert_eq!(
        counts.enrollments_per_campaign.values().sum::<u64>(),
        counts.enrollments
    );
    assert_eq!(
        common::enrollment_records(&out).len() as u64,
        counts.enrollments
    );
    assert_eq!(
        snapshot
            .records("phishing/campaigns/callback")
            .unwrap()
            .count() as u64,
        counts.callback_campaigns
    );
}
