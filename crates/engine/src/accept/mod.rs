//! Accepting a send request: validate, route, split, store in one commit, hand to dispatch.

mod handover;
mod numbers;
mod text;

use std::collections::BTreeMap;
use std::sync::Arc;

use hongyan_store::{NewMessage, RequestRecord, StoreError};
use hongyan_types::{Carrier, Category, CategoryKind, MessageId, Timestamp};

use crate::replay;
use crate::template::TemplateError;
use crate::Engine;

/// Longest content accepted, in UTF-16 code units (the unit carriers bill by): 500, as the
/// large Chinese SMS platforms allow, which is at most 8 segments.
pub const MAX_CONTENT_UNITS: usize = 500;
/// Most recipients in one request: a bulk notice to 100,000 taxpayers is one request and one
/// group commit.
pub const MAX_RECIPIENTS: usize = 100_000;
/// Most recipients in one personalised batch (a text rendered per number).
pub const MAX_PERSONALISED: usize = 10_000;

/// What a client asks to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    /// Recipients as the client wrote them.
    pub to: Vec<String>,
    /// Message text.
    pub content: String,
    /// Category.
    pub category: Category,
    /// The part ids a client system was given over SMPP or CMPP (one recipient only).
    pub origin: Option<hongyan_store::ClientOrigin>,
    /// A callback URL for this request's reports, if the account has that right.
    pub callback_url: Option<String>,
    /// The client's own reference: a repeat with the same one gets the first answer again and
    /// sends nothing (idempotency). Unique per account, 1–64 printable ASCII characters.
    pub client_ref: Option<String>,
    /// Send an approved template with these values instead of `content` (which is then empty).
    pub template: Option<TemplateRef>,
    /// Do not send before this time (at most 30 days ahead; a past time means now).
    pub send_at: Option<Timestamp>,
    /// A personalised batch: one set of template values per number of `to` (same length),
    /// laid over the template's common `params`. Empty for the same text to every number.
    pub personal: Vec<BTreeMap<String, String>>,
    /// Who is sending and how (principal, interface, address), recorded with every message;
    /// its client reference and template are taken from this request.
    pub provenance: hongyan_store::Provenance,
    /// Route around this channel where another serves the number (alerts about it).
    pub avoid_channel: Option<String>,
}

/// A template and the values for its variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    /// Template id.
    pub id: i64,
    /// Variable name → value.
    pub params: BTreeMap<String, String>,
}

impl SendRequest {
    /// A free-text request with no client reference.
    pub fn new(to: Vec<String>, content: impl Into<String>, category: Category) -> Self {
        Self {
            to,
            content: content.into(),
            category,
            origin: None,
            callback_url: None,
            client_ref: None,
            template: None,
            send_at: None,
            personal: Vec::new(),
            provenance: hongyan_store::Provenance::default(),
            avoid_channel: None,
        }
    }

    /// The same request, recorded as sent by `sender` through `interface` from `client_addr`.
    pub fn sent_by(self, sender: impl Into<String>, interface: &str, client_addr: impl Into<String>) -> Self {
        let provenance = hongyan_store::Provenance {
            sender: sender.into(),
            interface: interface.into(),
            client_addr: client_addr.into(),
            ..hongyan_store::Provenance::default()
        };
        Self { provenance, ..self }
    }
}

/// The answer for one recipient, in request order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberResult {
    /// Stored and queued.
    Accepted {
        /// The number as written by the client.
        input: String,
        /// New message id.
        message_id: MessageId,
        /// Normalised 11-digit number.
        to: String,
        /// Carrier it routes to.
        carrier: Carrier,
        /// Segments it takes.
        segments: u8,
    },
    /// Not stored.
    Rejected {
        /// The number as written by the client.
        input: String,
        /// Machine-readable reason: `invalid_number` or `no_channel`.
        code: &'static str,
        /// Human-readable reason.
        reason: String,
    },
    /// The same number (after normalisation) appeared earlier in the request; sent once.
    Duplicate {
        /// The number as written by the client.
        input: String,
        /// Index in `to` of its first occurrence.
        first: usize,
    },
}

/// The answer to a whole request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    /// One entry per recipient, in request order.
    pub results: Vec<NumberResult>,
    /// True when this is the stored answer to an earlier request with the same client
    /// reference: nothing was sent this time.
    pub replayed: bool,
}

/// Why a whole request was refused; nothing of it was stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcceptError {
    /// The content is empty or only whitespace.
    #[error("content is empty")]
    EmptyContent,
    /// The content is longer than [`MAX_CONTENT_UNITS`].
    #[error("content is {0} characters long; the limit is {MAX_CONTENT_UNITS} (UTF-16 code units, an emoji counts 2)")]
    ContentTooLong(usize),
    /// The client reference was used before for a different request.
    #[error("client_ref `{0}` was already used for a different request (other numbers, text, template, category, send time or callback); use a new client_ref, or repeat the first request exactly to get its answer")]
    ClientRefConflict(String),
    /// The content holds a control or bidi character, or nothing visible.
    #[error("content {0}")]
    UnsafeContent(hongyan_text::UnsafeText),
    /// No recipient.
    #[error("`to` must list at least one number")]
    NoRecipients,
    /// More than [`MAX_RECIPIENTS`] recipients.
    #[error("{0} numbers in one request; the limit is {MAX_RECIPIENTS}")]
    TooManyRecipients(usize),
    /// The platform is draining for shutdown.
    #[error("the platform is shutting down and accepts no new messages")]
    ShuttingDown,
    /// A personalised batch that is not one template value set per number, or too large.
    #[error("a personalised batch gives template values for each of its 1–{MAX_PERSONALISED} numbers and names a template_id")]
    BadPersonalisation,
    /// Both `content` and a template, or neither.
    #[error("send either `content` or `template_id` (with `params`), not both or neither")]
    ContentOrTemplate,
    /// The account may not send under this category.
    #[error("this account may not send {0} messages")]
    CategoryNotAllowed(Category),
    /// The request names a callback URL, and the account may not.
    #[error(
        "this account may not name a callback URL in a request; its reports go to the callback an administrator set"
    )]
    CallbackNotAllowed,
    /// The account may only send approved templates.
    #[error("this account may only send approved templates, not free text")]
    FreeTextNotAllowed,
    /// No such template for the account, or not approved.
    #[error("template {0} does not exist for this account or is not approved")]
    UnknownTemplate(i64),
    /// The template is for another category.
    #[error("template {id} is a {template} template, not {requested}")]
    TemplateCategory {
        /// The template.
        id: i64,
        /// Its category.
        template: Category,
        /// The request's category.
        requested: Category,
    },
    /// The parameters do not fit the template.
    #[error("template parameters: {0}")]
    TemplateParams(#[from] TemplateError),
    /// The content contains a word on the sensitive-word list.
    #[error("the content contains the sensitive word `{0}`")]
    SensitiveWord(String),
    /// The account has no approved signature for the category.
    #[error("the account has no approved signature for {0} messages; ask an administrator to approve one")]
    NoSignature(Category),
    /// The content carries another signature than the account's for the category.
    #[error("the content is signed 【{found}】 but this account's signature for the category is 【{expected}】")]
    SignatureMismatch {
        /// The signature found in the content.
        found: String,
        /// The account's signature.
        expected: String,
    },
    /// The account is sending faster than its rate.
    #[error("over the account's rate of {rate} messages a second; retry in {retry_after_ms} ms")]
    RateLimited {
        /// The account's rate.
        rate: u32,
        /// When enough capacity is back for this request.
        retry_after_ms: u64,
    },
    /// The request would take the account over a quota (billing segments).
    #[error("the {period} quota of {quota} segments would be exceeded: {used} used, this request needs {needed}")]
    QuotaExceeded {
        /// `daily` or `monthly`.
        period: &'static str,
        /// The quota.
        quota: u64,
        /// Used so far in the period.
        used: u64,
        /// What this request needs.
        needed: u64,
    },
    /// `send_at` is more than 30 days ahead.
    #[error("send_at may be at most 30 days ahead")]
    SendAtTooFar,
    /// `client_ref` is empty, too long or not printable ASCII.
    #[error("client_ref must be 1–64 printable ASCII characters")]
    BadClientRef,
    /// The store could not commit; nothing was accepted.
    #[error("could not store the messages")]
    Store(#[from] StoreError),
}

impl AcceptError {
    /// True when the same request would be refused again, whenever it came: everything but
    /// the rate, a shutdown and the store's trouble.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, Self::RateLimited { .. } | Self::ShuttingDown | Self::Store(_))
    }

    /// The code a per-number rejection carries when this error concerns one number of a
    /// personalised batch.
    fn per_number_code(&self) -> &'static str {
        match self {
            Self::EmptyContent => "empty_content",
            Self::ContentTooLong(_) => "content_too_long",
            Self::UnsafeContent(_) => "unsafe_content",
            Self::SensitiveWord(_) => "sensitive_word",
            Self::SignatureMismatch { .. } => "signature_mismatch",
            Self::NoSignature(_) => "no_signature",
            Self::TemplateParams(_) => "invalid_params",
            _ => "rejected",
        }
    }
}

/// Requests with more numbers than this take turns (one built and stored at a time).
const LARGE_REQUEST: usize = 1_000;

impl Engine {
    /// Accepts a request for `account_id`. Every valid number is stored (all or nothing,
    /// together with the client reference if there is one) before this returns; invalid ones
    /// get a per-number rejection, repeats a `Duplicate`. Either the whole batch is durable or
    /// the call fails and nothing was accepted. A request whose client reference
    /// the account already used gets that first answer back, marked `replayed`.
    pub async fn accept(&self, account_id: i64, req: SendRequest) -> Result<SendOutcome, AcceptError> {
        if !self.is_accepting() {
            return Err(AcceptError::ShuttingDown);
        }
        validate(&req)?;
        // A client link's one-part submit is referenced by the id this platform has just
        // given it, so no earlier request can hold that reference and it cannot come again:
        // no look-up, no hash, no answer kept (a read and a write per SMPP/CMPP submit). A
        // long message put together from kept parts can come again after a restart, under
        // the same reference, and is treated as any other.
        let fresh_ref = req.origin.as_ref().is_some_and(|o| o.group.is_none());
        let hash = req.client_ref.as_ref().filter(|_| !fresh_ref).map(|_| replay::request_hash(&req));
        if let (Some(r), Some(h)) = (&req.client_ref, &hash) {
            if let Some(first) = self.replay(account_id, r, h).await? {
                return Ok(first);
            }
        }
        if !self.category_allowed(account_id, req.category.name()).await? {
            return Err(AcceptError::CategoryNotAllowed(req.category));
        }
        if req.callback_url.is_some() && !self.store.callback_per_request(account_id).await? {
            return Err(AcceptError::CallbackNotAllowed);
        }
        // Large requests take turns from here to their commit: each holds about 250 bytes a
        // number until its channel takes it over, and three requests of 100,000 built and
        // written side by side peaked at 170 MB. Waiting, a request holds only its numbers.
        let _turn = match req.to.len() > LARGE_REQUEST {
            true => Some(self.large_turn.acquire().await.map_err(|_| AcceptError::ShuttingDown)?),
            false => None,
        };
        let now = self.clock.now();
        let texts = self.prepare_texts(account_id, &req, now).await?;
        let facts = self.number_facts(account_id, &req).await?;
        let ported: std::collections::HashMap<String, Carrier> = facts.ported.iter().cloned().collect();
        let (mut results, mut batch) = self.build(account_id, &req, &texts, &ported, now);
        // The price is fixed now: a later change of the price table does not reprice it.
        if let Some(prices) = self.rights(account_id).await?.prices {
            for m in &mut batch {
                m.unit_price = prices.price(m.carrier, m.category.name());
            }
        }
        self.screen(account_id, req.category, &facts, &mut results, &mut batch, now).await?;
        self.commit(account_id, &req, hash, results, batch, now).await
    }

    /// Reserves limits, stores the batch (with the client reference) and hands it on.
    async fn commit(
        &self,
        account_id: i64,
        req: &SendRequest,
        hash: Option<Vec<u8>>,
        results: Vec<NumberResult>,
        batch: Vec<NewMessage>,
        now: Timestamp,
    ) -> Result<SendOutcome, AcceptError> {
        let segments: u64 = batch.iter().map(|m| u64::from(m.segments)).sum();
        let reservation = self.reserve(account_id, batch.len() as u64, segments, now).await?;
        let record = req.client_ref.as_ref().map(|r| RequestRecord {
            account_id,
            client_ref: r.clone(),
            answer: hash.is_some().then(|| replay::encode(&results)),
            request_hash: hash.clone(),
            created_at: now,
            origin: req.origin.clone(),
        });
        if batch.is_empty() && record.is_none() {
            self.release(reservation);
            return Ok(SendOutcome { results, replayed: false });
        }
        let insert = {
            let store = Arc::clone(&self.store);
            Box::pin(async move { store.insert_messages(batch, record).await })
        };
        let abandoned = self.if_abandoned(account_id, req.category, reservation.clone(), now);
        let batch = match handover::Handover::new(insert, abandoned).await {
            Ok(batch) => batch,
            Err(e) => {
                self.release(reservation);
                return match (e, &req.client_ref) {
                    // Another request with the same reference committed first.
                    (StoreError::Conflict(_), Some(r)) => {
                        let hash = hash.unwrap_or_default();
                        self.replay(account_id, r, &hash).await?.ok_or(AcceptError::BadClientRef)
                    }
                    (e, _) => Err(e.into()),
                };
            }
        };
        tracing::debug!(account_id, count = batch.len(), "accepted");
        if req.category.is(CategoryKind::Verification) {
            self.record_sends(account_id, batch.iter().map(|m| m.to.as_str()), now);
        }
        self.enqueue_batch(batch);
        Ok(SendOutcome { results, replayed: false })
    }

    /// What a committed request still needs when its caller stopped waiting for the commit:
    /// its verification sends counted and its messages handed on; a failed one frees its
    /// quota. Exactly one of this and the caller's own path runs.
    fn if_abandoned(
        &self,
        account_id: i64,
        category: Category,
        reservation: crate::limits::Reservation,
        now: Timestamp,
    ) -> handover::Abandoned {
        let engine = self.me.clone();
        Box::new(move |outcome| {
            let Some(engine) = engine.upgrade() else { return };
            match outcome {
                Ok(batch) => {
                    tracing::info!(account_id, count = batch.len(), "accepted; its caller had stopped waiting");
                    if category.is(CategoryKind::Verification) {
                        engine.record_sends(account_id, batch.iter().map(|m| m.to.as_str()), now);
                    }
                    engine.enqueue_batch(batch);
                }
                Err(_) => engine.release(reservation),
            }
        })
    }

    /// The first answer to this reference, if the request is the same one; a different
    /// request under a used reference is a conflict (references stored before hashes were
    /// kept replay as they always did).
    async fn replay(&self, account_id: i64, client_ref: &str, hash: &[u8]) -> Result<Option<SendOutcome>, AcceptError> {
        let Some(stored) = self.store.find_request(account_id, client_ref).await? else { return Ok(None) };
        if stored.request_hash.as_deref().is_some_and(|h| h != hash) {
            return Err(AcceptError::ClientRefConflict(client_ref.to_owned()));
        }
        let results = replay::decode(&stored.answer).map_err(|e| StoreError::Backend(format!("stored answer: {e}")))?;
        Ok(Some(SendOutcome { results, replayed: true }))
    }
}

/// The text before signing: not blank, nothing unsafe to deliver, not over the limit.
fn check_text(text: &str) -> Result<(), AcceptError> {
    if text.trim().is_empty() {
        return Err(AcceptError::EmptyContent);
    }
    hongyan_text::check_safe(text).map_err(AcceptError::UnsafeContent)?;
    let len = hongyan_text::billing_len(text);
    if len > MAX_CONTENT_UNITS {
        return Err(AcceptError::ContentTooLong(len));
    }
    Ok(())
}

fn validate(req: &SendRequest) -> Result<(), AcceptError> {
    if req.template.is_some() && !req.content.is_empty() {
        return Err(AcceptError::ContentOrTemplate);
    }
    if req.template.is_none() {
        check_text(&req.content)?;
    }
    if req.to.is_empty() {
        return Err(AcceptError::NoRecipients);
    }
    if req.to.len() > MAX_RECIPIENTS {
        return Err(AcceptError::TooManyRecipients(req.to.len()));
    }
    let personalised = !req.personal.is_empty();
    if personalised && (req.template.is_none() || req.personal.len() != req.to.len() || req.to.len() > MAX_PERSONALISED)
    {
        return Err(AcceptError::BadPersonalisation);
    }
    if let Some(r) = &req.client_ref {
        if r.is_empty() || r.len() > 64 || !r.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AcceptError::BadClientRef);
        }
    }
    Ok(())
}
