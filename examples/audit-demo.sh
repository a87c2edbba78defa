#!/usr/bin/env bash
# The audit cycle against the simulated account, as a daily job would run it: a snapshot on
# day 0, an incremental snapshot on day 1 (`--since` day 0), `verify`, `diff` and `archive`.
#
#   bash examples/audit-demo.sh [OUT_DIR] [PROFILE]     (defaults: out/audit small)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/audit}
profile=${2:-small}

cargo build --release --quiet
KB4GRAPH=target/release/kb4graph
source examples/start-mock.sh
trap stop_mock EXIT
rm -rf "$out"
mkdir -p "$out"
export KNOWBE4_API_TOKEN=demo-token

requests() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["requests"])' "$1/manifest.json"; }

start_mock --profile "$profile" --seed 7 --rate-limit off --day 0
"$KB4GRAPH" fetch --base-url "$MOCK_URL" --pace off -q --out "$out/day0"
stop_mock
echo "day 0: full snapshot in $out/day0 ($(requests "$out/day0") requests)"

start_mock --profile "$profile" --seed 7 --rate-limit off --day 1
"$KB4GRAPH" fetch --base-url "$MOCK_URL" --pace off -q --since "$out/day0" --out "$out/day1"
stop_mock
echo "day 1: incremental snapshot in $out/day1 ($(requests "$out/day1") requests)"

"$KB4GRAPH" verify -q "$out/day1"
echo "day 1 snapshot verified against its manifest"

set +e
"$KB4GRAPH" diff "$out/day0" "$out/day1" >"$out/changes.txt"
code=$?
set -e
if [ "$code" -ne 1 ]; then
  echo "diff should have found the simulated day's changes (exit 1), got exit $code" >&2
  exit 1
fi
echo "what changed from day 0 to day 1 ($out/changes.txt):"
sed -n '1,25p' "$out/changes.txt"

"$KB4GRAPH" archive -q "$out/day1" --out "$out/day1.tar.gz"
"$KB4GRAPH" verify -q "$out/day1.tar.gz"
echo "archived and verified: $out/day1.tar.gz"
