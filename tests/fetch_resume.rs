//! A request budget stops a fetch cleanly; resuming finishes it without refetching a page, and
//! the result equals an uninterrupted fetch page for page.

mod common;

use kb4graph::api::{Pagination, Token};
use kb4graph::fetch::ResumeOverrides;

#[tokio::test]
async fn budget_stop_and_resume_equal_an_uninterrupted_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let reference_server = common::start(common::small(41)).await;
    let reference = dir.path().join("reference");
    let full = common::fetch(common::options(&reference_server, &reference)).await;
    let total = full.requests;

    for (mode, cursor_server) in [(Pagination::Page, false), (Pagination::Auto, true)] {
        for budget in [1, 7, total / 2, total - 1] {
            let mut config = common::small(41);
            config.cursor_mode = cursor_server;
            let server = common::start(config).await;
            let out = dir.path().join(format!("{mode}-{budget}"));
            let mut opts = common::options(&server, &out);
            opts.pagination = mode;
            opts.max_requests = Some(budget);
            let first = common::fetch(opts).await;
            assert!(!first.complete, "{mode} budget {budget}: stops early");
            assert!(first.requests <= budget, "{mode} budget {budget}: {first}");
            assert_eq!(common::manifest(&out)["complete"], false);

            // Resume in several budgeted steps, then to the end.
            let mut steps = 0;
            loop {
                steps += 1;
                assert!(steps < 1000, "resume makes progress");
                let overrides = ResumeOverrides {
                    pace: Some(kb4graph::rate::RateSpec::off()),
                    max_requests: if steps < 3 { Some(budget.max(3)) } else { None },
                    ..ResumeOverrides::default()
                };
                let report =
                    kb4graph::fetch::resume(&out, Token::new(common::TOKEN).unwrap(), overrides)
                        .await
                        .expect("resume succeeds");
                if report.complete {
                    break;
                }
            }
            assert_eq!(common::manifest(&out)["complete"], true);
            let stats = server.stats();
            assert!(
                stats.per_request.values().all(|&n| n == 1),
                "{mode} budget {budget}: no page fetched twice: {:?}",
                stats
                    .per_request
                    .iter()
                    .filter(|(_, n)| **n > 1)
                    .collect::<Vec<_>>()
            );
            if mode == Pagination::Page {
                assert_eq!(
                    common::raw_pages(&reference),
                    common::raw_pages(&out),
                    "{mode} budget {budget}: resumed pages equal the uninterrupted fetch's"
                );
            } else {
                // Cursor pages are cut the same way; compare the records they hold.
                assert_eq!(
                    records(&reference),
                    records(&out),
                    "{mode} budget {budget}: same records"
                );
            }
        }
    }
}

fn records(dir: &std::path::Path) -> Vec<(String, Vec<serde_json::Value>)> {
    let snapshot = kb4graph::snapshot::Snapshot::open(dir).unwrap();
    let mut out: Vec<_> = snapshot
        .collections()
        .iter()
        .map(|c| {
            let items = snapshot
                .records(&c.id)
                .unwrap()
                .map(|r| r.unwrap().1)
                .collect();
            (c.id.clone(), items)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test]
async fn resuming_a_complete_snapshot_sends_nothing() {
    let server = common::start(common::small(42)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    common::fetch(common::options(&server, &out)).await;
    let before = server.stats().requests;
    let pages_before = common::files(&out);
    let report = kb4graph::fetch::resume(
        &out,
        Token::new(common::TOKEN).unwrap(),
        ResumeOverrides::default(),
    )
    .await
    .expect("resume of a complete snapshot");
    assert!(report.complete);
    assert_eq!(server.stats().requests, before);
    assert_eq!(common::files(&out), pages_before, "nothing rewritten");
}
