"""The SPARQL examples give the same answers in Apache Jena (ARQ) as in Oxigraph.

rdf_sparql.py EXPORT_DIR QUERY_DIR JENA_OUTPUT
Rows are compared in order for queries with ORDER BY, as multisets otherwise. Oxigraph returns
xsd:dateTime values in canonical form (`.850Z` becomes `.85Z`) and Jena as written, so both sides'
fractional seconds lose their trailing zeros before comparing.
"""

import json
import os
import re
import sys
from collections import Counter

from pyoxigraph import Literal, NamedNode, RdfFormat, Store

export, queries, jena_output = sys.argv[1:4]
store = Store()
with open(os.path.join(export, "rdf", "graph.nt"), "rb") as f:
    store.bulk_load(f, format=RdfFormat.N_TRIPLES)


def term(t):
    if t is None:
        return "-"
    if isinstance(t, NamedNode):
        return f"<{t.value}>"
    if isinstance(t, Literal):
        return json.dumps(t.value) + f"^^<{t.datatype.value}>"
    sys.exit(f"sparql: FAIL: unexpected term {t}")


FRACTION = re.compile(r'(\.\d*?)0+(Z?"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>)')


def canonical(row):
    return FRACTION.sub(r"\1\2", row).replace('."^^<http://www.w3.org/2001/XMLSchema#dateTime>', '"^^<http://www.w3.org/2001/XMLSchema#dateTime>').replace('.Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>', 'Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>')


jena = {}
with open(jena_output, encoding="utf-8") as f:
    for line in f.read().splitlines():
        if line.startswith("# "):
            name = line[2:]
            jena[name] = []
        else:
            jena[name].append(canonical(line))
names = sorted(n for n in os.listdir(queries) if n.endswith(".rq"))
if sorted(jena) != names:
    sys.exit(f"sparql: FAIL: Jena ran {sorted(jena)}, the examples are {names}")
for name in names:
    text = open(os.path.join(queries, name), encoding="utf-8").read()
    results = store.query(text)
    rows = [canonical("\t".join(term(s[v]) for v in results.variables)) for s in results]
    ordered = "ORDER BY" in text.upper()
    same = rows == jena[name] if ordered else Counter(rows) == Counter(jena[name])
    if not same:
        sys.exit(f"sparql: FAIL: {name}: Oxigraph {len(rows)} rows, Jena {len(jena[name])}; first differences: "
                 f"{sorted(set(rows) ^ set(jena[name]))[:3]}")
    if not rows:
        sys.exit(f"sparql: FAIL: {name}: no rows on this export, nothing compared")
    print(f"sparql: {name}: Jena and Oxigraph give the same {len(rows)} rows{' in order' if ordered else ''}")
