//! Replies from handsets (MO). Every reply is stored; one that an account's extension code
//! points to goes to that account's feed (pushed to its callback, pulled from
//! `GET /api/v1/replies`), and an unsubscribe ("TD", "T", "退订") also stops the account's
//! marketing to that number, while its verification codes and notices still go through.
//!
//! A reply finds its account through the extension code: the digits the handset dialled
//! after the channel's source number, which the account's signature carries. When no single
//! account owns those digits the reply is kept for an administrator, attributed to no one.

use hongyan_store::NewMo;
use hongyan_types::PhoneNumber;

use crate::{Engine, EngineError};

/// A reply as a gateway received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoIn {
    /// Channel it arrived on, for the log.
    pub channel: String,
    /// The handset, as the carrier wrote it.
    pub from: String,
    /// The number it was sent to (the channel's source number and the extension).
    pub to: String,
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
    /// Not an unsubscribe; stored and owed to the account's client.
    Forwarded {
        /// The account the extension code belongs to.
        account_id: i64,
    },
    /// The extension code names no single account (or the sender is not a mobile number):
    /// stored for an administrator, told to no client.
    Unattributed,
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
        let number = PhoneNumber::parse(&mo.from).ok();
        let accounts = match (&mo.extension, &number) {
            (Some(ext), Some(_)) => self.store.accounts_with_extension(ext).await?,
            _ => Vec::new(),
        };
        let account_id = match accounts.as_slice() {
            &[one] => Some(one),
            _ => None,
        };
        let word = unsubscribe_word(&mo.text);
        let from = number.as_ref().map_or_else(|| mo.from.clone(), |n| n.national().to_owned());
        let record = NewMo {
            account_id,
            channel: mo.channel.clone(),
            from: from.clone(),
            to: mo.to,
            extension: mo.extension.clone(),
            text: mo.text,
            unsubscribe: word.map(str::to_owned),
            received_at: self.clock.now(),
        };
        self.store.record_mo(record).await?;
        if account_id.is_some() {
            self.feed_changed.notify_waiters();
        }
        let outcome = match (account_id, word) {
            (Some(account_id), Some(_)) => MoOutcome::Unsubscribed { account_id, number: from },
            (Some(account_id), None) => MoOutcome::Forwarded { account_id },
            (None, _) => MoOutcome::Unattributed,
        };
        match outcome {
            MoOutcome::Unattributed => {
                tracing::warn!(channel = %mo.channel, extension = ?mo.extension, candidates = ?accounts, "reply not attributable to one account")
            }
            _ => tracing::info!(channel = %mo.channel, ?account_id, unsubscribe = word.is_some(), "reply recorded"),
        }
        Ok(outcome)
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
