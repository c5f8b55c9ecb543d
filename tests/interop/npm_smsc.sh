#!/usr/bin/env bash
# Interop with an SMSC we did not write: the npm `smpp` package as the SMSC, Hongyan's SMPP
# channel as the ESME. `hongyan serve --config` with one SMPP channel and no simulator sends a
# long Chinese message (two UDH segments); the SMSC must decode our submit_sm back to the text,
# and its receipts must bring the message to `delivered`. Prints
# `interop npm-smpp: N passed, M failed`.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/interop/npm-smsc

if [[ ! -d $here/node_modules/smpp ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --silent)
fi
source tests/interop/lib.sh
BIN=$(hongyan_bin)

smsc_port=$(free_port)
http_port=$(free_port)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAILED: $*" >&2
    echo "--- SMSC log" >&2; cat "$work/smsc.log" >&2 || true
    echo "--- server log" >&2; cat "$work/server.log" >&2 || true
    echo "interop npm-smpp: 0 passed, 1 failed"
    exit 1
}

node "$here/smsc.js" "$smsc_port" hongyan secret >"$work/smsc.log" 2>&1 &
pids+=($!)
cat >"$work/hongyan.toml" <<TOML
[[channel]]
name = "npm-smsc"
protocol = "smpp"
address = "127.0.0.1:$smsc_port"
username = "hongyan"
password = "secret"
source = "10690001"
carriers = ["china_mobile"]
TOML
"$BIN" serve --config "$work/hongyan.toml" --data-dir "$work/data" --http "127.0.0.1:$http_port" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null || fail "server not ready"

cred=$("$BIN" account create interop --json --data-dir "$work/data")
auth=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["key_id"]+":"+d["secret"])' "$cred")
content="尊敬的纳税人：您本月的增值税申报已受理，请于十五日前完成缴款。如有疑问请拨打纳税服务热线一二三六六，或登录电子税务局查询办理进度。感谢您的支持与配合！"
body=$(python3 -c 'import json,sys; print(json.dumps({"to":["13800138000"],"content":sys.argv[1],"category":"notification"}))' "$content")
answer=$(curl -sf -u "$auth" -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$http_port/api/v1/messages") || fail "send refused"
id=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1])["results"][0]; assert r["status"]=="accepted", r; assert r["segments"]==2, r; print(r["message_id"])' "$answer") || fail "unexpected answer: $answer"

status=
for _ in $(seq 100); do
    detail=$(curl -sf -u "$auth" "http://127.0.0.1:$http_port/api/v1/messages/$id")
    status=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$detail")
    [[ $status == delivered ]] && break
    sleep 0.1
done
[[ $status == delivered ]] || fail "message is $status, not delivered"

# What the SMSC decoded must be our text — signed 【interop】 by the platform (the account's
# default signature is its name) — in two UDH segments of one reference, UCS2.
python3 - "$work/smsc.log" "【interop】$content" <<'PY' || fail "the SMSC did not decode what we sent"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
subs = [e for e in events if e["event"] == "submit_sm"]
assert len(subs) == 2, subs
assert all(e["data_coding"] == 8 and e["esm_class"] & 0x40 and e["registered_delivery"] == 1 for e in subs), subs
assert all(e["destination_addr"] == "8613800138000" for e in subs), subs
assert "".join(e["message"] for e in subs) == sys.argv[2], [e["message"] for e in subs]
acks = [e for e in events if e["event"] == "deliver_sm_resp"]
assert len(acks) == 2 and all(a["command_status"] == 0 for a in acks), acks
PY
echo "interop npm-smpp: 1 passed, 0 failed"
