//! Property tests of the Neo4j CSV writer: whatever the strings (delimiters, quotes,
//! backslashes before quotes, newlines, the array delimiters themselves, control characters,
//! emoji, huge values), the files read back with the `csv` crate by their headers' types give
//! the graph again, LOAD CSV's backslash-escaping reader reads the same fields as
//! neo4j-admin's RFC 4180 one, and `validate` finds nothing wrong.

use crate::common;

use std::path::Path;

use kb4graph::export::{ExportOptions, Format, export};
use kb4graph::formats::neo4j::tokenizer::{
    Next as TokenizerNext, Record as CsvRecord, Tokenizer as CsvTokenizer,
};
use kb4graph::formats::neo4j::{FormatInfo, node_file, relationship_file};
use kb4graph::model::{
    EntityType, Graph, MemorySource, Property, RelationshipType, Value, ValueRef, normalize,
};
use kb4graph::pipeline;
use proptest::prelude::*;
use serde_json::{Value as J, json};

fn graph_of(names: &[String], big: i64) -> Graph {
    let mut source = MemorySource::new();
    source.add_page(
        "account",
        &json!({"name": names[0], "type": "paid", "domains": names}),
    );
    let users: Vec<J> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": big.wrapping_add(i as i64),
                "first_name": n,
                "last_name": n,
                "email": format!("{n}@example.com"),
                "comment": n,
                "aliases": [n, format!("{n}{n}")],
                "employee_number": big.to_string(),
                "groups": [7, big],
                "phish_prone_percentage": (i as f64) / 3.0,
                "provisioning_managed": i % 2 == 0,
                "joined_on": "2019-04-02T15:02:38.123Z",
                "custom_date_1": "2021-03-06",
                "mfa_enrolled": n,
                "status": "active",
            })
        })
        .collect();
    source.add_page("users/active", &J::Array(users));
    source.add_page(
        "groups/active",
        &json!([{"id": 7, "name": names[names.len() - 1], "group_type": "console_group"}]),
    );
    // A module known only by its (hostile) name makes keys that hold the string.
    source.add_page(
        "training/enrollments",
        &json!([{
            "enrollment_id": 1, "module_name": names[0], "content_type": "Store Purchase",
            "user": {"id": big}, "status": "Passed", "campaign_name": names[0],
            "completion_date": "2024-02-29T23:59:59.999Z", "time_spent": big,
        }]),
    );
    normalize(&source).0
}

/// A CSV field parsed by the header's neo4j-admin type.
fn parse(text: &str, ty: &str, array: char) -> Value {
    let items = || -> Vec<&str> {
        if text.is_empty() {
            Vec::new()
        } else {
            text.split(array).collect()
        }
    };
    match ty {
        "string" => Value::String(text.to_owned()),
        "long" => Value::Integer(text.parse().unwrap()),
        "double" => Value::Float(text.parse().unwrap()),
        "boolean" => Value::Boolean(match text {
            "true" => true,
            "false" => false,
            other => panic!("boolean {other:?}"),
        }),
        "string[]" => Value::StringArray(items().into_iter().map(str::to_owned).collect()),
        "long[]" => Value::IntegerArray(items().into_iter().map(|s| s.parse().unwrap()).collect()),
        // Compared as text: the exporter writes the model's canonical ISO form.
        "datetime" | "date" => Value::String(text.to_owned()),
        other => panic!("type {other}"),
    }
}

fn expected(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::DateTime(_) | ValueRef::Date(_) => Value::String(v.to_string()),
        other => other.to_value(),
    }
}

/// Every record of a file read three ways: the csv crate, and Neo4j's reader with and without
/// legacy (LOAD CSV) quoting. Returns the csv crate's records plus which fields were quoted.
fn read(path: &Path, info: &FormatInfo) -> (Vec<Vec<String>>, Vec<Vec<bool>>) {
    let backslash = info.quoting == "backslash";
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(false);
    if backslash {
        builder.escape(Some(b'\\'));
    }
    let records: Vec<Vec<String>> = builder
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let mut quoted = Vec::new();
    for legacy in [false, true] {
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut tok = CsvTokenizer::new(file, b',', legacy, true);
        let mut rec = CsvRecord::default();
        let mut i = 0;
        loop {
            match tok.next(&mut rec).unwrap() {
                TokenizerNext::Eof => break,
                TokenizerNext::Error(e) => panic!("{} legacy={legacy}: {e:?}", path.display()),
                TokenizerNext::Record => {}
            }
            let fields: Vec<String> = (0..rec.fields.len())
                .map(|f| String::from_utf8(rec.field(f).to_vec()).unwrap())
                .collect();
            if backslash && !legacy {
                // neo4j-admin is told --legacy-style-quoting=true in this dialect.
            } else {
                assert_eq!(fields, records[i], "{} legacy={legacy}", path.display());
            }
            if legacy {
                quoted.push(rec.fields.iter().map(|f| f.quoted).collect());
            }
            i += 1;
        }
        assert_eq!(i, records.len());
    }
    (records, quoted)
}

fn check_row<'g>(
    header: &[(String, String)],
    row: &[String],
    quoted: &[bool],
    props: impl Iterator<Item = Property<'g>>,
    array: char,
) -> Result<(), TestCaseError> {
    let props: Vec<Property<'g>> = props.collect();
    for (i, (name, ty)) in header.iter().enumerate() {
        if name.is_empty() || name == "_key" || name == "_type" {
            continue;
        }
        let value = props.iter().find(|p| p.name == name).map(|p| p.value);
        let text = &row[i];
        match value {
            None => prop_assert!(text.is_empty() && !quoted[i], "{name}: {text:?} for a null"),
            Some(v) => {
                prop_assert!(
                    !text.is_empty() || quoted[i],
                    "{name}: a value written as null"
                );
                let want = expected(v);
                let got = parse(text, ty, array);
                // neo4j-admin cannot tell [] from [""]: both are an empty quoted field.
                let lost =
                    matches!(&want, Value::StringArray(a) if a.len() == 1 && a[0].is_empty());
                prop_assert!(got == want || lost, "{name}: {got:?} != {want:?}");
            }
        }
    }
    Ok(())
}

fn header_of(row: &[String]) -> Vec<(String, String)> {
    row.iter()
        .map(|cell| {
            let (name, ty) = cell.rsplit_once(':').unwrap();
            (name.to_owned(), ty.split('(').next().unwrap().to_owned())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn hostile_strings_survive_the_neo4j_csv(
        names in proptest::collection::vec(common::hostile_string(), 1..5),
        big in (1i64 << 40)..(1i64 << 60),
    ) {
        let graph = graph_of(&names, big);
        let dir = tempfile::tempdir().unwrap();
        export(&graph, &common::snapshot_info(), &[Format::Neo4j], &ExportOptions::default(), dir.path()).unwrap();
        let neo = dir.path().join("neo4j");
        let info: FormatInfo =
            serde_json::from_str(&std::fs::read_to_string(neo.join("format.json")).unwrap()).unwrap();
        let array = info.array_delimiter.chars().next().unwrap();

        for ty in EntityType::ALL {
            let (rows, quoted) = read(&neo.join(node_file(ty)), &info);
            let header = header_of(&rows[0]);
            let entities: Vec<_> = graph.entities().filter(|e| e.entity_type() == ty).collect();
            prop_assert_eq!(rows.len() - 1, entities.len());
            for ((row, q), e) in rows[1..].iter().zip(&quoted[1..]).zip(&entities) {
                prop_assert_eq!(&row[0], e.key());
                let labels: Vec<&str> = row[1].split(array).collect();
                prop_assert_eq!(labels[0], ty.name());
                prop_assert_eq!(&labels[1..], e.classes());
                check_row(&header, row, q, e.properties(), array)?;
            }
        }
        for ty in RelationshipType::ALL {
            let (rows, quoted) = read(&neo.join(relationship_file(ty)), &info);
            let header = header_of(&rows[0]);
            let rels: Vec<_> = graph.relationships().filter(|r| r.relationship_type() == ty).collect();
            prop_assert_eq!(rows.len() - 1, rels.len());
            for ((row, q), r) in rows[1..].iter().zip(&quoted[1..]).zip(&rels) {
                prop_assert_eq!(&row[0], r.from_key());
                prop_assert_eq!(&row[1], r.to_key());
                prop_assert_eq!(&row[2], r.class());
                prop_assert_eq!(&row[3], &r.key());
                check_row(&header, row, q, r.properties(), array)?;
            }
        }
        let reports = pipeline::validate_export(dir.path()).unwrap();
        prop_assert!(reports[0].violations.is_empty(), "{:?}", reports[0].violations);
    }
}

#[test]
fn a_backslash_before_a_quote_in_a_quoted_value_switches_to_backslash_quoting() {
    let graph = graph_of(&["say \\\"hi\\\", then go".to_owned()], 1 << 40);
    let dir = tempfile::tempdir().unwrap();
    export(
        &graph,
        &common::snapshot_info(),
        &[Format::Neo4j],
        &ExportOptions::default(),
        dir.path(),
    )
    .unwrap();
    let format = std::fs::read_to_string(dir.path().join("neo4j/format.json")).unwrap();
    assert!(format.contains("\"quoting\": \"backslash\""), "{format}");
    let import = std::fs::read_to_string(dir.path().join("neo4j/import.sh")).unwrap();
    assert!(import.contains("--legacy-style-quoting=true"));
    let plain = graph_of(&["a\\\"b".to_owned()], 1 << 40);
    let dir = tempfile::tempdir().unwrap();
    export(
        &plain,
        &common::snapshot_info(),
        &[Format::Neo4j],
        &ExportOptions::default(),
        dir.path(),
    )
    .unwrap();
    let format = std::fs::read_to_string(dir.path().join("neo4j/format.json")).unwrap();
    assert!(
        format.contains("\"quoting\": \"rfc4180\""),
        "an unquoted a\\\"b is safe: {format}"
    );
}
