//! SMPP decoding: frames, the TLV list and the delivery-receipt text. Never panics, and:
//! - A frame that decodes re-encodes byte for byte (C-strings, TLVs and unknown command ids
//!   are all kept exactly). The one normalisation allowed: a response whose body may be left
//!   out (bind_*_resp, submit_sm_resp, data_sm_resp, deliver_sm_resp, query_sm_resp,
//!   submit_multi_resp) and arrived empty, or a bind_*_resp / submit_sm_resp with an error
//!   status and nothing in its body; those must still decode to the same value.
//! - A TLV list after a fixed deliver_sm re-encodes byte for byte.
//! - A receipt text that parses formats to text that parses to the same receipt, and that text
//!   is a fixed point.
//!
//! Input starting with 0x00 (every frame under 16 MiB) is a frame. Other input selects by its
//! first byte what the rest is: odd, a TLV list; even, a receipt text.
#![no_main]

use hongyan_smpp_proto::pdu::DeliverSm;
use hongyan_smpp_proto::{CommandId, DeliveryReceipt, Frame, FrameDecodeError, Pdu, Tlvs, HEADER_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0, _)) => frame(data),
        Some((mode, rest)) if mode % 2 == 1 => tlv_list(rest),
        Some((_, rest)) => receipt(rest),
        None => {}
    }
});

fn frame(data: &[u8]) {
    let Ok(Some(len)) = Frame::check(data, 64 * 1024) else { return };
    let frame = &data[..len];
    let Ok(decoded) = Frame::decode(frame) else { return };

    let bytes = decoded.encode();
    let again = Frame::decode(&bytes).expect("our own encoding decodes");
    assert_eq!(again, decoded, "decode(encode(x)) == x");
    assert_eq!(again.encode(), bytes, "the encoding is a fixed point");
    if !may_normalise(&decoded, frame) {
        assert_eq!(bytes, frame, "decode→encode gives back the input bytes");
    }

    let _ = decoded.pdu.command_id().name();
    let _ = decoded.command_status.name();
    let _ = decoded.pdu.validate();
    match &decoded.pdu {
        Pdu::DeliverSm(d) => {
            tlvs(&d.tlvs);
            deliver_receipt(d);
        }
        Pdu::SubmitSm(s) => {
            tlvs(&s.tlvs);
            let _ = (s.payload(), s.esm_class.udhi(), s.registered_delivery.smsc_receipt());
        }
        Pdu::DataSm(d) => tlvs(&d.tlvs),
        Pdu::BindResp(b) => tlvs(&b.tlvs),
        _ => {}
    }
}

/// Responses whose body may be left out on the wire: an empty one decodes to the default
/// value, which encodes with its fields (NULs) unless the status is an error and the PDU is
/// one whose body the encoder leaves out then.
fn may_normalise(decoded: &Frame, frame: &[u8]) -> bool {
    let body_empty = frame.len() == HEADER_LEN;
    let optional_body = matches!(
        decoded.pdu,
        Pdu::BindResp(_)
            | Pdu::SubmitSmResp(_)
            | Pdu::DataSmResp(_)
            | Pdu::DeliverSmResp(_)
            | Pdu::QuerySmResp(_)
            | Pdu::SubmitMultiResp(_)
    );
    let left_out = !decoded.command_status.is_ok()
        && match &decoded.pdu {
            Pdu::BindResp(b) => b.system_id.is_empty() && b.tlvs.is_empty(),
            Pdu::SubmitSmResp(r) => r.message_id.is_empty(),
            _ => false,
        };
    (body_empty && optional_body) || left_out
}

fn tlvs(tlvs: &Tlvs) {
    let _ = (tlvs.message_payload(), tlvs.receipted_message_id(), tlvs.message_state());
    let _ = (tlvs.network_error_code(), tlvs.sc_interface_version(), tlvs.sar());
    for tlv in &tlvs.0 {
        let _ = (tlv.tag.name(), tlvs.get_u8(tlv.tag), tlvs.get_u16(tlv.tag), tlvs.get_c_str(tlv.tag));
    }
}

fn deliver_receipt(d: &DeliverSm) {
    let _ = (d.is_receipt(), d.payload(), d.receipted_message_id(), d.message_state());
    if let Some(Ok(r)) = d.receipt() {
        receipt_round_trip(&r);
    }
}

/// A canonical deliver_sm header and body (empty short_message), with `list` as its TLVs.
fn tlv_list(list: &[u8]) {
    let mut frame = Vec::with_capacity(HEADER_LEN + 32 + list.len());
    frame.extend_from_slice(&0u32.to_be_bytes());
    frame.extend_from_slice(&CommandId::DELIVER_SM.0.to_be_bytes());
    frame.extend_from_slice(&0u32.to_be_bytes());
    frame.extend_from_slice(&7u32.to_be_bytes());
    frame.push(0); // service_type
    frame.extend_from_slice(b"\x01\x018613800138000\0"); // source ton, npi, addr
    frame.extend_from_slice(b"\x00\x0010690000\0"); // dest ton, npi, addr
    frame.extend_from_slice(&[0x04, 0, 0]); // esm_class (receipt), protocol_id, priority_flag
    frame.extend_from_slice(&[0, 0]); // schedule_delivery_time, validity_period
    frame.extend_from_slice(&[0, 0, 0, 0]); // registered_delivery, replace_if_present, data_coding, sm_default_msg_id
    frame.push(0); // sm_length
    frame.extend_from_slice(list);
    let len = u32::try_from(frame.len()).expect("small");
    frame[..4].copy_from_slice(&len.to_be_bytes());

    match Frame::decode(&frame) {
        Ok(decoded) => {
            let Pdu::DeliverSm(d) = &decoded.pdu else { panic!("a deliver_sm decodes as {:?}", decoded.pdu) };
            assert_eq!(decoded.encode(), frame, "a TLV list re-encodes byte for byte");
            tlvs(&d.tlvs);
            deliver_receipt(d);
        }
        Err(e) => assert!(matches!(e, FrameDecodeError::Body { .. }), "only the TLVs can be wrong: {e:?}"),
    }
}

fn receipt(text: &[u8]) {
    if let Ok(r) = DeliveryReceipt::parse(text) {
        receipt_round_trip(&r);
    }
}

fn receipt_round_trip(r: &DeliveryReceipt) {
    let _ = (r.message_state(), r.is_delivered());
    let text = r.to_string();
    let again = DeliveryReceipt::parse(text.as_bytes()).expect("a formatted receipt has its id");
    assert_eq!(&again, r, "parse(format(parse(x))) == parse(x), via {text:?}");
    assert_eq!(again.to_string(), text, "the formatted text is a fixed point");
}
