//! A combined export of several accounts fetched over loopback HTTP: keys scoped by account so
//! that nothing collides although the accounts reuse ids, every entity tagged with its own
//! account, people joined across accounts by address, every format valid and read back the
//! same, each account in a named graph of its own in N-Quads; and the multi-account directory
//! itself verified, archived and compared like a snapshot.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use kb4graph::accounts::{AccountsConfig, AccountsFetch, LISTING, fetch_accounts};
use kb4graph::export::{AccountTag, ExportOptions, Format};
use kb4graph::mock::MockServer;
use kb4graph::model::{ACCOUNT_TAG, Value};
use kb4graph::pipeline;
use kb4graph::rate::RateSpec;
use kb4graph::readback::ReadOptions;
use kb4graph::verify::{VerifyOptions, verify};
use serde_json::Value as J;

/// Two accounts whose ids overlap (the same seed shapes both id ranges), the second sharing
/// some of the first's people.
async fn fetch_two(dir: &Path) -> (std::path::PathBuf, [MockServer; 2]) {
    let first = common::start(common::small(61)).await;
    let mut second = common::small(62);
    second.org.shared_people = Some(61);
    let second = common::start(second).await;
    std::fs::write(dir.join("t.token"), common::TOKEN).unwrap();
    let config = dir.join("accounts.toml");
    std::fs::write(
        &config,
        format!(
            "[[account]]\nname = \"north\"\nbase_url = \"{}\"\ntoken_file = \"t.token\"\n\n[[account]]\nname = \"south.\"\nbase_url = \"{}\"\ntoken_file = \"t.token\"\n",
            first.base_url(),
            second.base_url()
        ),
    )
    .unwrap();
    let config = AccountsConfig::load(&config).unwrap();
    let out = dir.join("snapshots");
    let shared = AccountsFetch {
        pace: RateSpec::off(),
        timeout: Duration::from_secs(5),
        ..AccountsFetch::default()
    };
    for outcome in fetch_accounts(&config, &out, &shared).await.unwrap() {
        assert!(outcome.complete(), "{}: {:?}", outcome.name, outcome.result);
    }
    (out, [first, second])
}

fn graph_json(export: &Path) -> J {
    serde_json::from_slice(&std::fs::read(export.join("json/graph.json")).unwrap()).unwrap()
}

#[tokio::test]
async fn a_combined_export_scopes_keys_tags_each_account_and_joins_people_across_accounts() {
    let tmp = tempfile::tempdir().unwrap();
    let (snapshots, _servers) = fetch_two(tmp.path()).await;
    let export = tmp.path().join("export");
    pipeline::export_snapshot(&snapshots, &Format::ALL, &ExportOptions::default(), &export)
        .unwrap();

    let reports = pipeline::validate_export(&export).unwrap();
    for r in &reports {
        assert_eq!(r.total, 0, "{}: {:?}", r.format, r.violations);
    }
    assert_eq!(reports.len(), Format::ALL.len());

    let doc = graph_json(&export);
    let entities = doc["entities"].as_array().unwrap();
    let keys: Vec<&str> = entities
        .iter()
        .map(|e| e["_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), keys.len());
    // Each account's graph on its own, for what the combined one must hold of it.
    let mut per_account = BTreeMap::new();
    for name in ["north", "south."] {
        let own = tmp.path().join(format!("own-{name}"));
        pipeline::export_snapshot(
            &snapshots.join(name),
            &[Format::Json],
            &ExportOptions::default(),
            &own,
        )
        .unwrap();
        per_account.insert(name, graph_json(&own));
    }
    let mut collide = 0;
    let north_keys: BTreeSet<&str> = per_account["north"]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["_key"].as_str().unwrap())
        .filter(|k| !k.starts_with("knowbe4:person:"))
        .collect();
    for (name, own) in &per_account {
        for e in own["entities"].as_array().unwrap() {
            let key = e["_key"].as_str().unwrap();
            if key.starts_with("knowbe4:person:") {
                continue;
            }
            if *name == "south." && north_keys.contains(key) {
                collide += 1;
            }
            let scoped = format!(
                "knowbe4:acct:{name}:{}",
                key.strip_prefix("knowbe4:").unwrap()
            );
            let found = entities
                .iter()
                .find(|c| c["_key"] == scoped.as_str())
                .unwrap_or_else(|| panic!("{scoped} is missing"));
            assert_eq!(found[ACCOUNT_TAG], *name, "{scoped}");
            assert_eq!(found["_type"], e["_type"]);
            assert_eq!(found["name"], e["name"]);
        }
    }
    // The accounts reuse ids: unscoped, their keys would have collided.
    assert!(collide > 0);

    // People: one per address across both accounts, linked to users of both.
    let is: Vec<(&str, &str)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["_class"] == "IS")
        .map(|r| {
            (
                r["_fromEntityKey"].as_str().unwrap(),
                r["_toEntityKey"].as_str().unwrap(),
            )
        })
        .collect();
    let mut accounts_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (user, person) in &is {
        let account = user
            .strip_prefix("knowbe4:acct:")
            .unwrap()
            .split(':')
            .next()
            .unwrap();
        accounts_of.entry(person).or_default().insert(account);
    }
    let across = accounts_of.values().filter(|a| a.len() == 2).count();
    assert!(across >= 10, "{across} people with users in both accounts");
    for e in entities.iter().filter(|e| e["_type"] == "employee") {
        assert!(e["_key"].as_str().unwrap().starts_with("knowbe4:person:"));
        assert!(e.get(ACCOUNT_TAG).is_none(), "{e}");
    }
    let metadata = &doc["metadata"]["snapshot"]["accounts"];
    assert_eq!(metadata.as_array().unwrap().len(), 2);
    assert_eq!(metadata[1]["name"], "south.");

    // Every format reads back to the same records, account tags included.
    let json_records = Format::Json
        .read_records(&export, &ReadOptions::default())
        .unwrap();
    for format in [Format::Neo4j, Format::NQuads] {
        let records = format
            .read_records(&export, &ReadOptions::default())
            .unwrap();
        assert_eq!(records.len(), json_records.len(), "{format}");
        let tagged = records
            .iter()
            .filter(|r| r.properties.get(ACCOUNT_TAG) == Some(&Value::String("south.".into())))
            .count();
        assert!(tagged > 100, "{format}: {tagged}");
    }

    // N-Quads: each account's entities in its own named graph, people in the data graph.
    let nq = std::fs::read_to_string(export.join("rdf/graph.nq")).unwrap();
    let graphs: BTreeSet<&str> = nq
        .lines()
        .filter_map(|l| l.trim_end_matches(" .").rsplit(' ').next())
        .collect();
    let data = graphs
        .iter()
        .find(|g| !g.contains("/account/") && !g.ends_with("/provenance>"))
        .unwrap()
        .trim_end_matches('>')
        .to_owned();
    for name in ["north", "south."] {
        let graph = format!("{data}/account/{name}>");
        assert!(graphs.contains(graph.as_str()), "{graphs:?}");
        let user_line = nq
            .lines()
            .find(|l| {
                l.starts_with(&format!(
                    "<https://w3id.org/kb4graph/id/knowbe4:acct:{name}:user:"
                ))
            })
            .unwrap();
        assert!(user_line.ends_with(&format!("{graph} .")), "{user_line}");
    }
    assert_eq!(graphs.len(), 4, "{graphs:?}");

    // A quad moved to a graph no export writes, or to another export's account graph, is
    // refused by the reader and by validate, naming the graph.
    let account_graph = format!("{data}/account/north>");
    let (base, sha) = data.rsplit_once('/').unwrap();
    let other: String = sha.chars().rev().collect();
    assert_ne!(other, sha);
    for (wrong, expected) in [
        (format!("{data}/account/../x>"), "is neither the data graph"),
        (
            format!("{data}/account/north/x>"),
            "is neither the data graph",
        ),
        (
            format!("{base}/{other}/account/north>"),
            "belongs to another snapshot",
        ),
    ] {
        let damaged = tmp.path().join("damaged");
        let _ = std::fs::remove_dir_all(&damaged);
        common::copy_dir(&export, &damaged);
        // A data quad's graph, not the provenance that names the account graph.
        let nq = nq.replacen(
            &format!(" {account_graph} .\n"),
            &format!(" {wrong} .\n"),
            1,
        );
        std::fs::write(damaged.join("rdf/graph.nq"), nq).unwrap();
        let err = Format::NQuads
            .read_records(&damaged, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected) && err.contains("graph.nq"), "{err}");
        let reports = pipeline::validate_export(&damaged).unwrap();
        let nquads = reports.iter().find(|r| r.format == Format::NQuads).unwrap();
        assert_eq!(nquads.total, 1, "{:?}", nquads.violations);
        let said = nquads.violations[0].to_string();
        let graph = wrong.trim_start_matches('<').trim_end_matches('>');
        assert!(said.contains(expected) && said.contains(graph), "{said}");
        for r in reports.iter().filter(|r| r.format != Format::NQuads) {
            assert_eq!(r.total, 0, "{}: {:?}", r.format, r.violations);
        }
    }
}

#[tokio::test]
async fn the_multi_account_directory_verifies_archives_and_compares_like_a_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let (snapshots, _servers) = fetch_two(tmp.path()).await;
    let report = verify(&snapshots, &VerifyOptions::default()).unwrap();
    assert!(report.ok(), "{:?}", report.all_problems());
    assert_eq!(report.nested.len(), 2);

    let archive = tmp.path().join("snapshots.tar.gz");
    kb4graph::archive::write_archive(&snapshots, &archive).unwrap();
    let report = verify(&archive, &VerifyOptions::default()).unwrap();
    assert!(report.ok(), "{:?}", report.all_problems());
    assert_eq!(report.nested.len(), 2);

    // The combined export equals the directory it was made from, and its archive.
    let export = tmp.path().join("export");
    pipeline::export_snapshot(
        &snapshots,
        &[Format::Json],
        &ExportOptions::default(),
        &export,
    )
    .unwrap();
    for side in [&snapshots, &archive] {
        let old = pipeline::load_side(side, false).unwrap();
        let new = pipeline::load_side(&export, false).unwrap();
        let old: Vec<_> = old.records().collect();
        let new: Vec<_> = new.records().collect();
        assert_eq!(old.len(), new.len());
        assert!(old == new, "{}", side.display());
    }

    // A missing account, an unlisted file and a damaged listing are named.
    let damaged = tmp.path().join("damaged");
    common::copy_dir(&snapshots, &damaged);
    std::fs::remove_dir_all(damaged.join("north")).unwrap();
    std::fs::write(damaged.join("stray.txt"), "x").unwrap();
    let report = verify(&damaged, &VerifyOptions::default()).unwrap();
    let problems: Vec<String> = report
        .all_problems()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("north/") && p.contains("missing")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("stray.txt")),
        "{problems:?}"
    );
    let err = pipeline::export_snapshot(
        &damaged,
        &[Format::Json],
        &ExportOptions::default(),
        &tmp.path().join("x"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("north"), "{err}");
    std::fs::write(
        damaged.join(LISTING),
        "{\"kind\":\"kb4graph-accounts\",\"accounts\":[\"../x\"]}",
    )
    .unwrap();
    let report = verify(&damaged, &VerifyOptions::default()).unwrap();
    assert!(!report.ok());
    let err = pipeline::export_snapshot(
        &damaged,
        &[Format::Json],
        &ExportOptions::default(),
        &tmp.path().join("y"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("accounts.json") && err.contains("../x"),
        "{err}"
    );

    // One name cannot tag several accounts.
    let err = pipeline::export_snapshot(
        &snapshots,
        &[Format::Json],
        &ExportOptions {
            account_tag: AccountTag::Name("one".into()),
            ..ExportOptions::default()
        },
        &tmp.path().join("z"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("--account-name"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_take_a_multi_account_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (snapshots, _servers) = fetch_two(tmp.path()).await;
    let snapshots = snapshots.to_str().unwrap().to_owned();
    let dir = tmp.path().to_owned();
    tokio::task::spawn_blocking(move || {
        let export = dir.join("export");
        let export = export.to_str().unwrap();
        let output = common::kb4graph(&["-q", "export", "--from", &snapshots, "--out", export]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            common::output_text(&output)
        );
        let output = common::kb4graph(&["verify", &snapshots]);
        let text = common::output_text(&output);
        assert_eq!(output.status.code(), Some(0), "{text}");
        assert!(
            text.contains("2 accounts, as accounts.json lists them"),
            "{text}"
        );
        assert!(text.contains("/south.: snapshot"), "{text}");
        let output = common::kb4graph(&["diff", &snapshots, export]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            common::output_text(&output)
        );
        let other = dir.join("other");
        let output = common::kb4graph(&[
            "export",
            "--from",
            &snapshots,
            "--account-name",
            "one",
            "--out",
            other.to_str().unwrap(),
        ]);
        let text = common::output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains("each tagged with its own name"), "{text}");
        assert!(!other.join("manifest.json").exists());
    })
    .await
    .unwrap();
}
