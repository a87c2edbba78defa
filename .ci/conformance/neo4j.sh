#!/usr/bin/env bash
# Neo4j CSV export against Neo4j itself (5.26 LTS, from Maven Central) and a second Cypher
# engine, each a step of its own:
# - neo4j-admin import: the export's own neo4j/import.sh run with bash, its neo4j-admin being
#   Neo4j's AdminTool, then the database compared with json/graph.json by value and Neo4j type;
# - LOAD CSV: the export's own neo4j/load.cypher run statement by statement over Bolt against a
#   running Neo4j, no notification allowed, then the same comparison;
# - APOC (5.26 only): apoc.import.graphml on graphml/graph.graphml with readLabels, compared
#   with graph.json as the README's GraphML section says APOC reads it back;
# - the audit queries of examples/queries/cypher, run in the neo4j-admin database against
#   answers audit_questions.py computes from the raw pages;
# each on the 5.26 LTS (Java 17) and on the newest release (Java 25).
# - Kùzu (PyPI): the same audit queries against the same answers, and deliberately broken
#   copies refused by both Kùzu and `kb4graph validate`.
#   Kùzu reads RFC 4180 CSV only, so on a backslash-quoted export only Neo4j runs.
# A consumer that cannot be installed fails the script.
# On an export written with --compress gzip (its CSV files .csv.gz, which import.sh and
# load.cypher name, and json/graph.json.gz read by the harness through GZIPInputStream),
# neo4j-admin import, LOAD CSV and the audit queries run on the LTS; APOC, Kùzu and the newest
# release are left to the uncompressed export of the same snapshot.
# On a combined export of several accounts (snapshot/accounts.json), neo4j-admin import runs on
# the LTS against json/graph.json; the audit questions, LOAD CSV, APOC, Kùzu and the newest
# release are left to the single-account exports.
#   neo4j.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export_dir=$1
kb4graph=$2
queries="$here/../../examples/queries/cypher"
schema="$here/../../schemas/graph.schema.json"
kuzu=0.11.3
gzip=0
[[ -e $export_dir/json/graph.json.gz ]] && gzip=1
# The current LTS, and the newest release (it needs Java 21 or newer).
lts=5.26.30
apoc=5.26.19
newest=2026.08.1
jdk_opens=(--enable-native-access=ALL-UNNAMED)
for module in java.base/java.nio java.base/java.lang java.base/sun.nio.ch java.base/java.io \
  java.base/java.util java.base/java.util.concurrent java.base/jdk.internal.misc \
  java.base/java.lang.invoke java.base/java.lang.reflect java.base/java.net; do
  jdk_opens+=("--add-opens=$module=ALL-UNNAMED")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
step() { echo "-- neo4j: $* ($(( $(date +%s) - started ))s)"; }

step "install: Java 17 and Maven (apt), the Java 25 JDK (present), kuzu $kuzu (pip)"
apt_install() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v mvn >/dev/null || apt_install maven
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
java_major=$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')
((java_major >= 17)) || { echo "FAIL: Neo4j 5.26 needs Java 17 or newer, javac is $java_major" >&2; exit 1; }
java25_home=$(ls -d /usr/lib/jvm/*-25-* 2>/dev/null | head -1)
[[ -x $java25_home/bin/javac ]] || { echo "FAIL: Neo4j $newest needs a Java 25 JDK under /usr/lib/jvm, none found" >&2; exit 1; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check "kuzu==$kuzu"

# One harness, built and run once per Neo4j release: the LTS on Java 17, the newest release on
# the Java 25 JDK it needs (with the JDK modules Neo4j's own launchers open).
harness() {
  local version=$1 java_home=$2 release=$3 apoc=$4
  local with_apoc=(-Dapoc.version="$apoc")
  [[ -n $apoc ]] || with_apoc=(-P '!apoc')
  local build="$work/harness-$version"
  mkdir -p "$build"
  step "Neo4j $version: build the harness (Maven Central)"
  if ! JAVA_HOME=$java_home mvn -q -B -f "$here/neo4j/pom.xml" -DbuildDirectory="$build" \
      -Dneo4j.version="$version" -Dmaven.compiler.release="$release" "${with_apoc[@]}" compile >"$build/mvn.log" 2>&1; then
    cat "$build/mvn.log" >&2
    echo "FAIL: the Neo4j $version harness did not build" >&2
    exit 1
  fi
  if [[ $import_only == true ]]; then
    step "Neo4j $version: neo4j-admin import with import.sh, against json/graph.json"
  else
    step "Neo4j $version: neo4j-admin import with import.sh and the audit queries, load.cypher over Bolt${apoc:+, APOC $apoc apoc.import.graphml}, each against json/graph.json"
  fi
  "$java_home/bin/java" -Xmx2g "${@:5}" -Dconformance.apoc="${apoc:-none}" -Dconformance.importOnly="$import_only" -cp "$build/classes:$(cat "$build/classpath")" conformance.Main \
    "$export_dir" "$schema" "$work/neo4j-$version" "$work/questions.json" "$queries" 2>"$work/neo4j-$version.log" \
    | grep -v '^\.\.\.\.\.\.\.\.\.\. ' >"$work/neo4j-$version.out" \
    || { cat "$work/neo4j-$version.out"; tail -50 "$work/neo4j-$version.log" >&2; exit 1; }
  grep -E '^(neo4j-admin import|load.cypher|apoc.import.graphml|queries)' "$work/neo4j-$version.out"
  rm -rf "$work/neo4j-$version"
}
# A combined export of several accounts (snapshot/accounts.json): the audit questions are
# computed from one account's raw pages, so it is compared with json/graph.json alone.
combined=0
[[ -e $export_dir/snapshot/accounts.json ]] && combined=1
import_only=false
((combined)) && import_only=true
if ((combined)); then
  step "the audit questions: not asked of a combined export of several accounts (each account's own export answers them)"
  echo '[]' >"$work/questions.json"
else
  step "the audit questions of examples/queries/cypher, answered from the raw pages"
  "$VENV/bin/python" "$here/audit_questions.py" "$export_dir" >"$work/questions.json"
fi
java17_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
if ((combined)); then
  step "load.cypher and APOC: not run on a combined export (they read it as the single-account exports prove)"
  harness "$lts" "$java17_home" 17 ""
elif ((gzip)); then
  step "APOC: not run on a compressed export (graphml/graph.graphml.gz), the uncompressed one proves it"
  harness "$lts" "$java17_home" 17 ""
else
  harness "$lts" "$java17_home" 17 "$apoc"
fi
# APOC core is published on Maven Central for 5.x only (none for 2025.x or 2026.x), so the
# newest release proves import.sh and load.cypher.
if ((combined || gzip)); then
  step "Neo4j $newest: not run on a $( ((combined)) && echo combined || echo compressed ) export (the single-account uncompressed exports prove that release; $lts proves this one)"
else
  step "APOC on Neo4j $newest: not run, Maven Central serves no APOC core for 2025.x or 2026.x"
  harness "$newest" "$java25_home" 21 "" "${jdk_opens[@]}"
fi

quoting=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["quoting"])' "$export_dir/neo4j/format.json")
if ((gzip)); then
  step "Kùzu $kuzu: not run on a compressed export (the uncompressed one proves it)"
elif ((combined)); then
  step "Kùzu $kuzu: not run on a combined export (its checks answer the audit questions from one account's raw pages)"
elif [[ $quoting == rfc4180 ]]; then
  step "Kùzu $kuzu: load, values, and the audit queries against the raw pages"
  "$VENV/bin/python" "$here/neo4j_engine.py" "$export_dir" "$queries"
  step "broken copies: each refused by Kùzu and kb4graph validate"
  "$VENV/bin/python" "$here/neo4j_broken.py" "$export_dir" "$kb4graph" "$here/neo4j_engine.py" "$queries"
else
  step "Kùzu $kuzu: not run, this export's quoting is $quoting and Kùzu reads RFC 4180 only (Neo4j above read it)"
fi
