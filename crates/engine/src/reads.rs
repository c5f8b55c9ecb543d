//! Reads through the engine for callers that have already proved whose data they read — an
//! interface key or a tenant's session for its own account — and for the platform's own
//! background tasks. The store itself is the engine's alone: what the API, the console, the
//! pusher and the client servers read passes here, what they change passes `admin/` and the
//! send path. Staff reads, which depend on a role, are `admin/reads.rs`.

use hongyan_store::{
    Account, FeedStore, Incident, IncidentFilter, MessageDetail, MessageFilter, MessageId, PushAttempt, PushFailure,
    Result, StatusCount, Template, Timestamp,
};

use crate::Engine;

impl Engine {
    /// An account by id: the one a caller authenticated as.
    pub async fn account(&self, id: i64) -> Result<Option<Account>> {
        self.store.get_account(id).await
    }

    /// Every account, for the platform's own checks (quotas in alerts, the review queue).
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        self.store.list_accounts().await
    }

    /// An account's templates.
    pub async fn templates(&self, account_id: i64) -> Result<Vec<Template>> {
        self.store.list_templates(account_id).await
    }

    /// One of the account's messages, with its segments and events.
    pub async fn message(&self, account_id: i64, id: MessageId) -> Result<Option<MessageDetail>> {
        self.store.get_message(account_id, id).await
    }

    /// The messages `filter` finds, newest first. The caller has narrowed it to what it may
    /// see (its own account, or staff's masked export).
    pub async fn messages(&self, filter: MessageFilter) -> Result<Vec<MessageDetail>> {
        self.store.list_messages(filter).await
    }

    /// How many messages `filter` finds, counting no further than `cap`.
    pub async fn count_messages(&self, filter: MessageFilter, cap: u64) -> Result<u64> {
        self.store.count_messages(filter, cap).await
    }

    /// The incidents the account reported, as `filter` narrows them.
    pub async fn incidents_of(&self, account_id: i64, filter: IncidentFilter) -> Result<Vec<Incident>> {
        self.store.incidents(IncidentFilter { account_id: Some(account_id), ..filter }).await
    }

    /// The account's callback batches given up after the retry period.
    pub async fn push_failures_of(&self, account_id: i64) -> Result<Vec<PushFailure>> {
        self.store.push_failures(Some(account_id)).await
    }

    /// The callback POSTs that carried a message's reports.
    pub async fn push_attempts(&self, message_id: MessageId) -> Result<Vec<PushAttempt>> {
        self.store.push_attempts_for(message_id).await
    }

    /// Messages by status among ids `from..to` (an account's, or every account's).
    pub async fn status_counts(
        &self,
        account: Option<i64>,
        from: MessageId,
        to: MessageId,
    ) -> Result<Vec<StatusCount>> {
        self.store.status_counts(account, from, to).await
    }

    /// Messages accepted per `bucket_ms` among ids `from..to`.
    pub async fn accepted_series(
        &self,
        account: Option<i64>,
        (from, to): (MessageId, MessageId),
        bucket_ms: i64,
    ) -> Result<Vec<(Timestamp, u64)>> {
        self.store.accepted_series(account, from, to, bucket_ms).await
    }

    /// The accounts' feeds of reports and replies, for those who consume them: pulls, the
    /// client servers' receipt pumps and the callback pusher.
    pub fn feed(&self) -> &dyn FeedStore {
        self.store.as_ref()
    }

    /// Whether any console user exists (the first start makes the administrator).
    pub async fn users_exist(&self) -> Result<bool> {
        Ok(self.store.count_users().await? > 0)
    }

    /// Drops link-quality minutes older than `before`; how many.
    pub async fn purge_link_minutes(&self, before: Timestamp) -> Result<usize> {
        self.store.purge_link_minutes(before).await
    }

    /// When the oldest message due for sending was due, if any waits.
    pub async fn oldest_due(&self, now: Timestamp) -> Result<Option<Timestamp>> {
        self.store.oldest_due(now).await
    }

    /// Whether the store's last write found no room (readiness fails while it does).
    pub fn storage_full(&self) -> bool {
        self.store.is_full()
    }
}
