//! Client systems on SMPP and CMPP: their logins, and their submits taken into the same accept
//! pipeline as the HTTP API's (limits, signatures, words, routing), whatever the protocol.
//!
//! A long message arrives as parts, each answered with its own id at once. An answered part is
//! durable before its answer (kept in the store), and the message is accepted when the last
//! part comes, or, if it never does, with the parts there are once they are
//! [`PART_WAIT_MS`] old: an acknowledged part is never dropped. The client reference
//! `<protocol>:<first part id>` makes accepting a group idempotent, so a crash between keeping
//! the last part and accepting the whole is repaired by doing it again. The reference also
//! carries the time the (first) part arrived: a CMPP Msg_Id, in CMPP's layout, repeats once a
//! year, and a repeat must never be taken for a replay of an old message. A whole refused for
//! good (too long, a sensitive word, a refused number, …) is settled at once and never tried
//! again: its parts go, and the parts already acknowledged are owed REJECTD receipts.

use hongyan_store::{ClientLogin, ClientOrigin, ClientPart, ClientRefusal, StoreError};
use hongyan_types::{Category, MessageId, Timestamp, UnknownCategory};

use crate::auth::{AuthError, Caller};
use crate::{AcceptError, Engine, NumberResult, SendRequest};

/// How long the parts of an unfinished long message wait for the rest.
pub const PART_WAIT_MS: i64 = 60_000;

/// One submit of a client system, in protocol-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSubmit {
    /// `smpp` or `cmpp`.
    pub protocol: &'static str,
    /// The id the client is given for it.
    pub client_msg_id: String,
    /// The client's source address (echoed in receipts).
    pub source: String,
    /// The recipient as the client wrote it.
    pub to: String,
    /// The category it goes under.
    pub category: Category,
    /// Whether the client asked for a receipt.
    pub receipt: bool,
    /// The decoded text of this submit (one part of a long message, or all of it).
    pub text: String,
    /// `(group key, part number, total)` when it is one part of several.
    pub part: Option<(String, u8, u8)>,
    /// Who sent it: the login (`smpp:<system_id>`, `cmpp:<SP id>`), set by the connection.
    pub sender: String,
    /// The client's address, set by the connection.
    pub client_addr: String,
}

/// A client system's checked login: who it acts for, and the category its submits take when
/// they name none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCaller {
    /// The account, and the login as `<protocol>:<login>`.
    pub caller: Caller,
    /// The login's default category (a name); `None`: notification.
    pub default_category: Option<String>,
}

/// What became of a submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSubmitOutcome {
    /// Accepted as (or completing) this message.
    Accepted(MessageId),
    /// A part kept until the rest of its message arrives.
    Kept,
    /// Refused for its number (invalid, blacklisted, over a frequency limit, …).
    Refused {
        /// Machine-readable reason, as in the HTTP API.
        code: &'static str,
        /// Human-readable reason.
        reason: String,
    },
}

impl Engine {
    /// A new id for a client's submit: unique, time-ordered, the same space as message ids.
    pub fn next_client_msg_id(&self) -> MessageId {
        self.ids.next(self.clock.now())
    }

    /// Gives an account a protocol login: `login` or one made from the account id, and a
    /// random secret of `secret_len` letters and digits (SMPP passwords hold 8 at most).
    pub async fn create_client_login(
        &self,
        account_id: i64,
        protocol: &str,
        login: String,
        secret_len: usize,
    ) -> Result<ClientLogin, StoreError> {
        self.create_client_login_in(account_id, protocol, login, secret_len, None).await
    }

    /// [`Engine::create_client_login`] whose submits that name no category take `default`.
    pub async fn create_client_login_in(
        &self,
        account_id: i64,
        protocol: &str,
        login: String,
        secret_len: usize,
        default: Option<Category>,
    ) -> Result<ClientLogin, StoreError> {
        let secret = crate::auth::random_text(secret_len)?;
        let l = ClientLogin {
            protocol: protocol.into(),
            login,
            account_id,
            secret,
            created_at: self.clock.now(),
            default_category: default.map(|c| c.name().to_owned()),
        };
        self.store.create_client_login(l.clone()).await?;
        Ok(l)
    }

    /// The category a client's submit goes under: the one its service_type / Service_Id names
    /// by short code or full name; with none named (empty), the login's `default`, or
    /// notification for a login without one. An unknown name, or a default no longer
    /// configured, is an error the server refuses the submit with.
    pub fn client_category(&self, default: Option<&str>, named: &str) -> Result<Category, UnknownCategory> {
        let categories = self.categories.read().expect("categories lock");
        match (named.trim(), default) {
            ("", None) => Ok(Category::NOTIFICATION),
            ("", Some(default)) => categories.parse(default),
            (named, _) => categories.by_code(named),
        }
    }

    /// Checks a login and its plain secret (SMPP bind).
    pub async fn client_login(&self, protocol: &str, login: &str, secret: &str) -> Result<ClientCaller, AuthError> {
        let (caller, known) = self.client_secret(protocol, login).await?.ok_or(AuthError::Invalid)?;
        if crate::auth::same(known.as_bytes(), secret.as_bytes()) {
            Ok(caller)
        } else {
            Err(AuthError::Invalid)
        }
    }

    /// The account and secret of a login of an enabled account, for protocols that prove the
    /// secret without sending it (CMPP's MD5 authenticator).
    pub async fn client_secret(
        &self,
        protocol: &str,
        login: &str,
    ) -> Result<Option<(ClientCaller, String)>, StoreError> {
        let Some((l, account)) = self.store.find_client_login(protocol, login).await? else { return Ok(None) };
        if !account.usable(self.clock.now()) {
            return Ok(None);
        }
        let caller =
            Caller { account_id: account.id, account_name: account.name, key_id: format!("{protocol}:{login}") };
        Ok(Some((ClientCaller { caller, default_category: l.default_category }, l.secret)))
    }

    /// Takes one submit of a client system.
    pub async fn client_submit(&self, account_id: i64, s: ClientSubmit) -> Result<ClientSubmitOutcome, AcceptError> {
        let Some((group_key, part, total)) = s.part.clone().filter(|(_, _, total)| *total > 1) else {
            let origin = ClientOrigin {
                protocol: s.protocol.into(),
                part_ids: vec![s.client_msg_id.clone()],
                source: s.source.clone(),
                receipt: s.receipt,
                group: None,
            };
            let who = (s.sender.as_str(), s.client_addr.as_str());
            let now = self.clock.now();
            return self.accept_whole(account_id, &s.to, s.text, s.category, origin, (who, now)).await;
        };
        let kept = ClientPart {
            account_id,
            protocol: s.protocol.into(),
            group_key,
            part,
            total,
            client_msg_id: s.client_msg_id,
            source: s.source,
            to: s.to,
            category: s.category.name().to_owned(),
            receipt: s.receipt,
            text: s.text,
            received_at: self.clock.now(),
            sender: s.sender,
            client_addr: s.client_addr,
        };
        let answering = kept.client_msg_id.clone();
        let whole = self.store.add_client_part(kept).await?;
        if whole.is_empty() {
            return Ok(ClientSubmitOutcome::Kept);
        }
        let outcome = self.accept_parts(whole.clone()).await;
        self.settle_refused(&whole, Some(&answering), &outcome).await;
        outcome
    }

    /// A long message refused for good is settled at once: its kept parts go, and each part
    /// already acknowledged is owed a REJECTD receipt (the part being answered learns of the
    /// refusal from its own answer). Nothing is left for [`Engine::flush_client_parts`] to try
    /// again, since it would be refused again, every time. A refusal that may pass later
    /// (over the rate, shutting down, the store's trouble) leaves the parts kept.
    async fn settle_refused(
        &self,
        parts: &[ClientPart],
        answering: Option<&str>,
        outcome: &Result<ClientSubmitOutcome, AcceptError>,
    ) {
        let error = match outcome {
            // The code, not the reason: a reason may quote the number, and this is kept.
            Ok(ClientSubmitOutcome::Refused { code, .. }) => format!("refused for its number: {code}"),
            Err(e) if e.is_permanent() => e.to_string(),
            _ => return,
        };
        let Some(first) = parts.first() else { return };
        let refusal = ClientRefusal {
            account_id: first.account_id,
            protocol: first.protocol.clone(),
            group_key: first.group_key.clone(),
            part_ids: parts
                .iter()
                .map(|p| p.client_msg_id.clone())
                .filter(|id| Some(id.as_str()) != answering)
                .collect(),
            source: first.source.clone(),
            to: first.to.clone(),
            receipt: parts.iter().any(|p| p.receipt),
            error,
            accepted_at: first.received_at,
            refused_at: self.clock.now(),
        };
        tracing::warn!(protocol = %refusal.protocol, parts = parts.len(), error = %refusal.error, "long message from a client refused; its acknowledged parts get REJECTD receipts");
        if let Err(e) = self.store.refuse_client_parts(refusal).await {
            // The parts stay kept, so the next flush refuses and settles them again.
            tracing::warn!(error = %e, "refused long message not settled yet");
        }
    }

    /// Accepts, as they are, long messages whose parts stopped coming (and any whole group a
    /// crash left behind). Returns how many groups were settled.
    pub async fn flush_client_parts(&self) -> Result<usize, AcceptError> {
        let before = Timestamp::from_millis(self.clock.now().as_millis() - PART_WAIT_MS);
        let groups = self.store.stale_client_groups(before).await?;
        let n = groups.len();
        for parts in groups {
            let (have, of) = (parts.len(), parts.first().map_or(0, |p| p.total));
            let outcome = self.accept_parts(parts.clone()).await;
            tracing::warn!(have, of, ?outcome, "long message from a client accepted with the parts that came");
            self.settle_refused(&parts, None, &outcome).await;
        }
        Ok(n)
    }

    async fn accept_parts(&self, parts: Vec<ClientPart>) -> Result<ClientSubmitOutcome, AcceptError> {
        let first = parts.first().cloned().ok_or(AcceptError::NoRecipients)?;
        let category = self.category(&first.category).unwrap_or(Category::NOTIFICATION);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        let origin = ClientOrigin {
            protocol: first.protocol.clone(),
            part_ids: parts.iter().map(|p| p.client_msg_id.clone()).collect(),
            source: first.source.clone(),
            receipt: parts.iter().any(|p| p.receipt),
            group: Some((first.account_id, first.group_key.clone())),
        };
        let who = (first.sender.as_str(), first.client_addr.as_str());
        self.accept_whole(first.account_id, &first.to, text, category, origin, (who, first.received_at)).await
    }

    async fn accept_whole(
        &self,
        account_id: i64,
        to: &str,
        text: String,
        category: Category,
        origin: ClientOrigin,
        ((sender, client_addr), received): ((&str, &str), Timestamp),
    ) -> Result<ClientSubmitOutcome, AcceptError> {
        let protocol = origin.protocol.clone();
        let mut req = SendRequest::new(vec![to.to_owned()], text, category).sent_by(sender, &protocol, client_addr);
        req.client_ref = Some(format!("{}:{}:{}", origin.protocol, origin.part_ids[0], received.as_millis()));
        req.origin = Some(origin);
        let outcome = self.accept(account_id, req).await?;
        Ok(match outcome.results.into_iter().next() {
            Some(NumberResult::Accepted { message_id, .. }) => ClientSubmitOutcome::Accepted(message_id),
            Some(NumberResult::Rejected { code, reason, .. }) => ClientSubmitOutcome::Refused { code, reason },
            Some(NumberResult::Duplicate { .. }) | None => {
                ClientSubmitOutcome::Refused { code: "invalid_number", reason: "no recipient".into() }
            }
        })
    }
}
