//! The delivery-receipt text (smpp.md §11, spec Appendix B):
//! `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD
//! err:E text:…`.
//!
//! The format is SMSC-specific in practice, so parsing goes by keys, case-insensitively, and
//! tolerates any field width, missing fields and extra spaces; a key counts only at the start
//! of the text or after whitespace, and everything after `text:` is the text (so a `stat:`
//! inside it is not mistaken for a field). Formatting writes the de-facto layout. Values are
//! kept as the strings they were ("001" stays "001").

use crate::MessageState;
use std::fmt;

/// Why a receipt text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// There is no `id:` field, so the receipt cannot be matched to a message.
    #[error("delivery receipt text has no `id:` field")]
    MissingId,
}

/// A parsed delivery receipt. Every field but `id` may be missing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DeliveryReceipt {
    /// id: the message_id from submit_sm_resp (up to 65 characters, decimal or hex).
    pub id: String,
    /// sub: number submitted, usually "001".
    pub sub: Option<String>,
    /// dlvrd: number delivered, usually "001" or "000".
    pub dlvrd: Option<String>,
    /// submit date: `YYMMDDhhmm` (some SMSCs add seconds).
    pub submit_date: Option<String>,
    /// done date: `YYMMDDhhmm` (some SMSCs add seconds).
    pub done_date: Option<String>,
    /// stat: DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD (or ENROUTE).
    pub stat: Option<String>,
    /// err: network/SMSC error code.
    pub err: Option<String>,
    /// text: the first characters of the original message.
    pub text: Option<String>,
}

/// Which field a key introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Id,
    Sub,
    Dlvrd,
    SubmitDate,
    DoneDate,
    Stat,
    Err,
    Text,
}

/// Keys as they appear, lower-case; the underscore spellings are seen from some SMSCs.
const KEYS: [(&str, Key); 10] = [
    ("id:", Key::Id),
    ("sub:", Key::Sub),
    ("dlvrd:", Key::Dlvrd),
    ("submit date:", Key::SubmitDate),
    ("submit_date:", Key::SubmitDate),
    ("done date:", Key::DoneDate),
    ("done_date:", Key::DoneDate),
    ("stat:", Key::Stat),
    ("err:", Key::Err),
    ("text:", Key::Text),
];

impl DeliveryReceipt {
    /// Parses a receipt from short_message (or message_payload). Bytes that are not UTF-8
    /// are replaced, which only ever touches the free-form text.
    pub fn parse(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let text = String::from_utf8_lossy(bytes);
        let marks = find_keys(&text);
        let mut out = Self::default();
        let mut has_id = false;
        for (n, &(key, value_start, _)) in marks.iter().enumerate() {
            let end = marks.get(n + 1).map_or(text.len(), |m| m.2);
            let value = &text[value_start..end];
            let value = if key == Key::Text { value } else { value.trim() };
            has_id |= key == Key::Id;
            out.set(key, value.to_owned());
        }
        if !has_id {
            return Err(ReceiptError::MissingId);
        }
        Ok(out)
    }

    /// Stores `value` in the field for `key`, unless an earlier occurrence already did.
    fn set(&mut self, key: Key, value: String) {
        let slot = match key {
            Key::Id if self.id.is_empty() => {
                self.id = value;
                return;
            }
            Key::Id => return,
            Key::Sub => &mut self.sub,
            Key::Dlvrd => &mut self.dlvrd,
            Key::SubmitDate => &mut self.submit_date,
            Key::DoneDate => &mut self.done_date,
            Key::Stat => &mut self.stat,
            Key::Err => &mut self.err,
            Key::Text => &mut self.text,
        };
        slot.get_or_insert(value);
    }

    /// The [`MessageState`] that `stat` names, case-insensitively.
    pub fn message_state(&self) -> Option<MessageState> {
        let stat = self.stat.as_deref()?.to_ascii_uppercase();
        Some(match stat.as_str() {
            "DELIVRD" => MessageState::DELIVERED,
            "EXPIRED" => MessageState::EXPIRED,
            "DELETED" => MessageState::DELETED,
            "UNDELIV" => MessageState::UNDELIVERABLE,
            "ACCEPTD" => MessageState::ACCEPTED,
            "UNKNOWN" => MessageState::UNKNOWN,
            "REJECTD" => MessageState::REJECTED,
            "ENROUTE" => MessageState::ENROUTE,
            _ => return None,
        })
    }

    /// True when `stat` is DELIVRD.
    pub fn is_delivered(&self) -> bool {
        self.message_state() == Some(MessageState::DELIVERED)
    }
}

/// Finds each key: (key, where its value starts, where the key starts). Stops after `text:`.
fn find_keys(text: &str) -> Vec<(Key, usize, usize)> {
    let bytes = text.as_bytes();
    let mut marks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_word = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let found = at_word.then(|| KEYS.iter().find(|(k, _)| starts_with_ignore_case(&bytes[i..], k))).flatten();
        match found {
            Some(&(k, key)) => {
                marks.push((key, i + k.len(), i));
                if key == Key::Text {
                    break;
                }
                i += k.len();
            }
            None => i += 1,
        }
    }
    marks
}

fn starts_with_ignore_case(haystack: &[u8], needle: &str) -> bool {
    haystack.len() >= needle.len() && haystack[..needle.len()].eq_ignore_ascii_case(needle.as_bytes())
}

impl fmt::Display for DeliveryReceipt {
    /// The de-facto layout; missing fields are left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "id:{}", self.id)?;
        let fields = [
            ("sub", &self.sub),
            ("dlvrd", &self.dlvrd),
            ("submit date", &self.submit_date),
            ("done date", &self.done_date),
            ("stat", &self.stat),
            ("err", &self.err),
            ("text", &self.text),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                write!(f, " {key}:{value}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANONICAL: &str =
        "id:0123456789 sub:001 dlvrd:001 submit date:2510150930 done date:2510150931 stat:DELIVRD err:000 text:Hello";

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn canonical_parses_and_formats_back() {
        let r = DeliveryReceipt::parse(CANONICAL.as_bytes()).unwrap();
        let expected = DeliveryReceipt {
            id: "0123456789".into(),
            sub: some("001"),
            dlvrd: some("001"),
            submit_date: some("2510150930"),
            done_date: some("2510150931"),
            stat: some("DELIVRD"),
            err: some("000"),
            text: some("Hello"),
        };
        assert_eq!(r, expected);
        assert_eq!(r.to_string(), CANONICAL);
        assert!(r.is_delivered());
    }

    #[test]
    fn keys_are_case_insensitive_and_widths_vary() {
        let id = "a".repeat(64);
        let raw = format!(
            "ID:{id}  SUB:1 DLVRD:0 Submit Date:251015093005 Done Date:251015093107 Stat:undeliv Err:21 Text:x"
        );
        let r = DeliveryReceipt::parse(raw.as_bytes()).unwrap();
        assert_eq!(r.id, id);
        assert_eq!((r.sub.clone(), r.dlvrd.clone()), (some("1"), some("0")));
        assert_eq!(r.submit_date, some("251015093005"));
        assert_eq!(r.done_date, some("251015093107"));
        assert_eq!(r.message_state(), Some(MessageState::UNDELIVERABLE));
        assert_eq!((&r.err, &r.text), (&some("21"), &some("x")));
    }

    #[test]
    fn missing_fields_and_text_with_keys_inside() {
        let r = DeliveryReceipt::parse(b"id:7 stat:EXPIRED text:your stat:DELIVRD id:9").unwrap();
        assert_eq!(r.id, "7");
        assert_eq!(r.stat, some("EXPIRED"));
        assert_eq!(r.text, some("your stat:DELIVRD id:9"));
        assert_eq!((&r.sub, &r.submit_date, &r.err), (&None, &None, &None));
        assert_eq!(r.to_string(), "id:7 stat:EXPIRED text:your stat:DELIVRD id:9");
        let underscored = DeliveryReceipt::parse(b"id:1 submit_date:2510150930 done_date:2510150931").unwrap();
        assert_eq!(underscored.done_date, some("2510150931"));
    }

    #[test]
    fn keys_only_count_at_word_starts() {
        let r = DeliveryReceipt::parse(b"msgid:5 id:6 substat:x").unwrap();
        assert_eq!(r.id, "6 substat:x");
        assert_eq!(r.stat, None);
    }

    #[test]
    fn no_id_is_an_error() {
        assert_eq!(DeliveryReceipt::parse(b"stat:DELIVRD err:000"), Err(ReceiptError::MissingId));
        assert_eq!(DeliveryReceipt::parse(b""), Err(ReceiptError::MissingId));
        assert_eq!(DeliveryReceipt::parse(b"hello world"), Err(ReceiptError::MissingId));
    }

    #[test]
    fn states() {
        for (stat, state) in [
            ("DELIVRD", MessageState::DELIVERED),
            ("EXPIRED", MessageState::EXPIRED),
            ("DELETED", MessageState::DELETED),
            ("UNDELIV", MessageState::UNDELIVERABLE),
            ("ACCEPTD", MessageState::ACCEPTED),
            ("UNKNOWN", MessageState::UNKNOWN),
            ("REJECTD", MessageState::REJECTED),
            ("ENROUTE", MessageState::ENROUTE),
        ] {
            let r = DeliveryReceipt { id: "1".into(), stat: some(stat), ..Default::default() };
            assert_eq!(r.message_state(), Some(state), "{stat}");
        }
        let odd = DeliveryReceipt { id: "1".into(), stat: some("FAILED"), ..Default::default() };
        assert_eq!(odd.message_state(), None);
    }
}
