#!/usr/bin/env bash
# Interop for encryption at rest: Python's sqlite3, OpenSSL's AES-256-GCM and SM4-GCM (PyPI
# cryptography) and hashlib open what our store sealed, by the operations manual's formulas.
# Prints `interop at-rest: N passed, M failed`; exits non-zero on any failure.
#
# Environment: HONGYAN_BIN, a prebuilt binary to use instead of building target/debug/hongyan.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/interop/lib.sh
BIN=$(hongyan_bin)
if python3 tests/interop/at_rest.py "$BIN"; then
    echo "interop at-rest: 1 passed, 0 failed"
else
    echo "interop at-rest: 0 passed, 1 failed"
    exit 1
fi
