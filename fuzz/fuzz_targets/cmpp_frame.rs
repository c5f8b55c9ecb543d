//! CMPP frame decoding: never panics, and whatever decodes re-encodes to a frame that decodes
//! to the same value (fixed-size strings are trimmed on decode, so bytes may differ; values may not).
#![no_main]

use hongyan_cmpp_proto::{Frame, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(Some(len)) = Frame::check(data, 4096) else { return };
    let frame = &data[..len];
    for version in [Version::V20, Version::V30] {
        if let Ok(decoded) = Frame::decode(frame, version) {
            let bytes = decoded.encode(version);
            let again = Frame::decode(&bytes, version).expect("our own encoding decodes");
            assert_eq!(again, decoded, "decode(encode(x)) == x");
            if let hongyan_cmpp_proto::Pdu::Deliver(d) = &decoded.pdu {
                let _ = d.report(version);
            }
        }
    }
});
