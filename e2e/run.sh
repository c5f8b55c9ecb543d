#!/usr/bin/env bash
# Browser tests of the web console: starts `hongyan serve` on its embedded default (simulated
# carriers) in a fresh data folder, then drives Debian's Chromium with playwright-core through
# what a person at the bureau does. Screenshots of every page (in Chinese) go to
# target/e2e-screenshots/; the script prints where.
# Needs: /usr/bin/chromium (Debian `chromium`, with `fonts-noto-cjk`), and `npm ci` here.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/interop/lib.sh

bin=$(hongyan_bin)
port=$(free_port)
dir=$(mktemp -d)
shots="$PWD/target/e2e-screenshots"
rm -rf "$shots" && mkdir -p "$shots"
export HONGYAN_ADMIN_PASSWORD='Init1al-Adm1n!'
# The embedded default, except that no address range is exempt from a user's lock: the browser
# connects from loopback, which is exempt by default, and the lock test must see the lock.
printf '[console]\nlogin_trusted = []\n' >"$dir/e2e.toml"
start_server "$bin" "$dir" --config "$dir/e2e.toml" --http "127.0.0.1:$port" --sim-report-delay-ms 200
wait_port "$port" || { echo "hongyan did not listen on $port"; cat "$dir/server.log"; exit 1; }

# A bulk list written by a real spreadsheet library (PyPI openpyxl), not by us: a header with a
# value column, an invalid number and a repeated one.
python3 - "$dir/list.xlsx" <<'PY'
import sys
from openpyxl import Workbook
wb = Workbook()
ws = wb.active
ws.append(["手机号码", "name"])
for row in [["13800138001", "张三"], ["13900139002", "李四"], ["12345", "王五"], ["13800138001", "张三"], [18900189003, "赵六"]]:
    ws.append(row)
wb.save(sys.argv[1])
PY

status=0
HONGYAN_URL="http://127.0.0.1:$port" HONGYAN_SHOTS="$shots" HONGYAN_DATA="$dir" \
  node --test --test-reporter=spec e2e/console.test.mjs || status=$?
echo "console screenshots: $shots"
if [[ $status -ne 0 ]]; then
  echo "--- server log (last 40 lines)"; tail -40 "$dir/server.log"
fi
exit "$status"
