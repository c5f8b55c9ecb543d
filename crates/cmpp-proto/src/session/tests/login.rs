//! CONNECT: success, refusal, version negotiation, what may come before login.

use super::*;
use crate::session::SubmitError;
use crate::testutil::hex;

#[test]
fn connect_ok() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let events = pair.login(SECRET);
    assert_eq!(events, [ClientEvent::Connected { version: Version::V30 }]);
    assert_eq!(pair.client.ismg_authenticated(), Some(true));
    // The CONNECT on the wire is the spec's test vector byte for byte.
    assert_eq!(
        pair.client_sent,
        [hex("00000027 00000001 00000001 393031323334 fe356902b82ebe33c2faaadab4b6d28c 30 3c811708")]
    );
    let resp = &pair.server_sent[0];
    assert_eq!(resp.len(), 33);
    assert_eq!(&resp[16..32], &hex("c3eece263d7c0ed773f9f3a058cfb910")[..], "AuthenticatorISMG");
    assert!(pair.client.can_submit());
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn wrong_secret_is_rejected_with_status_3() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let events = pair.login(b"not-the-secret");
    assert_eq!(events, [ClientEvent::ConnectRejected { status: 3 }]);
    assert!(pair.client.is_closed());
    assert!(pair.server.is_closed());
    // The refusal carries no authenticator.
    assert_eq!(&pair.server_sent[0][16..32], &[0; 16]);
    assert_eq!(pair.client.submit(pair.now, sample_submit("x")), Err(SubmitError::NotConnected));
}

#[test]
fn v20_client_and_v30_server_settle_on_v20() {
    let v20 = SessionConfig { version: Version::V20, ..SessionConfig::default() };
    let mut pair = Pair::new(v20, SessionConfig::default());
    assert_eq!(pair.login(SECRET), [ClientEvent::Connected { version: Version::V20 }]);
    assert_eq!(pair.server.version(), Version::V20);
    assert_eq!(pair.server_sent[0].len(), 30, "CONNECT_RESP in the 2.0 layout");
    assert_eq!(pair.client.ismg_authenticated(), Some(true));
    // Traffic uses the 2.0 layouts: 138 + 21n + L.
    let seq = pair.submit(sample_submit("hi"));
    assert_eq!(pair.client_sent.last().unwrap().len(), 138 + 21 + 4);
    assert!(server_submit(&pair.server_events(), seq).is_some());
}

#[test]
fn v30_client_learns_v20_from_the_connect_resp() {
    let v20 = SessionConfig { version: Version::V20, ..SessionConfig::default() };
    let mut pair = Pair::new(SessionConfig::default(), v20);
    // The server answers a 3.0 CONNECT in the 2.0 layout (30 bytes); the client must cope.
    assert_eq!(pair.login(SECRET), [ClientEvent::Connected { version: Version::V20 }]);
    assert_eq!(pair.server_sent[0].len(), 30);
    assert_eq!(pair.client.version(), Version::V20);
    let seq = pair.submit(sample_submit("hi"));
    assert!(server_submit(&pair.server_events(), seq).is_some());
}

#[test]
fn unanswered_connect_declares_the_link_dead() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.connect(pair.now, TIMESTAMP);
    pair.drive();
    assert!(matches!(pair.server_events()[..], [ServerEvent::ConnectRequest { .. }]));
    pair.advance(T - Duration::from_millis(1));
    assert!(pair.client_events().is_empty());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [ClientEvent::LinkDead]);
    assert!(pair.client.is_closed());
    assert_eq!(count(&pair.client_sent, CommandId::CONNECT), 1, "CONNECT is never re-sent");
}

#[test]
fn submit_before_connect_is_refused_on_both_sides() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    let err = pair.client.submit(pair.now, sample_submit("x")).unwrap_err();
    assert_eq!(err, SubmitError::NotConnected);

    // A rogue client that skips CONNECT: answered with an error, then the session closes.
    let submit = Frame { sequence_id: 5, pdu: Pdu::Submit(sample_submit("x")) };
    pair.server.handle_input(&submit.encode(Version::V30), pair.now).unwrap();
    let answer = pair.server.poll_transmit().expect("SUBMIT_RESP");
    let Pdu::SubmitResp(resp) = Frame::decode(&answer, Version::V30).unwrap().pdu else {
        panic!("not a SUBMIT_RESP");
    };
    assert_eq!(sequence_of(&answer), 5);
    assert_eq!(resp.result, SubmitResult::COMMAND_ERROR);
    assert!(pair.server.is_closed());
    assert!(matches!(pair.server_events()[..], [ServerEvent::Malformed { .. }]));
}

#[test]
fn connect_arrives_in_pieces() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    pair.client.connect(pair.now, TIMESTAMP);
    let bytes = pair.client.poll_transmit().unwrap();
    for b in &bytes {
        assert!(pair.server_events().is_empty());
        pair.server.handle_input(std::slice::from_ref(b), pair.now).unwrap();
    }
    let events = pair.server_events();
    let [ServerEvent::ConnectRequest { sequence_id: 1, connect }] = &events[..] else {
        panic!("{events:?}");
    };
    assert!(connect.verify(SECRET));
    assert_eq!(connect.source_addr, SP_ID);
}
