#!/usr/bin/env bash
# Interop with an HMAC we did not write: the user manual's Python example of a signed request
# (standard library only) against `hongyan serve`. Prints `interop signed: N passed, M failed`.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/interop/lib.sh
BIN=$(hongyan_bin)
http=$(free_port)
data=$(mktemp -d)
start_server "$BIN" "$data" --http "127.0.0.1:$http"
wait_port "$http"
field() { json_field "$1"; }
account=$("$BIN" account create etax --signature 某省税务局 --json --data-dir "$data")
key=$(field key_id <<<"$account")
secret=$(field secret <<<"$account")
passed=0
failed=0
check() { # name, command...
    local name=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "signed: $name FAILED" >&2; fi
}
check python python3 tests/interop/signed_client.py "$http" "$key" "$secret"
# The manual's curl and Java examples, run as they are (docs/examples/).
accepted() { grep -q '"accepted":1' <<<"$1" || { echo "$1" >&2; return 1; }; }
check curl accepted "$(bash docs/examples/signed_request.sh "http://127.0.0.1:$http" "$key" "$secret")"
if command -v java >/dev/null 2>&1; then
    check java accepted "$(java docs/examples/SignedRequest.java "http://127.0.0.1:$http" "$key" "$secret")"
else
    echo "signed: java not installed; the Java example was not run" >&2
fi
echo "interop signed: $passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
    tail -30 "$data/server.log" >&2
    exit 1
fi
