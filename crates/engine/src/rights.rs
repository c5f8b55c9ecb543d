//! Rights of interface accounts, enforced the same way on every interface: which interfaces
//! (HTTP, SMPP, CMPP), which operations, which categories, and from which addresses. Limits
//! (rate, quotas), free text and callbacks have their own homes (`limits.rs`, `text.rs`,
//! `notify`). Rights are cached per account for [`RIGHTS_TTL_MS`], so an administrator's
//! change applies within that time (at once for changes made through this engine).

use std::net::IpAddr;

use hongyan_store::{Rights, StoreError};

use crate::Engine;

/// How long an account's rights are used without asking the store again.
pub const RIGHTS_TTL_MS: i64 = 10_000;

/// The interfaces.
pub const INTERFACES: [&str; 3] = ["http", "smpp", "cmpp"];
/// The operations.
pub const OPERATIONS: [&str; 4] = ["send", "query", "reports", "templates"];

/// Why a call is refused by the account's rights.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The interface is not among the account's.
    #[error("this account may not use the {0} interface")]
    Interface(&'static str),
    /// The operation is not among the account's.
    #[error("this account may not {0}")]
    Operation(&'static str),
    /// The caller's address is outside the account's ranges.
    #[error("this account may not call from this address")]
    Address,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Each account's rights, fresh for [`RIGHTS_TTL_MS`].
pub(crate) type RightsCache = crate::cache::TtlCache<i64, Rights>;

fn allowed(list: &Option<Vec<String>>, item: &str) -> bool {
    list.as_ref().is_none_or(|l| l.iter().any(|x| x == item))
}

impl Engine {
    /// The account's rights, from the cache when fresh.
    pub async fn rights(&self, account_id: i64) -> Result<Rights, StoreError> {
        let now = self.clock.now();
        if let Some(r) = self.rights.get(&account_id, now) {
            return Ok(r);
        }
        let r = self.store.account_rights(account_id).await?;
        self.rights.put(account_id, r.clone(), now);
        Ok(r)
    }

    /// Replaces the account's rights; they apply to the next call.
    pub async fn set_rights(&self, account_id: i64, rights: Rights) -> Result<(), StoreError> {
        self.store.set_account_rights(account_id, rights).await?;
        self.rights.forget(&account_id);
        Ok(())
    }

    /// Whether the account may use `interface` from `from` (when known) for `operation`
    /// (when the call is one).
    pub async fn check_access(
        &self,
        account_id: i64,
        interface: &'static str,
        operation: Option<&'static str>,
        from: Option<IpAddr>,
    ) -> Result<(), AccessError> {
        let r = self.rights(account_id).await?;
        if !allowed(&r.interfaces, interface) {
            return Err(AccessError::Interface(interface));
        }
        if let Some(op) = operation.filter(|op| !allowed(&r.operations, op)) {
            return Err(AccessError::Operation(op));
        }
        if let (Some(ranges), Some(ip)) = (&r.ip_allow, from) {
            if !ranges.iter().any(|c| c.contains(ip)) {
                return Err(AccessError::Address);
            }
        }
        Ok(())
    }

    /// Whether the account may send under the category `name`.
    pub(crate) async fn category_allowed(&self, account_id: i64, name: &str) -> Result<bool, StoreError> {
        Ok(allowed(&self.rights(account_id).await?.categories, name))
    }
}
