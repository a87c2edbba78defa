#!/usr/bin/env bash
# GraphML export against its real consumers, each a step of its own: the official GraphML 1.0
# XSD (xmllint), networkx, python-igraph, graph-tool (Debian's package, on the system python3)
# and the Gephi toolkit (Maven Central), each checked against json/graph.json (networkx against
# the raw snapshot too); deliberately broken copies must be rejected by both xmllint and
# `kb4graph validate`. A consumer that cannot be installed fails the script.
#   graphml.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export_dir=$1
kb4graph=$2
xsd=${GRAPHML_XSD:-"$here/../../../shared/external/graphml-1.0/graphml.xsd"}
file="$export_dir/graphml/graph.graphml"
[[ -f $xsd ]] || { echo "graphml.xsd not found at $xsd" >&2; exit 1; }
[[ -f $file ]] || { echo "no GraphML export at $file" >&2; exit 1; }

# Consumers, pinned.
networkx=3.6.1
igraph=1.0.0
graph_tool=2.45+ds-10   # Debian 12's python3-graph-tool, built for its python3 (3.11)
# The Gephi toolkit's version is pinned in gephi/pom.xml.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
step() { echo "-- graphml: $* ($(( $(date +%s) - started ))s)"; }

apt_install() {
  # Installs Debian packages given as name or name=version, unless installed at that version.
  local missing=()
  for p in "$@"; do
    local name=${p%%=*} want=${p#*=} have
    have=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$name" 2>/dev/null || true)
    if [[ $p == *=* ]]; then
      [[ $have == "ii $want" ]] || missing+=("$p")
    else
      [[ $have == ii* ]] || missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

step "install: xmllint, networkx $networkx, python-igraph $igraph (pip), graph-tool $graph_tool (apt), Java 17 and Maven (apt)"
command -v xmllint >/dev/null || apt_install libxml2-utils
"$VENV/bin/pip" install --quiet --disable-pip-version-check "networkx==$networkx" "igraph==$igraph"
apt_install "python3-graph-tool=$graph_tool"
command -v mvn >/dev/null || apt_install maven
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
java_major=$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')
((java_major >= 17)) || { echo "FAIL: the Gephi check needs Java 17 or newer, javac is $java_major" >&2; exit 1; }

step "GraphML 1.0 XSD: xmllint --schema"
# The XSD imports xlink.xsd from its own folder: --nonet proves it resolves offline.
xmllint --noout --nonet --schema "$xsd" "$file"

step "kb4graph validate (the bundled GraphML profile)"
"$kb4graph" -q validate "$export_dir" >"$work/validate.out" \
  || { head -20 "$work/validate.out" >&2; echo "FAIL: kb4graph validate rejects the export" >&2; exit 1; }

step "networkx $networkx: read_graphml against the raw pages and json/graph.json"
"$VENV/bin/python" "$here/graphml_networkx.py" "$export_dir"

step "python-igraph $igraph: Graph.Read_GraphML against json/graph.json"
"$VENV/bin/python" "$here/graphml_igraph.py" "$export_dir"

step "graph-tool $graph_tool: load_graph (Debian python3) against json/graph.json"
/usr/bin/python3 "$here/graphml_graphtool.py" "$export_dir"

step "Gephi toolkit: build the reader (Maven Central)"
# Maven's own output only on failure; the build directory is outside the repository.
gephi_build="$work/gephi"
mkdir -p "$gephi_build"
if ! mvn -q -B -f "$here/gephi/pom.xml" -DbuildDirectory="$gephi_build" compile >"$gephi_build/mvn.log" 2>&1; then
  cat "$gephi_build/mvn.log" >&2
  echo "FAIL: the Gephi toolkit reader did not build" >&2
  exit 1
fi

step "Gephi toolkit: ImportController + DefaultProcessor against json/graph.json"
java -Djava.awt.headless=true -cp "$gephi_build/classes:$(cat "$gephi_build/classpath")" \
  kb4graph.conformance.GephiRead "$file" "$gephi_build/gephi.json" 2>"$gephi_build/gephi.log" \
  || { cat "$gephi_build/gephi.log" >&2; exit 1; }
"$VENV/bin/python" "$here/graphml_gephi.py" "$export_dir" "$gephi_build/gephi.json"

step "broken copies: each must fail the XSD and kb4graph validate"
broken="$work/broken"
mkdir -p "$broken"
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
step "done: XSD-valid, read by networkx, python-igraph, graph-tool and Gephi with the values of json/graph.json, broken copies rejected"
