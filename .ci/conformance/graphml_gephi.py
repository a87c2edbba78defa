"""The Gephi toolkit reads kb4graph's GraphML (dumped by gephi/GephiRead.java): every node and
edge (parallel edges kept with the NO_MERGE strategy), node labels from the `label` key
(displayName) and edge labels from the edge `label` key (_class), columns of the Java type of
their attr.type, every value equal to json/graph.json, absent values null, and so are empty
strings and strings of whitespace only (Gephi's importer skips whitespace text). Gephi's only
complaints must be the graph's own data, which it ignores.
    graphml_gephi.py EXPORT_DIR DUMP.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphml_expect as gx  # noqa: E402

export, dump_path = sys.argv[1], sys.argv[2]
expected = gx.Expected(export)
dump = json.load(open(dump_path, encoding="utf-8"))

graph_keys = {k.name for k in expected.keys["graph"]}
ignored = {f"Graph attributes '{name}' ignored as not supported by Gephi" for name in graph_keys}
complaints = [i for i in dump["issues"] if i["level"] != "INFO" and i["message"] not in ignored]
if complaints:
    for i in complaints[:20]:
        print(f"FAIL: Gephi {i['level']}: {i['message']}")
    sys.exit(1)
ignored_seen = sum(1 for i in dump["issues"] if i["message"] in ignored)
if ignored_seen != len(graph_keys):
    sys.exit(f"FAIL: Gephi ignored {ignored_seen} graph keys, the file declares {len(graph_keys)}")

java_types = {"boolean": "Boolean", "long": "Long", "double": "Double", "string": "String"}
failures = []
for kind, columns in (("node", dump["nodeColumns"]), ("edge", dump["edgeColumns"])):
    by_title = {c["title"]: c for c in columns if not c["property"]}
    for k in expected.keys[kind]:
        if k.id == "label" or k.id == "n.label":
            continue  # Gephi's own label, not a column
        c = by_title.get(k.name)
        if c is None:
            failures.append(f"no Gephi {kind} column for key {k.id} ({k.name})")
        elif c["type"] != java_types[k.type]:
            failures.append(f"Gephi {kind} column {k.name} is {c['type']}, attr.type {k.type}")
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)


def values(element, label_name):
    out = {}
    for name, v in element["attributes"].items():
        if v is None:
            out[name] = None
        elif v["t"] == "Double" and isinstance(v["v"], (int, float)):
            out[name] = float(v["v"])
        else:
            out[name] = v["v"]
    out[label_name] = element["label"]
    return out


edge_label = next(k.name for k in expected.keys["edge"] if k.id == "label")
nodes = {n["id"]: values(n, "label") for n in dump["nodes"]}
edges = {e["id"]: values(e, edge_label) for e in dump["edges"]}
ends = {e["id"]: (e["source"], e["target"]) for e in dump["edges"]}
undirected = sum(1 for e in dump["edges"] if not e["directed"])
if undirected:
    sys.exit(f"FAIL: Gephi made {undirected} edges undirected")

reading = gx.Reading(
    "Gephi toolkit 0.10.1",
    absent={"boolean": None, "long": None, "double": None, "string": None},
    blank_is_absent=True,
)
gx.compare(expected, reading, nodes, edges, ends)
print(f"Gephi toolkit: counts, ids, ends, labels and typed columns as json/graph.json says "
      f"(import {dump['seconds']:.2f}s; graph data ignored with {ignored_seen} warnings)")
