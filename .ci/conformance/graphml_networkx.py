"""networkx reads kb4graph's GraphML: node and edge counts per _type, a directed multigraph with
its parallel edges, and typed values exact, all checked against values computed straight from
the raw snapshot pages (plain json, no kb4graph code).
    graphml_networkx.py EXPORT_DIR
"""
import collections
import glob
import json
import os
import re
import sys
import time

import networkx as nx

export = sys.argv[1]
raw = os.path.join(export, "snapshot", "raw")
path = os.path.join(export, "graphml", "graph.graphml")

started = time.monotonic()
G = nx.read_graphml(path, force_multigraph=True)
print(f"networkx {nx.__version__} read {path} in {time.monotonic() - started:.2f}s")

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def records(pattern):
    out = []
    for p in sorted(glob.glob(os.path.join(raw, pattern))):
        out.extend(json.load(open(p, encoding="utf-8")))
    return out


def xml_text(s):
    """What XML 1.0 can carry of a string: kb4graph replaces the rest with U+FFFD."""
    def ok(c):
        o = ord(c)
        return c in "\t\n\r" or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000
    return "".join(c if ok(c) else "\ufffd" for c in s)


# Structure.
check(G.is_directed(), "the graph is not directed")
check(isinstance(G, nx.MultiDiGraph), f"not a MultiDiGraph: {type(G).__name__}")
text = open(path, encoding="utf-8").read()
edges_in_file = len(re.findall(r"<edge ", text))
check(G.number_of_edges() == edges_in_file,
      f"{G.number_of_edges()} edges read, {edges_in_file} in the file: parallel edges lost")
pairs = collections.Counter((u, v) for u, v, _ in G.edges(keys=True))
parallel = sum(1 for n in pairs.values() if n > 1)
check(parallel > 0, "no parallel edges: repeated enrollments of one user in one module were merged")
print(f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges, {parallel} node pairs with parallel edges")

nodes_by_type = collections.Counter(d.get("_type") for _, d in G.nodes(data=True))
edges_by_type = collections.Counter(d.get("_type") for _, _, d in G.edges(data=True))
node_by_key = {d["_key"]: d for _, d in G.nodes(data=True)}

# Counts from the raw pages.
active = records("users/active/page-*.json")
archived = records("users/archived/page-*.json")
recipients = records("phishing/security_tests/*/recipients/page-*.json")
# Per training campaign since enrollments are fetched by campaign; older snapshots: one listing.
enrollments = records("training/campaigns/*/enrollments/page-*.json") + records("training/enrollments/page-*.json")
groups = records("groups/active/page-*.json") + records("groups/archived/page-*.json")
users = {u["id"] for u in active + archived}
users |= {r["user"]["id"] for r in recipients if isinstance(r.get("user"), dict) and r["user"].get("id") is not None}
users |= {e["user"]["id"] for e in enrollments if isinstance(e.get("user"), dict) and e["user"].get("id") is not None}
memberships = set()
for p in glob.glob(os.path.join(raw, "groups", "*", "members", "page-*.json")):
    gid = int(p.split(os.sep)[-3])
    memberships |= {(gid, u["id"]) for u in json.load(open(p, encoding="utf-8"))}
for u in active + archived:
    memberships |= {(g, u["id"]) for g in (u.get("groups") or [])}
memberships |= {(0, u["id"]) for u in active}
with_user = [e for e in enrollments if isinstance(e.get("user"), dict)]

expected_nodes = {
    "knowbe4_account": 1,
    "knowbe4_user": len(users),
    "knowbe4_user_group": len(groups) + 1,
    "knowbe4_phishing_security_test_result": len(recipients),
}
expected_edges = {
    "knowbe4_account_has_user": len(users),
    "knowbe4_account_has_user_group": len(groups) + 1,
    "knowbe4_user_group_has_user": len(memberships),
    "training_module_assigned_user": len(with_user),
    "user_completed_training_module": sum(1 for e in with_user if e.get("status") == "Passed"),
    "phishing_security_test_contains_phishing_security_test_result": len(recipients),
    "knowbe4_user_has_phishing_security_test_result": len(recipients),
}
for ty, n in expected_nodes.items():
    check(nodes_by_type[ty] == n, f"{nodes_by_type[ty]} {ty} nodes, the raw pages give {n}")
for ty, n in expected_edges.items():
    check(edges_by_type[ty] == n, f"{edges_by_type[ty]} {ty} edges, the raw pages give {n}")
# The other types (modules, campaigns, tests) against the JSON export of the same run.
doc = json.load(open(os.path.join(export, "json", "graph.json"), encoding="utf-8"))
for ty, n in doc["metadata"]["counts"]["entities"].items():
    check(nodes_by_type[ty] == n, f"{nodes_by_type[ty]} {ty} nodes, json/graph.json has {n}")
for ty, n in doc["metadata"]["counts"]["relationships"].items():
    check(edges_by_type[ty] == n, f"{edges_by_type[ty]} {ty} edges, json/graph.json has {n}")
print("counts per _type:", dict(sorted(nodes_by_type.items())), dict(sorted(edges_by_type.items())))

# APOC labels and relationship types.
for _, d in G.nodes(data=True):
    want = ":" + ":".join([d["_type"]] + json.loads(d["_class"]))
    if d.get("labels") != want:
        check(False, f"node {d['_key']}: labels {d.get('labels')!r}, expected {want!r}")
        break
# Every edge carries the _class graph.json gives the relationship of the same key.
class_of = {r["_key"]: r["_class"] for r in doc["relationships"]}
wrong = [d.get("_key") for _, _, d in G.edges(data=True) if d.get("_class") != class_of.get(d.get("_key"))]
check(not wrong, f"{len(wrong)} edges whose _class differs from json/graph.json, first {wrong[:1]}")

# Typed values, exact.
first = {}
for u in active + archived:
    first.setdefault(u["id"], u)
big = max(first)
check(big > 2**32, f"the largest user id {big} is not above 2^32")
d = node_by_key[f"knowbe4:user:{big}"]
# `id` is qualified as `id_long`: igraph keeps GraphML node ids under `id`.
check(type(d["id_long"]) is int and d["id_long"] == big, f"large id: {d['id_long']!r} != {big}")

flag = next(u for u in first.values() if isinstance(u.get("provisioning_managed"), bool))
d = node_by_key[f"knowbe4:user:{flag['id']}"]
check(d.get("provisioningManaged") is flag["provisioning_managed"],
      f"boolean: {d.get('provisioningManaged')!r} != {flag['provisioning_managed']!r}")

score = next(u for u in first.values()
             if isinstance(u.get("phish_prone_percentage"), float) and u["phish_prone_percentage"] % 1)
d = node_by_key[f"knowbe4:user:{score['id']}"]
check(type(d.get("phishPronePercentage")) is float and d["phishPronePercentage"] == score["phish_prone_percentage"],
      f"float: {d.get('phishPronePercentage')!r} != {score['phish_prone_percentage']!r}")

fields = {"first_name": "firstName", "last_name": "lastName", "job_title": "jobTitle",
          "comment": "comment", "department": "department", "location": "location",
          "custom_field_1": "customField1", "custom_field_2": "customField2",
          "custom_field_3": "customField3", "custom_field_4": "customField4",
          "organization": "organization", "division": "division"}
found = {"newline": 0, "quote": 0, "both": 0, "control": 0}
checked = 0
for u in first.values():
    d = node_by_key[f"knowbe4:user:{u['id']}"]
    for api, prop in fields.items():
        v = u.get(api)
        if not isinstance(v, str) or not v:
            continue
        checked += 1
        nl, q = "\n" in v, '"' in v
        found["newline"] += nl
        found["quote"] += q
        found["both"] += nl and q
        found["control"] += xml_text(v) != v
        if d.get(prop) != xml_text(v):
            check(False, f"user {u['id']} {prop}: {d.get(prop)!r} != {xml_text(v)!r}")
# Module descriptions hold a newline and double quotes together.
both = 0
for m in records("training/store_purchases/page-*.json"):
    pid = m.get("store_purchase_id", m.get("store_purchased_id"))
    v = m.get("description")
    if pid is None or not isinstance(v, str):
        continue
    d = node_by_key.get(f"knowbe4:training:purchase:{pid}")
    check(d is not None and d.get("description") == xml_text(v),
          f"module {pid} description: {d and d.get('description')!r} != {v!r}")
    both += "\n" in v and '"' in v
found["both"] += both
check(found["both"] > 0, "no string with both a newline and a quote was checked")
check(found["newline"] > 0 and found["quote"] > 0,
      f"the raw users hold no string with a newline or a quote to check: {found}")
print(f"{checked} user strings exact; with newlines {found['newline']}, quotes {found['quote']}, "
      f"both {found['both']}, XML-forbidden characters replaced {found['control']}")

if failures:
    for f in failures[:50]:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1)
print("networkx: counts, directed multigraph, labels and typed values all as the raw snapshot says")

# Every value of every node and edge against json/graph.json, by the README's key rules.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphml_expect as gx  # noqa: E402

nodes = {n: dict(d) for n, d in G.nodes(data=True)}
edges = {k: dict(d) for _, _, k, d in G.edges(keys=True, data=True)}
ends = {k: (u, v) for u, v, k in G.edges(keys=True)}
reading = gx.Reading(f"networkx {nx.__version__}", absent=dict.fromkeys(gx.TYPES, gx.MISSING),
                     drops_unused_keys=True)
gx.compare(gx.Expected(export), reading, nodes, edges, ends, dict(G.graph))
