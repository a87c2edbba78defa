#!/usr/bin/env bash
# Fetches the simulated KnowBe4 account into a raw snapshot, the way a newcomer first tries
# kb4graph: build, start `serve-mock` on a free loopback port, `fetch` from it, stop the server.
#
#   bash examples/fetch-demo.sh [SNAPSHOT_DIR] [PROFILE]     (defaults: out/snapshot small)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/snapshot}
profile=${2:-small}

cargo build --release --quiet
bin=target/release/kb4graph
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Real limits would make a demo wait; the pacing itself is proven by the tests.
"$bin" serve-mock --profile "$profile" --seed 7 --rate-limit off >"$work/serve.out" &
server_pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on //p' "$work/serve.out" | head -n1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "serve-mock did not start" >&2; exit 2; }

rm -rf "$out"
KNOWBE4_API_TOKEN=demo-token "$bin" fetch --base-url "$url" --pace off --out "$out"
echo "snapshot written to $out (see $out/manifest.json)"
