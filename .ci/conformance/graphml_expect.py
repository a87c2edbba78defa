"""What a GraphML consumer must read from kb4graph's graphml/graph.graphml, worked out from
json/graph.json and the file's own <key> declarations by the rules the README gives (no kb4graph
code), and the comparison of that with what one consumer did read.

Standard library only: the graph-tool check runs it with Debian's /usr/bin/python3, the others
with the CI venv.

The README's rules used here:
- node and edge ids are the _key escaped: ASCII letters, digits, '-', '.' and ':' as
  themselves, '_' as '__', every other UTF-8 byte as '_XX' (upper-case hex);
- a key carries the property its attr.name names, without a final _boolean, _long, _double or
  _string (status_long is status); attr.type follows the JSON value: boolean, long for integers,
  double for floats, string for strings, dates, datetimes and arrays (arrays as JSON text);
- node key labels holds ':<_type>:<_class>...', label the displayName; the edge key label
  (attr.name _class) the relationship's _class;
- characters XML 1.0 cannot carry become U+FFFD; in arrays (JSON text, where controls are
  escapes) only U+FFFE and U+FFFF do.
"""
import collections
import json
import math
import os
import xml.etree.ElementTree as ET

NS = "{http://graphml.graphdrawing.org/xmlns}"
TYPES = ("boolean", "long", "double", "string")
# Properties of graph.json's relationships that GraphML gives as structure, not data.
EDGE_STRUCTURE = {"_fromEntityKey", "_toEntityKey", "displayName"}


def property_of(attr_name):
    for t in TYPES:
        suffix = "_" + t
        if attr_name.endswith(suffix) and len(attr_name) > len(suffix):
            return attr_name[: -len(suffix)]
    return attr_name


def escape_id(key):
    out = []
    for b in key.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-.:"):
            out.append(c)
        elif c == "_":
            out.append("__")
        else:
            out.append("_%02X" % b)
    return "".join(out)


def _xml_char(c):
    o = ord(c)
    return c in "\t\n\r" or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


def xml_text(s):
    """What XML 1.0 carries of a string: kb4graph writes U+FFFD for the rest."""
    return "".join(c if _xml_char(c) else "\ufffd" for c in s)


def json_items(v):
    """An array as its JSON text carries it: only U+FFFE and U+FFFF are lost."""
    if isinstance(v, str):
        return v.replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")
    if isinstance(v, list):
        return [json_items(x) for x in v]
    return v


def attr_type_of(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "double"
    return "string"


Key = collections.namedtuple("Key", "id domain name type property")


class Expected:
    """The keys of the file and, per node and edge id, the value of every key it carries."""

    def __init__(self, export_dir):
        path = os.path.join(export_dir, "graphml", "graph.graphml")
        self.keys = {"graph": [], "node": [], "edge": []}
        for _, el in ET.iterparse(path, events=("start",)):
            if el.tag == NS + "graph":
                break
            if el.tag == NS + "key":
                name = el.get("attr.name")
                key = Key(el.get("id"), el.get("for"), name, el.get("attr.type"), property_of(name))
                self.keys[key.domain].append(key)
        by = {}
        for domain, keys in self.keys.items():
            names = [k.name for k in keys]
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                raise SystemExit(f"FAIL: attr.name {sorted(dup)} declared twice for {domain}")
            for k in keys:
                if k.id in ("labels", "n.label") or (domain == "edge" and k.id == "label"):
                    continue
                by[(domain, k.property, k.type)] = k
        self.by_property = by
        doc = json.load(open(os.path.join(export_dir, "json", "graph.json"), encoding="utf-8"))
        self.meta = doc["metadata"]
        self.problems = []
        self.nodes = {}
        self.node_type = {}
        for e in doc["entities"]:
            nid = escape_id(e["_key"])
            values = {
                "labels": ":" + ":".join([e["_type"]] + e["_class"]),
                "label": xml_text(e["displayName"]),
            }
            for prop, v in e.items():
                self._put(values, "node", nid, prop, v)
            self.nodes[nid] = values
            self.node_type[nid] = e["_type"]
        self.edges = {}
        self.edge_type = {}
        self.ends = {}
        label = next(k for k in self.keys["edge"] if k.id == "label")
        for r in doc["relationships"]:
            eid = escape_id(r["_key"])
            values = {label.name: r["_class"]}
            for prop, v in r.items():
                if prop not in EDGE_STRUCTURE and prop != "_class":
                    self._put(values, "edge", eid, prop, v)
            self.edges[eid] = values
            self.edge_type[eid] = r["_type"]
            self.ends[eid] = (escape_id(r["_fromEntityKey"]), escape_id(r["_toEntityKey"]))
        if self.problems:
            raise SystemExit("FAIL: " + "\nFAIL: ".join(self.problems[:20]))

    def _put(self, values, domain, element, prop, v):
        if v is None:
            return
        key = self.by_property.get((domain, prop, attr_type_of(v)))
        if key is None:
            self.problems.append(f"{domain} {element}: no {attr_type_of(v)} key carries {prop}")
            return
        if isinstance(v, list):
            values[key.name] = json_items(v)
        elif isinstance(v, str):
            values[key.name] = xml_text(v)
        else:
            values[key.name] = v

    def graph_values(self):
        snap, source = self.meta["snapshot"], self.meta["source"]
        out = {
            "format": "kb4graph-graphml",
            "baseUrl": snap["baseUrl"],
            "snapshotManifestSha256": snap["manifestSha256"],
            "fetchedAt": snap["fetchedAt"],
            "complete": snap["complete"],
        }
        if source.get("account") is not None:
            out["account"] = xml_text(source["account"])
        if snap.get("site") is not None:
            out["site"] = snap["site"]
        return out


MISSING = object()


class Reading:
    """How one consumer reads values: `absent[type]` is what it gives for a key an element does
    not carry (MISSING: no attribute at all), `long_as_float` whether integers come back as
    doubles, `drops_unused_keys` whether a key no element carries is left out altogether,
    `blank_is_absent` whether a string of XML whitespace only (or empty) reads as absent."""

    def __init__(self, tool, absent, long_as_float=False, drops_unused_keys=False,
                 blank_is_absent=False):
        self.tool = tool
        self.absent = absent
        self.long_as_float = long_as_float
        self.drops_unused_keys = drops_unused_keys
        self.blank_is_absent = blank_is_absent


def _same(key, want, got, reading):
    if got is MISSING or got is None:
        return False
    if isinstance(want, list):
        try:
            return json.loads(got) == want
        except (TypeError, ValueError):
            return False
    if key.type == "boolean":
        return got in (True, False, 0, 1) and bool(got) is want
    if key.type == "long":
        if reading.long_as_float:
            return isinstance(got, float) and got == float(want)
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    if key.type == "double":
        return isinstance(got, float) and (got == want or (math.isnan(got) and math.isnan(want)))
    return isinstance(got, str) and got == want


def _is_absent(key, got, reading):
    want = reading.absent[key.type]
    if want is MISSING:
        return got is MISSING
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    if want is None:
        return got is None
    return type(got) is type(want) and got == want


def compare(expected, reading, nodes, edges, ends=None, graph=None):
    """Checks what `reading.tool` read: `nodes` and `edges` map element ids to {attr.name: value}
    (a key the tool has no attribute for left out), `ends` edge ids to (source id, target id),
    `graph` the graph's own data. Prints a summary; exits 1 on any difference."""
    failures = []
    checked = collections.Counter()
    absent = collections.Counter()
    blank = 0

    def fail(msg):
        failures.append(msg)

    for kind, want_all, got_all, types in (
        ("node", expected.nodes, nodes, expected.node_type),
        ("edge", expected.edges, edges, expected.edge_type),
    ):
        if set(got_all) != set(want_all):
            extra = sorted(set(got_all) - set(want_all))[:5]
            lost = sorted(set(want_all) - set(got_all))[:5]
            fail(f"{kind} ids differ: {len(got_all)} read, {len(want_all)} in json/graph.json; "
                 f"not in JSON {extra}, not read {lost}")
        keys = expected.keys[kind]
        carried = collections.Counter(n for values in want_all.values() for n in values)
        present = set()
        for values in got_all.values():
            present.update(values)
        for k in keys:
            if k.name not in present and got_all:
                if reading.drops_unused_keys and carried[k.name] == 0:
                    continue
                fail(f"{reading.tool} has no {kind} attribute {k.name}")
        for eid, want in want_all.items():
            got = got_all.get(eid)
            if got is None:
                continue
            for k in keys:
                if k.name not in present:
                    continue
                value = got.get(k.name, MISSING)
                if (k.name in want and reading.blank_is_absent and isinstance(want[k.name], str)
                        and not want[k.name].strip(" \t\n\r")):
                    if _is_absent(k, value, reading):
                        blank += 1
                    else:
                        fail(f"{kind} {eid} ({types[eid]}) {k.name}: {want[k.name]!r} read as "
                             f"{value!r}, the README says {reading.tool} reads it as absent")
                elif k.name in want:
                    if _same(k, want[k.name], value, reading):
                        checked[k.type] += 1
                    else:
                        fail(f"{kind} {eid} ({types[eid]}) {k.name}: read {value!r}, "
                             f"json/graph.json has {want[k.name]!r}")
                elif _is_absent(k, value, reading):
                    absent[k.type] += 1
                else:
                    fail(f"{kind} {eid} ({types[eid]}) {k.name}: absent, read as {value!r}, "
                         f"the README says {reading.tool} reads {reading.absent[k.type]!r}")
    if ends is not None:
        wrong = [e for e, pair in expected.ends.items() if e in ends and ends[e] != pair]
        for e in wrong[:5]:
            fail(f"edge {e}: ends {ends[e]}, json/graph.json has {expected.ends[e]}")
    if graph is not None:
        for name, want in expected.graph_values().items():
            got = graph.get(name, MISSING)
            if not (got == want and type(got) is type(want)):
                fail(f"graph data {name}: read {got!r}, json/graph.json has {want!r}")
    by_type = collections.Counter(expected.node_type.values())
    print(f"{reading.tool}: {len(nodes)} nodes, {len(edges)} edges "
          f"({len(by_type)} node types, {len(set(expected.edge_type.values()))} edge types); "
          f"values equal to json/graph.json: {dict(sorted(checked.items()))}; "
          f"absent values read as the README says: {dict(sorted(absent.items()))}"
          + (f"; blank strings read as absent: {blank}" if reading.blank_is_absent else ""))
    if failures:
        for f in failures[:40]:
            print("FAIL:", f)
        if len(failures) > 40:
            print(f"FAIL: ... {len(failures) - 40} more")
        raise SystemExit(1)
    return checked, absent
