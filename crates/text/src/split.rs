//! Cutting a message into segments (segmentation.md §1–§3).
//!
//! The text is encoded once; the encoded bytes are then cut greedily at the per-segment
//! capacity, one indivisible unit at a time (a GSM escape pair, a UTF-16 surrogate pair, a GBK
//! double-byte character), so a cut never separates one. A message that fits the single
//! capacity is one segment without UDH.

use std::ops::Range;

use crate::udh::{concat_udh16, concat_udh8};
use crate::{Encoding, TextError, MAX_SEGMENTS};

/// The most octets one SMPP `message_payload` TLV can hold (its length field is 16 bits).
pub const MAX_PAYLOAD_OCTETS: usize = 65_535;

/// How the segments of a long message are tied together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Concat {
    /// A 6-octet UDH with an 8-bit reference in every segment: 153 septets, 134 octets or
    /// 67 UCS-2 units each.
    Udh8 {
        /// Identical in all segments of the message; a modulo-256 counter.
        reference: u8,
    },
    /// A 7-octet UDH with a 16-bit reference in every segment: 152 septets, 133 octets or
    /// 66 UCS-2 units each.
    Udh16 {
        /// Identical in all segments of the message; a modulo-65536 counter.
        reference: u16,
    },
    /// SMPP `sar_msg_ref_num` / `sar_total_segments` / `sar_segment_seqnum` TLVs, no UDH in the
    /// payload. Segments are sized as for [`Concat::Udh16`]: the SMSC turns the TLVs into a UDH
    /// before delivery, and a 16-bit reference may need the 7-octet one.
    Sar {
        /// Goes into `sar_msg_ref_num`.
        reference: u16,
    },
    /// One segment of any length (up to [`MAX_PAYLOAD_OCTETS`]), for SMPP `message_payload`;
    /// the SMSC does the cutting.
    Payload,
}

impl Concat {
    /// The reference segments carry (0 for [`Concat::Payload`]).
    pub fn reference(self) -> u16 {
        match self {
            Self::Udh8 { reference } => u16::from(reference),
            Self::Udh16 { reference } | Self::Sar { reference } => reference,
            Self::Payload => 0,
        }
    }

    /// Payload bytes per segment of a long message in `encoding`; `None` for
    /// [`Concat::Payload`], which has no segments.
    pub fn part_limit(self, encoding: Encoding) -> Option<usize> {
        let limits = encoding.limits();
        match self {
            Self::Udh8 { .. } => Some(limits.udh8),
            Self::Udh16 { .. } | Self::Sar { .. } => Some(limits.udh16),
            Self::Payload => None,
        }
    }
}

/// One segment ready for a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1-based position (CMPP `Pk_number`, SMPP `sar_segment_seqnum`).
    pub number: u8,
    /// Segments in the message (CMPP `Pk_total`, SMPP `sar_total_segments`).
    pub total: u8,
    /// The concatenation reference (SMPP `sar_msg_ref_num`); the same in every segment.
    pub reference: u16,
    /// True when `payload` begins with a concatenation UDH: set TP-UDHI / `esm_class` 0x40.
    /// False for a single segment, for [`Concat::Sar`] and for [`Concat::Payload`].
    pub udh: bool,
    /// Encoded bytes, UDH first when `udh`.
    pub payload: Vec<u8>,
}

/// Encodes `text` and cuts it into segments.
///
/// Errors: a character `encoding` cannot carry; more than 255 segments; over
/// [`MAX_PAYLOAD_OCTETS`] with [`Concat::Payload`].
pub fn split(text: &str, encoding: Encoding, concat: Concat) -> Result<Vec<Segment>, TextError> {
    let bytes = encoding.encode(text)?;
    let ranges = plan(&bytes, encoding, concat)?;
    Ok(build(&bytes, ranges, concat))
}

/// Cuts 8-bit binary data (each byte one unit, capacities of 8-bit data).
pub fn split_bytes(data: &[u8], concat: Concat) -> Result<Vec<Segment>, TextError> {
    let ranges = plan(data, Encoding::Latin1, concat)?;
    Ok(build(data, ranges, concat))
}

/// How many segments [`split`] would make, without building them.
pub fn count(text: &str, encoding: Encoding, concat: Concat) -> Result<usize, TextError> {
    let bytes = encoding.encode(text)?;
    Ok(plan(&bytes, encoding, concat)?.len())
}

/// Byte ranges of each segment's content, checked against the protocol limits.
fn plan(bytes: &[u8], encoding: Encoding, concat: Concat) -> Result<Vec<Range<usize>>, TextError> {
    let Some(per_part) = concat.part_limit(encoding) else {
        if bytes.len() > MAX_PAYLOAD_OCTETS {
            return Err(TextError::PayloadTooLong { octets: bytes.len() });
        }
        return Ok(whole(bytes));
    };
    let ranges = cut(bytes, encoding, encoding.limits().single, per_part);
    if ranges.len() > MAX_SEGMENTS {
        return Err(TextError::TooManySegments { needed: ranges.len() });
    }
    Ok(ranges)
}

/// Greedy cut: one range if everything fits `single`, else ranges of at most `per_part` bytes
/// that end only between units. No limit on the number of ranges.
pub(crate) fn cut(bytes: &[u8], encoding: Encoding, single: usize, per_part: usize) -> Vec<Range<usize>> {
    if bytes.len() <= single {
        return whole(bytes);
    }
    let mut ranges = Vec::with_capacity(bytes.len() / per_part + 1);
    let (mut start, mut end) = (0, 0);
    while end < bytes.len() {
        let unit = encoding.unit_len(bytes, end);
        // `end > start`: a unit wider than a segment (impossible with real capacities) still
        // makes progress instead of looping.
        if end + unit - start > per_part && end > start {
            ranges.push(start..end);
            start = end;
        }
        end += unit;
    }
    ranges.push(start..end);
    ranges
}

/// One range over all of `bytes`. (Not `vec![0..len]`, which reads like a vector of indices.)
fn whole(bytes: &[u8]) -> Vec<Range<usize>> {
    std::iter::once(0..bytes.len()).collect()
}

/// Segments for `ranges` of `bytes`; at most 255 ranges (checked by the caller).
pub(crate) fn build(bytes: &[u8], ranges: Vec<Range<usize>>, concat: Concat) -> Vec<Segment> {
    let total = ranges.len() as u8;
    let reference = concat.reference();
    ranges
        .into_iter()
        .zip(1..=u8::MAX)
        .map(|(range, number)| {
            let header: &[u8] = match concat {
                _ if total == 1 => &[],
                Concat::Udh8 { reference } => &concat_udh8(reference, total, number),
                Concat::Udh16 { reference } => &concat_udh16(reference, total, number),
                Concat::Sar { .. } | Concat::Payload => &[],
            };
            let mut payload = Vec::with_capacity(header.len() + range.len());
            payload.extend_from_slice(header);
            payload.extend_from_slice(&bytes[range]);
            Segment { number, total, reference, udh: !header.is_empty(), payload }
        })
        .collect()
}

#[cfg(test)]
mod tests;
