"""Loads a kb4graph Neo4j CSV export into Kùzu, a real embedded Cypher engine, and checks that
nothing was lost and that the audit queries of examples/queries/cypher answer what the raw
snapshot says.

usage: python neo4j_engine.py EXPORT_DIR QUERIES_DIR

The loader knows nothing of kb4graph's model: it reads neo4j-admin's typed headers
(`name:type`, `:ID(space)`, `:LABEL`, `:START_ID`, `:END_ID`, `:TYPE`) and makes one node table
per file and one relationship table per `:TYPE`, the way neo4j-admin would make labels and
types. The expected answers are computed from the raw API pages with plain json, not from
kb4graph's graph; the property values are compared with json/graph.json, written by another
exporter.
"""
import csv
import datetime
import glob
import json
import os
import pathlib
import sys
import tempfile
import time

import kuzu

export_dir, queries_dir = map(pathlib.Path, sys.argv[1:3])
neo = export_dir / "neo4j"
fmt = json.loads((neo / "format.json").read_text())
assert fmt["quoting"] == "rfc4180", "this loader reads RFC 4180 exports (Kùzu has no legacy quoting)"
DELIM = fmt["arrayDelimiter"]
KUZU_TYPES = {"string": "STRING", "long": "INT64", "double": "DOUBLE", "boolean": "BOOLEAN",
              "datetime": "TIMESTAMP", "date": "DATE", "string[]": "STRING[]", "long[]": "INT64[]"}


def header(path):
    with open(path, newline="", encoding="utf-8") as f:
        cells = next(csv.reader(f))
    out = []
    for cell in cells:
        name, _, tag = cell.rpartition(":")
        tag, _, space = tag.partition("(")
        out.append((name, tag))
    return out


def conv(var, tag):
    """The Cypher that converts a CSV string column to its declared type."""
    lit = "'" + DELIM + "'"
    return {
        "string": var,
        "long": f"CAST({var} AS INT64)",
        "double": f"CAST({var} AS DOUBLE)",
        "boolean": f"CASE {var} WHEN 'true' THEN true WHEN 'false' THEN false ELSE CAST({var} AS BOOLEAN) END",
        "datetime": f"CAST({var} AS TIMESTAMP)",
        "date": f"CAST({var} AS DATE)",
        "string[]": f"CASE WHEN {var} IS NULL THEN NULL ELSE string_split({var}, {lit}) END",
        "long[]": f"CASE WHEN {var} IS NULL THEN NULL ELSE CAST(string_split({var}, {lit}) AS INT64[]) END",
    }[tag]


def load_from(path, n):
    cols = ", ".join(f"c{i} STRING" for i in range(n))
    return f"LOAD WITH HEADERS ({cols}) FROM '{path}' (header=true, parallel=false, delim=',', quote='\"', escape='\"', auto_detect=false)"


def aliased(exprs):
    return ", ".join(f"{e} AS v{i}" for i, e in enumerate(exprs))


db_dir = tempfile.mkdtemp()
db = kuzu.Database(os.path.join(db_dir, "db"))
conn = kuzu.Connection(db)


def rows(query, params=None):
    result = conn.execute(query, params or {})
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


started = time.monotonic()
node_files = sorted(glob.glob(str(neo / "nodes" / "*.csv")))
rel_files = sorted(glob.glob(str(neo / "relationships" / "*.csv")))
node_props = {}
for path in node_files:
    table = pathlib.Path(path).stem
    cols = header(path)
    assert cols[0][1] == "ID" and cols[1] == ("", "LABEL"), cols[:2]
    props = [(n, t) for n, t in cols[2:]]
    node_props[table] = props
    ddl = ", ".join([f"`{cols[0][0]}` STRING PRIMARY KEY", "`_labels` STRING[]"]
                    + [f"`{n}` {KUZU_TYPES[t]}" for n, t in props])
    conn.execute(f"CREATE NODE TABLE `{table}`({ddl})")
    ret = ["c0", conv("c1", "string[]")] + [conv(f"c{i + 2}", t) for i, (_, t) in enumerate(props)]
    conn.execute(f"COPY `{table}` FROM ({load_from(path, len(cols))} RETURN {aliased(ret)})")

# One relationship table per :TYPE, holding every (start label, end label) pair of its files.
groups = {}
for path in rel_files:
    cols = header(path)
    assert [t for _, t in cols[:3]] == ["START_ID", "END_ID", "TYPE"], cols[:3]
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        first = next(reader, None)
    if first is None:
        continue  # an empty file: neo4j-admin makes nothing of it either
    rel_type = first[2]
    groups.setdefault(rel_type, []).append((path, cols, first[0], first[1]))
label_of = {}
for table in node_props:
    for (key,) in rows(f"MATCH (n:`{table}`) RETURN n._key"):
        label_of[key] = table
rel_props = {}
for rel_type, files in groups.items():
    props = {}
    pairs = []
    for path, cols, start, end in files:
        pairs.append(f"FROM `{label_of[start]}` TO `{label_of[end]}`")
        for name, tag in cols[3:]:
            assert props.setdefault(name, tag) == tag, (rel_type, name)
    rel_props[rel_type] = props
    ddl = ", ".join(sorted(set(pairs)) + [f"`{n}` {KUZU_TYPES[t]}" for n, t in props.items()])
    conn.execute(f"CREATE REL TABLE `{rel_type}`({ddl})")
    for path, cols, start, end in files:
        index = {name: i for i, (name, _) in enumerate(cols)}
        ret = ["c0", "c1"] + [conv(f"c{index[n]}", t) if n in index else f"CAST(NULL AS {KUZU_TYPES[t]})"
                              for n, t in props.items()]
        conn.execute(f"COPY `{rel_type}` FROM ({load_from(path, len(cols))} RETURN {aliased(ret)}) "
                     f"(from='{label_of[start]}', to='{label_of[end]}')")
print(f"kuzu {kuzu.__version__}: loaded {len(node_files)} node files and {len(rel_files)} "
      f"relationship files in {time.monotonic() - started:.2f} s")

# Every label and relationship type counted against the graph written by the JSON exporter.
doc = json.loads((export_dir / "json" / "graph.json").read_text())
want_labels, want_types, want_rel_types = {}, {}, {}
for e in doc["entities"]:
    for label in [e["_type"]] + e["_class"]:
        want_labels[label] = want_labels.get(label, 0) + 1
for r in doc["relationships"]:
    want_types[r["_type"]] = want_types.get(r["_type"], 0) + 1
    want_rel_types[r["_class"]] = want_rel_types.get(r["_class"], 0) + 1
got_labels = {}
for table in node_props:
    for (labels,) in rows(f"MATCH (n:`{table}`) RETURN n._labels"):
        for label in labels:
            got_labels[label] = got_labels.get(label, 0) + 1
assert got_labels == want_labels, (got_labels, want_labels)
got_rel_types = {t: rows(f"MATCH ()-[r:`{t}`]->() RETURN count(r)")[0][0] for t in groups}
assert {t: n for t, n in got_rel_types.items() if n} == want_rel_types, (got_rel_types, want_rel_types)
got_types = {}
for t in groups:
    for ty, n in rows(f"MATCH ()-[r:`{t}`]->() RETURN r._type, count(r)"):
        got_types[ty] = n
assert got_types == {t: n for t, n in want_types.items()}, (got_types, want_types)
assert {k: v for k, v in fmt["relationships"].items() if v} == want_types
print(f"counts: {len(want_labels)} labels and {len(want_types)} relationship types equal the graph's")


# Every property of every entity and relationship equals graph.json's.
def same(a, b):
    """Kùzu reads an empty quoted field ("": an empty string or array) as null, as LOAD CSV does."""
    if isinstance(a, datetime.datetime):
        a = a.strftime("%Y-%m-%dT%H:%M:%S.") + f"{a.microsecond // 1000:03d}Z"
    elif isinstance(a, datetime.date):
        a = a.isoformat()
    if b == "" or b == []:
        b = None
    if a == "" or a == []:
        a = None if b is None else a
    return a == b


entities = {e["_key"]: e for e in doc["entities"]}
checked = 0
for table, props in node_props.items():
    names = ["_key"] + [n for n, _ in props]
    for values in rows(f"MATCH (n:`{table}`) RETURN " + ", ".join(f"n.`{n}`" for n in names)):
        e = entities.pop(values[0])
        for name, value in zip(names, values):
            assert same(value, e.get(name)), (values[0], name, value, e.get(name))
            checked += 1
assert not entities, list(entities)[:5]
relationships = {r["_key"]: r for r in doc["relationships"]}
for rel_type, props in rel_props.items():
    names = list(props)
    query = (f"MATCH (a)-[r:`{rel_type}`]->(b) RETURN a._key, b._key, "
             + ", ".join(f"r.`{n}`" for n in names))
    for values in rows(query):
        rec = dict(zip(names, values[2:]))
        r = relationships.pop(rec["_key"])
        assert (values[0], values[1]) == (r["_fromEntityKey"], r["_toEntityKey"]), rec["_key"]
        for name in names:
            if name in r or rec[name] is not None:
                assert same(rec[name], r.get(name)), (rec["_key"], name, rec[name], r.get(name))
                checked += 1
assert not relationships, list(relationships)[:5]
print(f"values: {checked} property values equal graph.json's")

# The audit questions, answered from the raw snapshot pages by audit_questions.py (the same
# questions Neo4j answers in the harness).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import audit_questions  # noqa: E402


def query(name, params):
    text = (queries_dir / f"{name}.cypher").read_text()
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [list(r) for r in rows(text.strip().rstrip(";"), params)]


for line in audit_questions.check(audit_questions.questions(export_dir), query):
    print(line)
