//! Bad input: malformed PDUs get the protocol's error answer and the link lives on;
//! untrusted lengths close the session.

use super::*;
use crate::session::SessionError;
use crate::testutil::{hex, with_len};
use hongyan_wire::FrameError;

#[test]
fn bad_field_gets_its_response_with_the_field_status() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    // submit_sm whose source_addr has no NUL within its 21-byte maximum.
    let good = encoded(77, Pdu::SubmitSm(sample_submit("x")));
    let bad = with_len(&[&good[..19], &[b'1'; 30][..], &good[28..]].concat());
    let answers = pair.raw_to_smsc(&bad);
    let expected = Frame {
        command_status: CommandStatus::ESME_RINVSRCADR,
        sequence_number: 77,
        pdu: Pdu::SubmitSmResp(Default::default()),
    };
    assert_eq!(answers, [expected]);
    assert!(matches!(pair.server_events()[..], [SmscEvent::Malformed { .. }]));
    // The next good submit goes through as usual.
    let seq = pair.submit(sample_submit("after"));
    assert!(smsc_submit(&pair.server_events(), seq).is_some());
}

#[test]
fn short_body_gets_generic_nack_and_the_link_lives() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    let good = encoded(78, Pdu::SubmitSm(sample_submit("x")));
    let answers = pair.raw_to_smsc(&with_len(&good[..good.len() - 1]));
    let nack = Frame { command_status: CommandStatus::ESME_RINVCMDLEN, sequence_number: 78, pdu: Pdu::GenericNack };
    assert_eq!(answers, [nack]);
    assert!(!pair.server.is_closed());
    // Same on the ESME side for a broken deliver_sm.
    let good = encoded(9, Pdu::DeliverSm(sample_deliver("x")));
    let answers = pair.raw_to_esme(&with_len(&good[..20]));
    assert_eq!(answers, [Frame { sequence_number: 9, ..answers[0].clone() }]);
    assert_eq!(
        (answers[0].pdu.command_id(), answers[0].command_status),
        (CommandId::GENERIC_NACK, CommandStatus::ESME_RINVCMDLEN)
    );
    assert!(matches!(pair.client_events()[..], [EsmeEvent::Malformed { .. }]));
    assert!(!pair.client.is_closed());
}

#[test]
fn unknown_command_gets_generic_nack_rinvcmdid() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    let vendor = hex("00000014 00010201 00000000 00000005 deadbeef");
    let nack = Frame { command_status: CommandStatus::ESME_RINVCMDID, sequence_number: 5, pdu: Pdu::GenericNack };
    assert_eq!(pair.raw_to_smsc(&vendor), std::slice::from_ref(&nack));
    assert_eq!(pair.raw_to_esme(&vendor), [nack]);
    assert!(matches!(pair.server_events()[..], [SmscEvent::Malformed { .. }]));
    assert!(!pair.server.is_closed() && !pair.client.is_closed());
}

#[test]
fn generic_nack_hands_the_request_back() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.client_to_server = false;
    let submit = sample_submit("x");
    let seq = pair.submit(submit.clone());
    let nack = Frame { command_status: CommandStatus::ESME_RINVCMDLEN, sequence_number: seq, pdu: Pdu::GenericNack };
    assert!(pair.raw_to_esme(&nack.encode()).is_empty(), "a nack is never answered");
    let expected = EsmeEvent::GenericNack {
        sequence: seq,
        status: CommandStatus::ESME_RINVCMDLEN,
        request: Some(Pdu::SubmitSm(submit)),
    };
    assert_eq!(pair.client_events(), [expected]);
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn garbled_response_still_settles_its_request() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("x"));
    // submit_sm_resp whose message_id is 70 bytes without a NUL.
    let raw = with_len(&[&encoded(seq, Pdu::SubmitSmResp(Default::default()))[..16], &[b'a'; 70][..]].concat());
    assert!(pair.raw_to_esme(&raw).is_empty(), "responses are never answered");
    let events = pair.client_events();
    assert!(matches!(events[0], EsmeEvent::Malformed { .. }));
    assert!(
        matches!(&events[1], EsmeEvent::SubmitResp { sequence, status: CommandStatus::ESME_ROK, .. } if *sequence == seq)
    );
    assert_eq!(pair.client.in_flight(), 0, "not re-sent: the SMSC did answer");
}

#[test]
fn over_long_length_closes_without_buffering() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("in flight"));
    let err = pair.client.handle_input(&[0x00, 0x01, 0x00, 0x01], pair.now).unwrap_err();
    assert_eq!(err, SessionError::Frame(FrameError::TooLong { declared: 0x1_0001, max: 0x1_0000 }));
    assert!(pair.client.is_closed());
    let events = pair.client_events();
    assert!(matches!(&events[..], [EsmeEvent::SubmitTimedOut { sequence, .. }] if *sequence == seq));
    // Later input is ignored rather than parsed.
    assert_eq!(pair.client.handle_input(&[0; 64], pair.now), Ok(()));
    assert!(pair.client.poll_transmit().is_none());
}

#[test]
fn under_header_length_closes_the_smsc() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let err = pair.server.handle_input(&[0, 0, 0, 15, 0, 0], pair.now).unwrap_err();
    assert!(matches!(err, SessionError::Frame(FrameError::TooShort { declared: 15, .. })));
    assert!(pair.server.is_closed());
}

#[test]
fn malformed_bind_is_refused_and_may_be_retried() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    // password of 9 bytes with no NUL in its 9-byte maximum.
    let bad = with_len(&hex("00000000 00000002 00000000 00000001 6100 313233343536373839 00 34 00 00 00"));
    let answers = pair.raw_to_smsc(&bad);
    assert_eq!(
        (answers[0].pdu.command_id(), answers[0].command_status),
        (CommandId::BIND_TRANSMITTER_RESP, CommandStatus::ESME_RINVPASWD)
    );
    assert_eq!(answers[0].encode().len(), 16);
    assert!(!pair.server.is_closed());
    pair.server_events();
    assert!(matches!(pair.bind(BindMode::Transmitter, PASSWORD)[..], [EsmeEvent::Bound { .. }]));
}
