//! alert_notification (smpp.md §3): the SMSC tells a receiver that a mobile it asked about
//! (set_dpf) is reachable again. There is no response PDU.

use super::{AddrFields, Address, EncodeError, ADDR_LONG, SOURCE};
use crate::Tlvs;
use hongyan_wire::{DecodeError, Reader, Writer};

/// esme_addr_ton, esme_addr_npi, esme_addr.
const ESME: AddrFields = AddrFields { ton: "esme_addr_ton", npi: "esme_addr_npi", addr: "esme_addr" };

/// alert_notification body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AlertNotification {
    /// source_addr_ton, source_addr_npi, source_addr (max 65): the mobile now available.
    pub source: Address,
    /// esme_addr_ton, esme_addr_npi, esme_addr (max 65): the ESME that asked.
    pub esme: Address,
    /// TLVs: ms_availability_status.
    pub tlvs: Tlvs,
}

impl AlertNotification {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        self.source.check(SOURCE, ADDR_LONG)?;
        self.esme.check(ESME, ADDR_LONG)?;
        self.tlvs.check()
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            source: Address::decode(r, SOURCE, ADDR_LONG)?,
            esme: Address::decode(r, ESME, ADDR_LONG)?,
            tlvs: Tlvs::decode(r)?,
        })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        self.source.encode(w, ADDR_LONG);
        self.esme.encode(w, ADDR_LONG);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{Frame, Npi, Pdu, TlvTag, Ton};

    #[test]
    fn fixture() {
        let bytes = hex("00000030 00000102 00000000 0000000b 0101 3836313338303031333830303000 0000 313036393030303000
             0422 0001 00");
        let mut alert = AlertNotification {
            source: Address::international("8613800138000"),
            esme: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
            tlvs: Tlvs::new(),
        };
        alert.tlvs.set(TlvTag::MS_AVAILABILITY_STATUS, [0]);
        let frame = Frame::new(11, Pdu::AlertNotification(alert.clone()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        alert.tlvs = Tlvs::new();
        assert_exact(&Frame::new(11, Pdu::AlertNotification(alert)).encode(), false);
    }
}
