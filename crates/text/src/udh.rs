//! User data headers (TS 23.040 §9.2.3.24, segmentation.md §2): parse, build, and the
//! concatenation information elements with their receiver rules.
//!
//! A UDH is the UDHL octet followed by information elements (IEI, IEDL, data). Elements other
//! than concatenation (port addressing, language shift, carrier-specific ones) are kept as
//! they are so a caller can act on them or pass them on.

use crate::TextError;

/// An information element identifier. Open: unknown values parse and are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Iei(pub u8);

impl Iei {
    /// Concatenated short message, 8-bit reference.
    pub const CONCAT_8BIT: Self = Self(0x00);
    /// Application port addressing, 8-bit ports.
    pub const APP_PORT_8BIT: Self = Self(0x04);
    /// Application port addressing, 16-bit ports.
    pub const APP_PORT_16BIT: Self = Self(0x05);
    /// Concatenated short message, 16-bit reference.
    pub const CONCAT_16BIT: Self = Self(0x08);
    /// National language single shift.
    pub const NATIONAL_SINGLE_SHIFT: Self = Self(0x24);
    /// National language locking shift.
    pub const NATIONAL_LOCKING_SHIFT: Self = Self(0x25);
}

/// One information element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformationElement {
    /// What it is.
    pub iei: Iei,
    /// Its data (IEDL octets).
    pub data: Vec<u8>,
}

/// A parsed user data header: its elements in wire order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Udh {
    /// The information elements, unknown ones included.
    pub elements: Vec<InformationElement>,
}

/// The concatenation element's content: which message a segment belongs to and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConcatInfo {
    /// Reference shared by all segments (0–255 for the 8-bit element).
    pub reference: u16,
    /// Segments in the message, 1–255.
    pub total: u8,
    /// This segment's number, 1 to `total`.
    pub number: u8,
    /// True for the 16-bit-reference element (IEI 0x08), false for IEI 0x00.
    pub wide: bool,
}

impl Udh {
    /// Splits user data that starts with a UDH into the header and the rest.
    ///
    /// Errors when the UDHL points past the data or an element overruns the header; a caller
    /// that gets one may treat the whole user data as text.
    pub fn parse(user_data: &[u8]) -> Result<(Self, &[u8]), TextError> {
        let Some((&udhl, rest)) = user_data.split_first() else {
            return Err(TextError::UdhTruncated { declared: 0, available: 0 });
        };
        let declared = usize::from(udhl);
        if declared > rest.len() {
            return Err(TextError::UdhTruncated { declared, available: rest.len() });
        }
        let (header, body) = rest.split_at(declared);
        Ok((Self { elements: parse_elements(header)? }, body))
    }

    /// Wire bytes: UDHL then each element.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0];
        for element in &self.elements {
            out.push(element.iei.0);
            out.push(element.data.len() as u8);
            out.extend_from_slice(&element.data);
        }
        out[0] = (out.len() - 1) as u8;
        out
    }

    /// The concatenation information, following TS 23.040: an element with total 0, number
    /// 0 or number > total (or the wrong length) is ignored; if several valid ones are
    /// present, the last one counts.
    pub fn concat(&self) -> Option<ConcatInfo> {
        self.elements.iter().rev().find_map(ConcatInfo::from_element)
    }

    /// The same header without concatenation elements: what the reassembled message keeps.
    pub fn without_concat(&self) -> Self {
        let keep = |e: &&InformationElement| e.iei != Iei::CONCAT_8BIT && e.iei != Iei::CONCAT_16BIT;
        Self { elements: self.elements.iter().filter(keep).cloned().collect() }
    }
}

fn parse_elements(mut header: &[u8]) -> Result<Vec<InformationElement>, TextError> {
    let mut elements = Vec::new();
    let mut offset = 0;
    while let [iei, rest @ ..] = header {
        let Some((&len, rest)) = rest.split_first() else {
            return Err(TextError::UdhElementOverrun { iei: *iei, offset });
        };
        let len = usize::from(len);
        if len > rest.len() {
            return Err(TextError::UdhElementOverrun { iei: *iei, offset });
        }
        elements.push(InformationElement { iei: Iei(*iei), data: rest[..len].to_vec() });
        header = &rest[len..];
        offset += 2 + len;
    }
    Ok(elements)
}

impl ConcatInfo {
    /// Reads a concatenation element, applying the receiver rules; `None` for other elements
    /// and for ones the rules say to ignore.
    pub fn from_element(element: &InformationElement) -> Option<Self> {
        let (reference, total, number, wide) = match (element.iei, element.data.as_slice()) {
            (Iei::CONCAT_8BIT, &[reference, total, number]) => (u16::from(reference), total, number, false),
            (Iei::CONCAT_16BIT, &[hi, lo, total, number]) => (u16::from_be_bytes([hi, lo]), total, number, true),
            _ => return None,
        };
        let valid = total != 0 && number != 0 && number <= total;
        valid.then_some(Self { reference, total, number, wide })
    }

    /// The element for this information: IEI 0x08 when `wide`, else IEI 0x00 with the low
    /// byte of the reference.
    pub fn to_element(&self) -> InformationElement {
        let data = if self.wide {
            let [hi, lo] = self.reference.to_be_bytes();
            vec![hi, lo, self.total, self.number]
        } else {
            vec![self.reference as u8, self.total, self.number]
        };
        InformationElement { iei: if self.wide { Iei::CONCAT_16BIT } else { Iei::CONCAT_8BIT }, data }
    }
}

/// The 6-octet UDH with an 8-bit reference: `05 00 03 reference total number`.
pub fn concat_udh8(reference: u8, total: u8, number: u8) -> [u8; 6] {
    [0x05, 0x00, 0x03, reference, total, number]
}

/// The 7-octet UDH with a 16-bit reference, most significant byte first:
/// `06 08 04 refHi refLo total number`.
pub fn concat_udh16(reference: u16, total: u8, number: u8) -> [u8; 7] {
    let [hi, lo] = reference.to_be_bytes();
    [0x06, 0x08, 0x04, hi, lo, total, number]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(reference: u16, total: u8, number: u8, wide: bool) -> ConcatInfo {
        ConcatInfo { reference, total, number, wide }
    }

    #[test]
    fn built_headers_match_the_spec_examples() {
        assert_eq!(concat_udh8(0x2A, 3, 1), [0x05, 0x00, 0x03, 0x2A, 0x03, 0x01]);
        assert_eq!(concat_udh8(0x2A, 3, 2), [0x05, 0x00, 0x03, 0x2A, 0x03, 0x02]);
        assert_eq!(concat_udh8(0x2A, 3, 3), [0x05, 0x00, 0x03, 0x2A, 0x03, 0x03]);
        assert_eq!(concat_udh16(0x1234, 2, 1), [0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01]);
        let udh = Udh { elements: vec![info(0x2A, 3, 1, false).to_element()] };
        assert_eq!(udh.to_bytes(), concat_udh8(0x2A, 3, 1));
        let udh = Udh { elements: vec![info(0x1234, 2, 1, true).to_element()] };
        assert_eq!(udh.to_bytes(), concat_udh16(0x1234, 2, 1));
    }

    #[test]
    fn parse_reads_concatenation_and_applies_receiver_rules() {
        let cases: &[(&[u8], Option<ConcatInfo>)] = &[
            (&[0x05, 0x00, 0x03, 0x2A, 0x03, 0x01], Some(info(0x2A, 3, 1, false))),
            (&[0x05, 0x00, 0x03, 0x2A, 0x03, 0x03], Some(info(0x2A, 3, 3, false))),
            (&[0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02], Some(info(0x1234, 2, 2, true))),
            (&[0x05, 0x00, 0x03, 0x2A, 0x00, 0x01], None),       // total 0
            (&[0x05, 0x00, 0x03, 0x2A, 0x03, 0x00], None),       // number 0
            (&[0x05, 0x00, 0x03, 0x2A, 0x03, 0x04], None),       // number > total
            (&[0x06, 0x00, 0x04, 0x2A, 0x03, 0x01, 0x00], None), // wrong IEDL for IEI 0
            (&[0x04, 0x04, 0x02, 0x10, 0x20], None),             // 8-bit ports only
            (&[0x00], None),                                     // empty header
            // Port addressing then concatenation: the port element is kept.
            (&[0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x07, 0x02, 0x01], Some(info(7, 2, 1, false))),
            // Two concatenation elements, the last valid one counts.
            (&[0x0A, 0x00, 0x03, 0x01, 0x02, 0x01, 0x00, 0x03, 0x09, 0x02, 0x02], Some(info(9, 2, 2, false))),
            (&[0x0A, 0x00, 0x03, 0x01, 0x02, 0x01, 0x00, 0x03, 0x09, 0x02, 0x03], Some(info(1, 2, 1, false))),
        ];
        for &(bytes, expected) in cases {
            let mut user_data = bytes.to_vec();
            user_data.extend_from_slice(b"body");
            match Udh::parse(&user_data) {
                Ok((udh, rest)) => {
                    assert_eq!(udh.concat(), expected, "{bytes:02X?}");
                    assert_eq!(rest, b"body", "{bytes:02X?}");
                    assert_eq!(udh.to_bytes(), bytes, "rebuild {bytes:02X?}");
                }
                Err(e) => panic!("{bytes:02X?}: {e}"),
            }
        }
    }

    #[test]
    fn malformed_headers_are_errors() {
        let cases: &[(&[u8], TextError)] = &[
            (&[], TextError::UdhTruncated { declared: 0, available: 0 }),
            (&[0x05, 0x00, 0x03], TextError::UdhTruncated { declared: 5, available: 2 }),
            (&[0x03, 0x00, 0x03, 0x01], TextError::UdhElementOverrun { iei: 0, offset: 0 }),
            (&[0x01, 0x00], TextError::UdhElementOverrun { iei: 0, offset: 0 }),
            (&[0x06, 0x00, 0x03, 0x01, 0x01, 0x01, 0x24], TextError::UdhElementOverrun { iei: 0x24, offset: 5 }),
        ];
        for (bytes, expected) in cases {
            assert_eq!(Udh::parse(bytes).map(|_| ()), Err(expected.clone()), "{bytes:02X?}");
        }
    }

    #[test]
    fn other_elements_survive_without_concat() {
        let bytes = [0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x07, 0x02, 0x01];
        let (udh, _) = Udh::parse(&bytes).unwrap();
        let rest = udh.without_concat();
        assert_eq!(
            rest.elements,
            vec![InformationElement { iei: Iei::APP_PORT_16BIT, data: vec![0x0B, 0x84, 0x23, 0xF0] }]
        );
        assert_eq!(rest.to_bytes(), [0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0]);
    }

    #[test]
    fn unknown_elements_round_trip() {
        let bytes = [0x05, 0xC0, 0x01, 0xAA, 0x70, 0x00];
        let (udh, rest) = Udh::parse(&bytes).unwrap();
        assert!(rest.is_empty());
        assert_eq!(udh.elements[0].iei, Iei(0xC0));
        assert_eq!(udh.elements[1], InformationElement { iei: Iei(0x70), data: vec![] });
        assert_eq!(udh.to_bytes(), bytes);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Decode then encode gives back the header bytes; garbage is an error, not a panic.
        #[test]
        fn parse_then_build_is_exact(user_data in prop::collection::vec(any::<u8>(), 0..64)) {
            if let Ok((udh, rest)) = Udh::parse(&user_data) {
                let header = &user_data[..user_data.len() - rest.len()];
                prop_assert_eq!(udh.to_bytes(), header);
                if let Some(info) = udh.concat() {
                    prop_assert!(info.number >= 1 && info.number <= info.total);
                }
            }
        }

        #[test]
        fn built_concat_headers_parse_back(reference in any::<u16>(), total in 1u8..=255, number in 1u8..=255, wide in any::<bool>()) {
            prop_assume!(number <= total);
            let info = ConcatInfo { reference: if wide { reference } else { reference & 0xFF }, total, number, wide };
            let bytes = Udh { elements: vec![info.to_element()] }.to_bytes();
            let expected: &[u8] = if wide {
                &concat_udh16(reference, total, number)
            } else {
                &concat_udh8(reference as u8, total, number)
            };
            prop_assert_eq!(&bytes[..], expected);
            prop_assert_eq!(Udh::parse(&bytes).unwrap().0.concat(), Some(info));
        }
    }
}
