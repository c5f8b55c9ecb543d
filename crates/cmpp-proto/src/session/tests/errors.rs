//! Bad input: malformed frames get the protocol's error answer and the link lives on;
//! untrusted lengths close the session.

use super::*;
use crate::pdu::{Deliver, DeliverResp};
use crate::session::SessionError;
use crate::testutil::with_len;
use hongyan_wire::FrameError;

#[test]
fn malformed_submit_gets_result_1_and_the_link_lives() {
    let mut pair = Pair::connected();
    // A SUBMIT one byte short: its length is sane, its body is not.
    let good = Frame { sequence_id: 77, pdu: Pdu::Submit(sample_submit("x")) }.encode(Version::V30);
    let bad = with_len(&good[..good.len() - 1]);
    pair.server.handle_input(&bad, pair.now).unwrap();
    let answer = pair.server.poll_transmit().expect("an answer");
    let frame = Frame::decode(&answer, Version::V30).unwrap();
    let expected = SubmitResp { msg_id: 0, result: SubmitResult::STRUCTURE_ERROR };
    assert_eq!(frame, Frame { sequence_id: 77, pdu: Pdu::SubmitResp(expected) });
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
    assert!(!pair.server.is_closed());

    // The next good SUBMIT goes through as usual.
    let seq = pair.submit(sample_submit("after"));
    assert!(server_submit(&pair.server_events(), seq).is_some());
    pair.server.answer_submit(seq, accepted(5));
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::SubmitResp { sequence_id: seq, resp: accepted(5) }]);
}

#[test]
fn malformed_deliver_gets_result_1_with_its_msg_id() {
    let mut pair = Pair::connected();
    let deliver = Deliver { msg_id: 0x1122_3344_5566_7788, msg_content: b"hi".to_vec(), ..Deliver::default() };
    let good = Frame { sequence_id: 9, pdu: Pdu::Deliver(deliver) }.encode(Version::V30);
    // Msg_Length says 2 but three bytes of content are there: the LinkID comes out one long.
    let mut bad = good.clone();
    bad.insert(good.len() - 20, b'!');
    pair.client.handle_input(&with_len(&bad), pair.now).unwrap();
    let answer = pair.client.poll_transmit().expect("an answer");
    let resp = DeliverResp { msg_id: 0x1122_3344_5566_7788, result: 1 };
    assert_eq!(Frame::decode(&answer, Version::V30).unwrap().pdu, Pdu::DeliverResp(resp));
    assert_eq!(sequence_of(&answer), 9);
    assert!(matches!(pair.client_events()[..], [ClientEvent::Malformed { .. }]));
    assert!(!pair.client.is_closed());
}

#[test]
fn over_long_length_closes_and_hands_back_the_window() {
    let mut pair = Pair::connected();
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("in flight"));
    let err = pair.client.handle_input(&[0x00, 0x00, 0x10, 0x01], pair.now).unwrap_err();
    assert_eq!(err, SessionError::Frame(FrameError::TooLong { declared: 4097, max: 4096 }));
    assert!(pair.client.is_closed());
    let events = pair.client_events();
    assert!(matches!(&events[..], [ClientEvent::SubmitTimedOut { sequence_id, .. }] if *sequence_id == seq));
    // Later input is ignored rather than parsed.
    assert_eq!(pair.client.handle_input(&[0; 64], pair.now), Ok(()));
    assert!(pair.client.poll_transmit().is_none());
}

#[test]
fn under_header_length_closes_the_server() {
    let mut pair = Pair::connected();
    let err = pair.server.handle_input(&[0, 0, 0, 4, 0, 0], pair.now).unwrap_err();
    assert!(matches!(err, SessionError::Frame(FrameError::TooShort { declared: 4, .. })));
    assert!(pair.server.is_closed());
}

#[test]
fn unknown_and_unexpected_commands_are_reported_not_fatal() {
    let mut pair = Pair::connected();
    let vendor = crate::testutil::hex("00000010 0000000b 00000005 deadbeef");
    pair.client.handle_input(&vendor, pair.now).unwrap();
    // An ISMG never sends SUBMIT to an SP.
    let submit = Frame { sequence_id: 6, pdu: Pdu::Submit(sample_submit("?")) }.encode(Version::V30);
    pair.client.handle_input(&submit, pair.now).unwrap();
    let events = pair.client_events();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| matches!(e, ClientEvent::Malformed { .. })), "{events:?}");
    assert!(!pair.client.is_closed());
    assert!(pair.client.poll_transmit().is_none());
}

#[test]
fn malformed_connect_is_refused_with_status_1() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let short = crate::testutil::hex("00000010 00000001 00000001 39303132");
    pair.server.handle_input(&short, pair.now).unwrap();
    let answer = pair.server.poll_transmit().expect("CONNECT_RESP");
    let Pdu::ConnectResp(resp) = Frame::decode(&answer, Version::V30).unwrap().pdu else {
        panic!("not a CONNECT_RESP");
    };
    assert_eq!(resp.status, 1);
    assert!(pair.server.is_closed());
}
