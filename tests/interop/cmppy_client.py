#!/usr/bin/env python3
"""Interop: PyPI `cmppy` (a CMPP 3.0 client we did not write) against Hongyan's CMPP server.

Usage: cmppy_client.py HOST PORT SP_ID SECRET HTTP_PORT KEY_ID KEY_SECRET

1. A wrong shared secret is refused at CONNECT (cmppy returns no answer to its request).
2. With the right one, cmppy CONNECTs (MD5 authenticator), SUBMITs a UCS-2 Chinese message
   with Registered_Delivery = 1 and gets SUBMIT_RESP Result 0 with a Msg_Id.
3. Over the HTTP API (same account), the message is found, signed by the platform, and
   reaches `delivered` through the simulated carrier.
Exits 0 when all hold; otherwise prints why and exits 1.
"""
import base64
import contextlib
import io
import json
import sys
import time
import urllib.request

from cmppy import Cmppy, SubmitReq

TEXT = "您的验证码是246810，5分钟内有效。"
DEST = "13800138000"


def quietly(fn):
    # cmppy prints every frame it writes and reads.
    with contextlib.redirect_stdout(io.StringIO()):
        return fn()


def submit(host, port, sp_id, secret):
    req = SubmitReq(msg_src=sp_id, msg_content=TEXT, src_id="1069000001", dest_terminal_id=[DEST],
                    registered_delivery=1, service_id="NOTIF")  # a category code (MI would be refused, Result 7)
    return quietly(lambda: Cmppy(host, port, sp_id, secret).request(req))


def api(http_port, key, path):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (http_port, path))
    token = base64.b64encode(("%s:%s" % key).encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def main(argv):
    host, port, sp_id, secret = argv[1], int(argv[2]), argv[3], argv[4]
    http_port, key = int(argv[5]), (argv[6], argv[7])
    if submit(host, port, sp_id, "not-the-secret") is not None:
        print("cmppy interop FAILED: a wrong secret was accepted", file=sys.stderr)
        return 1
    res = submit(host, port, sp_id, secret)
    if res is None or res.result != 0 or res.msg_id == 0:
        print("cmppy interop FAILED: SUBMIT answered %r" % (vars(res) if res else None), file=sys.stderr)
        return 1
    deadline = time.monotonic() + 20
    found = None
    while time.monotonic() < deadline:
        found = api(http_port, key, "/api/v1/messages?to=" + DEST)["messages"]
        if found and found[0]["status"] == "delivered":
            break
        time.sleep(0.2)
    if not found or found[0]["status"] != "delivered" or not found[0]["content"].endswith(TEXT):
        print("cmppy interop FAILED: over HTTP the message is %r" % (found,), file=sys.stderr)
        return 1
    print("cmppy interop OK: wrong secret refused; Msg_Id %d accepted, signed and delivered" % res.msg_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
