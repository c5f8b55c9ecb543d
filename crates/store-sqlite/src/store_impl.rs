//! [`Store`] for [`SqliteStore`]: each method hands its SQL to the writer (one group commit)
//! or to a read connection. The SQL itself lives in the `*_ops` modules.

use hongyan_store::prelude::*;
use hongyan_store::{
    Account, AccountLimits, AccountPatch, AlertRecord, ApiKey, AuditEntry, AuditFilter, AuditRecord, BlacklistEntry,
    BoxFuture, Callback, Carrier, Category, ClientLogin, ClientPart, ClientRefusal, FeedConsumer, FeedEvent,
    FeedFilter, Incident, IncidentFilter, IncidentPatch, KeyWithAccount, LinkMinute, MessageDetail, MessageFilter,
    MessageId, MoRecord, NewIncident, NewMessage, NewMo, NewUser, PendingMessage, PushAttempt, PushFailure, PushTarget,
    ReportIn, ReportMatch, RequestRecord, Result, Rights, Session, Signature, SignatureStatus, SigningRules,
    StatusCount, Store, StoreError, StoredRequest, SubmitOutcome, Template, Timestamp, Usage, User, UserPatch,
};

use crate::{
    account_ops, backend, client_ops, feed_ops, incident_ops, limit_ops, mo_ops, push_ops, quality_ops, read_ops,
    retention_ops, signature_ops, staged, template_ops, user_ops, write_ops, SqliteStore,
};

/// Requests with at most this many numbers look their numbers up on the calling thread.
const FACTS_HERE: usize = 8;

impl AccountStore for SqliteStore {
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

    fn get_account(&self, id: i64) -> BoxFuture<'_, Result<Option<Account>>> {
        self.read(move |c| account_ops::get(c, id))
    }

    fn list_accounts(&self) -> BoxFuture<'_, Result<Vec<Account>>> {
        self.read(account_ops::list)
    }

    fn update_account(&self, id: i64, patch: AccountPatch) -> BoxFuture<'_, Result<Option<Account>>> {
        self.write(move |c| account_ops::update(c, id, &patch))
    }

    fn delete_account(&self, id: i64, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| account_ops::delete(c, id, now))
    }

    fn account_rights(&self, account_id: i64) -> BoxFuture<'_, Result<Rights>> {
        self.read(move |c| account_ops::rights(c, account_id))
    }

    fn set_account_rights(&self, account_id: i64, rights: Rights) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| account_ops::set_rights(c, account_id, &rights))
    }

    fn list_api_keys(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<ApiKey>>> {
        self.read(move |c| account_ops::keys(c, account_id))
    }

    fn revoke_api_key(&self, account_id: i64, key_id: &str, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        let key_id = key_id.to_owned();
        self.write(move |c| account_ops::revoke_key(c, account_id, &key_id, now))
    }

    fn claim_nonce(
        &self,
        key_id: &str,
        nonce: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> BoxFuture<'_, Result<bool>> {
        let (key_id, nonce) = (key_id.to_owned(), nonce.to_owned());
        self.write(move |c| account_ops::claim_nonce(c, &key_id, &nonce, now, forget_before))
    }

    fn touch_api_key(&self, key_id: &str, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        let key_id = key_id.to_owned();
        self.write(move |c| account_ops::touch_key(c, &key_id, now))
    }

    fn create_client_login(&self, login: ClientLogin) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| client_ops::create_login(c, &login))
    }

    fn find_client_login(&self, protocol: &str, login: &str) -> BoxFuture<'_, Result<Option<(ClientLogin, Account)>>> {
        let (protocol, login) = (protocol.to_owned(), login.to_owned());
        self.read(move |c| client_ops::find_login(c, &protocol, &login))
    }

    fn set_client_login_category(
        &self,
        account_id: i64,
        protocol: &str,
        login: &str,
        category: Option<String>,
    ) -> BoxFuture<'_, Result<bool>> {
        let (protocol, login) = (protocol.to_owned(), login.to_owned());
        self.write(move |c| client_ops::set_login_category(c, account_id, &protocol, &login, category.as_deref()))
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
}

impl ContentStore for SqliteStore {
    fn set_review_note(
        &self,
        kind: &str,
        id: i64,
        reason: Option<String>,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<()>> {
        let kind = kind.to_owned();
        self.write(move |c| signature_ops::set_review_note(c, &kind, id, reason.as_deref(), now))
    }

    fn review_notes(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<(String, i64, String)>>> {
        self.read(move |c| signature_ops::review_notes(c, account_id))
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
}

impl NumberStore for SqliteStore {
    fn blacklist_add(&self, entry: BlacklistEntry) -> BoxFuture<'_, Result<()>> {
        let slots = self.slots;
        self.write(move |c| limit_ops::blacklist_add(c, &entry, slots))
    }

    fn blacklist_remove(&self, account_id: Option<i64>, number: &str) -> BoxFuture<'_, Result<bool>> {
        let number = number.to_owned();
        let slots = self.slots;
        self.write(move |c| limit_ops::blacklist_remove(c, account_id, &number, slots))
    }

    fn blacklist_list(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>> {
        self.read(move |c| limit_ops::blacklist_list(c, account_id))
    }

    fn blacklisted(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>> {
        let slots = self.slots;
        self.read(move |c| limit_ops::blacklisted(c, account_id, &numbers, slots))
    }

    fn unsubscribe(&self, account_id: i64, number: &str, keyword: &str, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        let (number, keyword) = (number.to_owned(), keyword.to_owned());
        let slots = self.slots;
        self.write(move |c| mo_ops::unsubscribe(c, account_id, &number, &keyword, now, slots))
    }

    fn unsubscribed(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        let slots = self.slots;
        self.read(move |c| mo_ops::unsubscribed(c, account_id, &numbers, slots))
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

    fn number_facts(
        &self,
        account_id: i64,
        numbers: Vec<String>,
        marketing: bool,
    ) -> BoxFuture<'_, Result<hongyan_store::NumberFacts>> {
        let numbers_len = numbers.len();
        let slots = self.slots;
        let facts = move |c: &rusqlite::Connection| {
            Ok(hongyan_store::NumberFacts {
                ported: limit_ops::ported(c, &numbers)?,
                blacklisted: limit_ops::blacklisted(c, account_id, &numbers, slots)?,
                unsubscribed: if marketing {
                    mo_ops::unsubscribed(c, account_id, &numbers, slots)?
                } else {
                    Vec::new()
                },
            })
        };
        // A handful of numbers is a few index seeks: read where the request runs.
        if numbers_len <= FACTS_HERE {
            return self.read_here(facts);
        }
        self.read(facts)
    }
}

impl MessageStore for SqliteStore {
    fn oldest_messages(&self, before: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<MessageDetail>>> {
        self.read(move |c| retention_ops::oldest(c, before, limit))
    }

    fn purge_messages(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| retention_ops::purge(c, &ids))
    }

    fn add_client_part(&self, part: ClientPart) -> BoxFuture<'_, Result<Vec<ClientPart>>> {
        self.write(move |c| client_ops::add_part(c, &part))
    }

    fn stale_client_groups(&self, before: Timestamp) -> BoxFuture<'_, Result<Vec<Vec<ClientPart>>>> {
        self.read(move |c| client_ops::stale_groups(c, before))
    }

    fn refuse_client_parts(&self, refusal: ClientRefusal) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| client_ops::refuse(c, &refusal))
    }

    fn expire_unreported(&self, before: Timestamp, now: Timestamp) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| feed_ops::expire_unreported(c, before, now))
    }

    fn insert_messages(
        &self,
        batch: Vec<NewMessage>,
        request: Option<RequestRecord>,
    ) -> BoxFuture<'_, Result<Vec<NewMessage>>> {
        if let Err(e) = hongyan_store::rules::request_is_whole(&batch, request.as_ref()) {
            return Box::pin(async { Err(e) });
        }
        if batch.len() > staged::STAGE_ABOVE {
            // Spawned: a caller that stops waiting must not leave the request half written.
            let Some(writes) = self.writes() else { return Box::pin(async { Err(StoreError::Closed) }) };
            let task = tokio::spawn(staged::insert(writes, batch, request));
            return Box::pin(async move {
                task.await.unwrap_or_else(|e| Err(StoreError::Backend(format!("writing a large request: {e}"))))
            });
        }
        // No savepoint even with a client reference: one used before is refused by the first
        // statement, before anything is written (see `writer.rs`).
        self.write_unguarded(move |c| write_ops::insert_messages(c, &batch, request.as_ref()).map(|()| batch))
    }

    fn undo_unfinished(&self) -> BoxFuture<'_, Result<usize>> {
        self.write(staged::undo_unfinished)
    }

    fn segments_since(&self, account_id: i64, since: MessageId) -> BoxFuture<'_, Result<u64>> {
        self.read(move |c| limit_ops::segments_since(c, account_id, since))
    }

    fn usage(&self, account_id: i64, from: MessageId, to: MessageId) -> BoxFuture<'_, Result<Vec<Usage>>> {
        self.read(move |c| limit_ops::usage(c, account_id, from, to))
    }

    fn status_counts(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
    ) -> BoxFuture<'_, Result<Vec<StatusCount>>> {
        self.read(move |c| limit_ops::status_counts(c, account_id, from, to))
    }

    fn accepted_series(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
        bucket_ms: i64,
    ) -> BoxFuture<'_, Result<Vec<(Timestamp, u64)>>> {
        self.read(move |c| limit_ops::accepted_series(c, account_id, (from, to), bucket_ms))
    }

    fn sent_to_since(
        &self,
        account_id: i64,
        to: &str,
        category: Category,
        since: MessageId,
    ) -> BoxFuture<'_, Result<Vec<Timestamp>>> {
        let to = to.to_owned();
        let slots = self.slots;
        self.read(move |c| limit_ops::sent_to_since(c, account_id, &to, category, since, slots))
    }

    fn find_request(&self, account_id: i64, client_ref: &str) -> BoxFuture<'_, Result<Option<StoredRequest>>> {
        // One look-up on the table's key, made for every request with a reference (every
        // SMPP and CMPP submit): where the request runs.
        let client_ref = client_ref.to_owned();
        self.read_here(move |c| read_ops::find_request(c, account_id, &client_ref))
    }

    fn record_submits(&self, outcomes: Vec<SubmitOutcome>) -> BoxFuture<'_, Result<()>> {
        self.write_unguarded(move |c| write_ops::record_submits(c, &outcomes))
    }

    fn apply_reports(&self, reports: Vec<ReportIn>) -> BoxFuture<'_, Result<Vec<ReportMatch>>> {
        self.write_unguarded(move |c| write_ops::apply_reports(c, &reports))
    }

    fn fail_messages(&self, failures: Vec<(MessageId, String)>, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| write_ops::fail_messages(c, &failures, now))
    }

    fn pending_dispatch(&self, after: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<PendingMessage>>> {
        self.read(move |c| read_ops::pending_dispatch(c, after, limit))
    }

    fn oldest_due(&self, now: Timestamp) -> BoxFuture<'_, Result<Option<Timestamp>>> {
        self.read(move |c| read_ops::oldest_due(c, now))
    }

    fn pending_by_ids(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<Vec<PendingMessage>>> {
        self.read(move |c| read_ops::pending_by_ids(c, &ids))
    }

    fn reassign_channel(&self, ids: Vec<MessageId>, from: String, to: String) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| write_ops::reassign_channel(c, &ids, &from, &to))
    }

    fn get_message(&self, account_id: i64, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>> {
        self.read(move |c| read_ops::get_message(c, Some(account_id), id))
    }

    fn find_message(&self, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>> {
        self.read(move |c| read_ops::get_message(c, None, id))
    }

    fn count_messages(&self, filter: MessageFilter, cap: u64) -> BoxFuture<'_, Result<u64>> {
        let slots = self.slots;
        self.read(move |c| read_ops::count_messages(c, &filter, cap, slots))
    }

    fn list_messages(&self, filter: MessageFilter) -> BoxFuture<'_, Result<Vec<MessageDetail>>> {
        let slots = self.slots;
        self.read(move |c| read_ops::list_messages(c, &filter, slots))
    }

    fn max_message_id(&self) -> BoxFuture<'_, Result<u64>> {
        self.read(read_ops::max_message_id)
    }
}

impl FeedStore for SqliteStore {
    fn record_push_attempt(&self, attempt: PushAttempt) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| push_ops::record_attempt(c, &attempt))
    }

    fn push_attempts_for(&self, message_id: MessageId) -> BoxFuture<'_, Result<Vec<PushAttempt>>> {
        self.read(move |c| push_ops::attempts_for(c, message_id))
    }

    fn feed_history(&self, filter: FeedFilter) -> BoxFuture<'_, Result<Vec<(i64, FeedEvent)>>> {
        let slots = self.slots;
        self.read(move |c| feed_ops::history(c, &filter, slots))
    }

    fn record_mo(&self, mo: NewMo) -> BoxFuture<'_, Result<MoRecord>> {
        let slots = self.slots;
        self.write(move |c| feed_ops::record_mo(c, &mo, slots))
    }

    fn feed(&self, account_id: i64, consumer: FeedConsumer, limit: usize) -> BoxFuture<'_, Result<Vec<FeedEvent>>> {
        self.read(move |c| feed_ops::events(c, account_id, consumer, limit))
    }

    fn ack_feed(&self, account_id: i64, consumer: FeedConsumer, seq: u64) -> BoxFuture<'_, Result<u64>> {
        self.write(move |c| feed_ops::ack(c, account_id, consumer, seq).map_err(backend))
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
}

impl UserStore for SqliteStore {
    fn create_user(&self, user: NewUser) -> BoxFuture<'_, Result<User>> {
        self.write(move |c| user_ops::create_user(c, &user))
    }

    fn find_user(&self, username: &str) -> BoxFuture<'_, Result<Option<User>>> {
        let username = username.to_owned();
        self.read(move |c| user_ops::find_user(c, &username))
    }

    fn count_users(&self) -> BoxFuture<'_, Result<u64>> {
        self.read(user_ops::count_users)
    }

    fn record_login_failure(
        &self,
        user_id: i64,
        failed: u32,
        locked_until: Option<Timestamp>,
    ) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| user_ops::login_failure(c, user_id, failed, locked_until))
    }

    fn list_users(&self) -> BoxFuture<'_, Result<Vec<User>>> {
        self.read(user_ops::list_users)
    }

    fn update_user(&self, user_id: i64, patch: UserPatch) -> BoxFuture<'_, Result<Option<User>>> {
        self.write(move |c| user_ops::update_user(c, user_id, patch))
    }

    fn record_login_success(&self, user_id: i64) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| user_ops::login_success(c, user_id))
    }

    fn set_password(
        &self,
        user_id: i64,
        hash: String,
        must_change: bool,
        keep: Option<Vec<u8>>,
    ) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| user_ops::set_password(c, user_id, &hash, must_change, keep.as_deref()))
    }

    fn create_session(&self, session: Session) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| user_ops::create_session(c, &session))
    }

    fn find_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<Option<(Session, User)>>> {
        self.read(move |c| user_ops::find_session(c, &token_hash))
    }

    fn touch_session(&self, token_hash: Vec<u8>, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| user_ops::touch_session(c, &token_hash, now))
    }

    fn delete_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<bool>> {
        self.write(move |c| user_ops::delete_session(c, &token_hash))
    }

    fn append_audit(&self, entry: AuditEntry) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| user_ops::append_audit(c, &entry))
    }

    fn audit(&self, filter: AuditFilter) -> BoxFuture<'_, Result<Vec<AuditRecord>>> {
        self.read(move |c| user_ops::audit(c, &filter))
    }
}

impl OperationsStore for SqliteStore {
    fn save_link_minutes(&self, rows: Vec<LinkMinute>) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| quality_ops::save(c, &rows))
    }

    fn link_minutes(
        &self,
        channel: &str,
        link: Option<u16>,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LinkMinute>>> {
        let channel = channel.to_owned();
        self.read(move |c| quality_ops::range(c, (&channel, link), from, to))
    }

    fn purge_link_minutes(&self, before: Timestamp) -> BoxFuture<'_, Result<usize>> {
        self.write(move |c| quality_ops::purge(c, before))
    }

    fn open_incident(&self, new: NewIncident) -> BoxFuture<'_, Result<Incident>> {
        self.write(move |c| incident_ops::open(c, &new))
    }

    fn update_incident(&self, id: i64, patch: IncidentPatch) -> BoxFuture<'_, Result<Option<Incident>>> {
        self.write(move |c| incident_ops::update(c, id, &patch))
    }

    fn get_incident(&self, id: i64) -> BoxFuture<'_, Result<Option<Incident>>> {
        self.read(move |c| incident_ops::get(c, id))
    }

    fn incidents(&self, filter: IncidentFilter) -> BoxFuture<'_, Result<Vec<Incident>>> {
        self.read(move |c| incident_ops::list(c, &filter))
    }

    fn raise_alert(&self, alert: AlertRecord) -> BoxFuture<'_, Result<AlertRecord>> {
        self.write(move |c| incident_ops::raise_alert(c, &alert))
    }

    fn alert_sent(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| incident_ops::alert_sent(c, id, at))
    }

    fn resolve_alert(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>> {
        self.write(move |c| incident_ops::resolve_alert(c, id, at))
    }

    fn alerts(&self, active_only: bool, limit: usize) -> BoxFuture<'_, Result<Vec<AlertRecord>>> {
        self.read(move |c| incident_ops::alerts(c, active_only, limit))
    }
}

impl Store for SqliteStore {
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

    fn is_full(&self) -> bool {
        self.writer_stats().full.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn free_bytes(&self) -> Option<u64> {
        crate::writer::free_space(self.path.parent()?)
    }
}
