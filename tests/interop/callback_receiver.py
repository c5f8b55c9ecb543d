#!/usr/bin/env python3
"""Interop: Python's own http.server, ssl and hmac modules as a callback receiver.

Runs `hongyan serve` (simulated gateways) with `[reports] callback_ca_file` naming a CA made by
openssl, opens an account, points its callback at an HTTPS receiver (Python's ssl) with a
certificate that CA signed, sends a message to each network, and checks every POST with the verification function the
user manual gives (docs/user-manual.md, "Push (callback)"). A second account's callback points
at a receiver whose certificate nobody trusts: it must get nothing. Exits non-zero on any
mismatch.

Usage: callback_receiver.py HONGYAN_BIN
"""
import hashlib
import hmac
import json
import os
import re
import ssl
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


received = {"trusted": [], "untrusted": []}  # (headers, body) per receiver


def handler(name):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received[name].append((self.headers, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass
    return Handler


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def certificate(folder: str, name: str):
    """A CA and a certificate for 127.0.0.1 it signed, by openssl: (ca, cert, key)."""
    path = lambda suffix: os.path.join(folder, f"{name}-{suffix}")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name} CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-keyout", path("ca.key"), "-out", path("ca.pem"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", path("leaf.key"), "-out", path("leaf.csr"))
    with open(path("leaf.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", path("leaf.ext"), "-out", path("leaf.pem"))
    return path("ca.pem"), path("leaf.pem"), path("leaf.key")


def https_receiver(name: str, cert: str, key: str) -> HTTPServer:
    server = HTTPServer(("127.0.0.1", 0), handler(name))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def set_callback(binary, data, account_id, url):
    out = subprocess.check_output(
        [binary, "callback", "set", str(account_id), url, "--data-dir", data], text=True)
    return re.search(r"secret[^:]*: ([0-9a-f]{64})", out).group(1)


def main() -> int:
    binary = sys.argv[1]
    data = tempfile.mkdtemp()
    bureau_ca, trusted_cert, trusted_key = certificate(data, "bureau")
    _, other_cert, other_key = certificate(data, "stranger")
    trusted = https_receiver("trusted", trusted_cert, trusted_key)
    untrusted = https_receiver("untrusted", other_cert, other_key)
    config = os.path.join(data, "hongyan.toml")
    with open(config, "w") as f:
        f.write(f'[reports]\ncallback_ca_file = "{bureau_ca}"\n')
    server = Server(binary, data, ["--config", config, "--sim-report-delay-ms", "100"])
    api = server.port
    try:
        key, account_id = new_account(binary, data, "某省税务局", "etax")
        other_key_pair, other_account = new_account(binary, data, "某省税务局", "interaction")
        secret = set_callback(binary, data, account_id, f"https://127.0.0.1:{trusted.server_port}/cb")
        set_callback(binary, data, other_account, f"https://127.0.0.1:{untrusted.server_port}/cb")
        call(api, "POST", "/api/v1/messages", key,
             {"to": ["13800138000", "18612345678", "18912345678"], "content": "您的申报已受理", "category": "notification"})
        call(api, "POST", "/api/v1/messages", other_key_pair,
             {"to": ["13800138001"], "content": "您的申报已受理", "category": "notification"})
        deadline = time.time() + 30
        events = []
        while time.time() < deadline and len(events) < 3:
            time.sleep(0.2)
            events = [e for _, b in list(received["trusted"]) for e in json.loads(b)]
        failures = 0
        for headers, body in received["trusted"]:
            if not genuine(secret, headers, body):
                print("signature did not verify:", dict(headers), body, file=sys.stderr)
                failures += 1
        if len(events) < 3 or any(e["stat"] != "DELIVRD" for e in events):
            print("expected three DELIVRD reports over HTTPS, got:", events, file=sys.stderr)
            failures += 1
        first = received["trusted"][0] if received["trusted"] else None
        if first and genuine("not-the-secret", first[0], first[1]):
            print("a wrong secret verified", file=sys.stderr)
            failures += 1
        theirs = call(api, "GET", "/api/v1/messages?limit=10", other_key_pair)["messages"]
        if [m["status"] for m in theirs] != ["delivered"]:
            print("the second account's report never came, so its silence proves nothing:", theirs, file=sys.stderr)
            failures += 1
        if received["untrusted"]:
            print("a receiver with an untrusted certificate was sent reports", file=sys.stderr)
            failures += 1
        print(f"callback over HTTPS: {len(received['trusted'])} POST(s), {len(events)} report(s); "
              f"untrusted receiver: {len(received['untrusted'])} POST(s); {failures} problem(s)")
        return 1 if failures else 0
    finally:
        server.stop()
        trusted.shutdown()
        untrusted.shutdown()


if __name__ == "__main__":
    sys.exit(main())
