#!/usr/bin/env bash
# Runs the browser journeys against a fresh demo server.
#   tests/browser/run.sh [SCREENSHOT_DIR]        (default: /tmp/tongban-shots)
# Needs: target/debug/tongban built, /usr/bin/chromium, node, and `npm ci` done in tests/browser.
# For readable screenshots install a CJK font (Debian: apt-get install fonts-noto-cjk).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shots="${1:-/tmp/tongban-shots}"
port="${TONGBAN_BROWSER_PORT:-8099}"
data="$(mktemp -d /tmp/tongban-browser-data.XXXXXX)"
log="$data.log"

[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund)

"$root/target/debug/tongban" serve --demo --data "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "server exited; log:"; cat "$log"; exit 1; }
  sleep 0.2
done

status=0
node "$here/journeys.mjs" "http://127.0.0.1:$port" "$shots" || status=$?
if grep -q 'missing message' "$log"; then
  echo "server log: missing messages:"; grep 'missing message' "$log" | sed 's/^/  /'
fi
rm -f "$log"
exit $status
