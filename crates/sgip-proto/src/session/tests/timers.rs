//! Timers: retransmission, the server's idle rule, Unbind, closing.

use super::*;
use crate::pdu::Deliver;

#[test]
fn submit_is_retransmitted_then_timed_out() {
    let mut pair = Pair::bound_with(SessionConfig::default(), patient());
    pair.client_to_server = false;
    let submit = sample_submit("lost");
    let seq = pair.submit(submit.clone());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 2);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T - Duration::from_millis(1));
    assert!(pair.client_events().is_empty());
    pair.advance(Duration::from_millis(1));
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 3, "max_attempts sends in total");
    let copies: Vec<_> = pair.client_sent.iter().filter(|f| command_of(f) == CommandId::SUBMIT).collect();
    assert!(copies.iter().all(|f| *f == copies[0]), "same sequence, same bytes");
    assert_eq!(pair.client_events(), [ClientEvent::TimedOut { sequence: seq, request: Request::Submit(submit) }]);
    assert_eq!(pair.client.in_flight(), 0);
    assert_eq!(pair.client.poll_timeout(), None);
}

#[test]
fn retransmission_answered_once_and_late_answers_dropped() {
    let mut pair = Pair::bound_with(SessionConfig::default(), patient());
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("x"));
    pair.client_to_server = true;
    pair.advance(T);
    assert_eq!(server_requests(&pair.server_events()).len(), 1, "the re-send got through");
    pair.server.ack(seq, ResultCode::OK);
    pair.drive();
    // A late copy of the first send reaches the server: it re-sends the same answer, which
    // the client, having its answer already, drops.
    let first = pair.client_sent[1].clone();
    pair.server.handle_input(&first, pair.now).unwrap();
    pair.drive();
    assert!(pair.server_events().is_empty());
    assert_eq!(count(&pair.server_sent, CommandId::SUBMIT_RESP), 2);
    assert_eq!(
        pair.client_events(),
        [ClientEvent::Response {
            sequence: seq,
            request: Request::Submit(sample_submit("x")),
            resp: Resp::new(ResultCode::OK)
        }]
    );
}

#[test]
fn server_closes_an_idle_link_and_hands_back_its_window() {
    let mut pair = Pair::bound();
    let seq = pair.server.deliver(pair.now, TIME, Deliver::default()).unwrap();
    pair.drive();
    pair.client_events();
    pair.advance(IDLE - Duration::from_millis(1));
    assert!(!pair.server.is_closed());
    pair.advance(Duration::from_millis(1));
    let events = pair.server_events();
    assert!(
        matches!(
            &events[..],
            [ServerEvent::IdleClosed, ServerEvent::TimedOut { sequence, .. }] if *sequence == seq
        ),
        "{events:?}"
    );
    assert!(pair.server.is_closed());
    assert_eq!(pair.server.poll_timeout(), None);
    // The client needs nothing special: it keeps no timer while bound and idle, and learns
    // of the drop from the connection, then closes.
    assert_eq!(pair.client.poll_timeout(), None);
    pair.client.close();
    assert!(pair.client.is_closed());
}

#[test]
fn traffic_postpones_the_idle_close() {
    let mut pair = Pair::bound();
    pair.advance(IDLE - Duration::from_secs(1));
    let seq = pair.submit(sample_submit("keep me"));
    pair.server.ack(seq, ResultCode::OK);
    pair.drive();
    pair.advance(IDLE - Duration::from_secs(1));
    assert!(!pair.server.is_closed(), "the idle clock restarted with the Submit");
    pair.advance(Duration::from_secs(1));
    assert_eq!(pair.server_events().last(), Some(&ServerEvent::IdleClosed));
}

#[test]
fn a_connection_that_never_binds_is_closed_when_idle() {
    let mut pair = Pair::new(SessionConfig::default(), SessionConfig::default());
    assert_eq!(pair.server.poll_timeout(), Some(pair.now + IDLE));
    pair.advance(IDLE);
    assert_eq!(pair.server_events(), [ServerEvent::IdleClosed]);
}

#[test]
fn client_unbind() {
    let mut pair = Pair::bound();
    pair.client.unbind(pair.now, TIME + 1);
    assert!(!pair.client.can_send());
    pair.drive();
    assert_eq!(pair.server_events(), [ServerEvent::Unbound]);
    assert_eq!(pair.client_events(), [ClientEvent::Unbound]);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    let unbind = &frames(&pair.client_sent, CommandId::UNBIND)[0];
    assert_eq!(frames(&pair.server_sent, CommandId::UNBIND_RESP)[0].sequence, unbind.sequence);
    assert_eq!(pair.client_sent.last().unwrap().len(), 20);
}

#[test]
fn server_unbind_hands_back_the_client_window() {
    let mut pair = Pair::bound();
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("pending"));
    pair.client_to_server = true;
    pair.server.unbind(pair.now, TIME);
    pair.drive();
    let events = pair.client_events();
    assert!(
        matches!(
            &events[..],
            [ClientEvent::Unbound, ClientEvent::TimedOut { sequence, .. }] if *sequence == seq
        ),
        "{events:?}"
    );
    assert_eq!(pair.server_events(), [ServerEvent::Unbound]);
    assert_eq!(count(&pair.client_sent, CommandId::UNBIND_RESP), 1);
}

#[test]
fn unanswered_unbind_still_ends_the_session() {
    let mut pair = Pair::bound();
    pair.client_to_server = false;
    pair.client.unbind(pair.now, TIME);
    pair.drive();
    assert!(!pair.client.is_closed());
    pair.advance(T);
    assert_eq!(pair.client_events(), [ClientEvent::Unbound]);
    assert!(pair.client.is_closed());
}

#[test]
fn close_hands_back_the_window() {
    let mut pair = Pair::bound();
    let seq = pair.submit(sample_submit("in flight"));
    pair.client.close();
    let events = pair.client_events();
    assert!(matches!(&events[..], [ClientEvent::TimedOut { sequence, .. }] if *sequence == seq));
    assert_eq!(pair.client.handle_input(&[0; 40], pair.now), Ok(()), "input after close is ignored");
    assert!(pair.client.poll_transmit().is_none() && pair.client_events().is_empty());
}
