#!/usr/bin/env python3
"""Interop: python-smpplib against Hongyan's own SMPP server (not the simulator).

Usage: smpplib_server_client.py HOST PORT SYSTEM_ID PASSWORD SLOW_SYSTEM_ID SLOW_PASSWORD

Checks, each with smpplib as the client:
  1. a wrong password is refused with ESME_RBINDFAIL (the same answer as an unknown system_id);
  2. receipts owed while no receiver is bound wait: bind as transmitter, submit a long Chinese
     message, unbind; bind as receiver later and get one DELIVRD receipt per part id;
  3. an account over its rate (SLOW_*, limited to 1 message/s, burst 10) is answered
     ESME_RTHROTTLED.
Exits 0 when all hold; otherwise prints why and exits 1.
"""

import socket
import sys
import time

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

TEXT = "尊敬的纳税人：您的个人所得税年度汇算申报已受理，请留意后续通知。" * 3
DEST = "13800138000"


class Failure(Exception):
    pass


def client(host, port):
    c = smpplib.client.Client(host, port, timeout=1, allow_unknown_opt_params=True)
    c.connect()
    return c


def close(c):
    for step in (c.unbind, c.disconnect):
        try:
            step()
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


def wrong_password(host, port, system_id):
    c = client(host, port)
    try:
        c.bind_transmitter(system_id=system_id, password="wrongpw")
    except smpplib.exceptions.PDUError as e:
        if e.args[1] != smpplib.consts.SMPP_ESME_RBINDFAIL:
            raise Failure("wrong password answered %r, expected ESME_RBINDFAIL" % (e.args,))
        return
    finally:
        close(c)
    raise Failure("a wrong password was accepted")


def pump(c, until, deadline):
    while not until():
        if time.monotonic() > deadline:
            raise Failure("timed out")
        try:
            c.listen(auto_send_enquire_link=False)
        except socket.timeout:
            pass


def offline_then_rebind(host, port, system_id, password):
    ids = []
    tx = client(host, port)
    tx.set_message_sent_handler(lambda pdu, **_: ids.append(pdu.message_id.decode()))
    tx.bind_transmitter(system_id=system_id, password=password)
    parts, coding, esm_class = smpplib.gsm.make_parts(TEXT)
    for part in parts:
        tx.send_message(source_addr="10690001", destination_addr=DEST, short_message=part,
                        data_coding=coding, esm_class=esm_class, registered_delivery=True)
    pump(tx, lambda: len(ids) == len(parts), time.monotonic() + 20)
    close(tx)
    time.sleep(2)  # the simulated carrier reports after 100 ms; nobody is bound to receive them
    receipts = {}

    def on_receipt(pdu, **_):
        receipts[pdu.receipted_message_id.decode().rstrip("\0")] = pdu.short_message
        return smpplib.consts.SMPP_ESME_ROK

    rx = client(host, port)
    rx.set_message_received_handler(on_receipt)
    rx.bind_receiver(system_id=system_id, password=password)
    try:
        pump(rx, lambda: len(receipts) >= len(parts), time.monotonic() + 20)
    finally:
        close(rx)
    if sorted(receipts) != sorted(ids):
        raise Failure("receipts for %r, submitted %r" % (sorted(receipts), sorted(ids)))
    if not all(b"stat:DELIVRD" in text for text in receipts.values()):
        raise Failure("not all delivered: %r" % receipts)
    return len(parts)


def throttled(host, port, system_id, password):
    statuses = []
    c = client(host, port)
    c.set_message_sent_handler(lambda pdu, **_: statuses.append(pdu.status))
    # smpplib hands an error response to both handlers; count it once, and do not raise.
    c.set_error_pdu_handler(lambda pdu, **_: None)
    c.bind_transceiver(system_id=system_id, password=password)
    try:
        # The account may send 1 a second with a burst of 10.
        for i in range(15):
            c.send_message(source_addr="10690002", destination_addr="139001390%02d" % i,
                           short_message=b"notice %d" % i, data_coding=0)
        pump(c, lambda: len(statuses) >= 15, time.monotonic() + 20)
    finally:
        close(c)
    if smpplib.consts.SMPP_ESME_RTHROTTLED not in statuses or smpplib.consts.SMPP_ESME_ROK not in statuses:
        raise Failure("expected some ESME_ROK and some ESME_RTHROTTLED, got %r" % statuses)


def main(argv):
    host, port, sid, pw, slow_sid, slow_pw = argv[1], int(argv[2]), argv[3], argv[4], argv[5], argv[6]
    try:
        wrong_password(host, port, sid)
        parts = offline_then_rebind(host, port, sid, pw)
        throttled(host, port, slow_sid, slow_pw)
    except (Failure, smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError) as e:
        print("smpplib vs our SMPP server FAILED: %s" % (e.args,), file=sys.stderr)
        return 1
    print("smpplib vs our SMPP server OK: bind refused, %d receipts after rebinding, throttled" % parts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
