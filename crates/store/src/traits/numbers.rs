//! [`NumberStore`]: what is known of numbers: the blacklists, unsubscribes, portability, and reply
//! extensions.

use crate::*;

/// What is known of numbers: the blacklists, unsubscribes, portability, and reply extensions. All
/// methods are safe to call from many tasks at once.
pub trait NumberStore: Send + Sync {
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
}
