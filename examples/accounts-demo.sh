#!/usr/bin/env bash
# Two KnowBe4 accounts in one run, as the README's "Several accounts" shows: two simulated
# accounts on their own loopback ports (the second sharing some of the first's people, and
# accepting only its own token), an accounts file naming where each token is, then
# `run --config`: both fetched at once into OUT/snapshot/<name>/ and exported as one graph.
#
#   bash examples/accounts-demo.sh [OUT_DIR]     (default: out-accounts)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out-accounts}

cargo build --release --quiet
KB4GRAPH=target/release/kb4graph
source examples/start-mock.sh
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# Real limits would make a demo wait; the pacing itself is proven by the tests.
start_mock --seed 1 --rate-limit off
pids+=("$MOCK_PID")
headquarters=$MOCK_URL
start_mock --seed 2 --share-people-with 1 --token subsidiary-demo-token --rate-limit off
pids+=("$MOCK_PID")
subsidiary=$MOCK_URL

conf=$(mktemp -d)
chmod 700 "$conf"
# Tokens live in owner-only files or in the environment, never in the accounts file.
(umask 077 && printf 'subsidiary-demo-token\n' >"$conf/subsidiary.token")
cat >"$conf/accounts.toml" <<TOML
[[account]]
name = "headquarters"
base_url = "$headquarters"
token_env = "KB4_HQ_TOKEN"
# Each of its groups' risk score history too (one request per group).
risk_history = "groups"

[[account]]
name = "subsidiary"
base_url = "$subsidiary"
token_file = "subsidiary.token"
TOML

rm -rf "$out"
KB4_HQ_TOKEN=headquarters-demo-token "$KB4GRAPH" run --config "$conf/accounts.toml" --pace off --out "$out"
"$KB4GRAPH" verify "$out/snapshot"
echo "two accounts in one graph: $out (their snapshots in $out/snapshot/)"
