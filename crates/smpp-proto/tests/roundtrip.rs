//! Property tests over the public API: every PDU with arbitrary field values within the wire
//! limits (arbitrary TLV lists included) survives encode → decode unchanged, and no input
//! makes the decoder or a session panic.

use hongyan_smpp_proto::pdu::{
    AlertNotification, Bind, BindMode, BindResp, CancelSm, DataSm, DataSmResp, DeliverSm, DeliverSmResp, MultiDest,
    Outbind, QuerySm, QuerySmResp, ReplaceSm, SubmitMulti, SubmitMultiResp, SubmitSm, SubmitSmResp, UnsuccessSme,
};
use hongyan_smpp_proto::{
    Address, CommandId, CommandStatus, DataCoding, EsmClass, EsmeSession, Frame, MessageState, Npi, Pdu,
    RegisteredDelivery, SessionConfig, SmscSession, Tlv, TlvTag, Tlvs, Ton,
};
use proptest::collection::vec;
use proptest::prelude::*;
use std::time::Instant;

/// A C-Octet String of "max `max`": no NUL, at most `max - 1` bytes.
fn c_str(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(1u8..=255, 0..max)
}

fn address(max: usize) -> impl Strategy<Value = Address> {
    (any::<u8>(), any::<u8>(), c_str(max)).prop_map(|(ton, npi, addr)| Address::new(Ton(ton), Npi(npi), addr))
}

fn tlvs() -> impl Strategy<Value = Tlvs> {
    vec((any::<u16>(), vec(any::<u8>(), 0..300)), 0..5)
        .prop_map(|list| Tlvs(list.into_iter().map(|(tag, value)| Tlv::new(TlvTag(tag), value)).collect()))
}

fn short_message() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=254)
}

fn mode() -> impl Strategy<Value = BindMode> {
    prop_oneof![Just(BindMode::Transmitter), Just(BindMode::Receiver), Just(BindMode::Transceiver)]
}

fn bind() -> impl Strategy<Value = Pdu> {
    (mode(), c_str(16), c_str(9), c_str(13), any::<u8>(), address(41)).prop_map(
        |(mode, system_id, password, system_type, interface_version, address_range)| {
            Pdu::Bind(Bind { mode, system_id, password, system_type, interface_version, address_range })
        },
    )
}

fn bind_resp() -> impl Strategy<Value = Pdu> {
    (mode(), c_str(16), tlvs()).prop_map(|(mode, system_id, tlvs)| Pdu::BindResp(BindResp { mode, system_id, tlvs }))
}

/// The twelve fields submit_sm, deliver_sm and submit_multi share after the addresses.
#[derive(Debug, Clone)]
struct Common {
    esm_class: u8,
    protocol_id: u8,
    priority_flag: u8,
    schedule: Vec<u8>,
    validity: Vec<u8>,
    registered_delivery: u8,
    replace: u8,
    data_coding: u8,
    default_msg_id: u8,
    short_message: Vec<u8>,
    tlvs: Tlvs,
}

fn common() -> impl Strategy<Value = Common> {
    let bytes = (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>());
    (bytes, c_str(17), c_str(17), short_message(), tlvs()).prop_map(|(b, schedule, validity, short_message, tlvs)| {
        Common {
            esm_class: b.0,
            protocol_id: b.1,
            priority_flag: b.2,
            registered_delivery: b.3,
            replace: b.4,
            data_coding: b.5,
            default_msg_id: b.6,
            schedule,
            validity,
            short_message,
            tlvs,
        }
    })
}

fn submit_sm() -> impl Strategy<Value = Pdu> {
    (c_str(6), address(21), address(21), common()).prop_map(|(service_type, source, dest, c)| {
        Pdu::SubmitSm(SubmitSm {
            service_type,
            source,
            dest,
            esm_class: EsmClass(c.esm_class),
            protocol_id: c.protocol_id,
            priority_flag: c.priority_flag,
            schedule_delivery_time: c.schedule,
            validity_period: c.validity,
            registered_delivery: RegisteredDelivery(c.registered_delivery),
            replace_if_present_flag: c.replace,
            data_coding: DataCoding(c.data_coding),
            sm_default_msg_id: c.default_msg_id,
            short_message: c.short_message,
            tlvs: c.tlvs,
        })
    })
}

fn deliver_sm() -> impl Strategy<Value = Pdu> {
    (c_str(6), address(21), address(21), common()).prop_map(|(service_type, source, dest, c)| {
        Pdu::DeliverSm(DeliverSm {
            service_type,
            source,
            dest,
            esm_class: EsmClass(c.esm_class),
            protocol_id: c.protocol_id,
            priority_flag: c.priority_flag,
            schedule_delivery_time: c.schedule,
            validity_period: c.validity,
            registered_delivery: RegisteredDelivery(c.registered_delivery),
            replace_if_present_flag: c.replace,
            data_coding: DataCoding(c.data_coding),
            sm_default_msg_id: c.default_msg_id,
            short_message: c.short_message,
            tlvs: c.tlvs,
        })
    })
}

fn multi_dest() -> impl Strategy<Value = MultiDest> {
    prop_oneof![address(21).prop_map(MultiDest::Sme), c_str(21).prop_map(MultiDest::DistributionList)]
}

fn submit_multi() -> impl Strategy<Value = Pdu> {
    (c_str(6), address(21), vec(multi_dest(), 0..20), common()).prop_map(|(service_type, source, dests, c)| {
        Pdu::SubmitMulti(SubmitMulti {
            service_type,
            source,
            dests,
            esm_class: EsmClass(c.esm_class),
            protocol_id: c.protocol_id,
            priority_flag: c.priority_flag,
            schedule_delivery_time: c.schedule,
            validity_period: c.validity,
            registered_delivery: RegisteredDelivery(c.registered_delivery),
            replace_if_present_flag: c.replace,
            data_coding: DataCoding(c.data_coding),
            sm_default_msg_id: c.default_msg_id,
            short_message: c.short_message,
            tlvs: c.tlvs,
        })
    })
}

fn submit_multi_resp() -> impl Strategy<Value = Pdu> {
    let unsuccess = (address(21), any::<u32>())
        .prop_map(|(dest, code)| UnsuccessSme { dest, error_status_code: CommandStatus(code) });
    (c_str(65), vec(unsuccess, 0..20))
        .prop_map(|(message_id, unsuccess)| Pdu::SubmitMultiResp(SubmitMultiResp { message_id, unsuccess }))
}

fn data_sm() -> impl Strategy<Value = Pdu> {
    (c_str(6), address(65), address(65), any::<[u8; 3]>(), tlvs()).prop_map(|(service_type, source, dest, b, tlvs)| {
        Pdu::DataSm(DataSm {
            service_type,
            source,
            dest,
            esm_class: EsmClass(b[0]),
            registered_delivery: RegisteredDelivery(b[1]),
            data_coding: DataCoding(b[2]),
            tlvs,
        })
    })
}

fn other_requests() -> impl Strategy<Value = Pdu> {
    prop_oneof![
        (c_str(16), c_str(9)).prop_map(|(system_id, password)| Pdu::Outbind(Outbind { system_id, password })),
        (c_str(65), address(21)).prop_map(|(message_id, source)| Pdu::QuerySm(QuerySm { message_id, source })),
        (c_str(6), c_str(65), address(21), address(21)).prop_map(|(service_type, message_id, source, dest)| {
            Pdu::CancelSm(CancelSm { service_type, message_id, source, dest })
        }),
        (c_str(65), address(21), c_str(17), c_str(17), any::<[u8; 2]>(), short_message()).prop_map(
            |(message_id, source, schedule_delivery_time, validity_period, b, short_message)| {
                Pdu::ReplaceSm(ReplaceSm {
                    message_id,
                    source,
                    schedule_delivery_time,
                    validity_period,
                    registered_delivery: RegisteredDelivery(b[0]),
                    sm_default_msg_id: b[1],
                    short_message,
                })
            }
        ),
        (address(65), address(65), tlvs()).prop_map(|(source, esme, tlvs)| Pdu::AlertNotification(AlertNotification {
            source,
            esme,
            tlvs
        })),
    ]
}

fn other_responses() -> impl Strategy<Value = Pdu> {
    prop_oneof![
        c_str(65).prop_map(|message_id| Pdu::SubmitSmResp(SubmitSmResp { message_id })),
        c_str(65).prop_map(|message_id| Pdu::DeliverSmResp(DeliverSmResp { message_id })),
        (c_str(65), tlvs()).prop_map(|(message_id, tlvs)| Pdu::DataSmResp(DataSmResp { message_id, tlvs })),
        (c_str(65), c_str(17), any::<u8>(), any::<u8>()).prop_map(|(message_id, final_date, state, error_code)| {
            Pdu::QuerySmResp(QuerySmResp { message_id, final_date, message_state: MessageState(state), error_code })
        }),
        Just(Pdu::Unbind),
        Just(Pdu::UnbindResp),
        Just(Pdu::EnquireLink),
        Just(Pdu::EnquireLinkResp),
        Just(Pdu::GenericNack),
        Just(Pdu::CancelSmResp),
        Just(Pdu::ReplaceSmResp),
    ]
}

fn unknown() -> impl Strategy<Value = Pdu> {
    (any::<u32>().prop_filter("an unknown id", |id| CommandId(*id).name().is_none()), vec(any::<u8>(), 0..200))
        .prop_map(|(id, body)| Pdu::Unknown { command_id: CommandId(id), body })
}

fn any_pdu() -> impl Strategy<Value = Pdu> {
    prop_oneof![
        bind(),
        bind_resp(),
        submit_sm(),
        deliver_sm(),
        submit_multi(),
        submit_multi_resp(),
        data_sm(),
        other_requests(),
        other_responses(),
        unknown(),
    ]
}

proptest! {
    #[test]
    fn every_pdu_round_trips(pdu in any_pdu(), status in any::<u32>(), sequence in any::<u32>()) {
        prop_assert_eq!(pdu.validate(), Ok(()));
        let frame = Frame { command_status: CommandStatus(status), sequence_number: sequence, pdu };
        let bytes = frame.encode();
        prop_assert_eq!(&bytes[..4], &(bytes.len() as u32).to_be_bytes()[..]);
        prop_assert_eq!(Frame::decode(&bytes), Ok(frame));
    }

    #[test]
    fn decoding_is_stable_and_never_panics(body in vec(any::<u8>(), 0..120), id in 0u32..0x30, resp in any::<bool>()) {
        let id = if resp { id | 0x8000_0000 } else { id };
        let mut bytes = ((16 + body.len()) as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(&id.to_be_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        bytes.extend_from_slice(&body);
        if let Ok(frame) = Frame::decode(&bytes) {
            prop_assert_eq!(Frame::decode(&frame.encode()), Ok(frame));
        }
    }

    #[test]
    fn sessions_survive_arbitrary_input(chunks in vec(vec(any::<u8>(), 0..64), 0..8)) {
        let now = Instant::now();
        let mut esme = EsmeSession::new(SessionConfig::default());
        let mut smsc = SmscSession::new(SessionConfig::default(), now);
        for chunk in &chunks {
            let _ = esme.handle_input(chunk, now);
            let _ = smsc.handle_input(chunk, now);
        }
        while esme.poll_transmit().is_some() || smsc.poll_transmit().is_some() {}
    }

    /// Well-framed PDUs with arbitrary bodies (the protocol's alphabet, not random lengths)
    /// into a bound pair: every one is answered or reported, and the link stays up.
    #[test]
    fn bound_sessions_survive_arbitrary_pdus(
        frames in vec((0u32..0x30, any::<bool>(), vec(any::<u8>(), 0..80)), 1..12),
    ) {
        let (mut esme, mut smsc, now) = bound_pair();
        for (id, resp, body) in frames {
            let id = if resp { id | 0x8000_0000 } else { id };
            if matches!(CommandId(id), CommandId::UNBIND | CommandId::UNBIND_RESP) {
                continue;
            }
            let mut bytes = ((16 + body.len()) as u32).to_be_bytes().to_vec();
            bytes.extend_from_slice(&id.to_be_bytes());
            bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 9]);
            bytes.extend_from_slice(&body);
            prop_assert!(esme.handle_input(&bytes, now).is_ok());
            prop_assert!(smsc.handle_input(&bytes, now).is_ok());
            while let Some(out) = esme.poll_transmit().or_else(|| smsc.poll_transmit()) {
                prop_assert!(Frame::decode(&out).is_ok(), "we only ever send well-formed frames");
            }
        }
        prop_assert!(!esme.is_closed() && !smsc.is_closed());
    }
}

/// A transceiver pair, bound, with its handshake drained.
fn bound_pair() -> (EsmeSession, SmscSession, Instant) {
    let now = Instant::now();
    let mut esme = EsmeSession::new(SessionConfig::default());
    let mut smsc = SmscSession::new(SessionConfig::default(), now);
    esme.bind(now, Bind::new(BindMode::Transceiver, "id", "pw")).unwrap();
    smsc.handle_input(&esme.poll_transmit().unwrap(), now).unwrap();
    let Some(hongyan_smpp_proto::SmscEvent::BindRequest { sequence, .. }) = smsc.poll_event() else {
        panic!("no bind request");
    };
    smsc.answer_bind(sequence, CommandStatus::ESME_ROK, "smsc");
    esme.handle_input(&smsc.poll_transmit().unwrap(), now).unwrap();
    assert!(matches!(esme.poll_event(), Some(hongyan_smpp_proto::EsmeEvent::Bound { .. })));
    (esme, smsc, now)
}
