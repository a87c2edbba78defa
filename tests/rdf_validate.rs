//! `kb4graph validate` on RDF exports: a fresh export conforms to the bundled shapes, and files
//! broken on purpose are rejected for the right reason, naming the focus node and the path.

use crate::common;

use std::path::Path;

use kb4graph::export::{ExportOptions, Format};
use kb4graph::pipeline;
use kb4graph::validate::validate_dir;

const KB: &str = "https://w3id.org/kb4graph/ns#";

async fn export(dir: &Path) -> String {
    let server = common::start(common::small(91)).await;
    let snapshot = dir.join("snapshot");
    common::fetch(common::options(&server, &snapshot)).await;
    let out = dir.join("export");
    pipeline::export_snapshot(
        &snapshot,
        &[Format::NTriples],
        &ExportOptions::default(),
        &out,
    )
    .unwrap();
    std::fs::read_to_string(out.join("rdf/graph.nt")).unwrap()
}

/// Validates `nt` as `rdf/graph.nt` of a directory of its own: every violation as one line.
fn violations(dir: &Path, name: &str, nt: &str) -> Vec<String> {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("rdf")).unwrap();
    std::fs::write(root.join("rdf/graph.nt"), nt).unwrap();
    let reports = validate_dir(&root).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].total, reports[0].violations.len());
    reports[0]
        .violations
        .iter()
        .map(|v| v.to_string())
        .collect()
}

fn first_line<'a>(nt: &'a str, predicate: &str) -> &'a str {
    let needle = format!("<{KB}{predicate}> ");
    nt.lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no {predicate} triple"))
}

fn subject(line: &str) -> &str {
    line.split(' ').next().unwrap()
}

#[tokio::test]
async fn broken_files_are_rejected_for_the_right_reason() {
    let dir = tempfile::tempdir().unwrap();
    let nt = export(dir.path()).await;
    assert!(violations(dir.path(), "ok", &nt).is_empty());

    // A literal of the wrong datatype, and an ill-formed integer.
    let line = first_line(&nt, "User_id");
    let value = line.split('"').nth(1).unwrap();
    let wrong = nt.replacen(
        line,
        &line.replace(
            &format!("\"{value}\"^^<http://www.w3.org/2001/XMLSchema#integer>"),
            &format!("\"{value}\""),
        ),
        1,
    );
    let found = violations(dir.path(), "datatype", &wrong);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(subject(line))
            && found[0].contains("kb:User_id")
            && found[0].contains("sh:datatype xsd:integer"),
        "{found:?}"
    );
    let ill = nt.replacen(line, &line.replace(&format!("\"{value}\""), "\"12a\""), 1);
    let found = violations(dir.path(), "ill-typed", &ill);
    assert!(
        found.len() == 1 && found[0].contains("is not a valid xsd:integer"),
        "{found:?}"
    );

    // A required property missing.
    let line = first_line(&nt, "User_name");
    let found = violations(dir.path(), "min", &nt.replacen(&format!("{line}\n"), "", 1));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(subject(line)) && found[0].contains("sh:minCount 1"),
        "{found:?}"
    );

    // A second value of a single-valued property, next to the first.
    let line = first_line(&nt, "User_name");
    let twice = line.replacen("\" .", " bis\" .", 1);
    let found = violations(
        dir.path(),
        "max",
        &nt.replacen(line, &format!("{line}\n{twice}"), 1),
    );
    assert!(
        found.len() == 1 && found[0].contains("sh:maxCount 1") && found[0].contains("kb:User_name"),
        "{found:?}"
    );

    // A group "has" a node that is not a user.
    let line = first_line(&nt, "UserGroup_hasUser");
    let object = line.split(' ').nth(2).unwrap();
    let found = violations(
        dir.path(),
        "class",
        &nt.replacen(line, &line.replacen(object, subject(line), 1), 1),
    );
    assert!(
        found.len() == 1 && found[0].contains("sh:class kb:User"),
        "{found:?}"
    );

    // A training module without its JupiterOne class Module.
    let module = nt
        .lines()
        .find(|l| l.ends_with(&format!("<{KB}Module> .")))
        .unwrap();
    let found = violations(
        dir.path(),
        "has-value",
        &nt.replacen(&format!("{module}\n"), "", 1),
    );
    assert!(
        found.len() == 1 && found[0].contains("sh:hasValue kb:Module"),
        "{found:?}"
    );

    // Not RDF, and a subject split in two runs.
    let found = violations(dir.path(), "syntax", &format!("{nt}<oops> \"x\" .\n"));
    let last = nt.lines().count() + 1;
    assert!(
        found.len() == 1
            && found[0].contains(&format!("line {last}"))
            && found[0].contains("syntax error"),
        "{found:?}"
    );
    let line = first_line(&nt, "User_email");
    let moved = format!("{}{line}\n", nt.replacen(&format!("{line}\n"), "", 1));
    let found = violations(dir.path(), "split", &moved);
    assert!(
        found.iter().any(|v| v.contains("not together")),
        "{found:?}"
    );
}
