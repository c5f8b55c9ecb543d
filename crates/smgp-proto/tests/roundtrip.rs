//! Property tests over the public API: every PDU decodes back to itself from its encoding,
//! for arbitrary field values within their wire sizes (TLV lists included), and no input
//! makes a decoder or a session panic.

use hongyan_smgp_proto::pdu::{
    Deliver, DeliverResp, Login, LoginResp, Query, QueryResp, StatusReport, Submit, SubmitResp,
};
use hongyan_smgp_proto::{
    Frame, LoginMode, MsgFormat, MsgId, MsgType, Pdu, RequestId, ServerSession, SessionConfig, Status, Tlv, TlvTag,
    Tlvs, Version,
};
use proptest::collection::vec;
use proptest::prelude::*;
use std::time::Instant;

/// A fixed-size octet string of at most `max` bytes. NUL and space are left out: the wire
/// pads with NUL and peers pad with spaces, so decoding trims both.
fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(0x21u8..=0x7e, 0..=max)
}

fn msg_id() -> impl Strategy<Value = MsgId> {
    any::<[u8; 10]>().prop_map(MsgId)
}

/// Any TLV: a known integer tag, a known octet-string tag within its spec size, or a tag
/// this crate does not know with any value.
fn tlv() -> impl Strategy<Value = Tlv> {
    let integer = (0usize..12, any::<u8>()).prop_map(|(i, v)| {
        let make = [
            Tlv::TpPid,
            Tlv::TpUdhi,
            Tlv::ChargeUserType,
            Tlv::ChargeTermType,
            Tlv::DestTermType,
            Tlv::PkTotal,
            Tlv::PkNumber,
            Tlv::SubmitMsgType,
            Tlv::SpDealResult,
            Tlv::SrcTermType,
            Tlv::NodesCount,
            Tlv::SrcType,
        ];
        make[i](v)
    });
    let octets = prop_oneof![
        vec(any::<u8>(), 0..=20).prop_map(Tlv::LinkId),
        vec(any::<u8>(), 0..=8).prop_map(Tlv::MsgSrc),
        vec(any::<u8>(), 0..=21).prop_map(Tlv::MServiceId),
        vec(any::<u8>(), 0..=64).prop_map(Tlv::ChargeTermPseudo),
        vec(any::<u8>(), 0..=64).prop_map(Tlv::DestTermPseudo),
        vec(any::<u8>(), 0..=64).prop_map(Tlv::SrcTermPseudo),
    ];
    let other = (any::<u16>().prop_filter("unknown tag", |t| TlvTag(*t).name().is_none()), vec(any::<u8>(), 0..=64))
        .prop_map(|(tag, value)| Tlv::Other { tag: TlvTag(tag), value });
    prop_oneof![integer, octets, other]
}

fn tlvs() -> impl Strategy<Value = Tlvs> {
    vec(tlv(), 0..8).prop_map(Tlvs)
}

prop_compose! {
    fn submit()(
        head in (any::<u8>(), any::<u8>(), any::<u8>(), text(10), text(2), text(6), text(6), any::<u8>()),
        times in (text(17), text(17), text(21), text(21)),
        dest_term_ids in vec(text(21), 0..=100),
        msg_content in vec(any::<u8>(), 0..=255),
        reserve in any::<[u8; 8]>(),
        tlvs in tlvs(),
    ) -> Submit {
        let (msg_type, need_report, priority, service_id, fee_type, fee_code, fixed_fee, msg_format) = head;
        let (valid_time, at_time, src_term_id, charge_term_id) = times;
        Submit {
            msg_type: MsgType(msg_type), need_report, priority, service_id, fee_type, fee_code, fixed_fee,
            msg_format: MsgFormat(msg_format), valid_time, at_time, src_term_id, charge_term_id,
            dest_term_ids, msg_content, reserve, tlvs,
        }
    }
}

prop_compose! {
    fn deliver()(
        msg_id in msg_id(), is_report in any::<u8>(), msg_format in any::<u8>(), recv_time in text(14),
        src_term_id in text(21), dest_term_id in text(21), msg_content in vec(any::<u8>(), 0..=255),
        reserve in any::<[u8; 8]>(), tlvs in tlvs(),
    ) -> Deliver {
        Deliver {
            msg_id, is_report, msg_format: MsgFormat(msg_format), recv_time, src_term_id, dest_term_id,
            msg_content, reserve, tlvs,
        }
    }
}

prop_compose! {
    fn query_resp()(
        query_time in text(8), query_type in any::<u8>(), query_code in text(10),
        counters in any::<[u32; 8]>(), reserve in any::<[u8; 8]>(),
    ) -> QueryResp {
        let [mt_tl_msg, mt_tl_usr, mt_scs, mt_wt, mt_fl, mo_scs, mo_wt, mo_fl] = counters;
        QueryResp {
            query_time, query_type, query_code, mt_tl_msg, mt_tl_usr, mt_scs, mt_wt, mt_fl, mo_scs, mo_wt, mo_fl,
            reserve,
        }
    }
}

prop_compose! {
    fn status_report()(
        id in msg_id(), counts in any::<([u8; 3], [u8; 3])>(), dates in any::<([u8; 10], [u8; 10])>(),
        stat in any::<[u8; 7]>(), err in any::<[u8; 3]>(), txt in any::<[u8; 20]>(),
    ) -> StatusReport {
        StatusReport { id, sub: counts.0, dlvrd: counts.1, submit_date: dates.0, done_date: dates.1, stat, err, txt }
    }
}

fn pdu() -> impl Strategy<Value = Pdu> {
    let login = (text(8), any::<[u8; 16]>(), any::<u8>(), any::<u32>(), any::<u8>()).prop_map(|(c, a, m, t, v)| {
        Pdu::Login(Login {
            client_id: c,
            authenticator: a,
            login_mode: LoginMode(m),
            timestamp: t,
            version: Version(v),
        })
    });
    let login_resp = (any::<u32>(), any::<[u8; 16]>(), any::<u8>())
        .prop_map(|(s, a, v)| Pdu::LoginResp(LoginResp { status: Status(s), authenticator: a, version: Version(v) }));
    let query = (text(8), any::<u8>(), text(10))
        .prop_map(|(t, q, c)| Pdu::Query(Query { query_time: t, query_type: q, query_code: c }));
    let unknown = (any::<u32>().prop_filter("unknown id", |i| !handled(RequestId(*i))), vec(any::<u8>(), 0..64))
        .prop_map(|(id, body)| Pdu::Unknown { request_id: RequestId(id), body });
    prop_oneof![
        login,
        login_resp,
        submit().prop_map(Pdu::Submit),
        (msg_id(), any::<u32>()).prop_map(|(m, s)| Pdu::SubmitResp(SubmitResp { msg_id: m, status: Status(s) })),
        deliver().prop_map(Pdu::Deliver),
        (msg_id(), any::<u32>()).prop_map(|(m, s)| Pdu::DeliverResp(DeliverResp { msg_id: m, status: Status(s) })),
        Just(Pdu::ActiveTest),
        Just(Pdu::ActiveTestResp),
        Just(Pdu::Exit),
        Just(Pdu::ExitResp),
        query,
        query_resp().prop_map(Pdu::QueryResp),
        unknown,
    ]
}

/// The RequestIDs that decode to their own [`Pdu`] variant.
fn handled(id: RequestId) -> bool {
    let request = RequestId(id.0 & 0x7fff_ffff);
    [RequestId::LOGIN, RequestId::SUBMIT, RequestId::DELIVER, RequestId::ACTIVE_TEST, RequestId::EXIT, RequestId::QUERY]
        .contains(&request)
}

proptest! {
    #[test]
    fn every_pdu_round_trips(sequence_id in any::<u32>(), pdu in pdu()) {
        let frame = Frame { sequence_id, pdu };
        let bytes = frame.encode();
        prop_assert_eq!(u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize, bytes.len());
        prop_assert_eq!(Frame::decode(&bytes), Ok(frame));
    }

    #[test]
    fn submits_within_wire_sizes_validate(submit in submit()) {
        prop_assert_eq!(submit.validate(), Ok(()));
    }

    #[test]
    fn delivers_within_wire_sizes_validate(deliver in deliver()) {
        prop_assert_eq!(deliver.validate(), Ok(()));
    }

    #[test]
    fn status_reports_round_trip(report in status_report()) {
        let bytes = report.encode();
        prop_assert_eq!(bytes.len(), 122);
        prop_assert_eq!(StatusReport::decode(&bytes), Ok(report.clone()));
        let deliver = Deliver::with_report(&report);
        prop_assert_eq!(deliver.report(), Some(Ok(report)));
    }

    #[test]
    fn msg_id_text_round_trips(id in msg_id()) {
        prop_assert_eq!(id.to_string().parse::<MsgId>(), Ok(id));
    }

    #[test]
    fn bcd_msg_ids_round_trip_through_parts(
        gateway in 0u32..1_000_000, month in 1u8..=12, day in 1u8..=31, hour in 0u8..24, minute in 0u8..60,
        sequence in 0u32..1_000_000,
    ) {
        let parts = hongyan_smgp_proto::MsgIdParts { gateway, month, day, hour, minute, sequence };
        let id = MsgId::new(parts);
        prop_assert_eq!(id.parts(), Some(parts));
        prop_assert!(id.to_string().bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoder(bytes in vec(any::<u8>(), 0..512)) {
        let _ = Frame::decode(&bytes);
        let _ = StatusReport::decode(&bytes);
    }

    #[test]
    fn arbitrary_input_never_panics_a_server(chunks in vec(vec(any::<u8>(), 0..64), 0..8)) {
        let mut server = ServerSession::new(SessionConfig::default());
        let now = Instant::now();
        for chunk in &chunks {
            if server.handle_input(chunk, now).is_err() {
                break;
            }
        }
        while server.poll_transmit().is_some() {}
        while server.poll_event().is_some() {}
    }
}

/// A client and server logged in to each other through the public API.
fn logged_in_pair(now: Instant) -> (hongyan_smgp_proto::ClientSession, ServerSession) {
    use hongyan_smgp_proto::{ClientSession, ServerEvent};
    let mut client =
        ClientSession::new(SessionConfig::default(), b"12345678".to_vec(), b"pass".to_vec(), LoginMode::TRANSMIT);
    let mut server = ServerSession::new(SessionConfig::default());
    client.login(now, 301_000_000);
    server.handle_input(&client.poll_transmit().unwrap(), now).unwrap();
    let Some(ServerEvent::LoginRequest { sequence_id, login }) = server.poll_event() else { panic!("no login") };
    server.answer_login(sequence_id, &login, Status::OK, b"pass");
    client.handle_input(&server.poll_transmit().unwrap(), now).unwrap();
    assert!(client.can_submit() && server.can_deliver());
    (client, server)
}

proptest! {
    /// Frames with a sane header and a random body for every command this crate handles:
    /// the sessions answer or report them, never panic, and stay open (a sane length never
    /// closes a logged-in link, except Exit).
    #[test]
    fn sane_frames_with_random_bodies_keep_the_link(
        frames in vec((0usize..12, any::<u32>(), vec(any::<u8>(), 0..300)), 1..6),
    ) {
        let ids = [1u32, 2, 3, 4, 6, 7].into_iter().flat_map(|id| [id, id | 0x8000_0000]).collect::<Vec<_>>();
        let now = Instant::now();
        let (mut client, mut server) = logged_in_pair(now);
        for (which, seq, body) in frames {
            let id = ids[which];
            if id & 0x7fff_ffff == 6 {
                continue;
            }
            let mut frame = ((12 + body.len()) as u32).to_be_bytes().to_vec();
            frame.extend(id.to_be_bytes());
            frame.extend(seq.to_be_bytes());
            frame.extend(&body);
            prop_assert!(server.handle_input(&frame, now).is_ok());
            prop_assert!(client.handle_input(&frame, now).is_ok());
            while server.poll_transmit().is_some() {}
            while client.poll_transmit().is_some() {}
        }
        prop_assert!(!server.is_closed());
        prop_assert!(!client.is_closed());
    }
}
