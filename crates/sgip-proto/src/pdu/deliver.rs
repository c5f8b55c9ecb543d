//! SGIP_DELIVER (sgip.md §7): an MO message from a user to the SP. Message Length 77 + L.
//! A long MO arrives as several Delivers with TP_udhi = 1 and a UDH in the content.

use super::{check_len, read_content, write_content, Body, EncodeError, NUMBER_LEN, RESERVE_LEN};
use crate::MessageCoding;
use hongyan_wire::{DecodeError, Reader, Writer};

/// SGIP_DELIVER body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deliver {
    /// UserNumber (21): the sender's MSISDN with `86`.
    pub user_number: Vec<u8>,
    /// SPNumber (21): the SP access number the user sent to.
    pub sp_number: Vec<u8>,
    /// TP_pid (GSM 03.40).
    pub tp_pid: u8,
    /// TP_udhi: 1 when `message_content` starts with a UDH (long MO).
    pub tp_udhi: u8,
    /// MessageCoding: content coding.
    pub message_coding: MessageCoding,
    /// MessageContent; MessageLength (4 bytes) is its length.
    pub message_content: Vec<u8>,
    /// Reserve, kept as sent.
    pub reserve: [u8; RESERVE_LEN],
}

impl Deliver {
    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("UserNumber", &self.user_number, NUMBER_LEN)?;
        check_len("SPNumber", &self.sp_number, NUMBER_LEN)
    }
}

impl Body for Deliver {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            user_number: r.fixed_str("UserNumber", NUMBER_LEN)?,
            sp_number: r.fixed_str("SPNumber", NUMBER_LEN)?,
            tp_pid: r.u8("TP_pid")?,
            tp_udhi: r.u8("TP_udhi")?,
            message_coding: MessageCoding(r.u8("MessageCoding")?),
            message_content: read_content(r)?,
            reserve: r.array("Reserve")?,
        })
    }

    /// Over-long numbers are cut (see [`Deliver::validate`]) so the frame stays well formed.
    fn encode(&self, w: &mut Writer) {
        w.fixed(&self.user_number, NUMBER_LEN).fixed(&self.sp_number, NUMBER_LEN);
        w.u8(self.tp_pid).u8(self.tp_udhi).u8(self.message_coding.0);
        write_content(w, &self.message_content);
        w.bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    #[test]
    fn fixture() {
        let bytes = hex(include_str!("../../testdata/deliver.hex"));
        assert_eq!(bytes.len(), 77 + 4);
        let deliver = Deliver {
            user_number: b"8613012345678".to_vec(),
            sp_number: b"1065501234599".to_vec(),
            message_coding: MessageCoding::GBK,
            message_content: vec![0xcd, 0xcb, 0xb6, 0xa9],
            ..Deliver::default()
        };
        let frame = Frame { sequence: SEQ, pdu: Pdu::Deliver(deliver) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn lengths_round_trips_and_exactness() {
        for l in [0usize, 1, 140, 1500] {
            let deliver = Deliver {
                user_number: vec![b'8'; 21],
                sp_number: b"106550".to_vec(),
                tp_pid: 0x7f,
                tp_udhi: 1,
                message_coding: MessageCoding(0xf5),
                message_content: vec![0x41; l],
                reserve: *b"RESERVE!",
            };
            assert_eq!(deliver.validate(), Ok(()));
            let bytes = round_trip(Pdu::Deliver(deliver), 77 + l);
            if l <= 1 {
                assert_exact(&bytes);
            }
        }
        let long = Deliver { sp_number: vec![b'1'; 22], ..Deliver::default() };
        assert!(matches!(long.validate(), Err(EncodeError::TooLong { field: "SPNumber", .. })));
    }
}
