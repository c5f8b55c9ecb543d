//! The SQLite backend of [`hongyan_store::Store`]: the embedded default, one file under the
//! data folder in WAL mode.
//!
//! Layout:
//! - `schema`: pragmas and dated migrations (`migrations/*.sql`, SQLite dialect only).
//! - `writer`: ONE thread owns the write connection. Writes from every task queue on a
//!   channel; the thread takes everything waiting, runs it in one transaction (each job in its
//!   own savepoint, so one job's conflict does not undo another's) and answers all of them
//!   after a single commit. That is the group commit: a burst of 1,000 single-message requests
//!   costs a handful of fsyncs, not 1,000.
//! - `write_ops` / `read_ops`: the SQL, with cached prepared statements.
//! - Reads run on tokio's blocking pool against a small pool of read-only connections, which
//!   WAL lets proceed while the writer commits.
//!
//! What it does not do: decide anything. Routing, limits and status rules live in `engine`;
//! this crate only keeps a message's status consistent with its segments.
//!
//! Durability: `synchronous = FULL`, so a commit survives power loss, not only a killed
//! process; group commit pays that fsync once per batch.

mod client_ops;
mod feed_ops;
mod limit_ops;
mod mo_ops;
mod push_ops;
mod read_ops;
mod schema;
mod signature_ops;
mod template_ops;
mod write_ops;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use hongyan_store::{
    Account, AccountLimits, ApiKey, BlacklistEntry, BoxFuture, Callback, Carrier, Category, ClientLogin, ClientPart,
    FeedConsumer, FeedEvent, KeyWithAccount, MessageDetail, MessageFilter, MessageId, MoRecord, NewMessage, NewMo,
    PendingMessage, PushFailure, PushTarget, ReportIn, ReportMatch, RequestRecord, Result, Signature, SignatureStatus,
    SigningRules, Store, StoreError, SubmitOutcome, Template, Timestamp,
};
use rusqlite::Connection;
use tokio::sync::oneshot;

use writer::Job;
pub use writer::WriterStats;

/// A store in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    // Why a std Mutex: it is held only to pop or push a connection, never across an await.
    readers: Mutex<Vec<Connection>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    stats: std::sync::Arc<WriterStats>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict(msg.unwrap_or_else(|| "constraint violation".into()))
        }
        other => StoreError::Backend(other.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = schema::open_writer(path)?;
        let (tx, rx) = mpsc::channel();
        let stats = std::sync::Arc::new(WriterStats::default());
        let writer_stats = stats.clone();
        let handle = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer::run(conn, rx, writer_stats))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            jobs: Mutex::new(Some(tx)),
            readers: Mutex::new(Vec::new()),
            writer_thread: Mutex::new(Some(handle)),
            stats,
        })
    }

    /// How many group commits the writer made, carrying how many writes.
    pub fn writer_stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Queues a write for the next group commit; resolves after that commit.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        let (tx, rx) = oneshot::channel();
        let sent = match self.jobs.lock().expect("jobs lock").as_ref() {
            Some(jobs) => jobs.send(Job::new(f, tx)).is_ok(),
            None => false,
        };
        Box::pin(async move {
            if !sent {
                return Err(StoreError::Closed);
            }
            rx.await.unwrap_or(Err(StoreError::Closed))
        })
    }

    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        let conn = self.readers.lock().expect("readers lock").pop();
        let path = self.path.clone();
        Box::pin(async move {
            let (conn, out) = tokio::task::spawn_blocking(move || {
                let conn = match conn {
                    Some(c) => c,
                    None => schema::open_reader(&path)?,
                };
                let out = f(&conn).map_err(backend);
                Ok::<_, StoreError>((conn, out))
            })
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))??;
            let mut pool = self.readers.lock().expect("readers lock");
            if pool.len() < 8 {
                pool.push(conn);
            }
            out
        })
    }
}

impl Store for SqliteStore {
    fn create_account(&self, name: &str, now: Timestamp) -> BoxFuture<'_, Result<Account>> {
        let name = name.to_owned();
        self.write(move |c| write_ops::create_account(c, &name, now))
    }

    fn create_api_key(&self, key: ApiKey) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| write_ops::create_api_key(c, &key))
    }

    fn find_api_key(&self, key_id: &str) -> BoxFuture<'_, Result<Option<KeyWithAccount>>> {
        let key_id = key_id.to_owned();
        self.read(move |c| read_ops::find_api_key(c, &key_id))
    }

    fn create_client_login(&self, login: ClientLogin) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| client_ops::create_login(c, &login))
    }

    fn find_client_login(&self, protocol: &str, login: &str) -> BoxFuture<'_, Result<Option<(ClientLogin, Account)>>> {
        let (protocol, login) = (protocol.to_owned(), login.to_owned());
        self.read(move |c| client_ops::find_login(c, &protocol, &login))
    }

    fn add_client_part(&self, part: ClientPart) -> BoxFuture<'_, Result<Vec<ClientPart>>> {
        self.write(move |c| client_ops::add_part(c, &part))
    }

    fn stale_client_groups(&self, before: Timestamp) -> BoxFuture<'_, Result<Vec<Vec<ClientPart>>>> {
        self.read(move |c| client_ops::stale_groups(c, before))
    }

    fn record_mo(&self, mo: NewMo) -> BoxFuture<'_, Result<MoRecord>> {
        self.write(move |c| feed_ops::record_mo(c, &mo))
    }

    fn feed(&self, account_id: i64, consumer: FeedConsumer, limit: usize) -> BoxFuture<'_, Result<Vec<FeedEvent>>> {
        self.read(move |c| feed_ops::events(c, account_id, consumer, limit))
    }

    fn ack_feed(&self, account_id: i64, consumer: FeedConsumer, seq: u64) -> BoxFuture<'_, Result<u64>> {
        self.write(move |c| feed_ops::ack(c, account_id, consumer, seq).map_err(backend))
    }

    fn expire_unreported(&self, before: Timestamp, now: Timestamp) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| feed_ops::expire_unreported(c, before, now))
    }

    fn set_callback(&self, account_id: i64, callback: Option<Callback>) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| push_ops::set_callback(c, account_id, callback.as_ref()))
    }

    fn callback(&self, account_id: i64) -> BoxFuture<'_, Result<Option<Callback>>> {
        self.read(move |c| push_ops::callback(c, account_id))
    }

    fn set_callback_per_request(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| push_ops::set_per_request(c, account_id, allowed))
    }

    fn callback_per_request(&self, account_id: i64) -> BoxFuture<'_, Result<bool>> {
        self.read(move |c| push_ops::per_request(c, account_id))
    }

    fn push_targets(&self, now: Timestamp, limit: usize) -> BoxFuture<'_, Result<Vec<PushTarget>>> {
        self.read(move |c| push_ops::targets(c, now, limit))
    }

    fn push_delivered(&self, account_id: i64, seq: u64) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| push_ops::delivered(c, account_id, seq))
    }

    fn push_retry_later(
        &self,
        account_id: i64,
        attempts: u32,
        failing_since: Timestamp,
        next_at: Timestamp,
        error: String,
    ) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| push_ops::retry_later(c, account_id, attempts, failing_since, next_at, &error))
    }

    fn push_give_up(
        &self,
        account_id: i64,
        seqs: (u64, u64),
        error: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| push_ops::give_up(c, account_id, seqs, &error, now))
    }

    fn push_failures(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<PushFailure>>> {
        self.read(move |c| push_ops::failures(c, account_id))
    }

    fn resend_push_failure(&self, id: i64, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| push_ops::resend(c, id, now))
    }

    fn insert_messages(&self, batch: Vec<NewMessage>, request: Option<RequestRecord>) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| write_ops::insert_messages(c, &batch, request.as_ref()))
    }

    fn add_signature(
        &self,
        account_id: i64,
        text: &str,
        extension: &str,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Signature>> {
        let (text, extension) = (text.to_owned(), extension.to_owned());
        self.write(move |c| signature_ops::add(c, account_id, &text, &extension, now))
    }

    fn decide_signature(&self, id: i64, status: SignatureStatus, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| signature_ops::decide(c, id, status, now))
    }

    fn set_default_signature(
        &self,
        account_id: i64,
        category: Category,
        signature_id: i64,
    ) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| signature_ops::set_default(c, account_id, category, signature_id))
    }

    fn set_signature_suffix(&self, account_id: i64, suffix: bool) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| signature_ops::set_suffix(c, account_id, suffix))
    }

    fn list_signatures(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<Signature>>> {
        self.read(move |c| signature_ops::list(c, account_id))
    }

    fn signing_rules(&self, account_id: i64) -> BoxFuture<'_, Result<SigningRules>> {
        self.read(move |c| signature_ops::rules(c, account_id))
    }

    fn add_template(
        &self,
        account_id: i64,
        name: &str,
        body: &str,
        category: Category,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Template>> {
        let (name, body) = (name.to_owned(), body.to_owned());
        self.write(move |c| template_ops::add(c, account_id, &name, &body, category, now))
    }

    fn decide_template(&self, id: i64, status: SignatureStatus, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| template_ops::decide(c, id, status, now))
    }

    fn get_template(&self, account_id: i64, id: i64) -> BoxFuture<'_, Result<Option<Template>>> {
        self.read(move |c| template_ops::get(c, account_id, id))
    }

    fn list_templates(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<Template>>> {
        self.read(move |c| template_ops::list(c, account_id))
    }

    fn free_text_allowed(&self, account_id: i64) -> BoxFuture<'_, Result<bool>> {
        self.read(move |c| template_ops::free_text(c, account_id))
    }

    fn set_free_text(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| template_ops::set_free_text(c, account_id, allowed))
    }

    fn account_limits(&self, account_id: i64) -> BoxFuture<'_, Result<AccountLimits>> {
        self.read(move |c| limit_ops::limits(c, account_id))
    }

    fn set_account_limits(&self, account_id: i64, limits: AccountLimits) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| limit_ops::set_limits(c, account_id, limits))
    }

    fn segments_since(&self, account_id: i64, since: MessageId) -> BoxFuture<'_, Result<u64>> {
        self.read(move |c| limit_ops::segments_since(c, account_id, since))
    }

    fn sent_to_since(
        &self,
        account_id: i64,
        to: &str,
        category: Category,
        since: MessageId,
    ) -> BoxFuture<'_, Result<Vec<Timestamp>>> {
        let to = to.to_owned();
        self.read(move |c| limit_ops::sent_to_since(c, account_id, &to, category, since))
    }

    fn blacklist_add(&self, entry: BlacklistEntry) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| limit_ops::blacklist_add(c, &entry))
    }

    fn blacklist_remove(&self, account_id: Option<i64>, number: &str) -> BoxFuture<'_, Result<bool>> {
        let number = number.to_owned();
        self.write(move |c| limit_ops::blacklist_remove(c, account_id, &number))
    }

    fn blacklist_list(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>> {
        self.read(move |c| limit_ops::blacklist_list(c, account_id))
    }

    fn blacklisted(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>> {
        self.read(move |c| limit_ops::blacklisted(c, account_id, &numbers))
    }

    fn unsubscribe(&self, account_id: i64, number: &str, keyword: &str, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        let (number, keyword) = (number.to_owned(), keyword.to_owned());
        self.write(move |c| mo_ops::unsubscribe(c, account_id, &number, &keyword, now))
    }

    fn unsubscribed(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        self.read(move |c| mo_ops::unsubscribed(c, account_id, &numbers))
    }

    fn accounts_with_extension(&self, extension: &str) -> BoxFuture<'_, Result<Vec<i64>>> {
        let extension = extension.to_owned();
        self.read(move |c| mo_ops::accounts_with_extension(c, &extension))
    }

    fn import_ported(&self, entries: Vec<(String, Carrier)>, now: Timestamp) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| limit_ops::import_ported(c, &entries, now))
    }

    fn ported(&self, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<(String, Carrier)>>> {
        self.read(move |c| limit_ops::ported(c, &numbers))
    }

    fn find_request(&self, account_id: i64, client_ref: &str) -> BoxFuture<'_, Result<Option<String>>> {
        let client_ref = client_ref.to_owned();
        self.read(move |c| read_ops::find_request(c, account_id, &client_ref))
    }

    fn record_submits(&self, outcomes: Vec<SubmitOutcome>) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| write_ops::record_submits(c, &outcomes))
    }

    fn apply_reports(&self, reports: Vec<ReportIn>) -> BoxFuture<'_, Result<Vec<ReportMatch>>> {
        self.write(move |c| write_ops::apply_reports(c, &reports))
    }

    fn fail_messages(&self, failures: Vec<(MessageId, String)>, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| write_ops::fail_messages(c, &failures, now))
    }

    fn pending_dispatch(&self, after: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<PendingMessage>>> {
        self.read(move |c| read_ops::pending_dispatch(c, after, limit))
    }

    fn pending_by_ids(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<Vec<PendingMessage>>> {
        self.read(move |c| read_ops::pending_by_ids(c, &ids))
    }

    fn reassign_channel(&self, ids: Vec<MessageId>, from: String, to: String) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| write_ops::reassign_channel(c, &ids, &from, &to))
    }

    fn get_message(&self, account_id: i64, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>> {
        self.read(move |c| read_ops::get_message(c, account_id, id))
    }

    fn list_messages(&self, filter: MessageFilter) -> BoxFuture<'_, Result<Vec<MessageDetail>>> {
        self.read(move |c| read_ops::list_messages(c, &filter))
    }

    fn max_message_id(&self) -> BoxFuture<'_, Result<u64>> {
        self.read(read_ops::max_message_id)
    }

    fn close(&self) -> BoxFuture<'_, Result<()>> {
        // Dropping the sender lets the writer drain what is queued and stop.
        self.jobs.lock().expect("jobs lock").take();
        let handle = self.writer_thread.lock().expect("writer lock").take();
        Box::pin(async move {
            if let Some(h) = handle {
                tokio::task::spawn_blocking(move || h.join())
                    .await
                    .map_err(|e| StoreError::Backend(e.to_string()))?
                    .map_err(|_| StoreError::Backend("sqlite writer thread panicked".into()))?;
            }
            Ok(())
        })
    }
}
