//! SGIP_USERRPT (sgip.md §8): the SMG tells the SP a user's status changed. Message
//! Length 71.

use super::{check_len, Body, EncodeError, NUMBER_LEN, RESERVE_LEN};
use crate::UserCondition;
use hongyan_wire::{DecodeError, Reader, Writer};

/// SGIP_USERRPT body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRpt {
    /// SPNumber (21): the SP access number.
    pub sp_number: Vec<u8>,
    /// UserNumber (21): the user's MSISDN with `86`.
    pub user_number: Vec<u8>,
    /// UserCondition: 0 deregistered, 1 suspended for arrears, 2 back to normal.
    pub user_condition: UserCondition,
    /// Reserve, kept as sent.
    pub reserve: [u8; RESERVE_LEN],
}

impl UserRpt {
    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("SPNumber", &self.sp_number, NUMBER_LEN)?;
        check_len("UserNumber", &self.user_number, NUMBER_LEN)
    }
}

impl Body for UserRpt {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            sp_number: r.fixed_str("SPNumber", NUMBER_LEN)?,
            user_number: r.fixed_str("UserNumber", NUMBER_LEN)?,
            user_condition: UserCondition(r.u8("UserCondition")?),
            reserve: r.array("Reserve")?,
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.fixed(&self.sp_number, NUMBER_LEN).fixed(&self.user_number, NUMBER_LEN);
        w.u8(self.user_condition.0).bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    #[test]
    fn fixture() {
        let bytes = hex(include_str!("../../testdata/user_rpt.hex"));
        assert_eq!(bytes.len(), 71);
        let rpt = UserRpt {
            sp_number: b"10655012345".to_vec(),
            user_number: b"8613012345678".to_vec(),
            user_condition: UserCondition::SUSPENDED,
            reserve: [0; 8],
        };
        let frame = Frame { sequence: SEQ, pdu: Pdu::UserRpt(rpt) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let rpt = UserRpt {
            sp_number: vec![b'1'; 21],
            user_number: vec![b'8'; 21],
            user_condition: UserCondition(200),
            reserve: [0xaa; 8],
        };
        assert_eq!(rpt.validate(), Ok(()));
        assert_exact(&round_trip(Pdu::UserRpt(rpt.clone()), 71));
        let long = UserRpt { user_number: vec![b'8'; 22], ..rpt };
        assert!(matches!(long.validate(), Err(EncodeError::TooLong { field: "UserNumber", .. })));
    }
}
