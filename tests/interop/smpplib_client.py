#!/usr/bin/env python3
"""Interop: python-smpplib 2.x, an SMPP 3.4 client we did not write, against an SMSC.

Usage: python3 tests/interop/smpplib_client.py HOST PORT SYSTEM_ID PASSWORD

Binds as a transceiver, submits one long Chinese message as UCS2 parts (UDH-concatenated,
split by smpplib.gsm.make_parts) with registered_delivery, and waits for one delivery
receipt per part. Each receipt must be a deliver_sm with esm_class 0x04 whose
receipted_message_id TLV is a message_id some submit_sm_resp gave, whose text's id: agrees
with it, and whose stat is DELIVRD. Exits 0 when all hold; otherwise prints why and exits 1.
"""

import re
import socket
import sys
import time

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

# Long enough for three UCS2 parts (67 characters each beside the UDH).
TEXT = (
    "鸿雁传书，千里寄情。这是一条用于互通测试的长短信：它被拆成若干段，"
    "每一段都以UCS2编码发送，并要求短信中心返回状态报告。"
    "测试程序核对每份状态报告里的消息编号与提交应答中的编号一致，且状态为已送达。"
    "若有任何一段缺失或状态不符，测试即告失败，并说明原因。"
    "短信中心由鸿雁的模拟器扮演，客户端则是第三方的开源实现，双方素不相识，正好检验协议的理解是否一致。"
)
SOURCE = "10690000"
# A test number; it is never printed.
DEST = "8613800138000"
# Whole run, from bind to the last receipt.
DEADLINE_SECONDS = 30
# How long one read may block before the loop checks progress and the deadline.
READ_TIMEOUT_SECONDS = 1

STAT = re.compile(rb"(?:^|\s)stat:(\S*)", re.IGNORECASE)
TEXT_ID = re.compile(rb"(?:^|\s)id:(\S*)", re.IGNORECASE)


class Failure(Exception):
    """The check failed; the message says why."""


class Run:
    """What the SMSC has answered so far."""

    def __init__(self):
        self.sequences = set()  # sequence_numbers of our submit_sm
        self.message_ids = []  # message_id of each submit_sm_resp, in arrival order
        self.receipts = []  # (receipted_message_id, text id, stat, esm_class)

    def on_sent(self, pdu, **_):
        if pdu.sequence not in self.sequences:
            raise Failure("submit_sm_resp for a sequence_number we never used: %d" % pdu.sequence)
        self.message_ids.append(as_text(pdu.message_id))

    def on_received(self, pdu, **_):
        text = pdu.short_message or b""
        stat = STAT.search(text)
        text_id = TEXT_ID.search(text)
        self.receipts.append(
            (
                as_text(getattr(pdu, "receipted_message_id", None)),
                as_text(text_id.group(1)) if text_id else None,
                as_text(stat.group(1)) if stat else None,
                pdu.esm_class,
            )
        )
        return smpplib.consts.SMPP_ESME_ROK  # acknowledged: the SMSC may strike it

    def done(self, parts):
        return len(self.message_ids) >= parts and len(self.receipts) >= parts


def as_text(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return str(value)


def submit_all(client, run):
    parts, coding, esm_class = smpplib.gsm.make_parts(TEXT)
    if coding != smpplib.consts.SMPP_ENCODING_ISO10646 or len(parts) < 2:
        raise Failure("expected several UCS2 parts, got %d part(s) in data_coding %d" % (len(parts), coding))
    for part in parts:
        pdu = client.send_message(
            source_addr_ton=smpplib.consts.SMPP_TON_UNK,
            source_addr_npi=smpplib.consts.SMPP_NPI_UNK,
            source_addr=SOURCE,
            dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
            dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
            destination_addr=DEST,
            short_message=part,
            data_coding=coding,
            esm_class=esm_class,
            registered_delivery=True,
        )
        run.sequences.add(pdu.sequence)
    return len(parts)


def listen_until_done(client, run, parts, deadline):
    """listen() until every answer is in; the socket timeout hands control back to check."""
    while not run.done(parts):
        if time.monotonic() > deadline:
            raise Failure(
                "timed out: %d of %d submit_sm_resp, %d of %d receipts"
                % (len(run.message_ids), parts, len(run.receipts), parts)
            )
        try:
            client.listen(auto_send_enquire_link=False)
        except socket.timeout:
            pass


def check(run, parts):
    ids = run.message_ids
    if len(set(ids)) != parts or not all(ids):
        raise Failure("expected %d distinct message ids, got %r" % (parts, ids))
    seen = set()
    for receipted, text_id, stat, esm_class in run.receipts:
        if not esm_class & 0x04:
            raise Failure("a deliver_sm with esm_class %#04x is not a delivery receipt" % esm_class)
        if receipted not in ids:
            raise Failure("receipt for %r, which no submit_sm_resp gave (have %r)" % (receipted, ids))
        if text_id != receipted:
            raise Failure("receipt text says id:%r but receipted_message_id is %r" % (text_id, receipted))
        if stat != "DELIVRD":
            raise Failure("receipt for %s has stat %r, expected DELIVRD" % (receipted, stat))
        if receipted in seen:
            raise Failure("two receipts for %s" % receipted)
        seen.add(receipted)
    if seen != set(ids):
        raise Failure("no receipt for %r" % sorted(set(ids) - seen))


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    host, port, system_id, password = argv[1], int(argv[2]), argv[3], argv[4]
    run = Run()
    client = smpplib.client.Client(host, port, timeout=READ_TIMEOUT_SECONDS, allow_unknown_opt_params=True)
    client.set_message_sent_handler(run.on_sent)
    client.set_message_received_handler(run.on_received)
    try:
        client.connect()
        client.bind_transceiver(system_id=system_id, password=password)
        parts = submit_all(client, run)
        listen_until_done(client, run, parts, time.monotonic() + DEADLINE_SECONDS)
        check(run, parts)
    except (Failure, smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError) as e:
        reason = e.args[0] if e.args else type(e).__name__
        print("smpplib interop FAILED: %s" % reason, file=sys.stderr)
        return 1
    finally:
        close(client)
    print("smpplib interop OK: %d UCS2 parts submitted, %d DELIVRD receipts matched" % (parts, len(run.receipts)))
    return 0


def close(client):
    try:
        if client.state != smpplib.consts.SMPP_CLIENT_STATE_CLOSED:
            client.unbind()
    except Exception:  # noqa: BLE001 - best effort on the way out; the verdict is already made
        pass
    try:
        client.disconnect()
    except Exception:  # noqa: BLE001
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv))
