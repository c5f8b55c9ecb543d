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
source tests/interop/lib.sh
BIN=$(hongyan_bin)
smpp=$(free_port)
http=$(free_port)
data=$(mktemp -d)
start_server "$BIN" "$data" --http "127.0.0.1:$http" --smpp "127.0.0.1:$smpp" --sim-report-delay-ms 100
wait_port "$smpp"
field() { json_field "$1"; }
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

# The same server over TLS: a second instance with [tls] and a certificate for 127.0.0.1.
tls_data=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$tls_data/key.pem" -out "$tls_data/cert.pem" 2>/dev/null
printf '[tls]\ncert = "%s"\nkey = "%s"\n' "$tls_data/cert.pem" "$tls_data/key.pem" >"$tls_data/hongyan.toml"
tls_smpp=$(free_port)
"$BIN" serve --config "$tls_data/hongyan.toml" --data-dir "$tls_data" --http "127.0.0.1:$(free_port)" \
    --smpp "127.0.0.1:$tls_smpp" >"$tls_data/server.out" 2>"$tls_data/server.log" &
tls_pid=$!
wait_port "$tls_smpp"
"$BIN" account create etax --signature 某省税务局 --data-dir "$tls_data" >/dev/null
tls_login=$("$BIN" account smpp 1 --json --data-dir "$tls_data")
run python3 tests/interop/smpplib_tls.py 127.0.0.1 "$tls_smpp" "$(field login <<<"$tls_login")" \
    "$(field secret <<<"$tls_login")" "$tls_data/cert.pem"
kill -TERM "$tls_pid" 2>/dev/null || true
wait "$tls_pid" 2>/dev/null || true
rm -rf "$tls_data"
echo "interop smpplib-server: $passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
    echo "server log:" >&2
    tail -50 "$data/server.log" >&2
    exit 1
fi
