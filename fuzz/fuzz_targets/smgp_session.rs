//! Arbitrary bytes into both SMGP session kinds, split at a point taken from the first byte:
//! never panics. Logins are accepted and the client's Login is answered between the two
//! halves, so the second half reaches the logged-in states; Submits, Queries and Delivers are
//! answered, one request of our own is in flight for responses to match, and every timer is
//! run until the session settles. Checked on the way: every frame a session sends is one
//! whole frame that decodes, closing events leave the session closed, and a closed session
//! takes no more input.
#![no_main]

use std::time::{Duration, Instant};

use hongyan_smgp_proto::pdu::{Deliver, LoginResp, QueryResp, Submit, SubmitResp};
use hongyan_smgp_proto::session::{ClientEvent, ClientSession, ServerEvent, ServerSession, SessionConfig};
use hongyan_smgp_proto::{Frame, LoginMode, MsgFormat, MsgId, Pdu, Status, Version};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"secret";
const MAX_FRAME: u32 = 4096;

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let (a, b) = data.split_at(split);
    // Whether each side also sends Exit between the halves, so an Exit_Resp in `b` has
    // something to end.
    let exit_early = data.len() % 2 == 1;
    server(a, b, now, exit_early);
    client(a, b, now, exit_early);
});

fn config() -> SessionConfig {
    SessionConfig { max_frame_len: MAX_FRAME, ..SessionConfig::default() }
}

/// Our own output must be exactly one frame that decodes.
fn check_sent(bytes: &[u8]) -> Frame {
    assert_eq!(Frame::check(bytes, MAX_FRAME), Ok(Some(bytes.len())), "sent one whole frame: {bytes:02x?}");
    Frame::decode(bytes).unwrap_or_else(|e| panic!("sent a frame that does not decode ({e}): {bytes:02x?}"))
}

fn server(a: &[u8], b: &[u8], now: Instant, exit_early: bool) {
    let mut s = ServerSession::new(config());
    let _ = s.handle_input(a, now);
    drain_server(&mut s);

    let t = now + Duration::from_secs(1);
    if s.can_deliver() {
        let deliver = Deliver {
            msg_format: MsgFormat::UCS2,
            recv_time: b"20250116170000".to_vec(),
            src_term_id: b"8613300000000".to_vec(),
            dest_term_id: b"10690000".to_vec(),
            msg_content: vec![0x60, 0xA8, 0x59, 0x7D],
            ..Deliver::default()
        };
        s.deliver(t, deliver).expect("a logged-in session with room sends a valid Deliver");
    }
    if exit_early {
        s.exit(t);
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
                ServerEvent::LoginRequest { sequence_id, login } => {
                    let _ = login.verify(SECRET);
                    s.answer_login(sequence_id, &login, Status::OK, SECRET);
                }
                ServerEvent::Submit { sequence_id, submit } => {
                    let _ = submit.validate();
                    // Leave some unanswered, so their retransmissions arrive to a full window.
                    if sequence_id % 2 == 0 {
                        s.answer_submit(sequence_id, SubmitResp { msg_id: MsgId([0x01; 10]), status: Status::OK });
                    }
                }
                ServerEvent::Query { sequence_id, query } => {
                    let resp = QueryResp {
                        query_time: query.query_time,
                        query_type: query.query_type,
                        query_code: query.query_code,
                        ..QueryResp::default()
                    };
                    s.answer_query(sequence_id, resp);
                }
                ServerEvent::Exited | ServerEvent::LinkDead => {
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

fn client(a: &[u8], b: &[u8], now: Instant, exit_early: bool) {
    let mut c = ClientSession::new(config(), b"901234".to_vec(), SECRET.to_vec(), LoginMode::TRANSMIT);
    c.login(now, 116_170_000);
    let sent = c.poll_transmit().expect("login() sends Login");
    let (login_sequence, login) = match check_sent(&sent) {
        Frame { sequence_id, pdu: Pdu::Login(login) } => (sequence_id, login),
        other => panic!("login() sent {other:?}"),
    };
    assert!(login.verify(SECRET), "our Login carries a valid authenticator");
    let _ = c.handle_input(a, now);
    drain_client(&mut c);

    let t = now + Duration::from_secs(1);
    if c.server_authenticated().is_none() && !c.is_closed() {
        let resp = LoginResp::new(Status::OK, &login.authenticator, SECRET, Version::V30);
        let _ = c.handle_input(&Frame { sequence_id: login_sequence, pdu: Pdu::LoginResp(resp) }.encode(), t);
        drain_client(&mut c);
    }
    if c.can_submit() {
        let submit = Submit {
            src_term_id: b"10690000".to_vec(),
            dest_term_ids: vec![b"8613300000000".to_vec()],
            msg_content: vec![0x60, 0xA8, 0x59, 0x7D],
            ..Submit::default()
        };
        c.submit(t, submit).expect("a logged-in session with room sends a valid Submit");
    }
    if exit_early {
        c.exit(t);
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
                ClientEvent::Deliver { sequence_id, deliver } => {
                    if let Some(report) = deliver.report() {
                        let _ = report.map(|r| r.is_delivered());
                    }
                    if sequence_id % 2 == 0 {
                        c.ack_deliver(sequence_id, deliver.msg_id, Status::OK);
                    }
                }
                ClientEvent::LoginRejected { .. } | ClientEvent::LinkDead | ClientEvent::Exited => {
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
