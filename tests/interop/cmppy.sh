#!/usr/bin/env bash
# Interop with CMPP code we did not write: PyPI cmppy as a client system against Hongyan's own
# CMPP server (`hongyan serve --cmpp`). Prints `interop cmppy: N passed, M failed`.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c 'import cmppy' 2>/dev/null || python3 -m pip install --quiet cmppy
source tests/interop/lib.sh
BIN=$(hongyan_bin)
cmpp=$(free_port)
http=$(free_port)
data=$(mktemp -d)
start_server "$BIN" "$data" --http "127.0.0.1:$http" --cmpp "127.0.0.1:$cmpp" --sim-report-delay-ms 100
wait_port "$cmpp"
field() { json_field "$1"; }
account=$("$BIN" account create etax --signature 某省税务局 --json --data-dir "$data")
login=$("$BIN" account cmpp 1 --json --data-dir "$data")
if python3 tests/interop/cmppy_client.py 127.0.0.1 "$cmpp" "$(field login <<<"$login")" "$(field secret <<<"$login")" \
    "$http" "$(field key_id <<<"$account")" "$(field secret <<<"$account")"; then
    echo "interop cmppy: 1 passed, 0 failed"
else
    echo "interop cmppy: 0 passed, 1 failed"
    tail -30 "$data/server.log" >&2
    exit 1
fi
