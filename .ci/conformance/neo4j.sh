#!/usr/bin/env bash
# Neo4j CSV export against a real Cypher engine (Kùzu, from PyPI): the files load, every
# label, type and value equals the graph, and the audit queries of examples/queries/cypher
# answer what the raw snapshot says. Then deliberately broken copies must be refused by both
# the engine and `kb4graph validate`.
#   neo4j.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export_dir=$1
kb4graph=$2
queries="$here/../../examples/queries/cypher"
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'kuzu==0.11.3'
"$VENV/bin/python" "$here/neo4j_engine.py" "$export_dir" "$queries"
"$VENV/bin/python" "$here/neo4j_broken.py" "$export_dir" "$kb4graph" "$here/neo4j_engine.py" "$queries"
