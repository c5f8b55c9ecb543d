#!/usr/bin/env bash
# Interop with an SMTP server and an HTTP server we did not write: PyPI aiosmtpd (STARTTLS
# required, login) and Python's http.server receive our alerts; the SMS goes through the platform.
# Prints `interop alerts: N passed, M failed`; exits non-zero on any failure.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/interop/lib.sh
BIN=$(hongyan_bin)
if python3 tests/interop/alerts_receivers.py "$BIN"; then
    echo "interop alerts: 1 passed, 0 failed"
else
    echo "interop alerts: 0 passed, 1 failed"
    exit 1
fi
