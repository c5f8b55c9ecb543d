//! Property tests over the public API: for every PDU, any field values within their wire
//! sizes survive encode → decode unchanged, with the Message Length the spec's formula gives;
//! and no input, however odd, makes a decoder or a session panic.

use hongyan_sgip_proto::pdu::{Bind, Deliver, Report, Resp, Submit, Trace, TraceNode, TraceResp, UserRpt};
use hongyan_sgip_proto::{
    ClientEvent, ClientSession, ErrorCode, FeeType, Frame, LoginType, MessageCoding, Pdu, ReportFlag, ReportState,
    ReportType, ResultCode, Sequence, ServerEvent, ServerSession, SessionConfig, UserCondition,
};
use proptest::collection::vec;
use proptest::prelude::*;
use std::time::Instant;

/// A text field's value as it reads back: no NUL (it ends the text) and no trailing space
/// (padding some peers use, trimmed on decode). 0x21..=0xFF keeps both out and covers GBK.
fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(0x21u8..=0xff, 0..=max)
}

fn sequence() -> impl Strategy<Value = Sequence> {
    (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(node_id, time, counter)| Sequence { node_id, time, counter })
}

fn reserve() -> impl Strategy<Value = [u8; 8]> {
    any::<[u8; 8]>()
}

fn content() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=600)
}

fn bind() -> impl Strategy<Value = Bind> {
    (any::<u8>(), text(16), text(16), reserve()).prop_map(|(t, login_name, login_password, reserve)| Bind {
        login_type: LoginType(t),
        login_name,
        login_password,
        reserve,
    })
}

fn resp() -> impl Strategy<Value = Resp> {
    (any::<u8>(), reserve()).prop_map(|(r, reserve)| Resp { result: ResultCode(r), reserve })
}

fn submit() -> impl Strategy<Value = Submit> {
    let addresses = (text(21), text(21), vec(text(21), 1..=100), text(5), text(10));
    let billing = (any::<u8>(), text(6), text(6), any::<[u8; 3]>(), text(16), text(16));
    let message = (any::<[u8; 5]>(), any::<u8>(), content(), reserve());
    (addresses, billing, message).prop_map(|(a, b, m)| Submit {
        sp_number: a.0,
        charge_number: a.1,
        user_numbers: a.2,
        corp_id: a.3,
        service_type: a.4,
        fee_type: FeeType(b.0),
        fee_value: b.1,
        given_value: b.2,
        agent_flag: b.3[0],
        morelateto_mt_flag: b.3[1],
        priority: b.3[2],
        expire_time: b.4,
        schedule_time: b.5,
        report_flag: ReportFlag(m.0[0]),
        tp_pid: m.0[1],
        tp_udhi: m.0[2],
        message_coding: MessageCoding(m.0[3]),
        message_type: m.0[4],
        message_content: m.2,
        reserve: m.3,
    })
}

fn deliver() -> impl Strategy<Value = Deliver> {
    (text(21), text(21), any::<[u8; 3]>(), content(), reserve()).prop_map(|(user, sp, b, message_content, reserve)| {
        Deliver {
            user_number: user,
            sp_number: sp,
            tp_pid: b[0],
            tp_udhi: b[1],
            message_coding: MessageCoding(b[2]),
            message_content,
            reserve,
        }
    })
}

fn report() -> impl Strategy<Value = Report> {
    (sequence(), any::<[u8; 3]>(), text(21), reserve()).prop_map(|(submit_sequence, b, user_number, reserve)| Report {
        submit_sequence,
        report_type: ReportType(b[0]),
        user_number,
        state: ReportState(b[1]),
        error_code: ErrorCode(b[2]),
        reserve,
    })
}

fn user_rpt() -> impl Strategy<Value = UserRpt> {
    (text(21), text(21), any::<u8>(), reserve()).prop_map(|(sp_number, user_number, c, reserve)| UserRpt {
        sp_number,
        user_number,
        user_condition: UserCondition(c),
        reserve,
    })
}

fn trace() -> impl Strategy<Value = Trace> {
    (sequence(), text(21), reserve()).prop_map(|(submit_sequence, user_number, reserve)| Trace {
        submit_sequence,
        user_number,
        reserve,
    })
}

fn trace_resp() -> impl Strategy<Value = TraceResp> {
    let node = (any::<u8>(), text(6), text(16), text(16), reserve()).prop_map(|(r, node_id, rx, tx, reserve)| {
        TraceNode { result: ResultCode(r), node_id, receive_time: rx, send_time: tx, reserve }
    });
    vec(node, 0..=20).prop_map(|nodes| TraceResp { nodes })
}

/// Any PDU this crate decodes, with the Message Length the spec gives for it.
fn pdu() -> impl Strategy<Value = (Pdu, usize)> {
    prop_oneof![
        bind().prop_map(|b| (Pdu::Bind(b), 61)),
        resp().prop_map(|r| (Pdu::BindResp(r), 29)),
        Just((Pdu::Unbind, 20)),
        Just((Pdu::UnbindResp, 20)),
        submit().prop_map(|s| {
            let len = 143 + 21 * s.user_numbers.len() + s.message_content.len();
            (Pdu::Submit(s), len)
        }),
        resp().prop_map(|r| (Pdu::SubmitResp(r), 29)),
        deliver().prop_map(|d| {
            let len = 77 + d.message_content.len();
            (Pdu::Deliver(d), len)
        }),
        resp().prop_map(|r| (Pdu::DeliverResp(r), 29)),
        report().prop_map(|r| (Pdu::Report(r), 64)),
        resp().prop_map(|r| (Pdu::ReportResp(r), 29)),
        user_rpt().prop_map(|u| (Pdu::UserRpt(u), 71)),
        resp().prop_map(|r| (Pdu::UserRptResp(r), 29)),
        trace().prop_map(|t| (Pdu::Trace(t), 61)),
        trace_resp().prop_map(|t| {
            let len = 21 + 47 * t.nodes.len();
            (Pdu::TraceResp(t), len)
        }),
    ]
}

proptest! {
    #[test]
    fn every_pdu_round_trips_with_the_spec_length((pdu, len) in pdu(), sequence in sequence()) {
        let frame = Frame { sequence, pdu };
        let bytes = frame.encode();
        prop_assert_eq!(bytes.len(), len);
        prop_assert_eq!(&bytes[..4], &(len as u32).to_be_bytes()[..]);
        prop_assert_eq!(Frame::check(&bytes, 8192), Ok(Some(len)));
        prop_assert_eq!(Frame::decode(&bytes), Ok(frame));
    }

    #[test]
    fn unknown_commands_round_trip_byte_for_byte(
        command in any::<u32>().prop_filter("not a known command", |c| !is_known(*c)),
        sequence in sequence(),
        body in vec(any::<u8>(), 0..100),
    ) {
        let mut bytes = ((20 + body.len()) as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(&command.to_be_bytes());
        for part in [sequence.node_id, sequence.time, sequence.counter] {
            bytes.extend_from_slice(&part.to_be_bytes());
        }
        bytes.extend_from_slice(&body);
        let frame = Frame::decode(&bytes).unwrap();
        let is_unknown = matches!(frame.pdu, Pdu::Unknown { .. });
        prop_assert!(is_unknown);
        prop_assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn decoding_anything_never_panics(
        command in prop_oneof![1u32..=0x11, Just(0x1000)],
        response: bool,
        body in vec(any::<u8>(), 0..300),
    ) {
        let command = if response { command | 0x8000_0000 } else { command };
        let mut bytes = ((20 + body.len()) as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(&command.to_be_bytes());
        bytes.extend_from_slice(&[0; 12]);
        bytes.extend_from_slice(&body);
        let _ = Frame::decode(&bytes);
    }

    #[test]
    fn a_session_survives_any_bytes(chunks in vec(vec(any::<u8>(), 0..80), 0..10)) {
        let now = Instant::now();
        let mut server = ServerSession::new(SessionConfig::default(), now);
        for chunk in &chunks {
            if server.handle_input(chunk, now).is_err() {
                prop_assert!(server.is_closed());
            }
        }
        while server.poll_transmit().is_some() {}
        while server.poll_event().is_some() {}
    }

    /// A bound server fed frames with sane lengths and random bodies: every request gets an
    /// answer or an event, nothing panics, and only a well-formed Unbind closes it.
    #[test]
    fn a_bound_session_survives_sane_frames_with_any_body(
        frames in vec((traffic_command(), vec(any::<u8>(), 0..200)), 1..20),
    ) {
        let now = Instant::now();
        let mut server = bound_server(now);
        for (counter, (command, body)) in frames.into_iter().enumerate() {
            let mut bytes = ((20 + body.len()) as u32).to_be_bytes().to_vec();
            bytes.extend_from_slice(&command.to_be_bytes());
            bytes.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]);
            bytes.extend_from_slice(&(counter as u32).to_be_bytes());
            bytes.extend_from_slice(&body);
            prop_assert!(server.handle_input(&bytes, now).is_ok());
            if server.is_closed() {
                // Only a well-formed Unbind ends a bound session.
                prop_assert!(command == 2 && body.is_empty());
                break;
            }
            while server.poll_transmit().is_some() {}
            while server.poll_event().is_some() {}
        }
    }
}

/// True for the commands this crate decodes (requests and responses).
fn is_known(command: u32) -> bool {
    matches!(command & 0x7fff_ffff, 1..=5 | 0x11 | 0x1000)
}

/// Requests (and one response) a bound server may be sent.
fn traffic_command() -> impl Strategy<Value = u32> {
    prop_oneof![1u32..=5, Just(0x11), Just(0x1000), Just(0x8000_0003)]
}

/// A server session bound by a Login Type 1 client, through the public API only.
fn bound_server(now: Instant) -> ServerSession {
    let mut server = ServerSession::new(SessionConfig::default(), now);
    let mut client = ClientSession::new(SessionConfig::default(), Bind::new(LoginType::SP_TO_SMG, b"sp", b"pw"));
    client.bind(now, 1_120_203_225).unwrap();
    server.handle_input(&client.poll_transmit().unwrap(), now).unwrap();
    let Some(ServerEvent::BindRequest { sequence, .. }) = server.poll_event() else { panic!("no Bind") };
    server.answer_bind(sequence, ResultCode::OK);
    client.handle_input(&server.poll_transmit().unwrap(), now).unwrap();
    assert_eq!(client.poll_event(), Some(ClientEvent::Bound));
    server
}
