#!/usr/bin/env bash
# Interop with SMPP code we did not write: python-smpplib as a client system against Hongyan's
# own SMPP server (`hongyan serve --smpp`), with the simulated carriers behind it. Runs the
# same long-message check as against the simulator (smpplib_client.py), then the server's own
# cases (smpplib_server_client.py). Prints `interop smpplib-server: N passed, M failed`.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c 'import smpplib' 2>/dev/null || python3 -m pip install --quiet smpplib
if [[ -n ${HONGYAN_BIN:-} ]]; then
    BIN=$HONGYAN_BIN
else
    cargo build --quiet -p hongyan --bin hongyan
    BIN=target/debug/hongyan
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
smpp=$(free_port)
http=$(free_port)
data=$(mktemp -d)
"$BIN" serve --data-dir "$data" --http "127.0.0.1:$http" --smpp "127.0.0.1:$smpp" --sim-report-delay-ms 100 \
    >"$data/server.log" 2>&1 &
pid=$!
cleanup() {
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$smpp") 2>/dev/null && break
    sleep 0.1
done
field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
"$BIN" account create etax --signature 某省税务局 --data-dir "$data" >/dev/null
"$BIN" account create slow --signature 某省税务局 --data-dir "$data" >/dev/null
"$BIN" account limits 2 --rate 1 --data-dir "$data" >/dev/null
login=$("$BIN" account smpp 1 --json --data-dir "$data")
slow=$("$BIN" account smpp 2 --json --data-dir "$data")
passed=0
failed=0
run() {
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
run python3 tests/interop/smpplib_client.py 127.0.0.1 "$smpp" "$(field login <<<"$login")" "$(field secret <<<"$login")"
run python3 tests/interop/smpplib_server_client.py 127.0.0.1 "$smpp" \
    "$(field login <<<"$login")" "$(field secret <<<"$login")" \
    "$(field login <<<"$slow")" "$(field secret <<<"$slow")"
echo "interop smpplib-server: $passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
    echo "server log:" >&2
    tail -50 "$data/server.log" >&2
    exit 1
fi
