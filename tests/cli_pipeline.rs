//! The pipeline through the binary, as the README tells a newcomer to run it: `run --demo`,
//! `export`, `validate` (clean and deliberately broken documents) and `schemas`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{kb4graph, output_text};

fn demo(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("out");
    let output = kb4graph(&["run", "--demo", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", output_text(&output));
    let shown = output_text(&output);
    assert!(
        shown.contains("knowbe4_phishing_security_test_result"),
        "{shown}"
    );
    assert!(shown.contains("json/graph.json"), "{shown}");
    assert!(shown.contains("valid"), "{shown}");
    out
}

/// Writes `doc` as the JSON export of a fresh directory and validates it.
fn validate_doc(dir: &Path, name: &str, doc: &Value) -> Output {
    let export = dir.join(name);
    std::fs::create_dir_all(export.join("json")).unwrap();
    std::fs::write(
        export.join("json/graph.json"),
        serde_json::to_vec(doc).unwrap(),
    )
    .unwrap();
    kb4graph(&["validate", export.to_str().unwrap()])
}

#[test]
fn run_demo_writes_a_valid_export_with_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path());
    for name in [
        "snapshot/manifest.json",
        "json/graph.json",
        "manifest.json",
        "SHA256SUMS",
    ] {
        assert!(out.join(name).is_file(), "{name}");
    }
    let sums = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(sums.status.success(), "{}", output_text(&sums));

    let again = kb4graph(&["validate", out.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", output_text(&again));

    // Exporting the demo's snapshot again gives the same bytes.
    let second = dir.path().join("second");
    let export = kb4graph(&[
        "export",
        "--from",
        out.join("snapshot").to_str().unwrap(),
        "--format",
        "json",
        "--out",
        second.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{}", output_text(&export));
    assert_eq!(
        std::fs::read(out.join("json/graph.json")).unwrap(),
        std::fs::read(second.join("json/graph.json")).unwrap()
    );
}

#[test]
fn broken_documents_fail_validation_with_the_place_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path());
    let doc: Value =
        serde_json::from_slice(&std::fs::read(out.join("json/graph.json")).unwrap()).unwrap();
    let user_index = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["_type"] == "knowbe4_user")
        .unwrap();

    let mut missing = doc.clone();
    missing["entities"][user_index]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let output = validate_doc(dir.path(), "missing", &missing);
    assert_eq!(output.status.code(), Some(1), "{}", output_text(&output));
    let shown = output_text(&output);
    assert!(
        shown.contains(&format!("/entities/{user_index}")),
        "{shown}"
    );
    assert!(shown.contains("\"name\" is a required property"), "{shown}");

    let mut wrong_type = doc.clone();
    wrong_type["entities"][user_index]["id"] = Value::String("forty-two".into());
    let output = validate_doc(dir.path(), "wrong-type", &wrong_type);
    assert_eq!(output.status.code(), Some(1));
    let shown = output_text(&output);
    assert!(
        shown.contains(&format!("/entities/{user_index}/id")),
        "{shown}"
    );
    assert!(shown.contains("is not of type \"integer\""), "{shown}");

    let mut dangling = doc.clone();
    let rel_index = dangling["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["_type"] == "knowbe4_user_group_has_user")
        .unwrap();
    dangling["relationships"][rel_index]["_toEntityKey"] =
        Value::String("knowbe4:user:999999999999".into());
    let output = validate_doc(dir.path(), "dangling", &dangling);
    assert_eq!(output.status.code(), Some(1));
    let shown = output_text(&output);
    assert!(
        shown.contains(&format!("/relationships/{rel_index}/_toEntityKey"))
            && shown.contains("dangling"),
        "{shown}"
    );

    let mut wrong_end = doc.clone();
    let group_key = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["_type"] == "knowbe4_user_group")
        .unwrap()["_key"]
        .clone();
    wrong_end["relationships"][rel_index]["_toEntityKey"] = group_key;
    let output = validate_doc(dir.path(), "wrong-end", &wrong_end);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output_text(&output).contains("is a knowbe4_user_group"),
        "{}",
        output_text(&output)
    );

    let mut duplicate = doc.clone();
    let first = duplicate["entities"][user_index].clone();
    duplicate["entities"].as_array_mut().unwrap().push(first);
    let output = validate_doc(dir.path(), "duplicate", &duplicate);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output_text(&output).contains("duplicate _key"),
        "{}",
        output_text(&output)
    );

    let output = validate_doc(dir.path(), "clean", &doc);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the unbroken copy is valid: {}",
        output_text(&output)
    );
}

#[test]
fn validate_says_when_there_is_nothing_to_validate() {
    let dir = tempfile::tempdir().unwrap();
    let output = kb4graph(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        output_text(&output).contains("no export found"),
        "{}",
        output_text(&output)
    );
}

#[test]
fn schemas_writes_the_bundled_schema() {
    let dir = tempfile::tempdir().unwrap();
    let output = kb4graph(&["schemas", "--out", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", output_text(&output));
    let written = std::fs::read_to_string(dir.path().join("graph.schema.json")).unwrap();
    let bundled = include_str!("../schemas/graph.schema.json");
    assert_eq!(written, bundled);
    let schema: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn an_incomplete_snapshot_is_not_exported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = kb4graph(&[
        "run",
        "--demo",
        "--max-requests",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    let shown = output_text(&output);
    assert!(shown.contains("--resume"), "{shown}");
    assert!(!out.join("json").exists());
    let export = kb4graph(&[
        "export",
        "--from",
        out.join("snapshot").to_str().unwrap(),
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(export.status.code(), Some(2));
    assert!(
        output_text(&export).contains("incomplete"),
        "{}",
        output_text(&export)
    );
}

#[test]
fn run_demo_serves_the_profile_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hostile");
    let output = kb4graph(&[
        "run",
        "--demo",
        "--profile",
        "hostile",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", output_text(&output));
    let graph: Value =
        serde_json::from_slice(&std::fs::read(out.join("json/graph.json")).unwrap()).unwrap();
    let account = graph["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["_type"] == "knowbe4_account")
        .expect("the account");
    let name = account["name"].as_str().unwrap();
    assert!(name.ends_with('.'), "the hostile account's name {name:?}");

    // A profile only means something for the built-in account.
    let refused = kb4graph(&["run", "--profile", "hostile", "--out", "unused"]);
    assert_eq!(refused.status.code(), Some(2), "{}", output_text(&refused));
    assert!(
        output_text(&refused).contains("--demo"),
        "{}",
        output_text(&refused)
    );
}
