//! submit_sm, deliver_sm and the other requests on a bound link: responses, the window,
//! throttling, acknowledgement by the application.

use super::*;
use crate::pdu::{
    CancelSm, DataSm, DataSmResp, DeliverSmResp, QuerySm, QuerySmResp, ReplaceSm, SubmitMulti, SubmitMultiResp,
    SubmitSmResp,
};
use crate::session::SendError;
use crate::{MessageState, TlvTag};

#[test]
fn submit_gets_its_response() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let submit = sample_submit("验证码 123456");
    let seq = pair.submit(submit.clone());
    assert_eq!(seq, 2, "1 was the bind");
    assert_eq!(pair.client.in_flight(), 1);
    assert_eq!(smsc_submit(&pair.server_events(), seq), Some(&submit));
    assert!(pair.server.answer_submit(seq, CommandStatus::ESME_ROK, "msg-1"));
    assert!(!pair.server.answer_submit(seq, CommandStatus::ESME_ROK, "msg-1"), "answered once");
    pair.drive();
    let expected =
        EsmeEvent::SubmitResp { sequence: seq, status: CommandStatus::ESME_ROK, resp: SubmitSmResp::new("msg-1") };
    assert_eq!(pair.client_events(), [expected]);
    assert_eq!(pair.client.in_flight(), 0);
}

#[test]
fn responses_may_come_in_any_order() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    let first = pair.submit(sample_submit("a"));
    let second = pair.submit(sample_submit("b"));
    pair.server.answer_submit(second, CommandStatus::ESME_ROK, "2");
    pair.server.answer_submit(first, CommandStatus::ESME_ROK, "1");
    pair.drive();
    let ids: Vec<_> = pair
        .client_events()
        .into_iter()
        .map(|e| match e {
            EsmeEvent::SubmitResp { sequence, resp, .. } => (sequence, resp.message_id),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, [(second, b"2".to_vec()), (first, b"1".to_vec())]);
}

#[test]
fn window_full() {
    let small = SessionConfig { window: 2, ..SessionConfig::default() };
    let mut pair = Pair::bound_with(BindMode::Transmitter, small, SessionConfig::default());
    let first = pair.submit(sample_submit("1"));
    pair.submit(sample_submit("2"));
    assert!(!pair.client.can_submit());
    assert_eq!(pair.client.submit(pair.now, sample_submit("3")), Err(SendError::WindowFull));
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT_SM), 2, "nothing sent past the window");
    pair.server.answer_submit(first, CommandStatus::ESME_ROK, "1");
    pair.drive();
    assert!(pair.client.can_submit());
    assert_eq!(pair.client.in_flight(), 1);
}

#[test]
fn throttled_status_is_reported_for_the_app_to_retry() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let a = pair.submit(sample_submit("a"));
    let b = pair.submit(sample_submit("b"));
    pair.server.answer_submit(a, CommandStatus::ESME_RTHROTTLED, "ignored on error");
    pair.server.answer_submit(b, CommandStatus::ESME_RMSGQFUL, "");
    pair.drive();
    let events = pair.client_events();
    let statuses: Vec<_> = events
        .iter()
        .map(|e| match e {
            EsmeEvent::SubmitResp { status, resp, .. } => {
                assert!(resp.message_id.is_empty());
                *status
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(statuses, [CommandStatus::ESME_RTHROTTLED, CommandStatus::ESME_RMSGQFUL]);
    assert!(statuses.iter().all(|s| s.is_throttling()));
    // Nothing was re-sent by the session: retrying is the application's call.
    assert_eq!(count(&pair.client_sent, CommandId::SUBMIT_SM), 2);
    assert_eq!(pair.server_sent.last().unwrap().len(), 16, "error submit_sm_resp has no body");
}

#[test]
fn oversize_fields_are_refused_not_cut() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let too_long = SubmitSm { short_message: vec![0; 255], ..sample_submit("") };
    assert!(matches!(pair.client.submit(pair.now, too_long), Err(SendError::Invalid(_))));
    assert_eq!(pair.client.in_flight(), 0);
    assert!(pair.client.poll_transmit().is_none());
}

#[test]
fn deliver_is_not_acked_until_the_app_says_so() {
    let mut pair = Pair::bound(BindMode::Receiver);
    let deliver = sample_deliver("reply");
    let seq = pair.server.deliver(pair.now, deliver.clone()).unwrap();
    pair.drive();
    assert_eq!(pair.client_events(), [EsmeEvent::Deliver { sequence: seq, deliver }]);
    assert_eq!(count(&pair.client_sent, CommandId::DELIVER_SM_RESP), 0, "not stored yet, so not acked");
    assert_eq!(pair.server.in_flight(), 1);
    assert!(pair.client.ack_deliver(seq, CommandStatus::ESME_ROK));
    assert!(!pair.client.ack_deliver(seq, CommandStatus::ESME_ROK), "acked once");
    pair.drive();
    let resp = DeliverSmResp::default();
    assert_eq!(pair.server_events(), [SmscEvent::DeliverResp { sequence: seq, status: CommandStatus::ESME_ROK, resp }]);
    assert_eq!(pair.server.in_flight(), 0);
}

#[test]
fn app_can_refuse_a_deliver_for_later() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    let seq = pair.server.deliver(pair.now, sample_deliver("x")).unwrap();
    pair.drive();
    pair.client_events();
    pair.client.ack_deliver(seq, CommandStatus::ESME_RX_T_APPN);
    pair.drive();
    assert!(matches!(pair.server_events()[..], [SmscEvent::DeliverResp { status: CommandStatus::ESME_RX_T_APPN, .. }]));
}

#[test]
fn transmitter_gets_no_deliver() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let err = pair.server.deliver(pair.now, sample_deliver("x")).unwrap_err();
    assert_eq!(err, SendError::WrongBindState { mode: BindMode::Transmitter });
    // An SMSC that sends one anyway is answered ESME_RINVBNDSTS and the app never sees it.
    let answers = pair.raw_to_esme(&encoded(77, Pdu::DeliverSm(sample_deliver("x"))));
    assert_eq!(
        (answers[0].pdu.command_id(), answers[0].command_status),
        (CommandId::DELIVER_SM_RESP, CommandStatus::ESME_RINVBNDSTS)
    );
    assert!(matches!(pair.client_events()[..], [EsmeEvent::Malformed { .. }]));
    assert!(!pair.client.is_closed());
}

#[test]
fn smsc_window_limits_delivers() {
    let small = SessionConfig { window: 1, ..SessionConfig::default() };
    let mut pair = Pair::bound_with(BindMode::Receiver, SessionConfig::default(), small);
    pair.server.deliver(pair.now, sample_deliver("1")).unwrap();
    assert!(!pair.server.can_deliver());
    assert_eq!(pair.server.deliver(pair.now, sample_deliver("2")), Err(SendError::WindowFull));
}

#[test]
fn data_sm_both_ways() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    let mut data = DataSm { dest: Address::international("8613800138000"), ..DataSm::default() };
    data.tlvs.set(TlvTag::MESSAGE_PAYLOAD, vec![b'x'; 600]);
    let seq = pair.client.data_sm(pair.now, data.clone()).unwrap();
    pair.drive();
    assert_eq!(pair.server_events(), [SmscEvent::DataSm { sequence: seq, data: data.clone() }]);
    assert!(pair.server.answer_data_sm(seq, CommandStatus::ESME_ROK, DataSmResp::new("d1")));
    pair.drive();
    let ok = CommandStatus::ESME_ROK;
    assert_eq!(
        pair.client_events(),
        [EsmeEvent::DataSmResp { sequence: seq, status: ok, resp: DataSmResp::new("d1") }]
    );

    let down = pair.server.data_sm(pair.now, data.clone()).unwrap();
    pair.drive();
    assert_eq!(pair.client_events(), [EsmeEvent::DataSm { sequence: down, data }]);
    assert!(pair.client.ack_data_sm(down, ok, DataSmResp::new("e1")));
    pair.drive();
    assert_eq!(
        pair.server_events(),
        [SmscEvent::DataSmResp { sequence: down, status: ok, resp: DataSmResp::new("e1") }]
    );
}

#[test]
fn query_cancel_replace_and_submit_multi_are_answered() {
    let mut pair = Pair::bound(BindMode::Transmitter);
    let now = pair.now;
    let q = pair.client.query(now, QuerySm { message_id: b"m1".to_vec(), ..QuerySm::default() }).unwrap();
    let c = pair.client.cancel(now, CancelSm { message_id: b"m1".to_vec(), ..CancelSm::default() }).unwrap();
    let r = pair.client.replace(now, ReplaceSm { message_id: b"m1".to_vec(), ..ReplaceSm::default() }).unwrap();
    let m = pair.client.submit_multi(now, SubmitMulti::default()).unwrap();
    pair.drive();
    let kinds: Vec<_> = pair.server_events().iter().map(std::mem::discriminant).collect();
    assert_eq!(kinds.len(), 4);
    let state =
        QuerySmResp { message_id: b"m1".to_vec(), message_state: MessageState::ENROUTE, ..QuerySmResp::default() };
    assert!(!pair.server.answer_cancel(q, CommandStatus::ESME_ROK), "a query is not answered with cancel_sm_resp");
    assert!(pair.server.answer_query(q, CommandStatus::ESME_ROK, state.clone()));
    assert!(pair.server.answer_cancel(c, CommandStatus::ESME_RCANCELFAIL));
    assert!(pair.server.answer_replace(r, CommandStatus::ESME_ROK));
    assert!(pair.server.answer_submit_multi(m, CommandStatus::ESME_ROK, SubmitMultiResp::default()));
    pair.drive();
    let got: Vec<_> = pair
        .client_events()
        .into_iter()
        .map(|e| match e {
            EsmeEvent::Response { sequence, status, pdu } => (sequence, status, pdu),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got[0], (q, CommandStatus::ESME_ROK, Pdu::QuerySmResp(state)));
    assert_eq!(got[1], (c, CommandStatus::ESME_RCANCELFAIL, Pdu::CancelSmResp));
    assert_eq!(got[2], (r, CommandStatus::ESME_ROK, Pdu::ReplaceSmResp));
    assert_eq!(got[3].0, m);
    assert_eq!(pair.client.in_flight(), 0);
}
