//! Administration as one service: every change an administrator (or a tenant applying for
//! something) makes goes through here, whether it came from the HTTP API, the web console or
//! the CLI. Each operation does four things in one place:
//!
//! 1. checks the actor's role (and, for a tenant, that the target is its own account);
//! 2. validates the input, with a stable code and a message a person can act on;
//! 3. makes the change;
//! 4. writes the audit line (who, from where, before and after) and drops the caches the change
//!    makes stale.
//!
//! What it does not do: HTTP status codes or page rendering (each edge maps [`AdminError`]
//! once), and reads, which the edges do through the store with [`Actor::may_read`].

mod lists;
mod reads;
mod rights;
mod search;

pub use search::{feed_masked_for, search_summary};

pub use rights::{PriceInput, RightsChange, RightsView, MAX_PER_NUMBER, MAX_PRICE_RULES, MAX_QUOTA, MAX_RATE};

use hongyan_store::{Account, AccountPatch, Role, Signature, SignatureStatus, StoreError, Timestamp, User};
use serde_json::{json, Value};

use crate::auth::NewCredential;
use crate::users::PasswordError;
use crate::Engine;

/// Who is acting, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A console username, or `os:<user>` for the CLI.
    pub username: String,
    /// What the actor may do.
    pub role: Role,
    /// A tenant's own account.
    pub account_id: Option<i64>,
    /// The client's address, or `cli`.
    pub address: String,
}

impl Actor {
    /// A console user acting from `address`.
    pub fn user(user: &User, address: &str) -> Self {
        Self { username: user.username.clone(), role: user.role, account_id: user.account_id, address: address.into() }
    }

    /// An interface key (or a tenant's session) acting for its own account.
    pub fn account(principal: &str, account_id: i64, address: &str) -> Self {
        Self { username: principal.into(), role: Role::Tenant, account_id: Some(account_id), address: address.into() }
    }

    /// The operating-system user running a CLI command on the data folder: an administrator,
    /// since whoever can run it can already read the folder.
    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Self { username: format!("os:{user}"), role: Role::Admin, account_id: None, address: "cli".into() }
    }

    /// Whether the actor may read what administrators list (accounts, signatures, templates).
    pub fn may_read(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Operator | Role::Auditor)
    }

    fn require_reader(&self) -> Result<(), AdminError> {
        if self.may_read() {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }

    fn require_admin(&self) -> Result<(), AdminError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// An administrator, or a tenant acting on its own account.
    fn require_owner(&self, account_id: i64) -> Result<(), AdminError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Tenant if self.account_id == Some(account_id) => Ok(()),
            _ => Err(AdminError::Forbidden),
        }
    }
}

/// Why an administrative change was not made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The actor's role may not do this.
    #[error("this role may not do that")]
    Forbidden,
    /// The target does not exist (or is not the actor's to see).
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with what is there (a name taken, a deleted account).
    #[error("{message}")]
    Conflict {
        /// Stable machine code, e.g. `name_taken`.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// The input breaks a rule.
    #[error("{message}")]
    Invalid {
        /// Stable machine code, e.g. `invalid_field`, `weak_password`.
        code: &'static str,
        /// For people, naming the field and the rule.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn invalid(message: impl Into<String>) -> AdminError {
    AdminError::Invalid { code: "invalid_field", message: message.into() }
}

/// An account to open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAccount {
    /// Unique name, 1 to 64 characters.
    pub name: String,
    /// Signature text, approved at once as the default for every category.
    pub signature: Option<String>,
    /// Extension code of that signature (up to 6 digits).
    pub extension: String,
    /// When its credentials stop working.
    pub expires_at: Option<Timestamp>,
}

/// A change an administrator makes to a console user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    /// The user can no longer log in; its sessions end.
    Disable,
    /// The user can log in again.
    Enable,
    /// Failures forgotten, the lock lifted.
    Unlock,
    /// A new password the user must change at the next login; its sessions end.
    ResetPassword(String),
    /// Another role (with the account for a tenant); its sessions end.
    Role(Role, Option<i64>),
}

impl UserChange {
    fn action(&self) -> &'static str {
        match self {
            Self::Disable => "user.disable",
            Self::Enable => "user.enable",
            Self::Unlock => "user.unlock",
            Self::ResetPassword(_) => "user.reset_password",
            Self::Role(..) => "user.role",
        }
    }
}

/// What is reviewed: signatures and templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    /// A signature.
    Signature,
    /// A template.
    Template,
}

impl Reviewed {
    fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Template => "template",
        }
    }
}

/// What a reader may see of a message. Interface keys (`None`: the sending system itself)
/// see it whole. Every console user sees verification codes starred out; operators and
/// auditors also see the recipient masked (`138****8000`): they run the platform, they do not
/// need to know who a taxpayer is.
pub fn masked_for(role: Option<Role>, mut d: hongyan_store::MessageDetail) -> hongyan_store::MessageDetail {
    let Some(role) = role else { return d };
    if d.message.category.is(hongyan_types::CategoryKind::Verification) {
        d.message.content = hongyan_types::mask::codes(&d.message.content).into();
    }
    if matches!(role, Role::Operator | Role::Auditor) {
        d.message.to = hongyan_types::mask::number(&d.message.to);
    }
    d
}

/// An account's state as people see it.
pub fn account_state(a: &Account, now: Timestamp) -> &'static str {
    match () {
        () if a.deleted_at.is_some() => "deleted",
        () if !a.enabled => "disabled",
        () if !a.usable(now) => "expired",
        () => "active",
    }
}

fn account_summary(a: &Account, now: Timestamp) -> Value {
    let t = |t: Option<Timestamp>| t.map(|t| t.to_rfc3339_beijing());
    json!({ "id": a.id, "name": a.name, "state": account_state(a, now), "expires_at": t(a.expires_at) })
}

/// Checks a signature text: 2 to 20 characters, no brackets, no surrounding spaces.
pub fn check_signature(text: &str, extension: &str) -> Result<(), AdminError> {
    let n = text.chars().count();
    if !(2..=20).contains(&n) || text.contains(['【', '】', '[', ']']) || text.trim() != text {
        return Err(invalid("a signature is 2 to 20 characters, no brackets or surrounding spaces"));
    }
    if extension.len() > 6 || !extension.bytes().all(|c| c.is_ascii_digit()) {
        return Err(invalid("an extension code is up to 6 digits"));
    }
    Ok(())
}

fn check_account_name(name: &str) -> Result<(), AdminError> {
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(invalid("name is 1 to 64 characters, no control characters"));
    }
    Ok(())
}

fn check_username(name: &str) -> Result<(), AdminError> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c)) {
        return Err(invalid("username is 1 to 64 letters, digits, `.`, `_`, `-` or `@`"));
    }
    Ok(())
}

impl Engine {
    async fn audit_change(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        change: (Option<Value>, Option<Value>),
    ) -> Result<(), StoreError> {
        let change = (change.0.map(|v| v.to_string()), change.1.map(|v| v.to_string()));
        self.audit(&actor.username, &actor.address, action, target, change, "ok").await
    }

    async fn live_account(&self, id: i64) -> Result<Account, AdminError> {
        self.store.get_account(id).await?.ok_or_else(|| AdminError::NotFound(format!("no account {id}")))
    }

    /// Opens an interface account with its first key (the secret is in the answer only) and,
    /// if given, an approved signature as its default for every category.
    pub async fn admin_create_account(&self, actor: &Actor, new: NewAccount) -> Result<NewCredential, AdminError> {
        actor.require_admin()?;
        let name = new.name.trim();
        check_account_name(name)?;
        if let Some(sig) = &new.signature {
            check_signature(sig, &new.extension)?;
        } else if !new.extension.is_empty() {
            return Err(invalid("an extension code belongs to a signature: give the signature too"));
        }
        let mut cred = self.create_account(name).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                AdminError::Conflict { code: "name_taken", message: format!("an account named `{name}` exists") }
            }
            e => e.into(),
        })?;
        let id = cred.account.id;
        if let Some(sig) = new.signature.as_deref() {
            self.sign_with(id, sig, &new.extension).await?;
        }
        if new.expires_at.is_some() {
            let patch = AccountPatch { enabled: None, expires_at: Some(new.expires_at) };
            cred.account = self.store.update_account(id, patch).await?.unwrap_or(cred.account);
        }
        let after = account_summary(&cred.account, self.clock.now());
        self.audit_change(actor, "account.create", &format!("account:{id}"), (None, Some(after))).await?;
        Ok(cred)
    }

    /// Enables, disables, or sets or clears the expiry of an account.
    pub async fn admin_update_account(
        &self,
        actor: &Actor,
        id: i64,
        patch: AccountPatch,
    ) -> Result<Account, AdminError> {
        actor.require_admin()?;
        let before = self.live_account(id).await?;
        if before.deleted_at.is_some() {
            return Err(AdminError::Conflict {
                code: "account_deleted",
                message: "a deleted account does not change".into(),
            });
        }
        let after = self.store.update_account(id, patch).await?.unwrap_or_else(|| before.clone());
        self.forget_cached_keys();
        let now = self.clock.now();
        let change = (Some(account_summary(&before, now)), Some(account_summary(&after, now)));
        self.audit_change(actor, "account.update", &format!("account:{id}"), change).await?;
        Ok(after)
    }

    /// Deletes an account softly: every record stays, nothing works.
    pub async fn admin_delete_account(&self, actor: &Actor, id: i64) -> Result<(), AdminError> {
        actor.require_admin()?;
        let before = self.live_account(id).await?;
        let now = self.clock.now();
        if !self.store.delete_account(id, now).await? {
            return Err(AdminError::Conflict {
                code: "account_deleted",
                message: "the account is already deleted".into(),
            });
        }
        self.forget_cached_keys();
        let after = self.live_account(id).await?;
        let change = (Some(account_summary(&before, now)), Some(account_summary(&after, now)));
        self.audit_change(actor, "account.delete", &format!("account:{id}"), change).await?;
        Ok(())
    }

    /// A new key for the account; the secret is in the answer only.
    pub async fn admin_add_key(&self, actor: &Actor, id: i64) -> Result<NewCredential, AdminError> {
        actor.require_admin()?;
        let account = self.live_account(id).await?;
        if account.deleted_at.is_some() {
            return Err(AdminError::Conflict {
                code: "account_deleted",
                message: "a deleted account gets no keys".into(),
            });
        }
        let cred = self.add_api_key(account).await?;
        let after = json!({ "key_id": cred.key_id });
        self.audit_change(actor, "key.create", &format!("account:{id}"), (None, Some(after))).await?;
        Ok(cred)
    }

    /// Revokes a key at once.
    pub async fn admin_revoke_key(&self, actor: &Actor, id: i64, key_id: &str) -> Result<(), AdminError> {
        actor.require_admin()?;
        if !self.store.revoke_api_key(id, key_id, self.clock.now()).await? {
            return Err(AdminError::NotFound(format!("no live key {key_id} on account {id}")));
        }
        self.forget_cached_keys();
        self.audit_change(actor, "key.revoke", &format!("account:{id}/key:{key_id}"), (None, None)).await?;
        Ok(())
    }

    /// Records a signature as pending review: an administrator adds one for any account, a
    /// tenant applies for one for its own.
    pub async fn admin_add_signature(
        &self,
        actor: &Actor,
        account_id: i64,
        text: &str,
        extension: &str,
    ) -> Result<Signature, AdminError> {
        actor.require_owner(account_id)?;
        check_signature(text, extension)?;
        self.live_account(account_id).await?;
        let sig =
            self.store.add_signature(account_id, text, extension, self.clock.now()).await.map_err(|e| match e {
                StoreError::Conflict(_) => {
                    AdminError::Conflict { code: "signature_exists", message: "the account has this signature".into() }
                }
                e => e.into(),
            })?;
        let after = json!({ "id": sig.id, "text": sig.text, "extension": sig.extension, "status": "pending" });
        self.audit_change(actor, "signature.add", &format!("account:{account_id}"), (None, Some(after))).await?;
        Ok(sig)
    }

    /// Records a template as pending review: a tenant (or its interface key) proposes one for its
    /// own account, an administrator for any.
    pub async fn admin_add_template(
        &self,
        actor: &Actor,
        account_id: i64,
        name: &str,
        body: &str,
        category: hongyan_types::Category,
    ) -> Result<hongyan_store::Template, AdminError> {
        actor.require_owner(account_id)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || body.trim().is_empty() || body.chars().count() > 500 {
            return Err(invalid("name is 1 to 64 characters, body 1 to 500"));
        }
        let t = self.add_template(account_id, name, body, category).await.map_err(|e| match e {
            crate::AddTemplateError::Store(StoreError::Conflict(_)) => {
                AdminError::Conflict { code: "name_taken", message: "the account has a template of that name".into() }
            }
            crate::AddTemplateError::Store(e) => e.into(),
            e => AdminError::Invalid { code: "invalid_template", message: e.to_string() },
        })?;
        let after = json!({ "id": t.id, "name": t.name, "category": t.category.name(), "status": "pending" });
        self.audit_change(actor, "template.add", &format!("account:{account_id}"), (None, Some(after))).await?;
        Ok(t)
    }

    /// An administrator approves or rejects a signature or template; the reason, when given,
    /// goes into the audit line.
    pub async fn admin_decide(
        &self,
        actor: &Actor,
        what: Reviewed,
        id: i64,
        approve: bool,
        reason: &str,
    ) -> Result<(), AdminError> {
        actor.require_admin()?;
        if reason.chars().count() > 200 {
            return Err(invalid("a reason is up to 200 characters"));
        }
        let status = if approve { SignatureStatus::Approved } else { SignatureStatus::Rejected };
        let now = self.clock.now();
        let found = match what {
            Reviewed::Signature => self.store.decide_signature(id, status, now).await?,
            Reviewed::Template => self.store.decide_template(id, status, now).await?,
        };
        if !found {
            return Err(AdminError::NotFound(format!("no {} {id}", what.as_str())));
        }
        // Approved signatures change what the next request signs with.
        self.forget_all_signing_rules();
        // The tenant sees why (a later approval forgets an earlier rejection's reason).
        let note = Some(reason.trim().to_owned()).filter(|r| !r.is_empty() && !approve);
        self.store.set_review_note(what.as_str(), id, note, now).await?;
        let decision = if approve { "approve" } else { "reject" };
        let after = match reason.trim() {
            "" => status.as_str().to_owned(),
            r => json!({ "status": status.as_str(), "reason": r }).to_string(),
        };
        let (kind, target) = (what.as_str(), format!("{}:{id}", what.as_str()));
        self.audit(&actor.username, &actor.address, &format!("{kind}.{decision}"), &target, (None, Some(after)), "ok")
            .await?;
        Ok(())
    }

    /// Changes a console user. An administrator cannot disable, demote or reset itself here
    /// (its own password is changed as every user's is), so the platform always keeps one.
    pub async fn admin_change_user(
        &self,
        actor: &Actor,
        username: &str,
        change: UserChange,
    ) -> Result<User, AdminError> {
        actor.require_admin()?;
        let user = self
            .store
            .find_user(username)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user `{username}`")))?;
        if user.username == actor.username && !matches!(change, UserChange::Unlock | UserChange::Enable) {
            return Err(AdminError::Conflict {
                code: "own_user",
                message: "an administrator does not change its own user here".into(),
            });
        }
        let summary = |u: &User| json!({ "role": u.role.as_str(), "account_id": u.account_id, "disabled": u.disabled });
        let before = summary(&user);
        match &change {
            UserChange::Disable | UserChange::Enable => {
                let patch = hongyan_store::UserPatch { disabled: Some(change == UserChange::Disable), role: None };
                self.store.update_user(user.id, patch).await?;
            }
            UserChange::Unlock => self.store.record_login_success(user.id).await?,
            UserChange::ResetPassword(password) => self.reset_password(&user, password).await?,
            UserChange::Role(role, account_id) => {
                if (*role == Role::Tenant) != account_id.is_some() {
                    return Err(invalid("a tenant user names its account_id; other roles do not"));
                }
                if let Some(id) = account_id {
                    self.live_account(*id).await?;
                }
                let patch = hongyan_store::UserPatch { disabled: None, role: Some((*role, *account_id)) };
                self.store.update_user(user.id, patch).await?;
            }
        }
        let after = self
            .store
            .find_user(username)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user `{username}`")))?;
        let target = format!("user:{username}");
        self.audit_change(actor, change.action(), &target, (Some(before), Some(summary(&after)))).await?;
        Ok(after)
    }

    /// Sets or clears an account's callback (the URL already checked and the secret made by
    /// the pusher's `set_callback`, which calls this). The audit line has the URLs, never the
    /// secret.
    pub async fn admin_set_callback(
        &self,
        actor: &Actor,
        account_id: i64,
        callback: Option<hongyan_store::Callback>,
    ) -> Result<(), AdminError> {
        actor.require_admin()?;
        let before = self.store.callback(account_id).await?.map(|c| c.url);
        let after = callback.as_ref().map(|c| c.url.clone());
        if !self.store.set_callback(account_id, callback).await? {
            return Err(AdminError::NotFound(format!("no account {account_id}")));
        }
        let change = (Some(json!({ "url": before })), Some(json!({ "url": after })));
        self.audit_change(actor, "account.callback", &format!("account:{account_id}"), change).await?;
        Ok(())
    }

    /// Puts a given-up callback batch at the end of its account's feed again, for the pusher.
    pub async fn admin_resend_push_failure(&self, actor: &Actor, id: i64) -> Result<(), AdminError> {
        actor.require_admin()?;
        if !self.store.resend_push_failure(id, self.clock.now()).await? {
            return Err(AdminError::NotFound(format!("no failure {id} that is not re-sent already")));
        }
        self.feed_changed().notify_waiters();
        self.audit_change(actor, "callback.resend", &format!("push-failure:{id}"), (None, None)).await?;
        Ok(())
    }

    /// Creates a console user, who must change the password at first login.
    pub async fn admin_create_user(
        &self,
        actor: &Actor,
        username: &str,
        role: Role,
        account_id: Option<i64>,
        password: &str,
    ) -> Result<User, AdminError> {
        actor.require_admin()?;
        let username = username.trim();
        check_username(username)?;
        if (role == Role::Tenant) != account_id.is_some() {
            return Err(invalid("a tenant user names its account_id; other roles do not"));
        }
        if let Some(id) = account_id {
            self.live_account(id).await?;
        }
        let user = self.create_user(username, role, account_id, password, true).await.map_err(|e| match e {
            PasswordError::Store(StoreError::Conflict(_)) => {
                AdminError::Conflict { code: "name_taken", message: "that username is taken".into() }
            }
            PasswordError::Store(e) => e.into(),
            e => AdminError::Invalid { code: "weak_password", message: e.to_string() },
        })?;
        let after = json!({ "username": user.username, "role": role.as_str(), "account_id": user.account_id });
        self.audit_change(actor, "user.create", &format!("user:{}", user.username), (None, Some(after))).await?;
        Ok(user)
    }
}
