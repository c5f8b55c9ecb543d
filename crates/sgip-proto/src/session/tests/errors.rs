//! Bad input: malformed frames get the protocol's error answer and the link lives on;
//! untrusted lengths close the session.

use super::*;
use crate::pdu::Deliver;
use crate::session::SessionError;
use crate::testutil::{hex, with_len};
use crate::{FrameError, Pdu};

#[test]
fn short_submit_gets_result_8_and_the_link_lives() {
    let mut pair = Pair::bound();
    // A Submit one byte short: its length is sane, its body is not.
    let sequence = Sequence { node_id: SP_NODE, time: TIME, counter: 77 };
    let good = Frame { sequence, pdu: Pdu::Submit(sample_submit("x")) }.encode();
    pair.server.handle_input(&with_len(&good[..good.len() - 1]), pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().expect("an answer")).unwrap();
    assert_eq!(answer, Frame { sequence, pdu: Pdu::SubmitResp(Resp::new(ResultCode::MESSAGE_LENGTH)) });
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
    assert!(!pair.server.is_closed());

    // The next good Submit goes through as usual.
    let seq = pair.submit(sample_submit("after"));
    assert_eq!(server_requests(&pair.server_events())[0].0, seq);
}

#[test]
fn forbidden_user_count_gets_result_5() {
    let mut pair = Pair::bound();
    let sequence = Sequence { node_id: SP_NODE, time: TIME, counter: 78 };
    let mut bytes = Frame { sequence, pdu: Pdu::Submit(sample_submit("x")) }.encode();
    bytes[20 + 42] = 0; // UserCount 0, the one UserNumber left as trailing bytes
    pair.server.handle_input(&bytes, pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().unwrap()).unwrap();
    assert_eq!(answer.pdu, Pdu::SubmitResp(Resp::new(ResultCode::PARAMETER_FORMAT)));
    assert!(!pair.server.is_closed());
}

#[test]
fn malformed_deliver_to_the_client_is_answered() {
    let mut pair = Pair::bound();
    let sequence = Sequence { node_id: SMG_NODE, time: TIME, counter: 9 };
    let deliver = Deliver { message_content: b"hi".to_vec(), ..Deliver::default() };
    let mut bad = Frame { sequence, pdu: Pdu::Deliver(deliver) }.encode();
    bad.insert(bad.len() - 8, b'!'); // MessageLength says 2 but three content bytes are there
    pair.client.handle_input(&with_len(&bad), pair.now).unwrap();
    let answer = Frame::decode(&pair.client.poll_transmit().expect("an answer")).unwrap();
    assert_eq!(answer, Frame { sequence, pdu: Pdu::DeliverResp(Resp::new(ResultCode::MESSAGE_LENGTH)) });
    assert!(matches!(pair.client_events()[..], [ClientEvent::Malformed { .. }]));
    assert!(!pair.client.is_closed());
}

#[test]
fn over_long_length_closes_and_hands_back_the_window() {
    let mut pair = Pair::bound();
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("in flight"));
    let err = pair.client.handle_input(&[0x00, 0x00, 0x10, 0x01], pair.now).unwrap_err();
    assert_eq!(err, SessionError::Frame(FrameError::TooLong { declared: 4097, max: 4096 }));
    assert!(pair.client.is_closed());
    let events = pair.client_events();
    assert!(matches!(&events[..], [ClientEvent::TimedOut { sequence, .. }] if *sequence == seq));
    assert_eq!(pair.client.handle_input(&[0; 64], pair.now), Ok(()), "later input is ignored");
    assert!(pair.client.poll_transmit().is_none());
}

#[test]
fn under_header_length_closes_the_server() {
    let mut pair = Pair::bound();
    let err = pair.server.handle_input(&[0, 0, 0, 19, 0, 0], pair.now).unwrap_err();
    assert!(matches!(err, SessionError::Frame(FrameError::TooShort { declared: 19, min: 20 })));
    assert!(pair.server.is_closed());
}

#[test]
fn unknown_and_unexpected_commands_are_reported_not_fatal() {
    let mut pair = Pair::bound();
    let vendor = hex("00000018 00000010 00018a89 42c4f1d9 00000005 deadbeef");
    pair.client.handle_input(&vendor, pair.now).unwrap();
    let trace = Frame {
        sequence: Sequence::default(),
        pdu: Pdu::Trace(crate::pdu::Trace {
            submit_sequence: Sequence::default(),
            user_number: Vec::new(),
            reserve: [0; 8],
        }),
    };
    pair.client.handle_input(&trace.encode(), pair.now).unwrap();
    let events = pair.client_events();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| matches!(e, ClientEvent::Malformed { .. })), "{events:?}");
    assert!(!pair.client.is_closed());
    assert!(pair.client.poll_transmit().is_none(), "no answer is known for these");
}

#[test]
fn a_response_of_the_wrong_kind_leaves_the_request_waiting() {
    let mut pair = Pair::bound();
    let seq = pair.submit(sample_submit("x"));
    pair.server_events();
    let wrong = Frame { sequence: seq, pdu: Pdu::ReportResp(Resp::new(ResultCode::OK)) };
    pair.client.handle_input(&wrong.encode(), pair.now).unwrap();
    assert!(matches!(pair.client_events()[..], [ClientEvent::Malformed { .. }]));
    assert_eq!(pair.client.in_flight(), 1);
}

#[test]
fn malformed_bind_is_answered_and_closes() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let short = hex("0000001c 00000001 b36a7b1f 42c4f1d9 00000000 01 686f6e67 796100");
    pair.server.handle_input(&short, pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().expect("Bind_Resp")).unwrap();
    assert_eq!(answer.pdu, Pdu::BindResp(Resp::new(ResultCode::MESSAGE_LENGTH)));
    assert!(pair.server.is_closed());
}

#[test]
fn malformed_bind_resp_declares_the_link_dead() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.bind(pair.now, TIME).unwrap();
    pair.client.poll_transmit();
    pair.client.handle_input(&hex("00000015 80000001 b36a7b1f 42c4f1d9 00000000 00"), pair.now).unwrap();
    let events = pair.client_events();
    assert!(matches!(&events[..], [ClientEvent::Malformed { .. }, ClientEvent::LinkDead]), "{events:?}");
    assert!(pair.client.is_closed());
}
