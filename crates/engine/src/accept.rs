//! Accepting a send request: validate, route, split, store in one commit, hand to dispatch.

use std::collections::{BTreeMap, HashMap};

use hongyan_store::{NewMessage, RequestRecord, SignatureStatus, StoreError};
use hongyan_types::{Carrier, Category, MessageId, PhoneNumber, Timestamp};

use crate::dispatch::Outbound;
use crate::template::{self, TemplateError};
use crate::Engine;
use crate::{replay, sign};

/// Longest content accepted, in UTF-16 code units (the unit carriers bill by): 500, as the
/// large Chinese SMS platforms allow, which is at most 8 segments.
pub const MAX_CONTENT_UNITS: usize = 500;
/// Most recipients in one request: a bulk notice to 100,000 taxpayers is one request and one
/// group commit.
pub const MAX_RECIPIENTS: usize = 100_000;

/// What a client asks to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    /// Recipients as the client wrote them.
    pub to: Vec<String>,
    /// Message text.
    pub content: String,
    /// Category.
    pub category: Category,
    /// The client's own reference: a repeat with the same one gets the first answer again and
    /// sends nothing (idempotency). Unique per account, 1–64 printable ASCII characters.
    pub client_ref: Option<String>,
    /// Send an approved template with these values instead of `content` (which is then empty).
    pub template: Option<TemplateRef>,
    /// Do not send before this time (at most 30 days ahead; a past time means now).
    pub send_at: Option<Timestamp>,
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
        Self { to, content: content.into(), category, client_ref: None, template: None, send_at: None }
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
    /// No recipient.
    #[error("`to` must list at least one number")]
    NoRecipients,
    /// More than [`MAX_RECIPIENTS`] recipients.
    #[error("{0} numbers in one request; the limit is {MAX_RECIPIENTS}")]
    TooManyRecipients(usize),
    /// The platform is draining for shutdown.
    #[error("the platform is shutting down and accepts no new messages")]
    ShuttingDown,
    /// Both `content` and a template, or neither.
    #[error("send either `content` or `template_id` (with `params`), not both or neither")]
    ContentOrTemplate,
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

impl Engine {
    /// Accepts a request for `account_id`. Every valid number is stored (all in one group
    /// commit, together with the client reference if there is one) before this returns;
    /// invalid ones get a per-number rejection, repeats a `Duplicate`. Either the whole batch
    /// is durable or the call fails and nothing was accepted. A request whose client reference
    /// the account already used gets that first answer back, marked `replayed`.
    pub async fn accept(&self, account_id: i64, req: SendRequest) -> Result<SendOutcome, AcceptError> {
        if !self.is_accepting() {
            return Err(AcceptError::ShuttingDown);
        }
        validate(&req)?;
        if let Some(r) = &req.client_ref {
            if let Some(first) = self.replay(account_id, r).await? {
                return Ok(first);
            }
        }
        let rules = self.signing_rules(account_id).await?;
        let text = self.text_of(account_id, &req, rules.free_text).await?;
        check_text(&text)?;
        if let Some(word) = self.sensitive_word(&text) {
            return Err(AcceptError::SensitiveWord(word));
        }
        let (content, source_ext) = sign::apply(&text, req.category, &rules)?;
        let len = hongyan_text::billing_len(&content);
        if len > MAX_CONTENT_UNITS {
            return Err(AcceptError::ContentTooLong(len));
        }
        let now = self.clock.now();
        if req.send_at.is_some_and(|t| t.as_millis() - now.as_millis() > crate::MAX_SCHEDULE_AHEAD_MS) {
            return Err(AcceptError::SendAtTooFar);
        }
        let send_at = self.hold_until(req.category, req.send_at, now);
        let signed = Signed { content, source_ext, send_at };
        let ported = self.ported(&req.to).await?;
        let (mut results, mut batch) = self.build(account_id, &req, &signed, &ported, now);
        self.screen(account_id, req.category, &mut results, &mut batch, now).await?;
        let segments = batch.first().map_or(0, |m| u64::from(m.segments));
        let reservation = self.reserve(account_id, batch.len() as u64, segments, now).await?;
        let record = req.client_ref.as_ref().map(|r| RequestRecord {
            account_id,
            client_ref: r.clone(),
            answer: replay::encode(&results),
            created_at: now,
        });
        if batch.is_empty() && record.is_none() {
            self.release(reservation);
            return Ok(SendOutcome { results, replayed: false });
        }
        match self.store.insert_messages(batch.clone(), record).await {
            Ok(()) => {}
            // Another request with the same reference committed first.
            Err(StoreError::Conflict(_)) if req.client_ref.is_some() => {
                self.release(reservation);
                let r = req.client_ref.as_deref().unwrap_or_default();
                return self.replay(account_id, r).await?.ok_or(AcceptError::BadClientRef);
            }
            Err(e) => {
                self.release(reservation);
                return Err(e.into());
            }
        }
        tracing::debug!(account_id, count = batch.len(), "accepted");
        if req.category == Category::Verification {
            self.record_sends(account_id, batch.iter().map(|m| m.to.as_str()), now);
        }
        batch.into_iter().for_each(|message| self.enqueue(Outbound { message, skip_segments: Vec::new() }));
        Ok(SendOutcome { results, replayed: false })
    }

    /// Per-number screening after routing: the blacklist, then frequency limits. A screened
    /// number's result turns into a rejection and its message leaves the batch.
    async fn screen(
        &self,
        account_id: i64,
        category: Category,
        results: &mut [NumberResult],
        batch: &mut Vec<NewMessage>,
        now: Timestamp,
    ) -> Result<(), AcceptError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.refresh_usage(account_id, now).await?;
        let numbers: Vec<String> = batch.iter().map(|m| m.to.clone()).collect();
        let mut refused: HashMap<String, (&'static str, String)> = HashMap::new();
        for e in self.store.blacklisted(account_id, numbers).await? {
            refused.insert(e.number, ("blacklisted", format!("the number is on the blacklist ({})", e.reason)));
        }
        let open: Vec<String> = batch.iter().map(|m| m.to.clone()).filter(|n| !refused.contains_key(n)).collect();
        for (n, reason) in self.over_frequency(account_id, &open, category, now).await? {
            refused.insert(n, ("frequency_limited", reason));
        }
        if refused.is_empty() {
            return Ok(());
        }
        for r in results.iter_mut() {
            if let NumberResult::Accepted { input, to, .. } = r {
                if let Some((code, reason)) = refused.get(to.as_str()) {
                    *r = NumberResult::Rejected { input: std::mem::take(input), code, reason: reason.clone() };
                }
            }
        }
        batch.retain(|m| !refused.contains_key(&m.to));
        Ok(())
    }

    /// The text to send: the content, or the rendered template.
    async fn text_of(&self, account_id: i64, req: &SendRequest, free_text: bool) -> Result<String, AcceptError> {
        let Some(t) = &req.template else {
            return if free_text { Ok(req.content.clone()) } else { Err(AcceptError::FreeTextNotAllowed) };
        };
        let tpl = self
            .store
            .get_template(account_id, t.id)
            .await?
            .filter(|tpl| tpl.status == SignatureStatus::Approved)
            .ok_or(AcceptError::UnknownTemplate(t.id))?;
        if tpl.category != req.category {
            return Err(AcceptError::TemplateCategory { id: t.id, template: tpl.category, requested: req.category });
        }
        Ok(template::render(&tpl.body, &t.params, tpl.category)?)
    }

    async fn replay(&self, account_id: i64, client_ref: &str) -> Result<Option<SendOutcome>, AcceptError> {
        let Some(answer) = self.store.find_request(account_id, client_ref).await? else { return Ok(None) };
        let results = replay::decode(&answer).map_err(|e| StoreError::Backend(format!("stored answer: {e}")))?;
        Ok(Some(SendOutcome { results, replayed: true }))
    }

    /// Per-number results and the messages to store.
    fn build(
        &self,
        account_id: i64,
        req: &SendRequest,
        signed: &Signed,
        ported: &HashMap<String, Carrier>,
        now: Timestamp,
    ) -> (Vec<NumberResult>, Vec<NewMessage>) {
        let segments = hongyan_text::count_segments(&signed.content) as u8;
        let mut results = Vec::with_capacity(req.to.len());
        let mut batch = Vec::with_capacity(req.to.len());
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(req.to.len());
        for (index, input) in req.to.iter().enumerate() {
            let input = input.clone();
            let (number, channel) = match self.route(&input, ported) {
                Ok(routed) => routed,
                Err((code, reason)) => {
                    results.push(NumberResult::Rejected { input, code, reason });
                    continue;
                }
            };
            if let Some(&first) = seen.get(number.national()) {
                results.push(NumberResult::Duplicate { input, first });
                continue;
            }
            seen.insert(number.national().to_owned(), index);
            let message = NewMessage {
                id: self.ids.next(now),
                account_id,
                to: number.national().to_owned(),
                carrier: number.carrier(),
                category: req.category,
                content: signed.content.clone(),
                segments,
                channel,
                source_ext: signed.source_ext.clone(),
                accepted_at: now,
                send_at: signed.send_at,
            };
            results.push(NumberResult::Accepted {
                input,
                message_id: message.id,
                to: message.to.clone(),
                carrier: message.carrier,
                segments,
            });
            batch.push(message);
        }
        (results, batch)
    }

    /// Numbers of the request that were ported to another carrier (携号转网), in one look-up.
    async fn ported(&self, inputs: &[String]) -> Result<HashMap<String, Carrier>, StoreError> {
        let numbers: Vec<String> =
            inputs.iter().filter_map(|i| PhoneNumber::parse(i).ok()).map(|n| n.national().to_owned()).collect();
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self.store.ported(numbers).await?.into_iter().collect())
    }

    fn route(
        &self,
        input: &str,
        ported: &HashMap<String, Carrier>,
    ) -> Result<(PhoneNumber, String), (&'static str, String)> {
        let parsed = PhoneNumber::parse(input).map_err(|e| ("invalid_number", e.to_string()))?;
        // The portability table overrides the segment's carrier.
        let number = match ported.get(parsed.national()) {
            Some(c) => PhoneNumber::from_parts(parsed.national().to_owned(), *c),
            None => parsed,
        };
        let Some(channel) = self.routes.pick(&number) else {
            let carrier = number.carrier();
            let reason = if self.routes.has_carrier(carrier) {
                format!("no channel serves this {carrier} number segment")
            } else {
                format!("no channel serves {carrier} numbers yet")
            };
            return Err(("no_channel", reason));
        };
        Ok((number, channel.to_owned()))
    }
}

/// The content as it will be sent, the signature's extension code, and when it may go.
struct Signed {
    content: String,
    source_ext: String,
    send_at: Option<Timestamp>,
}

/// The text before signing: not blank, not over the limit.
fn check_text(text: &str) -> Result<(), AcceptError> {
    if text.trim().is_empty() {
        return Err(AcceptError::EmptyContent);
    }
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
    if let Some(r) = &req.client_ref {
        if r.is_empty() || r.len() > 64 || !r.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AcceptError::BadClientRef);
        }
    }
    Ok(())
}
