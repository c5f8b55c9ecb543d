#!/usr/bin/env bash
# Wireshark's own dissectors (tshark, code we did not write) decode the CMPP 3.0 and SMPP 3.4
# traffic of a real run: `hongyan serve --config` with a CMPP and an SMPP channel to standalone
# simulators, a long and a short message, a clean shutdown. Every frame must decode with no
# malformed-packet or error expert info, and the submits, reports and their answers must all be
# there. Prints `interop tshark: N passed, M failed`. Needs root (or capture rights) for `-i lo`.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v tshark >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q tshark >/dev/null
fi
source tests/interop/lib.sh
BIN=$(hongyan_bin)

cmpp_port=$(free_port)
smpp_port=$(free_port)
http_port=$(free_port)
work=$(mktemp -d)
chmod 777 "$work" # tshark's dumpcap may write as another user
pids=()
stop() { kill -"$1" "$2" 2>/dev/null || true; wait "$2" 2>/dev/null || true; }
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAILED: $*" >&2
    [[ -f $work/decoded.txt ]] && { echo "--- decoded (first 80 lines)" >&2; head -80 "$work/decoded.txt" >&2; }
    echo "interop tshark: 0 passed, 1 failed"
    exit 1
}

tshark -i lo -f "tcp port $cmpp_port or tcp port $smpp_port" -w "$work/run.pcapng" -q 2>"$work/tshark.log" &
tshark_pid=$!
pids+=("$tshark_pid")
for _ in $(seq 100); do grep -q "Capturing on" "$work/tshark.log" && break; sleep 0.1; done
grep -q "Capturing on" "$work/tshark.log" || fail "tshark did not start: $(cat "$work/tshark.log")"

"$BIN" sim cmpp --listen "127.0.0.1:$cmpp_port" --sp-id 901234 --secret cmpp-secret --report-delay-ms 100 \
    --data-dir "$work/sim" >"$work/cmpp.log" 2>&1 &
cmpp_pid=$!
pids+=("$cmpp_pid")
"$BIN" sim smpp --listen "127.0.0.1:$smpp_port" --system-id hongyan --password smpp-pw --report-delay-ms 100 \
    --data-dir "$work/sim" >"$work/smpp.log" 2>&1 &
smpp_pid=$!
pids+=("$smpp_pid")
cat >"$work/hongyan.toml" <<TOML
[[channel]]
name = "cmpp"
protocol = "cmpp"
address = "127.0.0.1:$cmpp_port"
username = "901234"
password = "cmpp-secret"
source = "106900001234"
service_id = "HONGYAN"
carriers = ["china_mobile"]
prefixes = ["138"]

[[channel]]
name = "smpp"
protocol = "smpp"
address = "127.0.0.1:$smpp_port"
username = "hongyan"
password = "smpp-pw"
source = "10690001"
carriers = ["china_mobile"]
prefixes = ["139"]
TOML
"$BIN" serve --config "$work/hongyan.toml" --data-dir "$work/data" --http "127.0.0.1:$http_port" >"$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.1; done

cred=$("$BIN" account create tshark --json --data-dir "$work/data")
auth=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["key_id"]+":"+d["secret"])' "$cred")
send() {
    local body
    body=$(python3 -c 'import json,sys; print(json.dumps({"to":[sys.argv[1]],"content":sys.argv[2],"category":"notification"}))' "$1" "$2")
    curl -sf -u "$auth" -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$http_port/api/v1/messages" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["message_id"])'
}
long=$(python3 -c 'print("尊敬的纳税人：您的申报已受理。" * 10)')
ids=("$(send 13800138000 "$long")" "$(send 13900139000 "您的验证码是 246810")") || fail "send refused"
for id in "${ids[@]}"; do
    status=
    for _ in $(seq 100); do
        status=$(curl -sf -u "$auth" "http://127.0.0.1:$http_port/api/v1/messages/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
        [[ $status == delivered ]] && break
        sleep 0.1
    done
    [[ $status == delivered ]] || fail "message $id is $status"
done
stop TERM "$server_pid" # orderly TERMINATE and unbind are on the capture too
stop TERM "$cmpp_pid"
stop TERM "$smpp_pid"
sleep 0.5
stop INT "$tshark_pid"

decode=(tshark -r "$work/run.pcapng" -d "tcp.port==$cmpp_port,cmpp" -d "tcp.port==$smpp_port,smpp")
"${decode[@]}" -V >"$work/decoded.txt" 2>&1 || fail "tshark could not read the capture"
count() { "${decode[@]}" -Y "$1" 2>/dev/null | wc -l; }
bad=$(count '_ws.malformed || _ws.expert.severity >= "error"')
[[ $bad -eq 0 ]] || fail "$bad frames are malformed or carry error expert info"
# Counted per PDU, not per frame: the link writes what it has queued in one go, so one TCP
# segment may carry several PDUs (Wireshark's dissectors decode each of them).
check() { # description, field, value (or * for any), minimum
    local n
    n=$("${decode[@]}" -Y "$2" -T fields -e "$2" -E occurrence=a -E aggregator=' ' 2>/dev/null |
        tr ' \t' '\n\n' | grep -c -x -- "${3/#\*/.*}" || true)
    [[ $n -ge $4 ]] || fail "$1: $n PDUs have $2 = $3, expected at least $4"
}
check "CMPP CONNECT" cmpp.Command_Id 0x00000001 1
check "CMPP CONNECT_RESP status 0" cmpp.connect_resp.Status 0 1
check "CMPP SUBMIT, one per segment" cmpp.submit.Pk_total 3 3
check "CMPP SUBMIT with the UDH flag set" cmpp.TP_udhi 1 3
check "CMPP SUBMIT_RESP OK" cmpp.submit_resp.Result 0 3
check "CMPP status report DELIVER" cmpp.Command_Id 0x00000005 3
check "CMPP DELIVER_RESP" cmpp.Command_Id 0x80000005 3
check "CMPP TERMINATE" cmpp.Command_Id 0x00000002 1
check "SMPP bind_transceiver" smpp.command_id 0x00000009 1
check "SMPP submit_sm" smpp.command_id 0x00000004 1
check "SMPP receipt with receipted_message_id" smpp.receipted_message_id '*' 1
check "SMPP deliver_sm_resp" smpp.command_id 0x80000005 1
check "SMPP unbind" smpp.command_id 0x00000006 1
echo "interop tshark: 1 passed, 0 failed"
