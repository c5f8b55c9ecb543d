//! What staff read through the engine: accounts and their keys, signatures, templates, the
//! blacklists, users, the audit log, incidents and given-up callbacks. Who may read each is
//! decided here once, for the console and the admin API alike (they used to check roles each
//! on their own). Reads that write the audit log (message searches) are in `search.rs`.

use hongyan_store::{
    Account, ApiKey, AuditFilter, AuditRecord, BlacklistEntry, Incident, IncidentFilter, PushFailure, Role, Signature,
    SigningRules, Template, User,
};

use super::{Actor, AdminError};
use crate::Engine;

impl Actor {
    /// Administrators and auditors: the audit log and the users.
    fn require_auditor(&self) -> Result<(), AdminError> {
        match self.role {
            Role::Admin | Role::Auditor => Ok(()),
            _ => Err(AdminError::Forbidden),
        }
    }

    /// Staff who read, or a tenant reading its own account.
    fn require_reader_of(&self, account_id: i64) -> Result<(), AdminError> {
        if self.may_read() || (self.role == Role::Tenant && self.account_id == Some(account_id)) {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }
}

impl Engine {
    /// Every account, deleted ones too.
    pub async fn admin_accounts(&self, actor: &Actor) -> Result<Vec<Account>, AdminError> {
        actor.require_reader()?;
        Ok(self.store.list_accounts().await?)
    }

    /// One account (staff); `NotFound` when there is none.
    pub async fn admin_account(&self, actor: &Actor, id: i64) -> Result<Account, AdminError> {
        actor.require_reader()?;
        self.store.get_account(id).await?.ok_or_else(|| AdminError::NotFound(format!("no account {id}")))
    }

    /// An account's interface keys (hashes only), revoked ones too.
    pub async fn admin_api_keys(&self, actor: &Actor, id: i64) -> Result<Vec<ApiKey>, AdminError> {
        actor.require_reader()?;
        Ok(self.store.list_api_keys(id).await?)
    }

    /// An account's signatures and which is the default for each category.
    pub async fn admin_signatures(
        &self,
        actor: &Actor,
        account_id: i64,
    ) -> Result<(Vec<Signature>, SigningRules), AdminError> {
        actor.require_reader_of(account_id)?;
        Ok((self.store.list_signatures(account_id).await?, self.store.signing_rules(account_id).await?))
    }

    /// An account's templates.
    pub async fn admin_templates(&self, actor: &Actor, account_id: i64) -> Result<Vec<Template>, AdminError> {
        actor.require_reader_of(account_id)?;
        Ok(self.store.list_templates(account_id).await?)
    }

    /// Why the account's rejected signatures and templates were rejected: (kind, id, reason).
    pub async fn admin_review_notes(
        &self,
        actor: &Actor,
        account_id: i64,
    ) -> Result<Vec<(String, i64, String)>, AdminError> {
        actor.require_reader_of(account_id)?;
        Ok(self.store.review_notes(account_id).await?)
    }

    /// An account's blacklist (`Some`) or the global one (`None`).
    pub async fn admin_blacklist(
        &self,
        actor: &Actor,
        account: Option<i64>,
    ) -> Result<Vec<BlacklistEntry>, AdminError> {
        actor.require_reader()?;
        Ok(self.store.blacklist_list(account).await?)
    }

    /// The console users.
    pub async fn admin_users(&self, actor: &Actor) -> Result<Vec<User>, AdminError> {
        actor.require_auditor()?;
        Ok(self.store.list_users().await?)
    }

    /// The audit log, newest first, as `filter` narrows it.
    pub async fn admin_audit(&self, actor: &Actor, filter: AuditFilter) -> Result<Vec<AuditRecord>, AdminError> {
        actor.require_auditor()?;
        Ok(self.store.audit(filter).await?)
    }

    /// Incidents of every account, as `filter` narrows them.
    pub async fn admin_incidents(&self, actor: &Actor, filter: IncidentFilter) -> Result<Vec<Incident>, AdminError> {
        actor.require_reader()?;
        Ok(self.store.incidents(filter).await?)
    }

    /// One incident (staff).
    pub async fn admin_incident(&self, actor: &Actor, id: i64) -> Result<Incident, AdminError> {
        actor.require_reader()?;
        self.store.get_incident(id).await?.ok_or_else(|| AdminError::NotFound(format!("no incident {id}")))
    }

    /// Callback batches given up after the retry period: one account's, or every account's.
    pub async fn admin_push_failures(
        &self,
        actor: &Actor,
        account: Option<i64>,
    ) -> Result<Vec<PushFailure>, AdminError> {
        actor.require_reader()?;
        Ok(self.store.push_failures(account).await?)
    }
}
