//! Property tests of `normalize`: it never panics on arbitrary pages (wrong types, missing
//! fields, huge strings, duplicate ids, broken JSON), what it builds always satisfies the graph's
//! invariants, and neither the graph nor the warnings depend on the order pages come in.

use crate::model_support;

use kb4graph::model::{
    ACCOUNT_TAG, AccountGraph, ENTITIES, EntityType, Graph, MemorySource, RELATIONSHIPS,
    RelationshipType, combine, normalize,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Collections `normalize` reads, children included, and one it does not know.
const COLLECTIONS: &[&str] = &[
    "account",
    "account/risk_score_history",
    "users/active",
    "users/archived",
    "groups/active",
    "groups/archived",
    "groups/1/members",
    "groups/0/members",
    "phishing/campaigns",
    "phishing/campaigns/callback",
    "phishing/security_tests",
    "phishing/security_tests/1/recipients",
    "phishing/security_tests/2/recipients",
    "training/store_purchases",
    "training/policies",
    "training/campaigns",
    "training/enrollments",
    "users/1/risk_score_history",
    "groups/1/risk_score_history",
    "users/1/training_history",
];

/// Field names worth generating: every API path segment of the table, and structural ones.
fn field_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "id",
        "content",
        "modules",
        "user",
        "psts",
        "pst_id",
        "recipient_id",
        "enrollment_id",
        "campaign_id",
        "store_purchase_id",
        "store_purchased_id",
        "policy_id",
        "content_id",
        "group_id",
        "groups",
        "module_name",
        "content_type",
        "campaign_name",
        "status",
        "name",
        "date",
        "risk_score",
        "employee_number",
        "first_name",
        "email",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for def in ENTITIES
        .iter()
        .map(|d| d.properties)
        .chain(RELATIONSHIPS.iter().map(|d| d.properties))
    {
        for prop in def {
            for path in prop.api {
                for part in path.split(['.', '[', ']']).filter(|p| !p.is_empty()) {
                    names.push(part.to_string());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => Just(Value::Null),
        2 => any::<bool>().prop_map(Value::Bool),
        // Few distinct ids: duplicates and references that resolve.
        6 => (0i64..4).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => (-1e20f64..1e20).prop_map(Value::from),
        2 => "[0-9]{1,2}".prop_map(Value::String),
        2 => prop::sample::select(vec![
            "2019-04-02T15:02:38.000Z", "2021-03-06", "2025-13-45T00:00:00Z", "Passed",
            "Store Purchase", "Uploaded Policy", "All Users", "", "1e400", "NaN", "true",
        ])
        .prop_map(|s| Value::String(s.into())),
        2 => ".{0,12}".prop_map(Value::String),
        1 => (1usize..20_000).prop_map(|n| Value::String("x".repeat(n))),
    ]
    .boxed()
}

fn value(names: Vec<String>) -> BoxedStrategy<Value> {
    scalar()
        .prop_recursive(3, 24, 6, move |inner| {
            let key = prop::sample::select(names.clone());
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key, inner), 0..8)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// The fields that make a record of `collection` an entity or a reference: mostly present, so
/// that generated pages exercise joins, duplicates and dangling references, not only rejects.
fn core_fields(collection: &str) -> &'static [&'static str] {
    match collection {
        "account" => &["name", "domains", "admins"],
        "account/risk_score_history"
        | "users/1/risk_score_history"
        | "groups/1/risk_score_history" => &["date", "risk_score"],
        "groups/active" | "groups/archived" => &["id", "name"],
        "phishing/campaigns" | "phishing/campaigns/callback" => &["campaign_id", "psts", "groups"],
        "phishing/security_tests" => &["pst_id", "campaign_id", "groups", "categories"],
        "training/store_purchases" => &["store_purchase_id", "name"],
        "training/policies" => &["policy_id", "name"],
        "training/campaigns" => &["campaign_id", "content", "groups", "name"],
        "training/enrollments" => &[
            "enrollment_id",
            "user",
            "store_purchase_id",
            "campaign_id",
            "module_name",
            "content_type",
            "status",
            "campaign_name",
        ],
        c if c.ends_with("/recipients") => &["recipient_id", "pst_id", "user"],
        _ => &["id", "groups", "first_name", "email", "manager_email"],
    }
}

fn small_id() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => (0i64..4).prop_map(Value::from),
        1 => "[0-3]".prop_map(Value::String),
        1 => Just(Value::Null),
    ]
    .boxed()
}

fn core_value(field: &'static str, collection: &'static str) -> BoxedStrategy<Value> {
    let name =
        || prop::sample::select(vec!["A", "B", "Security Awareness", ""]).prop_map(Value::from);
    match field {
        "user" => prop_oneof![
            4 => (small_id(), name()).prop_map(|(id, email)| serde_json::json!({"id": id, "email": email})),
            1 => Just(Value::Null),
        ]
        .boxed(),
        "psts" => prop::collection::vec(small_id().prop_map(|id| serde_json::json!({"pst_id": id, "status": "Closed"})), 0..3)
            .prop_map(Value::Array)
            .boxed(),
        "content" => {
            let item = prop_oneof![
                small_id().prop_map(|id| serde_json::json!({"store_purchase_id": id, "name": "A"})),
                small_id().prop_map(|id| serde_json::json!({"policy_id": id, "name": "B"})),
                name().prop_map(|n| serde_json::json!({"name": n, "content_type": "Store Purchase"})),
                small_id().prop_map(|id| serde_json::json!({"content_id": id})),
            ];
            prop_oneof![
                prop::collection::vec(item.clone(), 0..3).prop_map(Value::Array),
                prop::collection::vec(item, 0..3).prop_map(|v| Value::Array(vec![Value::Array(v)])),
            ]
            .boxed()
        }
        "groups" if collection.starts_with("users") || collection.starts_with("groups/") => {
            prop::collection::vec(small_id(), 0..3).prop_map(Value::Array).boxed()
        }
        "groups" => prop::collection::vec(small_id().prop_map(|id| serde_json::json!({"group_id": id})), 0..3)
            .prop_map(Value::Array)
            .boxed(),
        // Categories named differently by different tests, or not at all.
        "categories" => prop::collection::vec(
            (small_id(), name()).prop_map(|(id, n)| serde_json::json!({"category_id": id, "name": n})),
            0..3,
        )
        .prop_map(Value::Array)
        .boxed(),
        "name" | "module_name" | "campaign_name" | "first_name" => name().boxed(),
        // Few addresses, in other case and with spaces too: users join into people and name
        // their managers.
        "email" | "manager_email" => {
            prop::sample::select(vec!["a@x.example", " A@X.example", "b@x.example", "", "c@x.example"])
                .prop_map(Value::from)
                .boxed()
        }
        "content_type" => prop::sample::select(vec!["Store Purchase", "Uploaded Policy", "Video"])
            .prop_map(Value::from)
            .boxed(),
        "status" => prop::sample::select(vec!["Passed", "In Progress", "completed"])
            .prop_map(Value::from)
            .boxed(),
        "date" => prop::sample::select(vec!["2025-09-30", "2025-09-23", "soon"]).prop_map(Value::from).boxed(),
        "risk_score" => (0.0f64..100.0).prop_map(Value::from).boxed(),
        "domains" => Just(serde_json::json!(["acme.example"])).boxed(),
        // Admins are users: a few ids, two admins that share a last name.
        "admins" => prop::collection::vec(
            (small_id(), prop::sample::select(vec!["Johansson", "Lee", ""]))
                .prop_map(|(id, last)| serde_json::json!({"id": id, "last_name": last})),
            0..3,
        )
        .prop_map(Value::Array)
        .boxed(),
        _ => small_id(),
    }
}

fn record(names: Vec<String>, collection: &'static str) -> BoxedStrategy<Value> {
    let key = prop::sample::select(names.clone());
    let core: Vec<BoxedStrategy<Option<(String, Value)>>> = core_fields(collection)
        .iter()
        .map(|&f| {
            prop::option::weighted(0.85, core_value(f, collection))
                .prop_map(move |v| v.map(|v| (f.to_string(), v)))
                .boxed()
        })
        .collect();
    prop_oneof![
        12 => (prop::collection::vec((key, value(names.clone())), 0..8), core).prop_map(|(fields, core)| {
            let mut map: Map<String, Value> = fields.into_iter().collect();
            map.extend(core.into_iter().flatten());
            Value::Object(map)
        }),
        1 => value(names),
    ]
    .boxed()
}

fn page(names: Vec<String>, collection: &'static str) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        10 => prop::collection::vec(record(names.clone(), collection), 0..6)
            .prop_map(|records| Value::Array(records).to_string().into_bytes()),
        2 => record(names, collection).prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ]
    .boxed()
}

fn source() -> impl Strategy<Value = MemorySource> {
    let names = field_names();
    let collection = prop::sample::select(COLLECTIONS).prop_flat_map(move |id| {
        (
            Just(id),
            prop::collection::vec(page(names.clone(), id), 0..4),
            any::<bool>(),
        )
    });
    prop::collection::vec(collection, 0..12).prop_map(|collections| {
        let mut source = MemorySource::new();
        for (id, pages, complete) in collections {
            for body in pages {
                source.add_raw_page(id, body);
            }
            source.set_status(id, complete || id.starts_with("users"), false);
        }
        source
    })
}

/// The same pages, collections and pages within them in another order.
fn shuffled(source: &MemorySource, seed: u64) -> MemorySource {
    let mut state = seed | 1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let mut out = source.clone();
    for i in (1..out.collections.len()).rev() {
        let j = next(i + 1);
        out.collections.swap(i, j);
    }
    for c in &mut out.collections {
        for i in (1..c.pages.len()).rev() {
            let j = next(i + 1);
            c.pages.swap(i, j);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_pages_give_a_valid_graph(source in source()) {
        let (graph, warnings) = normalize(&source);
        model_support::check_invariants(&graph);
        let mut sorted = warnings.clone();
        sorted.sort();
        prop_assert_eq!(sorted, warnings);
    }

    #[test]
    fn combined_graphs_scope_every_key_and_keep_every_entity(a in source(), b in source()) {
        let (ga, wa) = normalize(&a);
        let (gb, wb) = normalize(&b);
        let own = |g: &Graph| g.entities().filter(|e| e.entity_type() != EntityType::Person).count();
        let kept = own(&ga) + own(&gb);
        let tag_of = |g: &Graph| g.account_tag().map(str::to_owned);
        let (tag_a, tag_b) = (tag_of(&ga), tag_of(&gb));
        let (g, _) = combine(vec![
            AccountGraph { name: "b".into(), graph: gb, warnings: wb },
            AccountGraph { name: "a.".into(), graph: ga, warnings: wa },
        ]);
        model_support::check_invariants(&g);
        let mut scoped = 0;
        for e in g.entities() {
            let key = e.key();
            if e.entity_type() == EntityType::Person {
                prop_assert!(key.starts_with("knowbe4:person:"), "{}", key);
                continue;
            }
            let want = if key.starts_with("knowbe4:acct:a.:") {
                &tag_a
            } else if key.starts_with("knowbe4:acct:b:") {
                &tag_b
            } else {
                return Err(TestCaseError::fail(format!("{key} is not scoped")));
            };
            scoped += 1;
            let tag = e.get(ACCOUNT_TAG).and_then(|v| v.as_str().map(str::to_owned));
            prop_assert_eq!(&tag, want, "{}", key);
        }
        prop_assert_eq!(scoped, kept);
        for r in g.relationships() {
            if matches!(r.relationship_type(), RelationshipType::UserIsPerson | RelationshipType::PersonReportsToPerson) {
                continue;
            }
            let scope = |k: &str| k.split(':').nth(2).map(str::to_owned);
            prop_assert_eq!(scope(r.from_key()), scope(r.to_key()), "{} crosses accounts", r.key());
        }
    }

    #[test]
    fn page_order_does_not_matter(source in source(), seed in any::<u64>()) {
        let (a, wa) = normalize(&source);
        let (b, wb) = normalize(&shuffled(&source, seed));
        prop_assert!(a == b, "graphs differ");
        prop_assert_eq!(wa, wb);
    }
}

/// The generator reaches every entity and relationship type (else the properties above would
/// hold vacuously).
#[test]
fn generated_pages_reach_every_type() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = source();
    let mut entities = std::collections::BTreeSet::new();
    let mut relationships = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let source = strategy.new_tree(&mut runner).expect("a source").current();
        let (graph, _) = normalize(&source);
        for (t, n) in graph.entity_counts() {
            if n > 0 {
                entities.insert(t);
            }
        }
        for (t, n) in graph.relationship_counts() {
            if n > 0 {
                relationships.insert(t);
            }
        }
    }
    assert_eq!(entities.len(), ENTITIES.len(), "{entities:?}");
    assert_eq!(
        relationships.len(),
        RELATIONSHIPS.len(),
        "{relationships:?}"
    );
}
