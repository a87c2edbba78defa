//! `kb4graph report` over real files: the simulated account fetched over loopback, reported
//! from its snapshot, its export and the export's archive. Every figure on the page is read
//! back from its `data-figure` attribute and compared with the same figure counted here from
//! `json/graph.json` with plain serde_json; the page loads nothing from elsewhere, escapes
//! hostile names, and is written owner-only without overwriting anything.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use kb4graph::export::{ExportOptions, Format};
use kb4graph::mock::{MockConfig, Profile};
use kb4graph::pipeline;
use serde_json::Value as J;

/// Every `data-figure="name">value` of the page, in page order.
fn figures(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("data-figure=\"") {
        rest = &rest[at + "data-figure=\"".len()..];
        let (name, tail) = rest.split_once('"').unwrap();
        let value = tail[1..].split('<').next().unwrap();
        out.push((name.to_owned(), value.to_owned()));
        rest = tail;
    }
    out
}

fn first(figures: &[(String, String)], name: &str) -> String {
    figures
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no figure {name}"))
}

/// The rows of table `id`, each as its `data-figure` cells.
fn rows(page: &str, id: &str) -> Vec<Vec<(String, String)>> {
    let start = page
        .find(&format!("id=\"{id}\""))
        .or_else(|| page.find(&format!("id={id}")));
    let table = &page[start.unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    table.split("<tr").skip(2).map(figures).collect()
}

async fn export_of(dir: &Path, profile: Profile) -> std::path::PathBuf {
    let server = common::start(MockConfig::new(7, profile)).await;
    let snapshot = dir.join("snapshot");
    assert!(
        common::fetch(common::options(&server, &snapshot))
            .await
            .complete
    );
    server.shutdown().await;
    let export = dir.join("export");
    pipeline::export_snapshot(
        &snapshot,
        &[Format::Json, Format::NQuads],
        &ExportOptions::default(),
        &export,
    )
    .unwrap();
    export
}

fn counted(doc: &J) -> BTreeMap<&'static str, u64> {
    let entities = doc["entities"].as_array().unwrap();
    let of = |ty: &'static str| entities.iter().filter(move |e| e["_type"] == ty);
    let mut out = BTreeMap::new();
    out.insert(
        "usersActive",
        of("knowbe4_user")
            .filter(|u| u["status"] == "active")
            .count() as u64,
    );
    out.insert(
        "usersArchived",
        of("knowbe4_user")
            .filter(|u| u["status"] == "archived")
            .count() as u64,
    );
    out.insert(
        "groups",
        of("knowbe4_user_group").filter(|g| g["id"] != 0).count() as u64,
    );
    let rels = doc["relationships"].as_array().unwrap();
    out.insert(
        "pastDueTotal",
        rels.iter()
            .filter(|r| r["_type"] == "training_module_assigned_user" && r["status"] == "Past Due")
            .count() as u64,
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_figure_equals_the_one_counted_from_graph_json_whatever_the_input() {
    let tmp = tempfile::tempdir().unwrap();
    let export = export_of(tmp.path(), Profile::Small).await;
    let doc: J =
        serde_json::from_slice(&std::fs::read(export.join("json/graph.json")).unwrap()).unwrap();
    let archive = tmp.path().join("export.tar.gz");
    kb4graph::archive::write_archive(&export, &archive).unwrap();

    let mut pages = Vec::new();
    for (name, input) in [
        ("snapshot", tmp.path().join("snapshot")),
        ("export", export.clone()),
        ("archive", archive.clone()),
    ] {
        let out = tmp.path().join(format!("{name}.html"));
        let output = common::kb4graph(&[
            "report",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", common::output_text(&output));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}");
        }
        pages.push(std::fs::read_to_string(&out).unwrap());
    }
    // The same graph whatever it was read from: the same page.
    assert_eq!(pages[0], pages[1], "snapshot and export");
    assert_eq!(pages[1], pages[2], "export and its archive");
    let page = &pages[0];
    let shown = figures(page);

    for (name, n) in counted(&doc) {
        assert_eq!(first(&shown, name), n.to_string(), "{name}");
    }
    let meta = &doc["metadata"]["snapshot"];
    let evidence = first(&shown, "evidence");
    assert!(
        evidence.contains(meta["manifestSha256"].as_str().unwrap())
            && evidence.contains(meta["fetchedAt"].as_str().unwrap()),
        "{evidence}"
    );

    // Per campaign: enrollments by status, counted from the ASSIGNED relationships.
    let rels = doc["relationships"].as_array().unwrap();
    let entities = doc["entities"].as_array().unwrap();
    let campaign_key: BTreeMap<i64, String> = entities
        .iter()
        .filter(|e| e["_type"] == "training_campaign")
        .map(|e| {
            (
                e["campaignId"].as_i64().unwrap(),
                e["_key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut expected: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for r in rels
        .iter()
        .filter(|r| r["_type"] == "training_module_assigned_user")
    {
        let Some(c) = r["campaignId"].as_i64() else {
            continue;
        };
        let bucket = match r["status"].as_str() {
            Some("Passed") | Some("Completed") => "passed",
            Some("In Progress") => "inProgress",
            Some("Not Started") => "notStarted",
            Some("Past Due") => "pastDue",
            _ => "other",
        };
        let counts = expected.entry(campaign_key[&c].clone()).or_default();
        *counts.entry(bucket).or_default() += 1;
        *counts.entry("total").or_default() += 1;
    }
    let table = rows(page, "campaigns");
    assert_eq!(table.len(), expected.len());
    for (key, counts) in &expected {
        let at = page.find(&format!("data-campaign=\"{key}\"")).unwrap();
        let row = figures(&page[at..page[at..].find("</tr>").unwrap() + at]);
        for (name, value) in row {
            assert_eq!(
                value,
                counts.get(name.as_str()).copied().unwrap_or(0).to_string(),
                "{key} {name}"
            );
        }
    }

    // Per test: the funnel, counted from the results' timestamps.
    let mut funnels: BTreeMap<String, [u64; 6]> = BTreeMap::new();
    let test_key: BTreeMap<i64, String> = entities
        .iter()
        .filter(|e| e["_type"] == "knowbe4_phishing_security_test")
        .map(|e| {
            (
                e["pstId"].as_i64().unwrap(),
                e["_key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for r in entities
        .iter()
        .filter(|e| e["_type"] == "knowbe4_phishing_security_test_result")
    {
        let f = funnels
            .entry(test_key[&r["pstId"].as_i64().unwrap()].clone())
            .or_default();
        f[0] += 1;
        for (i, field) in [
            "deliveredAt",
            "openedAt",
            "clickedAt",
            "dataEnteredAt",
            "reportedAt",
        ]
        .iter()
        .enumerate()
        {
            f[i + 1] += u64::from(r.get(*field).is_some());
        }
    }
    assert!(!funnels.is_empty());
    for (key, f) in &funnels {
        let at = page.find(&format!("data-test=\"{key}\"")).unwrap();
        let row = figures(&page[at..page[at..].find("</tr>").unwrap() + at]);
        let shown: Vec<u64> = row.iter().map(|(_, v)| v.parse().unwrap()).collect();
        assert_eq!(shown, f.to_vec(), "{key}");
    }

    // Nothing is loaded from elsewhere: one script, inline; no src, link, import or url().
    assert_eq!(page.matches("<script").count(), 1);
    for needle in [
        " src=",
        "<link",
        "@import",
        "url(",
        "<iframe",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!page.contains(needle), "{needle}");
    }

    // An existing file is never overwritten.
    let again = tmp.path().join("snapshot.html");
    let output = common::kb4graph(&[
        "report",
        export.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(common::output_text(&output).contains("exists"));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), pages[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_are_shown_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let export = export_of(tmp.path(), Profile::Hostile).await;
    let out = tmp.path().join("report.html");
    let summary = kb4graph::report::write_report(&export, &out).unwrap();
    let page = std::fs::read_to_string(&out).unwrap();
    assert_eq!(page.matches("<script").count(), 1, "no name becomes markup");
    assert_eq!(page.matches("</html>").count(), 1);
    assert!(
        !page
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "control characters are shown escaped"
    );
    assert!(summary.figures.past_due.len() as u64 > 0);
    // Every past-due row is in the table, escaped as it was named.
    let table = rows(&page, "pastdue");
    assert_eq!(table.len(), summary.figures.past_due.len());
    for p in &summary.figures.past_due {
        assert!(
            page.contains(&kb4graph::report::html::escape(&p.user)),
            "{:?}",
            p.user
        );
    }
}
