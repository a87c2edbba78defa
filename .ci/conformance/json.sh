#!/usr/bin/env bash
# JSON export against an independent JSON Schema validator (python jsonschema).
#   json.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(dirname "$0")
"$VENV/bin/pip" install --quiet --disable-pip-version-check jsonschema
"$VENV/bin/python" "$here/json_schema.py" "$here/../../schemas/graph.schema.json" "$1" "$2"
