//! Timers: enquire_link, retransmission, unbind.

use super::*;

#[test]
fn enquire_link_after_idle_is_answered() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    pair.advance(IDLE - Duration::from_millis(1));
    assert_eq!(count(&pair.client_sent, CommandId::ENQUIRE_LINK), 0);
    pair.advance(Duration::from_millis(1));
    // Both sides went idle at the same moment, so both probe; each answers the other.
    assert_eq!(count(&pair.client_sent, CommandId::ENQUIRE_LINK), 1);
    assert_eq!(count(&pair.server_sent, CommandId::ENQUIRE_LINK_RESP), 1);
    assert_eq!(
        count(&pair.client_sent, CommandId::ENQUIRE_LINK_RESP),
        count(&pair.server_sent, CommandId::ENQUIRE_LINK)
    );
    pair.advance(IDLE * 10);
    assert!(count(&pair.client_sent, CommandId::ENQUIRE_LINK) >= 10);
    assert!(pair.client_events().is_empty() && pair.server_events().is_empty());
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn peer_enquire_link_is_answered_with_its_sequence() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let answers = pair.raw_to_esme(&crate::testutil::hex("00000010 00000015 00000000 00000002"));
    assert_eq!(answers, [Frame::new(2, Pdu::EnquireLinkResp)]);
    assert!(pair.client_events().is_empty());
}

#[test]
fn traffic_postpones_enquire_link() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.advance(IDLE - Duration::from_secs(1));
    let seq = pair.submit(sample_submit("x"));
    pair.server.answer_submit(seq, CommandStatus::ESME_ROK, "1");
    pair.drive();
    pair.advance(Duration::from_secs(2));
    assert_eq!(count(&pair.client_sent, CommandId::ENQUIRE_LINK), 0, "the idle clock restarted");
}

#[test]
fn link_dead_after_unanswered_enquire_links() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    pair.client_to_server = false;
    pair.server_to_client = false;
    pair.advance(IDLE);
    assert_eq!(count(&pair.client_sent, CommandId::ENQUIRE_LINK), 1);
    pair.advance(T * 2);
    assert_eq!(count(&pair.client_sent, CommandId::ENQUIRE_LINK), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T - Duration::from_millis(1));
    assert!(!pair.client.is_closed());
    pair.advance(Duration::from_millis(1));
    assert_eq!(pair.client_events(), [EsmeEvent::LinkDead]);
    assert!(pair.client.is_closed());
    assert_eq!(pair.client.poll_timeout(), None);
    let probes: Vec<_> = pair.client_sent.iter().filter(|f| command_of(f) == CommandId::ENQUIRE_LINK).collect();
    assert!(probes.iter().all(|f| sequence_of(f) == sequence_of(probes[0])));
    assert_eq!(pair.server_events(), [SmscEvent::LinkDead]);
}

#[test]
fn submit_is_retransmitted_then_timed_out() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.client_to_server = false;
    let submit = sample_submit("lost");
    let seq = pair.submit(submit.clone());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT_SM), 2);
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT_SM), 3);
    assert!(pair.client_events().is_empty());
    pair.advance(T);
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT_SM), 3, "max_attempts sends in total");
    let submits: Vec<_> = pair.client_sent.iter().filter(|f| command_of(f) == CommandId::SUBMIT_SM).collect();
    assert!(submits.iter().all(|f| sequence_of(f) == seq && *f == submits[0]));
    let events = pair.client_events();
    assert_eq!(events[0], EsmeEvent::SubmitTimedOut { sequence: seq, request: Pdu::SubmitSm(submit) });
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn retransmission_answered_once_and_late_duplicates_dropped() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.client_to_server = false;
    let seq = pair.submit(sample_submit("x"));
    pair.client_to_server = true;
    pair.advance(T);
    assert!(smsc_submit(&pair.server_events(), seq).is_some(), "the re-send got through");
    pair.server.answer_submit(seq, CommandStatus::ESME_ROK, "42");
    pair.drive();
    // A second answer with the same sequence (a confused SMSC) is not reported.
    pair.raw_to_esme(
        &Frame {
            command_status: CommandStatus::ESME_RSYSERR,
            ..Frame::new(seq, Pdu::SubmitSmResp(Default::default()))
        }
        .encode(),
    );
    pair.drive();
    let events = pair.client_events();
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0], EsmeEvent::SubmitResp { status: CommandStatus::ESME_ROK, .. }));
}

#[test]
fn unacked_deliver_is_resent_then_handed_back() {
    let mut pair = Pair::bound(BindMode::Receiver);
    let deliver = sample_deliver("mo");
    let seq = pair.server.deliver(pair.now, deliver.clone()).unwrap();
    pair.drive();
    pair.advance(T * 3);
    let delivers: Vec<_> = pair.server_sent.iter().filter(|f| command_of(f) == CommandId::DELIVER_SM).collect();
    assert_eq!(delivers.len(), 3, "sent max_attempts times");
    assert!(delivers.iter().all(|f| sequence_of(f) == seq));
    let timed_out = SmscEvent::DeliverTimedOut { sequence: seq, request: Pdu::DeliverSm(deliver) };
    assert!(pair.server_events().contains(&timed_out));
    assert_eq!(pair.server.in_flight(), 0);
}

#[test]
fn esme_unbind() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    pair.client.unbind(pair.now);
    assert!(!pair.client.can_submit());
    pair.drive();
    assert_eq!(pair.server_events(), [SmscEvent::Unbound]);
    assert_eq!(pair.client_events(), [EsmeEvent::Unbound]);
    assert!(pair.client.is_closed() && pair.server.is_closed());
    assert_eq!(count(&pair.server_sent, CommandId::UNBIND_RESP), 1);
}

#[test]
fn smsc_unbind_hands_back_the_window() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    let seq = pair.submit(sample_submit("pending"));
    let dseq = pair.server.deliver(pair.now, sample_deliver("pending")).unwrap();
    pair.server_to_client = false;
    pair.drive();
    pair.server_to_client = true;
    pair.server_events();
    pair.server.unbind(pair.now);
    pair.drive();
    let events = pair.client_events();
    assert!(
        matches!(&events[..], [EsmeEvent::Unbound, EsmeEvent::SubmitTimedOut { sequence, .. }] if *sequence == seq)
    );
    let events = pair.server_events();
    assert!(
        matches!(&events[..], [SmscEvent::Unbound, SmscEvent::DeliverTimedOut { sequence, .. }] if *sequence == dseq)
    );
    assert_eq!(count(&pair.client_sent, CommandId::UNBIND_RESP), 1);
}

#[test]
fn unanswered_unbind_still_ends_the_session() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    pair.client_to_server = false;
    pair.client.unbind(pair.now);
    pair.drive();
    assert!(!pair.client.is_closed());
    pair.advance(T);
    assert_eq!(pair.client_events(), [EsmeEvent::Unbound]);
    assert!(pair.client.is_closed());
}
