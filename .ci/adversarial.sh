#!/usr/bin/env bash
# The adversarial suite: damages a fresh snapshot, export and archive in each of the ways an
# attacker, a full disk or a misbehaving server would, and checks that kb4graph refuses each
# with the right exit code and a message naming what is wrong. Nothing damaged may pass as a
# complete graph.
#   adversarial.sh KB4GRAPH_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KB4GRAPH=$1
work=$(mktemp -d)
trap 'stop_mock; rm -rf "$work"' EXIT
source "$here/../examples/start-mock.sh"
cases=0
failures=0

# expect CASE EXIT_CODE NEEDLE -- COMMAND...: runs COMMAND (bounded to 120 s, so a reader
# that blocks fails instead of hanging CI) and checks its exit code and that its output holds
# NEEDLE.
expect() {
  local name=$1 want=$2 needle=$3
  shift 4
  local got=0
  timeout --signal=KILL 120 "$@" >"$work/out.txt" 2>&1 || got=$?
  cases=$((cases + 1))
  if [[ $got != "$want" ]] || { [[ -n $needle ]] && ! grep -qF -- "$needle" "$work/out.txt"; }; then
    failures=$((failures + 1))
    echo "FAIL: $name: exit $got (expected $want), output must hold '$needle':"
    sed 's/^/    /' "$work/out.txt" | head -20
  else
    echo "ok: $name (exit $got)"
  fi
}

echo "-- a fresh export of the simulated account"
good=$work/good
"$KB4GRAPH" -q run --demo --out "$good" 2>"$work/demo.log"
page=raw/users/active/page-0001.json

fresh_snapshot() {
  rm -rf "$work/snap"
  cp -a "$good/snapshot" "$work/snap"
  echo "$work/snap"
}

damage() {
  local snap=$1 kind=$2 file=$1/$page
  case $kind in
    truncated) truncate -s 100 "$file" ;;
    empty-object) printf '{}' >"$file" ;;
    null) printf 'null' >"$file" ;;
    invalid-utf8) printf '[{"first_name":"\xff\xfe"}]' >"$file" ;;
    number-out-of-range) printf '[{"id":1e400}]' >"$file" ;;
    missing) rm "$file" ;;
    directory) rm "$file" && mkdir "$file" ;;
    link-to-passwd) rm "$file" && ln -s /etc/passwd "$file" ;;
    link-to-dev-zero) rm "$file" && ln -s /dev/zero "$file" ;;
    fifo) rm "$file" && mkfifo "$file" ;;
    link-out-of-snapshot) mv "$file" "$work/outside.json" && ln -s "$work/outside.json" "$file" ;;
  esac
}

echo "-- A and C: a damaged page, a special file or a link in the snapshot"
for kind in truncated empty-object null invalid-utf8 number-out-of-range missing directory \
  link-to-passwd link-to-dev-zero fifo link-out-of-snapshot; do
  snap=$(fresh_snapshot)
  damage "$snap" "$kind"
  rm -rf "$work/export"
  expect "export of a snapshot with a page $kind" 2 "$page" -- \
    "$KB4GRAPH" -q export --from "$snap" --out "$work/export"
  [[ ! -e $work/export/manifest.json ]] || { failures=$((failures + 1)); echo "FAIL: $kind: an export was written"; }
  expect "diff against a snapshot with a page $kind" 2 "is damaged" -- \
    "$KB4GRAPH" -q diff "$good/snapshot" "$snap"
  expect "verify of a snapshot with a page $kind" 1 "$page" -- \
    "$KB4GRAPH" -q verify "$snap"
done

echo "-- A: --allow-damaged goes on and the export says what it lacks"
snap=$(fresh_snapshot)
damage "$snap" truncated
rm -rf "$work/export"
expect "export --allow-damaged" 0 "left out of the graph" -- \
  "$KB4GRAPH" export --allow-damaged --format json --from "$snap" --out "$work/export"
python3 - "$work/export" "$page" <<'PY'
import json, sys
m = json.load(open(f"{sys.argv[1]}/manifest.json"))
pages = [p["file"] for p in m["snapshot"].get("damagedPages", [])]
assert pages == [sys.argv[2]], f"the manifest lists {pages}"
print("ok: the export's manifest lists the page left out")
PY
expect "diff --allow-damaged names the damaged side" 1 "is damaged" -- \
  "$KB4GRAPH" -q diff --allow-damaged "$good/snapshot" "$snap"
expect "verify of an export built with --allow-damaged" 1 "built from a damaged snapshot" -- \
  "$KB4GRAPH" -q verify "$work/export"

echo "-- B: an export whose manifest lies about its graph"
for forge in digest counts format-digest; do
  rm -rf "$work/forged" && cp -a "$good" "$work/forged"
  python3 - "$work/forged/manifest.json" "$forge" <<'PY'
import json, sys
path, forge = sys.argv[1], sys.argv[2]
m = json.load(open(path))
if forge == "digest":
    m["graph"]["sha256"] = "0" * 64
elif forge == "counts":
    m["graph"]["entities"] = 1
else:
    m["format_digests"]["ntriples"] = "0" * 64
json.dump(m, open(path, "w"), indent=2)
PY
  expect "verify of an export with a forged $forge" 1 "manifest.json" -- \
    "$KB4GRAPH" -q verify "$work/forged"
done

echo "-- D: an archive whose entry is far larger than its manifest says"
"$KB4GRAPH" -q archive "$good" --out "$work/good.tar.gz" >/dev/null
python3 - "$work/good.tar.gz" "$work/bomb.tar.gz" <<'PY'
import gzip, io, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
class Zeros(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, b):
        b[:] = bytes(len(b))
        return len(b)
with tarfile.open(src, "r:gz") as tin, gzip.open(dst, "wb", compresslevel=1) as gz, \
        tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tout:
    for info in tin.getmembers():
        if info.name.endswith("/json/graph.json"):
            info.size = 1 << 30  # 1 GiB of zeros where the manifest lists some KiB
            tout.addfile(info, io.BufferedReader(Zeros()))
        else:
            tout.addfile(info, tin.extractfile(info) if info.isfile() else None)
PY
mkdir -p "$work/tmp"
expect "verify of the archive, writing nothing" 1 "json/graph.json" -- \
  env TMPDIR="$work/tmp" "$KB4GRAPH" -q verify "$work/bomb.tar.gz"
expect "diff of the archive, writing nothing" 2 "json/graph.json" -- \
  env TMPDIR="$work/tmp" "$KB4GRAPH" -q diff "$work/good.tar.gz" "$work/bomb.tar.gz"
written=$(du -sk "$work/tmp" | cut -f1)
cases=$((cases + 1))
if ((written > 1024)); then
  failures=$((failures + 1)); echo "FAIL: $written KiB written into TMPDIR"
else
  echo "ok: $written KiB written into TMPDIR"
fi

echo "-- C: a FIFO or a link in place of an export's file"
for kind in fifo link-to-passwd; do
  rm -rf "$work/bad-export" && cp -a "$good" "$work/bad-export"
  rm "$work/bad-export/json/graph.json"
  case $kind in
    fifo) mkfifo "$work/bad-export/json/graph.json" ;;
    link-to-passwd) ln -s /etc/passwd "$work/bad-export/json/graph.json" ;;
  esac
  expect "validate of an export whose graph.json is a $kind" 2 "graph.json" -- \
    "$KB4GRAPH" -q validate "$work/bad-export"
  expect "diff against an export whose graph.json is a $kind" 2 "graph.json" -- \
    "$KB4GRAPH" -q diff "$good" "$work/bad-export"
  expect "verify of an export whose graph.json is a $kind" 1 "graph.json" -- \
    "$KB4GRAPH" -q verify "$work/bad-export"
done

echo "-- output inside its own input"
snap=$(fresh_snapshot)
expect "export --out inside the snapshot" 2 "is inside the snapshot" -- \
  "$KB4GRAPH" -q export --from "$snap" --out "$snap/export"
expect "the snapshot is still intact" 0 "" -- "$KB4GRAPH" -q verify "$snap"

echo "-- G: what a killed export left behind"
snap=$(fresh_snapshot)
rm -rf "$work/export" && mkdir -p "$work/export"
# A staging directory named for a process that has ended.
sleep 0 & dead=$!
wait "$dead"
mkdir "$work/export/.kb4graph-staging-$dead.1-abcdef"
head -c 1000000 /dev/zero >"$work/export/.kb4graph-staging-$dead.1-abcdef/graph.json"
expect "export over a dead export's staging directory" 0 "what an export killed before it finished" -- \
  "$KB4GRAPH" export --format json --from "$snap" --out "$work/export"
expect "verify of that export" 0 "" -- "$KB4GRAPH" -q verify "$work/export"

echo "-- F: a server that echoes the token in its response headers"
token="kb4graph-adversarial-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_mock --seed 7 --rate-limit off --faults echo
rm -rf "$work/echo"
KNOWBE4_API_TOKEN=$token timeout 300 "$KB4GRAPH" -vv fetch --base-url "$MOCK_URL" --pace off \
  --out "$work/echo" >"$work/echo.log" 2>&1 || true
stop_mock
cases=$((cases + 1))
if grep -rqF -- "$token" "$work/echo" "$work/echo.log"; then
  failures=$((failures + 1))
  echo "FAIL: the token reached a file or the log:"
  grep -rlF -- "$token" "$work/echo" "$work/echo.log" | sed 's/^/    /'
else
  echo "ok: the token reached no file of the snapshot and no log line"
fi

echo "$cases cases, $failures failed"
((failures == 0))
