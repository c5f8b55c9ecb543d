//! SMGP decoding: frames, the TLV list, the 122-byte status report and the MsgID. Never
//! panics, and:
//! - A frame that decodes re-encodes to a frame of the same length that decodes to the same
//!   value. Fixed-size text fields are cut at the first NUL and trimmed of trailing spaces on
//!   decode and NUL-padded on encode, so the only bytes allowed to change are ones that become
//!   padding; PDUs without text fields (responses but Query_Resp, the header-only ones,
//!   unknown RequestIDs) and every TLV list come back byte for byte.
//! - A Deliver's status report (IsReport = 1) re-encodes to its 122 bytes, equal but for the
//!   case of the literals, and decodes back to itself.
//! - A MsgID survives its text form and, when it is BCD, its parts.
//!
//! Input starting with 0x00 (every frame under 16 MiB) is a frame. Other input selects by its
//! first byte what the rest is: odd, a TLV list, put after a fixed Deliver; even, a status
//! report body (and its first 10 bytes a MsgID).
#![no_main]

use hongyan_smgp_proto::pdu::StatusReport;
use hongyan_smgp_proto::{Frame, FrameDecodeError, MsgId, Pdu, RequestId, Tlvs, HEADER_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0, _)) => frame(data),
        Some((mode, rest)) if mode % 2 == 1 => tlv_list(rest),
        Some((_, rest)) => {
            status_report(rest);
            if let Some(id) = rest.get(..10) {
                msg_id(MsgId(id.try_into().expect("10 bytes")));
            }
        }
        None => {}
    }
});

fn frame(data: &[u8]) {
    let Ok(Some(len)) = Frame::check(data, 4096) else { return };
    let frame = &data[..len];
    let Ok(decoded) = Frame::decode(frame) else { return };

    let bytes = decoded.encode();
    assert_eq!(bytes.len(), frame.len(), "fixed-width fields keep the frame length");
    for (i, (&old, &new)) in frame.iter().zip(&bytes).enumerate() {
        assert!(old == new || new == 0, "byte {i} changed from {old:#04x} to {new:#04x}, not to padding");
    }
    let again = Frame::decode(&bytes).expect("our own encoding decodes");
    assert_eq!(again, decoded, "decode(encode(x)) == x");
    assert_eq!(again.encode(), bytes, "the normalised encoding is a fixed point");

    let exact = matches!(
        decoded.pdu,
        Pdu::LoginResp(_)
            | Pdu::SubmitResp(_)
            | Pdu::DeliverResp(_)
            | Pdu::ActiveTest
            | Pdu::ActiveTestResp
            | Pdu::Exit
            | Pdu::ExitResp
            | Pdu::Unknown { .. }
    );
    if exact {
        assert_eq!(bytes, frame, "a PDU without text fields re-encodes byte for byte");
    }

    let _ = decoded.pdu.request_id().name();
    match &decoded.pdu {
        Pdu::Login(login) => {
            let _ = login.verify(b"secret");
        }
        Pdu::Submit(s) => {
            tlvs_tail(&s.tlvs, frame, &bytes);
            let _ = s.validate();
        }
        Pdu::Deliver(d) => {
            tlvs_tail(&d.tlvs, frame, &bytes);
            let _ = d.validate();
            msg_id(d.msg_id);
            if let Some(Ok(report)) = d.report() {
                report_round_trip(&report, &d.msg_content);
            }
        }
        Pdu::SubmitResp(r) => msg_id(r.msg_id),
        Pdu::DeliverResp(r) => msg_id(r.msg_id),
        _ => {}
    }
}

/// The TLVs are the last bytes of the body and must come back unchanged.
fn tlvs_tail(tlvs: &Tlvs, frame: &[u8], bytes: &[u8]) {
    let n = tlvs.encoded_len();
    assert_eq!(&bytes[bytes.len() - n..], &frame[frame.len() - n..], "TLV list re-encodes byte for byte");
    let _ = (tlvs.tp_udhi(), tlvs.pk_total(), tlvs.pk_number(), tlvs.link_id());
    let _ = tlvs.validate();
}

/// A canonical Deliver header and body (MsgLength 0), with `list` as its TLVs.
fn tlv_list(list: &[u8]) {
    let mut frame = Vec::with_capacity(HEADER_LEN + 80 + list.len());
    frame.extend_from_slice(&0u32.to_be_bytes());
    frame.extend_from_slice(&RequestId::DELIVER.0.to_be_bytes());
    frame.extend_from_slice(&7u32.to_be_bytes());
    frame.extend_from_slice(&[0x01, 0x00, 0x61, 0x01, 0x16, 0x17, 0x00, 0x01, 0x23, 0x45]); // MsgID
    frame.extend_from_slice(&[0, 8]); // IsReport, MsgFormat
    frame.extend_from_slice(&padded(b"20250116170000", 14));
    frame.extend_from_slice(&padded(b"8613300000000", 21));
    frame.extend_from_slice(&padded(b"10690000", 21));
    frame.push(0); // MsgLength
    frame.extend_from_slice(&[0; 8]); // Reserve
    frame.extend_from_slice(list);
    let len = u32::try_from(frame.len()).expect("small");
    frame[..4].copy_from_slice(&len.to_be_bytes());

    match Frame::decode(&frame) {
        Ok(decoded) => {
            let Pdu::Deliver(d) = &decoded.pdu else { panic!("a Deliver decodes as {:?}", decoded.pdu) };
            assert_eq!(d.tlvs.encoded_len(), list.len(), "every TLV byte is accounted for");
            assert_eq!(decoded.encode(), frame, "a TLV list re-encodes byte for byte");
            let _ = (d.tlvs.tp_udhi(), d.tlvs.pk_total(), d.tlvs.pk_number(), d.tlvs.link_id());
            let _ = d.tlvs.validate();
        }
        Err(e) => assert!(matches!(e, FrameDecodeError::Body { .. }), "only the TLVs can be wrong: {e:?}"),
    }
}

fn padded(value: &[u8], size: usize) -> Vec<u8> {
    let mut out = value.to_vec();
    out.resize(size, 0);
    out
}

fn status_report(body: &[u8]) {
    if let Ok(report) = StatusReport::decode(body) {
        report_round_trip(&report, body);
    }
}

fn report_round_trip(report: &StatusReport, body: &[u8]) {
    let bytes = report.encode();
    assert_eq!(bytes.len(), 122, "a status report body is 122 bytes");
    assert!(bytes.eq_ignore_ascii_case(body), "a status report re-encodes but for the literals' case");
    assert_eq!(StatusReport::decode(&bytes).as_ref(), Ok(report), "decode(encode(x)) == x");
    let _ = (report.is_delivered(), report.err_code());
    msg_id(report.id);
}

fn msg_id(id: MsgId) {
    let text = id.to_string();
    assert_eq!(text.parse::<MsgId>(), Ok(id), "a MsgID survives its text form");
    if let Some(parts) = id.parts() {
        assert_eq!(MsgId::new(parts), id, "a BCD MsgID survives its parts");
    }
    let _ = id.nth(u32::from(id.0[9]));
}
