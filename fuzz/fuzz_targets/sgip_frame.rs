//! SGIP frame decoding: never panics, and whatever decodes re-encodes to a frame of the same
//! length that decodes to the same value. Fixed-size text fields are cut at the first NUL and
//! trimmed of trailing spaces on decode, then NUL-padded on encode, so the only bytes allowed
//! to change are ones that become NUL padding; PDUs without text fields (the *_Resp bodies,
//! Unbind, unknown commands) must come back byte for byte. The normalised encoding is a fixed
//! point: encoding it again gives the same bytes.
#![no_main]

use hongyan_sgip_proto::{Frame, Pdu};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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

    let exact = match &decoded.pdu {
        Pdu::Unknown { .. } | Pdu::Unbind | Pdu::UnbindResp => true,
        pdu => pdu.resp().is_some(),
    };
    if exact {
        assert_eq!(bytes, frame, "a PDU without text fields re-encodes byte for byte");
    }

    // The accessors a session uses on inbound traffic must not panic either.
    let _ = decoded.pdu.command_id().name();
    let _ = decoded.sequence.to_string();
    match &decoded.pdu {
        Pdu::Bind(b) => {
            let _ = b.verify(b"hongyan", b"pa55word");
            assert!(b.validate().is_ok(), "a decoded Bind validates: {b:?}");
        }
        Pdu::Submit(s) => assert!(s.validate().is_ok(), "a decoded Submit validates: {s:?}"),
        Pdu::Deliver(d) => assert!(d.validate().is_ok(), "a decoded Deliver validates: {d:?}"),
        Pdu::Report(r) => {
            assert!(r.validate().is_ok(), "a decoded Report validates: {r:?}");
            let _ = (r.state.is_final(), r.state.name(), r.error_code.label());
        }
        Pdu::UserRpt(u) => assert!(u.validate().is_ok(), "a decoded UserRpt validates: {u:?}"),
        Pdu::Trace(t) => assert!(t.validate().is_ok(), "a decoded Trace validates: {t:?}"),
        Pdu::TraceResp(t) => assert!(t.validate().is_ok(), "a decoded Trace_Resp validates: {t:?}"),
        _ => {}
    }
});
