//! Data retention: messages older than the configured period are purged, page by page, each
//! page first handed to an archiver (the binary appends it to a file) when one is given, and
//! the run is written to the audit log.

use std::time::Duration;

use hongyan_store::{MessageDetail, MessageId, StoreError, Timestamp};

use crate::{Engine, EngineError};

/// Takes a page of messages about to be purged; an `Err` keeps them.
pub type Archiver<'a> = &'a mut (dyn FnMut(&[MessageDetail]) -> Result<(), String> + Send);

/// Messages purged per transaction.
const PAGE: usize = 1000;

/// Why a retention run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The archiver failed; nothing of that page was purged.
    #[error("archiving failed: {0}")]
    Archive(String),
    /// The store failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<StoreError> for RetentionError {
    fn from(e: StoreError) -> Self {
        Self::Engine(e.into())
    }
}

impl Engine {
    /// Purges every message accepted more than `keep` ago. Each page goes to `archive` first;
    /// a page the archiver refuses stays. Returns how many messages were purged.
    pub async fn purge_older_than(
        &self,
        keep: Duration,
        mut archive: Option<Archiver<'_>>,
    ) -> Result<usize, RetentionError> {
        let now = self.clock.now();
        let cutoff = Timestamp::from_millis(now.as_millis() - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX));
        let before = MessageId::floor(cutoff);
        // Without an archive to write, whole months go at once where the store keeps them so.
        let mut purged = match archive {
            None => self.store.drop_whole_months(before).await?,
            Some(_) => 0,
        };
        loop {
            let page = self.store.oldest_messages(before, PAGE).await?;
            if page.is_empty() {
                break;
            }
            if let Some(a) = archive.as_mut() {
                a(&page).map_err(RetentionError::Archive)?;
            }
            purged += self.store.purge_messages(page.iter().map(|d| d.message.id).collect()).await?;
        }
        let after = format!(
            r#"{{"purged":{purged},"before":"{}","archived":{}}}"#,
            cutoff.to_rfc3339_beijing(),
            archive.is_some()
        );
        self.audit("system", "-", "retention.purge", "messages", (None, Some(after)), "ok").await?;
        if purged > 0 {
            tracing::info!(purged, "retention: messages older than the retention period purged");
        }
        Ok(purged)
    }
}
