#!/usr/bin/env bash
# What `fetch --risk-history users,groups` costs, side by side in one run: the simulated account
# fetched without and with the histories of its users and groups (unpaced, so the figures are the
# tool's own), then each snapshot exported in every format under /usr/bin/time. Prints requests,
# fetch and export seconds, the export's peak memory and size, and the risk score points, and
# the ratios of the second row to the first.
#
#   bash benches/risk-history-scale.sh [PROFILE]     PROFILE: small (default), medium or large
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-small}
cargo build --release --quiet
KB4GRAPH=$PWD/target/release/kb4graph
source examples/start-mock.sh
work=$(mktemp -d)
trap 'stop_mock; rm -rf "$work"' EXIT
start_mock --profile "$profile" --seed 7 --rate-limit off
export KNOWBE4_API_TOKEN=risk-history-scale-token

printf '%-14s %9s %9s %10s %12s %10s %12s\n' histories requests fetch_s export_s export_peak_MB export_MB risk_points
for mode in none users,groups; do
  snap="$work/snapshot-$mode" exp="$work/export-$mode"
  start=$(date +%s.%N)
  "$KB4GRAPH" -q fetch --base-url "$MOCK_URL" --pace off --risk-history "$mode" --out "$snap"
  fetched=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
  /usr/bin/time -f '%e %M' -o "$work/time" "$KB4GRAPH" -q export --from "$snap" --out "$exp" 2>/dev/null
  read -r secs kb <"$work/time"
  python3 - "$snap" "$exp" "$mode" "$fetched" "$secs" "$kb" "$(du -sm "$exp" | cut -f1)" <<'PY' | tee -a "$work/rows"
import json, sys
snap, exp, mode, fetched, secs, kb, mb = sys.argv[1:]
requests = json.load(open(f"{snap}/manifest.json"))["totals"]["requests"]
points = json.load(open(f"{exp}/json/graph.json"))["metadata"]["counts"]["entities"]["knowbe4_risk_score"]
print(f"{mode:<14} {requests:>9} {fetched:>9} {secs:>10} {int(kb) // 1024:>12} {mb:>10} {points:>12}")
PY
  rm -rf "$exp"
done
python3 - "$work/rows" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
(a, b) = rows
names = ["requests", "fetch", "export", "export peak memory", "export size"]
print("with histories / without: " + ", ".join(
    f"{n} {float(y) / float(x):.1f}x" for n, x, y in zip(names, a[1:6], b[1:6])))
PY
