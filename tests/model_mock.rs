//! `normalize` on real snapshots of the simulated API: the graph holds exactly what the
//! synthetic organisation has, whatever order its pages are read in.

use crate::common;
use crate::model_support;

use std::collections::BTreeMap;

use kb4graph::mock::{OrgSpec, Profile, org_counts};
use kb4graph::model::{EntityType, MemorySource, RelationshipType, WarningCode, normalize};
use kb4graph::snapshot::Snapshot;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_account_is_complete_and_order_free() {
    let seed = 7;
    let server = common::start(common::small(seed)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    server.shutdown().await;

    let snapshot = Snapshot::open(&out).expect("snapshot");
    let (graph, warnings) = normalize(&snapshot);
    model_support::check_invariants(&graph);

    let counts = org_counts(seed, &OrgSpec::profile(Profile::Small));
    let entities: BTreeMap<EntityType, usize> = graph.entity_counts().into_iter().collect();
    let rels: BTreeMap<RelationshipType, usize> = graph.relationship_counts().into_iter().collect();
    let n = |c: u64| c as usize;
    let code = |c: WarningCode| warnings.iter().filter(|w| w.code == c).count();

    // Users: both listings, plus those known only from phishing results.
    assert_eq!(
        entities[&EntityType::User],
        n(counts.active_users + counts.archived_users + counts.deleted_users)
    );
    assert_eq!(code(WarningCode::UnlistedUser), n(counts.deleted_users));
    // Groups: both listings plus "All Users", whose members are the active users.
    assert_eq!(
        entities[&EntityType::UserGroup],
        n(counts.active_groups + counts.archived_groups + 1)
    );
    let all_users = graph
        .relationships()
        .filter(|r| r.from_key() == "knowbe4:group:0")
        .count();
    assert_eq!(all_users, n(counts.active_users));
    assert_eq!(
        entities[&EntityType::TrainingCampaign],
        n(counts.training_campaigns)
    );
    assert_eq!(entities[&EntityType::PhishingSecurityTest], n(counts.psts));
    assert_eq!(
        entities[&EntityType::PhishingSecurityTestResult],
        n(counts.recipients)
    );
    // Every result is in its test and has its user.
    assert_eq!(
        rels[&RelationshipType::SecurityTestContainsResult],
        n(counts.recipients)
    );
    assert_eq!(
        rels[&RelationshipType::UserHasSecurityTestResult],
        n(counts.recipients)
    );
    // Every enrollment is kept, except those whose user the API gives as null.
    let null_users = warnings
        .iter()
        .filter(|w| w.code == WarningCode::MissingUser && w.location.contains("enrollments"))
        .count();
    assert_eq!(
        rels[&RelationshipType::TrainingModuleAssignedUser],
        n(counts.enrollments) - null_users
    );
    // Store purchases and policies by id; the shared name never creates a name-only module.
    assert_eq!(
        entities[&EntityType::TrainingModule],
        n(counts.store_purchases + counts.policies)
    );
    assert_eq!(code(WarningCode::AmbiguousModuleName), 0);
    assert_eq!(code(WarningCode::NameOnlyModule), 0);

    // The same pages in another order make the same graph and warnings.
    let mut source = MemorySource::new();
    let mut collections: Vec<_> = snapshot.collections().iter().collect();
    collections.reverse();
    for c in collections {
        for page in c.pages.iter().rev() {
            let body = std::fs::read(out.join(&page.file)).expect("page");
            source.add_raw_page(&c.id, body);
        }
        // Pages keep their names: only the order they come in changes.
        if let Some(mc) = source.collections.iter_mut().find(|m| m.id == c.id) {
            let mut names: Vec<String> = c.pages.iter().rev().map(|p| p.file.clone()).collect();
            for (page, name) in mc.pages.iter_mut().zip(names.drain(..)) {
                page.file = name;
            }
        }
    }
    let (again, warnings_again) = normalize(&source);
    assert!(graph == again, "page order changed the graph");
    assert_eq!(warnings, warnings_again);
}
