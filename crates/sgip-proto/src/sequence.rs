//! The 12-byte Sequence Number (sgip.md §3): node id, time, counter.

use hongyan_wire::{DecodeError, Reader, Writer};
use std::fmt;

/// A command's Sequence Number: three big-endian `u32`s, in this order.
///
/// The triple is unique per command and is SGIP's only message key: a response repeats its
/// request's sequence, and a [`crate::pdu::Report`] names the Submit it is about by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sequence {
    /// Node id of the node that generated the command (SP: `3AAAAQQQQQ`, SMG: `1AAAAX`),
    /// assigned by the operator.
    pub node_id: u32,
    /// When it was generated, as the decimal number `mmddhhmmss` (see [`mmddhhmmss`]).
    pub time: u32,
    /// Per-command counter from 0, wrapping to 0 when full.
    pub counter: u32,
}

impl Sequence {
    /// Size on the wire.
    pub const LEN: usize = 12;

    /// Reads the three integers.
    pub(crate) fn decode(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        let bytes: [u8; 12] = r.array(field)?;
        let at = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        Ok(Self { node_id: at(0), time: at(4), counter: at(8) })
    }

    /// Writes the three integers.
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.node_id).u32(self.time).u32(self.counter);
    }
}

/// The spec's text form (HTTP annex): the three decimal values simply concatenated, e.g.
/// node 205502, time 327125025, counter 327 → `205502327125025327`. It cannot be split back
/// unambiguously, so it is for logs and the HTTP bearer, not for keys.
impl fmt::Display for Sequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.node_id, self.time, self.counter)
    }
}

/// The Sequence Number's time field for a wall-clock moment, e.g. 11-20 20:32:25 →
/// 1120203225. The caller supplies the fields (Beijing time by convention): this crate never
/// reads a clock. Out-of-range fields are not checked; they only make the number odd.
pub const fn mmddhhmmss(month: u32, day: u32, hour: u32, minute: u32, second: u32) -> u32 {
    (((month * 100 + day) * 100 + hour) * 100 + minute) * 100 + second
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_time_example() {
        assert_eq!(mmddhhmmss(11, 20, 20, 32, 25), 1_120_203_225);
        assert_eq!(mmddhhmmss(3, 27, 12, 50, 25), 327_125_025);
        assert_eq!(mmddhhmmss(12, 31, 23, 59, 59), 1_231_235_959);
    }

    #[test]
    fn spec_text_example() {
        let seq = Sequence { node_id: 205_502, time: mmddhhmmss(3, 27, 12, 50, 25), counter: 327 };
        assert_eq!(seq.to_string(), "205502327125025327");
    }

    #[test]
    fn wire_form_is_three_big_endian_integers() {
        let seq = Sequence { node_id: 3_010_099_999, time: 1_120_203_225, counter: 0x0102_0304 };
        let mut w = Writer::default();
        seq.encode(&mut w);
        let bytes = w.into_vec();
        assert_eq!(bytes, [0xb3, 0x6a, 0x7b, 0x1f, 0x42, 0xc4, 0xf1, 0xd9, 1, 2, 3, 4]);
        let mut r = Reader::new(&bytes);
        assert_eq!(Sequence::decode(&mut r, "Sequence Number"), Ok(seq));
        assert!(Sequence::decode(&mut Reader::new(&bytes[..11]), "Sequence Number").is_err());
    }
}
