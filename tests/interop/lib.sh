# Shared by the interop scripts (source it after `cd` to the repository root): the binary under
# test, free ports, waiting for a listener, a `hongyan serve` in the background that is stopped
# and cleaned up on exit, and reading a field of `--json` output.

# The binary: $HONGYAN_BIN when set, else a fresh debug build (always through cargo, so a stale
# binary cannot fail a check for no good reason).
hongyan_bin() {
    if [[ -n ${HONGYAN_BIN:-} ]]; then
        echo "$HONGYAN_BIN"
    else
        cargo build --quiet -p hongyan --bin hongyan
        echo target/debug/hongyan
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s at most).
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# start_server BIN DATA_DIR SERVE_ARGS...: `serve` in the background (stdout and log in
# DATA_DIR), stopped with SIGTERM and DATA_DIR removed when the script exits.
start_server() {
    local bin=$1 dir=$2
    shift 2
    "$bin" serve --data-dir "$dir" "$@" >"$dir/server.out" 2>"$dir/server.log" &
    SERVER_PID=$!
    SERVER_DIR=$dir
    trap stop_server EXIT
}

stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$SERVER_DIR"
}

# json_field NAME < JSON
json_field() {
    python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"
}
