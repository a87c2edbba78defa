#!/usr/bin/env bash
# Output stays byte-identical: fetches the simulated account (the demo's `small`, and `medium`
# for two seeds) with the release binary, freezes the snapshot manifest's volatile facts (times,
# request ids, the server's port), exports every format and compares the SHA-256 of every file
# with those recorded in tests/fixtures/output-hashes.txt. A change that alters output on
# purpose records them again with --record, and the diff of that file shows what moved.
#   output-hashes.sh KB4GRAPH_BINARY [--record]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KB4GRAPH=$1
record=${2:-}
recorded="$here/../tests/fixtures/output-hashes.txt"
work=$(mktemp -d)
trap 'stop_mock; rm -rf "$work"' EXIT
source "$here/../examples/start-mock.sh"

freeze() {
  python3 - "$1/manifest.json" <<'PY'
import json, sys
path = sys.argv[1]
def frozen(value, key=None):
    if isinstance(value, dict):
        return {k: frozen(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [frozen(v) for v in value]
    if isinstance(value, str) and key is not None:
        if key.endswith("_at") or key in ("first", "last", "first_request", "last_request"):
            return "2026-01-01T00:00:00.000Z"
        if key == "request_id":
            return "frozen"
        if key == "base_url":
            return "http://127.0.0.1:1"
    return value
manifest = frozen(json.load(open(path)))
with open(path, "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
    f.write("\n")
PY
}

: >"$work/hashes.txt"
for run in small:7 medium:7 medium:11; do
  profile=${run%%:*} seed=${run#*:}
  echo "-- $profile, seed $seed"
  start_mock --profile "$profile" --seed "$seed" --rate-limit off
  KNOWBE4_API_TOKEN=output-hashes "$KB4GRAPH" -q fetch --base-url "$MOCK_URL" --pace off --out "$work/$run/snapshot"
  stop_mock
  freeze "$work/$run/snapshot"
  # The data warnings of the simulated account are not what this checks.
  "$KB4GRAPH" -q export --from "$work/$run/snapshot" --out "$work/$run/export" 2>>"$work/export.log"
  # Everything but the export manifest, whose creation time and tool version vary by design.
  (cd "$work/$run" && find snapshot/raw export -type f ! -path export/manifest.json -print0 \
    | sort -z | xargs -0 sha256sum | sed "s|^|$run |") >>"$work/hashes.txt"
done

if [[ $record == --record ]]; then
  cp "$work/hashes.txt" "$recorded"
  echo "recorded $(wc -l <"$recorded") hashes in $recorded"
elif diff -u "$recorded" "$work/hashes.txt" >"$work/diff.txt"; then
  echo "$(wc -l <"$recorded") files byte-identical to those recorded"
else
  echo "FAIL: output differs from tests/fixtures/output-hashes.txt:" >&2
  head -40 "$work/diff.txt" >&2
  exit 1
fi
