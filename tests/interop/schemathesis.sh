#!/usr/bin/env bash
# The served OpenAPI document fuzzed with schemathesis (PyPI): every documented operation, as an
# interface account (Basic) and as the console administrator (session cookie), a bounded number
# of generated requests each. The checks: nothing answers 5xx, and every answer is one the
# document gives for that operation — its status code, content type, headers and body schema.
# Prints `interop schemathesis: N passed, M failed`.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v st >/dev/null 2>&1 || python3 -m pip install --quiet schemathesis
source tests/interop/lib.sh
BIN=$(hongyan_bin)
http=$(free_port)
base="http://127.0.0.1:$http"
data=$(mktemp -d)
export HONGYAN_ADMIN_PASSWORD=Initial-Pass-1
start_server "$BIN" "$data" --http "127.0.0.1:$http"
wait_port "$http"
key=$("$BIN" account create etax --signature 某省税务局 --json --data-dir "$data" |
    python3 -c 'import json, sys; a = json.load(sys.stdin); print(a["key_id"] + ":" + a["secret"])')
cookie=$(curl -s -i -X POST -H 'content-type: application/json' \
    -d '{"username":"admin","password":"Initial-Pass-1"}' "$base/api/v1/auth/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: hongyan_session=\([^;]*\).*/\1/p' | tr -d '\r')
curl -s -o /dev/null -X POST -H "cookie: hongyan_session=$cookie" -H 'content-type: application/json' \
    -d '{"current":"Initial-Pass-1","new":"Tax-Bureau-2026!"}' "$base/api/v1/auth/password"
passed=0
failed=0
fuzz() { # name, extra st arguments...
    local name=$1
    shift
    if st run "$base/api/v1/openapi.json" --url "$base" -n 10 --max-time 60 \
        -c not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --phases coverage,fuzzing --seed 2026 "$@" >"$data/st-$name.txt" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "schemathesis ($name) found server errors or answers the document does not give:" >&2
        tail -60 "$data/st-$name.txt" >&2
    fi
    grep -E "generated" "$data/st-$name.txt" | tail -1 | sed "s/^/schemathesis ($name): /"
}
# /readyz is left out: its 503 ("a carrier has no link up yet", e.g. while the simulated SGIP
# link logs in) is its documented answer, not a server error; tests/ops.rs checks it.
fuzz account -a "$key" --exclude-path-regex '/api/v1/(admin|auth)/|^/readyz$'
fuzz admin -H "Cookie: hongyan_session=$cookie" --include-path-regex '/api/v1/(admin/|auth/me)'
echo "interop schemathesis: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
