#!/usr/bin/env bash
# The HTML report of the demo run in a real browser: Debian's Chromium, driven by Playwright
# (playwright-core from npm, pinned), as .ci/conformance/report/check.js describes. The report
# is written from the demo's snapshot, and its figures are compared with the demo export's
# json/graph.json. Screenshots and a printed PDF are left in SHOTS_DIR (default: a temporary
# directory, printed) for a person to look at.
#   conformance-report.sh DEMO_OUT_DIR KB4GRAPH_BINARY [SHOTS_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$1" && pwd)
kb4graph=$2
shots=${3:-$(mktemp -d)/report-screenshots}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "-- report: install Debian's chromium and playwright-core (npm ci)"
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
(cd "$here/conformance/report" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
/usr/bin/chromium --version

echo "-- report: kb4graph report of the demo snapshot, opened in Chromium"
"$kb4graph" report "$out/snapshot" --out "$work/report.html"
node "$here/conformance/report/check.js" "$work/report.html" "$out" "$shots"
