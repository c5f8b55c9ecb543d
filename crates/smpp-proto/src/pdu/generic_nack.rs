//! generic_nack (smpp.md §3, §4): header only. Sent for a PDU with an unknown command_id
//! (ESME_RINVCMDID), or one that cannot be answered by its own response; its
//! sequence_number is the offending PDU's. It is the unit variant [`crate::Pdu::GenericNack`].

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_exact, hex};
    use crate::{CommandStatus, Frame, Pdu};

    #[test]
    fn fixture_invalid_command_id() {
        let bytes = hex("00000010 80000000 00000003 0000002a");
        let frame = Frame { command_status: CommandStatus::ESME_RINVCMDID, sequence_number: 42, pdu: Pdu::GenericNack };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }
}
