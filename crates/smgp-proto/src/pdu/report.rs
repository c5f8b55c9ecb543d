//! The status report carried as a Deliver's MsgContent when IsReport = 1 (smgp.md §8): a
//! 122-byte text template with fixed-width values, whose `id` is the binary MsgID.

use crate::MsgId;
use hongyan_wire::{DecodeError, Reader, Writer};

/// Size of a report body.
pub(crate) const REPORT_LEN: usize = 122;

/// A parsed status report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// id: the MsgID of the original Submit_Resp, the key that finds the MT.
    pub id: MsgId,
    /// sub (3): messages submitted, default `001`.
    pub sub: [u8; 3],
    /// dlvrd (3): messages delivered, default `001`.
    pub dlvrd: [u8; 3],
    /// Submit date (10): `YYMMDDhhmm`.
    pub submit_date: [u8; 10],
    /// done date (10): `YYMMDDhhmm`.
    pub done_date: [u8; 10],
    /// stat (7): `DELIVRD` on success; `EXPIRED`, `DELETED`, `UNDELIV`, `ACCEPTD`, `UNKNOWN`,
    /// `REJECTD` otherwise.
    pub stat: [u8; 7],
    /// err (3): `000` success, `001`–`010` specific failures, `999` unknown.
    pub err: [u8; 3],
    /// Text (20): the original length as 3 ASCII digits, then its first 17 bytes.
    pub txt: [u8; 20],
}

/// The literal before each value, in order. Peers differ in capitalisation
/// (`Submit`/`submit`, `Text`/`text`), so they are compared case-insensitively.
const LABELS: [&str; 8] = ["id:", " sub:", " dlvrd:", " Submit date:", " done date:", " stat:", " err:", " Text:"];

impl StatusReport {
    /// `DELIVRD`, the one success state.
    pub const DELIVRD: [u8; 7] = *b"DELIVRD";

    /// A report for the MT `id` with `sub` and `dlvrd` `001` and an empty Text (`000`).
    pub fn new(id: MsgId, stat: [u8; 7], err: [u8; 3], submit_date: [u8; 10], done_date: [u8; 10]) -> Self {
        let mut txt = [0u8; 20];
        txt[..3].copy_from_slice(b"000");
        Self { id, sub: *b"001", dlvrd: *b"001", submit_date, done_date, stat, err, txt }
    }

    /// Sets Text from the original content: its length (capped at 999) and first 17 bytes.
    pub fn with_text(mut self, content: &[u8]) -> Self {
        self.txt = [0; 20];
        self.txt[..3].copy_from_slice(format!("{:03}", content.len().min(999)).as_bytes());
        let head = &content[..content.len().min(17)];
        self.txt[3..3 + head.len()].copy_from_slice(head);
        self
    }

    /// True only for `DELIVRD`.
    pub fn is_delivered(&self) -> bool {
        self.stat == Self::DELIVRD
    }

    /// err as a number, when it is three ASCII digits.
    pub fn err_code(&self) -> Option<u16> {
        std::str::from_utf8(&self.err).ok()?.parse().ok()
    }

    /// The 122-byte body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(REPORT_LEN);
        let values: [&[u8]; 8] =
            [&self.id.0, &self.sub, &self.dlvrd, &self.submit_date, &self.done_date, &self.stat, &self.err, &self.txt];
        for (label, value) in LABELS.iter().zip(values) {
            w.bytes(label.as_bytes()).bytes(value);
        }
        w.into_vec()
    }

    /// Parses a body by position; it must be exactly 122 bytes and every literal must be
    /// where the template puts it (in any case).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let report = Self {
            id: MsgId(labelled(&mut r, 0)?),
            sub: labelled(&mut r, 1)?,
            dlvrd: labelled(&mut r, 2)?,
            submit_date: labelled(&mut r, 3)?,
            done_date: labelled(&mut r, 4)?,
            stat: labelled(&mut r, 5)?,
            err: labelled(&mut r, 6)?,
            txt: labelled(&mut r, 7)?,
        };
        r.finish()?;
        Ok(report)
    }
}

/// Reads literal `LABELS[i]` and the `N`-byte value after it.
fn labelled<const N: usize>(r: &mut Reader<'_>, i: usize) -> Result<[u8; N], DecodeError> {
    let label = LABELS[i];
    if !r.bytes(label, label.len())?.eq_ignore_ascii_case(label.as_bytes()) {
        return Err(DecodeError::Invalid { field: label, reason: "status report literal not where expected" });
    }
    r.array(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    fn fixture_report() -> StatusReport {
        let id = "01006101161700012345".parse().unwrap();
        StatusReport::new(id, StatusReport::DELIVRD, *b"000", *b"2501161700", *b"2501161701").with_text(b"hello")
    }

    #[test]
    fn fixture_matches_the_offsets_of_the_spec() {
        let bytes = hex(include_str!("../../testdata/report.hex"));
        assert_eq!(bytes.len(), REPORT_LEN);
        assert_eq!(fixture_report().encode(), bytes);
        assert_eq!(StatusReport::decode(&bytes).unwrap(), fixture_report());
        // smgp.md §8 offsets.
        let at = |offset: usize, len: usize| &bytes[offset..offset + len];
        assert_eq!(at(3, 10), &hex("01006101161700012345")[..], "binary id at 3");
        assert_eq!(at(18, 3), b"001");
        assert_eq!(at(28, 3), b"001");
        assert_eq!(at(31, 13), b" Submit date:");
        assert_eq!(at(44, 10), b"2501161700");
        assert_eq!(at(65, 10), b"2501161701");
        assert_eq!(at(81, 7), b"DELIVRD");
        assert_eq!(at(93, 3), b"000");
        assert_eq!(at(102, 8), b"005hello");
    }

    #[test]
    fn labels_are_read_in_any_case() {
        let mut bytes = fixture_report().encode();
        bytes[32..38].copy_from_slice(b"submit");
        bytes[97..101].copy_from_slice(b"TEXT");
        assert_eq!(StatusReport::decode(&bytes).unwrap(), fixture_report());
        // A literal out of place is an error, not a silently shifted field.
        bytes[80] = b'_';
        assert!(matches!(StatusReport::decode(&bytes), Err(DecodeError::Invalid { field: " stat:", .. })));
    }

    #[test]
    fn body_is_exact() {
        let body = fixture_report().encode();
        for cut in 0..body.len() {
            assert!(StatusReport::decode(&body[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = body;
        long.push(0);
        assert_eq!(StatusReport::decode(&long), Err(DecodeError::TrailingData(1)));
    }

    #[test]
    fn helpers() {
        let failed = StatusReport { stat: *b"UNDELIV", err: *b"004", ..fixture_report() };
        assert!(!failed.is_delivered());
        assert_eq!(failed.err_code(), Some(4));
        assert_eq!(StatusReport { err: *b"x1 ", ..failed }.err_code(), None);
        let long = fixture_report().with_text(&[b'a'; 1200]);
        assert_eq!(&long.txt[..3], b"999");
        assert_eq!(&long.txt[3..], &[b'a'; 17]);
    }
}
