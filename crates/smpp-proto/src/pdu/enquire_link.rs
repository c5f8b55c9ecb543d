//! enquire_link and enquire_link_resp (smpp.md §4): header only, either side, any time after
//! the link is open. They are the unit variants [`crate::Pdu::EnquireLink`] and
//! [`crate::Pdu::EnquireLinkResp`].

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_exact, hex};
    use crate::{CommandId, Frame, FrameDecodeError, Pdu};
    use hongyan_wire::DecodeError;

    #[test]
    fn spec_example_sequence_2() {
        let bytes = hex("00000010 00000015 00000000 00000002");
        let frame = Frame::new(2, Pdu::EnquireLink);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }

    #[test]
    fn response_and_trailing_bytes() {
        let bytes = hex("00000010 80000015 00000000 00000002");
        assert_eq!(Frame::decode(&bytes).unwrap(), Frame::new(2, Pdu::EnquireLinkResp));
        let long = hex("00000011 80000015 00000000 00000002 00");
        let err = Frame::decode(&long).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::TrailingData(1), .. }));
        assert_eq!(err.command_id(), Some(CommandId::ENQUIRE_LINK_RESP));
    }
}
