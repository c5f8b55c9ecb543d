#!/usr/bin/env python3
"""Interop: python-smpplib over TLS (Python's ssl module) to Hongyan's SMPP server.

Usage: smpplib_tls.py HOST PORT SYSTEM_ID PASSWORD CA_FILE

Binds as a transceiver over TLS, verifying the server's certificate against CA_FILE, submits one
message and expects ESME_ROK with a message_id. Also checks that a plain-TCP bind to the same
port gets nowhere. Exits 0 when both hold.
"""
import socket
import ssl
import sys

import smpplib.client
import smpplib.consts
import smpplib.exceptions


def main(argv):
    host, port, system_id, password, ca = argv[1], int(argv[2]), argv[3], argv[4], argv[5]
    context = ssl.create_default_context(cafile=ca)
    # smpplib wraps its socket without a server_hostname, so the name cannot be checked; the
    # chain still must verify against CA_FILE (CERT_REQUIRED).
    context.check_hostname = False
    ids = []
    client = smpplib.client.Client(host, port, timeout=5, ssl_context=context, allow_unknown_opt_params=True)
    client.set_message_sent_handler(lambda pdu, **_: ids.append(pdu.message_id))
    try:
        client.connect()
        client.bind_transceiver(system_id=system_id, password=password)
        client.send_message(source_addr="10690003", destination_addr="13800138000",
                            short_message="TLS test".encode(), data_coding=0)
        client.read_once(auto_send_enquire_link=False)
        client.unbind()
    except (smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, ssl.SSLError, OSError) as e:
        print("smpplib over TLS FAILED: %r" % (e,), file=sys.stderr)
        return 1
    finally:
        client.disconnect()
    if len(ids) != 1 or not ids[0]:
        print("smpplib over TLS FAILED: submit answered %r" % ids, file=sys.stderr)
        return 1
    plain = smpplib.client.Client(host, port, timeout=2, allow_unknown_opt_params=True)
    try:
        plain.connect()
        plain.bind_transceiver(system_id=system_id, password=password)
        print("smpplib over TLS FAILED: a plain bind worked on the TLS port", file=sys.stderr)
        return 1
    except (smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, socket.timeout, OSError):
        pass
    finally:
        try:
            plain.disconnect()
        except Exception:  # noqa: BLE001 - best effort
            pass
    print("smpplib over TLS OK: certificate verified, submit accepted; plain TCP refused")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
