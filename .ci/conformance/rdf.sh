#!/usr/bin/env bash
# RDF export against independent consumers:
#   - rdflib parses rdf/graph.nt, rdf/graph.ttl and rdf/graph.nq: the same set of triples
#     (the N-Quads data graph), no blank nodes;
#   - pyshacl: the export conforms to schemas/kb4graph.shapes.ttl (with the ontology);
#   - files broken on purpose are rejected by pyshacl AND by `kb4graph validate`, for the same
#     focus nodes, paths and constraint components.
#   rdf.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(dirname "$0")
"$VENV/bin/pip" install --quiet --disable-pip-version-check rdflib pyshacl
"$VENV/bin/python" "$here/rdf_check.py" "$here/../../schemas" "$1" "$2"
