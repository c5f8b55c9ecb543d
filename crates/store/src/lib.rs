//! The storage contract of Hongyan: one trait, [`Store`], and the plain models it speaks.
//!
//! What it owns: the operations the engine, the API and the CLI need (accounts and keys,
//! message insert as one group commit, submit outcomes, report correlation, look-ups) and the
//! guarantees each one gives. Every backend (`store-sqlite` today, `store-postgres` next)
//! implements the same trait and passes the same story test in `store-tests`.
//!
//! What it does not own: SQL, connections, migrations (each backend keeps its own), or any
//! business rule beyond keeping a message's status consistent with its segments.
//!
//! Methods return boxed futures rather than using `async fn` in the trait so that handlers can
//! hold an `Arc<dyn Store>` without a proc-macro crate.
#![warn(missing_docs)]

mod client;
mod feed;
mod incident;
mod model;
mod quality;
mod users;

use std::future::Future;
use std::pin::Pin;

pub use client::*;
pub use feed::*;
pub use incident::*;
pub use model::*;
pub use quality::*;
pub use users::*;

/// A boxed, sendable future, the return type of every [`Store`] method.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What went wrong in a backend. Details are for logs; the API answers 500 or 503.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend reported an error.
    #[error("storage backend error: {0}")]
    Backend(String),
    /// A unique value (account name, key id) is already taken.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The store is shutting down and takes no more writes.
    #[error("the store is closed")]
    Closed,
    /// The disk (or the store's configured ceiling) has no room for the write; nothing of it
    /// was kept. Writes work again once space is freed, without a restart.
    #[error("storage is full: {0}")]
    Full(String),
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Durable state of the platform. All methods are safe to call from many tasks at once.
pub trait Store: Send + Sync + 'static {
    /// Creates an interface account; its name must be unique.
    fn create_account(&self, name: &str, now: Timestamp) -> BoxFuture<'_, Result<Account>>;
    /// Attaches an API key (the secret is stored only as a hash).
    fn create_api_key(&self, key: ApiKey) -> BoxFuture<'_, Result<()>>;
    /// One account, deleted or not.
    fn get_account(&self, id: i64) -> BoxFuture<'_, Result<Option<Account>>>;
    /// Every account, deleted ones included (their records stay), by id.
    fn list_accounts(&self) -> BoxFuture<'_, Result<Vec<Account>>>;
    /// Changes an account; `Ok(None)` when there is no such account. A deleted account
    /// does not change.
    fn update_account(&self, id: i64, patch: AccountPatch) -> BoxFuture<'_, Result<Option<Account>>>;
    /// Soft-deletes an account: disabled, marked deleted, every record kept. `Ok(false)`
    /// when there is none or it is already deleted.
    fn delete_account(&self, id: i64, now: Timestamp) -> BoxFuture<'_, Result<bool>>;
    /// What an account may do (no restriction when never set).
    fn account_rights(&self, account_id: i64) -> BoxFuture<'_, Result<Rights>>;
    /// Replaces an account's rights.
    fn set_account_rights(&self, account_id: i64, rights: Rights) -> BoxFuture<'_, Result<()>>;
    /// An account's keys, revoked ones included.
    fn list_api_keys(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<ApiKey>>>;
    /// Revokes a key of the account. `Ok(false)` when there is none or it is already revoked.
    fn revoke_api_key(&self, account_id: i64, key_id: &str, now: Timestamp) -> BoxFuture<'_, Result<bool>>;
    /// Notes that a key authenticated a request.
    fn touch_api_key(&self, key_id: &str, now: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Records a signed request's nonce for its key: true the first time it is seen since
    /// `forget_before` (older sightings are forgotten, and removed).
    fn claim_nonce(
        &self,
        key_id: &str,
        nonce: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> BoxFuture<'_, Result<bool>>;
    /// Looks up a key by its id, with the state of its account.
    fn find_api_key(&self, key_id: &str) -> BoxFuture<'_, Result<Option<KeyWithAccount>>>;

    /// Records a signature as `pending`; the text is unique per account.
    fn add_signature(
        &self,
        account_id: i64,
        text: &str,
        extension: &str,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Signature>>;
    /// An administrator's decision on a signature. `Ok(false)` when there is no such signature.
    fn decide_signature(&self, id: i64, status: SignatureStatus, now: Timestamp) -> BoxFuture<'_, Result<bool>>;
    /// Keeps (or with `None` forgets) the reason given with a decision on a `signature` or
    /// `template`.
    fn set_review_note(&self, kind: &str, id: i64, reason: Option<String>, now: Timestamp)
        -> BoxFuture<'_, Result<()>>;
    /// The reasons kept for decisions on an account's signatures and templates: (kind, id,
    /// reason).
    fn review_notes(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<(String, i64, String)>>>;
    /// Makes an approved signature the account's default for `category`.
    /// `Ok(false)` when the signature is not the account's or not approved.
    fn set_default_signature(
        &self,
        account_id: i64,
        category: Category,
        signature_id: i64,
    ) -> BoxFuture<'_, Result<bool>>;
    /// Signatures before (false) or after (true) the content, for one account.
    fn set_signature_suffix(&self, account_id: i64, suffix: bool) -> BoxFuture<'_, Result<()>>;
    /// All of an account's signatures.
    fn list_signatures(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<Signature>>>;
    /// An account's approved defaults and position.
    fn signing_rules(&self, account_id: i64) -> BoxFuture<'_, Result<SigningRules>>;

    /// Stores a batch of accepted messages, all or nothing: when this returns `Ok`, every
    /// message is durable; on `Err`, none is. With a `request` record (a client reference and
    /// the answer given), the record is stored with them; if the account already used that
    /// reference, nothing is stored and the result is [`StoreError::Conflict`]. A backend may
    /// write a large batch in several commits so other writes are not held up behind it; it
    /// then takes the rows back when a later commit fails, and [`Store::undo_unfinished`]
    /// takes back those a stopped process left.
    /// The batch comes back with `Ok`, so the caller can hand it on without keeping a copy
    /// (a bulk request holds 100,000 of them).
    fn insert_messages(
        &self,
        batch: Vec<NewMessage>,
        request: Option<RequestRecord>,
    ) -> BoxFuture<'_, Result<Vec<NewMessage>>>;
    /// Records a template as `pending`; the name is unique per account.
    fn add_template(
        &self,
        account_id: i64,
        name: &str,
        body: &str,
        category: Category,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Template>>;
    /// An administrator's decision on a template. `Ok(false)` when there is no such template.
    fn decide_template(&self, id: i64, status: SignatureStatus, now: Timestamp) -> BoxFuture<'_, Result<bool>>;
    /// One template, only if it belongs to `account_id`.
    fn get_template(&self, account_id: i64, id: i64) -> BoxFuture<'_, Result<Option<Template>>>;
    /// All of an account's templates.
    fn list_templates(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<Template>>>;
    /// Whether the account may send free text (not only templates).
    fn free_text_allowed(&self, account_id: i64) -> BoxFuture<'_, Result<bool>>;
    /// Grants or withdraws the free-text right.
    fn set_free_text(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<()>>;

    /// An account's limits (defaults when it has set none).
    fn account_limits(&self, account_id: i64) -> BoxFuture<'_, Result<AccountLimits>>;
    /// Replaces an account's limits.
    fn set_account_limits(&self, account_id: i64, limits: AccountLimits) -> BoxFuture<'_, Result<()>>;
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

    /// Adds (or replaces the reason of) a blacklist entry.
    fn blacklist_add(&self, entry: BlacklistEntry) -> BoxFuture<'_, Result<()>>;
    /// Removes an entry; `Ok(false)` when there was none.
    fn blacklist_remove(&self, account_id: Option<i64>, number: &str) -> BoxFuture<'_, Result<bool>>;
    /// Entries for one account (`Some`) or the global list (`None`).
    fn blacklist_list(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>>;
    /// Which of `numbers` the account may not send to (its own list or the global one).
    fn blacklisted(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>>;

    /// Records that `number` asked the account for no more marketing (an MO such as "TD").
    /// Repeating it changes nothing.
    fn unsubscribe(&self, account_id: i64, number: &str, keyword: &str, now: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Which of `numbers` unsubscribed from the account's marketing.
    fn unsubscribed(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>>;
    /// Accounts that own an approved signature with this extension code (to attribute a reply).
    fn accounts_with_extension(&self, extension: &str) -> BoxFuture<'_, Result<Vec<i64>>>;

    /// Records where numbers were ported to (replacing earlier entries), in one transaction.
    fn import_ported(&self, entries: Vec<(String, Carrier)>, now: Timestamp) -> BoxFuture<'_, Result<usize>>;
    /// The carriers `numbers` were ported to; numbers not ported are absent.
    fn ported(&self, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<(String, Carrier)>>>;
    /// What accepting a request needs to know of its `numbers`, in one look-up: where they were
    /// ported, the blacklist entries that stop them for the account, and (for `marketing`)
    /// which unsubscribed. Backends answer it in one read; this default asks three times.
    fn number_facts(
        &self,
        account_id: i64,
        numbers: Vec<String>,
        marketing: bool,
    ) -> BoxFuture<'_, Result<NumberFacts>> {
        Box::pin(async move {
            let unsubscribed =
                if marketing { self.unsubscribed(account_id, numbers.clone()).await? } else { Vec::new() };
            Ok(NumberFacts {
                ported: self.ported(numbers.clone()).await?,
                blacklisted: self.blacklisted(account_id, numbers).await?,
                unsubscribed,
            })
        })
    }

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
    /// (see [`Store::insert_messages`]); how many. Called once at start, before
    /// [`Store::pending_dispatch`], by the process that serves the store — never beside one.
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
    /// Segments submitted before `before` that still have no report get the report
    /// `UNKNOWN` (fed to their clients like any report), and early reports received before
    /// it that never matched are dropped. Returns how many segments changed.
    fn expire_unreported(&self, before: Timestamp, now: Timestamp) -> BoxFuture<'_, Result<usize>>;

    /// Sets (or clears) an account's callback.
    fn set_callback(&self, account_id: i64, callback: Option<Callback>) -> BoxFuture<'_, Result<bool>>;
    /// An account's callback.
    fn callback(&self, account_id: i64) -> BoxFuture<'_, Result<Option<Callback>>>;
    /// Gives or takes the right to name a callback URL per request. `Ok(false)`: no account.
    fn set_callback_per_request(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<bool>>;
    /// Whether requests of the account may name a callback URL.
    fn callback_per_request(&self, account_id: i64) -> BoxFuture<'_, Result<bool>>;
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

    /// Adds a protocol login; `Conflict` when the login is taken for that protocol.
    fn create_client_login(&self, login: ClientLogin) -> BoxFuture<'_, Result<()>>;
    /// A protocol login with its account.
    fn find_client_login(&self, protocol: &str, login: &str) -> BoxFuture<'_, Result<Option<(ClientLogin, Account)>>>;
    /// Changes the category a login's submits take when they name none. False when there is
    /// no such login of that account.
    fn set_client_login_category(
        &self,
        account_id: i64,
        protocol: &str,
        login: &str,
        category: Option<String>,
    ) -> BoxFuture<'_, Result<bool>>;
    /// Keeps a part of a long message (a repeat replaces it). Returns the group's parts in
    /// order once it holds as many as announced, else nothing.
    fn add_client_part(&self, part: ClientPart) -> BoxFuture<'_, Result<Vec<ClientPart>>>;
    /// Groups whose newest part arrived before `before` (whole or not), each in part order.
    fn stale_client_groups(&self, before: Timestamp) -> BoxFuture<'_, Result<Vec<Vec<ClientPart>>>>;
    /// Settles a long message refused for good: its kept parts go and, when the client asked
    /// for receipts, a `final` event with the status `rejected` is owed for `part_ids`.
    fn refuse_client_parts(&self, refusal: ClientRefusal) -> BoxFuture<'_, Result<()>>;

    /// Creates a console user; `Conflict` when the username is taken.
    fn create_user(&self, user: NewUser) -> BoxFuture<'_, Result<User>>;
    /// A user by name.
    fn find_user(&self, username: &str) -> BoxFuture<'_, Result<Option<User>>>;
    /// Every console user, by name.
    fn list_users(&self) -> BoxFuture<'_, Result<Vec<User>>>;
    /// Changes a user; `Ok(None)` when there is none. A change ends the user's sessions.
    fn update_user(&self, user_id: i64, patch: UserPatch) -> BoxFuture<'_, Result<Option<User>>>;
    /// How many users exist (0 before the bootstrap administrator).
    fn count_users(&self) -> BoxFuture<'_, Result<u64>>;
    /// Records a failed login: the new count, and the lock when it was reached.
    fn record_login_failure(
        &self,
        user_id: i64,
        failed: u32,
        locked_until: Option<Timestamp>,
    ) -> BoxFuture<'_, Result<()>>;
    /// Records a successful login: failures forgotten, lock lifted.
    fn record_login_success(&self, user_id: i64) -> BoxFuture<'_, Result<()>>;
    /// Sets a user's password hash and whether it must be changed; ends the user's other
    /// sessions (all but `keep`, a session token hash).
    fn set_password(
        &self,
        user_id: i64,
        hash: String,
        must_change: bool,
        keep: Option<Vec<u8>>,
    ) -> BoxFuture<'_, Result<()>>;
    /// Opens a session.
    fn create_session(&self, session: Session) -> BoxFuture<'_, Result<()>>;
    /// A session with its user.
    fn find_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<Option<(Session, User)>>>;
    /// Notes activity on a session.
    fn touch_session(&self, token_hash: Vec<u8>, now: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Ends a session. `Ok(false)` when there was none.
    fn delete_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<bool>>;
    /// Appends to the audit log (which refuses changes and deletions).
    fn append_audit(&self, entry: AuditEntry) -> BoxFuture<'_, Result<()>>;
    /// Audit lines, newest first.
    fn audit(&self, filter: AuditFilter) -> BoxFuture<'_, Result<Vec<AuditRecord>>>;

    /// The oldest messages (every account's) with ids below `before`, with their segments,
    /// oldest first: what retention archives before it purges.
    fn oldest_messages(&self, before: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<MessageDetail>>>;
    /// Removes messages and what hangs off them (segments, feed events, client part ids).
    /// Returns how many messages went.
    fn purge_messages(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<usize>>;

    /// Keeps closed minutes of link quality.
    fn save_link_minutes(&self, rows: Vec<LinkMinute>) -> BoxFuture<'_, Result<()>>;
    /// A channel's link-quality rows with `from <= minute < to`, oldest first: the channel's
    /// own with `link` `None`, else that connection's.
    fn link_minutes(
        &self,
        channel: &str,
        link: Option<u16>,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LinkMinute>>>;
    /// Removes link-quality rows of minutes before `before`; how many went.
    fn purge_link_minutes(&self, before: Timestamp) -> BoxFuture<'_, Result<usize>>;

    /// Opens an incident.
    fn open_incident(&self, new: NewIncident) -> BoxFuture<'_, Result<Incident>>;
    /// Sets what `patch` gives on incident `id`; `None` when there is none.
    fn update_incident(&self, id: i64, patch: IncidentPatch) -> BoxFuture<'_, Result<Option<Incident>>>;
    /// One incident.
    fn get_incident(&self, id: i64) -> BoxFuture<'_, Result<Option<Incident>>>;
    /// Incidents by the filter, newest first.
    fn incidents(&self, filter: IncidentFilter) -> BoxFuture<'_, Result<Vec<Incident>>>;

    /// Raises an alert (`id` is ignored), sent once at `started_at`.
    fn raise_alert(&self, alert: AlertRecord) -> BoxFuture<'_, Result<AlertRecord>>;
    /// Records another sending of alert `id` at `at`.
    fn alert_sent(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Marks alert `id` resolved at `at`.
    fn resolve_alert(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Alerts newest first; only unresolved ones with `active_only`.
    fn alerts(&self, active_only: bool, limit: usize) -> BoxFuture<'_, Result<Vec<AlertRecord>>>;

    /// Finishes queued writes and makes them durable; later writes fail with `Closed`.
    fn close(&self) -> BoxFuture<'_, Result<()>>;

    /// Whether the last write that needed room found none (and no write has succeeded since).
    /// Readiness fails while it is true; backends without the notion answer `false`.
    fn is_full(&self) -> bool {
        false
    }

    /// Free bytes where the store keeps its data, when the backend can tell (an alert warns
    /// before the disk fills).
    fn free_bytes(&self) -> Option<u64> {
        None
    }
}
