#!/usr/bin/env python3
"""Interop: encryption at rest, opened by code we did not write.

Runs `hongyan serve`, sends messages, stops it, and reads the SQLite file with Python's sqlite3:
no number or text may be readable anywhere in the files, and every sealed value must open with
OpenSSL's AES-256-GCM / SM4-GCM (PyPI `cryptography`) and the key derivation and blob layout the
operations manual gives ("Encryption at rest"); each recipient's search hash must be the
manual's HMAC (hashlib's SHA-256 / SM3). Two runs:

1. the embedded default (AES-256-GCM, keys in the data folder), then a rotation with
   `hongyan keys add` + restart + `hongyan keys rekey`: every row under key 2 afterwards, and
   the recipient still found through the API;
2. `[encryption] algorithm = "sm4-gcm"` with the keys in an environment variable.

Usage: at_rest.py HONGYAN_BIN
"""
import base64
import hmac
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from hongyan_run import Server, call, new_account

NUMBERS = ["13800138000", "18612345678", "18912345678"]
TEXT = "您的个税汇算退税 2,318.55 元已到账，验证码 731946"
SIGNATURE = "某省税务局"
SIM = ["--sim-report-delay-ms", "50"]


# --- the manual's formulas ---------------------------------------------------------------
def subkeys(master: bytes, hash_name: str):
    seal = hmac.new(master, b"hongyan/v1/seal", hash_name).digest()
    index = hmac.new(master, b"hongyan/v1/index", hash_name).digest()
    return seal, index


def open_blob(keys: dict, label: str, blob: bytes) -> str:
    version, alg, key_id = blob[0], blob[1], int.from_bytes(blob[2:6], "big")
    assert version == 1, f"version {version}"
    nonce, body, tag = blob[6:18], blob[18:-16], blob[-16:]
    aad = label.encode() + blob[:6]
    if alg == 1:
        seal, _ = subkeys(keys[key_id], "sha256")
        algorithm = algorithms.AES(seal)
    else:
        seal, _ = subkeys(keys[key_id], "sm3")
        algorithm = algorithms.SM4(seal[:16])
    dec = Cipher(algorithm, modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    return (dec.update(body) + dec.finalize()).decode()


def search_hash(master: bytes, hash_name: str, number: str) -> bytes:
    _, index = subkeys(master, hash_name)
    return hmac.new(index, number.encode(), hash_name).digest()[:16]


def parse_keys(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        for entry in line.split("#")[0].replace(",", " ").split():
            key_id, key = entry.split(":", 1)
            out[int(key_id)] = base64.b64decode(key)
    return out


# --- running the server ------------------------------------------------------------------
def send_and_wait(port, key):
    call(port, "POST", "/api/v1/messages", key,
         {"to": NUMBERS, "content": TEXT, "category": "notification"})
    for _ in range(200):
        got = call(port, "GET", "/api/v1/messages?limit=100", key)
        items = got["messages"] if isinstance(got, dict) else got
        if sum(1 for m in items if m["status"] == "delivered") >= len(NUMBERS):
            return
        time.sleep(0.1)
    raise RuntimeError("messages were not delivered")


# --- the checks --------------------------------------------------------------------------
def check_files(data: str) -> list:
    problems = []
    blob = b"".join(open(os.path.join(data, f), "rb").read()
                    for f in os.listdir(data) if f.startswith("hongyan.db"))
    for secret in NUMBERS + [TEXT, "731946", "退税"]:
        if secret.encode() in blob:
            problems.append(f"{secret!r} is readable in the database files")
    return problems


def check_rows(data: str, keys: dict, want_key: int, want_alg: int) -> list:
    problems = []
    db = sqlite3.connect(f"file:{os.path.join(data, 'hongyan.db')}?mode=ro", uri=True)
    rows = db.execute("SELECT to_number, content, to_hash FROM messages").fetchall()
    raws = db.execute("SELECT report_raw FROM segments").fetchall()
    if len(rows) < len(NUMBERS):
        problems.append(f"{len(rows)} messages in the file")
    hash_name = "sha256" if want_alg == 1 else "sm3"
    for to_blob, content_blob, to_hash in rows:
        for blob in (to_blob, content_blob):
            if not isinstance(blob, bytes) or (blob[1], int.from_bytes(blob[2:6], "big")) != (want_alg, want_key):
                problems.append(f"not sealed with algorithm {want_alg} key {want_key}: {blob[:6]!r}")
        number = open_blob(keys, "to", to_blob)
        content = open_blob(keys, "content", content_blob)
        if number not in NUMBERS or TEXT not in content or SIGNATURE not in content:
            problems.append(f"opened to {number!r} / {content!r}")
        if to_hash != search_hash(keys[want_key], hash_name, number):
            problems.append(f"search hash of {number} is not the manual's HMAC")
    for (raw,) in raws:
        if raw is not None and not any(n in open_blob(keys, "raw", raw) for n in NUMBERS):
            problems.append("a raw report does not open to its fields")
    return problems


def default_ring_and_rotation(binary) -> list:
    data = tempfile.mkdtemp()
    server = Server(binary, data, SIM)
    key, _ = new_account(binary, data, SIGNATURE)
    send_and_wait(server.port, key)
    server.stop()
    keys_file = os.path.join(data, "hongyan.keys")
    problems = check_files(data) + check_rows(data, parse_keys(open(keys_file).read()), 1, 1)
    if oct(os.stat(keys_file).st_mode & 0o777) != "0o600":
        problems.append("the key file is readable by others")

    subprocess.check_call([binary, "keys", "add", "--data-dir", data], stdout=subprocess.DEVNULL)
    server = Server(binary, data, SIM)
    subprocess.check_call([binary, "keys", "rekey", "--data-dir", data], stdout=subprocess.DEVNULL)
    found = call(server.port, "GET", "/api/v1/messages?to=" + NUMBERS[1], key)
    items = found["messages"] if isinstance(found, dict) else found
    if [m["to"] for m in items] != [NUMBERS[1]]:
        problems.append(f"after rotation the search by recipient gave {items}")
    server.stop()
    problems += check_files(data) + check_rows(data, parse_keys(open(keys_file).read()), 2, 1)
    db = sqlite3.connect(f"file:{os.path.join(data, 'hongyan.db')}?mode=ro", uri=True)
    audited = db.execute(
        "SELECT action, after FROM audit_log WHERE action LIKE 'data_keys.%' ORDER BY id").fetchall()
    if [a for a, _ in audited] != ["data_keys.add", "data_keys.rekey"] or \
            any('"key_id":2' not in after for _, after in audited):
        problems.append(f"adding and rekeying were not audited as expected: {audited}")
    print(f"at rest, default AES-256-GCM + rotation: {len(problems)} problem(s)")
    return problems


def sm4_from_environment(binary) -> list:
    data = tempfile.mkdtemp()
    master = os.urandom(32)
    config = os.path.join(data, "hongyan.toml")
    with open(config, "w") as f:
        f.write('[encryption]\nalgorithm = "sm4-gcm"\nkey_env = "HY_INTEROP_KEYS"\n')
    env = dict(os.environ, HY_INTEROP_KEYS="7:" + base64.b64encode(master).decode())
    server = Server(binary, data, [*SIM, "--config", config], env)
    key, _ = new_account(binary, data, SIGNATURE)
    send_and_wait(server.port, key)
    server.stop()
    problems = check_files(data) + check_rows(data, {7: master}, 7, 2)
    if os.path.exists(os.path.join(data, "hongyan.keys")):
        problems.append("a key file was written although the keys come from the environment")
    print(f"at rest, SM4-GCM with keys from the environment: {len(problems)} problem(s)")
    return problems


def main() -> int:
    binary = sys.argv[1]
    problems = default_ring_and_rotation(binary) + sm4_from_environment(binary)
    for p in problems:
        print("  " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
