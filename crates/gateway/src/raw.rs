//! A report's fields as the carrier sent them, kept beside it for the detail page: one JSON
//! object, written straight into its text.
//!
//! Building a `serde_json::Value` first (a map of owned keys and values, then printed) was a
//! sixth of the runtime threads' time under a stream of SMPP receipts. Here each key and value
//! goes out as it is given, strings escaped by `serde_json` itself. Callers give the keys in
//! alphabetical order, the order that map printed them in, so the stored text is what it
//! always was; the test below holds this to `serde_json`'s own output.

use std::io::Write;

/// An object being written; [`Raw::finish`] closes it.
pub(crate) struct Raw(Vec<u8>);

impl Raw {
    pub(crate) fn new() -> Self {
        Self(Vec::with_capacity(256))
    }

    fn key(&mut self, key: &str) {
        self.0.push(if self.0.is_empty() { b'{' } else { b',' });
        self.string(key);
        self.0.push(b':');
    }

    /// A JSON string. Writing a `str` into a `Vec` cannot fail.
    fn string(&mut self, s: &str) {
        let _ = serde_json::to_writer(&mut self.0, s);
    }

    pub(crate) fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        self.string(value);
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
        self.0.extend_from_slice(b"null");
        self
    }

    pub(crate) fn finish(mut self) -> String {
        if self.0.is_empty() {
            self.0.push(b'{');
        }
        self.0.push(b'}');
        // Only `str`s and digits went in: always UTF-8.
        String::from_utf8(self.0).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
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
