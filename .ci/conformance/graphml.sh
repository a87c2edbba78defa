#!/usr/bin/env bash
# GraphML export against its real consumers: the official GraphML 1.0 XSD (xmllint) and networkx
# (read_graphml), with typed values checked against the raw snapshot; deliberately broken copies
# must be rejected by both xmllint and `kb4graph validate`.
#   graphml.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export_dir=$1
kb4graph=$2
xsd="$here/../../../shared/external/graphml-1.0/graphml.xsd"
file="$export_dir/graphml/graph.graphml"
[[ -f $xsd ]] || { echo "graphml.xsd not found at $xsd" >&2; exit 1; }
[[ -f $file ]] || { echo "no GraphML export at $file" >&2; exit 1; }

if ! command -v xmllint >/dev/null; then
  apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check networkx

# The XSD imports xlink.xsd from its own folder: --nonet proves it resolves offline.
xmllint --noout --nonet --schema "$xsd" "$file"
"$kb4graph" -q validate "$export_dir" >/dev/null

"$VENV/bin/python" "$here/graphml_networkx.py" "$export_dir"

# Broken copies: each must fail the XSD and kb4graph's validator.
broken=$(mktemp -d)
trap 'rm -rf "$broken"' EXIT
"$VENV/bin/python" "$here/graphml_break.py" "$file" "$broken"
for dir in "$broken"/*/; do
  name=$(basename "$dir")
  if xmllint --noout --nonet --schema "$xsd" "$dir/graphml/graph.graphml" 2>/dev/null; then
    echo "FAIL: xmllint accepted the broken file '$name'" >&2
    exit 1
  fi
  set +e
  "$kb4graph" -q validate "$dir" >"$broken/$name.out" 2>&1
  rc=$?
  set -e
  if [[ $rc -ne 1 ]]; then
    echo "FAIL: kb4graph validate exited $rc (expected 1) on the broken file '$name'" >&2
    cat "$broken/$name.out" >&2
    exit 1
  fi
  echo "broken file '$name' rejected by xmllint and kb4graph validate: $(grep -m1 'line ' "$broken/$name.out" || true)"
done
echo "graphml: XSD-valid, read by networkx with exact values, broken copies rejected"
