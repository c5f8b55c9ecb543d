//! Replies from handsets (MO). Today the platform acts on one kind: an unsubscribe ("TD",
//! "T", "退订") stops the account's marketing to that number, while its verification codes
//! and notices still go through. Storing replies and handing them to clients belongs to the
//! reports work.
//!
//! A reply finds its account through the extension code: the digits the handset dialled
//! after the channel's source number, which the account's signature carries.

use hongyan_types::PhoneNumber;

use crate::{Engine, EngineError};

/// A reply as a gateway received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoIn {
    /// Channel it arrived on, for the log.
    pub channel: String,
    /// The handset, as the carrier wrote it.
    pub from: String,
    /// The digits after the channel's source number; `None` when the reply was addressed to
    /// a number outside it.
    pub extension: Option<String>,
    /// Decoded text.
    pub text: String,
}

/// What the platform did with a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoOutcome {
    /// The number will get no more marketing from the account.
    Unsubscribed {
        /// The account the extension code belongs to.
        account_id: i64,
        /// 11-digit number.
        number: String,
    },
    /// An unsubscribe, but the extension code names no single account (or the sender is not
    /// a mobile number): logged for an administrator.
    Unattributed,
    /// Not an unsubscribe.
    Other,
}

/// Replies that mean "stop", compared after trimming spaces and punctuation, ignoring case.
const UNSUBSCRIBE_WORDS: [&str; 3] = ["TD", "T", "退订"];

/// The unsubscribe word `text` is, if it is one.
pub fn unsubscribe_word(text: &str) -> Option<&'static str> {
    let core = text.trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || "。！，、".contains(c));
    UNSUBSCRIBE_WORDS.into_iter().find(|w| w.eq_ignore_ascii_case(core))
}

impl Engine {
    /// Acts on a reply. When this returns `Ok` whatever it changed is durable and the gateway
    /// may acknowledge the reply; on `Err` it must not, so the carrier sends it again.
    pub async fn mo(&self, mo: MoIn) -> Result<MoOutcome, EngineError> {
        let Some(word) = unsubscribe_word(&mo.text) else {
            tracing::info!(channel = %mo.channel, extension = ?mo.extension, "reply received (not an unsubscribe)");
            return Ok(MoOutcome::Other);
        };
        let number = PhoneNumber::parse(&mo.from).ok();
        let accounts = match (&mo.extension, &number) {
            (Some(ext), Some(_)) => self.store.accounts_with_extension(ext).await?,
            _ => Vec::new(),
        };
        let (&[account_id], Some(number)) = (accounts.as_slice(), number) else {
            tracing::warn!(channel = %mo.channel, extension = ?mo.extension, candidates = ?accounts, "unsubscribe not attributable to one account");
            return Ok(MoOutcome::Unattributed);
        };
        let number = number.national().to_owned();
        self.store.unsubscribe(account_id, &number, word, self.clock.now()).await?;
        tracing::info!(account_id, channel = %mo.channel, "number unsubscribed from marketing");
        Ok(MoOutcome::Unsubscribed { account_id, number })
    }
}

#[cfg(test)]
mod tests {
    use super::unsubscribe_word;

    #[test]
    fn unsubscribe_words_are_recognised_loosely() {
        for (text, word) in
            [("TD", "TD"), (" td ", "TD"), ("t", "T"), ("退订", "退订"), ("退订。", "退订"), ("TD!", "TD")]
        {
            assert_eq!(unsubscribe_word(text), Some(word), "{text:?}");
        }
        for text in ["", "TDD", "请退订", "好的", "Test"] {
            assert_eq!(unsubscribe_word(text), None, "{text:?}");
        }
    }
}
