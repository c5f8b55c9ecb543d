//! Timers: keep-alive, retransmission, TERMINATE.

use super::*;

#[test]
fn keepalive_is_sent_after_idle_and_answered() {
    let mut pair = Pair::connected();
    pair.advance(C - Duration::from_millis(1));
    assert_eq!(count(&pair.client_sent, CommandId::ACTIVE_TEST), 0);
    pair.advance(Duration::from_millis(1));
    assert_eq!(count(&pair.client_sent, CommandId::ACTIVE_TEST), 1);
    assert!(count(&pair.server_sent, CommandId::ACTIVE_TEST_RESP) >= 1);
    // Answered every time, so the link outlives many idle periods.
    pair.advance(C * 10);
    assert!(count(&pair.client_sent, CommandId::ACTIVE_TEST) >= 10);
    assert!(pair.client_events().is_empty());
    assert!(pair.server_events().is_empty());
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn traffic_postpones_keepalive() {
    let mut pair = Pair::connected();
    pair.advance(C - Duration::from_secs(1));
    let seq = pair.submit(sample_submit("x"));
    pair.server.answer_submit(seq, accepted(1));
    pair.drive();
    pair.advance(Duration::from_secs(2));
    assert_eq!(count(&pair.client_sent, CommandId::ACTIVE_TEST), 0, "the idle clock restarted");
}

#[test]
fn link_dead_after_n_unanswered_probes() {
    let mut pair = Pair::connected();
    // The peer vanishes: nothing gets through either way.
    pair.client_to_server = false;
    pair.server_to_client = false;
    pair.advance(C);
    assert_eq!(count(&pair.client_sent, CommandId::ACTIVE_TEST), 1);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::ACTIVE_TEST), 2);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::ACTIVE_TEST), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T - Duration::from_millis(1));
    assert!(!pair.client.is_closed());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [ClientEvent::LinkDead]);
    assert!(pair.client.is_closed());
    assert_eq!(pair.client.poll_timeout(), None);
    let probes: Vec<_> = pair.client_sent.iter().filter(|f| command_of(f) == CommandId::ACTIVE_TEST).collect();
    assert!(probes.iter().all(|f| sequence_of(f) == sequence_of(probes[0])));
    // The server saw the same silence and gave up too.
    assert_eq!(pair.server_events(), [ServerEvent::LinkDead]);
}

#[test]
fn submit_is_retransmitted_then_timed_out() {
    let mut pair = Pair::connected();
    pair.client_to_server = false;
    let submit = sample_submit("lost");
    let seq = pair.submit(submit.clone());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 2);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 3, "max_attempts sends in total");
    let submits: Vec<_> = pair.client_sent.iter().filter(|f| command_of(f) == CommandId::SUBMIT).collect();
    assert!(submits.iter().all(|f| sequence_of(f) == seq && *f == submits[0]));
    assert_eq!(pair.client_events(), [ClientEvent::SubmitTimedOut { sequence_id: seq, submit }]);
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn retransmission_answered_once_and_late_duplicates_dropped() {
    let mut pair = Pair::connected();
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("x"));
    pair.client_to_server = true;
    pair.advance(T);
    assert!(server_submit(&pair.server_events(), seq).is_some(), "the re-send got through");
    pair.server.answer_submit(seq, accepted(42));
    // An ISMG that saw both copies may answer the second as a duplicate: not reported.
    let dup = SubmitResp { msg_id: 0, result: SubmitResult::DUPLICATE_SEQUENCE };
    pair.server.answer_submit(seq, dup);
    pair.drive();
    let events = pair.client_events();
    assert_eq!(events, [ClientEvent::SubmitResp { sequence_id: seq, resp: accepted(42) }]);
}

#[test]
fn client_terminate() {
    let mut pair = Pair::connected();
    pair.client.terminate(pair.now);
    assert!(!pair.client.can_submit());
    pair.drive();
    assert_eq!(pair.server_events(), [ServerEvent::Terminated]);
    assert_eq!(pair.client_events(), [ClientEvent::Terminated]);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    assert_eq!(count(&pair.server_sent, CommandId::TERMINATE_RESP), 1);
}

#[test]
fn server_terminate_hands_back_the_window() {
    let mut pair = Pair::connected();
    let seq = pair.submit(sample_submit("pending"));
    pair.server_events();
    pair.server.terminate(pair.now);
    pair.drive();
    let events = pair.client_events();
    assert!(matches!(
        &events[..],
        [ClientEvent::Terminated, ClientEvent::SubmitTimedOut { sequence_id, .. }] if *sequence_id == seq
    ));
    assert_eq!(pair.server_events(), [ServerEvent::Terminated]);
    assert_eq!(count(&pair.client_sent, CommandId::TERMINATE_RESP), 1);
}

#[test]
fn unanswered_terminate_still_ends_the_session() {
    let mut pair = Pair::connected();
    pair.server_to_client = false;
    pair.client_to_server = false;
    pair.client.terminate(pair.now);
    pair.drive();
    assert!(!pair.client.is_closed());
    pair.advance(T);
    assert_eq!(pair.client_events(), [ClientEvent::Terminated]);
    assert!(pair.client.is_closed());
}
