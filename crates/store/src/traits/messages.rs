//! [`MessageStore`]: messages from acceptance to their last report: the group commit, submits,
//! reports, the dispatch backlog, searches, totals, retention, and the parts of long messages from
//! client systems.

use crate::*;

/// Messages from acceptance to their last report: the group commit, submits, reports, the dispatch
/// backlog, searches, totals, retention, and the parts of long messages from client systems. All
/// methods are safe to call from many tasks at once.
pub trait MessageStore: Send + Sync {
    /// Stores a batch of accepted messages, all or nothing: when this returns `Ok`, every
    /// message is durable; on `Err`, none is. With a `request` record (a client reference and
    /// the answer given), the record is stored with them; if the account already used that
    /// reference, nothing is stored and the result is [`StoreError::Conflict`]. A backend may
    /// write a large batch in several commits so other writes are not held up behind it; it
    /// then takes the rows back when a later commit fails, and [`MessageStore::undo_unfinished`]
    /// takes back those a stopped process left.
    /// The batch comes back with `Ok`, so the caller can hand it on without keeping a copy
    /// (a bulk request holds 100,000 of them).
    fn insert_messages(
        &self,
        batch: Vec<NewMessage>,
        request: Option<RequestRecord>,
    ) -> BoxFuture<'_, Result<Vec<NewMessage>>>;
    /// Billing segments an account had accepted from message id `since` on.
    fn segments_since(&self, account_id: i64, since: MessageId) -> BoxFuture<'_, Result<u64>>;
    /// Sending volume per carrier and category of messages with ids in `[from, to)`.
    fn usage(&self, account_id: i64, from: MessageId, to: MessageId) -> BoxFuture<'_, Result<Vec<Usage>>>;
    /// Messages accepted on the whole Beijing days from `from`'s through `to`'s (`to` excluded
    /// when it starts a day), counted by carrier, category and state as they are now, for one
    /// account or (`None`) all of them. Read from totals kept per day, so it costs the same at
    /// any volume, and retention does not change it.
    fn status_counts(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
    ) -> BoxFuture<'_, Result<Vec<StatusCount>>>;
    /// Messages accepted in each `bucket_ms` slice of time (whole minutes; slices start at
    /// multiples of `bucket_ms` since the epoch; empty ones are absent) within the minutes of
    /// `[from, to)`, oldest first. Read from per-minute totals.
    fn accepted_series(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
        bucket_ms: i64,
    ) -> BoxFuture<'_, Result<Vec<(Timestamp, u64)>>>;
    /// When messages of `category` to `to` were accepted for the account, from `since` on.
    fn sent_to_since(
        &self,
        account_id: i64,
        to: &str,
        category: Category,
        since: MessageId,
    ) -> BoxFuture<'_, Result<Vec<Timestamp>>>;
    /// The answer and request hash stored with an account's client reference, if it was used.
    fn find_request(&self, account_id: i64, client_ref: &str) -> BoxFuture<'_, Result<Option<StoredRequest>>>;
    /// Records what carriers answered to submits; a message whose segments are all accepted
    /// becomes `submitted`, a refused segment makes the message `failed`.
    fn record_submits(&self, outcomes: Vec<SubmitOutcome>) -> BoxFuture<'_, Result<()>>;
    /// Applies status reports to the segments they belong to (matched by channel and carrier
    /// message id) and updates each message's aggregate status. A repeated report changes
    /// nothing. The result has one entry per report, in order.
    fn apply_reports(&self, reports: Vec<ReportIn>) -> BoxFuture<'_, Result<Vec<ReportMatch>>>;
    /// Marks messages as finally failed, with the reason.
    fn fail_messages(&self, failures: Vec<(MessageId, String)>, now: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Takes back the messages of requests that a stopped process was still writing in pieces
    /// (see [`MessageStore::insert_messages`]); how many. Called once at start, before
    /// [`MessageStore::pending_dispatch`], by the process that serves the store — never beside one.
    fn undo_unfinished(&self) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async { Ok(0) })
    }
    /// Messages accepted but not yet fully submitted, oldest first, with ids above `after`,
    /// with the segments that were already accepted by the carrier: the work a restart must
    /// resume. Page through a backlog by passing the last id seen.
    fn pending_dispatch(&self, after: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<PendingMessage>>>;
    /// When the oldest message that is due (no `send_at`, or one at or before `now`) and not
    /// yet submitted became due; `None` when none waits.
    fn oldest_due(&self, now: Timestamp) -> BoxFuture<'_, Result<Option<Timestamp>>>;
    /// Those of `ids` that still need segments submitted (status `accepted`), as for a restart.
    fn pending_by_ids(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<Vec<PendingMessage>>>;
    /// Moves messages from one channel to another (failover); only those still on `from` and
    /// still `accepted` move. Returns how many moved.
    fn reassign_channel(&self, ids: Vec<MessageId>, from: String, to: String) -> BoxFuture<'_, Result<usize>>;
    /// Gives back, of `ids`, the messages this process was to send and will not (in a cluster,
    /// a node that holds none of their channel's connections), so that a node that does takes
    /// them; returns those given back. A store that one process serves has no one to give them
    /// to and keeps them as they are (the default).
    fn release_messages(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<Vec<MessageId>>> {
        let _ = ids;
        Box::pin(async { Ok(Vec::new()) })
    }
    /// One message with all its details, only if it belongs to `account_id`.
    fn get_message(&self, account_id: i64, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>>;
    /// One message of any account (for administrators, operators and auditors).
    fn find_message(&self, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>>;
    /// How many messages match the filter (its `before` and `limit` ignored), counting no
    /// further than `cap`: enough to tell whether an export stays within its bound.
    fn count_messages(&self, filter: MessageFilter, cap: u64) -> BoxFuture<'_, Result<u64>>;
    /// Messages matching the filter, newest first.
    fn list_messages(&self, filter: MessageFilter) -> BoxFuture<'_, Result<Vec<MessageDetail>>>;
    /// The largest message id ever stored (0 when none), to seed the id generator.
    fn max_message_id(&self) -> BoxFuture<'_, Result<u64>>;
    /// Segments submitted before `before` that still have no report get the report
    /// `UNKNOWN` (fed to their clients like any report), and early reports received before
    /// it that never matched are dropped. Returns how many segments changed.
    fn expire_unreported(&self, before: Timestamp, now: Timestamp) -> BoxFuture<'_, Result<usize>>;
    /// Keeps a part of a long message (a repeat replaces it). Returns the group's parts in
    /// order once it holds as many as announced, else nothing.
    fn add_client_part(&self, part: ClientPart) -> BoxFuture<'_, Result<Vec<ClientPart>>>;
    /// Groups whose newest part arrived before `before` (whole or not), each in part order.
    fn stale_client_groups(&self, before: Timestamp) -> BoxFuture<'_, Result<Vec<Vec<ClientPart>>>>;
    /// Settles a long message refused for good: its kept parts go and, when the client asked
    /// for receipts, a `final` event with the status `rejected` is owed for `part_ids`.
    fn refuse_client_parts(&self, refusal: ClientRefusal) -> BoxFuture<'_, Result<()>>;
    /// The oldest messages (every account's) with ids below `before`, with their segments,
    /// oldest first: what retention archives before it purges.
    fn oldest_messages(&self, before: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<MessageDetail>>>;
    /// Removes at once every month of messages entirely older than `before`, with what hangs
    /// off them, where the backend keeps messages by month; how many messages went. The
    /// statements' totals stay. A backend that does not (the default) removes nothing, and
    /// the caller purges by id ([`MessageStore::purge_messages`]).
    fn drop_whole_months(&self, before: MessageId) -> BoxFuture<'_, Result<usize>> {
        let _ = before;
        Box::pin(async { Ok(0) })
    }
    /// Removes messages and what hangs off them (segments, feed events, client part ids).
    /// Returns how many messages went.
    fn purge_messages(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<usize>>;
}
