//! Our SMPP and CMPP servers' submit readers (`hongyan_ingress::{smpp,cmpp}::submit::read`)
//! on whatever a client system's frame decodes to. The first byte picks the protocol
//! (even: SMPP 3.4; odd: CMPP, 3.0 or 2.0 by its second bit), the rest is the frame. Never
//! panics; a submit that is read is whole: its part, if any, is numbered within 1..=total, its
//! text decodes, and a CMPP SUBMIT gives one submit per Dest_terminal_Id, numbered from its Msg_Id.
#![no_main]

use hongyan_engine::ClientSubmit;
use hongyan_ingress::{cmpp, smpp};
use hongyan_types::{Categories, Category};
use libfuzzer_sys::fuzz_target;

/// The engine's look-up as a login without a default category has it (empty: notification).
fn category(name: &str) -> Option<Category> {
    if name.is_empty() {
        return Some(Category::NOTIFICATION);
    }
    Categories::default().by_code(name).ok()
}

fn whole(s: &ClientSubmit, protocol: &str) {
    assert_eq!(s.protocol, protocol);
    if let Some((_, n, total)) = &s.part {
        assert!(*n >= 1 && n <= total, "part {n} of {total}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    if first & 1 == 0 {
        let Ok(Some(len)) = hongyan_smpp_proto::Frame::check(rest, 64 * 1024) else { return };
        let Ok(frame) = hongyan_smpp_proto::Frame::decode(&rest[..len]) else { return };
        if let hongyan_smpp_proto::Pdu::SubmitSm(submit) = &frame.pdu {
            if let Ok(s) = smpp::submit::read(category, submit, "7".into()) {
                whole(&s, "smpp");
            }
        }
        return;
    }
    let version = if first & 2 == 0 { hongyan_cmpp_proto::Version::V30 } else { hongyan_cmpp_proto::Version::V20 };
    let Ok(Some(len)) = hongyan_cmpp_proto::Frame::check(rest, 4096) else { return };
    let Ok(frame) = hongyan_cmpp_proto::Frame::decode(&rest[..len], version) else { return };
    if let hongyan_cmpp_proto::Pdu::Submit(submit) = &frame.pdu {
        if let Ok(each) = cmpp::submit::read(category, submit, 42) {
            assert_eq!(each.len(), submit.dest_terminal_ids.len(), "one submit per destination");
            for (n, s) in each.iter().enumerate() {
                whole(s, "cmpp");
                assert_eq!(s.client_msg_id, hongyan_cmpp_proto::msg_id::nth(42, n as u16).to_string());
            }
        }
    }
});
