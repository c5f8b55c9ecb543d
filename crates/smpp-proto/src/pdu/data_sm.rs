//! data_sm (smpp.md §13): a message either way, user data only in message_payload.
//! Addresses are max 65 here, unlike submit_sm's 21.

use super::{check_c_str, put_c_str, Address, EncodeError, ADDR_LONG, DEST, SERVICE_TYPE, SOURCE};
use crate::{DataCoding, EsmClass, RegisteredDelivery, Tlvs};
use hongyan_wire::{DecodeError, Reader, Writer};

/// data_sm body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DataSm {
    /// service_type (max 6).
    pub service_type: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 65).
    pub source: Address,
    /// dest_addr_ton, dest_addr_npi, destination_addr (max 65).
    pub dest: Address,
    /// esm_class.
    pub esm_class: EsmClass,
    /// registered_delivery.
    pub registered_delivery: RegisteredDelivery,
    /// data_coding.
    pub data_coding: DataCoding,
    /// TLVs: message_payload carries the user data.
    pub tlvs: Tlvs,
}

impl DataSm {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("service_type", &self.service_type, SERVICE_TYPE)?;
        self.source.check(SOURCE, ADDR_LONG)?;
        self.dest.check(DEST, ADDR_LONG)?;
        self.tlvs.check()
    }

    /// The user data (message_payload), empty when absent.
    pub fn payload(&self) -> &[u8] {
        self.tlvs.message_payload().unwrap_or_default()
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            service_type: r.c_str("service_type", SERVICE_TYPE)?,
            source: Address::decode(r, SOURCE, ADDR_LONG)?,
            dest: Address::decode(r, DEST, ADDR_LONG)?,
            esm_class: EsmClass(r.u8("esm_class")?),
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            data_coding: DataCoding(r.u8("data_coding")?),
            tlvs: Tlvs::decode(r)?,
        })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.service_type, SERVICE_TYPE);
        self.source.encode(w, ADDR_LONG);
        self.dest.encode(w, ADDR_LONG);
        w.u8(self.esm_class.0).u8(self.registered_delivery.0).u8(self.data_coding.0);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Npi, Pdu, TlvTag, Ton};

    fn sample() -> DataSm {
        let mut dsm = DataSm {
            source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
            dest: Address::international("8613800138000"),
            registered_delivery: RegisteredDelivery::RECEIPT,
            data_coding: DataCoding::UCS2,
            ..DataSm::default()
        };
        dsm.tlvs.set(TlvTag::MESSAGE_PAYLOAD, [0x4f, 0x60, 0x59, 0x7d]);
        dsm
    }

    #[test]
    fn fixture() {
        let bytes = hex("00000037 00000103 00000000 00000005
             00 0000 3130363930303030 00 0101 38363133383030313338303030 00 00 01 08
             0424 0004 4f60597d");
        let frame = Frame::new(5, Pdu::DataSm(sample()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_eq!(sample().payload(), [0x4f, 0x60, 0x59, 0x7d]);
    }

    #[test]
    fn long_addresses_and_exactness() {
        let dsm = DataSm { source: Address::new(Ton(9), Npi(9), vec![b'a'; 64]), tlvs: Tlvs::new(), ..sample() };
        assert_eq!(dsm.validate(), Ok(()));
        let bytes = round_trip(Frame::new(6, Pdu::DataSm(dsm.clone())), 16 + 1 + 2 + 65 + 2 + 14 + 3);
        assert_exact(&bytes, false);
        let too_long = DataSm { dest: Address::international(vec![b'1'; 65]), ..dsm };
        assert!(too_long.validate().is_err());
    }
}
