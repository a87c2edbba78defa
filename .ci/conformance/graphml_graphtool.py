"""graph-tool (Debian's python3-graph-tool, run with the system python3) reads kb4graph's
GraphML: every node and edge (parallel edges kept), with the GraphML ids graph-tool keeps in
`_graphml_vertex_id` and `_graphml_edge_id`, every typed value equal to json/graph.json, and
absent values read as the README says (booleans 0, integers 0, doubles 0.0, strings empty; a key
no element carries is left out).
    /usr/bin/python3 graphml_graphtool.py EXPORT_DIR
"""
import os
import sys
import time

import graph_tool
import graph_tool.all as gt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphml_expect as gx  # noqa: E402

export = sys.argv[1]
path = os.path.join(export, "graphml", "graph.graphml")
expected = gx.Expected(export)

started = time.monotonic()
g = gt.load_graph(path, fmt="graphml")
version = graph_tool.__version__.split()[0]
print(f"graph-tool {version} read {path} in {time.monotonic() - started:.2f}s")
assert g.is_directed(), "graph-tool read an undirected graph"

# graph-tool's value types, from attr.type: bool (read as 0 and 1), int64_t, long double, string.
want_types = {"boolean": "bool", "long": "int64_t", "double": "long double", "string": "string"}
for kind, short in (("node", "v"), ("edge", "e"), ("graph", "g")):
    for k in expected.keys[kind]:
        m = g.properties.get((short, k.name))
        if m is not None and m.value_type() != want_types[k.type]:
            sys.exit(f"FAIL: {kind} {k.name} ({k.type}) is a {m.value_type()} map")


def plain(v):
    # long double values come back as numpy.longdouble.
    return float(v) if type(v).__name__ in ("longdouble", "float128") else v


vertex_maps = {name: m for name, m in g.vp.items() if name != "_graphml_vertex_id"}
vid = g.vp["_graphml_vertex_id"]
nodes = {}
for v in g.vertices():
    nodes[vid[v]] = {name: plain(m[v]) for name, m in vertex_maps.items()}
edge_maps = {name: m for name, m in g.ep.items() if name != "_graphml_edge_id"}
eid = g.ep["_graphml_edge_id"]
edges, ends = {}, {}
for e in g.edges():
    edges[eid[e]] = {name: plain(m[e]) for name, m in edge_maps.items()}
    ends[eid[e]] = (vid[e.source()], vid[e.target()])
graph = {name: plain(g.gp[name]) for name in g.gp.keys()}
if "complete" in graph:
    graph["complete"] = bool(graph["complete"])

reading = gx.Reading(
    f"graph-tool {version}",
    absent={"boolean": 0, "long": 0, "double": 0.0, "string": ""},
    drops_unused_keys=True,
)
gx.compare(expected, reading, nodes, edges, ends, graph)
print("graph-tool: counts, ids, ends and typed values as json/graph.json says")
