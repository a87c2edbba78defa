"""Validates a kb4graph JSON export with Python's jsonschema, a validator independent of the
one built into kb4graph, and shows that a deliberately broken copy is rejected by both.

usage: python json_schema.py SCHEMA EXPORT_DIR KB4GRAPH_BINARY
"""
import copy
import json
import pathlib
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

schema_path, export_dir, kb4graph = sys.argv[1:]
schema = json.loads(pathlib.Path(schema_path).read_text())
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
doc = json.loads((pathlib.Path(export_dir) / "json" / "graph.json").read_text())

errors = list(validator.iter_errors(doc))
for e in errors[:20]:
    print(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}")
assert not errors, f"{len(errors)} violations of the bundled schema"
print(f"python jsonschema: {len(doc['entities'])} entities and "
      f"{len(doc['relationships'])} relationships are valid")

# A user without its required name, and a relationship with a wrong _type value.
broken = copy.deepcopy(doc)
user = next(i for i, e in enumerate(broken["entities"]) if e["_type"] == "knowbe4_user")
del broken["entities"][user]["name"]
broken["relationships"][0]["_class"] = "OWNS"
found = {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(broken)}
assert f"entities/{user}" in found, found
assert "relationships/0/_class" in found, found

with tempfile.TemporaryDirectory() as tmp:
    (pathlib.Path(tmp) / "json").mkdir()
    (pathlib.Path(tmp) / "json" / "graph.json").write_text(json.dumps(broken))
    result = subprocess.run([kb4graph, "validate", tmp], capture_output=True, text=True)
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert f"/entities/{user}" in result.stdout, result.stdout
    assert "/relationships/0/_class" in result.stdout, result.stdout
print("a broken copy is rejected by both python jsonschema and kb4graph validate")
