//! [`ContentStore`]: what a message may say: signatures, templates and the notes of their reviews.

use crate::*;

/// What a message may say: signatures, templates and the notes of their reviews. All methods are
/// safe to call from many tasks at once.
pub trait ContentStore: Send + Sync {
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
}
