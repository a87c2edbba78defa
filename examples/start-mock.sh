# Sourced by the example and benchmark scripts: `start_mock ARGS...` starts
# `kb4graph serve-mock ARGS...` in the background on a free loopback port, waits for its
# "listening on URL" line and sets MOCK_URL and MOCK_PID; `stop_mock` stops it.

start_mock() {
  local out
  out=$(mktemp)
  "$KB4GRAPH" serve-mock "$@" >"$out" &
  MOCK_PID=$!
  MOCK_URL=
  for _ in $(seq 200); do
    MOCK_URL=$(sed -n 's/^listening on //p' "$out" | head -n1)
    [ -n "$MOCK_URL" ] && break
    sleep 0.1
  done
  rm -f "$out"
  [ -n "$MOCK_URL" ] || { echo "serve-mock did not start" >&2; return 2; }
}

stop_mock() {
  if [ -n "${MOCK_PID:-}" ]; then
    kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
    MOCK_PID=
  fi
  return 0
}
