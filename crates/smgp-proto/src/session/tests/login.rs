//! Login: success, refusal, LoginMode, what may come before login.

use super::*;
use crate::pdu::Deliver;
use crate::session::SubmitError;
use crate::testutil::hex;
use crate::Version;

#[test]
fn login_ok() {
    let mut pair = Pair::fresh();
    let events = pair.login(SECRET);
    assert_eq!(events, [ClientEvent::LoggedIn { server_version: Version::V30 }]);
    assert_eq!(pair.client.server_authenticated(), Some(true));
    // The Login on the wire is the spec's test vector byte for byte.
    let vector = "0000002a 00000001 00000001 3132333435363738 d7e0f8ade4058a6879016a88433d72e1 02 11f0e540 30";
    assert_eq!(pair.client_sent, [hex(vector)]);
    assert_eq!(pair.server_sent, [hex("00000021 80000001 00000001 00000000 427c9934ed52d5237c994b374f10f43a 30")]);
    assert!(pair.client.can_submit());
    assert!(pair.server.can_deliver());
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn wrong_secret_is_rejected_with_status_21() {
    let mut pair = Pair::fresh();
    let events = pair.login(b"not-the-secret");
    assert_eq!(events, [ClientEvent::LoginRejected { status: Status::AUTH_ERROR }]);
    assert!(pair.client.is_closed());
    assert!(pair.server.is_closed());
    // The refusal carries an empty authenticator.
    assert_eq!(&pair.server_sent[0][16..32], &[0; 16]);
    assert_eq!(pair.client.submit(pair.now, sample_submit("x")), Err(SubmitError::NotConnected));
}

#[test]
fn unanswered_login_declares_the_link_dead() {
    let mut pair = Pair::fresh();
    pair.client.login(pair.now, TIMESTAMP);
    pair.drive();
    assert!(matches!(pair.server_events()[..], [ServerEvent::LoginRequest { .. }]));
    pair.advance(T - Duration::from_millis(1));
    assert!(pair.client_events().is_empty());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [ClientEvent::LinkDead]);
    assert!(pair.client.is_closed());
    assert_eq!(count(&pair.client_sent, RequestId::LOGIN), 1, "Login is never re-sent");
}

#[test]
fn submit_before_login_is_refused_on_both_sides() {
    let mut pair = Pair::fresh();
    assert_eq!(pair.client.submit(pair.now, sample_submit("x")), Err(SubmitError::NotConnected));

    // A rogue client that skips Login: answered with an error, then the session closes.
    let submit = Frame { sequence_id: 5, pdu: Pdu::Submit(sample_submit("x")) };
    pair.server.handle_input(&submit.encode(), pair.now).unwrap();
    let answer = Frame::decode(&pair.server.poll_transmit().expect("Submit_Resp")).unwrap();
    let Pdu::SubmitResp(resp) = answer.pdu else { panic!("not a Submit_Resp: {answer:?}") };
    assert_eq!((answer.sequence_id, resp.status), (5, Status::COMMAND_ERROR));
    assert!(pair.server.is_closed());
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
}

#[test]
fn login_arrives_in_pieces() {
    let mut pair = Pair::fresh();
    pair.client.login(pair.now, TIMESTAMP);
    let bytes = pair.client.poll_transmit().unwrap();
    for b in &bytes {
        assert!(pair.server_events().is_empty());
        pair.server.handle_input(std::slice::from_ref(b), pair.now).unwrap();
    }
    let events = pair.server_events();
    let [ServerEvent::LoginRequest { sequence_id: 1, login }] = &events[..] else { panic!("{events:?}") };
    assert!(login.verify(SECRET));
    assert_eq!((login.client_id.as_slice(), login.login_mode), (CLIENT_ID, LoginMode::TRANSMIT));
}

#[test]
fn receive_only_link_carries_no_submit() {
    let mut pair = Pair::logged_in_with(SessionConfig::default(), SessionConfig::default(), LoginMode::RECEIVE);
    assert_eq!(pair.server.login_mode(), Some(LoginMode::RECEIVE));
    assert!(!pair.client.can_submit());
    let err = pair.client.submit(pair.now, sample_submit("x"));
    assert_eq!(err, Err(SubmitError::LoginMode(LoginMode::RECEIVE)));
    // Delivers flow; a Submit forced onto the link anyway is refused with status 11.
    assert!(pair.server.deliver(pair.now, Deliver::default()).is_ok());
    let forced = Frame { sequence_id: 77, pdu: Pdu::Submit(sample_submit("x")) }.encode();
    pair.server.handle_input(&forced, pair.now).unwrap();
    pair.drive();
    let Pdu::SubmitResp(resp) = last(&pair.server_sent, RequestId::SUBMIT_RESP).pdu else { unreachable!() };
    assert_eq!(resp.status, Status::COMMAND_ERROR);
    assert!(pair.server_events().iter().all(|e| matches!(e, ServerEvent::Malformed { .. })));
    assert!(!pair.server.is_closed());
}

#[test]
fn send_only_link_carries_no_deliver() {
    let mut pair = Pair::logged_in_with(SessionConfig::default(), SessionConfig::default(), LoginMode::SEND);
    assert!(!pair.server.can_deliver());
    let err = pair.server.deliver(pair.now, Deliver::default());
    assert_eq!(err, Err(SubmitError::LoginMode(LoginMode::SEND)));
    assert!(pair.client.can_submit());
}
