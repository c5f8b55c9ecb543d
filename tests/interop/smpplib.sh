#!/usr/bin/env bash
# Interop with SMPP code we did not write: python-smpplib (PyPI `smpplib`) as the ESME against
# a standalone `hongyan sim smpp`. Prints `interop smpplib: N passed, M failed`; exits non-zero
# on any failure.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail

cd "$(dirname "$0")/../.."
readonly SYSTEM_ID=hongyan PASSWORD=secret

python3 -c 'import smpplib' 2>/dev/null || python3 -m pip install --quiet smpplib
source tests/interop/lib.sh
BIN=$(hongyan_bin)

port=$(free_port)
data_dir=$(mktemp -d)
log="$data_dir/sim.log"
sim_pid=

stop_sim() {
    if [[ -n $sim_pid ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$sim_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    sim_pid=
}
cleanup() {
    stop_sim
    rm -rf "$data_dir"
}
trap cleanup EXIT

verdict() {
    echo "interop smpplib: $1 passed, $2 failed"
}

"$BIN" sim smpp --listen "127.0.0.1:$port" --system-id "$SYSTEM_ID" --password "$PASSWORD" \
    --report-delay-ms 100 --data-dir "$data_dir" >"$log" 2>&1 &
sim_pid=$!

# Wait for the listener (or for the simulator to die trying).
for _ in $(seq 100); do
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "the simulator exited before listening:" >&2
        cat "$log" >&2
        verdict 0 1
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        break
    fi
    sleep 0.1
done

status=0
python3 tests/interop/smpplib_client.py 127.0.0.1 "$port" "$SYSTEM_ID" "$PASSWORD" || status=$?
stop_sim

if [[ $status -eq 0 ]]; then
    verdict 1 0
else
    echo "simulator log:" >&2
    cat "$log" >&2
    verdict 0 1
    exit 1
fi
