// An SMSC built on the npm `smpp` package (code we did not write), for Hongyan's SMPP channel
// to bind to. It accepts one system_id/password, answers submit_sm with a hex message id, logs
// what it decoded as one JSON line per PDU, and sends a delivery receipt (text + TLVs) after
// 100 ms. Usage: node smsc.js PORT SYSTEM_ID PASSWORD
'use strict';
const smpp = require('smpp');

const [port, systemId, password] = process.argv.slice(2);
let next = 0x5a000000;

function log(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function yymmddhhmm(d) {
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes());
}

const server = smpp.createServer((session) => {
  session.on('bind_transceiver', (pdu) => {
    const ok = pdu.system_id === systemId && pdu.password === password;
    log({ event: 'bind_transceiver', system_id: pdu.system_id, accepted: ok });
    session.send(pdu.response(ok ? {} : { command_status: smpp.ESME_RBINDFAIL }));
    if (!ok) session.close();
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    log({ event: 'unbind' });
    session.send(pdu.response());
    session.close();
  });
  session.on('submit_sm', (pdu) => {
    const id = (next++).toString(16);
    const sm = pdu.short_message || {};
    log({
      event: 'submit_sm',
      message_id: id,
      destination_addr: pdu.destination_addr,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      registered_delivery: pdu.registered_delivery,
      udh: sm.udh ? sm.udh.map((b) => Buffer.from(b).toString('hex')) : null,
      message: typeof sm.message === 'string' ? sm.message : null,
    });
    session.send(pdu.response({ message_id: id }));
    const date = yymmddhhmm(new Date());
    setTimeout(() => {
      session.deliver_sm({
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
        short_message: `id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} stat:DELIVRD err:000 text:`,
        receipted_message_id: id,
        message_state: smpp.MESSAGE_STATE.DELIVERED,
      }, (resp) => log({ event: 'deliver_sm_resp', message_id: id, command_status: resp.command_status }));
    }, 100);
  });
  session.on('error', (e) => log({ event: 'error', error: String(e) }));
});

server.listen(Number(port), '127.0.0.1', () => log({ event: 'listening', port: Number(port) }));
process.on('SIGTERM', () => process.exit(0));
