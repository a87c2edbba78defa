#!/usr/bin/env bash
# How fast `kb4graph export` is at scale, every figure measured side by side in one run and
# printed as one table: a snapshot of the simulated account is fetched once, then normalize and
# each format's export (one format at a time, each deleted once measured, `--format all` last)
# under /usr/bin/time -v; validate and verify of the whole export beside `cat` of its files; dd
# writing as many bytes to the same disk; and Python peers (json.dumps, networkx, rdflib) writing
# the same graph. A RESULT footer says which of the export targets are met. Missed targets are
# reported, not failed on: only a command that fails (an export that does not verify) fails it.
#
#   bash benches/scale.sh [PROFILE]            PROFILE: small (default), medium or large
#   bash benches/scale.sh --work DIR medium    scratch space in DIR (default: $TMPDIR or /tmp)
#   PEERS=0 bash benches/scale.sh large        without the Python peers (too slow for large)
#   COMPRESS=gzip bash benches/scale.sh        exports written with --compress gzip
#                                              (also: --compress gzip)
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "scale.sh: $*" >&2; exit 2; }

profile=small
work_parent=${TMPDIR:-/tmp}
compress=${COMPRESS:-off}
peers=${PEERS:-1}
while [ $# -gt 0 ]; do
  case $1 in
    --work) [ $# -ge 2 ] || die "--work needs a directory"; work_parent=$2; shift 2 ;;
    --work=*) work_parent=${1#--work=}; shift ;;
    --compress) [ $# -ge 2 ] || die "--compress needs a value (gzip)"; compress=$2; shift 2 ;;
    --compress=*) compress=${1#--compress=}; shift ;;
    small | medium | large) profile=$1; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument '$1': give small, medium or large, --work DIR or --compress gzip" ;;
  esac
done
case $compress in
  off | none | '') compress=off; compress_args=() ;;
  gzip) compress_args=(--compress gzip) ;;
  *) die "--compress takes gzip (or off), not '$compress'" ;;
esac
case $peers in
  0 | 1) ;;
  *) die "PEERS is 1 (run the Python peers, the default) or 0 (skip them), not '$peers'" ;;
esac
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: install GNU time (Debian: apt-get install -y time)"
[ -d "$work_parent" ] || die "the work directory $work_parent does not exist"

# What a run needs on disk at most: the snapshot and the `--format all` export at once (measured
# with this script; large's export is 65 GB).
case $profile in
  small) need_gb=1 ;;
  medium) need_gb=4 ;;
  large) need_gb=75 ;;
esac
avail_kb=$(df -Pk "$work_parent" | awk 'NR == 2 { print $4 }')
if [ "$avail_kb" -lt $((need_gb * 1000 * 1000)) ]; then
  die "the $profile profile needs about $need_gb GB free in $work_parent (the snapshot and the \`--format all\` export at once), but only $((avail_kb / 1000 / 1000)) GB are free: free some space or give --work DIR on a larger disk"
fi

cargo build --release --locked --quiet
KB4GRAPH=$PWD/target/release/kb4graph
here=$PWD/benches

work=$(mktemp -d "$work_parent/kb4graph-scale.XXXXXX")
source examples/start-mock.sh
cleanup() { stop_mock; rm -rf "$work"; }
trap cleanup EXIT
results=$work/results.tsv
: >"$results"
# One line per measurement, read by scale.py: KIND NAME WALL_S STEP_S BYTES PEAK_RSS_KB NOTE
# (STEP_S: the step's own seconds, from kb4graph's log or the peer's clock).
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# measure NAME [--stdout FILE] COMMAND...: runs COMMAND under /usr/bin/time -v. Sets WALL
# (seconds, from a nanosecond clock: time's own is in hundredths) and RSS_KB; stderr is kept in
# $work/NAME.log. A failing command ends the run with its output.
measure() {
  local name=$1 stdout=$work/$1.out
  shift
  if [ "$1" = --stdout ]; then stdout=$2; shift 2; fi
  local start end
  start=$(date +%s%N)
  if ! /usr/bin/time -v -o "$work/$name.time" "$@" >"$stdout" 2>"$work/$name.log"; then
    echo "scale.sh: $name failed: $*" >&2
    tail -n 40 "$work/$name.log" >&2
    [ "$stdout" = /dev/null ] || tail -n 40 "$stdout" >&2
    grep -E 'Exit status|Command terminated' "$work/$name.time" >&2 || true
    exit 2
  fi
  end=$(date +%s%N)
  WALL=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.6f", ns / 1e9 }')
  RSS_KB=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$work/$name.time")
}

# The `seconds=` of the log line MESSAGE of an export (`normalized` or `exported`).
log_seconds() {
  sed -n "s/.* $2 .*seconds=\([0-9.eE+-]*\).*/\1/p" "$work/$1.log" | tail -n 1 | grep . ||
    die "no '$2 ... seconds=' line in the log of $1 ($work/$1.log)"
}
log_field() { sed -n "s/.* normalized.* $2=\([0-9]*\).*/\1/p" "$work/$1.log" | tail -n 1; }
# (%.0f: awk's %d stops at 2^31.)
bytes_of() { find "$@" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }'; }
# The one file of an export matching PATTERN (a compressed export adds a suffix).
export_file() {
  local found
  found=$(find "$1" -path "$1/$2*" -type f | sort | head -n 1)
  [ -n "$found" ] || die "no $2 in the export $1"
  echo "$found"
}

if [ "$peers" = 1 ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check networkx==3.6.1 rdflib==7.6.0
fi

start_mock --profile "$profile" --seed 7 --rate-limit off
KNOWBE4_API_TOKEN=bench-token "$KB4GRAPH" --quiet fetch --base-url "$MOCK_URL" --pace off \
  --out "$work/snap"
stop_mock
snap=$work/snap
record meta profile 0 0 0 0 "$profile (seed 7)"
raw_bytes=$(bytes_of "$snap/raw")
record meta snapshot 0 0 "$raw_bytes" 0 "$(find "$snap/raw" -type f | wc -l) pages"
record meta machine 0 0 0 0 "$(nproc) cores, $(df -PT "$work" | awk 'NR == 2 { print $2 }') on $(df -P "$work" | awk 'NR == 2 { print $1 }')"
record meta compress 0 0 0 0 "$compress"
# Other work on the machine slows every figure: the table shows the load it ran under.
record meta load-start 0 0 0 0 "$(cut -d ' ' -f 1-3 /proc/loadavg)"
record meta peers 0 0 0 0 "$peers"

# peer FORMAT EXPORT_DIR: the Python peer that writes what FORMAT holds, timed by itself.
peer() {
  local format=$1 dir=$2 file
  case $format in
    json) file=$(export_file "$dir" json/graph.json) ;;
    graphml) file=$(export_file "$dir" graphml/graph.graphml) ;;
    ntriples) file=$(export_file "$dir" rdf/graph.nt) ;;
    *) return 0 ;;
  esac
  measure "peer-$format" "$work/venv/bin/python" "$here/scale.py" peer "$format" "$file" \
    "$work/peer-out"
  read -r name seconds bytes <"$work/peer-$format.out"
  record peer "$format" "$WALL" "$seconds" "$bytes" "$RSS_KB" "$name"
  rm -f "$work/peer-out"
}

# export_one NAME FORMAT: exports FORMAT into $work/export-NAME and records it.
export_one() {
  local name=$1 format=$2 out=$work/export-$1
  measure "export-$name" "$KB4GRAPH" export --from "$snap" --format "$format" \
    ${compress_args[@]+"${compress_args[@]}"} --out "$out"
  record export "$name" "$WALL" "$(log_seconds "export-$name" exported)" "$(bytes_of "$out")" \
    "$RSS_KB" ""
  record normalize "$name" 0 "$(log_seconds "export-$name" normalized)" "$raw_bytes" 0 \
    "$(log_field "export-$name" entities) $(log_field "export-$name" relationships)"
}

for format in json neo4j graphml turtle ntriples nquads; do
  export_one "$format" "$format"
  if [ "$peers" = 1 ]; then peer "$format" "$work/export-$format"; fi
  rm -rf "$work/export-$format"
done

export_one all all
all=$work/export-all
mapfile -t files < <(find "$all" -type f | sort)
all_bytes=$(bytes_of "$all")
measure cat --stdout /dev/null cat "${files[@]}"
record read cat "$WALL" 0 "$all_bytes" "$RSS_KB" ""
measure validate "$KB4GRAPH" validate "$all"
record read validate "$WALL" 0 "$all_bytes" "$RSS_KB" ""
measure verify "$KB4GRAPH" verify "$all"
record read verify "$WALL" 0 "$all_bytes" "$RSS_KB" ""
rm -rf "$all"

mib=$(((all_bytes + 1048575) / 1048576))
measure dd dd if=/dev/zero of="$work/dd.bin" bs=1M count="$mib" conv=fdatasync status=none
record write dd "$WALL" 0 $((mib * 1048576)) "$RSS_KB" ""
rm -f "$work/dd.bin"

record meta load-end 0 0 0 0 "$(cut -d ' ' -f 1-3 /proc/loadavg)"
python3 "$here/scale.py" table "$results"
