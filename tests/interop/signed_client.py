#!/usr/bin/env python3
"""Interop: the user manual's Python example of a signed request (HY1-HMAC-SHA256), written
with nothing but the standard library, against a running Hongyan.

Usage: signed_client.py HTTP_PORT KEY_ID SECRET

Sends one message signed; then checks that the same request replayed, a request signed with
the wrong secret, and one with a stale timestamp are all refused with 401.
"""
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.error
import urllib.request


# --- the manual's example, word for word ---------------------------------------------------
def signed_request(base, key_id, secret, method, path, query="", body=b"", timestamp=None, nonce=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    text = "\n".join([method, path, query, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    key = hashlib.sha256(secret.encode()).digest()
    signature = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    url = base + path + ("?" + query if query else "")
    req = urllib.request.Request(url, data=body or None, method=method)
    req.add_header("Authorization",
                   f"HY1-HMAC-SHA256 Key={key_id}, Timestamp={timestamp}, Nonce={nonce}, Signature={signature}")
    req.add_header("Content-Type", "application/json")
    return req
# --------------------------------------------------------------------------------------------


def status_of(req):
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def main(argv):
    base, key_id, secret = "http://127.0.0.1:%s" % argv[1], argv[2], argv[3]
    body = json.dumps({"to": ["13800138000"], "content": "您的验证码是 246810", "category": "verification"}).encode()
    nonce = secrets.token_hex(16)
    first = signed_request(base, key_id, secret, "POST", "/api/v1/messages", body=body, nonce=nonce)
    code, answer = status_of(first)
    problems = []
    if code != 200 or answer.get("accepted") != 1:
        problems.append("signed send answered %s %r" % (code, answer))
    code, answer = status_of(signed_request(base, key_id, secret, "POST", "/api/v1/messages", body=body, nonce=nonce))
    if code != 401 or answer["error"]["code"] != "nonce_reused":
        problems.append("a replay answered %s %r" % (code, answer))
    code, _ = status_of(signed_request(base, key_id, secret + "x", "GET", "/api/v1/messages", query="limit=1"))
    if code != 401:
        problems.append("a wrong secret answered %s" % code)
    code, answer = status_of(signed_request(base, key_id, secret, "GET", "/api/v1/messages", query="limit=1",
                                            timestamp=int(time.time()) - 600))
    if code != 401 or answer["error"]["code"] != "timestamp_skewed":
        problems.append("a stale timestamp answered %s %r" % (code, answer))
    code, answer = status_of(signed_request(base, key_id, secret, "GET", "/api/v1/messages", query="limit=1"))
    if code != 200 or len(answer["messages"]) != 1:
        problems.append("a signed GET answered %s %r" % (code, answer))
    for p in problems:
        print("signed-request interop FAILED:", p, file=sys.stderr)
    if not problems:
        print("signed-request interop OK: sent, listed; replay, wrong secret and stale timestamp refused")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
