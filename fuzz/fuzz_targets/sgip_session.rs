//! Arbitrary bytes into both SGIP session kinds, split at a point taken from the first byte:
//! never panics. Bind requests are accepted and the client's Bind is answered between the two
//! halves, so the second half reaches the bound states; inbound requests are acknowledged,
//! one request of our own is in flight for responses to match, and every timer is run until
//! the session settles. Checked on the way: every frame a session sends is one whole frame
//! that decodes, closing events leave the session closed, and a closed session takes no more
//! input.
#![no_main]

use std::time::{Duration, Instant};

use hongyan_sgip_proto::pdu::{Bind, Deliver, Resp, Submit};
use hongyan_sgip_proto::session::{ClientEvent, ClientSession, ServerEvent, ServerSession, SessionConfig};
use hongyan_sgip_proto::{mmddhhmmss, Frame, LoginType, MessageCoding, Pdu, ResultCode, Sequence};
use libfuzzer_sys::fuzz_target;

const TIME: u32 = mmddhhmmss(11, 20, 20, 32, 25);
const MAX_FRAME: u32 = 4096;

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let (a, b) = data.split_at(split);
    // Which side also unbinds between the halves, so an Unbind_Resp in `b` has something to end.
    let unbind_early = data.len() % 2 == 1;
    server(a, b, now, unbind_early);
    client(a, b, now, unbind_early);
});

fn config(node_id: u32) -> SessionConfig {
    SessionConfig { node_id, max_frame_len: MAX_FRAME, ..SessionConfig::default() }
}

/// Our own output must be exactly one frame that decodes.
fn check_sent(bytes: &[u8]) -> Frame {
    assert_eq!(Frame::check(bytes, MAX_FRAME), Ok(Some(bytes.len())), "sent one whole frame: {bytes:02x?}");
    Frame::decode(bytes).unwrap_or_else(|e| panic!("sent a frame that does not decode ({e}): {bytes:02x?}"))
}

fn server(a: &[u8], b: &[u8], now: Instant, unbind_early: bool) {
    let mut s = ServerSession::new(config(101_001), now);
    let _ = s.handle_input(a, now);
    drain_server(&mut s);

    let t = now + Duration::from_secs(1);
    if s.can_send() {
        let deliver = Deliver {
            user_number: b"8613000000000".to_vec(),
            sp_number: b"10655".to_vec(),
            message_coding: MessageCoding::UCS2,
            message_content: vec![0x60, 0xA8, 0x59, 0x7D],
            ..Deliver::default()
        };
        s.deliver(t, TIME, deliver).expect("a bound session with room sends a valid Deliver");
    }
    if unbind_early {
        s.unbind(t, TIME);
    }
    drain_server(&mut s);

    let closed = s.is_closed();
    let _ = s.handle_input(b, t);
    if closed {
        assert!(s.poll_transmit().is_none() && s.poll_event().is_none(), "a closed session took input");
    }
    drain_server(&mut s);
    for _ in 0..64 {
        let Some(at) = s.poll_timeout() else { break };
        s.handle_timeout(at);
        drain_server(&mut s);
    }
    s.close();
    drain_server(&mut s);
}

fn drain_server(s: &mut ServerSession) {
    loop {
        let mut any = false;
        while let Some(bytes) = s.poll_transmit() {
            any = true;
            check_sent(&bytes);
        }
        while let Some(event) = s.poll_event() {
            any = true;
            match event {
                ServerEvent::BindRequest { sequence, bind } => {
                    let _ = bind.verify(b"hongyan", b"pa55word");
                    s.answer_bind(sequence, ResultCode::OK);
                }
                ServerEvent::Request { sequence, request } => {
                    let _ = request.validate();
                    // Leave some unanswered, to reach the "node busy" and duplicate paths.
                    if sequence.counter % 2 == 0 {
                        s.ack(sequence, ResultCode::OK);
                    }
                }
                ServerEvent::Unbound | ServerEvent::IdleClosed => {
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

fn client(a: &[u8], b: &[u8], now: Instant, unbind_early: bool) {
    let bind = Bind::new(LoginType::SP_TO_SMG, b"hongyan", b"pa55word");
    let mut c = ClientSession::new(config(3_010_099_999), bind);
    c.bind(now, TIME).expect("a valid Bind");
    let sent = c.poll_transmit().expect("bind() sends Bind");
    let bind_sequence = match check_sent(&sent) {
        Frame { sequence, pdu: Pdu::Bind(_) } => sequence,
        other => panic!("bind() sent {other:?}"),
    };
    let _ = c.handle_input(a, now);
    drain_client(&mut c);

    let t = now + Duration::from_secs(1);
    if !c.is_bound() && !c.is_closed() {
        let _ = c.handle_input(&bind_resp(bind_sequence), t);
        drain_client(&mut c);
    }
    if c.can_send() {
        let submit = Submit {
            sp_number: b"10655".to_vec(),
            user_numbers: vec![b"8613000000000".to_vec()],
            message_content: vec![0x60, 0xA8, 0x59, 0x7D],
            ..Submit::default()
        };
        c.submit(t, TIME, submit).expect("a bound session with room sends a valid Submit");
    }
    if unbind_early {
        c.unbind(t, TIME);
    }
    drain_client(&mut c);

    let closed = c.is_closed();
    let _ = c.handle_input(b, t);
    if closed {
        assert!(c.poll_transmit().is_none() && c.poll_event().is_none(), "a closed session took input");
    }
    drain_client(&mut c);
    for _ in 0..64 {
        let Some(at) = c.poll_timeout() else { break };
        c.handle_timeout(at);
        drain_client(&mut c);
    }
    c.close();
    drain_client(&mut c);
}

fn bind_resp(sequence: Sequence) -> Vec<u8> {
    Frame { sequence, pdu: Pdu::BindResp(Resp::new(ResultCode::OK)) }.encode()
}

fn drain_client(c: &mut ClientSession) {
    loop {
        let mut any = false;
        while let Some(bytes) = c.poll_transmit() {
            any = true;
            check_sent(&bytes);
        }
        while let Some(event) = c.poll_event() {
            any = true;
            match event {
                ClientEvent::Request { sequence, request } => {
                    let _ = request.validate();
                    if sequence.counter % 2 == 0 {
                        c.ack(sequence, ResultCode::OK);
                    }
                }
                ClientEvent::BindRejected { .. } | ClientEvent::Unbound | ClientEvent::LinkDead => {
                    assert!(c.is_closed(), "a closing event leaves the session closed");
                }
                _ => {}
            }
        }
        if !any {
            return;
        }
    }
}
