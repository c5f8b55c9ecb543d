//! unbind and unbind_resp (smpp.md §4): header only, either side. They are the unit variants
//! [`crate::Pdu::Unbind`] and [`crate::Pdu::UnbindResp`].

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_exact, hex};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures() {
        for (raw, pdu) in [
            ("00000010 00000006 00000000 00000009", Pdu::Unbind),
            ("00000010 80000006 00000000 00000009", Pdu::UnbindResp),
        ] {
            let bytes = hex(raw);
            let frame = Frame::new(9, pdu);
            assert_eq!(Frame::decode(&bytes).unwrap(), frame);
            assert_eq!(frame.encode(), bytes);
            assert_exact(&bytes, true);
        }
    }
}
