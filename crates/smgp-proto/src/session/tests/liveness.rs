//! Timers: keep-alive, retransmission, Exit.

use super::*;
use crate::pdu::Query;

#[test]
fn keepalive_is_sent_after_idle_and_answered() {
    let mut pair = Pair::logged_in();
    pair.advance(C - Duration::from_millis(1));
    assert_eq!(count(&pair.client_sent, RequestId::ACTIVE_TEST), 0);
    pair.advance(Duration::from_millis(1));
    assert_eq!(count(&pair.client_sent, RequestId::ACTIVE_TEST), 1);
    assert!(count(&pair.server_sent, RequestId::ACTIVE_TEST_RESP) >= 1);
    // Answered every time, so the link outlives many idle periods.
    pair.advance(C * 10);
    assert!(count(&pair.client_sent, RequestId::ACTIVE_TEST) >= 10);
    assert!(pair.client_events().is_empty());
    assert!(pair.server_events().is_empty());
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn traffic_postpones_keepalive() {
    let mut pair = Pair::logged_in();
    pair.advance(C - Duration::from_secs(1));
    let seq = pair.submit(sample_submit("x"));
    pair.server.answer_submit(seq, accepted(1));
    pair.drive();
    pair.advance(Duration::from_secs(2));
    assert_eq!(count(&pair.client_sent, RequestId::ACTIVE_TEST), 0, "the idle clock restarted");
}

#[test]
fn link_dead_after_n_unanswered_probes() {
    let mut pair = Pair::logged_in();
    // The peer vanishes: nothing gets through either way.
    pair.client_to_server = false;
    pair.server_to_client = false;
    pair.advance(C);
    assert_eq!(count(&pair.client_sent, RequestId::ACTIVE_TEST), 1);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, RequestId::ACTIVE_TEST), 2);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, RequestId::ACTIVE_TEST), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T - Duration::from_millis(1));
    assert!(!pair.client.is_closed());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [ClientEvent::LinkDead]);
    assert!(pair.client.is_closed());
    assert_eq!(pair.client.poll_timeout(), None);
    let probes: Vec<_> = pair.client_sent.iter().filter(|f| request_of(f) == RequestId::ACTIVE_TEST).collect();
    assert!(probes.iter().all(|f| sequence_of(f) == sequence_of(probes[0])));
    // The server saw the same silence and gave up too.
    assert_eq!(pair.server_events(), [ServerEvent::LinkDead]);
}

#[test]
fn submit_is_retransmitted_then_timed_out() {
    let mut pair = Pair::logged_in();
    pair.client_to_server = false;
    let submit = sample_submit("lost");
    let seq = pair.submit(submit.clone());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, RequestId::SUBMIT), 2);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, RequestId::SUBMIT), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, RequestId::SUBMIT), 3, "max_attempts sends in total");
    let submits: Vec<_> = pair.client_sent.iter().filter(|f| request_of(f) == RequestId::SUBMIT).collect();
    assert!(submits.iter().all(|f| sequence_of(f) == seq && *f == submits[0]));
    assert_eq!(pair.client_events(), [ClientEvent::SubmitTimedOut { sequence_id: seq, submit }]);
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn retransmission_answered_once_and_late_duplicates_dropped() {
    let mut pair = Pair::logged_in();
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("x"));
    pair.client_to_server = true;
    pair.advance(T);
    assert!(server_submit(&pair.server_events(), seq).is_some(), "the re-send got through");
    pair.server.answer_submit(seq, accepted(42));
    // A gateway that saw both copies may answer the second as a duplicate: not reported.
    pair.server.answer_submit(seq, SubmitResp { msg_id: MsgId::default(), status: Status::DUPLICATE_SEQUENCE });
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::SubmitResp { sequence_id: seq, resp: accepted(42) }]);
}

#[test]
fn client_exit() {
    let mut pair = Pair::logged_in();
    pair.client.exit(pair.now);
    assert!(!pair.client.can_submit());
    pair.drive();
    assert_eq!(pair.server_events(), [ServerEvent::Exited]);
    assert_eq!(pair.client_events(), [ClientEvent::Exited]);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    assert_eq!(pair.server_sent.last().unwrap()[4..8], RequestId::EXIT_RESP.0.to_be_bytes());
    assert_eq!(pair.server_sent.last().unwrap().len(), 12, "Exit_Resp has an empty body");
}

#[test]
fn server_exit_hands_back_the_client_window() {
    let mut pair = Pair::logged_in();
    let seq = pair.submit(sample_submit("pending"));
    let query = pair.client.query(pair.now, Query::default()).unwrap();
    pair.drive();
    pair.server_events();
    pair.server.exit(pair.now);
    pair.drive();
    let events = pair.client_events();
    assert!(
        matches!(
            &events[..],
            [
                ClientEvent::Exited,
                ClientEvent::SubmitTimedOut { sequence_id: s, .. },
                ClientEvent::QueryTimedOut { sequence_id: q, .. },
            ] if *s == seq && *q == query
        ),
        "{events:?}"
    );
    assert_eq!(pair.server_events(), [ServerEvent::Exited]);
    assert_eq!(count(&pair.client_sent, RequestId::EXIT_RESP), 1);
}

#[test]
fn client_exit_hands_back_the_server_window() {
    let mut pair = Pair::logged_in();
    let seq = pair.server.deliver(pair.now, crate::pdu::Deliver::default()).unwrap();
    pair.drive();
    pair.client.exit(pair.now);
    pair.drive();
    let events = pair.server_events();
    assert!(
        matches!(&events[..], [ServerEvent::Exited, ServerEvent::DeliverTimedOut { sequence_id, .. }] if *sequence_id == seq),
        "{events:?}"
    );
}

#[test]
fn unanswered_exit_still_ends_the_session() {
    let mut pair = Pair::logged_in();
    pair.server_to_client = false;
    pair.client_to_server = false;
    pair.client.exit(pair.now);
    pair.drive();
    assert!(!pair.client.is_closed());
    pair.advance(T);
    assert_eq!(pair.client_events(), [ClientEvent::Exited]);
    assert!(pair.client.is_closed());
}
