//! Submit, Deliver and Query on a logged-in link: responses, the window, acknowledgement.

use super::*;
use crate::pdu::{Deliver, DeliverResp, Query, QueryResp, StatusReport};
use crate::session::SubmitError;
use crate::{Tlv, Tlvs};

#[test]
fn submit_gets_its_response() {
    let mut pair = Pair::logged_in();
    let submit = sample_submit("验证码 123456");
    let seq = pair.submit(submit.clone());
    assert_eq!(seq, 2, "1 was the Login");
    assert_eq!(pair.client.in_flight(), 1);
    assert_eq!(server_submit(&pair.server_events(), seq), Some(&submit));
    assert_eq!(pair.client_sent.last().unwrap().len(), 126 + 21 + submit.msg_content.len());

    pair.server.answer_submit(seq, accepted(12_345));
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::SubmitResp { sequence_id: seq, resp: accepted(12_345) }]);
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn long_message_segments_keep_their_tlvs() {
    let mut pair = Pair::logged_in();
    let udh = [0x05, 0x00, 0x03, 0x2a, 0x02];
    let mut seqs = Vec::new();
    for n in 1..=2u8 {
        let tlvs = Tlvs(vec![Tlv::TpUdhi(1), Tlv::PkTotal(2), Tlv::PkNumber(n)]);
        let content = [&udh[..], &[n], &[0x00, 0x41]].concat();
        seqs.push(pair.submit(Submit { msg_content: content, tlvs, ..sample_submit("") }));
    }
    let events = pair.server_events();
    for (n, seq) in (1..=2u8).zip(seqs) {
        let tlvs = &server_submit(&events, seq).expect("segment arrived").tlvs;
        assert_eq!((tlvs.tp_udhi(), tlvs.pk_total(), tlvs.pk_number()), (Some(1), Some(2), Some(n)));
    }
}

#[test]
fn responses_may_come_in_any_order() {
    let mut pair = Pair::logged_in();
    let first = pair.submit(sample_submit("a"));
    let second = pair.submit(sample_submit("b"));
    pair.server.answer_submit(second, accepted(2));
    pair.server.answer_submit(first, accepted(1));
    pair.drive();
    let expected = [
        ClientEvent::SubmitResp { sequence_id: second, resp: accepted(2) },
        ClientEvent::SubmitResp { sequence_id: first, resp: accepted(1) },
    ];
    assert_eq!(pair.client_events(), expected);
}

#[test]
fn window_full() {
    let small = SessionConfig { window: 2, ..SessionConfig::default() };
    let mut pair = Pair::logged_in_with(small, SessionConfig::default(), LoginMode::TRANSMIT);
    let first = pair.submit(sample_submit("1"));
    pair.submit(sample_submit("2"));
    assert!(!pair.client.can_submit());
    assert_eq!(pair.client.submit(pair.now, sample_submit("3")), Err(SubmitError::WindowFull));
    assert_eq!(pair.client.query(pair.now, Query::default()), Err(SubmitError::WindowFull));
    assert_eq!(count(&pair.client_sent, RequestId::SUBMIT), 2, "nothing sent past the window");

    pair.server.answer_submit(first, SubmitResp { msg_id: msg_id(1), status: Status(103) });
    pair.drive();
    assert!(pair.client.can_submit());
    assert_eq!(pair.client.in_flight(), 1);
}

#[test]
fn oversize_fields_are_refused_not_cut() {
    let mut pair = Pair::logged_in();
    let too_long = Submit { msg_content: vec![0; 256], ..sample_submit("") };
    assert!(matches!(pair.client.submit(pair.now, too_long), Err(SubmitError::Invalid(_))));
    let too_many = Submit { dest_term_ids: vec![b"13300000000".to_vec(); 101], ..sample_submit("") };
    assert!(matches!(pair.client.submit(pair.now, too_many), Err(SubmitError::Invalid(_))));
    assert_eq!(pair.client.in_flight(), 0);
    assert!(pair.client.poll_transmit().is_none());
}

/// A Deliver carrying a DELIVRD report for the MT with MsgID sequence `n`.
fn report_for(n: u32) -> Deliver {
    let report =
        StatusReport::new(msg_id(n), StatusReport::DELIVRD, *b"000", *b"2501161700", *b"2501161701").with_text(b"hi");
    Deliver {
        msg_id: msg_id(n + 100),
        recv_time: b"20250116170100".to_vec(),
        src_term_id: b"13300000000".to_vec(),
        dest_term_id: b"118901234".to_vec(),
        ..Deliver::with_report(&report)
    }
}

#[test]
fn deliver_report_is_not_acked_until_the_application_says_so() {
    let mut pair = Pair::logged_in();
    let deliver = report_for(12_345);
    let seq = pair.server.deliver(pair.now, deliver.clone()).unwrap();
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::Deliver { sequence_id: seq, deliver: deliver.clone() }]);
    let report = deliver.report().unwrap().unwrap();
    assert!(report.is_delivered());
    assert_eq!(report.id, msg_id(12_345), "the report names the MT's MsgID");
    // No automatic Deliver_Resp: the report is not stored yet.
    assert_eq!(count(&pair.client_sent, RequestId::DELIVER_RESP), 0);
    assert_eq!(pair.server.in_flight(), 1);

    pair.client.ack_deliver(seq, deliver.msg_id, Status::OK);
    pair.drive();
    let resp = DeliverResp { msg_id: deliver.msg_id, status: Status::OK };
    assert_eq!(pair.server_events(), [ServerEvent::DeliverResp { sequence_id: seq, resp }]);
    assert_eq!(pair.server.in_flight(), 0);
}

#[test]
fn server_window_limits_delivers() {
    let small = SessionConfig { window: 1, ..SessionConfig::default() };
    let mut pair = Pair::logged_in_with(SessionConfig::default(), small, LoginMode::TRANSMIT);
    pair.server.deliver(pair.now, report_for(1)).unwrap();
    assert!(!pair.server.can_deliver());
    assert_eq!(pair.server.deliver(pair.now, report_for(2)), Err(SubmitError::WindowFull));
}

#[test]
fn unacked_deliver_is_resent_then_handed_back() {
    let mut pair = Pair::logged_in();
    let deliver = report_for(7);
    let seq = pair.server.deliver(pair.now, deliver.clone()).unwrap();
    pair.drive();
    pair.advance(T * 3);
    let delivers: Vec<_> = pair.server_sent.iter().filter(|f| request_of(f) == RequestId::DELIVER).collect();
    assert_eq!(delivers.len(), 3, "sent max_attempts times");
    assert!(delivers.iter().all(|f| sequence_of(f) == seq), "same SequenceID each time");
    assert!(pair.server_events().contains(&ServerEvent::DeliverTimedOut { sequence_id: seq, deliver }));
    assert_eq!(pair.server.in_flight(), 0);
    // The client saw each copy; deduplication is the application's (by MsgID).
    assert_eq!(pair.client_events().len(), 3);
}

#[test]
fn peer_active_test_is_answered_with_an_empty_body() {
    let mut pair = Pair::logged_in();
    let probe = Frame { sequence_id: 99, pdu: Pdu::ActiveTest }.encode();
    pair.client.handle_input(&probe, pair.now).unwrap();
    assert_eq!(pair.client.poll_transmit().unwrap(), crate::testutil::hex("0000000c 80000004 00000063"));
    pair.server.handle_input(&probe, pair.now).unwrap();
    assert_eq!(pair.server.poll_transmit().unwrap(), crate::testutil::hex("0000000c 80000004 00000063"));
    assert!(pair.client_events().is_empty() && pair.server_events().is_empty());
}

#[test]
fn query_is_answered() {
    let mut pair = Pair::logged_in();
    let query = Query { query_time: b"20250116".to_vec(), query_type: 0, query_code: Vec::new() };
    let seq = pair.client.query(pair.now, query.clone()).unwrap();
    pair.drive();
    assert_eq!(pair.server_events(), [ServerEvent::Query { sequence_id: seq, query }]);
    let resp = QueryResp { query_time: b"20250116".to_vec(), mt_tl_msg: 10, mt_scs: 9, ..QueryResp::default() };
    // A Submit_Resp is not an answer to a Query.
    pair.server.answer_submit(seq, accepted(1));
    pair.server.answer_query(seq, resp.clone());
    pair.drive();
    assert_eq!(pair.client_events(), [ClientEvent::QueryResp { sequence_id: seq, resp }]);
    assert_eq!(pair.client.in_flight(), 0);
}
