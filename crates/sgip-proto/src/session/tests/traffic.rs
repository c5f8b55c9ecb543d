//! Requests on a bound link: responses, the window, acknowledgement by the application,
//! duplicates, both directions.

use super::*;
use crate::pdu::{Deliver, Report};
use crate::session::SendError;
use crate::{ErrorCode, ReportState};

#[test]
fn submit_gets_its_response() {
    let mut pair = Pair::bound();
    let submit = sample_submit("验证码 123456");
    let seq = pair.submit(submit.clone());
    assert_eq!(seq, Sequence { node_id: SP_NODE, time: TIME, counter: 1 });
    assert_eq!(pair.client.in_flight(), 1);
    assert_eq!(pair.client_sent.last().unwrap().len(), 143 + 21 + submit.message_content.len());
    assert_eq!(server_requests(&pair.server_events()), [(seq, Request::Submit(submit.clone()))]);

    assert!(pair.server.ack(seq, ResultCode::OK));
    pair.drive();
    let resp = Resp::new(ResultCode::OK);
    assert_eq!(pair.client_events(), [ClientEvent::Response { sequence: seq, request: Request::Submit(submit), resp }]);
    assert_eq!(pair.client.in_flight(), 0);
    assert_eq!(resps(&pair.server_sent, CommandId::SUBMIT_RESP), [(seq, resp)], "the whole sequence echoed");
}

#[test]
fn responses_may_come_in_any_order() {
    let mut pair = Pair::bound();
    let first = pair.submit(sample_submit("a"));
    let second = pair.submit(sample_submit("b"));
    pair.server.ack(second, ResultCode::FLOW_LIMIT);
    pair.server.ack(first, ResultCode::OK);
    pair.drive();
    let got: Vec<_> = pair
        .client_events()
        .into_iter()
        .map(|e| match e {
            ClientEvent::Response { sequence, resp, .. } => (sequence, resp.result),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, [(second, ResultCode::FLOW_LIMIT), (first, ResultCode::OK)]);
}

#[test]
fn window_full() {
    let small = SessionConfig { window: 2, ..SessionConfig::default() };
    let mut pair = Pair::bound_with(small, SessionConfig::default());
    let first = pair.submit(sample_submit("1"));
    pair.submit(sample_submit("2"));
    assert!(!pair.client.can_send());
    assert_eq!(pair.client.submit(pair.now, TIME, sample_submit("3")), Err(SendError::WindowFull));
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT), 2, "nothing sent past the window");
    assert_eq!(pair.client.next_counter(), 3, "a refused send uses no counter");

    pair.server.ack(first, ResultCode::NODE_BUSY);
    pair.drive();
    assert!(pair.client.can_send());
    assert_eq!(pair.client.in_flight(), 1);
}

#[test]
fn invalid_or_oversize_requests_are_refused_not_cut() {
    let mut pair = Pair::bound_with(SessionConfig { max_frame_len: 400, ..SessionConfig::default() }, patient());
    let no_users = Submit { user_numbers: Vec::new(), ..sample_submit("") };
    assert!(matches!(pair.client.submit(pair.now, TIME, no_users), Err(SendError::Invalid(_))));
    let huge = Submit { message_content: vec![0; 300], ..sample_submit("") };
    assert_eq!(pair.client.submit(pair.now, TIME, huge), Err(SendError::TooLong { len: 143 + 21 + 300, max: 400 }));
    assert_eq!(pair.client.in_flight(), 0);
    assert!(pair.client.poll_transmit().is_none());
}

fn report_for(submit: Sequence) -> Report {
    Report::new(submit, b"8613012345678", ReportState::DELIVERED, ErrorCode::OK)
}

#[test]
fn inbound_report_is_not_acked_until_the_application_says_so() {
    let mut pair = Pair::bound();
    let submitted = pair.submit(sample_submit("hi"));
    pair.server.ack(submitted, ResultCode::OK);
    pair.drive();
    pair.client_events();
    pair.server_events();

    let report = report_for(submitted);
    let seq = pair.server.report(pair.now, TIME + 5, report.clone()).unwrap();
    assert_eq!(seq, Sequence { node_id: SMG_NODE, time: TIME + 5, counter: 0 });
    pair.drive();
    let events = pair.client_events();
    assert_eq!(events, [ClientEvent::Request { sequence: seq, request: Request::Report(report.clone()) }]);
    let ClientEvent::Request { request: Request::Report(got), .. } = &events[0] else { unreachable!() };
    assert_eq!(got.submit_sequence, submitted, "the Report names the Submit by its sequence");
    assert_eq!(count(&pair.client_sent, CommandId::REPORT_RESP), 0, "not stored yet, so not answered");
    assert_eq!((pair.server.in_flight(), pair.client.unanswered()), (1, 1));

    assert!(pair.client.ack(seq, ResultCode::OK));
    assert!(!pair.client.ack(seq, ResultCode::OK), "answered once only");
    pair.drive();
    let resp = Resp::new(ResultCode::OK);
    let expected = ServerEvent::Response { sequence: seq, request: Request::Report(report), resp };
    assert_eq!(pair.server_events(), [expected]);
    assert_eq!((pair.server.in_flight(), pair.client.unanswered()), (0, 0));
}

#[test]
fn smg_binds_to_the_sp_listener_and_delivers() {
    // Login Type 2: the SMG is the client, the SP's listener the server.
    let mut pair = Pair::with_login(SessionConfig::default(), SessionConfig::default(), LoginType::SMG_TO_SP);
    assert_eq!(pair.login(PASSWORD), [ClientEvent::Bound]);
    assert_eq!(pair.server.login_type(), Some(LoginType::SMG_TO_SP));
    let mo = Deliver {
        user_number: b"8613012345678".to_vec(),
        sp_number: b"10655012345".to_vec(),
        message_coding: MessageCoding::GBK,
        message_content: vec![0xcd, 0xcb, 0xb6, 0xa9],
        ..Deliver::default()
    };
    let seq = pair.client.send(pair.now, TIME, mo.clone()).unwrap();
    pair.drive();
    assert_eq!(server_requests(&pair.server_events()), [(seq, Request::Deliver(mo))]);
    pair.server.ack(seq, ResultCode::OK);
    pair.drive();
    assert!(matches!(&pair.client_events()[..], [ClientEvent::Response { request: Request::Deliver(_), .. }]));
    assert_eq!(resps(&pair.server_sent, CommandId::DELIVER_RESP).len(), 1);
}

#[test]
fn server_window_limits_delivers() {
    let small = SessionConfig { window: 1, ..SessionConfig::default() };
    let mut pair = Pair::bound_with(SessionConfig::default(), small);
    pair.server.deliver(pair.now, TIME, Deliver::default()).unwrap();
    assert!(!pair.server.can_send());
    assert_eq!(pair.server.deliver(pair.now, TIME, Deliver::default()), Err(SendError::WindowFull));
}

#[test]
fn duplicates_are_dropped_re_answered_or_refused() {
    let mut pair = Pair::bound();
    let deliver = Deliver { message_content: b"once".to_vec(), ..Deliver::default() };
    let seq = pair.server.deliver(pair.now, TIME, deliver.clone()).unwrap();
    pair.drive();
    let copy = pair.server_sent.last().unwrap().clone();
    // A copy while the application still holds the first: dropped, no second event.
    pair.client.handle_input(&copy, pair.now).unwrap();
    assert_eq!(pair.client_events().len(), 1);
    assert!(pair.client.poll_transmit().is_none());
    // Answered; a copy after that gets the same answer again and no event.
    pair.client.ack(seq, ResultCode::OK);
    let answer = pair.client.poll_transmit().unwrap();
    pair.client.handle_input(&copy, pair.now).unwrap();
    assert_eq!(pair.client.poll_transmit(), Some(answer));
    assert!(pair.client_events().is_empty());
    // The same sequence with other content: Result 9.
    let other =
        Frame { sequence: seq, pdu: crate::Pdu::Deliver(Deliver { message_content: b"twice".to_vec(), ..deliver }) };
    pair.client.handle_input(&other.encode(), pair.now).unwrap();
    let refused = Frame::decode(&pair.client.poll_transmit().unwrap()).unwrap();
    assert_eq!(refused, Frame { sequence: seq, pdu: crate::Pdu::DeliverResp(Resp::new(ResultCode::ILLEGAL_SEQUENCE)) });
    assert!(matches!(pair.client_events()[..], [ClientEvent::Malformed { .. }]));
}

#[test]
fn too_many_unanswered_requests_get_node_busy() {
    let mut pair =
        Pair::bound_with(SessionConfig::default(), SessionConfig { max_unanswered: 1, ..SessionConfig::default() });
    let first = pair.submit(sample_submit("1"));
    let second = pair.submit(sample_submit("2"));
    assert_eq!(server_requests(&pair.server_events()).len(), 1);
    let events = pair.client_events();
    let [ClientEvent::Response { sequence, resp, .. }] = &events[..] else { panic!("{events:?}") };
    assert_eq!((*sequence, resp.result), (second, ResultCode::NODE_BUSY));
    assert!(pair.server.ack(first, ResultCode::OK));
    assert!(!pair.server.ack(second, ResultCode::OK), "the busy one was never handed out");
}

#[test]
fn counter_wraps_to_zero() {
    let mut pair = Pair::bound_with(SessionConfig { first_counter: u32::MAX, ..SessionConfig::default() }, patient());
    assert_eq!(pair.submit(sample_submit("a")).counter, 0, "the Bind took u32::MAX");
    assert_eq!(pair.submit(sample_submit("b")).counter, 1);
    assert_eq!(frames(&pair.client_sent, CommandId::BIND)[0].sequence.counter, u32::MAX);
}
