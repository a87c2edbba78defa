"""The two halves of benches/scale.sh written in Python.

    scale.py peer FORMAT FILE OUT   time the Python peer of FORMAT (json, graphml, ntriples) writing
                                    the graph FILE holds; prints "NAME SECONDS BYTES"
    scale.py table RESULTS          print the table and the RESULT footer of a run's measurements

The peers time only the writing (json.dumps, networkx.write_graphml, rdflib's serialize), not
the reading that builds their in-memory graph: what they do is what kb4graph's export step does.
"""

import gzip
import os
import statistics
import sys
import time

MB = 1e6


def open_text(path):
    return gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")


def peer(format, path, out):
    if format == "json":
        import json

        with open_text(path) as f:
            doc = json.load(f)
        start = time.perf_counter()
        text = json.dumps(doc)
        seconds = time.perf_counter() - start
        name = f"json.dumps(Python-{sys.version.split()[0]})"
        size = len(text.encode("utf-8"))
    elif format == "graphml":
        import networkx

        with open_text(path) as f:
            graph = networkx.read_graphml(f)
        start = time.perf_counter()
        networkx.write_graphml(graph, out)
        seconds = time.perf_counter() - start
        name = f"networkx-{networkx.__version__}.write_graphml"
        size = os.path.getsize(out)
    elif format == "ntriples":
        import rdflib

        graph = rdflib.Graph()
        with open_text(path) as f:
            graph.parse(f, format="nt")
        start = time.perf_counter()
        graph.serialize(destination=out, format="nt", encoding="utf-8")
        seconds = time.perf_counter() - start
        name = f"rdflib-{rdflib.__version__}.serialize(nt)"
        size = os.path.getsize(out)
    else:
        sys.exit(f"scale.py: no peer for the format {format}")
    print(name, f"{seconds:.6f}", size)


class Row:
    def __init__(self, kind, name, wall, step, size, rss_kb, note):
        self.kind, self.name, self.note = kind, name, note
        self.wall, self.step = float(wall), float(step)
        self.size, self.rss = int(size), int(rss_kb) * 1024


def read_results(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            rows.append(Row(*line.rstrip("\n").split("\t")))
    return rows


def num(n):
    return f"{n:,}"


def times(r):
    return f"{r:.2f}x" if r < 10 else f"{r:,.1f}x"


def secs(s):
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def table(path):
    rows = read_results(path)
    meta = {r.name: r for r in rows if r.kind == "meta"}
    of = lambda kind: [r for r in rows if r.kind == kind]
    exports = {r.name: r for r in of("export")}
    peers = {r.name: r for r in of("peer")}
    reads = {r.name: r for r in of("read")}
    dd = next(r for r in of("write") if r.name == "dd")
    normalize = of("normalize")
    counts = {r.note for r in normalize}
    if len(counts) != 1:
        sys.exit(f"scale.py: the exports disagree on the graph's size: {sorted(counts)}")
    entities, relationships = (int(n) for n in counts.pop().split())
    objects = entities + relationships
    raw = meta["snapshot"].size
    normalize_s = statistics.median(r.step for r in normalize)
    peers_run = meta["peers"].note == "1"

    print(
        f"kb4graph export at scale: profile {meta['profile'].note}; "
        f"{meta['snapshot'].note}, {num(raw)} bytes of raw pages; "
        f"graph: {num(entities)} entities + {num(relationships)} relationships = {num(objects)} objects"
    )
    print(
        f"{meta['machine'].note}; compress {meta['compress'].note}; MB = 10^6 bytes; "
        "step s: an export's own `exported ... seconds=` (graph -> files, hashes, manifest), "
        "a peer's write alone; ns/object: step s (else wall) per entity or relationship"
    )
    print(
        f"load average (1, 5, 15 min) at the start {meta['load-start'].note}, at the end {meta['load-end'].note}: "
        "above the number of cores, other work shared the machine and every time is longer"
    )
    if not peers_run:
        print("Python peers: SKIPPED (PEERS=0): json.dumps, networkx and rdflib were not run")
    print()

    header = ["measured", "wall s", "step s", "bytes", "MB/s", "peak RSS MB", "ns/object",
              "peak RSS B/object", "compared"]
    out = [header, ["---"] * len(header)]

    def line(name, wall, step, size, rate, rss, compared="", per_object=True):
        cost = step if step is not None else wall
        out.append([
            name,
            "" if wall is None else secs(wall),
            "" if step is None else secs(step),
            "" if size is None else num(size),
            "" if rate is None else f"{rate:,.0f}",
            "" if rss is None else f"{rss / MB:,.0f}",
            f"{cost * 1e9 / objects:,.0f}" if per_object else "",
            f"{rss / objects:,.0f}" if per_object and rss is not None else "",
            compared,
        ])

    out.append(None)
    line(f"normalize (median of {len(normalize)} exports; bytes: raw pages)", None, normalize_s, raw,
         raw / normalize_s / MB, None)
    peer_of = {"json": "json", "graphml": "graphml", "ntriples": "ntriples"}
    ratios = {}
    for name in ["json", "neo4j", "graphml", "turtle", "ntriples", "nquads", "all"]:
        e = exports[name]
        compared = ""
        if name in peer_of:
            p = peers.get(name)
            if p is not None:
                ratios[name] = p.step / e.step
                compared = f"{times(ratios[name])} as fast as {p.note}"
            elif not peers_run:
                compared = "peer SKIPPED (PEERS=0)"
        if name == "all":
            ratios["dd"] = e.step / dd.wall
            compared = f"{times(e.step / dd.wall)} dd's time (wall: {times(e.wall / dd.wall)})"
        line(f"export --format {name}", e.wall, e.step, e.size, e.size / e.step / MB, e.rss, compared)
        p = peers.get(name)
        if p is not None:
            line(f"  peer: {p.note} (wall: load + write)", p.wall, p.step, p.size, p.size / p.step / MB, p.rss)
    for name in ["cat", "validate", "verify"]:
        r = reads[name]
        compared = "" if name == "cat" else f"{times(r.wall / reads['cat'].wall)} cat's time"
        label = {"cat": "cat of the `all` export > /dev/null", "validate": "validate of the `all` export",
                 "verify": "verify of the `all` export"}[name]
        line(label, r.wall, None, r.size, r.size / r.wall / MB, r.rss, compared, per_object=name != "cat")
    line("dd as many bytes to the same disk (fdatasync)", dd.wall, None, dd.size, dd.size / dd.wall / MB, dd.rss,
         per_object=False)

    widths = [max(len(r[i]) for r in out if r is not None) for i in range(len(header))]
    for r in out:
        if r is None:
            continue
        cells = [c.ljust(w) if i in (0, len(header) - 1) else c.rjust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        if r[0] == "---":
            cells = ["-" * w for w in widths]
        print("| " + " | ".join(cells) + " |")

    # The targets of fast exports: (what, measured, shown, met), None measured when skipped.
    rate = lambda name: exports[name].size / exports[name].step / MB
    kb4graph_rss = max([e.rss for e in exports.values()] + [reads["validate"].rss, reads["verify"].rss])
    ratio = lambda key: None if key not in ratios else (ratios[key], times(ratios[key]))
    targets = [
        ("json export >= 5x json.dumps", ratio("json"), lambda v: v >= 5),
        ("json export > 500 MB/s", (rate("json"), f"{rate('json'):,.0f} MB/s"), lambda v: v > 500),
        ("neo4j export > 400 MB/s", (rate("neo4j"), f"{rate('neo4j'):,.0f} MB/s"), lambda v: v > 400),
        ("graphml export > 400 MB/s", (rate("graphml"), f"{rate('graphml'):,.0f} MB/s"), lambda v: v > 400),
        ("graphml export >= 50x networkx", ratio("graphml"), lambda v: v >= 50),
        ("ntriples export >= 50x rdflib", ratio("ntriples"), lambda v: v >= 50),
        ("normalize >= 400 MB/s of raw pages", (raw / normalize_s / MB, f"{raw / normalize_s / MB:,.0f} MB/s"),
         lambda v: v >= 400),
        ("export all <= 1.5x dd", ratio("dd"), lambda v: v <= 1.5),
        ("validate <= 1.5x cat", (reads["validate"].wall / reads["cat"].wall,
                                  times(reads["validate"].wall / reads["cat"].wall)), lambda v: v <= 1.5),
        ("verify <= 1.5x cat", (reads["verify"].wall / reads["cat"].wall,
                                times(reads["verify"].wall / reads["cat"].wall)), lambda v: v <= 1.5),
        ("peak RSS <= 1 GB", (kb4graph_rss, f"{kb4graph_rss / MB:,.0f} MB"), lambda v: v <= 1e9),
    ]
    print()
    print(f"RESULT (profile {meta['profile'].note}; a measurement: missed targets do not fail the run)")
    tally = {"met": 0, "MISSED": 0, "skipped": 0}
    width = max(len(t[0]) for t in targets)
    for what, measured, ok in targets:
        if measured is None and not peers_run:
            verdict, shown = "skipped", "Python peers not run (PEERS=0)"
        elif measured is None:
            sys.exit(f"scale.py: {what}: the peer's figure is missing from {path}")
        else:
            verdict, shown = ("met" if ok(measured[0]) else "MISSED"), measured[1]
        tally[verdict] += 1
        print(f"  {verdict:<7}  {what:<{width}}  {shown}")
    print(f"  {tally['met']} of {len(targets)} targets met, {tally['MISSED']} missed, {tally['skipped']} skipped")


def main(argv):
    if len(argv) == 5 and argv[1] == "peer":
        peer(*argv[2:])
    elif len(argv) == 3 and argv[1] == "table":
        table(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
