"""RDF conformance: rdflib parses the three syntaxes alike, pyshacl and jena-shacl agree with
kb4graph.

rdf_check.py SCHEMAS_DIR EXPORT_DIR KB4GRAPH_BINARY JENA_POM
"""

import os
import re
import subprocess
import sys
import tempfile

import rdflib
from pyshacl import validate
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH, XSD

schemas, export, binary, jena_pom = sys.argv[1:5]
KB = "https://w3id.org/kb4graph/ns#"
RULES = {
    SH.DatatypeConstraintComponent: "sh:datatype",
    SH.MinCountConstraintComponent: "sh:minCount",
    SH.MaxCountConstraintComponent: "sh:maxCount",
    SH.ClassConstraintComponent: "sh:class",
    SH.HasValueConstraintComponent: "sh:hasValue",
    SH.NodeKindConstraintComponent: "sh:nodeKind",
}


def fail(message):
    print(f"rdf conformance: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def path(name):
    return os.path.join(export, "rdf", name)


# 1. rdflib reads all three syntaxes; they hold the same triples.
nt = rdflib.Graph().parse(path("graph.nt"), format="nt")
ttl = rdflib.Graph().parse(path("graph.ttl"), format="turtle")
dataset = rdflib.Dataset()
dataset.parse(path("graph.nq"), format="nquads")
graphs = [g for g in dataset.graphs() if len(g) > 0]
provenance = [g for g in graphs if str(g.identifier).endswith("/provenance")]
if len(provenance) != 1:
    fail(f"graph.nq: expected one provenance graph, got {[str(g.identifier) for g in graphs]}")
# The data graph is the provenance graph's name without "/provenance"; a combined export of
# several accounts has beside it one graph per account, "<data>/account/<name>".
data_name = str(provenance[0].identifier)[: -len("/provenance")]
data = [g for g in graphs if str(g.identifier) == data_name or str(g.identifier).startswith(data_name + "/account/")]
if len(data) + 1 != len(graphs) or not data:
    fail(f"graph.nq: graphs other than {data_name}, its accounts' and its provenance: {[str(g.identifier) for g in graphs]}")
with open(path("graph.nt"), encoding="utf-8") as f:
    lines = sum(1 for line in f if line.strip())
nt_set, ttl_set = set(nt), set(ttl)
nq_set = set().union(*(set(g) for g in data))
if len(nt_set) != lines:
    fail(f"graph.nt: {lines} lines but rdflib read {len(nt_set)} distinct triples")
if nt_set != ttl_set:
    fail(f"graph.ttl differs from graph.nt: {len(ttl_set - nt_set)} extra, {len(nt_set - ttl_set)} missing, e.g. {sorted(map(str, nt_set ^ ttl_set))[:3]}")
if nt_set != nq_set:
    fail(f"graph.nq data graph differs from graph.nt: {len(nq_set - nt_set)} extra, {len(nt_set - nq_set)} missing")
if any(isinstance(term, BNode) for t in nt_set for term in t):
    fail("blank node in graph.nt")
print(f"rdflib: graph.nt, graph.ttl and the graph.nq data graph{'s' if len(data) > 1 else ''} hold the same {len(nt_set)} triples")

# 2. pyshacl: the export conforms.
shapes = rdflib.Graph().parse(os.path.join(schemas, "kb4graph.shapes.ttl"), format="turtle")
ontology = rdflib.Graph().parse(os.path.join(schemas, "kb4graph.ttl"), format="turtle")


def pyshacl_results(graph):
    conforms, report, _ = validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="none")
    found = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        component = report.value(result, SH.sourceConstraintComponent)
        found.add((str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath)), RULES.get(component, str(component))))
    return conforms, found


conforms, found = pyshacl_results(nt)
if not conforms:
    fail(f"pyshacl: the export does not conform: {sorted(found)[:10]}")
print("pyshacl: the export conforms to kb4graph.shapes.ttl")


def jena_shacl(dirs):
    """jena-shacl's results per directory, as pyshacl_results gives them."""
    run = subprocess.run(
        ["mvn", "-q", "-B", "-f", jena_pom, "exec:java", "-Dmain=Shacl",
         "-Dexec.args=" + " ".join([os.path.join(schemas, "kb4graph.shapes.ttl"), os.path.join(schemas, "kb4graph.ttl")] + dirs)],
        capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"jena-shacl exited {run.returncode}: {run.stdout[-2000:]}{run.stderr[-2000:]}")
    results = {}
    for line in re.sub(r"\x1b\[[0-9;]*m", "", run.stdout).splitlines():
        if line.startswith("# "):
            current = results.setdefault(line[2:], set())
        elif line:
            focus, path, component = line.split("\t")
            current.add((focus, path, RULES.get(URIRef(component), component)))
    return results


absolute_export = os.path.abspath(export)
found = jena_shacl([absolute_export]).get(absolute_export)
if found is None or found:
    fail(f"jena-shacl: the export does not conform: {sorted(found or [])[:10]}")
print("jena-shacl: the export conforms to kb4graph.shapes.ttl")

# 3. Broken on purpose: both validators reject, for the same reasons. The combined export of
# several accounts is written by the same writer as the single-account exports these cases
# run on, so conformance-accounts.sh asks for the conformance checks above alone.
if os.environ.get("RDF_CHECK_CONFORMANCE_ONLY") == "1":
    print("broken files: left to the single-account exports")
    sys.exit(0)
text = open(path("graph.nt"), encoding="utf-8").read()
triples = text.splitlines()


def first(predicate):
    needle = f"<{KB}{predicate}> "
    for line in triples:
        if needle in line:
            return line
    fail(f"no {predicate} triple in graph.nt")


def subject(line):
    return line.split(" ", 1)[0][1:-1]


user_id = first("User_id")
user_name = first("User_name")
has_user = first("UserGroup_hasUser")
module_type = next(l for l in triples if l.endswith(f"<{KB}Module> ."))
assigned = first("TrainingModuleAssignedUser_enrollmentId")
cases = {
    "wrong datatype": text.replace(user_id, user_id.replace("^^<http://www.w3.org/2001/XMLSchema#integer>", ""), 1),
    "ill-typed integer": text.replace(user_id, re.sub(r'"[^"]*"\^\^', '"12a"^^', user_id), 1),
    "missing required": text.replace(user_name + "\n", "", 1),
    "two names": text.replace(user_name, user_name + "\n" + user_name.replace('" .', ' bis" .'), 1),
    "group has a non-user": text.replace(has_user, has_user.replace(has_user.split(" ")[2], has_user.split(" ")[0]), 1),
    "module without kb:Module": text.replace(module_type + "\n", "", 1),
    "enrollment without its id": text.replace(assigned + "\n", "", 1),
}
line_re = re.compile(r"^\S+ <([^>]*)> (\S+): (sh:\w+)")
with tempfile.TemporaryDirectory() as tmp:
    verdicts = {}
    for name, broken in cases.items():
        if broken == text:
            fail(f"{name}: the mutation changed nothing")
        root = os.path.join(tmp, re.sub(r"\W+", "-", name))
        os.makedirs(os.path.join(root, "rdf"))
        with open(os.path.join(root, "rdf", "graph.nt"), "w", encoding="utf-8") as f:
            f.write(broken)
        conforms, expected = pyshacl_results(rdflib.Graph().parse(data=broken, format="nt"))
        if conforms:
            fail(f"{name}: pyshacl accepts it")
        run = subprocess.run([binary, "validate", root], capture_output=True, text=True)
        if run.returncode != 1:
            fail(f"{name}: kb4graph validate exited {run.returncode}, not 1: {run.stdout}{run.stderr}")
        got = set()
        for line in run.stdout.splitlines():
            m = line_re.match(line)
            if not m:
                fail(f"{name}: unexpected kb4graph output line: {line}")
            p = m.group(2)
            got.add((m.group(1), KB + p[3:] if p.startswith("kb:") else ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type" if p == "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" else p.strip("<>")), m.group(3)))
        if got != expected:
            fail(f"{name}: kb4graph found {sorted(got)}, pyshacl {sorted(expected)}")
        verdicts[root] = (name, got)
        print(f"broken file '{name}': kb4graph and pyshacl reject it: {sorted(got)}")
    jena = jena_shacl(sorted(verdicts))
    if set(jena) != set(verdicts):
        fail(f"jena-shacl reported on {sorted(jena)}, not on every broken file {sorted(verdicts)}")
    for root, found in jena.items():
        name, expected = verdicts[root]
        if found != expected:
            fail(f"{name}: jena-shacl found {sorted(found)}, kb4graph and pyshacl {sorted(expected)}")
        print(f"broken file '{name}': jena-shacl rejects it for the same results")
print("rdf conformance: OK")
