#!/usr/bin/env bash
# Incremental fetch and the audit commands on a simulated account a day apart:
#   requests of a full fetch vs `fetch --since` after one simulated day (by collection kind),
#   then wall time and peak memory of verify, diff and archive on the day-1 snapshot.
#
#   bash benches/audit-scale.sh [PROFILE] [WORK_DIR]      (defaults: medium, a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-medium}
work=${2:-$(mktemp -d)}
cargo build --release --quiet
KB4GRAPH=$PWD/target/release/kb4graph
source examples/start-mock.sh
trap stop_mock EXIT
export KNOWBE4_API_TOKEN=bench-token
rm -rf "$work/day0" "$work/day1-full" "$work/day1-since" "$work"/*.tar.gz
mkdir -p "$work"

fetch_at() { # DAY OUT [--since DIR]
  local day=$1 out=$2
  shift 2
  start_mock --profile "$profile" --seed 7 --rate-limit off --day "$day"
  "$KB4GRAPH" fetch --base-url "$MOCK_URL" --pace off -q --out "$out" "$@"
  stop_mock
}

fetch_at 0 "$work/day0"
fetch_at 1 "$work/day1-full"
fetch_at 1 "$work/day1-since" --since "$work/day0"

python3 - "$work/day1-full" "$work/day1-since" <<'PY'
import json, re, sys
def kinds(dir):
    m = json.load(open(f"{dir}/manifest.json"))
    out = {}
    for c in m["collections"]:
        kind = re.sub(r"/\d+/", "/<id>/", c["id"])
        kind = kind if "<id>" in kind else "top-level listings"
        fetched = sum(1 for p in c["pages"] if not p.get("reused_from"))
        reused = len(c["pages"]) - fetched
        f, r = out.get(kind, (0, 0))
        out[kind] = (f + fetched, r + reused)
    return m["totals"]["requests"], out
full, fk = kinds(sys.argv[1])
inc, ik = kinds(sys.argv[2])
print(f"{'collections':<44} {'full: fetched':>14} {'incremental: fetched':>21} {'reused':>7}")
for kind in sorted(fk):
    print(f"{kind:<44} {fk[kind][0]:>14} {ik.get(kind, (0, 0))[0]:>21} {ik.get(kind, (0, 0))[1]:>7}")
print(f"{'requests':<44} {full:>14} {inc:>21}   ({100 * inc / full:.1f}% of the full fetch)")
PY

timed() { # LABEL COMMAND...
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s, peak RSS %M KB" "$@" >/dev/null 2>"$work/time.txt" || true
  tail -n 1 "$work/time.txt"
}
timed "verify day-1 snapshot" "$KB4GRAPH" verify -q "$work/day1-since"
timed "diff day 0 -> day 1 (snapshots)" "$KB4GRAPH" diff "$work/day0" "$work/day1-since" --format json
timed "archive day-1 snapshot" "$KB4GRAPH" archive -q "$work/day1-since" --out "$work/day1.tar.gz"
timed "verify the archive" "$KB4GRAPH" verify -q "$work/day1.tar.gz"
ls -l "$work/day1.tar.gz" | awk '{print "archive size: " $5 " bytes"}'
