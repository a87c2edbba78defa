//! Pacing against a server enforcing rate limits, scaled up so the test is quick: client and
//! server set alike, the server never has to answer 429, and no request is wasted.

use crate::common;

use kb4graph::api::Pagination;
use kb4graph::mock::org_counts;
use kb4graph::rate::RateSpec;

const LIMITS: &str = "12/s,500/min";

#[tokio::test]
async fn a_paced_fetch_never_trips_the_limits_and_spends_the_lower_bound() {
    let limits: RateSpec = LIMITS.parse().unwrap();
    let mut config = common::small(31);
    config.rate_limit = limits.clone();
    let counts = org_counts(config.seed, &config.org);
    let server = common::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = common::options(&server, &out);
    opts.pace = limits;
    opts.pagination = Pagination::Page;
    opts.retries = 0;
    let report = common::fetch(opts).await;
    assert!(report.complete, "{report}");

    let stats = server.stats();
    assert_eq!(stats.rate_limited, 0, "the server never answered 429");
    assert_eq!(report.retries, 0);
    assert_eq!(stats.requests, common::fetch_lower_bound(&counts));
    assert!(
        stats.per_request.values().all(|&n| n == 1),
        "no request fetched twice"
    );
}

#[tokio::test]
async fn without_pacing_the_same_limits_answer_429() {
    // The control for the test above: the limits are real, so only the pacing kept it clean.
    let mut config = common::small(31);
    config.rate_limit = LIMITS.parse().unwrap();
    let server = common::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = common::options(&server, &out);
    opts.pace = RateSpec::off();
    // Whether its retries outlast the limits does not matter here.
    let _ = kb4graph::fetch::fetch(opts).await;
    assert!(
        server.stats().rate_limited > 0,
        "an unpaced client trips the limits"
    );
}
