//! submit_sm (smpp.md §5): one short message from the ESME. deliver_sm has the same layout.

use super::{
    check_c_str, check_short_message, put_c_str, put_short_message, read_short_message, Address, EncodeError, ADDR,
    DEST, SERVICE_TYPE, SOURCE, TIME,
};
use crate::{DataCoding, EsmClass, RegisteredDelivery, Tlvs};
use hongyan_wire::{DecodeError, Reader, Writer};

/// submit_sm body. command_length = 16 (header) + 12 one-byte fields + the five C-strings
/// with their NULs (service_type, two addresses, two times) + sm_length + the TLVs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SubmitSm {
    /// service_type (max 6): empty = SMSC default.
    pub service_type: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 21).
    pub source: Address,
    /// dest_addr_ton, dest_addr_npi, destination_addr (max 21).
    pub dest: Address,
    /// esm_class: messaging mode, message type, UDHI.
    pub esm_class: EsmClass,
    /// protocol_id: GSM TP-PID.
    pub protocol_id: u8,
    /// priority_flag: 0–3.
    pub priority_flag: u8,
    /// schedule_delivery_time: empty (now) or 16 characters `YYMMDDhhmmsstnnp`.
    pub schedule_delivery_time: Vec<u8>,
    /// validity_period: empty (SMSC default) or 16 characters.
    pub validity_period: Vec<u8>,
    /// registered_delivery: which receipts are wanted.
    pub registered_delivery: RegisteredDelivery,
    /// replace_if_present_flag: 0 no, 1 replace.
    pub replace_if_present_flag: u8,
    /// data_coding.
    pub data_coding: DataCoding,
    /// sm_default_msg_id: 0 = none.
    pub sm_default_msg_id: u8,
    /// short_message (0–254 bytes, including any UDH); sm_length is its length.
    pub short_message: Vec<u8>,
    /// TLVs in wire order: sar_*, message_payload, ports, …
    pub tlvs: Tlvs,
}

impl SubmitSm {
    /// Checks every field fits and short_message is not used with message_payload.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("service_type", &self.service_type, SERVICE_TYPE)?;
        self.source.check(SOURCE, ADDR)?;
        self.dest.check(DEST, ADDR)?;
        check_c_str("schedule_delivery_time", &self.schedule_delivery_time, TIME)?;
        check_c_str("validity_period", &self.validity_period, TIME)?;
        check_short_message(&self.short_message, &self.tlvs)
    }

    /// The user data: short_message, or message_payload when short_message is empty.
    pub fn payload(&self) -> &[u8] {
        match self.tlvs.message_payload() {
            Some(payload) if self.short_message.is_empty() => payload,
            _ => &self.short_message,
        }
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            service_type: r.c_str("service_type", SERVICE_TYPE)?,
            source: Address::decode(r, SOURCE, ADDR)?,
            dest: Address::decode(r, DEST, ADDR)?,
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

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.service_type, SERVICE_TYPE);
        self.source.encode(w, ADDR);
        self.dest.encode(w, ADDR);
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
    use crate::{CommandStatus, Frame, FrameDecodeError, Npi, Pdu, Sar, TlvTag, Ton};

    /// The inputs of smpp.md's python-smpplib vector.
    fn smpplib_inputs() -> SubmitSm {
        SubmitSm {
            source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
            dest: Address::international("8613800138000"),
            registered_delivery: RegisteredDelivery::RECEIPT,
            data_coding: DataCoding::UCS2,
            short_message: "你好".encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ..SubmitSm::default()
        }
    }

    #[test]
    fn python_smpplib_vector() {
        let bytes = hex(include_str!("../../testdata/submit_sm_smpplib.hex"));
        assert_eq!(bytes.len(), 0x3a);
        let frame = Frame::new(1, Pdu::SubmitSm(smpplib_inputs()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, false);
    }

    #[test]
    fn smpplib_vector_text_is_ni_hao() {
        let bytes = hex(include_str!("../../testdata/submit_sm_smpplib.hex"));
        let Pdu::SubmitSm(sm) = Frame::decode(&bytes).unwrap().pdu else { panic!("not submit_sm") };
        let units: Vec<u16> = sm.short_message.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        assert_eq!(String::from_utf16(&units).unwrap(), "你好");
        assert_eq!(sm.source.addr, b"10690000");
        assert_eq!((sm.dest.ton, sm.dest.npi), (Ton::INTERNATIONAL, Npi::ISDN));
    }

    #[test]
    fn long_message_with_tlvs_fixture() {
        let bytes = hex(include_str!("../../testdata/submit_sm_sar.hex"));
        let mut sm = SubmitSm {
            service_type: b"CMT".to_vec(),
            source: Address::new(Ton::ALPHANUMERIC, Npi::UNKNOWN, "Hongyan"),
            dest: Address::international("8613800138000"),
            esm_class: EsmClass(0x03),
            protocol_id: 0x7f,
            priority_flag: 2,
            validity_period: b"000001000000000R".to_vec(),
            registered_delivery: RegisteredDelivery(0x11),
            replace_if_present_flag: 1,
            data_coding: DataCoding::UCS2,
            sm_default_msg_id: 5,
            short_message: vec![0x4f, 0x60],
            ..SubmitSm::default()
        };
        sm.tlvs.set_sar(Sar { msg_ref_num: 0x0102, total_segments: 2, segment_seqnum: 1 });
        sm.tlvs.set(TlvTag(0x1401), b"vendor".to_vec());
        let frame = Frame::new(0x7fff_ffff, Pdu::SubmitSm(sm.clone()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_eq!(sm.validate(), Ok(()));
    }

    #[test]
    fn exact_length_formula() {
        for (len, tlv_len) in [(0usize, 0usize), (140, 0), (254, 0), (0, 300)] {
            let mut sm = SubmitSm { short_message: vec![0x41; len], ..smpplib_inputs() };
            if tlv_len > 0 {
                sm.tlvs.set(TlvTag::MESSAGE_PAYLOAD, vec![0x42; tlv_len]);
            }
            let extra = if tlv_len > 0 { 4 + tlv_len } else { 0 };
            round_trip(Frame::new(3, Pdu::SubmitSm(sm)), 16 + 12 + (1 + 9 + 14 + 1 + 1) + len + extra);
        }
    }

    #[test]
    fn over_long_address_gets_its_status() {
        // destination_addr of 21 digits and no NUL in its 21-byte maximum.
        let good = Frame::new(5, Pdu::SubmitSm(smpplib_inputs())).encode();
        let at = 16 + 1 + 2 + 9 + 2;
        let bad = with_len(&[&good[..at], b"861380013800099999999", &good[at + 14..]].concat());
        let err = Frame::decode(&bad).unwrap_err();
        assert!(matches!(
            err,
            FrameDecodeError::Body { source: DecodeError::Invalid { field: "destination_addr", .. }, .. }
        ));
        assert_eq!(err.status(), Some(CommandStatus::ESME_RINVDSTADR));
        assert_eq!(err.sequence_number(), Some(5));
    }

    #[test]
    fn validate_refuses_what_would_be_cut() {
        let ok = smpplib_inputs();
        assert_eq!(ok.validate(), Ok(()));
        let long = SubmitSm { dest: Address::international(vec![b'1'; 21]), ..ok.clone() };
        assert!(matches!(long.validate(), Err(EncodeError::TooLong { field: "destination_addr", max: 20, .. })));
        let body = SubmitSm { short_message: vec![0; 255], ..ok.clone() };
        assert!(body.validate().is_err());
        let mut both = ok;
        both.tlvs.set(TlvTag::MESSAGE_PAYLOAD, b"x".to_vec());
        assert!(both.validate().is_err());
        assert_eq!(both.payload(), both.short_message.as_slice());
    }
}
