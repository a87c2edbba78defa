"""pyoxigraph reads rdf/graph.nt, .ttl and the .nq data graph: the same triples, as many as
graph.nt has lines.

rdf_oxigraph.py EXPORT_DIR
"""

import os
import sys

from pyoxigraph import RdfFormat, parse

rdf = os.path.join(sys.argv[1], "rdf")


def triples(name, fmt):
    with open(os.path.join(rdf, name), "rb") as f:
        quads = list(parse(f, format=fmt))
    if fmt == RdfFormat.N_QUADS:
        quads = [q for q in quads if not str(q.graph_name).endswith("/provenance>")]
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}


nt = triples("graph.nt", RdfFormat.N_TRIPLES)
with open(os.path.join(rdf, "graph.nt"), encoding="utf-8") as f:
    lines = sum(1 for line in f if line.strip())
if len(nt) != lines:
    sys.exit(f"pyoxigraph: FAIL: graph.nt has {lines} lines, pyoxigraph read {len(nt)} triples")
for name, fmt in (("graph.ttl", RdfFormat.TURTLE), ("graph.nq", RdfFormat.N_QUADS)):
    other = triples(name, fmt)
    if other != nt:
        sys.exit(f"pyoxigraph: FAIL: {name} differs from graph.nt: {len(other - nt)} extra, {len(nt - other)} missing")
print(f"pyoxigraph: graph.nt, graph.ttl and the graph.nq data graph hold the same {lines} triples")
