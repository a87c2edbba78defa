//! Property tests of the JSON writer and validator: hostile strings (quotes, backslashes,
//! separators, newlines, control characters, emoji, right-to-left text, huge values) and
//! arbitrary generated accounts always give a document that parses back to the graph and
//! passes `validate`.

use crate::common;

use std::io::Write;

use kb4graph::export::{ExportOptions, Format};
use kb4graph::formats::json::write_document;
use kb4graph::mock::OrgSpec;
use kb4graph::model::{MemorySource, normalize};
use kb4graph::pipeline;
use proptest::prelude::*;
use serde_json::{Value, json};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hostile_strings_survive_the_json_writer(
        names in proptest::collection::vec(common::hostile_string(), 1..6),
        big in any::<i64>(),
    ) {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": names[0], "type": "paid"}));
        let users: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({
                "id": i as i64 + 1,
                "first_name": n,
                "last_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "custom_field_1": n,
                "employee_number": big.to_string(),
                "groups": [7],
                "status": "active",
            }))
            .collect();
        source.add_page("users/active", &Value::Array(users));
        source.add_page("groups/active", &json!([{"id": 7, "name": names[names.len() - 1], "group_type": "console_group"}]));
        // A module known only by its (hostile) name makes a key that holds the string.
        source.add_page("training/enrollments", &json!([{
            "enrollment_id": 1, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": 1}, "status": "Passed", "campaign_name": names[0]
        }]));
        let (graph, _) = normalize(&source);

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("json")).unwrap();
        let mut bytes = Vec::new();
        write_document(&graph, &common::snapshot_info(), &mut bytes).unwrap();
        let doc: Value = serde_json::from_slice(&bytes).expect("the document is JSON");

        let entities = doc["entities"].as_array().unwrap();
        prop_assert_eq!(entities.len(), graph.entity_count());
        for (json, entity) in entities.iter().zip(graph.entities()) {
            prop_assert_eq!(&json["_key"], entity.key());
            for p in entity.properties() {
                prop_assert_eq!(&json[p.name], &p.value.to_json());
            }
        }
        let rels = doc["relationships"].as_array().unwrap();
        prop_assert_eq!(rels.len(), graph.relationship_count());
        for (json, rel) in rels.iter().zip(graph.relationships()) {
            prop_assert_eq!(&json["_key"], &rel.key());
        }

        let mut file = std::fs::File::create(dir.path().join("json/graph.json")).unwrap();
        file.write_all(&bytes).unwrap();
        drop(file);
        let reports = pipeline::validate_export(dir.path()).unwrap();
        prop_assert!(reports[0].violations.is_empty(), "{:?}", reports[0].violations);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn every_generated_account_exports_a_valid_document(
        seed in any::<u64>(),
        users in 0u64..700,
        groups in 0u64..12,
        campaigns in 0u64..4,
        psts in 0u64..6,
        trainings in 0u64..6,
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        let mut org = OrgSpec::empty();
        org.active_users = users;
        org.archived_users = users / 9;
        org.deleted_users = users / 50;
        org.groups = groups;
        org.phishing_campaigns = campaigns;
        org.psts = if campaigns == 0 { 0 } else { psts };
        org.training_campaigns = trainings;
        org.store_purchases = trainings + 1;
        org.policies = trainings / 2;
        let mut config = common::small(seed);
        config.org = org;
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snapshot");
        runtime.block_on(async {
            let server = common::start(config).await;
            common::fetch(common::options(&server, &snapshot)).await;
        });
        let export = dir.path().join("export");
        pipeline::export_snapshot(&snapshot, &[Format::Json], &ExportOptions::default(), &export).unwrap();
        let reports = pipeline::validate_export(&export).unwrap();
        prop_assert!(reports[0].violations.is_empty(), "{:?}", &reports[0].violations[..reports[0].violations.len().min(5)]);
    }
}
