"""Writes deliberately broken copies of a GraphML export, one per directory, each as
<dir>/graphml/graph.graphml, so that `kb4graph validate <dir>` finds it.

Every fault is one the GraphML XSD also rejects, so both checkers must refuse every copy.
    graphml_break.py GRAPH.graphml OUT_DIR
"""
import os
import re
import sys

src, out = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
lines = text.split("\n")
first_node = next(i for i, l in enumerate(lines) if l.startswith("<node "))
first_edge = next(i for i, l in enumerate(lines) if l.startswith("<edge "))


def once(s, old, new):
    assert old in s, old
    return s.replace(old, new, 1)


def with_line(i, new):
    copy = list(lines)
    copy[i] = new
    return "\n".join(copy)


cases = {
    # keyref data_key_ref: a <data> whose key no <key> declares.
    "undeclared-key": with_line(
        first_node, once(lines[first_node], 'key="n._type"', 'key="n.undeclared"')
    ),
    # key node_id_key: two nodes with one id.
    "duplicate-node-id": "\n".join(
        lines[: first_node + 1] + [lines[first_node]] + lines[first_node + 1 :]
    ),
    # keyref edge target -> node id: an edge to a node that does not exist.
    "edge-to-missing-node": with_line(
        first_edge, re.sub(r'target="[^"]*"', 'target="knowbe4:user:404"', lines[first_edge], 1)
    ),
    # Not XML 1.0 at all: a BEL character in a value.
    "control-character": with_line(
        first_node, once(lines[first_node], 'key="n.name">', 'key="n.name">\x07')
    ),
    # unique data_data_key_unique: one key twice in a node.
    "data-key-twice": with_line(
        first_node,
        once(lines[first_node], "</node>", '<data key="n.name">again</data></node>'),
    ),
}
for name, broken in cases.items():
    assert broken != text, name
    d = os.path.join(out, name, "graphml")
    os.makedirs(d)
    with open(os.path.join(d, "graph.graphml"), "w", encoding="utf-8") as f:
        f.write(broken)
print(f"{len(cases)} broken copies written")
