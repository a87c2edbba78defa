#!/usr/bin/env bash
# Measures `kb4graph export` per profile: a snapshot is fetched once from the simulated API,
# then exported under /usr/bin/time. Reports entities and relationships per type, the JSON
# size, normalize and export time (from the tool's own log) and the export's peak RSS.
#
#   bash benches/export-scale.sh [PROFILE...]      (default: medium large)
#   FORMAT=json bash benches/export-scale.sh medium
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(medium large)
format=${FORMAT:-all}

cargo build --release --quiet
KB4GRAPH=$PWD/target/release/kb4graph
source examples/start-mock.sh
work=$(mktemp -d)
cleanup() { stop_mock; rm -rf "$work"; }
trap cleanup EXIT

for profile in "${profiles[@]}"; do
  start_mock --profile "$profile" --seed 7 --rate-limit off
  KNOWBE4_API_TOKEN=bench-token "$KB4GRAPH" --quiet fetch --base-url "$MOCK_URL" --pace off --out "$work/snap"
  stop_mock
  /usr/bin/time -v -o "$work/time" "$KB4GRAPH" export --from "$work/snap" --format "$format" \
    --out "$work/export" 2>"$work/log" || { cat "$work/log" "$work/time" >&2; exit 2; }
  echo "== $profile (format $format)"
  sed -n '/^entities:/,/^files written/p' "$work/log" | sed '$d'
  grep -E ' (normalized|exported) ' "$work/log" | sed -E 's/^[^ ]+ +INFO //'
  (cd "$work/export" && find . -type f ! -name manifest.json ! -name SHA256SUMS -printf '%p %s bytes\n' | sort)
  grep -E 'Elapsed \(wall|Maximum resident' "$work/time" | sed 's/^\t//'
  rm -rf "$work/snap" "$work/export"
done
