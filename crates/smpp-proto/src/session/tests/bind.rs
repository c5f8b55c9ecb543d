//! Binding: each mode, refusal, time-outs, outbind, what may come before a bind.

use super::*;
use crate::pdu::Outbind;
use crate::session::SendError;
use crate::testutil::hex;

#[test]
fn bind_each_mode() {
    for mode in [BindMode::Transmitter, BindMode::Receiver, BindMode::Transceiver] {
        let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
        let events = pair.bind(mode, PASSWORD);
        let expected =
            EsmeEvent::Bound { mode, system_id: SMSC_ID.as_bytes().to_vec(), sc_interface_version: Some(0x34) };
        assert_eq!(events, [expected], "{mode}");
        assert_eq!(pair.client.bind_mode(), Some(mode));
        assert_eq!(pair.server.bind_mode(), Some(mode));
        assert_eq!(pair.client.can_submit(), mode.can_transmit());
        assert_eq!(pair.server.can_deliver(), mode.can_receive());
        assert_eq!(command_of(&pair.client_sent[0]), mode.command_id());
        assert_eq!(command_of(&pair.server_sent[0]), mode.command_id().response());
    }
}

#[test]
fn bind_on_the_wire() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.bind(BindMode::Transmitter, PASSWORD);
    assert_eq!(
        pair.client_sent,
        [hex("00000024 00000002 00000000 00000001 686f6e6779616e00 73656372657400 00 34 00 00 00")]
    );
    assert_eq!(pair.server_sent, [hex("0000001a 80000002 00000000 00000001 736d736300 0210 0001 34")]);
}

#[test]
fn wrong_password_is_refused_and_both_sides_close() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let events = pair.bind(BindMode::Transceiver, "guess");
    assert_eq!(events, [EsmeEvent::BindRejected { status: CommandStatus::ESME_RINVPASWD }]);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    assert_eq!(pair.server_sent, [hex("00000010 80000009 0000000e 00000001")], "refusal has no body");
    assert_eq!(pair.client.submit(pair.now, sample_submit("x")), Err(SendError::NotBound));
}

#[test]
fn unanswered_bind_declares_the_link_dead() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.bind(pair.now, Bind::new(BindMode::Transmitter, SYSTEM_ID, PASSWORD)).unwrap();
    pair.drive();
    assert!(matches!(pair.server_events()[..], [SmscEvent::BindRequest { .. }]));
    pair.advance(T - Duration::from_millis(1));
    assert!(pair.client_events().is_empty());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [EsmeEvent::LinkDead]);
    assert!(pair.client.is_closed());
    // The SMSC application never answered either: session_init_timer closes its side.
    assert_eq!(pair.server_events(), [SmscEvent::LinkDead]);
    assert!(pair.server.is_closed());
}

#[test]
fn connection_that_never_binds_is_closed() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    assert_eq!(pair.server.poll_timeout(), Some(pair.now + Duration::from_secs(30)));
    pair.advance(Duration::from_secs(30));
    assert_eq!(pair.server_events(), [SmscEvent::LinkDead]);
    assert!(pair.server.is_closed());
}

#[test]
fn pdu_before_bind_gets_rinvbndsts_and_the_link_lives() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    assert_eq!(pair.client.submit(pair.now, sample_submit("x")), Err(SendError::NotBound));
    // A rogue ESME that skips the bind.
    let answers = pair.raw_to_smsc(&encoded(5, Pdu::SubmitSm(sample_submit("x"))));
    let expected = Frame {
        command_status: CommandStatus::ESME_RINVBNDSTS,
        sequence_number: 5,
        pdu: Pdu::SubmitSmResp(Default::default()),
    };
    assert_eq!(answers, [expected]);
    assert!(matches!(pair.server_events()[..], [SmscEvent::Malformed { .. }]));
    assert!(!pair.server.is_closed());
    // A bind afterwards still works.
    assert!(matches!(pair.bind(BindMode::Transmitter, PASSWORD)[..], [EsmeEvent::Bound { .. }]));
}

#[test]
fn receiver_may_not_submit_and_second_bind_is_refused() {
    let mut pair = Pair::bound(BindMode::Receiver);
    let err = pair.client.submit(pair.now, sample_submit("x")).unwrap_err();
    assert_eq!(err, SendError::WrongBindState { mode: BindMode::Receiver });
    assert_eq!(pair.client.bind(pair.now, Bind::new(BindMode::Receiver, "a", "b")), Err(SendError::AlreadyBound));
    // What a receiver ESME sends anyway is refused by the SMSC.
    let answers = pair.raw_to_smsc(&encoded(40, Pdu::SubmitSm(sample_submit("x"))));
    assert_eq!(answers[0].command_status, CommandStatus::ESME_RINVBNDSTS);
    let again = pair.raw_to_smsc(&encoded(41, Pdu::Bind(Bind::new(BindMode::Receiver, SYSTEM_ID, PASSWORD))));
    assert_eq!(
        (again[0].pdu.command_id(), again[0].command_status),
        (CommandId::BIND_RECEIVER_RESP, CommandStatus::ESME_RALYBND)
    );
    assert!(!pair.server.is_closed());
}

#[test]
fn outbind_then_bind_receiver() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let outbind = Outbind { system_id: SMSC_ID.into(), password: b"smscpw".to_vec() };
    pair.server.outbind(outbind.clone()).unwrap();
    pair.drive();
    assert_eq!(pair.client_events(), [EsmeEvent::Outbind(outbind)]);
    assert!(matches!(pair.bind(BindMode::Receiver, PASSWORD)[..], [EsmeEvent::Bound { mode: BindMode::Receiver, .. }]));
    let seq = pair.server.deliver(pair.now, sample_deliver("hi")).unwrap();
    pair.drive();
    assert!(matches!(pair.client_events()[..], [EsmeEvent::Deliver { sequence, .. }] if sequence == seq));
    assert_eq!(pair.server.outbind(Outbind::default()), Err(SendError::AlreadyBound));
}

#[test]
fn bind_arrives_in_pieces() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.bind(pair.now, Bind::new(BindMode::Transceiver, SYSTEM_ID, PASSWORD)).unwrap();
    let bytes = pair.client.poll_transmit().unwrap();
    for b in &bytes {
        assert!(pair.server_events().is_empty());
        pair.server.handle_input(std::slice::from_ref(b), pair.now).unwrap();
    }
    let events = pair.server_events();
    let [SmscEvent::BindRequest { sequence: 1, bind }] = &events[..] else { panic!("{events:?}") };
    assert_eq!(bind.password, PASSWORD.as_bytes());
}

#[test]
fn smpp33_bind_gets_no_tlv() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let bind = Bind { interface_version: 0x33, ..Bind::new(BindMode::Transmitter, SYSTEM_ID, PASSWORD) };
    pair.client.bind(pair.now, bind).unwrap();
    pair.drive();
    let Some(SmscEvent::BindRequest { sequence, .. }) = pair.server.poll_event() else { panic!("no bind") };
    pair.server.answer_bind(sequence, CommandStatus::ESME_ROK, SMSC_ID);
    pair.drive();
    assert_eq!(pair.server_sent[0].len(), 16 + 5, "no sc_interface_version for a 3.3 ESME");
    assert!(matches!(pair.client_events()[..], [EsmeEvent::Bound { sc_interface_version: None, .. }]));
}
