//! Optional parameters (TLVs, smpp.md §1, §11, §12): tag 2 bytes, length 2 bytes, value.
//!
//! Every TLV is kept as it came, in order, whether its tag is known or not: a PDU re-encodes
//! byte for byte, and a vendor TLV we never heard of survives a relay. Typed accessors
//! ([`Tlvs::message_payload`], [`Tlvs::sar`], …) read the common ones and return `None` for
//! a value of the wrong size; decoding does not reject such a value, so one peer's
//! off-size TLV does not fail a whole message (the application may still answer
//! ESME_RINVPARLEN).

use hongyan_wire::open_enum;

use crate::MessageState;
use hongyan_wire::{DecodeError, Reader, Writer};

open_enum! {
    /// A TLV tag: every tag SMPP 3.4 defines (§5.3.2 of the spec) is named; vendor tags
    /// (0x1400–0x3FFF) stay numbers.
    #[derive(Default)]
    TlvTag(u16), unknown = "{:#06x}" {
        /// 0x0005 dest_addr_subunit (1).
        DEST_ADDR_SUBUNIT = 0x0005 => "dest_addr_subunit",
        /// 0x0006 dest_network_type (1).
        DEST_NETWORK_TYPE = 0x0006 => "dest_network_type",
        /// 0x0007 dest_bearer_type (1).
        DEST_BEARER_TYPE = 0x0007 => "dest_bearer_type",
        /// 0x0008 dest_telematics_id (2).
        DEST_TELEMATICS_ID = 0x0008 => "dest_telematics_id",
        /// 0x000D source_addr_subunit (1).
        SOURCE_ADDR_SUBUNIT = 0x000D => "source_addr_subunit",
        /// 0x000E source_network_type (1).
        SOURCE_NETWORK_TYPE = 0x000E => "source_network_type",
        /// 0x000F source_bearer_type (1).
        SOURCE_BEARER_TYPE = 0x000F => "source_bearer_type",
        /// 0x0010 source_telematics_id (1).
        SOURCE_TELEMATICS_ID = 0x0010 => "source_telematics_id",
        /// 0x0017 qos_time_to_live (4).
        QOS_TIME_TO_LIVE = 0x0017 => "qos_time_to_live",
        /// 0x0019 payload_type (1): 0 default/WDP, 1 WCMP.
        PAYLOAD_TYPE = 0x0019 => "payload_type",
        /// 0x001D additional_status_info_text (C-string, 1–256).
        ADDITIONAL_STATUS_INFO_TEXT = 0x001D => "additional_status_info_text",
        /// 0x001E receipted_message_id (C-string, 1–65).
        RECEIPTED_MESSAGE_ID = 0x001E => "receipted_message_id",
        /// 0x0030 ms_msg_wait_facilities (1).
        MS_MSG_WAIT_FACILITIES = 0x0030 => "ms_msg_wait_facilities",
        /// 0x0201 privacy_indicator (1).
        PRIVACY_INDICATOR = 0x0201 => "privacy_indicator",
        /// 0x0202 source_subaddress (2–23).
        SOURCE_SUBADDRESS = 0x0202 => "source_subaddress",
        /// 0x0203 dest_subaddress (2–23).
        DEST_SUBADDRESS = 0x0203 => "dest_subaddress",
        /// 0x0204 user_message_reference (2).
        USER_MESSAGE_REFERENCE = 0x0204 => "user_message_reference",
        /// 0x0205 user_response_code (1).
        USER_RESPONSE_CODE = 0x0205 => "user_response_code",
        /// 0x020A source_port (2).
        SOURCE_PORT = 0x020A => "source_port",
        /// 0x020B destination_port (2).
        DESTINATION_PORT = 0x020B => "destination_port",
        /// 0x020C sar_msg_ref_num (2).
        SAR_MSG_REF_NUM = 0x020C => "sar_msg_ref_num",
        /// 0x020D language_indicator (1).
        LANGUAGE_INDICATOR = 0x020D => "language_indicator",
        /// 0x020E sar_total_segments (1).
        SAR_TOTAL_SEGMENTS = 0x020E => "sar_total_segments",
        /// 0x020F sar_segment_seqnum (1).
        SAR_SEGMENT_SEQNUM = 0x020F => "sar_segment_seqnum",
        /// 0x0210 sc_interface_version (1), in bind_*_resp.
        SC_INTERFACE_VERSION = 0x0210 => "sc_interface_version",
        /// 0x0302 callback_num_pres_ind (1).
        CALLBACK_NUM_PRES_IND = 0x0302 => "callback_num_pres_ind",
        /// 0x0303 callback_num_atag (≤ 65).
        CALLBACK_NUM_ATAG = 0x0303 => "callback_num_atag",
        /// 0x0304 number_of_messages (1).
        NUMBER_OF_MESSAGES = 0x0304 => "number_of_messages",
        /// 0x0381 callback_num (4–19).
        CALLBACK_NUM = 0x0381 => "callback_num",
        /// 0x0420 dpf_result (1).
        DPF_RESULT = 0x0420 => "dpf_result",
        /// 0x0421 set_dpf (1).
        SET_DPF = 0x0421 => "set_dpf",
        /// 0x0422 ms_availability_status (1).
        MS_AVAILABILITY_STATUS = 0x0422 => "ms_availability_status",
        /// 0x0423 network_error_code (3): network type + 2-byte error.
        NETWORK_ERROR_CODE = 0x0423 => "network_error_code",
        /// 0x0424 message_payload (any length): user data over 254 bytes.
        MESSAGE_PAYLOAD = 0x0424 => "message_payload",
        /// 0x0425 delivery_failure_reason (1).
        DELIVERY_FAILURE_REASON = 0x0425 => "delivery_failure_reason",
        /// 0x0426 more_messages_to_send (1).
        MORE_MESSAGES_TO_SEND = 0x0426 => "more_messages_to_send",
        /// 0x0427 message_state (1).
        MESSAGE_STATE = 0x0427 => "message_state",
        /// 0x0501 ussd_service_op (1).
        USSD_SERVICE_OP = 0x0501 => "ussd_service_op",
        /// 0x1201 display_time (1).
        DISPLAY_TIME = 0x1201 => "display_time",
        /// 0x1203 sms_signal (2).
        SMS_SIGNAL = 0x1203 => "sms_signal",
        /// 0x1204 ms_validity (1).
        MS_VALIDITY = 0x1204 => "ms_validity",
        /// 0x130C alert_on_message_delivery (0).
        ALERT_ON_MESSAGE_DELIVERY = 0x130C => "alert_on_message_delivery",
        /// 0x1380 its_reply_type (1).
        ITS_REPLY_TYPE = 0x1380 => "its_reply_type",
        /// 0x1383 its_session_info (2).
        ITS_SESSION_INFO = 0x1383 => "its_session_info",
    }
}

/// One optional parameter, value as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tlv {
    /// The tag.
    pub tag: TlvTag,
    /// The value; the wire length is its length (at most 65 535).
    pub value: Vec<u8>,
}

impl Tlv {
    /// A TLV from a tag and a value.
    pub fn new(tag: TlvTag, value: impl Into<Vec<u8>>) -> Self {
        Self { tag, value: value.into() }
    }
}

/// Concatenation by TLVs instead of a UDH (segmentation.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sar {
    /// sar_msg_ref_num: the same in every segment of one message.
    pub msg_ref_num: u16,
    /// sar_total_segments, 1–255.
    pub total_segments: u8,
    /// sar_segment_seqnum, 1-based.
    pub segment_seqnum: u8,
}

/// The TLV part of a PDU, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Tlvs(pub Vec<Tlv>);

impl Tlvs {
    /// No TLVs.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of the first TLV with `tag`.
    pub fn get(&self, tag: TlvTag) -> Option<&[u8]> {
        self.0.iter().find(|t| t.tag == tag).map(|t| t.value.as_slice())
    }

    /// Replaces the value of the first TLV with `tag`, or appends one.
    pub fn set(&mut self, tag: TlvTag, value: impl Into<Vec<u8>>) {
        let value = value.into();
        match self.0.iter_mut().find(|t| t.tag == tag) {
            Some(tlv) => tlv.value = value,
            None => self.0.push(Tlv { tag, value }),
        }
    }

    /// Removes every TLV with `tag`.
    pub fn remove(&mut self, tag: TlvTag) {
        self.0.retain(|t| t.tag != tag);
    }

    /// A 1-byte TLV.
    pub fn get_u8(&self, tag: TlvTag) -> Option<u8> {
        match self.get(tag)? {
            [b] => Some(*b),
            _ => None,
        }
    }

    /// A 2-byte TLV.
    pub fn get_u16(&self, tag: TlvTag) -> Option<u16> {
        self.get(tag)?.try_into().ok().map(u16::from_be_bytes)
    }

    /// A C-string TLV without its NUL (tolerating a peer that left the NUL out).
    pub fn get_c_str(&self, tag: TlvTag) -> Option<&[u8]> {
        let value = self.get(tag)?;
        Some(value.strip_suffix(&[0]).unwrap_or(value))
    }

    /// message_payload: the user data when it is not in short_message.
    pub fn message_payload(&self) -> Option<&[u8]> {
        self.get(TlvTag::MESSAGE_PAYLOAD)
    }

    /// receipted_message_id: the message a receipt is about.
    pub fn receipted_message_id(&self) -> Option<&[u8]> {
        self.get_c_str(TlvTag::RECEIPTED_MESSAGE_ID)
    }

    /// message_state of a receipt.
    pub fn message_state(&self) -> Option<MessageState> {
        self.get_u8(TlvTag::MESSAGE_STATE).map(MessageState)
    }

    /// network_error_code: (network type, error code).
    pub fn network_error_code(&self) -> Option<(u8, u16)> {
        match self.get(TlvTag::NETWORK_ERROR_CODE)? {
            [kind, hi, lo] => Some((*kind, u16::from_be_bytes([*hi, *lo]))),
            _ => None,
        }
    }

    /// sc_interface_version of a bind response.
    pub fn sc_interface_version(&self) -> Option<u8> {
        self.get_u8(TlvTag::SC_INTERFACE_VERSION)
    }

    /// The three sar_* TLVs, when all are present and well sized.
    pub fn sar(&self) -> Option<Sar> {
        Some(Sar {
            msg_ref_num: self.get_u16(TlvTag::SAR_MSG_REF_NUM)?,
            total_segments: self.get_u8(TlvTag::SAR_TOTAL_SEGMENTS)?,
            segment_seqnum: self.get_u8(TlvTag::SAR_SEGMENT_SEQNUM)?,
        })
    }

    /// Sets the three sar_* TLVs.
    pub fn set_sar(&mut self, sar: Sar) {
        self.set(TlvTag::SAR_MSG_REF_NUM, sar.msg_ref_num.to_be_bytes());
        self.set(TlvTag::SAR_TOTAL_SEGMENTS, [sar.total_segments]);
        self.set(TlvTag::SAR_SEGMENT_SEQNUM, [sar.segment_seqnum]);
    }

    /// Reads TLVs until the body ends. A TLV that runs past the end is an error.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut list = Vec::new();
        while r.left() > 0 {
            let tag = TlvTag(r.u16("TLV tag")?);
            let len = r.u16("TLV length")?;
            let value = r.bytes("TLV value", len.into())?.to_vec();
            list.push(Tlv { tag, value });
        }
        Ok(Self(list))
    }

    /// Writes every TLV. A value over 65 535 bytes is cut so the frame stays well formed;
    /// [`Tlvs::check`] refuses one before it gets here.
    pub(crate) fn encode(&self, w: &mut Writer) {
        for tlv in &self.0 {
            let len = tlv.value.len().min(usize::from(u16::MAX));
            w.u16(tlv.tag.0).u16(len as u16).bytes(&tlv.value[..len]);
        }
    }

    /// Checks every value fits its 2-byte length.
    pub(crate) fn check(&self) -> Result<(), crate::pdu::EncodeError> {
        for tlv in &self.0 {
            crate::pdu::check_count("TLV value", tlv.value.len(), usize::from(u16::MAX))?;
        }
        Ok(())
    }
}

impl From<Vec<Tlv>> for Tlvs {
    fn from(list: Vec<Tlv>) -> Self {
        Self(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    fn decode(bytes: &[u8]) -> Result<Tlvs, DecodeError> {
        let mut r = Reader::new(bytes);
        let out = Tlvs::decode(&mut r)?;
        r.finish()?;
        Ok(out)
    }

    fn encode(tlvs: &Tlvs) -> Vec<u8> {
        let mut w = Writer::default();
        tlvs.encode(&mut w);
        w.into_vec()
    }

    #[test]
    fn known_and_unknown_tags_keep_their_order_and_bytes() {
        // A vendor TLV between two standard ones, then a zero-length one.
        let bytes = hex("0427 0001 02  1401 0003 aabbcc  001e 0004 616263 00  130c 0000");
        let tlvs = decode(&bytes).unwrap();
        let tags: Vec<_> = tlvs.0.iter().map(|t| t.tag).collect();
        assert_eq!(tags, [TlvTag::MESSAGE_STATE, TlvTag(0x1401), TlvTag::RECEIPTED_MESSAGE_ID, TlvTag(0x130c)]);
        assert_eq!(tlvs.message_state(), Some(MessageState::DELIVERED));
        assert_eq!(tlvs.receipted_message_id(), Some(&b"abc"[..]));
        assert_eq!(tlvs.get(TlvTag(0x1401)), Some(&[0xaa, 0xbb, 0xcc][..]));
        assert_eq!(encode(&tlvs), bytes);
        assert_eq!(format!("{:?} {}", TlvTag(0x1401), TlvTag::MESSAGE_PAYLOAD), "TlvTag(0x1401) message_payload");
    }

    #[test]
    fn tags_match_smpp_md_sections_11_and_12() {
        let table = [
            (TlvTag::RECEIPTED_MESSAGE_ID, 0x001E),
            (TlvTag::MESSAGE_STATE, 0x0427),
            (TlvTag::NETWORK_ERROR_CODE, 0x0423),
            (TlvTag::SAR_MSG_REF_NUM, 0x020C),
            (TlvTag::SAR_TOTAL_SEGMENTS, 0x020E),
            (TlvTag::SAR_SEGMENT_SEQNUM, 0x020F),
            (TlvTag::MESSAGE_PAYLOAD, 0x0424),
            (TlvTag::USER_MESSAGE_REFERENCE, 0x0204),
            (TlvTag::SOURCE_PORT, 0x020A),
            (TlvTag::DESTINATION_PORT, 0x020B),
            (TlvTag::MORE_MESSAGES_TO_SEND, 0x0426),
            (TlvTag::PAYLOAD_TYPE, 0x0019),
            (TlvTag::ADDITIONAL_STATUS_INFO_TEXT, 0x001D),
            (TlvTag::DELIVERY_FAILURE_REASON, 0x0425),
            (TlvTag::SC_INTERFACE_VERSION, 0x0210),
        ];
        for (tag, value) in table {
            assert_eq!(tag.0, value, "{tag:?}");
        }
    }

    #[test]
    fn truncated_tlvs_are_errors() {
        for bad in ["04", "0424 00", "0424 0005 0102", "0424 0001 01 00"] {
            let err = decode(&hex(bad)).unwrap_err();
            assert!(matches!(err, DecodeError::Truncated { field, .. } if field.starts_with("TLV")), "{bad}: {err}");
        }
    }

    #[test]
    fn typed_accessors_reject_wrong_sizes() {
        let mut tlvs = Tlvs::new();
        tlvs.set(TlvTag::MESSAGE_STATE, [2, 0]);
        tlvs.set(TlvTag::NETWORK_ERROR_CODE, [3, 0, 1]);
        assert_eq!(tlvs.message_state(), None);
        assert_eq!(tlvs.network_error_code(), Some((3, 1)));
        tlvs.set(TlvTag::MESSAGE_STATE, [5]);
        assert_eq!(tlvs.message_state(), Some(MessageState::UNDELIVERABLE));
        assert_eq!(tlvs.0.len(), 2, "set replaces in place");
    }

    #[test]
    fn sar_set_and_read() {
        let mut tlvs = Tlvs::new();
        assert_eq!(tlvs.sar(), None);
        let sar = Sar { msg_ref_num: 0x1234, total_segments: 3, segment_seqnum: 2 };
        tlvs.set_sar(sar);
        assert_eq!(tlvs.sar(), Some(sar));
        assert_eq!(encode(&tlvs), hex("020c 0002 1234 020e 0001 03 020f 0001 02"));
        tlvs.remove(TlvTag::SAR_TOTAL_SEGMENTS);
        assert_eq!(tlvs.sar(), None);
    }

    #[test]
    fn oversize_values_are_refused() {
        let tlvs = Tlvs(vec![Tlv::new(TlvTag::MESSAGE_PAYLOAD, vec![0; 65_536])]);
        assert!(tlvs.check().is_err());
        let tlvs = Tlvs(vec![Tlv::new(TlvTag::MESSAGE_PAYLOAD, vec![0; 65_535])]);
        assert!(tlvs.check().is_ok());
    }
}
