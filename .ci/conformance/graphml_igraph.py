"""python-igraph reads kb4graph's GraphML: every node (with the GraphML id igraph keeps in its
`id` attribute) and edge (parallel edges kept), and every typed value equal to json/graph.json,
absent values read as the README says (booleans False, numbers NaN, strings empty), integers as
doubles (igraph has no integer attribute type).
    graphml_igraph.py EXPORT_DIR
"""
import math
import os
import sys
import time
import warnings

import igraph

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphml_expect as gx  # noqa: E402

export = sys.argv[1]
path = os.path.join(export, "graphml", "graph.graphml")
expected = gx.Expected(export)

started = time.monotonic()
with warnings.catch_warnings():
    # "Could not add vertex ids, there is already an 'id' vertex attribute" is a warning only:
    # make it fail the check.
    warnings.simplefilter("error")
    g = igraph.Graph.Read_GraphML(path)
print(f"python-igraph {igraph.__version__} read {path} in {time.monotonic() - started:.2f}s")
assert g.is_directed(), "igraph read an undirected graph"

vertex_attrs = [a for a in g.vs.attributes() if a != "id"]
ids = g.vs["id"]
nodes = {}
for i, v in enumerate(g.vs):
    nodes[ids[i]] = {a: v[a] for a in vertex_attrs}
# python-igraph 1.0.0 fills the edge attribute `id` with node ids (edge i gets node i's id, ''
# past the number of nodes), not the edges' own (0.11.8 reads them right): the README documents
# it, and edges are told apart by `_key`.
edge_attrs = [a for a in g.es.attributes() if a != "id"]
edges, ends = {}, {}
documented = 0
for e in g.es:
    eid = gx.escape_id(e["_key"])
    edges[eid] = {a: e[a] for a in edge_attrs}
    ends[eid] = (ids[e.source], ids[e.target])
    documented += e["id"] == (ids[e.index] if e.index < len(ids) else "")
if documented != g.ecount():
    sys.exit(f"FAIL: {g.ecount() - documented} edges whose igraph `id` is not what the README "
             "says python-igraph 1.0.0 gives: the note on igraph's edge ids is out of date")
graph = {a: g[a] for a in g.attributes()}
# Graph data a file does not carry reads as igraph's absent value too.
for name in ("site", "account"):
    if graph.get(name) == "":
        del graph[name]

reading = gx.Reading(
    f"python-igraph {igraph.__version__}",
    absent={"boolean": False, "long": math.nan, "double": math.nan, "string": ""},
    long_as_float=True,
)
gx.compare(expected, reading, nodes, edges, ends, graph)
big = sum(1 for values in expected.nodes.values() for v in values.values()
          if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53)
print(f"python-igraph: counts, ids, ends and typed values as json/graph.json says; "
      f"{big} integers beyond 2^53 (where a double loses digits)")
