//! [`FeedStore`]: each account's feed of reports and replies, read by pulls, the client servers and
//! the callback pusher, and the pushes made from it.

use crate::*;

/// Each account's feed of reports and replies, read by pulls, the client servers and the callback
/// pusher, and the pushes made from it. All methods are safe to call from many tasks at once.
pub trait FeedStore: Send + Sync {
    /// Records a reply; when it is attributed, adds it to the account's feed, and when it
    /// carries an unsubscribe word, unsubscribes the number, all in one commit.
    fn record_mo(&self, mo: NewMo) -> BoxFuture<'_, Result<MoRecord>>;
    /// The account's events past `consumer`'s acknowledged position, oldest first.
    fn feed(&self, account_id: i64, consumer: FeedConsumer, limit: usize) -> BoxFuture<'_, Result<Vec<FeedEvent>>>;
    /// Past reports or replies, of one account or all, newest first, each with its account:
    /// what people look back on (readers' positions are untouched).
    fn feed_history(&self, filter: FeedFilter) -> BoxFuture<'_, Result<Vec<(i64, FeedEvent)>>>;
    /// Moves `consumer`'s position up to `seq` (never back, never past the account's last
    /// event, so a wrong cursor cannot skip what is not written yet). Returns the position after.
    fn ack_feed(&self, account_id: i64, consumer: FeedConsumer, seq: u64) -> BoxFuture<'_, Result<u64>>;
    /// Accounts with a callback, events to push and no back-off pending at `now`.
    fn push_targets(&self, now: Timestamp, limit: usize) -> BoxFuture<'_, Result<Vec<PushTarget>>>;
    /// A batch through `seq` was delivered: the position moves and the series is not failing.
    fn push_delivered(&self, account_id: i64, seq: u64) -> BoxFuture<'_, Result<()>>;
    /// An attempt failed: try again at `next_at`.
    fn push_retry_later(
        &self,
        account_id: i64,
        attempts: u32,
        failing_since: Timestamp,
        next_at: Timestamp,
        error: String,
    ) -> BoxFuture<'_, Result<()>>;
    /// The batch `seqs` is given up: recorded as a failure, and the position moves past it.
    fn push_give_up(
        &self,
        account_id: i64,
        seqs: (u64, u64),
        error: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<()>>;
    /// Records one callback POST and how it went.
    fn record_push_attempt(&self, attempt: PushAttempt) -> BoxFuture<'_, Result<()>>;
    /// The callback POSTs that carried a report of this message, oldest first.
    fn push_attempts_for(&self, message_id: MessageId) -> BoxFuture<'_, Result<Vec<PushAttempt>>>;
    /// Failures of one account (or all), newest first.
    fn push_failures(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<PushFailure>>>;
    /// Puts a failed batch's events at the end of its account's feed again. `Ok(false)` when
    /// there is no such failure or it was already re-sent.
    fn resend_push_failure(&self, id: i64, now: Timestamp) -> BoxFuture<'_, Result<bool>>;
}
