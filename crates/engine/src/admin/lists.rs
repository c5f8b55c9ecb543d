//! The blacklists (the platform's own, for every account, and each account's) and the list
//! of numbers ported between carriers.

use hongyan_store::BlacklistEntry;
use hongyan_types::{mask, PhoneNumber};

use super::{Actor, AdminError};
use crate::Engine;

impl Engine {
    /// Adds `number` to a blacklist (an account's, or with `None` the global one), or
    /// replaces its reason. The audit line holds the number masked.
    pub async fn admin_blacklist_add(
        &self,
        actor: &Actor,
        account_id: Option<i64>,
        number: &str,
        reason: &str,
    ) -> Result<(), AdminError> {
        let number = self.blacklist_target(actor, account_id, number).await?;
        if reason.chars().count() > 200 {
            return Err(super::invalid("a reason is up to 200 characters"));
        }
        let masked = mask::number(&number);
        let entry = BlacklistEntry { account_id, number, reason: reason.trim().into(), created_at: self.clock.now() };
        self.store.blacklist_add(entry).await?;
        self.audit_list(actor, "blacklist.add", account_id, (None, Some(masked))).await
    }

    /// Takes `number` off a blacklist.
    pub async fn admin_blacklist_remove(
        &self,
        actor: &Actor,
        account_id: Option<i64>,
        number: &str,
    ) -> Result<(), AdminError> {
        let number = self.blacklist_target(actor, account_id, number).await?;
        if !self.store.blacklist_remove(account_id, &number).await? {
            return Err(AdminError::NotFound("that number is not on that list".into()));
        }
        self.audit_list(actor, "blacklist.remove", account_id, (Some(mask::number(&number)), None)).await
    }

    /// Records where numbers were ported to (replacing earlier entries), all in one go; how
    /// many. The audit line counts them and names no number.
    pub async fn admin_import_ported(
        &self,
        actor: &Actor,
        entries: Vec<(String, hongyan_types::Carrier)>,
    ) -> Result<usize, AdminError> {
        actor.require_admin()?;
        let n = self.store.import_ported(entries, self.clock.now()).await?;
        let after = serde_json::json!({ "numbers": n });
        self.audit_change(actor, "portability.import", "portability", (None, Some(after))).await?;
        Ok(n)
    }

    async fn blacklist_target(
        &self,
        actor: &Actor,
        account_id: Option<i64>,
        number: &str,
    ) -> Result<String, AdminError> {
        actor.require_admin()?;
        let number = PhoneNumber::parse(number)
            .map_err(|e| AdminError::Invalid { code: "invalid_number", message: e.to_string() })?
            .national()
            .to_owned();
        if let Some(id) = account_id {
            self.live_account(id).await?;
        }
        Ok(number)
    }

    async fn audit_list(
        &self,
        actor: &Actor,
        action: &str,
        account_id: Option<i64>,
        change: (Option<String>, Option<String>),
    ) -> Result<(), AdminError> {
        // The audit's before/after hold the masked number as plain text.
        let target =
            format!("blacklist:{}", account_id.map_or_else(|| "global".to_owned(), |a| format!("account:{a}")));
        Ok(self.audit(&actor.username, &actor.address, action, &target, change, "ok").await?)
    }
}
