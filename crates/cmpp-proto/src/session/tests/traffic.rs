//! SUBMIT and DELIVER on a logged-in link: responses, the window, acknowledgement.

use super::*;
use crate::pdu::{Deliver, DeliverResp, StatusReport};
use crate::session::SubmitError;

#[test]
fn submit_gets_its_response() {
    let mut pair = Pair::connected();
    let submit = sample_submit("验证码 123456");
    let seq = pair.submit(submit.clone());
    assert_eq!(seq, 2, "1 was the CONNECT");
    assert_eq!(pair.client.in_flight(), 1);
    let events = pair.server_events();
    assert_eq!(server_submit(&events, seq), Some(&submit));
    assert_eq!(pair.client_sent.last().unwrap().len(), 163 + 32 + submit.msg_content.len());

    pair.server.answer_submit(seq, accepted(0xA7A5_E000_03E9_0001));
    pair.drive();
    let expected = ClientEvent::SubmitResp { sequence_id: seq, resp: accepted(0xA7A5_E000_03E9_0001) };
    assert_eq!(pair.client_events(), [expected]);
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn responses_may_come_in_any_order() {
    let mut pair = Pair::connected();
    let first = pair.submit(sample_submit("a"));
    let second = pair.submit(sample_submit("b"));
    pair.server.answer_submit(second, accepted(2));
    pair.server.answer_submit(first, accepted(1));
    pair.drive();
    let ids: Vec<_> = pair
        .client_events()
        .into_iter()
        .map(|e| match e {
            ClientEvent::SubmitResp { sequence_id, resp } => (sequence_id, resp.msg_id),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, [(second, 2), (first, 1)]);
}

#[test]
fn window_full() {
    let small = SessionConfig { window: 2, ..SessionConfig::default() };
    let mut pair = Pair::connected_with(small, SessionConfig::default());
    let first = pair.submit(sample_submit("1"));
    pair.submit(sample_submit("2"));
    assert!(!pair.client.can_submit());
    assert_eq!(pair.client.submit(pair.now, sample_submit("3")), Err(SubmitError::WindowFull));
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 2, "nothing sent past the window");

    pair.server.answer_submit(first, SubmitResp { msg_id: 1, result: SubmitResult::FLOW_CONTROL });
    pair.drive();
    assert!(pair.client.can_submit());
    assert_eq!(pair.client.in_flight(), 1);
}

#[test]
fn oversize_fields_are_refused_not_cut() {
    let mut pair = Pair::connected();
    let too_long = Submit { msg_content: vec![0; 256], ..sample_submit("") };
    assert!(matches!(pair.client.submit(pair.now, too_long), Err(SubmitError::Invalid(_))));
    assert_eq!(pair.client.in_flight(), 0);
    assert!(pair.client.poll_transmit().is_none());
}

fn report_for(msg_id: u64) -> Deliver {
    let report = StatusReport {
        msg_id,
        stat: b"DELIVRD".to_vec(),
        submit_time: b"2510150930".to_vec(),
        done_time: b"2510150931".to_vec(),
        dest_terminal_id: b"13800138000".to_vec(),
        smsc_sequence: 1,
    };
    Deliver { msg_id: msg_id + 100, dest_id: b"106900001234".to_vec(), ..Deliver::with_report(&report, Version::V30) }
}

#[test]
fn deliver_is_not_acked_until_the_application_says_so() {
    let mut pair = Pair::connected();
    let deliver = report_for(0xA7A5_E000_03E9_0001);
    let seq = pair.server.deliver(pair.now, deliver.clone()).unwrap();
    pair.drive();
    let events = pair.client_events();
    assert_eq!(events, [ClientEvent::Deliver { sequence_id: seq, deliver: deliver.clone() }]);
    let report = deliver.report(pair.client.version()).unwrap().unwrap();
    assert!(report.is_delivered());
    // No automatic DELIVER_RESP: the report is not stored yet.
    assert_eq!(count(&pair.client_sent, CommandId::DELIVER_RESP), 0);
    assert_eq!(pair.server.in_flight(), 1);

    pair.client.ack_deliver(seq, deliver.msg_id, 0);
    pair.drive();
    let resp = DeliverResp { msg_id: deliver.msg_id, result: 0 };
    assert_eq!(pair.server_events(), [ServerEvent::DeliverResp { sequence_id: seq, resp }]);
    assert_eq!(pair.server.in_flight(), 0);
}

#[test]
fn server_window_limits_delivers() {
    let small = SessionConfig { window: 1, ..SessionConfig::default() };
    let mut pair = Pair::connected_with(SessionConfig::default(), small);
    pair.server.deliver(pair.now, report_for(1)).unwrap();
    assert!(!pair.server.can_deliver());
    assert_eq!(pair.server.deliver(pair.now, report_for(2)), Err(SubmitError::WindowFull));
}

#[test]
fn unacked_deliver_is_resent_then_handed_back() {
    let mut pair = Pair::connected();
    let deliver = report_for(7);
    let seq = pair.server.deliver(pair.now, deliver.clone()).unwrap();
    pair.drive();
    pair.advance(T * 3);
    let delivers: Vec<_> = pair.server_sent.iter().filter(|f| command_of(f) == CommandId::DELIVER).collect();
    assert_eq!(delivers.len(), 3, "sent max_attempts times");
    assert!(delivers.iter().all(|f| sequence_of(f) == seq), "same Sequence_Id each time");
    let timed_out = ServerEvent::DeliverTimedOut { sequence_id: seq, deliver };
    assert!(pair.server_events().contains(&timed_out));
    assert_eq!(pair.server.in_flight(), 0);
    // The client saw each copy; deduplication is the application's (by Msg_Id).
    assert_eq!(pair.client_events().len(), 3);
}

#[test]
fn peer_active_test_is_answered_with_one_reserved_byte() {
    let mut pair = Pair::connected();
    let probe = Frame { sequence_id: 99, pdu: Pdu::ActiveTest }.encode(Version::V30);
    pair.client.handle_input(&probe, pair.now).unwrap();
    let answer = pair.client.poll_transmit().unwrap();
    assert_eq!(answer, crate::testutil::hex("0000000d 80000008 00000063 00"));
    assert!(pair.client_events().is_empty());
}
