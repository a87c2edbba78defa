#!/usr/bin/env bash
# Neo4j CSV export against Neo4j itself (5.26 LTS, from Maven Central) and a second Cypher
# engine, each a step of its own:
# - neo4j-admin import: the export's own neo4j/import.sh run with bash, its neo4j-admin being
#   Neo4j's AdminTool, then the database compared with json/graph.json by value and Neo4j type;
# - LOAD CSV: the export's own neo4j/load.cypher run statement by statement over Bolt against a
#   running Neo4j, no notification allowed, then the same comparison;
# - Kùzu (PyPI): the audit queries of examples/queries/cypher against answers computed from the
#   raw pages, and deliberately broken copies refused by both Kùzu and `kb4graph validate`.
#   Kùzu reads RFC 4180 CSV only, so on a backslash-quoted export only Neo4j runs.
# A consumer that cannot be installed fails the script.
#   neo4j.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export_dir=$1
kb4graph=$2
queries="$here/../../examples/queries/cypher"
schema="$here/../../schemas/graph.schema.json"
kuzu=0.11.3
# Neo4j's version is pinned in neo4j/pom.xml.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
step() { echo "-- neo4j: $* ($(( $(date +%s) - started ))s)"; }

step "install: Java 17 and Maven (apt), kuzu $kuzu (pip)"
apt_install() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v mvn >/dev/null || apt_install maven
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
java_major=$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')
((java_major >= 17)) || { echo "FAIL: Neo4j 5.26 needs Java 17 or newer, javac is $java_major" >&2; exit 1; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check "kuzu==$kuzu"

step "Neo4j: build the harness (Maven Central)"
build="$work/harness"
mkdir -p "$build"
if ! mvn -q -B -f "$here/neo4j/pom.xml" -DbuildDirectory="$build" compile >"$build/mvn.log" 2>&1; then
  cat "$build/mvn.log" >&2
  echo "FAIL: the Neo4j harness did not build" >&2
  exit 1
fi

step "Neo4j: neo4j-admin import with import.sh, load.cypher over Bolt, APOC 5.26.19 apoc.import.graphml, each against json/graph.json"
java -Xmx2g -cp "$build/classes:$(cat "$build/classpath")" conformance.Main \
  "$export_dir" "$schema" "$work/neo4j" 2>"$work/neo4j.log" | grep -v '^\.\.\.\.\.\.\.\.\.\. ' >"$work/neo4j.out" \
  || { cat "$work/neo4j.out"; tail -50 "$work/neo4j.log" >&2; exit 1; }
grep -E "^(neo4j-admin import|load.cypher|apoc.import.graphml)" "$work/neo4j.out"

quoting=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["quoting"])' "$export_dir/neo4j/format.json")
if [[ $quoting == rfc4180 ]]; then
  step "Kùzu $kuzu: load, values, and the audit queries against the raw pages"
  "$VENV/bin/python" "$here/neo4j_engine.py" "$export_dir" "$queries"
  step "broken copies: each refused by Kùzu and kb4graph validate"
  "$VENV/bin/python" "$here/neo4j_broken.py" "$export_dir" "$kb4graph" "$here/neo4j_engine.py" "$queries"
else
  step "Kùzu $kuzu: not run, this export's quoting is $quoting and Kùzu reads RFC 4180 only (Neo4j above read it)"
fi
