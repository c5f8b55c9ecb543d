#!/usr/bin/env bash
# Interop with an HMAC and an HTTP server we did not write: Python's hmac module and
# http.server receive our callbacks and check them with the user manual's verification
# function. Prints `interop callback: N passed, M failed`; exits non-zero on any failure.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/interop/lib.sh
BIN=$(hongyan_bin)
if python3 tests/interop/callback_receiver.py "$BIN"; then
    echo "interop callback: 1 passed, 0 failed"
else
    echo "interop callback: 0 passed, 1 failed"
    exit 1
fi
