//! submit_multi (smpp.md §13): one message to up to 254 SME addresses and distribution
//! lists. After the destinations the layout is submit_sm's from esm_class on.

use super::{
    check_c_str, check_count, check_short_message, put_c_str, put_short_message, read_short_message, Address,
    EncodeError, ADDR, DEST, SERVICE_TYPE, SOURCE, TIME,
};
use crate::{DataCoding, EsmClass, RegisteredDelivery, Tlvs};
use hongyan_wire::{DecodeError, Reader, Writer};

/// number_of_dests: at most 254.
const MAX_DESTS: usize = 254;
/// dl_name: max 21.
const DL_NAME: usize = 21;

/// One destination of a submit_multi, by its dest_flag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MultiDest {
    /// dest_flag 1: an SME address (TON, NPI, max 21).
    Sme(Address),
    /// dest_flag 2: a distribution list name (max 21) held by the SMSC.
    DistributionList(Vec<u8>),
}

impl MultiDest {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("dest_flag")? {
            1 => Ok(Self::Sme(Address::decode(r, DEST, ADDR)?)),
            2 => Ok(Self::DistributionList(r.c_str("dl_name", DL_NAME)?)),
            _ => Err(DecodeError::Invalid { field: "dest_flag", reason: "neither 1 (SME) nor 2 (list)" }),
        }
    }

    fn encode(&self, w: &mut Writer) {
        match self {
            Self::Sme(addr) => {
                w.u8(1);
                addr.encode(w, ADDR);
            }
            Self::DistributionList(name) => {
                w.u8(2);
                put_c_str(w, name, DL_NAME);
            }
        }
    }

    fn check(&self) -> Result<(), EncodeError> {
        match self {
            Self::Sme(addr) => addr.check(DEST, ADDR),
            Self::DistributionList(name) => check_c_str("dl_name", name, DL_NAME),
        }
    }
}

/// submit_multi body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SubmitMulti {
    /// service_type (max 6).
    pub service_type: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 21).
    pub source: Address,
    /// The destinations; number_of_dests is their count (at most 254).
    pub dests: Vec<MultiDest>,
    /// esm_class.
    pub esm_class: EsmClass,
    /// protocol_id.
    pub protocol_id: u8,
    /// priority_flag.
    pub priority_flag: u8,
    /// schedule_delivery_time.
    pub schedule_delivery_time: Vec<u8>,
    /// validity_period.
    pub validity_period: Vec<u8>,
    /// registered_delivery.
    pub registered_delivery: RegisteredDelivery,
    /// replace_if_present_flag.
    pub replace_if_present_flag: u8,
    /// data_coding.
    pub data_coding: DataCoding,
    /// sm_default_msg_id.
    pub sm_default_msg_id: u8,
    /// short_message (0–254 bytes).
    pub short_message: Vec<u8>,
    /// TLVs in wire order.
    pub tlvs: Tlvs,
}

impl SubmitMulti {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("service_type", &self.service_type, SERVICE_TYPE)?;
        self.source.check(SOURCE, ADDR)?;
        check_count("number_of_dests", self.dests.len(), MAX_DESTS)?;
        self.dests.iter().try_for_each(MultiDest::check)?;
        check_c_str("schedule_delivery_time", &self.schedule_delivery_time, TIME)?;
        check_c_str("validity_period", &self.validity_period, TIME)?;
        check_short_message(&self.short_message, &self.tlvs)
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let service_type = r.c_str("service_type", SERVICE_TYPE)?;
        let source = Address::decode(r, SOURCE, ADDR)?;
        let count = r.u8("number_of_dests")?;
        if usize::from(count) > MAX_DESTS {
            return Err(DecodeError::Invalid { field: "number_of_dests", reason: "over 254" });
        }
        let dests = (0..count).map(|_| MultiDest::decode(r)).collect::<Result<_, _>>()?;
        Ok(Self {
            service_type,
            source,
            dests,
            esm_class: EsmClass(r.u8("esm_class")?),
            protocol_id: r.u8("protocol_id")?,
            priority_flag: r.u8("priority_flag")?,
            schedule_delivery_time: r.c_str("schedule_delivery_time", TIME)?,
            validity_period: r.c_str("validity_period", TIME)?,
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            replace_if_present_flag: r.u8("replace_if_present_flag")?,
            data_coding: DataCoding(r.u8("data_coding")?),
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: read_short_message(r)?,
            tlvs: Tlvs::decode(r)?,
        })
    }

    /// Writes the body; destinations past the 254th are left out so the count stays true.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.service_type, SERVICE_TYPE);
        self.source.encode(w, ADDR);
        let dests = &self.dests[..self.dests.len().min(MAX_DESTS)];
        w.u8(dests.len() as u8);
        dests.iter().for_each(|d| d.encode(w));
        w.u8(self.esm_class.0).u8(self.protocol_id).u8(self.priority_flag);
        put_c_str(w, &self.schedule_delivery_time, TIME);
        put_c_str(w, &self.validity_period, TIME);
        w.u8(self.registered_delivery.0).u8(self.replace_if_present_flag);
        w.u8(self.data_coding.0).u8(self.sm_default_msg_id);
        put_short_message(w, &self.short_message);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, with_len};
    use crate::{CommandStatus, Frame, Pdu};

    fn sample() -> SubmitMulti {
        SubmitMulti {
            source: Address::new(crate::Ton::UNKNOWN, crate::Npi::UNKNOWN, "1069"),
            dests: vec![
                MultiDest::Sme(Address::international("8613800138000")),
                MultiDest::DistributionList(b"friends".to_vec()),
            ],
            registered_delivery: RegisteredDelivery::RECEIPT,
            short_message: b"hi".to_vec(),
            ..SubmitMulti::default()
        }
    }

    #[test]
    fn fixture() {
        let bytes = hex("0000003f 00000021 00000000 00000007
             00 0000 3130363900 02 01 0101 3836313338303031333830303000 02 667269656e647300
             00 00 00 00 00 01 00 00 00 02 6869");
        let frame = Frame::new(7, Pdu::SubmitMulti(sample()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, false);
    }

    #[test]
    fn bad_dest_flag_and_count() {
        let good = Frame::new(7, Pdu::SubmitMulti(sample())).encode();
        let mut bad = good.clone();
        bad[16 + 1 + 2 + 5 + 1] = 3;
        let err = Frame::decode(&bad).unwrap_err();
        assert_eq!(err.status(), Some(CommandStatus::ESME_RINVDESTFLAG));
        let mut many = good[..16 + 1 + 2 + 5].to_vec();
        many.push(255);
        let err = Frame::decode(&with_len(&many)).unwrap_err();
        assert_eq!(err.status(), Some(CommandStatus::ESME_RINVNUMDESTS));
    }

    #[test]
    fn most_destinations() {
        let multi = SubmitMulti { dests: vec![MultiDest::Sme(Address::international("86138")); 254], ..sample() };
        assert_eq!(multi.validate(), Ok(()));
        round_trip(Frame::new(1, Pdu::SubmitMulti(multi.clone())), 16 + 1 + 2 + 5 + 1 + 254 * 9 + 10 + 2);
        let over = SubmitMulti { dests: vec![MultiDest::DistributionList(b"x".to_vec()); 255], ..multi };
        assert!(over.validate().is_err());
    }
}
