//! Property tests of the RDF writer: hostile strings (quotes, backslashes, newlines, control
//! characters, non-BMP characters, right-to-left text, huge values) in literals and in keys
//! whose IRIs need percent-encoding. Every syntax, parsed back with oxttl, gives the same
//! triples; the strings come back unchanged; IRIs decode to their `_key`; the files conform to
//! the bundled shapes. Every prefixed name in the Turtle has a plain local part, as the readers
//! that mishandle escaped local names (rdflib 7) need.

use crate::common;

use std::collections::{BTreeSet, HashSet};

use kb4graph::formats::rdf::{DEFAULT_BASE_IRI, Syntax, iri, write_graph};
use kb4graph::model::{MemorySource, normalize};
use kb4graph::validate::validate_dir;
use oxrdf::{Term, Triple};
use proptest::prelude::*;
use serde_json::{Value, json};

fn parse(syntax: Syntax, bytes: &[u8]) -> HashSet<Triple> {
    match syntax {
        Syntax::NTriples => oxttl::NTriplesParser::new()
            .for_slice(bytes)
            .map(|t| t.unwrap())
            .collect(),
        Syntax::Turtle => oxttl::TurtleParser::new()
            .for_slice(bytes)
            .map(|t| t.unwrap())
            .collect(),
        Syntax::NQuads => oxttl::NQuadsParser::new()
            .for_slice(bytes)
            .map(|q| q.unwrap())
            .filter(|q| !q.graph_name.to_string().ends_with("/provenance>"))
            .map(Triple::from)
            .collect(),
    }
}

/// The prefixed names of a Turtle document: every token outside literals, IRIs and
/// `@prefix` lines that holds a `:`.
fn prefixed_names(turtle: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in turtle.lines().filter(|l| !l.starts_with("@prefix")) {
        let mut token = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    // A short string literal, as oxttl writes every literal: skip to its end.
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => break,
                            _ => {}
                        }
                    }
                }
                '<' => {
                    for c in chars.by_ref() {
                        if c == '>' {
                            break;
                        }
                    }
                }
                c if c.is_whitespace() || c == '^' => {
                    if token.contains(':') {
                        names.push(std::mem::take(&mut token));
                    }
                    token.clear();
                }
                c => token.push(c),
            }
        }
        if token.contains(':') {
            names.push(token);
        }
    }
    names
}

/// Whether a prefixed name is one every Turtle reader we know of reads: no escapes, no `%`, no
/// trailing `.`, nothing that only Turtle 1.1's `PN_LOCAL` allows.
fn is_plain_prefixed_name(name: &str) -> bool {
    let Some((prefix, local)) = name.split_once(':') else {
        return false;
    };
    let word = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ["id", "kb", "xsd"].contains(&prefix)
        && local.starts_with(|c: char| c.is_ascii_alphabetic())
        && word(local)
}

fn turtle_of(graph: &kb4graph::model::Graph) -> String {
    let (bytes, _) = write_graph(
        graph,
        &common::snapshot_info(),
        DEFAULT_BASE_IRI,
        Syntax::Turtle,
        Vec::new(),
    )
    .unwrap();
    String::from_utf8(bytes).unwrap()
}

fn assert_plain_prefixed_names(turtle: &str) {
    let names = prefixed_names(turtle);
    assert!(
        names.iter().any(|n| n.starts_with("kb:")),
        "the scan finds prefixed names"
    );
    let odd: Vec<&String> = names
        .iter()
        .filter(|n| !is_plain_prefixed_name(n))
        .collect();
    assert!(
        odd.is_empty(),
        "prefixed names that rdflib 7 misreads: {odd:?}"
    );
}

#[test]
fn an_account_named_with_a_final_dot_gives_plain_turtle() {
    // The key of an account is its lowercased name: `Example Corp.` gives an IRI ending in `.`.
    let mut source = MemorySource::new();
    source.add_page("account", &json!({"name": "Example Corp.", "type": "paid"}));
    let (graph, _) = normalize(&source);
    let turtle = turtle_of(&graph);
    assert!(turtle.contains("example%20corp.>"), "{turtle}");
    assert_plain_prefixed_names(&turtle);
    let triples = parse(Syntax::Turtle, turtle.as_bytes());
    let (nt, _) = write_graph(
        &graph,
        &common::snapshot_info(),
        DEFAULT_BASE_IRI,
        Syntax::NTriples,
        Vec::new(),
    )
    .unwrap();
    assert_eq!(triples, parse(Syntax::NTriples, &nt));
}

/// Hostile strings, and keys of the kinds a prefixed name's local part cannot hold as they are.
fn hostile_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => common::hostile_string(),
        1 => prop_oneof![
            Just("Example Corp.".to_owned()),
            Just("Acme Ltd.".to_owned()),
            Just("-leading hyphen".to_owned()),
            Just("9 leading digit".to_owned()),
            Just("100%".to_owned()),
            Just("%41 looks encoded".to_owned()),
            Just("a:b::c:".to_owned()),
            Just("~tilde~".to_owned()),
            Just("Ünïcødé Ålesund".to_owned()),
            Just(".".to_owned()),
            Just("_".to_owned()),
            "[-.~:%_a-z0-9]{1,8}",
        ],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn hostile_strings_and_keys_survive_every_syntax(
        names in proptest::collection::vec(hostile_name(), 1..5),
        big in any::<i64>(),
        score in any::<f64>().prop_filter("finite", |x| x.is_finite()),
    ) {
        let mut source = MemorySource::new();
        source.add_page("account", &json!({"name": names[0], "type": "paid", "current_risk_score": score}));
        let users: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({
                "id": i as i64 + 1,
                "first_name": n,
                "comment": n,
                "email": format!("{n}@example.com"),
                "employee_number": big.to_string(),
                "groups": [7],
                "status": "active",
                "aliases": [n, n, "x"],
                "mfa_enrolled": n,
            }))
            .collect();
        source.add_page("users/active", &Value::Array(users));
        source.add_page("groups/active", &json!([{"id": 7, "name": names[names.len() - 1], "member_count": big}]));
        // Modules known only by their (hostile) names: keys, and so IRIs, hold the strings.
        let enrollments: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({
                "enrollment_id": i as i64 + 1, "module_name": n, "content_type": "Store Purchase",
                "user": {"id": 1}, "status": "Passed", "campaign_name": n, "time_spent": big,
            }))
            .collect();
        source.add_page("training/enrollments", &Value::Array(enrollments));
        let (graph, _) = normalize(&source);

        let mut all = Vec::new();
        for syntax in Syntax::ALL {
            let (bytes, count) = write_graph(&graph, &common::snapshot_info(), DEFAULT_BASE_IRI, syntax, Vec::new()).unwrap();
            if syntax == Syntax::Turtle {
                assert_plain_prefixed_names(std::str::from_utf8(&bytes).unwrap());
            }
            let triples = parse(syntax, &bytes);
            if syntax != Syntax::NQuads {
                prop_assert_eq!(triples.len() as u64, count);
            }
            all.push((syntax, bytes, triples));
        }
        prop_assert_eq!(&all[0].2, &all[1].2, "N-Triples and Turtle");
        prop_assert_eq!(&all[0].2, &all[2].2, "N-Triples and N-Quads");

        let triples = &all[0].2;
        let literals: BTreeSet<&str> = triples
            .iter()
            .filter_map(|t| match &t.object { Term::Literal(l) => Some(l.value()), _ => None })
            .collect();
        for n in &names {
            prop_assert!(literals.contains(n.as_str()), "{:?} lost", n);
        }
        // Every subject is the base IRI and its kb:key, percent-encoded.
        for t in triples {
            if t.predicate.as_str() == "https://w3id.org/kb4graph/ns#key" {
                let Term::Literal(key) = &t.object else { panic!("kb:key is a literal") };
                let subject = t.subject.to_string();
                let tail = subject
                    .strip_prefix(&format!("<{DEFAULT_BASE_IRI}"))
                    .and_then(|s| s.strip_suffix('>'))
                    .unwrap();
                let decoded = iri::decode(tail);
                prop_assert_eq!(decoded.as_deref(), Some(key.value()));
            }
            prop_assert!(!t.subject.is_blank_node() && !t.object.is_blank_node());
        }

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rdf")).unwrap();
        for (syntax, bytes, _) in &all {
            std::fs::write(dir.path().join(syntax.file()), bytes).unwrap();
        }
        for report in validate_dir(dir.path()).unwrap() {
            prop_assert!(report.violations.is_empty(), "{:?}", report.violations);
        }
    }
}
