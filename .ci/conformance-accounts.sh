#!/usr/bin/env bash
# A combined export of several accounts (examples/accounts-demo.sh) read by the real consumers
# of every format, and the multi-account snapshot directory checked as evidence:
#   - kb4graph validate and verify; verify, archive and verify of the archive of the
#     snapshot directory; diff of the snapshot directory against the export: no difference;
#   - JSON: Python's jsonschema against the bundled schema (json_schema.py);
#   - RDF: rdflib (graph.nt, graph.ttl and the N-Quads graphs, one per account), pyshacl and
#     jena-shacl (rdf_check.py; its broken copies run on the single-account exports),
#     pyoxigraph, and Jena RIOT, strict;
#   - GraphML: the GraphML 1.0 XSD (xmllint), python-igraph against json/graph.json, networkx
#     (counts and each account's tag);
#   - Neo4j 5.26: neo4j-admin import with the export's import.sh, compared with
#     json/graph.json by value and Neo4j type (neo4j.sh);
#   - that nothing collides and people are joined across accounts, asked of rdflib with SPARQL;
#   - that the risk score history fetched for one account's groups (`risk_history` in the
#     accounts file) is in that account's graph only, one point per raw history record, each
#     with its date and score, asked of rdflib with SPARQL.
#   conformance-accounts.sh COMBINED_EXPORT KB4GRAPH_BINARY   (VENV: the python venv)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export_dir=$(cd "$1" && pwd)
kb4graph=$2
step() { echo "== accounts: $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "kb4graph validate and verify; the snapshot directory verified, archived, compared"
"$kb4graph" -q validate "$export_dir"
"$kb4graph" verify "$export_dir" >/dev/null
"$kb4graph" verify "$export_dir/snapshot"
"$kb4graph" -q archive "$export_dir/snapshot" --out "$work/snapshots.tar.gz" >/dev/null
"$kb4graph" verify "$work/snapshots.tar.gz" >/dev/null
"$kb4graph" -q diff "$work/snapshots.tar.gz" "$export_dir"

step "JSON: python jsonschema"
"$VENV/bin/pip" install --quiet --disable-pip-version-check jsonschema rdflib==7.6.0 \
  pyshacl==0.40.1 pyoxigraph==0.5.13 igraph==1.0.0
"$VENV/bin/python" "$here/conformance/json_schema.py" "$here/../schemas/graph.schema.json" "$export_dir" "$kb4graph"

step "RDF: rdflib, pyshacl, jena-shacl; pyoxigraph; Jena RIOT"
mvn -q -B -f "$here/conformance/jena/pom.xml" compile
RDF_CHECK_CONFORMANCE_ONLY=1 "$VENV/bin/python" "$here/conformance/rdf_check.py" "$here/../schemas" "$export_dir" "$kb4graph" "$here/conformance/jena/pom.xml"
"$VENV/bin/python" "$here/conformance/rdf_oxigraph.py" "$export_dir"
mvn -q -B -f "$here/conformance/jena/pom.xml" exec:java -Dexec.args="$export_dir"

step "RDF: one named graph per account, no key shared by two accounts, people of both"
"$VENV/bin/python" - "$export_dir" <<'PY'
import json, sys
import rdflib

export = sys.argv[1]
meta = json.load(open(f"{export}/json/graph.json"))["metadata"]["snapshot"]
names = [a["name"] for a in meta["accounts"]]
assert len(names) >= 2, names
ds = rdflib.Dataset()
ds.parse(f"{export}/rdf/graph.nq", format="nquads")
graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
data = [g for g in graphs if g.endswith("/provenance")][0][: -len("/provenance")]
for name in names:
    assert graphs.get(f"{data}/account/{name}", 0) > 0, (name, sorted(graphs))
KB = "https://w3id.org/kb4graph/ns#"
rows = ds.query(
    """SELECT ?person (COUNT(DISTINCT ?g) AS ?accounts) WHERE {
         GRAPH ?g { ?user <%sUser_isPerson> ?person } } GROUP BY ?person HAVING (COUNT(DISTINCT ?g) > 1)"""
    % KB
)
across = len(list(rows))
assert across > 0, "no person has users in two accounts"
keys = ds.query("SELECT ?s (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(CONTAINS(STR(?g), '/account/')) } GROUP BY ?s HAVING (COUNT(DISTINCT ?g) > 1)")
assert len(list(keys)) == 0, "an entity in two accounts' graphs"
print(f"rdflib: {len(names)} account graphs {names}; {across} people with users in more than one account; no entity in two")

# Group risk score histories: the raw records, read with plain json, against the dataset.
import glob
points = {}
for name in names:
    pages = glob.glob(f"{export}/snapshot/{name}/raw/groups/*/risk_score_history/page-*.json")
    points[name] = sum(len(json.load(open(p))) for p in pages)
assert points["headquarters"] > 0 and points["subsidiary"] == 0, points
for name in names:
    rows = list(ds.query(
        """SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH <%s> {
             ?group <%sUserGroup_hasRiskScore> ?r . ?r <%sRiskScore_date> ?d ; <%sRiskScore_riskScore> ?s } }"""
        % (f"{data}/account/{name}", KB, KB, KB)
    ))
    assert int(rows[0][0]) == points[name], (name, rows, points)
print(f"rdflib: group risk score history points per account graph as in the raw pages: {points}")
PY

step "GraphML: the GraphML 1.0 XSD, python-igraph against json/graph.json, networkx"
xsd=${GRAPHML_XSD:-"$here/../../shared/external/graphml-1.0/graphml.xsd"}
command -v xmllint >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libxml2-utils >/dev/null; }
xmllint --noout --nonet --schema "$xsd" "$export_dir/graphml/graph.graphml"
"$VENV/bin/python" "$here/conformance/graphml_igraph.py" "$export_dir"
"$VENV/bin/pip" install --quiet --disable-pip-version-check networkx==3.6.1
"$VENV/bin/python" - "$export_dir" <<'PY'
import json, sys
import networkx

export = sys.argv[1]
doc = json.load(open(f"{export}/json/graph.json"))
g = networkx.read_graphml(f"{export}/graphml/graph.graphml")
assert g.number_of_nodes() == len(doc["entities"]), (g.number_of_nodes(), len(doc["entities"]))
assert g.number_of_edges() == len(doc["relationships"]), (g.number_of_edges(), len(doc["relationships"]))
tags = {}
for _, data in g.nodes(data=True):
    tag = data.get("tag.AccountName")
    tags[tag] = tags.get(tag, 0) + 1
names = [a["name"] for a in doc["metadata"]["snapshot"]["accounts"]]
assert all(tags.get(n, 0) > 0 for n in names), tags
print(f"networkx 3.6.1: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, as graph.json; entities per tag.AccountName: {tags}")
PY

step "Neo4j 5.26: neo4j-admin import with import.sh, against json/graph.json"
bash "$here/conformance/neo4j.sh" "$export_dir" "$kb4graph"
echo "accounts: OK"
