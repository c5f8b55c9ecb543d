//! Optional parameters (smgp.md §7): Tag 2, Length 2, Value, after the mandatory body of
//! Submit and Deliver (and any other PDU that grows them).
//!
//! A TLV list is kept in wire order, known and unknown tags together, so a decoded PDU
//! re-encodes byte for byte. Values of the octet-string tags are kept exactly as sent (padding
//! included); the `Tlv::link_id`-style constructors pad to the spec's size.

use hongyan_wire::open_enum;

use crate::pdu::{check_count, EncodeError};
use hongyan_wire::{DecodeError, Reader, Writer};

open_enum! {
    /// A TLV Tag (smgp.md §7).
    TlvTag(u16), unknown = "{:#06x}" {
        /// 0x0001 TP_pid (1): GSM 03.40 TP-PID.
        TP_PID = 0x0001 => "TP_pid",
        /// 0x0002 TP_udhi (1): bit 0 set when MsgContent starts with a UDH.
        TP_UDHI = 0x0002 => "TP_udhi",
        /// 0x0003 LinkID (20): transaction id of on-demand services.
        LINK_ID = 0x0003 => "LinkID",
        /// 0x0004 ChargeUserType (1): 0 receiver, 1 sender, 2 SP, 3 see ChargeTermID.
        CHARGE_USER_TYPE = 0x0004 => "ChargeUserType",
        /// 0x0005 ChargeTermType (1): 0 real number, 1 pseudo.
        CHARGE_TERM_TYPE = 0x0005 => "ChargeTermType",
        /// 0x0006 ChargeTermPseudo (var): pseudo code of the charged user.
        CHARGE_TERM_PSEUDO = 0x0006 => "ChargeTermPseudo",
        /// 0x0007 DestTermType (1): 0 real, 1 pseudo.
        DEST_TERM_TYPE = 0x0007 => "DestTermType",
        /// 0x0008 DestTermPseudo (var): receivers' pseudo codes, all the same length.
        DEST_TERM_PSEUDO = 0x0008 => "DestTermPseudo",
        /// 0x0009 PkTotal (1): segments with the same MsgID.
        PK_TOTAL = 0x0009 => "PkTotal",
        /// 0x000A PkNumber (1): segment index, from 1.
        PK_NUMBER = 0x000A => "PkNumber",
        /// 0x000B SubmitMsgType (1): 0 normal, 1–5 subscription and fee notices.
        SUBMIT_MSG_TYPE = 0x000B => "SubmitMsgType",
        /// 0x000C SPDealResult (1): 0 success, 1 failure.
        SP_DEAL_RESULT = 0x000C => "SPDealResult",
        /// 0x000D SrcTermType (1): 0 real, 1 pseudo.
        SRC_TERM_TYPE = 0x000D => "SrcTermType",
        /// 0x000E SrcTermPseudo (var): sender pseudo code.
        SRC_TERM_PSEUDO = 0x000E => "SrcTermPseudo",
        /// 0x000F NodesCount (1): gateways passed, from 1.
        NODES_COUNT = 0x000F => "NodesCount",
        /// 0x0010 MsgSrc (8): content source (SP service or enterprise code).
        MSG_SRC = 0x0010 => "MsgSrc",
        /// 0x0011 SrcType (1): source number type given to the SP, 0 real, 1 pseudo.
        SRC_TYPE = 0x0011 => "SrcType",
        /// 0x0012 MServiceID (21): mobile-network service code (product id).
        MSERVICE_ID = 0x0012 => "MServiceID",
    }
}

impl TlvTag {
    /// The value size smgp.md §7 gives the tag, `None` for variable-size and unknown tags.
    pub fn value_size(self) -> Option<usize> {
        match self {
            Self::LINK_ID => Some(20),
            Self::MSG_SRC => Some(8),
            Self::MSERVICE_ID => Some(21),
            Self::CHARGE_TERM_PSEUDO | Self::DEST_TERM_PSEUDO | Self::SRC_TERM_PSEUDO => None,
            tag if tag.name().is_some() => Some(1),
            _ => None,
        }
    }
}

/// Declares [`Tlv`]: one variant per known tag, with its `tag()`, `value()` and decoding.
macro_rules! tlv_enum {
    (
        integers { $( $(#[$imeta:meta])* $ivar:ident = $itag:ident, )* }
        octets { $( $(#[$ometa:meta])* $ovar:ident = $otag:ident, )* }
    ) => {
        /// One optional parameter. Integer tags hold their 1-byte value; octet-string tags hold
        /// the value bytes exactly as on the wire.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Tlv {
            $( $(#[$imeta])* $ivar(u8), )*
            $( $(#[$ometa])* $ovar(Vec<u8>), )*
            /// A tag this crate does not know (vendor extensions), kept as it came. Known tags
            /// always decode to their own variant, never to this one.
            Other {
                /// The Tag.
                tag: TlvTag,
                /// The Value.
                value: Vec<u8>,
            },
        }

        impl Tlv {
            /// The Tag this parameter is sent with.
            pub fn tag(&self) -> TlvTag {
                match self {
                    $( Self::$ivar(_) => TlvTag::$itag, )*
                    $( Self::$ovar(_) => TlvTag::$otag, )*
                    Self::Other { tag, .. } => *tag,
                }
            }

            /// The Value bytes.
            pub fn value(&self) -> &[u8] {
                match self {
                    $( Self::$ivar(v) => std::slice::from_ref(v), )*
                    $( Self::$ovar(v) => v, )*
                    Self::Other { value, .. } => value,
                }
            }

            /// Builds the parameter from its wire Tag and Value. A known integer tag whose
            /// Length is not 1 is a structure error: its value cannot be read.
            fn from_wire(tag: TlvTag, value: &[u8]) -> Result<Self, DecodeError> {
                Ok(match tag {
                    $( TlvTag::$itag => Self::$ivar(single_byte(value)?), )*
                    $( TlvTag::$otag => Self::$ovar(value.to_vec()), )*
                    _ => Self::Other { tag, value: value.to_vec() },
                })
            }
        }
    };
}

tlv_enum! {
    integers {
        /// TP_pid (0x0001).
        TpPid = TP_PID,
        /// TP_udhi (0x0002): 1 when MsgContent starts with a UDH.
        TpUdhi = TP_UDHI,
        /// ChargeUserType (0x0004).
        ChargeUserType = CHARGE_USER_TYPE,
        /// ChargeTermType (0x0005).
        ChargeTermType = CHARGE_TERM_TYPE,
        /// DestTermType (0x0007).
        DestTermType = DEST_TERM_TYPE,
        /// PkTotal (0x0009).
        PkTotal = PK_TOTAL,
        /// PkNumber (0x000A).
        PkNumber = PK_NUMBER,
        /// SubmitMsgType (0x000B).
        SubmitMsgType = SUBMIT_MSG_TYPE,
        /// SPDealResult (0x000C).
        SpDealResult = SP_DEAL_RESULT,
        /// SrcTermType (0x000D).
        SrcTermType = SRC_TERM_TYPE,
        /// NodesCount (0x000F).
        NodesCount = NODES_COUNT,
        /// SrcType (0x0011).
        SrcType = SRC_TYPE,
    }
    octets {
        /// LinkID (0x0003), 20 bytes by the spec.
        LinkId = LINK_ID,
        /// ChargeTermPseudo (0x0006), variable.
        ChargeTermPseudo = CHARGE_TERM_PSEUDO,
        /// DestTermPseudo (0x0008), variable.
        DestTermPseudo = DEST_TERM_PSEUDO,
        /// SrcTermPseudo (0x000E), variable.
        SrcTermPseudo = SRC_TERM_PSEUDO,
        /// MsgSrc (0x0010), 8 bytes by the spec.
        MsgSrc = MSG_SRC,
        /// MServiceID (0x0012), 21 bytes by the spec.
        MServiceId = MSERVICE_ID,
    }
}

/// The one byte of an integer TLV.
fn single_byte(value: &[u8]) -> Result<u8, DecodeError> {
    match value {
        [b] => Ok(*b),
        _ => Err(DecodeError::Invalid { field: "TLV Length", reason: "an integer TLV must be 1 byte long" }),
    }
}

/// `value` left-aligned and NUL-padded to `size` (left as it is when longer, which
/// [`Tlvs::validate`] then refuses).
fn padded(value: &[u8], size: usize) -> Vec<u8> {
    let mut out = value.to_vec();
    if out.len() < size {
        out.resize(size, 0);
    }
    out
}

impl Tlv {
    /// LinkID padded to its 20 bytes.
    pub fn link_id(id: &[u8]) -> Self {
        Self::LinkId(padded(id, 20))
    }

    /// MsgSrc padded to its 8 bytes.
    pub fn msg_src(code: &[u8]) -> Self {
        Self::MsgSrc(padded(code, 8))
    }

    /// MServiceID padded to its 21 bytes.
    pub fn mservice_id(code: &[u8]) -> Self {
        Self::MServiceId(padded(code, 21))
    }

    /// Bytes on the wire: Tag, Length, Value.
    pub fn encoded_len(&self) -> usize {
        4 + self.value().len()
    }
}

/// The TLVs of one PDU, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tlvs(pub Vec<Tlv>);

impl Tlvs {
    /// No TLVs.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first parameter with `tag`.
    pub fn get(&self, tag: TlvTag) -> Option<&Tlv> {
        self.0.iter().find(|t| t.tag() == tag)
    }

    /// The raw Value of the first parameter with `tag`.
    pub fn value(&self, tag: TlvTag) -> Option<&[u8]> {
        self.get(tag).map(Tlv::value)
    }

    /// Replaces the first parameter with the same tag, or appends `tlv`.
    pub fn set(&mut self, tlv: Tlv) {
        match self.0.iter_mut().find(|t| t.tag() == tlv.tag()) {
            Some(slot) => *slot = tlv,
            None => self.0.push(tlv),
        }
    }

    /// TP_udhi, when present.
    pub fn tp_udhi(&self) -> Option<u8> {
        self.byte(TlvTag::TP_UDHI)
    }

    /// PkTotal, when present.
    pub fn pk_total(&self) -> Option<u8> {
        self.byte(TlvTag::PK_TOTAL)
    }

    /// PkNumber, when present.
    pub fn pk_number(&self) -> Option<u8> {
        self.byte(TlvTag::PK_NUMBER)
    }

    /// LinkID without its NUL padding, when present.
    pub fn link_id(&self) -> Option<&[u8]> {
        self.value(TlvTag::LINK_ID).map(|v| v.split(|&b| b == 0).next().unwrap_or(v))
    }

    /// The value of a 1-byte parameter.
    fn byte(&self, tag: TlvTag) -> Option<u8> {
        match self.value(tag)? {
            [b] => Some(*b),
            _ => None,
        }
    }

    /// Bytes on the wire.
    pub fn encoded_len(&self) -> usize {
        self.0.iter().map(Tlv::encoded_len).sum()
    }

    /// Checks every Value fits its 16-bit Length and the octet-string tags their spec size,
    /// so that what is encoded is what the peer reads.
    pub fn validate(&self) -> Result<(), EncodeError> {
        for tlv in &self.0 {
            let max = tlv.tag().value_size().filter(|_| !matches!(tlv, Tlv::Other { .. }));
            check_count("TLV Value", tlv.value().len(), max.unwrap_or(usize::from(u16::MAX)))?;
        }
        Ok(())
    }

    /// Reads TLVs up to the end of the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = Vec::new();
        while r.left() > 0 {
            let tag = TlvTag(r.u16("TLV Tag")?);
            let len = r.u16("TLV Length")?;
            let value = r.bytes("TLV Value", len.into())?;
            out.push(Tlv::from_wire(tag, value)?);
        }
        Ok(Self(out))
    }

    /// Writes the TLVs. A Value over 65535 bytes (refused by [`Tlvs::validate`]) is cut so
    /// the Length always matches.
    pub(crate) fn encode(&self, w: &mut Writer) {
        for tlv in &self.0 {
            let value = tlv.value();
            let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
            w.u16(tlv.tag().0).u16(len).bytes(&value[..usize::from(len)]);
        }
    }
}

impl From<Vec<Tlv>> for Tlvs {
    fn from(tlvs: Vec<Tlv>) -> Self {
        Self(tlvs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    fn decode(bytes: &[u8]) -> Result<Tlvs, DecodeError> {
        let mut r = Reader::new(bytes);
        let tlvs = Tlvs::decode(&mut r)?;
        r.finish()?;
        Ok(tlvs)
    }

    fn encode(tlvs: &Tlvs) -> Vec<u8> {
        let mut w = Writer::default();
        tlvs.encode(&mut w);
        w.into_vec()
    }

    #[test]
    fn known_and_unknown_tags_keep_their_order() {
        let bytes =
            hex("0009 0001 03  abcd 0003 010203  000a 0001 01  0003 0014 6c696e6b 00000000000000000000000000000000");
        let tlvs = decode(&bytes).unwrap();
        assert_eq!(tlvs.0.len(), 4);
        assert_eq!(tlvs.0[0], Tlv::PkTotal(3));
        assert_eq!(tlvs.0[1], Tlv::Other { tag: TlvTag(0xabcd), value: vec![1, 2, 3] });
        assert_eq!(tlvs.0[2], Tlv::PkNumber(1));
        assert_eq!(tlvs.0[3], Tlv::link_id(b"link"));
        assert_eq!((tlvs.pk_total(), tlvs.pk_number(), tlvs.tp_udhi()), (Some(3), Some(1), None));
        assert_eq!(tlvs.link_id(), Some(&b"link"[..]));
        assert_eq!(encode(&tlvs), bytes);
        assert_eq!(tlvs.encoded_len(), bytes.len());
    }

    #[test]
    fn short_octet_values_are_kept_as_sent() {
        // A LinkID sent without padding stays 3 bytes long on re-encode.
        let bytes = hex("0003 0003 616263");
        let tlvs = decode(&bytes).unwrap();
        assert_eq!(tlvs.0, [Tlv::LinkId(b"abc".to_vec())]);
        assert_eq!(encode(&tlvs), bytes);
    }

    #[test]
    fn bad_lengths_are_errors() {
        // An integer tag with Length 2.
        assert!(matches!(decode(&hex("0009 0002 0102")), Err(DecodeError::Invalid { .. })));
        // Value shorter than Length, and a dangling half header.
        assert!(matches!(decode(&hex("0003 0014 6162")), Err(DecodeError::Truncated { .. })));
        assert!(matches!(decode(&hex("0009 00")), Err(DecodeError::Truncated { .. })));
        assert!(matches!(decode(&hex("00")), Err(DecodeError::Truncated { .. })));
    }

    #[test]
    fn set_replaces_in_place() {
        let mut tlvs = Tlvs::from(vec![Tlv::TpUdhi(0), Tlv::PkTotal(1)]);
        tlvs.set(Tlv::TpUdhi(1));
        tlvs.set(Tlv::PkNumber(1));
        assert_eq!(tlvs.0, [Tlv::TpUdhi(1), Tlv::PkTotal(1), Tlv::PkNumber(1)]);
        assert_eq!(tlvs.get(TlvTag::PK_NUMBER), Some(&Tlv::PkNumber(1)));
    }

    #[test]
    fn validate_checks_spec_sizes() {
        assert_eq!(Tlvs::from(vec![Tlv::mservice_id(b"1234567890")]).validate(), Ok(()));
        let long = Tlvs::from(vec![Tlv::link_id(&[b'1'; 21])]);
        assert!(matches!(long.validate(), Err(EncodeError::TooLong { len: 21, max: 20, .. })));
        let huge = Tlvs::from(vec![Tlv::Other { tag: TlvTag(0x7777), value: vec![0; 65_536] }]);
        assert!(huge.validate().is_err());
        // The cut keeps the frame well formed even if validation was skipped.
        assert_eq!(encode(&huge).len(), 4 + 65_535);
    }

    #[test]
    fn tags_print_readably() {
        assert_eq!(TlvTag::SP_DEAL_RESULT.to_string(), "SPDealResult");
        assert_eq!(format!("{:?}", TlvTag(0x1234)), "TlvTag(0x1234)");
        assert_eq!(TlvTag::MSG_SRC.value_size(), Some(8));
        assert_eq!(TlvTag::NODES_COUNT.value_size(), Some(1));
        assert_eq!(TlvTag::DEST_TERM_PSEUDO.value_size(), None);
        assert_eq!(TlvTag(0x99).value_size(), None);
    }
}
