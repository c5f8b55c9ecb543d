//! Open wire enumerations (smpp.md §3, §5, §8, §11) and the two bit-field bytes `esm_class`
//! (§6) and `registered_delivery` (§7).

use hongyan_wire::open_enum;

use std::fmt;

open_enum! {
    /// command_id (smpp.md §3). A response id is the request id with the top bit set.
    #[derive(Default)]
    CommandId(u32), unknown = "{:#010x}" {
        /// generic_nack: the answer to a PDU that cannot be answered otherwise.
        GENERIC_NACK = 0x8000_0000 => "generic_nack",
        /// bind_receiver.
        BIND_RECEIVER = 0x0000_0001 => "bind_receiver",
        /// bind_receiver_resp.
        BIND_RECEIVER_RESP = 0x8000_0001 => "bind_receiver_resp",
        /// bind_transmitter.
        BIND_TRANSMITTER = 0x0000_0002 => "bind_transmitter",
        /// bind_transmitter_resp.
        BIND_TRANSMITTER_RESP = 0x8000_0002 => "bind_transmitter_resp",
        /// query_sm.
        QUERY_SM = 0x0000_0003 => "query_sm",
        /// query_sm_resp.
        QUERY_SM_RESP = 0x8000_0003 => "query_sm_resp",
        /// submit_sm.
        SUBMIT_SM = 0x0000_0004 => "submit_sm",
        /// submit_sm_resp.
        SUBMIT_SM_RESP = 0x8000_0004 => "submit_sm_resp",
        /// deliver_sm.
        DELIVER_SM = 0x0000_0005 => "deliver_sm",
        /// deliver_sm_resp.
        DELIVER_SM_RESP = 0x8000_0005 => "deliver_sm_resp",
        /// unbind.
        UNBIND = 0x0000_0006 => "unbind",
        /// unbind_resp.
        UNBIND_RESP = 0x8000_0006 => "unbind_resp",
        /// replace_sm.
        REPLACE_SM = 0x0000_0007 => "replace_sm",
        /// replace_sm_resp.
        REPLACE_SM_RESP = 0x8000_0007 => "replace_sm_resp",
        /// cancel_sm.
        CANCEL_SM = 0x0000_0008 => "cancel_sm",
        /// cancel_sm_resp.
        CANCEL_SM_RESP = 0x8000_0008 => "cancel_sm_resp",
        /// bind_transceiver.
        BIND_TRANSCEIVER = 0x0000_0009 => "bind_transceiver",
        /// bind_transceiver_resp.
        BIND_TRANSCEIVER_RESP = 0x8000_0009 => "bind_transceiver_resp",
        /// outbind: the SMSC asks the ESME to bind as a receiver.
        OUTBIND = 0x0000_000B => "outbind",
        /// enquire_link.
        ENQUIRE_LINK = 0x0000_0015 => "enquire_link",
        /// enquire_link_resp.
        ENQUIRE_LINK_RESP = 0x8000_0015 => "enquire_link_resp",
        /// submit_multi.
        SUBMIT_MULTI = 0x0000_0021 => "submit_multi",
        /// submit_multi_resp.
        SUBMIT_MULTI_RESP = 0x8000_0021 => "submit_multi_resp",
        /// alert_notification (no response exists).
        ALERT_NOTIFICATION = 0x0000_0102 => "alert_notification",
        /// data_sm.
        DATA_SM = 0x0000_0103 => "data_sm",
        /// data_sm_resp.
        DATA_SM_RESP = 0x8000_0103 => "data_sm_resp",
    }
}

impl CommandId {
    /// The bit that turns a request id into its response id.
    const RESPONSE_BIT: u32 = 0x8000_0000;

    /// True for response ids (top bit set), generic_nack included.
    pub fn is_response(self) -> bool {
        self.0 & Self::RESPONSE_BIT != 0
    }

    /// The response id that answers this request id.
    pub fn response(self) -> Self {
        Self(self.0 | Self::RESPONSE_BIT)
    }
}

open_enum! {
    /// Type of number (smpp.md §5).
    #[derive(Default)]
    Ton(u8), unknown = "{}" {
        /// 0: unknown.
        UNKNOWN = 0 => "unknown",
        /// 1: international (E.164 without the leading +).
        INTERNATIONAL = 1 => "international",
        /// 2: national.
        NATIONAL = 2 => "national",
        /// 3: network specific.
        NETWORK_SPECIFIC = 3 => "network specific",
        /// 4: subscriber number.
        SUBSCRIBER = 4 => "subscriber number",
        /// 5: alphanumeric sender id.
        ALPHANUMERIC = 5 => "alphanumeric",
        /// 6: abbreviated (short code).
        ABBREVIATED = 6 => "abbreviated",
    }
}

open_enum! {
    /// Numbering plan indicator (smpp.md §5).
    #[derive(Default)]
    Npi(u8), unknown = "{}" {
        /// 0: unknown.
        UNKNOWN = 0 => "unknown",
        /// 1: ISDN (E.163/E.164).
        ISDN = 1 => "ISDN/E.164",
        /// 3: data (X.121).
        DATA = 3 => "data/X.121",
        /// 4: telex (F.69).
        TELEX = 4 => "telex",
        /// 6: land mobile (E.212).
        LAND_MOBILE = 6 => "land mobile/E.212",
        /// 8: national.
        NATIONAL = 8 => "national",
        /// 9: private.
        PRIVATE = 9 => "private",
        /// 10: ERMES.
        ERMES = 10 => "ERMES",
        /// 14: Internet (IP).
        INTERNET = 14 => "Internet",
        /// 18: WAP client id.
        WAP_CLIENT_ID = 18 => "WAP client id",
    }
}

open_enum! {
    /// data_coding (smpp.md §8). 0xC0–0xFF are GSM coding groups and stay numbers.
    #[derive(Default)]
    DataCoding(u8), unknown = "{:#04x}" {
        /// 0x00: SMSC default alphabet (usually GSM 03.38, one septet per octet).
        DEFAULT = 0x00 => "SMSC default alphabet",
        /// 0x01: IA5 / ASCII.
        IA5 = 0x01 => "IA5/ASCII",
        /// 0x02: 8-bit binary.
        OCTET_UNSPECIFIED = 0x02 => "8-bit binary (0x02)",
        /// 0x03: Latin-1.
        LATIN1 = 0x03 => "Latin-1",
        /// 0x04: 8-bit binary.
        BINARY = 0x04 => "8-bit binary",
        /// 0x05: JIS (X 0208-1990).
        JIS = 0x05 => "JIS",
        /// 0x06: Cyrillic (ISO-8859-5).
        CYRILLIC = 0x06 => "Cyrillic",
        /// 0x07: Latin/Hebrew (ISO-8859-8).
        HEBREW = 0x07 => "Latin/Hebrew",
        /// 0x08: UCS2, big-endian.
        UCS2 = 0x08 => "UCS2",
        /// 0x09: pictogram encoding.
        PICTOGRAM = 0x09 => "pictogram",
        /// 0x0A: ISO-2022-JP (music codes).
        ISO_2022_JP = 0x0A => "ISO-2022-JP",
        /// 0x0D: extended Kanji JIS (X 0212-1990).
        EXTENDED_KANJI = 0x0D => "extended Kanji JIS",
        /// 0x0E: KS C 5601.
        KSC5601 = 0x0E => "KS C 5601",
    }
}

open_enum! {
    /// message_state (smpp.md §11): the message_state TLV and query_sm_resp.
    #[derive(Default)]
    MessageState(u8), unknown = "{}" {
        /// 1: en route.
        ENROUTE = 1 => "ENROUTE",
        /// 2: delivered.
        DELIVERED = 2 => "DELIVERED",
        /// 3: validity period expired.
        EXPIRED = 3 => "EXPIRED",
        /// 4: deleted.
        DELETED = 4 => "DELETED",
        /// 5: undeliverable.
        UNDELIVERABLE = 5 => "UNDELIVERABLE",
        /// 6: accepted (read by a customer service).
        ACCEPTED = 6 => "ACCEPTED",
        /// 7: unknown state.
        UNKNOWN = 7 => "UNKNOWN",
        /// 8: rejected.
        REJECTED = 8 => "REJECTED",
    }
}

impl MessageState {
    /// True for the states after which the SMSC will not try again.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::ENROUTE | Self::ACCEPTED) && self.name().is_some()
    }

    /// The receipt text's `stat:` word for this state (`DELIVRD` for DELIVERED, `UNDELIV` for
    /// UNDELIVERABLE, …), which is what a status is judged by; `None` for a state SMPP 3.4
    /// does not define.
    pub fn stat(self) -> Option<&'static str> {
        Some(match self {
            Self::ENROUTE => "ENROUTE",
            Self::DELIVERED => "DELIVRD",
            Self::EXPIRED => "EXPIRED",
            Self::DELETED => "DELETED",
            Self::UNDELIVERABLE => "UNDELIV",
            Self::ACCEPTED => "ACCEPTD",
            Self::UNKNOWN => "UNKNOWN",
            Self::REJECTED => "REJECTD",
            _ => return None,
        })
    }
}

/// esm_class (smpp.md §6): three bit fields in one byte. Kept as the wire byte so any
/// combination survives; the consts name the common values and masks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EsmClass(pub u8);

impl EsmClass {
    /// Bits 1–0: messaging mode.
    pub const MODE_MASK: u8 = 0x03;
    /// Bits 5–2: message type.
    pub const TYPE_MASK: u8 = 0x3C;
    /// Bits 7–6: GSM network features.
    pub const FEATURES_MASK: u8 = 0xC0;
    /// Default mode, normal message, no features.
    pub const DEFAULT: Self = Self(0x00);
    /// Message type (SMSC → ESME): SMSC delivery receipt.
    pub const SMSC_DELIVERY_RECEIPT: Self = Self(0x04);
    /// Message type: SME (ESME) delivery acknowledgement.
    pub const DELIVERY_ACK: Self = Self(0x08);
    /// Message type: SME (ESME) manual/user acknowledgement.
    pub const MANUAL_ACK: Self = Self(0x10);
    /// Message type (SMSC → ESME): conversation abort.
    pub const CONVERSATION_ABORT: Self = Self(0x18);
    /// Message type (SMSC → ESME): intermediate delivery notification.
    pub const INTERMEDIATE_NOTIFICATION: Self = Self(0x20);
    /// Feature: user data starts with a UDH.
    pub const UDHI: Self = Self(0x40);
    /// Feature: reply path.
    pub const REPLY_PATH: Self = Self(0x80);

    /// The messaging-mode bits (0 default, 1 datagram, 2 forward, 3 store and forward).
    pub fn mode(self) -> u8 {
        self.0 & Self::MODE_MASK
    }

    /// The message-type bits, still in place (0x04 receipt, 0x08 ack, …).
    pub fn message_type(self) -> u8 {
        self.0 & Self::TYPE_MASK
    }

    /// True when the user data starts with a UDH.
    pub fn udhi(self) -> bool {
        self.0 & Self::UDHI.0 != 0
    }

    /// True for an SMSC delivery receipt (deliver_sm / data_sm from the SMSC).
    pub fn is_delivery_receipt(self) -> bool {
        self.message_type() == Self::SMSC_DELIVERY_RECEIPT.0
    }

    /// This value with the bits of `other` set too.
    pub fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl fmt::Debug for EsmClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EsmClass({:#04x})", self.0)
    }
}

impl fmt::Display for EsmClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.message_type() {
            0x00 => "normal",
            0x04 => "delivery receipt",
            0x08 => "delivery ack",
            0x10 => "manual ack",
            0x18 => "conversation abort",
            0x20 => "intermediate notification",
            _ => "reserved type",
        };
        write!(f, "{:#04x} ({kind}, mode {}", self.0, self.mode())?;
        if self.udhi() {
            f.write_str(", UDHI")?;
        }
        if self.0 & Self::REPLY_PATH.0 != 0 {
            f.write_str(", reply path")?;
        }
        f.write_str(")")
    }
}

/// registered_delivery (smpp.md §7). Kept as the wire byte; the consts name the common values.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RegisteredDelivery(pub u8);

impl RegisteredDelivery {
    /// No receipt (bits 1–0 = 0).
    pub const NONE: Self = Self(0x00);
    /// SMSC receipt on final success or failure (bits 1–0 = 1).
    pub const RECEIPT: Self = Self(0x01);
    /// SMSC receipt on failure only (bits 1–0 = 2).
    pub const RECEIPT_ON_FAILURE: Self = Self(0x02);
    /// Intermediate notification requested (mask 0x10).
    pub const INTERMEDIATE: Self = Self(0x10);

    /// The SMSC-receipt bits (0 none, 1 final, 2 failure only, 3 reserved).
    pub fn smsc_receipt(self) -> u8 {
        self.0 & 0x03
    }

    /// The SME-acknowledgement bits, shifted down (0 none, 1 delivery, 2 manual, 3 both).
    pub fn sme_ack(self) -> u8 {
        (self.0 >> 2) & 0x03
    }

    /// True when an intermediate notification is requested.
    pub fn intermediate(self) -> bool {
        self.0 & Self::INTERMEDIATE.0 != 0
    }
}

impl fmt::Debug for RegisteredDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegisteredDelivery({:#04x})", self.0)
    }
}

impl fmt::Display for RegisteredDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let receipt = ["no receipt", "receipt", "receipt on failure", "reserved receipt"][self.smsc_receipt() as usize];
        write!(f, "{:#04x} ({receipt}", self.0)?;
        if self.sme_ack() != 0 {
            write!(f, ", SME ack {}", self.sme_ack())?;
        }
        if self.intermediate() {
            f.write_str(", intermediate")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_print_their_names() {
        assert_eq!(format!("{:?}", CommandId::SUBMIT_SM_RESP), "CommandId::SUBMIT_SM_RESP");
        assert_eq!(CommandId::DATA_SM.to_string(), "data_sm");
        assert_eq!(format!("{:?} {}", Ton::INTERNATIONAL, Npi::ISDN), "Ton::INTERNATIONAL ISDN/E.164");
        assert_eq!(DataCoding::UCS2.to_string(), "UCS2");
        assert_eq!(MessageState::DELIVERED.to_string(), "DELIVERED");
    }

    #[test]
    fn unknown_values_stay_numbers() {
        assert_eq!(format!("{:?}", CommandId(0x0001_0200)), "CommandId(0x00010200)");
        assert_eq!(CommandId(0x0a).to_string(), "unknown 0x0000000a");
        assert_eq!(format!("{:?}", DataCoding(0xf1)), "DataCoding(0xf1)");
        assert_eq!(Ton(7).to_string(), "unknown 7");
        assert_eq!(MessageState(9).name(), None);
    }

    #[test]
    fn command_ids_match_smpp_md_section_3() {
        let table = [
            (CommandId::GENERIC_NACK, 0x8000_0000),
            (CommandId::BIND_RECEIVER, 0x01),
            (CommandId::BIND_TRANSMITTER, 0x02),
            (CommandId::QUERY_SM, 0x03),
            (CommandId::SUBMIT_SM, 0x04),
            (CommandId::DELIVER_SM, 0x05),
            (CommandId::UNBIND, 0x06),
            (CommandId::REPLACE_SM, 0x07),
            (CommandId::CANCEL_SM, 0x08),
            (CommandId::BIND_TRANSCEIVER, 0x09),
            (CommandId::OUTBIND, 0x0B),
            (CommandId::ENQUIRE_LINK, 0x15),
            (CommandId::SUBMIT_MULTI, 0x21),
            (CommandId::ALERT_NOTIFICATION, 0x0102),
            (CommandId::DATA_SM, 0x0103),
        ];
        for (id, value) in table {
            assert_eq!(id.0, value, "{id:?}");
            if id != CommandId::OUTBIND && id != CommandId::ALERT_NOTIFICATION && !id.is_response() {
                assert!(id.response().name().is_some(), "{id:?} has a named response");
            }
        }
    }

    #[test]
    fn responses_have_the_top_bit() {
        assert!(CommandId::GENERIC_NACK.is_response());
        assert!(!CommandId::DATA_SM.is_response());
        assert_eq!(CommandId::SUBMIT_MULTI.response(), CommandId::SUBMIT_MULTI_RESP);
        assert_eq!(CommandId::BIND_TRANSCEIVER.response().0, 0x8000_0009);
    }

    #[test]
    fn esm_class_bits() {
        let esm = EsmClass::SMSC_DELIVERY_RECEIPT.with(EsmClass::UDHI);
        assert_eq!(esm.0, 0x44);
        assert!(esm.is_delivery_receipt() && esm.udhi());
        assert_eq!(esm.to_string(), "0x44 (delivery receipt, mode 0, UDHI)");
        assert!(!EsmClass(0x43).is_delivery_receipt());
        assert_eq!(EsmClass(0x43).mode(), 3);
    }

    #[test]
    fn registered_delivery_bits() {
        let rd = RegisteredDelivery(0x15);
        assert_eq!((rd.smsc_receipt(), rd.sme_ack(), rd.intermediate()), (1, 1, true));
        assert_eq!(rd.to_string(), "0x15 (receipt, SME ack 1, intermediate)");
        assert_eq!(RegisteredDelivery::RECEIPT.to_string(), "0x01 (receipt)");
    }

    #[test]
    fn final_states() {
        assert!(MessageState::DELIVERED.is_final() && MessageState::REJECTED.is_final());
        assert!(!MessageState::ENROUTE.is_final() && !MessageState(0).is_final());
    }
}
