//! Rules every backend applies the same way: how a message's state follows from its
//! segments' reports, and what a request must hold before it is stored.

use hongyan_types::records::{NewMessage, RequestRecord};
use hongyan_types::MessageStatus;

use crate::StoreError;

/// A request whose messages may be stored: a client link's carry its reference, since owed
/// receipts are looked for only on messages with one. Checked before anything is written.
pub fn request_is_whole(batch: &[NewMessage], request: Option<&RequestRecord>) -> Result<(), StoreError> {
    if request.is_some_and(|r| r.origin.is_some()) && batch.iter().any(|m| m.provenance.client_ref.is_none()) {
        return Err(StoreError::Backend("a client link's message must carry its request's reference".into()));
    }
    Ok(())
}

/// The state the reports `stats` (the segments' stats in segment order, those reported so
/// far) give a message of `segments` segments that is `current` now, with the error to keep,
/// or `None` when it stays as it is. The first failure (by segment number) decides; all
/// delivered means delivered; otherwise it is still waiting. A failed message stays failed.
pub fn settled(segments: u8, current: MessageStatus, stats: &[String]) -> Option<(MessageStatus, Option<String>)> {
    let failure = stats.iter().map(|s| MessageStatus::from_report_stat(s)).find(|s| *s != MessageStatus::Delivered);
    let next = match failure {
        Some(f) => f,
        None if stats.len() >= usize::from(segments) => MessageStatus::Delivered,
        None => return None,
    };
    if current == MessageStatus::Failed || current == next {
        return None;
    }
    let error = failure.and_then(|_| stats.iter().find(|s| s.as_str() != "DELIVRD").cloned());
    Some((next, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_first_failure_decides_and_all_delivered_is_delivered() {
        let submitted = MessageStatus::Submitted;
        assert_eq!(settled(2, submitted, &stats(&["DELIVRD"])), None, "one of two: still waiting");
        assert_eq!(settled(2, submitted, &stats(&["DELIVRD", "DELIVRD"])), Some((MessageStatus::Delivered, None)));
        let failed = settled(3, submitted, &stats(&["DELIVRD", "UNDELIV", "EXPIRED"])).unwrap();
        assert_eq!(failed.1.as_deref(), Some("UNDELIV"));
        assert_ne!(failed.0, MessageStatus::Delivered);
        assert_eq!(settled(1, MessageStatus::Failed, &stats(&["DELIVRD"])), None, "failed stays failed");
        assert_eq!(settled(1, MessageStatus::Delivered, &stats(&["DELIVRD"])), None, "no change, nothing to write");
    }
}
