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
KB4GRAPH=target/release/kb4graph
source examples/start-mock.sh
trap stop_mock EXIT

# Real limits would make a demo wait; the pacing itself is proven by the tests.
start_mock --profile "$profile" --seed 7 --rate-limit off
rm -rf "$out"
KNOWBE4_API_TOKEN=demo-token "$KB4GRAPH" fetch --base-url "$MOCK_URL" --pace off --out "$out"
echo "snapshot written to $out (see $out/manifest.json)"
