//! `import.sh` (neo4j-admin) and `load.cypher` (LOAD CSV), written for the files and dialect
//! of one export.

use std::fmt::Write as _;

use super::columns::{self, Column, ColumnKind};
use super::dialect::{DELIMITER, Dialect, Quoting};
use crate::compress::Compression;
use crate::model::{EntityType, Graph, RelationshipType, ValueType};

/// A character as neo4j-admin's options take it, safe in a shell word: `';'` or `U+001F`.
fn admin_char(c: char) -> String {
    if c.is_ascii_graphic() && c != '\'' {
        format!("'{c}'")
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

/// A character in a Cypher string literal.
fn cypher_char(c: char) -> String {
    if c.is_ascii_graphic() && c != '\'' && c != '\\' {
        c.to_string()
    } else {
        format!("\\u{:04X}", u32::from(c))
    }
}

/// The node and relationship files as written (`.csv.gz` when compressed), relative to `neo4j/`.
fn files(compression: Compression) -> (Vec<String>, Vec<String>) {
    let nodes = EntityType::ALL
        .map(|t| compression.file_name(&columns::node_file(t)))
        .to_vec();
    let rels = RelationshipType::ALL
        .map(|t| compression.file_name(&columns::relationship_file(t)))
        .to_vec();
    (nodes, rels)
}

/// neo4j-admin reads `.csv.gz` files as it reads `.csv`, so only the names change.
pub(super) fn import_sh(dialect: &Dialect, compression: Compression) -> String {
    let (nodes, rels) = files(compression);
    let array = admin_char(dialect.array_delimiter);
    let multiline = dialect.multiline;
    let legacy = dialect.quoting == Quoting::Backslash;
    let mut s = String::new();
    s.push_str(
        "#!/usr/bin/env bash\n\
         # Written by kb4graph: loads this export into a new Neo4j 5 database, offline.\n\
         #   bash import.sh DATABASE [more neo4j-admin options, e.g. --overwrite-destination]\n\
         # Run it where the Neo4j installation is (neo4j-admin on PATH, or NEO4J_HOME set),\n\
         # as the user owning its data directory; then `CREATE DATABASE DATABASE` (Enterprise)\n\
         # or set initial.dbms.default_database=DATABASE and restart.\n",
    );
    let _ = writeln!(
        s,
        "# Array delimiter {array}: no value of this export contains it; quoting: {}{}.",
        dialect.quoting.name(),
        if multiline {
            "; some values span lines"
        } else {
            ""
        }
    );
    s.push_str("#\n# Neo4j 4.4 spells the same import:\n");
    let _ = write!(
        s,
        "#   neo4j-admin import --database=DATABASE --id-type=STRING --delimiter=',' \\\n\
         #     --array-delimiter={array} --multiline-fields={multiline} --legacy-style-quoting={legacy} \\\n"
    );
    for f in &nodes {
        let _ = writeln!(s, "#     --nodes={f} \\");
    }
    for f in &rels {
        let _ = writeln!(s, "#     --relationships={f} \\");
    }
    s.push_str("#     ...\n");
    s.push_str(
        "set -euo pipefail\n\
         cd \"$(dirname \"$0\")\"\n\
         if [ $# -lt 1 ]; then\n\
         \x20 echo \"usage: bash import.sh DATABASE [neo4j-admin options]\" >&2\n\
         \x20 exit 2\n\
         fi\n\
         database=$1\n\
         shift\n\
         admin=neo4j-admin\n\
         if [ -n \"${NEO4J_HOME:-}\" ]; then admin=$NEO4J_HOME/bin/neo4j-admin; fi\n\
         exec \"$admin\" database import full \"$database\" \\\n\
         \x20 --id-type=string \\\n",
    );
    let _ = writeln!(s, "  --delimiter='{DELIMITER}' \\");
    let _ = writeln!(s, "  --array-delimiter={array} \\");
    let _ = writeln!(s, "  --multiline-fields={multiline} \\");
    let _ = writeln!(s, "  --legacy-style-quoting={legacy} \\");
    for f in &nodes {
        let _ = writeln!(s, "  --nodes={f} \\");
    }
    for f in &rels {
        let _ = writeln!(s, "  --relationships={f} \\");
    }
    // Options last: `--nodes=` and `--relationships=` take one or more files, so a database
    // name after them would be read as one more file.
    s.push_str("  \"$@\"\n");
    s
}

/// The Cypher expression converting `row.<header>` to the column's type. An empty array is left
/// absent (null), as neo4j-admin leaves an empty field: an empty list literal would also be
/// stored as `string[]` whatever the column's element type.
fn conversion(c: &Column, array: &str) -> String {
    let cell = format!("row.`{}`", c.header());
    match c.value_type() {
        ValueType::String => cell,
        ValueType::Integer => format!("toInteger({cell})"),
        ValueType::Float | ValueType::Decimal => format!("toFloat({cell})"),
        ValueType::Boolean => format!("toBoolean({cell})"),
        ValueType::DateTime => format!("datetime({cell})"),
        ValueType::Date => format!("date({cell})"),
        ValueType::StringArray => {
            format!("CASE WHEN {cell} <> '' THEN split({cell}, '{array}') END")
        }
        ValueType::IntegerArray => format!(
            "CASE WHEN {cell} <> '' THEN [x IN split({cell}, '{array}') | toInteger(x)] END"
        ),
    }
}

fn set_properties(s: &mut String, var: &str, columns: &[Column], skip: &[&str], array: &str) {
    let props: Vec<String> = columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Property(_)) && !skip.contains(&c.name.as_str()))
        .map(|c| format!("    {var}.`{}` = {}", c.name, conversion(c, array)))
        .collect();
    if !props.is_empty() {
        let _ = writeln!(s, "  SET\n{}", props.join(",\n"));
    }
}

/// LOAD CSV reads gzip-compressed files as it reads plain ones, so only the names change.
pub(super) fn load_cypher(graph: &Graph, dialect: &Dialect, compression: Compression) -> String {
    let array = cypher_char(dialect.array_delimiter);
    let suffix = compression.suffix();
    let mut s = String::new();
    let _ = write!(
        s,
        "// Written by kb4graph: loads this export into a running Neo4j 5 server with LOAD CSV.\n\
         // 1. Copy nodes/ and relationships/ into the server's import directory\n\
         //    (server.directories.import), so that file:///nodes/knowbe4_user.csv{suffix} resolves.\n"
    );
    s.push_str(
        "// 2. cypher-shell -d DATABASE -f load.cypher\n\
         //    (CALL (row) { ... } IN TRANSACTIONS needs Neo4j 5.23 or later and an implicit\n\
         //    transaction: in Neo4j Browser, prefix each such statement with :auto.)\n\
         // MERGE on _key makes a second run update rather than duplicate.\n",
    );
    match dialect.quoting {
        Quoting::Rfc4180 => s.push_str(
            "// No quoted value holds a backslash escape, so LOAD CSV reads every value exactly\n\
             // whatever dbms.import.csv.legacy_quote_escaping says.\n",
        ),
        Quoting::Backslash => s.push_str(
            "// Backslashes inside quoted values are doubled: this needs\n\
             // dbms.import.csv.legacy_quote_escaping=true (the default).\n",
        ),
    }
    s.push_str(
        "// An empty string (\"\") loads as an empty string and an empty field as nothing, as\n\
         // through neo4j-admin (import.sh); an empty array loads as an absent property in both.\n\n",
    );
    for ty in EntityType::ALL {
        let _ = writeln!(
            s,
            "CREATE CONSTRAINT {0}_key IF NOT EXISTS FOR (n:{0}) REQUIRE n._key IS UNIQUE;",
            ty.name()
        );
    }
    let mut classes: Vec<&str> = RelationshipType::ALL
        .iter()
        .map(|t| t.def().class)
        .collect();
    classes.sort_unstable();
    classes.dedup();
    for class in classes {
        let _ = writeln!(
            s,
            "CREATE INDEX {}_key IF NOT EXISTS FOR ()-[r:{class}]-() ON (r._key);",
            class.to_ascii_lowercase()
        );
    }
    s.push_str("CALL db.awaitIndexes();\n");
    for ty in EntityType::ALL {
        let def = ty.def();
        let columns = columns::graph_node_columns(graph, ty);
        let _ = write!(
            s,
            "\nLOAD CSV WITH HEADERS FROM 'file:///{}{suffix}' AS row\n\
             CALL (row) {{\n  MERGE (n:{} {{_key: row.`_key:ID({})`}})\n",
            columns::node_file(ty),
            def.name,
            columns::ID_SPACE
        );
        for class in def.classes {
            let _ = writeln!(s, "  SET n:{class}");
        }
        set_properties(&mut s, "n", &columns, &[], &array);
        s.push_str("} IN TRANSACTIONS OF 10000 ROWS;\n");
    }
    for ty in RelationshipType::ALL {
        let def = ty.def();
        let columns = columns::graph_relationship_columns(graph, ty);
        let _ = write!(
            s,
            "\nLOAD CSV WITH HEADERS FROM 'file:///{}{suffix}' AS row\n\
             CALL (row) {{\n\
             \x20 MATCH (a:{} {{_key: row.`:START_ID({space})`}})\n\
             \x20 MATCH (b:{} {{_key: row.`:END_ID({space})`}})\n\
             \x20 MERGE (a)-[r:{} {{_key: row.`_key:string`}}]->(b)\n",
            columns::relationship_file(ty),
            def.from.name(),
            def.to.name(),
            def.class,
            space = columns::ID_SPACE
        );
        set_properties(&mut s, "r", &columns, &["_key"], &array);
        s.push_str("} IN TRANSACTIONS OF 10000 ROWS;\n");
    }
    s
}
