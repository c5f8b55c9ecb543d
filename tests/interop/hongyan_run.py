"""Shared by the Python interop scripts: a `hongyan serve` in the background, calls to its API
with HTTP Basic, and opening an account with the CLI. Only the standard library."""
import base64
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(port, method, path, key=None, body=None):
    """One API call; `key` is (key_id, secret) for HTTP Basic; the JSON answer."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    if key:
        token = base64.b64encode(f"{key[0]}:{key[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data=data, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


class Server:
    """`hongyan serve --data-dir DATA` on a free port, its log appended to DATA/server.log."""

    def __init__(self, binary, data, extra=(), env=None):
        self.port = free_port()
        self.log = open(os.path.join(data, "server.log"), "a")
        self.proc = subprocess.Popen(
            [binary, "serve", "--data-dir", data, "--http", f"127.0.0.1:{self.port}", *extra],
            stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        for _ in range(300):
            try:
                call(self.port, "GET", "/healthz")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def new_account(binary, data, signature, name="etax"):
    """`hongyan account create NAME`: its (key_id, secret) and account id."""
    made = json.loads(subprocess.check_output(
        [binary, "account", "create", name, "--json", "--signature", signature, "--data-dir", data]))
    return (made["key_id"], made["secret"]), made["account_id"]
