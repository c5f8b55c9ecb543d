//! A report's fields as the carrier sent them, kept beside it for the detail page: one JSON
//! object, written straight into its string.
//!
//! Building a `serde_json::Value` first (a map of owned keys and values, then printed) was a
//! sixth of the runtime threads' time under a stream of SMPP receipts. Callers give the keys
//! in alphabetical order, the order that map printed them in, so the stored text is what it
//! always was; the test below holds this writer to `serde_json`'s own output.

use std::fmt::Write;

/// An object being written; [`Raw::finish`] closes it.
pub(crate) struct Raw(String);

impl Raw {
    pub(crate) fn new() -> Self {
        Self(String::with_capacity(256))
    }

    fn key(&mut self, key: &str) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        escaped(&mut self.0, key);
        self.0.push(':');
    }

    pub(crate) fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        escaped(&mut self.0, value);
        self
    }

    pub(crate) fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.null(key),
        }
    }

    pub(crate) fn int(mut self, key: &str, value: impl Into<i64>) -> Self {
        self.key(key);
        let _ = write!(self.0, "{}", value.into());
        self
    }

    pub(crate) fn opt_int(self, key: &str, value: Option<impl Into<i64>>) -> Self {
        match value {
            Some(v) => self.int(key, v),
            None => self.null(key),
        }
    }

    fn null(mut self, key: &str) -> Self {
        self.key(key);
        self.0.push_str("null");
        self
    }

    pub(crate) fn finish(mut self) -> String {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push('}');
        self.0
    }
}

/// `s` as a JSON string, escaped as `serde_json` escapes: quote, backslash and the control
/// characters, nothing else.
fn escaped(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Raw;

    #[test]
    fn writes_what_serde_json_prints_for_the_same_object() {
        let awkward = "a \"quoted\" \\ back\tslash\n\r\u{1}\u{8}\u{c}\u{1f} 中文 ☃ /";
        for text in ["", "plain", awkward] {
            let ours = Raw::new()
                .opt_str("done_date", None)
                .str("err", text)
                .opt_int("message_state", Some(2u8))
                .opt_int("none", None::<u8>)
                .int("seq", -42i64)
                .opt_str("text", Some(text))
                .finish();
            let theirs = json!({
                "done_date": null,
                "err": text,
                "message_state": 2,
                "none": null,
                "seq": -42,
                "text": text,
            });
            assert_eq!(ours, theirs.to_string());
            assert_eq!(serde_json::from_str::<serde_json::Value>(&ours).unwrap(), theirs);
        }
        assert_eq!(Raw::new().finish(), "{}");
    }
}
