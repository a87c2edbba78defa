"""Deliberately broken copies of a Neo4j CSV export: the engine must fail to load each one and
`kb4graph validate` must exit 1 naming the file, line and column.

usage: python neo4j_broken.py EXPORT_DIR KB4GRAPH_BINARY ENGINE_SCRIPT QUERIES_DIR
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

export_dir, kb4graph, engine, queries = sys.argv[1:]
USERS = "neo4j/nodes/knowbe4_user.csv"
MEMBERS = "neo4j/relationships/knowbe4_user_group_has_user.csv"


with open(pathlib.Path(export_dir) / USERS, encoding="utf-8") as f:
    users = f.read()
row = users.split("\n")[1]
user_id = row.split(",")[0].rsplit(":", 1)[1]
with open(pathlib.Path(export_dir) / MEMBERS, encoding="utf-8") as f:
    members = f.read()
member_row = members.split("\n")[1]

cases = [
    ("a word where a long belongs", USERS,
     lambda t: t.replace(f",{user_id},", ",twelve,", 1), f"{USERS} line 2, column 6: id:long"),
    ("a relationship to a node that does not exist", MEMBERS,
     lambda t: t.replace(member_row, member_row.replace(",knowbe4:user:", ",knowbe4:user:999", 1), 1),
     f"{MEMBERS} line 2, column 2: :END_ID(knowbe4): no node has the ID"),
    ("a row with a field too many", USERS,
     lambda t: t.replace(row, row + ",extra", 1), f"{USERS} line 2, column 1: "),
]

for what, file, edit, message in cases:
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "export"
        shutil.copytree(export_dir, copy)
        path = copy / file
        before = path.read_text(encoding="utf-8")
        after = edit(before)
        assert after != before, what
        path.write_text(after, encoding="utf-8")
        loaded = subprocess.run([sys.executable, engine, str(copy), queries], capture_output=True, text=True)
        assert loaded.returncode != 0, f"the engine accepted {what}:\n{loaded.stdout}"
        checked = subprocess.run([kb4graph, "validate", str(copy)], capture_output=True, text=True)
        assert checked.returncode == 1, (what, checked.returncode, checked.stdout, checked.stderr)
        assert message in checked.stdout, (what, message, checked.stdout[-2000:])
        print(f"refused by Kùzu and by kb4graph validate: {what}")
