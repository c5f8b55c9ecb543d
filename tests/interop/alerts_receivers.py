#!/usr/bin/env python3
"""Interop: alerts reach a real SMTP server (PyPI aiosmtpd, STARTTLS required, login), an
HTTP webhook receiver (Python's http.server, signature checked with the manual's function) and
the on-call phone through the platform itself.

Runs `hongyan serve` with the simulated gateways plus a second China Mobile channel,
`cmcc-spare`, whose gateway is not there yet. After `[incidents] channel_down_after_s` the
channel_down alert must arrive on all three ways — the SMS on a channel other than cmcc-spare —
and repeat every `repeat_every_s`; then `hongyan sim cmpp` starts on cmcc-spare's address, the
link comes up, and "resolved" must arrive by webhook and e-mail. Exits non-zero on any
mismatch.

Usage: alerts_receivers.py HONGYAN_BIN
"""
import email
import email.policy
import json
import logging
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from callback_receiver import certificate, genuine
from hongyan_run import Server, call, free_port, new_account

# aiosmtpd reads its own deprecated attribute; not ours to fix.
warnings.filterwarnings("ignore", message="Session.login_data")
logging.getLogger("mail.log").setLevel(logging.ERROR)

SECRET = "alert-webhook-secret"
hooks = []  # (headers, body)
mails = []  # (tls?, authenticated user, mail from, rcpt tos, content)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        hooks.append((self.headers, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        user = session.auth_data.decode() if session.authenticated else None
        # Python's email package reads the MIME message (encoded subject, transfer encodings).
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        text = f"{msg['subject']}\n{msg.get_body(('plain',)).get_content()}"
        mails.append((session.ssl is not None, user, envelope.mail_from, envelope.rcpt_tos, text))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"hongyan" and auth_data.password == b"pw"
    return AuthResult(success=ok, auth_data=auth_data.login if ok else None)


def webhook_states(rule, subject):
    out = []
    for headers, body in list(hooks):
        d = json.loads(body)
        if d["rule"] == rule and d["subject"] == subject:
            out.append(d["state"])
    return out


def wait(what, check, limit):
    deadline = time.time() + limit
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.2)
    print(f"timed out waiting for {what}", file=sys.stderr)
    return False


def main() -> int:
    binary = sys.argv[1]
    data = tempfile.mkdtemp()
    ca, cert, key = certificate(data, "mail")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=free_port(), tls_context=tls,
                      require_starttls=True, auth_require_tls=True, authenticator=authenticator)
    smtp.start()
    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    spare = free_port()
    config = os.path.join(data, "hongyan.toml")
    with open(config, "w") as f:
        f.write(f"""[simulators]
enabled = true
report_delay_ms = 100

[[channel]]
name = "cmcc-spare"
protocol = "cmpp"
address = "127.0.0.1:{spare}"
username = "901234"
password = "s"
source = "1069"
carriers = ["china_mobile"]

[incidents]
channel_down_after_s = 2

[alerts]
repeat_every_s = 3

[alerts.webhook]
url = "http://127.0.0.1:{hook.server_port}/alerts"
secret = "{SECRET}"

[alerts.email]
server = "127.0.0.1:{smtp.port}"
username = "hongyan"
password = "pw"
from = "hongyan@example.gov.cn"
to = ["oncall@example.gov.cn"]
ca_file = "{ca}"

[alerts.sms]
account = "ops"
to = ["13900139000"]
""")
    ops_key, _ = new_account(binary, data, "鸿雁运维", "ops")
    server = Server(binary, data, ["--config", config])
    sim = None
    failures = 0
    try:
        ok = wait("channel_down firing and a repeat by webhook",
                  lambda: webhook_states("channel_down", "cmcc-spare")[:2] == ["firing", "repeat"], 30)
        ok &= wait("the e-mail", lambda: any(m[4].startswith("Hongyan [告警 firing] channel_down cmcc-spare") for m in mails), 30)
        sms = []

        def sms_sent():
            nonlocal sms
            listed = call(server.port, "GET", "/api/v1/messages?limit=50", ops_key)["messages"]
            sms = [m for m in listed if "channel_down cmcc-spare" in m.get("content", "")]
            return any(m["status"] == "delivered" for m in sms)
        ok &= wait("the SMS delivered", sms_sent, 30)
        failures += 0 if ok else 1
        if any(m.get("channel") == "cmcc-spare" for m in sms):
            print("the alert SMS took the failing channel:", sms, file=sys.stderr)
            failures += 1
        for headers, body in hooks:
            if not genuine(SECRET, headers, body):
                print("webhook signature did not verify:", body, file=sys.stderr)
                failures += 1
        for secure, user, sender, rcpts, content in mails:
            if not secure or user != "hongyan" or rcpts != ["oncall@example.gov.cn"]:
                print("mail not over STARTTLS with the login, or to the wrong place:", secure, user, rcpts,
                      file=sys.stderr)
                failures += 1

        sim = subprocess.Popen([binary, "sim", "cmpp", "--listen", f"127.0.0.1:{spare}", "--account", "901234",
                                "--password", "s", "--data-dir", os.path.join(data, "sim")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait("resolved by webhook",
                    lambda: "resolved" in webhook_states("channel_down", "cmcc-spare"), 60):
            failures += 1
        if not wait("resolved by e-mail", lambda: any(m[4].startswith("Hongyan [告警解除 resolved] channel_down cmcc-spare") for m in mails), 30):
            failures += 1
        states = webhook_states("channel_down", "cmcc-spare")
        if states.count("firing") != 1 or states[-1] != "resolved":
            print("fired more than once, or something after resolved:", states, file=sys.stderr)
            failures += 1
        print(f"alerts: webhook {len(hooks)} POST(s) {states}, {len(mails)} mail(s), {len(sms)} SMS; "
              f"{failures} problem(s)")
        return 1 if failures else 0
    finally:
        if sim:
            sim.terminate()
            sim.wait(timeout=30)
        server.stop()
        hook.shutdown()
        smtp.stop()


if __name__ == "__main__":
    sys.exit(main())
