//! Bad input: malformed frames get the protocol's error answer and the link lives on;
//! untrusted lengths close the session.

use super::*;
use crate::pdu::{Deliver, DeliverResp, LoginResp};
use crate::session::SessionError;
use crate::testutil::{hex, with_len};
use hongyan_wire::FrameError;

#[test]
fn malformed_submit_gets_status_10_and_the_link_lives() {
    let mut pair = Pair::logged_in();
    // A Submit one byte short: its length is sane, its body is not.
    let good = Frame { sequence_id: 77, pdu: Pdu::Submit(sample_submit("x")) }.encode();
    pair.server.handle_input(&with_len(&good[..good.len() - 1]), pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().expect("an answer")).unwrap();
    let expected = SubmitResp { msg_id: MsgId::default(), status: Status::STRUCTURE_ERROR };
    assert_eq!(answer, Frame { sequence_id: 77, pdu: Pdu::SubmitResp(expected) });
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
    assert!(!pair.server.is_closed());

    // The next good Submit goes through as usual.
    let seq = pair.submit(sample_submit("after"));
    assert!(server_submit(&pair.server_events(), seq).is_some());
    pair.server.answer_submit(seq, accepted(5));
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::SubmitResp { sequence_id: seq, resp: accepted(5) }]);
}

#[test]
fn malformed_deliver_gets_status_10_with_its_msg_id() {
    let mut pair = Pair::logged_in();
    let deliver = Deliver { msg_id: msg_id(4242), msg_content: b"hi".to_vec(), ..Deliver::default() };
    let good = Frame { sequence_id: 9, pdu: Pdu::Deliver(deliver) }.encode();
    // A TLV header cut short after the Reserve.
    let bad = with_len(&[&good[..], &[0x00, 0x02, 0x00]].concat());
    pair.client.handle_input(&bad, pair.now).unwrap();
    let answer = pair.client.poll_transmit().expect("an answer");
    let resp = DeliverResp { msg_id: msg_id(4242), status: Status::STRUCTURE_ERROR };
    assert_eq!(Frame::decode(&answer).unwrap(), Frame { sequence_id: 9, pdu: Pdu::DeliverResp(resp) });
    assert!(matches!(pair.client_events()[..], [ClientEvent::Malformed { .. }]));
    assert!(!pair.client.is_closed());
}

#[test]
fn over_long_length_closes_and_hands_back_the_window() {
    let mut pair = Pair::logged_in();
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("in flight"));
    // Only the four length bytes: the session refuses before any body could be buffered.
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
fn over_long_length_closes_the_server_too() {
    let mut pair = Pair::logged_in();
    let seq = pair.server.deliver(pair.now, Deliver::default()).unwrap();
    let err = pair.server.handle_input(&[0xff, 0xff, 0xff, 0xff], pair.now).unwrap_err();
    assert!(matches!(err, SessionError::Frame(FrameError::TooLong { declared: u32::MAX, .. })));
    assert!(pair.server.is_closed());
    let events = pair.server_events();
    assert!(matches!(&events[..], [ServerEvent::DeliverTimedOut { sequence_id, .. }] if *sequence_id == seq));
}

#[test]
fn under_header_length_closes_the_server() {
    let mut pair = Pair::logged_in();
    let err = pair.server.handle_input(&[0, 0, 0, 4, 0, 0], pair.now).unwrap_err();
    assert!(matches!(err, SessionError::Frame(FrameError::TooShort { declared: 4, .. })));
    assert!(pair.server.is_closed());
}

#[test]
fn unknown_and_unexpected_commands_are_reported_not_fatal() {
    let mut pair = Pair::logged_in();
    let vendor = hex("00000010 00000099 00000005 deadbeef");
    pair.client.handle_input(&vendor, pair.now).unwrap();
    // An SMGW never sends Submit to an SP.
    let submit = Frame { sequence_id: 6, pdu: Pdu::Submit(sample_submit("?")) }.encode();
    pair.client.handle_input(&submit, pair.now).unwrap();
    let events = pair.client_events();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| matches!(e, ClientEvent::Malformed { .. })), "{events:?}");
    assert!(!pair.client.is_closed());
    assert!(pair.client.poll_transmit().is_none());

    pair.server.handle_input(&vendor, pair.now).unwrap();
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
    assert!(!pair.server.is_closed());
}

#[test]
fn malformed_login_is_refused_with_status_10() {
    let mut pair = Pair::fresh();
    let short = hex("00000010 00000001 00000001 31323334");
    pair.server.handle_input(&short, pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().expect("Login_Resp")).unwrap();
    let Pdu::LoginResp(LoginResp { status, authenticator, .. }) = answer.pdu else { panic!("{answer:?}") };
    assert_eq!((status, authenticator), (Status::STRUCTURE_ERROR, [0; 16]));
    assert!(pair.server.is_closed());
}
