//! The 10-byte BCD MsgID (smgp.md §9): SMGW code, time and a sequence, two decimal digits a
//! byte.
//!
//! Callers should treat a MsgID from a peer as an opaque 10-byte key; the layout matters when
//! we are the SMGW (the simulator) and have to mint them, and for group sends, where one
//! Submit_Resp MsgID stands for n consecutive ids.

use std::fmt;
use std::str::FromStr;

/// A MsgID as it is on the wire. Its text form is the 20 hex digits of the bytes, which for
/// a well-formed id are the 20 decimal digits of its BCD fields.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MsgId(pub [u8; 10]);

/// The fields of a MsgID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsgIdParts {
    /// SMGW code (6 digits): 3-digit area code, 2-digit device type (`06` = SMGW), 1-digit
    /// index; e.g. 010061.
    pub gateway: u32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Sequence, 000000–999999, wrapping.
    pub sequence: u32,
}

/// Why a text MsgID was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseMsgIdError {
    /// The text is not 20 characters long.
    #[error("a MsgID is 20 hex digits, got {0} characters")]
    Length(usize),
    /// A character is not a hex digit.
    #[error("a MsgID is 20 hex digits, found a non-hex character")]
    NotHex,
}

/// Sequences wrap at one million (6 digits).
const SEQUENCE_MODULUS: u32 = 1_000_000;

impl MsgId {
    /// Packs `parts` as BCD. Each field is reduced modulo its number of digits first, so an
    /// out-of-range value cannot spill into its neighbour and make an id that reads back as a
    /// different time or gateway.
    pub fn new(parts: MsgIdParts) -> Self {
        let mut out = [0u8; 10];
        put_bcd(&mut out[0..3], parts.gateway);
        let time = [parts.month, parts.day, parts.hour, parts.minute];
        for (slot, value) in out[3..7].iter_mut().zip(time) {
            put_bcd(std::slice::from_mut(slot), value.into());
        }
        put_bcd(&mut out[7..10], parts.sequence);
        Self(out)
    }

    /// Unpacks the fields; `None` when a nibble is not a decimal digit (an id minted by a
    /// gateway that does not follow the layout, still fine as an opaque key).
    pub fn parts(&self) -> Option<MsgIdParts> {
        let b = &self.0;
        let two = |i: usize| get_bcd(&b[i..=i]).map(|v| v as u8);
        Some(MsgIdParts {
            gateway: get_bcd(&b[0..3])?,
            month: two(3)?,
            day: two(4)?,
            hour: two(5)?,
            minute: two(6)?,
            sequence: get_bcd(&b[7..10])?,
        })
    }

    /// The id of recipient `n` (0-based) of a group Submit whose Submit_Resp carried `self`:
    /// the sequence part plus `n`, wrapping within 000000–999999 (smgp.md §6). `None` when
    /// the sequence part is not BCD.
    pub fn nth(self, n: u32) -> Option<Self> {
        let seq = get_bcd(&self.0[7..10])?;
        let mut out = self.0;
        put_bcd(&mut out[7..10], (seq + n % SEQUENCE_MODULUS) % SEQUENCE_MODULUS);
        Some(Self(out))
    }
}

/// Writes the low `2 × out.len()` decimal digits of `value` into `out`, two a byte.
fn put_bcd(out: &mut [u8], mut value: u32) {
    for byte in out.iter_mut().rev() {
        let low = (value % 10) as u8;
        let high = ((value / 10) % 10) as u8;
        *byte = (high << 4) | low;
        value /= 100;
    }
}

/// Reads BCD digits as a number; `None` when a nibble is over 9.
fn get_bcd(bytes: &[u8]) -> Option<u32> {
    bytes.iter().flat_map(|b| [b >> 4, b & 0x0f]).try_fold(0u32, |acc, d| (d <= 9).then(|| acc * 10 + u32::from(d)))
}

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MsgId({self})")
    }
}

impl FromStr for MsgId {
    type Err = ParseMsgIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.as_bytes();
        if digits.len() != 20 {
            return Err(ParseMsgIdError::Length(s.chars().count()));
        }
        let mut out = [0u8; 10];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| ParseMsgIdError::NotHex)?;
            if !pair.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(ParseMsgIdError::NotHex);
            }
            *byte = u8::from_str_radix(pair, 16).map_err(|_| ParseMsgIdError::NotHex)?;
        }
        Ok(Self(out))
    }
}

impl From<[u8; 10]> for MsgId {
    fn from(bytes: [u8; 10]) -> Self {
        Self(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// smgp.md §9: SMGW 010061, 01-16 17:00, sequence 012345.
    fn spec_parts() -> MsgIdParts {
        MsgIdParts { gateway: 10_061, month: 1, day: 16, hour: 17, minute: 0, sequence: 12_345 }
    }

    #[test]
    fn spec_example() {
        let id = MsgId::new(spec_parts());
        assert_eq!(id.0, [0x01, 0x00, 0x61, 0x01, 0x16, 0x17, 0x00, 0x01, 0x23, 0x45]);
        assert_eq!(id.parts(), Some(spec_parts()));
        assert_eq!(id.to_string(), "01006101161700012345");
        assert_eq!(format!("{id:?}"), "MsgId(01006101161700012345)");
        assert_eq!("01006101161700012345".parse::<MsgId>(), Ok(id));
    }

    #[test]
    fn text_form_round_trips_any_bytes() {
        let odd = MsgId([0xff, 0xab, 0, 1, 2, 3, 4, 5, 6, 0xc0]);
        assert_eq!(odd.to_string(), "ffab00010203040506c0");
        assert_eq!(odd.to_string().parse::<MsgId>(), Ok(odd));
        assert_eq!("FFAB00010203040506C0".parse::<MsgId>(), Ok(odd));
        assert_eq!(odd.parts(), None, "not BCD");
        assert_eq!("0100".parse::<MsgId>(), Err(ParseMsgIdError::Length(4)));
        assert_eq!("0100610116170001234g".parse::<MsgId>(), Err(ParseMsgIdError::NotHex));
        assert_eq!("+1006101161700012345".parse::<MsgId>(), Err(ParseMsgIdError::NotHex));
    }

    #[test]
    fn out_of_range_fields_do_not_bleed() {
        let parts = MsgIdParts { gateway: 1_999_999, month: 112, sequence: 2_000_001, ..spec_parts() };
        let back = MsgId::new(parts).parts().unwrap();
        assert_eq!((back.gateway, back.month, back.day, back.sequence), (999_999, 12, 16, 1));
    }

    #[test]
    fn group_ids_wrap_in_the_sequence() {
        let first = MsgId::new(MsgIdParts { sequence: 999_998, ..spec_parts() });
        assert_eq!(first.nth(0), Some(first));
        assert_eq!(first.nth(1).unwrap().parts().unwrap().sequence, 999_999);
        let wrapped = first.nth(3).unwrap().parts().unwrap();
        assert_eq!((wrapped.sequence, wrapped.gateway, wrapped.hour), (1, 10_061, 17));
        assert_eq!(MsgId([0xff; 10]).nth(1), None);
    }
}
