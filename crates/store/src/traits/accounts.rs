//! [`AccountStore`]: interface accounts: their keys, rights, limits, callback settings and logins
//! for the SMPP and CMPP servers.

use crate::*;

/// Interface accounts: their keys, rights, limits, callback settings and logins for the SMPP and
/// CMPP servers. All methods are safe to call from many tasks at once.
pub trait AccountStore: Send + Sync {
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
    /// Whether the account may send free text (not only templates).
    fn free_text_allowed(&self, account_id: i64) -> BoxFuture<'_, Result<bool>>;
    /// Grants or withdraws the free-text right.
    fn set_free_text(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<()>>;
    /// An account's limits (defaults when it has set none).
    fn account_limits(&self, account_id: i64) -> BoxFuture<'_, Result<AccountLimits>>;
    /// Replaces an account's limits.
    fn set_account_limits(&self, account_id: i64, limits: AccountLimits) -> BoxFuture<'_, Result<()>>;
    /// Sets (or clears) an account's callback.
    fn set_callback(&self, account_id: i64, callback: Option<Callback>) -> BoxFuture<'_, Result<bool>>;
    /// An account's callback.
    fn callback(&self, account_id: i64) -> BoxFuture<'_, Result<Option<Callback>>>;
    /// Gives or takes the right to name a callback URL per request. `Ok(false)`: no account.
    fn set_callback_per_request(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<bool>>;
    /// Whether requests of the account may name a callback URL.
    fn callback_per_request(&self, account_id: i64) -> BoxFuture<'_, Result<bool>>;
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
}
