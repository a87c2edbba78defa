#!/usr/bin/env bash
# JSON export against an independent JSON Schema validator (python jsonschema) and against
# JupiterOne's own data model (@jupiterone/data-model, pinned in jupiterone/package-lock.json).
#   json.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$VENV/bin/pip" install --quiet --disable-pip-version-check jsonschema
"$VENV/bin/python" "$here/json_schema.py" "$here/../../schemas/graph.schema.json" "$1" "$2"

echo "-- JupiterOne data model (@jupiterone/data-model, npm ci)"
if ! command -v npm >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
j1=$(mktemp -d)
cp "$here/jupiterone/package.json" "$here/jupiterone/package-lock.json" "$here/jupiterone/check.js" "$j1/"
(cd "$j1" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
node "$j1/check.js" "$1" "$here/../../README.md"
rm -rf "$j1"
