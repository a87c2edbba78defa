//! What `validate`, `verify` and `diff` say about damaged exports, recorded word for word in
//! `tests/fixtures/messages.txt`: moving code between modules must not change a message. A
//! change of wording on purpose records them again with `KB4GRAPH_RECORD_MESSAGES=1`, and the
//! diff of that file shows what moved.
//!
//! Each case damages one file of a one-format export of the demo account and rewrites the
//! manifest and `SHA256SUMS` to match, so that `verify` gets past the hashes to the reader.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{copy_dir, kb4graph, rewrite_consistently};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

enum Damage {
    /// Keep this share of the file's bytes (at a character boundary).
    Truncate(f64),
    /// Replace the first occurrence.
    Replace(&'static str, &'static str),
}

struct Case {
    format: &'static str,
    file: &'static str,
    damage: Damage,
}

const fn replace(
    format: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
) -> Case {
    Case {
        format,
        file,
        damage: Damage::Replace(from, to),
    }
}

const fn truncate(format: &'static str, file: &'static str, share: f64) -> Case {
    Case {
        format,
        file,
        damage: Damage::Truncate(share),
    }
}

const GROUPS_CSV: &str = "neo4j/nodes/knowbe4_user_group.csv";

const CASES: &[Case] = &[
    truncate("json", "json/graph.json", 0.6),
    replace(
        "json",
        "json/graph.json",
        "\"memberCount\":200",
        "\"memberCount\":\"200\"",
    ),
    replace(
        "json",
        "json/graph.json",
        "\"_type\":\"knowbe4_user_group\"",
        "\"_type\":\"knowbe4_user_grou\"",
    ),
    replace(
        "neo4j",
        GROUPS_CSV,
        ",All Users,All Users,0,",
        ",All Users,All Users,zero,",
    ),
    replace("neo4j", GROUPS_CSV, "memberCount:long", "memberCount:int"),
    truncate("neo4j", GROUPS_CSV, 0.5),
    truncate("graphml", "graphml/graph.graphml", 0.6),
    replace(
        "graphml",
        "graphml/graph.graphml",
        "<data key=\"n.name\">All Users</data>",
        "<data key=\"n.nope\">All Users</data>",
    ),
    replace(
        "graphml",
        "graphml/graph.graphml",
        "<node id=\"knowbe4:group:0\">",
        "<node id=\"knowbe4:group:00\">",
    ),
    replace("ntriples", "rdf/graph.nt", "\"42.4\"^^", "\"forty\"^^"),
    truncate("ntriples", "rdf/graph.nt", 0.5),
    replace(
        "turtle",
        "rdf/graph.ttl",
        "kb:UserGroup_memberCount 200 ;",
        "kb:UserGroup_memberCount \"x\" ;",
    ),
    truncate("turtle", "rdf/graph.ttl", 0.5),
    truncate("nquads", "rdf/graph.nq", 0.5),
];

fn damaged(text: &str, damage: &Damage) -> String {
    match damage {
        Damage::Truncate(share) => {
            let mut at = (text.len() as f64 * share) as usize;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_owned()
        }
        Damage::Replace(from, to) => {
            assert!(text.contains(from), "{from:?} is in the file");
            text.replacen(from, to, 1)
        }
    }
}

fn transcript(out: &mut String, root: &Path, args: &[&str]) {
    let output = kb4graph(args);
    let shown = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(s(root), "<tmp>");
    let command = args.join(" ").replace(s(root), "<tmp>");
    writeln!(out, "$ kb4graph {command}").unwrap();
    writeln!(out, "exit {:?}", output.status.code()).unwrap();
    for (name, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        for line in shown(bytes).lines() {
            writeln!(out, "{name}| {line}").unwrap();
        }
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages.txt")
}

#[test]
fn validate_verify_and_diff_say_the_same_of_damaged_exports() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let demo = root.join("demo");
    let ran = kb4graph(&["run", "--demo", "-q", "--out", s(&demo)]);
    assert!(ran.status.success(), "{}", crate::common::output_text(&ran));
    let mut out = String::new();
    for (n, case) in CASES.iter().enumerate() {
        let clean = root.join(format!("clean-{}", case.format));
        if !clean.exists() {
            let snapshot = demo.join("snapshot");
            let exported = kb4graph(&[
                "export",
                "-q",
                "--from",
                s(&snapshot),
                "--format",
                case.format,
                "--out",
                s(&clean),
            ]);
            assert!(
                exported.status.success(),
                "{}",
                crate::common::output_text(&exported)
            );
        }
        let broken = root.join(format!("case-{n}"));
        copy_dir(&clean, &broken);
        let text = fs::read_to_string(broken.join(case.file)).unwrap();
        rewrite_consistently(&broken, case.file, &damaged(&text, &case.damage));
        writeln!(out, "## case {n}: {} {}", case.format, case.file).unwrap();
        transcript(&mut out, root, &["validate", s(&broken)]);
        transcript(&mut out, root, &["verify", s(&broken)]);
        transcript(&mut out, root, &["diff", s(&clean), s(&broken)]);
        out.push('\n');
    }
    if std::env::var_os("KB4GRAPH_RECORD_MESSAGES").is_some() {
        fs::write(fixture(), &out).unwrap();
        return;
    }
    let recorded = fs::read_to_string(fixture()).unwrap_or_default();
    if recorded != out {
        let actual = std::env::temp_dir().join("kb4graph-messages.actual.txt");
        fs::write(&actual, &out).unwrap();
        let first = recorded
            .lines()
            .zip(out.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(recorded.lines().count().min(out.lines().count()));
        panic!(
            "messages differ from tests/fixtures/messages.txt from line {}; what was said is in {} \
             (record on purpose with KB4GRAPH_RECORD_MESSAGES=1)",
            first + 1,
            actual.display()
        );
    }
}
