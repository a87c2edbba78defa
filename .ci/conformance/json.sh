#!/usr/bin/env bash
# JSON export against an independent JSON Schema validator (python jsonschema), against
# JupiterOne's own data model (@jupiterone/data-model, pinned in jupiterone/package-lock.json),
# and its mapped relationships against @jupiterone/integration-sdk-core (SDK_CORE below).
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
cp "$here/jupiterone/package.json" "$here/jupiterone/package-lock.json" "$here/jupiterone/check.js" \
  "$here/jupiterone/mapped.js" "$j1/"
(cd "$j1" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
node "$j1/check.js" "$1" "$here/../../README.md"

echo "-- JupiterOne's mapped relationships (@jupiterone/integration-sdk-core, npm pack)"
# Unpacked rather than installed: npm cannot install its dependency
# @jupiterone/integration-sdk-entity-validator from the registry here, and the files mapped.js
# loads need only @jupiterone/data-model, installed above. npm pack checks the tarball's
# integrity against the registry.
SDK_CORE=17.6.1
(cd "$j1" && npm pack --silent --loglevel=error "@jupiterone/integration-sdk-core@$SDK_CORE" >/dev/null)
mkdir -p "$j1/node_modules/@jupiterone/integration-sdk-core"
tar -xzf "$j1/jupiterone-integration-sdk-core-$SDK_CORE.tgz" --strip-components=1 \
  -C "$j1/node_modules/@jupiterone/integration-sdk-core"
node "$j1/mapped.js" "$1" "$j1"
rm -rf "$j1"
