//! The RDF export of a fetched account, proven in a real triple store: the `small` export is
//! loaded into Oxigraph and the SPARQL queries of `examples/queries/sparql/` answer the audit
//! questions with the answers computed straight from the raw snapshot pages (plain serde_json,
//! no model). Also: the three syntaxes hold the same triples, the same snapshot gives the same
//! bytes, and the export passes `kb4graph validate`.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kb4graph::export::{ExportOptions, Format};
use kb4graph::pipeline;
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use serde_json::Value;

const RDF: [Format; 3] = [Format::NTriples, Format::Turtle, Format::NQuads];

async fn snapshot_of(seed: u64, dir: &Path) -> PathBuf {
    let server = common::start(common::small(seed)).await;
    let out = dir.join("snapshot");
    common::fetch(common::options(&server, &out)).await;
    out
}

fn query_file(name: &str) -> String {
    let path = format!(
        "{}/examples/queries/sparql/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// Rows of a SELECT, each as the variables' values in order (literals as their lexical form,
/// IRIs as the IRI, unbound as "").
fn select(store: &Store, query: &str) -> Vec<Vec<String>> {
    let prepared = SparqlEvaluator::new().parse_query(query).unwrap();
    let QueryResults::Solutions(solutions) = prepared.on_store(store).execute().unwrap() else {
        panic!("not a SELECT");
    };
    let vars: Vec<_> = solutions.variables().to_vec();
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution.unwrap();
        rows.push(
            vars.iter()
                .map(|v| match solution.get(v) {
                    Some(Term::Literal(l)) => l.value().to_owned(),
                    Some(Term::NamedNode(n)) => n.as_str().to_owned(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                })
                .collect(),
        );
    }
    rows
}

fn load(path: &Path, format: RdfFormat) -> Store {
    let store = Store::new().unwrap();
    store
        .load_from_reader(format, std::fs::File::open(path).unwrap())
        .unwrap();
    store
}

fn export(snapshot: &Path, out: &Path) {
    pipeline::export_snapshot(snapshot, &RDF, &ExportOptions::default(), out).unwrap();
}

#[tokio::test]
async fn sparql_answers_the_audit_questions_like_the_raw_pages() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_of(81, dir.path()).await;
    let out = dir.path().join("export");
    export(&snapshot, &out);
    let store = load(&out.join("rdf/graph.nt"), RdfFormat::NTriples);

    let active = common::raw_records(&snapshot, "raw/users/active/", "");
    let archived = common::raw_records(&snapshot, "raw/users/archived/", "");
    let recipients = common::raw_records(&snapshot, "raw/phishing/security_tests/", "recipients");
    let enrollments = common::enrollment_records(&snapshot);
    // Ids may come as digit strings (API drift).
    // Ids may come as digit strings (API drift) or be missing (such records are dropped).
    let id = |v: &Value| -> Option<i64> {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };

    // Users per group: member listings, each user's console groups, and "All Users" (every
    // active user).
    let mut members: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for g in common::raw_records(&snapshot, "raw/groups/active/", "")
        .iter()
        .chain(&common::raw_records(&snapshot, "raw/groups/archived/", ""))
    {
        if let Some(g) = id(&g["id"]) {
            members.entry(g).or_default();
        }
    }
    members.entry(0).or_default();
    for (path, bytes) in common::raw_pages(&snapshot) {
        let p = path.to_string_lossy().into_owned();
        if let Some(rest) = p.strip_prefix("raw/groups/")
            && let Some((group, tail)) = rest.split_once('/')
            && tail.starts_with("members/")
        {
            let page: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
            let set = members.entry(group.parse().unwrap()).or_default();
            set.extend(page.iter().filter_map(|u| id(&u["id"])));
        }
    }
    for u in active.iter().chain(&archived) {
        let Some(user) = id(&u["id"]) else { continue };
        for g in u["groups"].as_array().into_iter().flatten().filter_map(id) {
            members.entry(g).or_default().insert(user);
        }
    }
    members
        .get_mut(&0)
        .unwrap()
        .extend(active.iter().filter_map(|u| id(&u["id"])));
    let expected: Vec<(i64, usize)> = members.iter().map(|(g, m)| (*g, m.len())).collect();
    let got: Vec<(i64, usize)> = select(&store, &query_file("users-per-group.rq"))
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[2].parse().unwrap()))
        .collect();
    assert_eq!(got, expected, "users per group");

    // Users assigned a module without a passed enrollment for it. An enrollment's module is
    // the one its id names; else the one module of its kind with its name in its own
    // campaign's content; else the one such module anywhere; else a module known only by name.
    let purchase_key = |v: &Value| {
        id(&v["store_purchase_id"])
            .or_else(|| id(&v["store_purchased_id"]))
            .map(|n| format!("knowbe4:training:purchase:{n}"))
    };
    let policy_key =
        |v: &Value| id(&v["policy_id"]).map(|n| format!("knowbe4:training:policy:{n}"));
    // (is a policy, name, key) of every module a listing or a campaign's content describes.
    let module_of_item = |v: &Value| -> Option<(bool, String, String)> {
        let name = v["name"].as_str().unwrap_or("").to_owned();
        purchase_key(v)
            .map(|k| (false, name.clone(), k))
            .or_else(|| policy_key(v).map(|k| (true, name, k)))
    };
    let mut known: BTreeSet<(bool, String, String)> = BTreeSet::new();
    known.extend(
        common::raw_records(&snapshot, "raw/training/store_purchases/", "")
            .iter()
            .filter_map(module_of_item),
    );
    known.extend(
        common::raw_records(&snapshot, "raw/training/policies/", "")
            .iter()
            .filter_map(module_of_item),
    );
    let mut campaign_modules: BTreeMap<i64, BTreeSet<(bool, String, String)>> = BTreeMap::new();
    for c in common::raw_records(&snapshot, "raw/training/campaigns/", "") {
        let Some(cid) = id(&c["campaign_id"]) else {
            continue;
        };
        let mut items: Vec<&Value> = Vec::new();
        for list in [&c["content"], &c["modules"]] {
            for item in list.as_array().into_iter().flatten() {
                match item.as_array() {
                    Some(nested) => items.extend(nested),
                    None => items.push(item),
                }
            }
        }
        let modules: BTreeSet<_> = items.into_iter().filter_map(module_of_item).collect();
        known.extend(modules.iter().cloned());
        campaign_modules.insert(cid, modules);
    }
    let module_of = |e: &Value| -> Option<String> {
        if let Some(k) = purchase_key(e).or_else(|| policy_key(e)) {
            return Some(k);
        }
        let name = e["module_name"].as_str()?.to_owned();
        let kind = match e["content_type"].as_str() {
            Some("Store Purchase") => Some(false),
            Some("Uploaded Policy") => Some(true),
            _ => None,
        };
        let fits = |m: &&(bool, String, String)| m.1 == name && kind.is_none_or(|k| k == m.0);
        let empty = BTreeSet::new();
        let own = id(&e["campaign_id"])
            .and_then(|c| campaign_modules.get(&c))
            .unwrap_or(&empty);
        let in_campaign: Vec<_> = own.iter().filter(fits).collect();
        if let [only] = in_campaign.as_slice() {
            return Some(only.2.clone());
        }
        let anywhere: BTreeSet<&String> = known.iter().filter(fits).map(|m| &m.2).collect();
        if anywhere.len() == 1 {
            return anywhere.into_iter().next().cloned();
        }
        Some(format!("knowbe4:training:name:{name}"))
    };
    let mut assigned = BTreeSet::new();
    let mut completed = BTreeSet::new();
    for e in &enrollments {
        let Some(user) = id(&e["user"]["id"]) else {
            continue;
        };
        let Some(module) = module_of(e) else { continue };
        if e["status"] == "Passed" {
            completed.insert((user, module.clone()));
        }
        assigned.insert((user, module));
    }
    let expected: BTreeSet<(i64, String)> = assigned.difference(&completed).cloned().collect();
    let got: BTreeSet<(i64, String)> = select(&store, &query_file("assigned-not-completed.rq"))
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[2].clone()))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected, "assigned, not completed");

    // Users who clicked, per phishing test.
    let mut clicked: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for r in &recipients {
        let Some(pst) = id(&r["pst_id"]) else {
            continue;
        };
        let set = clicked.entry(pst).or_default();
        if !r["clicked_at"].is_null()
            && let Some(user) = id(&r["user"]["id"])
        {
            set.insert(user);
        }
    }
    let template = query_file("clicked-in-test.rq");
    assert!(template.contains("VALUES ?pstId { 3520000 }"));
    let mut some_clicked = false;
    for (pst, users) in &clicked {
        let query = template.replace(
            "VALUES ?pstId { 3520000 }",
            &format!("VALUES ?pstId {{ {pst} }}"),
        );
        let got: BTreeSet<i64> = select(&store, &query)
            .into_iter()
            .map(|r| r[0].parse().unwrap())
            .collect();
        assert_eq!(&got, users, "clicked in test {pst}");
        some_clicked |= !users.is_empty();
    }
    assert!(some_clicked);

    // Admins stay paired with their names and address, two of them named alike included.
    let account: serde_json::Value = serde_json::from_slice(
        &std::fs::read(snapshot.join("raw/account/page-0001.json")).unwrap(),
    )
    .unwrap();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let admins: Vec<Vec<String>> = account["admins"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                i.to_string(),
                a["id"].to_string(),
                text(&a["first_name"]),
                text(&a["last_name"]),
                text(&a["email"]),
            ]
        })
        .collect();
    // Two admins sharing a last name prove the names stay paired with their addresses.
    assert!(
        admins
            .iter()
            .enumerate()
            .any(|(i, a)| admins[i + 1..].iter().any(|b| b[3] == a[3])),
        "{admins:?}"
    );
    assert_eq!(select(&store, &query_file("account-admins.rq")), admins);

    // Risk score history: dated, typed points, oldest first.
    let mut history: BTreeMap<String, f64> = BTreeMap::new();
    for p in common::raw_records(&snapshot, "raw/account/risk_score_history/", "") {
        history.insert(text(&p["date"]), p["risk_score"].as_f64().unwrap());
    }
    assert!(!history.is_empty());
    let got: Vec<(String, f64)> = select(&store, &query_file("risk-score-history.rq"))
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    assert_eq!(got, history.clone().into_iter().collect::<Vec<_>>());
    let typed = "PREFIX kb: <https://w3id.org/kb4graph/ns#>
        SELECT (COUNT(*) AS ?n) WHERE {
          ?p kb:RiskScore_date ?d ; kb:RiskScore_riskScore ?s .
          FILTER(datatype(?d) = <http://www.w3.org/2001/XMLSchema#date>
                 && datatype(?s) = <http://www.w3.org/2001/XMLSchema#decimal>)
        }";
    assert_eq!(select(&store, typed), [[history.len().to_string()]]);

    // Phishing categories: each test's (category id, name) pairs, as its raw record lists them.
    let mut categories: BTreeMap<i64, String> = BTreeMap::new();
    let mut test_categories: BTreeSet<(i64, i64, String)> = BTreeSet::new();
    for t in common::raw_records(&snapshot, "raw/phishing/security_tests/", "") {
        for c in t["categories"].as_array().into_iter().flatten() {
            let (Some(pst), Some(cid)) = (t["pst_id"].as_i64(), c["category_id"].as_i64()) else {
                continue;
            };
            let name = categories.entry(cid).or_insert_with(|| text(&c["name"]));
            test_categories.insert((pst, cid, name.clone()));
        }
    }
    assert!(categories.len() > 1, "{categories:?}");
    let pairs = "PREFIX kb: <https://w3id.org/kb4graph/ns#>
        SELECT ?pst ?id ?name WHERE {
          ?t kb:PhishingSecurityTest_pstId ?pst ; kb:PhishingSecurityTest_hasPhishingCategory ?c .
          ?c kb:PhishingCategory_categoryId ?id ; kb:PhishingCategory_name ?name .
        }";
    let got: BTreeSet<(i64, i64, String)> = select(&store, pairs)
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap(), r[2].clone()))
        .collect();
    assert_eq!(got, test_categories);

    // Nodes per class.
    let counts: BTreeMap<String, usize> = select(&store, &query_file("counts-per-class.rq"))
        .into_iter()
        .map(|r| {
            let class = r[0]
                .strip_prefix("https://w3id.org/kb4graph/ns#")
                .unwrap()
                .to_owned();
            (class, r[1].parse().unwrap())
        })
        .collect();
    let mut users: BTreeSet<i64> = active
        .iter()
        .chain(&archived)
        .filter_map(|u| id(&u["id"]))
        .collect();
    users.extend(recipients.iter().filter_map(|r| id(&r["user"]["id"])));
    users.extend(enrollments.iter().filter_map(|e| id(&e["user"]["id"])));
    let with_user = enrollments.iter().filter(|e| e["user"].is_object());
    let campaigns = common::raw_records(&snapshot, "raw/phishing/campaigns/", "");
    let callbacks = common::raw_records(&snapshot, "raw/phishing/campaigns/", "callback");
    let campaign_ids: BTreeSet<i64> = campaigns
        .iter()
        .chain(&callbacks)
        .filter_map(|c| id(&c["campaign_id"]))
        .collect();
    let expected = [
        ("Account", 1),
        ("User", users.len()),
        ("PhishingSecurityTestResult", recipients.len()),
        (
            "Record",
            recipients.len() + history.len() + categories.len(),
        ),
        ("PhishingCategory", categories.len()),
        ("RiskScore", history.len()),
        ("UserManagesAccount", admins.len()),
        (
            "PhishingSecurityTest",
            common::raw_records(&snapshot, "raw/phishing/security_tests/", "").len(),
        ),
        ("PhishingCampaign", campaign_ids.len()),
        (
            "TrainingCampaign",
            common::raw_records(&snapshot, "raw/training/campaigns/", "").len(),
        ),
        ("TrainingModuleAssignedUser", with_user.clone().count()),
        (
            "UserCompletedTrainingModule",
            with_user.filter(|e| e["status"] == "Passed").count(),
        ),
    ];
    for (class, n) in expected {
        assert_eq!(
            counts.get(class).copied().unwrap_or(0),
            n,
            "nodes of kb:{class}"
        );
    }
    assert_eq!(
        counts["Training"],
        counts["TrainingCampaign"] + counts["TrainingModule"] + counts["PhishingCampaign"]
    );
    assert_eq!(counts["Module"], counts["TrainingModule"]);
}

/// The triples of a file, as N-Triples lines; for N-Quads, those of the data graph.
fn triples(path: &Path) -> BTreeSet<String> {
    let bytes = std::fs::read(path).unwrap();
    let ext = path.extension().unwrap().to_str().unwrap();
    let mut set = BTreeSet::new();
    match ext {
        "nt" => {
            for t in oxttl::NTriplesParser::new().for_slice(&bytes) {
                set.insert(t.unwrap().to_string());
            }
        }
        "ttl" => {
            for t in oxttl::TurtleParser::new().for_slice(&bytes) {
                set.insert(t.unwrap().to_string());
            }
        }
        _ => {
            for q in oxttl::NQuadsParser::new().for_slice(&bytes) {
                let q = q.unwrap();
                if !q.graph_name.to_string().ends_with("/provenance>") {
                    set.insert(oxrdf::Triple::from(q).to_string());
                }
            }
        }
    }
    set
}

#[tokio::test]
async fn the_three_syntaxes_hold_the_same_triples_and_the_same_snapshot_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_of(82, dir.path()).await;
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    export(&snapshot, &a);
    export(&snapshot, &b);
    for f in ["rdf/graph.nt", "rdf/graph.ttl", "rdf/graph.nq"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between two exports of one snapshot"
        );
    }
    let nt = triples(&a.join("rdf/graph.nt"));
    assert!(nt.len() > 10_000);
    assert_eq!(nt, triples(&a.join("rdf/graph.ttl")), "Turtle");
    assert_eq!(nt, triples(&a.join("rdf/graph.nq")), "N-Quads data graph");
    // N-Triples lines are the triples, each once.
    let lines = std::fs::read_to_string(a.join("rdf/graph.nt")).unwrap();
    assert_eq!(lines.lines().count(), nt.len());
    assert!(!lines.contains("_:"), "no blank nodes");

    // N-Quads: the data in the snapshot's graph, provenance in its own graph.
    let store = load(&a.join("rdf/graph.nq"), RdfFormat::NQuads);
    let manifest_sha = {
        let text = std::fs::read(snapshot.join("manifest.json")).unwrap();
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&text);
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let graph = format!("https://w3id.org/kb4graph/id/graph/{manifest_sha}");
    let data = oxigraph::model::NamedNode::new(&graph).unwrap();
    assert_eq!(
        store
            .quads_for_pattern(
                None,
                None,
                None,
                Some(GraphNameRef::NamedNode(data.as_ref()))
            )
            .count(),
        nt.len()
    );
    // The store gives back the canonical form (`.65Z` for `.650Z`): compare as dateTimes.
    let fetched_at = common::manifest(&snapshot)["finished_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let provenance = select(
        &store,
        &format!(
            "PREFIX prov: <http://www.w3.org/ns/prov#>
             SELECT ?time ?agent WHERE {{ GRAPH <{graph}/provenance> {{
               <{graph}> prov:wasDerivedFrom ?snap ; prov:wasGeneratedBy ?export .
               ?snap prov:generatedAtTime ?t . ?export prov:wasAssociatedWith ?agent }}
               BIND(?t = \"{fetched_at}\"^^<http://www.w3.org/2001/XMLSchema#dateTime> AS ?time) }}"
        ),
    );
    assert_eq!(
        provenance,
        vec![vec![
            "true".to_owned(),
            format!(
                "https://crates.io/crates/kb4graph/{}",
                env!("CARGO_PKG_VERSION")
            )
        ]]
    );

    // A custom base IRI changes instance IRIs only.
    let c = dir.path().join("c");
    let options = ExportOptions {
        base_iri: "https://grc.example.com/knowbe4/acme/".into(),
        ..ExportOptions::default()
    };
    pipeline::export_snapshot(&snapshot, &[Format::NTriples], &options, &c).unwrap();
    let custom = triples(&c.join("rdf/graph.nt"));
    assert_eq!(custom.len(), nt.len());
    assert!(custom.iter().all(|t| !t.contains("w3id.org/kb4graph/id/")));
    let bad = ExportOptions {
        base_iri: "not an iri".into(),
        ..ExportOptions::default()
    };
    let err =
        pipeline::export_snapshot(&snapshot, &[Format::NTriples], &bad, &dir.path().join("d"))
            .unwrap_err();
    assert!(err.to_string().contains("base-iri"), "{err}");

    let reports = pipeline::validate_export(&a).unwrap();
    assert_eq!(reports.len(), 3);
    for r in reports {
        assert_eq!(r.total, 0, "{:?}", r.violations);
    }
}
