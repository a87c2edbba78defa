#!/usr/bin/env bash
# RDF export against independent consumers, one named step each:
#   - rdflib parses rdf/graph.nt, rdf/graph.ttl and rdf/graph.nq: the same set of triples
#     (the N-Quads data graph), no blank nodes;
#   - pyshacl: the export conforms to schemas/kb4graph.shapes.ttl (with the ontology);
#   - files broken on purpose are rejected by pyshacl AND by `kb4graph validate`, for the same
#     focus nodes, paths and constraint components, and jena-shacl 5.6.0 agrees with both;
#   - pyoxigraph reads the same triples from all three syntaxes;
#   - serd (serdi) and Redland (rapper) read each syntax without a warning, with as many
#     triples (quads) as we wrote;
#   - Apache Jena 5.6.0 RIOT (jena/, Maven) parses each syntax strictly, a warning fails, with
#     as many triples (quads) as we wrote;
#   - the SPARQL examples give the same rows in Jena ARQ as in Oxigraph (pyoxigraph).
#   rdf.sh EXPORT_DIR KB4GRAPH_BINARY     (VENV: the python venv to install into)
set -euo pipefail
here=$(dirname "$0")
rdf="$1/rdf"
step() { echo "== rdf: $*"; }

step "install rdflib 7.6.0, pyshacl 0.40.1, pyoxigraph 0.5.13, serdi 0.30.16, rapper 2.0.15"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  rdflib==7.6.0 pyshacl==0.40.1 pyoxigraph==0.5.13
if ! command -v serdi >/dev/null || ! command -v rapper >/dev/null; then
  apt-get update -qq && apt-get install -y -qq serdi raptor2-utils >/dev/null
fi

step "build the Jena harness (jena-arq, jena-shacl 5.6.0)"
mvn -q -B -f "$here/jena/pom.xml" compile

step "rdflib; SHACL: pyshacl, jena-shacl and kb4graph validate"
"$VENV/bin/python" "$here/rdf_check.py" "$here/../../schemas" "$1" "$2" "$here/jena/pom.xml"

step "pyoxigraph"
"$VENV/bin/python" "$here/rdf_oxigraph.py" "$1"

# What we wrote: a triple a line in graph.nt, a quad a line in graph.nq.
nt_count=$(grep -c . "$rdf/graph.nt")
nq_count=$(grep -c . "$rdf/graph.nq")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check TOOL FILE SYNTAX EXPECTED COUNT STDERR: no message on stderr, the count we wrote.
check() {
  if [ -s "$6" ]; then
    echo "$1: FAIL: $2: $(head -c 2000 "$6")" >&2
    exit 1
  fi
  if [ "$5" != "$4" ]; then
    echo "$1: FAIL: $2 ($3): read $5 statements, we wrote $4" >&2
    exit 1
  fi
  echo "$1: $2 ($3): $5 statements"
}

step "serdi"
for spec in graph.nt:ntriples:ntriples:$nt_count graph.ttl:turtle:ntriples:$nt_count \
            graph.nq:nquads:nquads:$nq_count; do
  IFS=: read -r file syntax out expected <<<"$spec"
  n=$(serdi -i "$syntax" -o "$out" "$rdf/$file" 2>"$tmp/err" | grep -c .) || true
  check serdi "$file" "$syntax" "$expected" "$n" "$tmp/err"
done

step "rapper"
for spec in graph.nt:ntriples:$nt_count graph.ttl:turtle:$nt_count graph.nq:nquads:$nq_count; do
  IFS=: read -r file syntax expected <<<"$spec"
  rapper -q -i "$syntax" -o ntriples "$rdf/$file" >"$tmp/out" 2>"$tmp/err" || true
  check rapper "$file" "$syntax" "$expected" "$(grep -c . "$tmp/out" || true)" "$tmp/err"
done
step "jena riot (jena-arq 5.6.0, strict, warnings fail)"
# Absolute: mvn runs in jena/.
export_dir=$(cd "$1" && pwd)
mvn -q -B -f "$here/jena/pom.xml" exec:java -Dexec.args="$export_dir"

step "sparql: examples/queries/sparql in Jena ARQ 5.6.0 and Oxigraph 0.5.13"
queries=$(cd "$here/../../examples/queries/sparql" && pwd)
# mvn -q still prints colour resets; the rows are the rest.
mvn -q -B -f "$here/jena/pom.xml" exec:java -Dmain=Sparql -Dexec.args="$export_dir $queries" \
  | sed 's/\x1b\[[0-9;]*m//g' >"$tmp/jena-sparql.tsv"
"$VENV/bin/python" "$here/rdf_sparql.py" "$1" "$queries" "$tmp/jena-sparql.tsv"
echo "rdf: OK"
