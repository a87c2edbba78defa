#!/usr/bin/env bash
# A gzip-compressed export (`export --compress gzip`) read by the consumers the README names, as
# they are, against the uncompressed export of the same snapshot; one named step each:
#   - sha256sum -c SHA256SUMS (the .gz bytes as written), gzip -t on every .gz, and each one
#     decompressing to exactly the uncompressed export's file;
#   - kb4graph validate and verify, and diff against the uncompressed export: no difference;
#   - networkx read_graphml on graphml/graph.graphml.gz (the path itself);
#   - rdflib parsing rdf/graph.{nt,ttl,nq}.gz through Python's gzip: the graphs of the
#     uncompressed files;
#   - Jena RIOT 5.6.0 (jena/ Parse, strict) on rdf/graph.*.gz;
#   - Neo4j: neo4j-admin import with the export's import.sh naming the .csv.gz files, LOAD CSV
#     with its load.cypher, and the audit queries (conformance/neo4j.sh, which knows a
#     compressed export).
#   conformance-gzip.sh PLAIN_EXPORT GZIP_EXPORT KB4GRAPH_BINARY   (VENV: the python venv)
# GZIP_EXPORT holds the snapshot it was exported from in snapshot/, as `run` writes it, for the
# audit questions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plain=$(cd "$1" && pwd)
gz=$(cd "$2" && pwd)
kb4graph=$3
step() { echo "== gzip: $*"; }

step "sha256sum -c SHA256SUMS, gzip -t, each .gz decompressing to the uncompressed file"
(cd "$gz" && sha256sum -c --strict --quiet SHA256SUMS)
count=0
while IFS= read -r -d '' file; do
  relative=${file#"$gz"/}
  gzip -t "$file"
  cmp <(gzip -dc "$file") "$plain/${relative%.gz}"
  count=$((count + 1))
done < <(find "$gz" -path "$gz/snapshot" -prune -o -name '*.gz' -print0)
expected=$(find "$plain" -path "$plain/snapshot" -prune -o -type f \
  \( -name '*.csv' -o -name 'graph.*' \) -print | grep -c .)
[[ $count == "$expected" ]] || { echo "FAIL: $count .gz files, the uncompressed export has $expected data files" >&2; exit 1; }
grep -q '"compression": "gzip"' "$gz/manifest.json"
echo "gzip: $count files, hashes as listed, each decompressing to the uncompressed export's"

step "kb4graph validate, verify, and diff against the uncompressed export"
"$kb4graph" -q validate "$gz"
"$kb4graph" verify "$gz" >/dev/null
"$kb4graph" diff "$plain" "$gz"

step "install networkx 3.6.1, rdflib 7.6.0"
"$VENV/bin/pip" install --quiet --disable-pip-version-check networkx==3.6.1 rdflib==7.6.0

step "networkx read_graphml of the .gz path; rdflib through Python's gzip"
"$VENV/bin/python" - "$plain" "$gz" <<'PY'
import gzip, sys
import networkx, rdflib
from rdflib.compare import to_isomorphic

plain, gz = sys.argv[1], sys.argv[2]
a = networkx.read_graphml(f"{plain}/graphml/graph.graphml")
b = networkx.read_graphml(f"{gz}/graphml/graph.graphml.gz")
assert a.number_of_nodes() == b.number_of_nodes() > 0, (a.number_of_nodes(), b.number_of_nodes())
assert a.number_of_edges() == b.number_of_edges() > 0
assert dict(a.nodes(data=True)) == dict(b.nodes(data=True)), "node data differ"
assert sorted(a.edges(data=True, keys=True), key=repr) == sorted(b.edges(data=True, keys=True), key=repr)
print(f"networkx: graph.graphml.gz: {b.number_of_nodes()} nodes, {b.number_of_edges()} edges, as graph.graphml")
for name, fmt in [("graph.nt", "nt"), ("graph.ttl", "turtle"), ("graph.nq", "nquads")]:
    kind = rdflib.Dataset if fmt == "nquads" else rdflib.Graph
    want, got = kind(), kind()
    want.parse(f"{plain}/rdf/{name}", format=fmt)
    with gzip.open(f"{gz}/rdf/{name}.gz", "rb") as f:
        got.parse(f, format=fmt)
    if fmt == "nquads":
        assert sorted(want.quads()) == sorted(got.quads()), name
        n = len(list(got.quads()))
    else:
        assert to_isomorphic(want) == to_isomorphic(got), name
        n = len(got)
    print(f"rdflib: {name}.gz through gzip: {n} statements, as {name}")
PY

step "jena riot (jena-arq 5.6.0, strict) on rdf/graph.*.gz"
mvn -q -B -f "$here/conformance/jena/pom.xml" exec:java -Dexec.args="$gz"

step "Neo4j: import.sh and load.cypher on the .csv.gz files"
bash "$here/conformance/neo4j.sh" "$gz" "$kb4graph"
echo "gzip: OK"
