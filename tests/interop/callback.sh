#!/usr/bin/env bash
# Interop with an HMAC and an HTTP server we did not write: Python's hmac module and
# http.server receive our callbacks and check them with the user manual's verification
# function. Prints `interop callback: N passed, M failed`; exits non-zero on any failure.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -n ${HONGYAN_BIN:-} ]]; then
    BIN=$HONGYAN_BIN
else
    cargo build --quiet -p hongyan --bin hongyan
    BIN=target/debug/hongyan
fi
if python3 tests/interop/callback_receiver.py "$BIN"; then
    echo "interop callback: 1 passed, 0 failed"
else
    echo "interop callback: 0 passed, 1 failed"
    exit 1
fi
