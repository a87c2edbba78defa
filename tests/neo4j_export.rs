//! The Neo4j CSV export of a fetched account: byte-identical for the same snapshot, valid,
//! counted like the JSON export, every raw user present; and deliberately broken files are
//! refused with the file, line and column.

use crate::common;

use std::path::{Path, PathBuf};

use kb4graph::export::{ExportOptions, Format};
use kb4graph::pipeline;
use serde_json::Value;

async fn export_of(seed: u64, dir: &Path) -> (PathBuf, PathBuf) {
    let server = common::start(common::small(seed)).await;
    let snapshot = dir.join("snapshot");
    common::fetch(common::options(&server, &snapshot)).await;
    let out = dir.join("export");
    pipeline::export_snapshot(
        &snapshot,
        &[Format::Json, Format::Neo4j],
        &ExportOptions::default(),
        &out,
    )
    .unwrap();
    (snapshot, out)
}

fn violations(dir: &Path) -> Vec<String> {
    pipeline::validate_export(dir)
        .unwrap()
        .into_iter()
        .filter(|r| r.format == Format::Neo4j)
        .flat_map(|r| r.violations)
        .map(|v| v.to_string())
        .collect()
}

fn csv_rows(path: &Path) -> usize {
    csv::ReaderBuilder::new()
        .from_path(path)
        .unwrap()
        .records()
        .inspect(|r| assert!(r.is_ok(), "{r:?}"))
        .count()
}

#[tokio::test]
async fn a_fetched_account_exports_valid_identical_complete_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, out) = export_of(41, dir.path()).await;
    assert_eq!(violations(&out), Vec::<String>::new());

    let again = dir.path().join("again");
    pipeline::export_snapshot(
        &snapshot,
        &[Format::Neo4j],
        &ExportOptions::default(),
        &again,
    )
    .unwrap();
    let a = common::files(&out.join("neo4j"));
    let b = common::files(&again.join("neo4j"));
    assert_eq!(
        a.len(),
        kb4graph::model::EntityType::ALL.len() + kb4graph::model::RelationshipType::ALL.len() + 3
    );
    assert_eq!(a, b, "the same snapshot gives the same bytes");

    // Every file's row count equals what the JSON exporter counted.
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("json/graph.json")).unwrap())
            .unwrap();
    let counts = &doc["metadata"]["counts"];
    for (section, dir_name) in [("entities", "nodes"), ("relationships", "relationships")] {
        for (ty, n) in counts[section].as_object().unwrap() {
            let path = out.join(format!("neo4j/{dir_name}/{ty}.csv"));
            assert_eq!(csv_rows(&path) as u64, n.as_u64().unwrap(), "{ty}");
        }
    }

    // Every user of the raw pages is a row, read with the csv crate.
    let users = out.join("neo4j/nodes/knowbe4_user.csv");
    let mut reader = csv::Reader::from_path(&users).unwrap();
    let id_col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "id:long")
        .unwrap();
    let ids: std::collections::BTreeSet<i64> = reader
        .records()
        .map(|r| r.unwrap()[id_col].parse().unwrap())
        .collect();
    for (path, bytes) in common::raw_pages(&snapshot) {
        if path.starts_with("raw/users/active") || path.starts_with("raw/users/archived") {
            let page: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
            for u in page {
                if let Some(id) = u["id"].as_i64() {
                    assert!(ids.contains(&id), "user {id} of {}", path.display());
                }
            }
        }
    }

    let import = std::fs::read_to_string(out.join("neo4j/import.sh")).unwrap();
    assert!(import.contains("database import full"));
    assert!(import.contains("--nodes=nodes/knowbe4_user.csv"));
    assert!(
        import.contains("--multiline-fields=true"),
        "the demo data has newlines"
    );
    let load = std::fs::read_to_string(out.join("neo4j/load.cypher")).unwrap();
    assert!(load.find("\nCREATE CONSTRAINT").unwrap() < load.find("\nLOAD CSV").unwrap());
    assert!(load.contains("IN TRANSACTIONS"));
}

/// Applies `edit` to `file` of a copy of `export` and returns the validator's messages.
fn broken(export: &Path, file: &str, edit: impl FnOnce(String) -> String) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    for (rel, bytes) in common::files(export) {
        let path = copy.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let path = copy.join(file);
    let before = std::fs::read_to_string(&path).unwrap();
    let after = edit(before.clone());
    assert!(before != after, "{file} was not changed");
    std::fs::write(&path, after).unwrap();
    violations(&copy)
}

fn assert_says(found: &[String], want: &str) {
    assert!(
        found.iter().any(|v| v.contains(want)),
        "expected {want:?} among {found:#?}"
    );
}

#[tokio::test]
async fn broken_files_are_refused_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = export_of(42, dir.path()).await;
    let users = "neo4j/nodes/knowbe4_user.csv";
    let groups = "neo4j/nodes/knowbe4_user_group.csv";
    let members = "neo4j/relationships/knowbe4_user_group_has_user.csv";
    let format: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("neo4j/format.json")).unwrap())
            .unwrap();
    let array = format["arrayDelimiter"].as_str().unwrap().to_owned();

    let v = broken(&out, users, |t| t.replacen("id:long", "id:int", 1));
    assert_says(
        &v,
        &format!(
            "{users} line 1, column 6: header \"id:int\", but the property table says \"id:long\""
        ),
    );
    let v = broken(&out, users, |t| t.replacen("id:long", "id:number", 1));
    assert_says(&v, "\"number\" is not a neo4j-admin type");

    let text = std::fs::read_to_string(out.join(users)).unwrap();
    let line = text.split('\n').position(|l| l.contains(",true,")).unwrap();
    let v = broken(&out, users, |t| {
        let mut lines: Vec<String> = t.split('\n').map(str::to_owned).collect();
        lines[line] = lines[line].replacen(",true,", ",TRUE,", 1);
        lines.join("\n")
    });
    assert_says(&v, &format!("{users} line {}, column ", line + 1));
    assert_says(&v, "provisioningManaged:boolean: \"TRUE\" is not a boolean");

    // The first group row repeated: a duplicate ID and an unsorted file.
    let v = broken(&out, groups, |t| {
        let second = t.split('\n').nth(1).unwrap().to_owned();
        format!("{t}{second}\n")
    });
    assert_says(&v, "IDs must be unique in the ID space");
    assert_says(&v, "rows must be sorted by _key");

    let v = broken(&out, members, |t| {
        let row = t.split('\n').nth(1).unwrap().to_owned();
        t.replacen(
            &row,
            &row.replacen(",knowbe4:user:", ",knowbe4:user:0", 1),
            1,
        )
    });
    assert_says(
        &v,
        &format!("{members} line 2, column 2: :END_ID(knowbe4): no node has the ID"),
    );

    let v = broken(&out, users, |t| {
        t.replacen(
            &format!("knowbe4_user{array}User"),
            &format!("knowbe4_user{array}Person"),
            1,
        )
    });
    assert_says(&v, &format!("{users} line 2, column 2: :LABEL"));

    let v = broken(&out, users, |t| {
        let row = t.split('\n').nth(1).unwrap().to_owned();
        let name = row.split(',').nth(3).unwrap().to_owned();
        t.replacen(
            &row,
            &row.replacen(&format!(",{name},"), &format!(",{name}{array}x,"), 1),
            1,
        )
    });
    assert_says(&v, "which neo4j-admin cannot escape");

    let v = broken(&out, users, |t| {
        let row = t.split('\n').nth(1).unwrap().to_owned();
        t.replacen(&row, &format!("{row},"), 1)
    });
    assert_says(&v, &format!("{users} line 2, column 1: "));
    assert_says(&v, "fields, but the header has");

    let v = broken(&out, "neo4j/import.sh", |t| {
        t.replace("--multiline-fields=true", "--multiline-fields=false")
    });
    assert_says(
        &v,
        "--multiline-fields=false, but neo4j/format.json needs --multiline-fields=true",
    );
    let v = broken(&out, "neo4j/format.json", |t| {
        t.replace("\"multilineFields\": true", "\"multilineFields\": false")
    });
    assert_says(
        &v,
        "spans lines but import.sh does not pass --multiline-fields=true",
    );

    // Exit code 1 from the command line.
    let dir2 = tempfile::tempdir().unwrap();
    let copy = dir2.path().join("copy");
    for (rel, bytes) in common::files(&out) {
        let path = copy.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    std::fs::write(copy.join("neo4j/nodes/stray.csv"), "x\n").unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kb4graph"))
        .arg("validate")
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&status.stdout).contains("neo4j/nodes/stray.csv"));
}

/// Strings that use every array delimiter the CSV can be written with leave no way to write
/// arrays: the export is refused with that reason, not an I/O error, and nothing is left in
/// the output directory.
#[test]
fn a_graph_using_every_array_delimiter_is_refused_with_its_own_error() {
    let every: String = kb4graph::formats::neo4j::dialect::ARRAY_DELIMITERS
        .iter()
        .collect();
    let graph = crate::readback_support::small_graph(&every, None);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let refused = kb4graph::export::export(
        &graph,
        &common::snapshot_info(),
        &[Format::Neo4j],
        &ExportOptions::default(),
        &out,
    )
    .unwrap_err();
    assert!(
        matches!(
            refused,
            kb4graph::export::ExportError::NoFreeArrayDelimiter { .. }
        ),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("array delimiter"), "{refused}");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(
        left.is_empty(),
        "nothing is left in {}: {left:?}",
        out.display()
    );
}
