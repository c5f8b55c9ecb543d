//! deliver_sm (smpp.md §5, §11): an MO message or a delivery receipt from the SMSC. The
//! layout is submit_sm's; schedule_delivery_time, validity_period and
//! replace_if_present_flag are unused (NULL / 0) but still on the wire.

use super::{
    check_c_str, check_short_message, put_c_str, put_short_message, read_short_message, Address, EncodeError, ADDR,
    DEST, SERVICE_TYPE, SOURCE, TIME,
};
use crate::receipt::{DeliveryReceipt, ReceiptError};
use crate::{DataCoding, EsmClass, MessageState, RegisteredDelivery, Tlvs};
use hongyan_wire::{DecodeError, Reader, Writer};

/// deliver_sm body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DeliverSm {
    /// service_type (max 6).
    pub service_type: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 21): the sender (for a receipt,
    /// the original recipient).
    pub source: Address,
    /// dest_addr_ton, dest_addr_npi, destination_addr (max 21).
    pub dest: Address,
    /// esm_class: 0x04 marks a delivery receipt, 0x40 a UDH.
    pub esm_class: EsmClass,
    /// protocol_id: GSM TP-PID.
    pub protocol_id: u8,
    /// priority_flag.
    pub priority_flag: u8,
    /// schedule_delivery_time: unused, empty.
    pub schedule_delivery_time: Vec<u8>,
    /// validity_period: unused, empty.
    pub validity_period: Vec<u8>,
    /// registered_delivery: whether an SME acknowledgement is wanted.
    pub registered_delivery: RegisteredDelivery,
    /// replace_if_present_flag: unused, 0.
    pub replace_if_present_flag: u8,
    /// data_coding.
    pub data_coding: DataCoding,
    /// sm_default_msg_id: unused, 0.
    pub sm_default_msg_id: u8,
    /// short_message (0–254 bytes): the text, or the receipt text.
    pub short_message: Vec<u8>,
    /// TLVs in wire order: receipted_message_id, message_state, network_error_code, …
    pub tlvs: Tlvs,
}

impl DeliverSm {
    /// A delivery receipt for `receipt`, its text in short_message, with the
    /// receipted_message_id and message_state TLVs set too (as most SMSCs do).
    pub fn with_receipt(source: Address, dest: Address, receipt: &DeliveryReceipt) -> Self {
        let mut tlvs = Tlvs::new();
        tlvs.set(crate::TlvTag::RECEIPTED_MESSAGE_ID, [receipt.id.as_bytes(), &[0]].concat());
        if let Some(state) = receipt.message_state() {
            tlvs.set(crate::TlvTag::MESSAGE_STATE, [state.0]);
        }
        Self {
            source,
            dest,
            esm_class: EsmClass::SMSC_DELIVERY_RECEIPT,
            short_message: receipt.to_string().into_bytes(),
            tlvs,
            ..Self::default()
        }
    }

    /// True when esm_class says this is an SMSC delivery receipt.
    pub fn is_receipt(&self) -> bool {
        self.esm_class.is_delivery_receipt()
    }

    /// The user data: short_message, or message_payload when short_message is empty.
    pub fn payload(&self) -> &[u8] {
        match self.tlvs.message_payload() {
            Some(payload) if self.short_message.is_empty() => payload,
            _ => &self.short_message,
        }
    }

    /// The receipt text parsed, when this is a receipt. The TLVs, when present, are more
    /// reliable than the text: see [`DeliverSm::receipted_message_id`] and
    /// [`DeliverSm::message_state`].
    pub fn receipt(&self) -> Option<Result<DeliveryReceipt, ReceiptError>> {
        self.is_receipt().then(|| DeliveryReceipt::parse(self.text().as_bytes()))
    }

    /// The user data as text, decoded by data_coding: UCS-2 (big-endian; a broken pair or an
    /// odd last byte becomes U+FFFD), anything else read as ASCII/UTF-8 as receipts are.
    pub fn text(&self) -> String {
        let payload = self.payload();
        if self.data_coding != DataCoding::UCS2 {
            return String::from_utf8_lossy(payload).into_owned();
        }
        let units = payload.chunks(2).map(|c| if let [hi, lo] = c { u16::from_be_bytes([*hi, *lo]) } else { 0xFFFD });
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
    }

    /// The id of the message a receipt is about: the receipted_message_id TLV, else the
    /// text's `id:`.
    pub fn receipted_message_id(&self) -> Option<Vec<u8>> {
        if let Some(id) = self.tlvs.receipted_message_id() {
            return Some(id.to_vec());
        }
        self.receipt()?.ok().map(|r| r.id.into_bytes())
    }

    /// The state a receipt reports: the message_state TLV, else the text's `stat:`.
    pub fn message_state(&self) -> Option<MessageState> {
        self.tlvs.message_state().or_else(|| self.receipt()?.ok()?.message_state())
    }

    /// Checks every field fits and short_message is not used with message_payload.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("service_type", &self.service_type, SERVICE_TYPE)?;
        self.source.check(SOURCE, ADDR)?;
        self.dest.check(DEST, ADDR)?;
        check_c_str("schedule_delivery_time", &self.schedule_delivery_time, TIME)?;
        check_c_str("validity_period", &self.validity_period, TIME)?;
        check_short_message(&self.short_message, &self.tlvs)
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
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Npi, Pdu, TlvTag, Ton};

    #[test]
    fn a_ucs2_receipt_text_is_decoded_by_its_data_coding() {
        let text = "id:0a1b sub:001 dlvrd:001 submit date:2611290806 done date:2611290807 stat:DELIVRD err:000 text:";
        let short_message = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let dsm = DeliverSm {
            esm_class: EsmClass::SMSC_DELIVERY_RECEIPT,
            data_coding: DataCoding::UCS2,
            short_message,
            ..DeliverSm::default()
        };
        assert_eq!(dsm.text(), text);
        let receipt = dsm.receipt().unwrap().unwrap();
        assert_eq!((receipt.id.as_str(), receipt.stat.as_deref()), ("0a1b", Some("DELIVRD")));
        assert_eq!(dsm.receipted_message_id().as_deref(), Some(&b"0a1b"[..]));
        let odd = DeliverSm { short_message: vec![0, b'i', 0], ..dsm };
        assert_eq!(odd.text(), "i\u{FFFD}", "an odd last byte is not dropped silently");
    }

    #[test]
    fn message_states_name_their_receipt_stat() {
        let stats: Vec<_> = (1..=9).map(|n| MessageState(n).stat()).collect();
        let want = ["ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD"];
        assert_eq!(stats[..8], want.map(Some));
        assert_eq!(stats[8], None, "a state 3.4 does not define has no word");
    }

    #[test]
    fn receipt_fixture() {
        let bytes = hex(include_str!("../../testdata/deliver_sm_receipt.hex"));
        let frame = Frame::decode(&bytes).unwrap();
        assert_eq!(frame.sequence_number, 0x10);
        assert_eq!(frame.encode(), bytes);
        let Pdu::DeliverSm(dsm) = frame.pdu else { panic!("not deliver_sm") };
        assert!(dsm.is_receipt());
        assert_eq!(dsm.source, Address::international("8613800138000"));
        assert_eq!(dsm.dest, Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"));
        assert_eq!((dsm.protocol_id, dsm.priority_flag, dsm.data_coding), (0, 1, DataCoding::DEFAULT));
        let receipt = dsm.receipt().unwrap().unwrap();
        assert_eq!(receipt.id, "0123456789");
        assert_eq!(receipt.stat.as_deref(), Some("DELIVRD"));
        assert_eq!(dsm.receipted_message_id().as_deref(), Some(&b"0123456789"[..]));
        assert_eq!(dsm.message_state(), Some(MessageState::DELIVERED));
        assert_eq!(dsm.tlvs.get(TlvTag::MESSAGE_STATE), Some(&[2][..]));
    }

    #[test]
    fn receipt_without_tlvs_falls_back_to_the_text() {
        let text = "id:abc sub:001 dlvrd:000 submit date:2510150930 done date:2510151030 stat:EXPIRED err:000 text:";
        let dsm = DeliverSm {
            esm_class: EsmClass::SMSC_DELIVERY_RECEIPT,
            short_message: text.as_bytes().to_vec(),
            ..DeliverSm::default()
        };
        assert_eq!(dsm.receipted_message_id().as_deref(), Some(&b"abc"[..]));
        assert_eq!(dsm.message_state(), Some(MessageState::EXPIRED));
        let mo = DeliverSm { esm_class: EsmClass::DEFAULT, ..dsm };
        assert!(mo.receipt().is_none() && mo.message_state().is_none());
    }

    #[test]
    fn built_receipt_round_trips() {
        let receipt = DeliveryReceipt::parse(
            b"id:42 sub:001 dlvrd:001 submit date:2510150930 done date:2510150931 stat:DELIVRD err:000 text:hi",
        )
        .unwrap();
        let dsm = DeliverSm::with_receipt(Address::international("8613800138000"), Address::default(), &receipt);
        assert_eq!(dsm.validate(), Ok(()));
        assert_eq!(dsm.message_state(), Some(MessageState::DELIVERED));
        let len = 16 + 1 + 2 + 14 + 2 + 1 + 3 + 2 + 4 + 1 + dsm.short_message.len() + 4 + 3 + 4 + 1;
        let bytes = round_trip(Frame::new(8, Pdu::DeliverSm(dsm.clone())), len);
        let mut plain = dsm;
        plain.tlvs = Tlvs::new();
        let plain_bytes = Frame::new(8, Pdu::DeliverSm(plain)).encode();
        assert_exact(&plain_bytes, false);
        assert!(bytes.len() > plain_bytes.len());
    }
}
