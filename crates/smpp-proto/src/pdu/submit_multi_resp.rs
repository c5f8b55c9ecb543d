//! submit_multi_resp (smpp.md §13): message_id and the destinations that failed.

use super::{check_c_str, check_count, put_c_str, Address, EncodeError, ADDR, DEST, MESSAGE_ID};
use crate::CommandStatus;
use hongyan_wire::{DecodeError, Reader, Writer};

/// One destination the SMSC refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UnsuccessSme {
    /// dest_addr_ton, dest_addr_npi, destination_addr (max 21).
    pub dest: Address,
    /// error_status_code: why this destination failed.
    pub error_status_code: CommandStatus,
}

/// submit_multi_resp body. An empty body (sent by some SMSCs on error) decodes as the
/// empty response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SubmitMultiResp {
    /// message_id (max 65).
    pub message_id: Vec<u8>,
    /// The failed destinations; no_unsuccess is their count.
    pub unsuccess: Vec<UnsuccessSme>,
}

impl SubmitMultiResp {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)?;
        check_count("no_unsuccess", self.unsuccess.len(), 255)?;
        self.unsuccess.iter().try_for_each(|u| u.dest.check(DEST, ADDR))
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.left() == 0 {
            return Ok(Self::default());
        }
        let message_id = r.c_str("message_id", MESSAGE_ID)?;
        let count = r.u8("no_unsuccess")?;
        let unsuccess = (0..count)
            .map(|_| {
                let dest = Address::decode(r, DEST, ADDR)?;
                Ok(UnsuccessSme { dest, error_status_code: CommandStatus(r.u32("error_status_code")?) })
            })
            .collect::<Result<_, DecodeError>>()?;
        Ok(Self { message_id, unsuccess })
    }

    /// Writes the body; entries past the 255th are left out so the count stays true.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.message_id, MESSAGE_ID);
        let list = &self.unsuccess[..self.unsuccess.len().min(255)];
        w.u8(list.len() as u8);
        for u in list {
            u.dest.encode(w, ADDR);
            w.u32(u.error_status_code.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{Frame, Pdu};

    #[test]
    fn fixture_with_one_failure() {
        let bytes = hex("00000028 80000021 00000000 00000007 6d3700 01 0101 3836313339303031333930303000 0000000b");
        let resp = SubmitMultiResp {
            message_id: b"m7".to_vec(),
            unsuccess: vec![UnsuccessSme {
                dest: Address::international("8613900139000"),
                error_status_code: CommandStatus::ESME_RINVDSTADR,
            }],
        };
        assert_eq!(resp.validate(), Ok(()));
        let frame = Frame::new(7, Pdu::SubmitMultiResp(resp));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }
}
