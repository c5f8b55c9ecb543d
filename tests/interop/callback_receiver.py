#!/usr/bin/env python3
"""Interop: Python's own http.server and hmac module as a callback receiver.

Runs `hongyan serve` (simulated gateways), opens an account, points its callback here, sends a
message to each network, and checks every POST with the verification function the user manual
gives (docs/user-manual.md, "Push (callback)"). Exits non-zero on any mismatch.

Usage: callback_receiver.py HONGYAN_BIN
"""
import hashlib
import hmac
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from hongyan_run import Server, call, new_account


def genuine(secret: str, headers, body: bytes) -> bool:
    """The manual's function, word for word."""
    ts = headers["X-Hongyan-Timestamp"]
    if abs(time.time() - int(ts)) > 300:
        return False
    mac = hmac.new(secret.encode(), ts.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, headers["X-Hongyan-Signature"])


received = []  # (headers, body)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append((self.headers, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> int:
    binary = sys.argv[1]
    data = tempfile.mkdtemp()
    receiver = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    server = Server(binary, data, ["--sim-report-delay-ms", "100"])
    api = server.port
    try:
        key, account_id = new_account(binary, data, "某省税务局")
        out = subprocess.check_output(
            [binary, "callback", "set", str(account_id),
             f"http://127.0.0.1:{receiver.server_port}/cb", "--data-dir", data], text=True)
        secret = re.search(r"secret[^:]*: ([0-9a-f]{64})", out).group(1)
        call(api, "POST", "/api/v1/messages", key,
             {"to": ["13800138000", "18612345678", "18912345678"], "content": "您的申报已受理", "category": "notification"})
        deadline = time.time() + 30
        events = []
        while time.time() < deadline and len(events) < 3:
            time.sleep(0.2)
            events = [e for _, b in list(received) for e in json.loads(b)]
        failures = 0
        for headers, body in received:
            if not genuine(secret, headers, body):
                print("signature did not verify:", dict(headers), body, file=sys.stderr)
                failures += 1
        if len(events) < 3 or any(e["stat"] != "DELIVRD" for e in events):
            print("expected three DELIVRD reports, got:", events, file=sys.stderr)
            failures += 1
        if genuine("not-the-secret", received[0][0], received[0][1]) if received else False:
            print("a wrong secret verified", file=sys.stderr)
            failures += 1
        print(f"callback: {len(received)} POST(s), {len(events)} report(s), {failures} problem(s)")
        return 1 if failures else 0
    finally:
        server.stop()
        receiver.shutdown()


if __name__ == "__main__":
    sys.exit(main())
