//! Bind: success, refusal, what may come before it, repeated logins.

use super::*;
use crate::session::SendError;
use crate::testutil::hex;

#[test]
fn bind_ok_on_the_wire() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    assert_eq!(pair.login(PASSWORD), [ClientEvent::Bound]);
    // Bind: Message Length 61, Login Type 1, plain-text password, sequence SP node / TIME / 0.
    let bind = hex("0000003d 00000001 b36a7b1f 42c4f1d9 00000000 01
        686f6e6779616e000000000000000000 70613535776f72640000000000000000 0000000000000000");
    assert_eq!(pair.client_sent, [bind]);
    // Bind_Resp: Message Length 29, the Bind's whole sequence, Result 0.
    let resp = hex("0000001d 80000001 b36a7b1f 42c4f1d9 00000000 00 0000000000000000");
    assert_eq!(pair.server_sent, [resp]);
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn wrong_password_is_refused_with_result_1() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    assert_eq!(pair.login(b"guess"), [ClientEvent::BindRejected { result: ResultCode::ILLEGAL_LOGIN }]);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    assert_eq!(resps(&pair.server_sent, CommandId::BIND_RESP)[0].1.result, ResultCode::ILLEGAL_LOGIN);
    assert_eq!(pair.client.submit(pair.now, TIME, sample_submit("x")), Err(SendError::NotBound));
}

#[test]
fn unanswered_bind_declares_the_link_dead() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.bind(pair.now, TIME).unwrap();
    pair.drive();
    assert!(matches!(pair.server_events()[..], [ServerEvent::BindRequest { .. }]));
    pair.advance(T - Duration::from_millis(1));
    assert!(pair.client_events().is_empty());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [ClientEvent::LinkDead]);
    assert!(pair.client.is_closed());
    assert_eq!(count(&pair.client_sent, CommandId::BIND), 1, "Bind is never re-sent");
}

#[test]
fn answer_bind_needs_the_pending_sequence() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.bind(pair.now, TIME).unwrap();
    pair.drive();
    let Some(ServerEvent::BindRequest { sequence, bind }) = pair.server.poll_event() else { panic!() };
    assert_eq!(sequence, Sequence { node_id: SP_NODE, time: TIME, counter: 0 });
    assert_eq!(bind.login_type, LoginType::SP_TO_SMG);
    pair.server.answer_bind(Sequence { counter: 9, ..sequence }, ResultCode::OK);
    assert!(pair.server.poll_transmit().is_none(), "a stray answer is ignored");
    pair.server.answer_bind(sequence, ResultCode::OK);
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::Bound]);
}

#[test]
fn nothing_but_bind_before_bind() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    assert_eq!(pair.client.submit(pair.now, TIME, sample_submit("x")), Err(SendError::NotBound));
    // A rogue client that skips Bind: answered with Result 1, then the session closes.
    let rogue = Sequence { node_id: 1, time: 2, counter: 3 };
    let submit = Frame { sequence: rogue, pdu: crate::Pdu::Submit(sample_submit("x")) };
    pair.server.handle_input(&submit.encode(), pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().expect("Submit_Resp")).unwrap();
    assert_eq!(answer.sequence, rogue);
    assert_eq!(answer.pdu, crate::Pdu::SubmitResp(Resp::new(ResultCode::ILLEGAL_LOGIN)));
    assert!(pair.server.is_closed());
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
}

#[test]
fn a_second_bind_gets_result_2_and_the_link_lives() {
    let mut pair = Pair::bound();
    let again = Frame {
        sequence: Sequence { node_id: SP_NODE, time: TIME, counter: 50 },
        pdu: crate::Pdu::Bind(Bind::new(LoginType::SP_TO_SMG, NAME, PASSWORD)),
    };
    pair.server.handle_input(&again.encode(), pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().unwrap()).unwrap();
    assert_eq!(answer.pdu, crate::Pdu::BindResp(Resp::new(ResultCode::REPEATED_LOGIN)));
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
    assert_eq!(pair.server.login_type(), Some(LoginType::SP_TO_SMG));
    let seq = pair.submit(sample_submit("still here"));
    assert_eq!(server_requests(&pair.server_events())[0].0, seq);
}

#[test]
fn bind_arrives_in_pieces() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.bind(pair.now, TIME).unwrap();
    let bytes = pair.client.poll_transmit().unwrap();
    for b in &bytes {
        assert!(pair.server_events().is_empty());
        pair.server.handle_input(std::slice::from_ref(b), pair.now).unwrap();
    }
    let events = pair.server_events();
    let [ServerEvent::BindRequest { bind, .. }] = &events[..] else { panic!("{events:?}") };
    assert!(bind.verify(NAME, PASSWORD));
}

#[test]
fn over_long_login_name_is_refused_before_sending() {
    let bind = Bind::new(LoginType::SP_TO_SMG, b"seventeen-bytes!!", PASSWORD);
    let mut client = ClientSession::new(SessionConfig::default(), bind);
    assert!(client.bind(Instant::now(), TIME).is_err());
    assert!(client.poll_transmit().is_none());
}
