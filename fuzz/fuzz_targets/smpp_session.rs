//! Arbitrary bytes into both SMPP session kinds, split at a point taken from the first byte:
//! never panics. Binds are accepted and the ESME's bind is answered between the two halves,
//! so the second half reaches the bound states; every request the SMSC reports is answered,
//! deliver_sm and data_sm are acknowledged, one request of our own is in flight for
//! responses to match, and every timer is run until the session settles. The input length
//! picks whether the SMSC starts with outbind (and the ESME binds only after the first half)
//! and whether both sides unbind between the halves. Checked on the way: every frame a
//! session sends is one whole frame that decodes, closing events leave the session closed,
//! and a closed session takes no more input.
#![no_main]

use std::time::{Duration, Instant};

use hongyan_smpp_proto::pdu::{
    Bind, BindMode, BindResp, DataSmResp, DeliverSm, Outbind, QuerySmResp, SubmitMultiResp, SubmitSm,
};
use hongyan_smpp_proto::session::{EsmeEvent, EsmeSession, SessionConfig, SmscEvent, SmscSession};
use hongyan_smpp_proto::{Address, CommandStatus, DataCoding, Frame, Pdu};
use libfuzzer_sys::fuzz_target;

const MAX_FRAME: u32 = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let (a, b) = data.split_at(split);
    let unbind_early = data.len() % 2 == 1;
    let outbind_first = data.len() % 4 >= 2;
    smsc(a, b, now, unbind_early, outbind_first);
    esme(a, b, now, unbind_early, outbind_first);
});

fn config() -> SessionConfig {
    SessionConfig { max_frame_len: MAX_FRAME, ..SessionConfig::default() }
}

/// Our own output must be exactly one frame that decodes.
fn check_sent(bytes: &[u8]) -> Frame {
    assert_eq!(Frame::check(bytes, MAX_FRAME), Ok(Some(bytes.len())), "sent one whole frame: {bytes:02x?}");
    Frame::decode(bytes).unwrap_or_else(|e| panic!("sent a frame that does not decode ({e}): {bytes:02x?}"))
}

fn smsc(a: &[u8], b: &[u8], now: Instant, unbind_early: bool, outbind_first: bool) {
    let mut s = SmscSession::new(config(), now);
    if outbind_first {
        let outbind = Outbind { system_id: b"smsc".to_vec(), password: b"pw".to_vec() };
        s.outbind(outbind).expect("outbind on a fresh session");
    }
    let _ = s.handle_input(a, now);
    drain_smsc(&mut s);

    let t = now + Duration::from_secs(1);
    if s.can_deliver() {
        let deliver = DeliverSm {
            source: Address::international("8613800138000"),
            dest: Address::international("10690000"),
            data_coding: DataCoding(8),
            short_message: vec![0x60, 0xA8, 0x59, 0x7D],
            ..DeliverSm::default()
        };
        s.deliver(t, deliver).expect("a bound receiver with room takes a valid deliver_sm");
    }
    if unbind_early {
        s.unbind(t);
    }
    drain_smsc(&mut s);

    let closed = s.is_closed();
    let _ = s.handle_input(b, t);
    if closed {
        assert!(s.poll_transmit().is_none() && s.poll_event().is_none(), "a closed session took input");
    }
    drain_smsc(&mut s);
    for _ in 0..64 {
        let Some(at) = s.poll_timeout() else { break };
        s.handle_timeout(at);
        drain_smsc(&mut s);
    }
}

fn drain_smsc(s: &mut SmscSession) {
    let ok = CommandStatus::ESME_ROK;
    loop {
        let mut any = false;
        while let Some(bytes) = s.poll_transmit() {
            any = true;
            check_sent(&bytes);
        }
        while let Some(event) = s.poll_event() {
            any = true;
            match event {
                SmscEvent::BindRequest { sequence, bind } => {
                    let _ = bind.validate();
                    s.answer_bind(sequence, ok, "smsc");
                }
                // Leave some submits unanswered, so the window and their time-outs are reached.
                SmscEvent::Submit { sequence, submit } if sequence % 2 == 0 => {
                    let _ = submit.validate();
                    s.answer_submit(sequence, ok, "0123456789");
                }
                SmscEvent::SubmitMulti { sequence, .. } => {
                    s.answer_submit_multi(sequence, ok, SubmitMultiResp::default());
                }
                SmscEvent::DataSm { sequence, .. } => {
                    s.answer_data_sm(sequence, ok, DataSmResp::default());
                }
                SmscEvent::Query { sequence, query } => {
                    let resp = QuerySmResp { message_id: query.message_id, ..QuerySmResp::default() };
                    s.answer_query(sequence, ok, resp);
                }
                SmscEvent::Cancel { sequence, .. } => {
                    s.answer_cancel(sequence, ok);
                }
                SmscEvent::Replace { sequence, .. } => {
                    s.answer_replace(sequence, CommandStatus::ESME_RREPLACEFAIL);
                }
                SmscEvent::Unbound | SmscEvent::LinkDead => {
                    assert!(s.is_closed(), "a closing event leaves the session closed");
                }
                _ => {}
            }
        }
        if !any {
            return;
        }
    }
}

fn esme(a: &[u8], b: &[u8], now: Instant, unbind_early: bool, outbind_first: bool) {
    let mut e = EsmeSession::new(config());
    let bind = Bind::new(BindMode::Transceiver, "hongyan", "pa55word");
    let mut bind_sequence = None;
    if !outbind_first {
        bind_sequence = Some(send_bind(&mut e, now, bind.clone()));
    }
    let _ = e.handle_input(a, now);
    drain_esme(&mut e);

    let t = now + Duration::from_secs(1);
    if outbind_first && !e.is_closed() {
        // Whether or not an outbind came, bind now (an ESME may refuse to, but we want in).
        if let Ok(sequence) = e.bind(t, bind.clone()) {
            let sent = e.poll_transmit().expect("bind() sends a bind");
            check_sent(&sent);
            bind_sequence = Some(sequence);
        }
    }
    if let Some(sequence) = bind_sequence {
        if e.bind_mode().is_none() && !e.is_closed() {
            let resp = Frame::new(sequence, Pdu::BindResp(BindResp::new(BindMode::Transceiver, "smsc")));
            let _ = e.handle_input(&resp.encode(), t);
            drain_esme(&mut e);
        }
    }
    if e.can_submit() {
        let submit = SubmitSm {
            source: Address::international("10690000"),
            dest: Address::international("8613800138000"),
            data_coding: DataCoding(8),
            short_message: vec![0x60, 0xA8, 0x59, 0x7D],
            ..SubmitSm::default()
        };
        e.submit(t, submit).expect("a bound transmitter with room sends a valid submit_sm");
    }
    if unbind_early {
        e.unbind(t);
    }
    drain_esme(&mut e);

    let closed = e.is_closed();
    let _ = e.handle_input(b, t);
    if closed {
        assert!(e.poll_transmit().is_none() && e.poll_event().is_none(), "a closed session took input");
    }
    drain_esme(&mut e);
    for _ in 0..64 {
        let Some(at) = e.poll_timeout() else { break };
        e.handle_timeout(at);
        drain_esme(&mut e);
    }
}

fn send_bind(e: &mut EsmeSession, now: Instant, bind: Bind) -> u32 {
    let sequence = e.bind(now, bind).expect("a valid bind on a fresh session");
    let sent = e.poll_transmit().expect("bind() sends a bind");
    match check_sent(&sent) {
        Frame { pdu: Pdu::Bind(_), sequence_number, .. } if sequence_number == sequence => sequence,
        other => panic!("bind() sent {other:?}"),
    }
}

fn drain_esme(e: &mut EsmeSession) {
    loop {
        let mut any = false;
        while let Some(bytes) = e.poll_transmit() {
            any = true;
            check_sent(&bytes);
        }
        while let Some(event) = e.poll_event() {
            any = true;
            match event {
                EsmeEvent::Deliver { sequence, deliver } => {
                    let _ = (deliver.receipt(), deliver.receipted_message_id(), deliver.message_state());
                    if sequence % 2 == 0 {
                        e.ack_deliver(sequence, CommandStatus::ESME_ROK);
                    }
                }
                EsmeEvent::DataSm { sequence, .. } => {
                    e.ack_data_sm(sequence, CommandStatus::ESME_ROK, DataSmResp::default());
                }
                EsmeEvent::BindRejected { .. } | EsmeEvent::Unbound | EsmeEvent::LinkDead => {
                    assert!(e.is_closed(), "a closing event leaves the session closed");
                }
                _ => {}
            }
        }
        if !any {
            return;
        }
    }
}
