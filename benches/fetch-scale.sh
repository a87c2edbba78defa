#!/usr/bin/env bash
# Measures `kb4graph fetch` against the simulated API: requests, wall time and peak memory of
# the fetching process, per profile. The server runs in its own process, so its memory is not
# counted against the fetch.
#
#   bash benches/fetch-scale.sh [PROFILE...]            (default: small medium large)
#   PACE=real bash benches/fetch-scale.sh small         (server and client at the real limits)
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(small medium large)
pace=${PACE:-off}

cargo build --release --quiet
KB4GRAPH=$PWD/target/release/kb4graph
source examples/start-mock.sh
work=$(mktemp -d)
cleanup() { stop_mock; rm -rf "$work"; }
trap cleanup EXIT

printf '%-8s %-6s %10s %10s %12s %14s %10s\n' profile pace requests items wall_s "req/s" peak_rss_mb
for profile in "${profiles[@]}"; do
  start_mock --profile "$profile" --seed 7 --rate-limit "$pace"
  snap="$work/snap-$profile"
  start=$(date +%s.%N)
  KNOWBE4_API_TOKEN=bench-token /usr/bin/time -f '%M' -o "$work/rss" \
    "$KB4GRAPH" --quiet fetch --base-url "$MOCK_URL" --pace "$pace" --out "$snap"
  end=$(date +%s.%N)
  stop_mock
  python3 - "$snap/manifest.json" "$profile" "$pace" "$start" "$end" "$(cat "$work/rss")" <<'PY'
import json, sys
manifest, profile, pace, start, end, rss_kb = sys.argv[1:]
m = json.load(open(manifest))
t = m["totals"]
wall = float(end) - float(start)
print(f"{profile:<8} {pace:<6} {t['requests']:>10} {t['items']:>10} {wall:>12.2f} {t['requests']/wall:>14.1f} {int(rss_kb)/1024:>10.1f}")
PY
  rm -rf "$snap"
done
