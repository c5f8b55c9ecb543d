//! Console users: passwords (argon2id, a policy), logins with a lock after repeated failures,
//! server-side sessions with an idle time-out, the bootstrap administrator, and the audit log
//! every one of these writes to.
//!
//! A session id is 256 random bits handed to the browser once (as an HttpOnly cookie, by the
//! API); the store keeps only its SHA-256, so a copy of the database opens no session. A wrong
//! username, a wrong password, a disabled user and a locked user all get the same
//! [`LoginError::Invalid`], so the answer tells nothing about which usernames exist; the
//! audit log tells an administrator which it was.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use hongyan_store::{AuditEntry, NewUser, Role, Session, StoreError, Timestamp, User};
use sha2::{Digest, Sha256};

use crate::auth::random_bytes;
use crate::Engine;

/// Failed logins in a row before the lock.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long the lock lasts.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// Default idle time-out of a session.
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_MS: i64 = 60_000;
/// Shortest password.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Why a login failed, as the caller may be told.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong username or password, or the user is disabled or locked.
    #[error("wrong username or password (after {MAX_FAILED_LOGINS} failures a user is locked for 15 minutes)")]
    Invalid,
    /// Too many failed logins came from this address; it may try again later.
    #[error("too many failed logins from this address; try again in 15 minutes")]
    Throttled,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a password was not taken.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The current password given is wrong.
    #[error("the current password is wrong")]
    WrongCurrent,
    /// The new one breaks the policy.
    #[error("a password has at least {MIN_PASSWORD_LEN} characters and at least three of: lower-case letters, upper-case letters, digits, other characters")]
    TooWeak,
    /// The new one is the old one.
    #[error("the new password must differ from the current one")]
    Unchanged,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `password` meets the policy: at least [`MIN_PASSWORD_LEN`] characters, and three
/// of the four classes.
pub fn password_ok(password: &str) -> bool {
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    password.chars().count() >= MIN_PASSWORD_LEN && classes.iter().filter(|c| **c).count() >= 3
}

/// The stored form of a session id.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// argon2id with the crate's defaults (19 MiB, 2 passes); run off the async threads.
async fn hash_password(password: String) -> Result<String, StoreError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|e| StoreError::Backend(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| StoreError::Backend(e.to_string()))?
    .map_err(|e| StoreError::Backend(format!("hashing: {e}")))
}

pub(crate) async fn verify_password(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that case costs the same time.
pub(crate) fn decoy_hash() -> String {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY
        .get_or_init(|| {
            let salt = SaltString::encode_b64(b"hongyan-decoy-16").expect("16 bytes");
            Argon2::default().hash_password(b"no such user", &salt).map(|h| h.to_string()).unwrap_or_default()
        })
        .clone()
}

impl Engine {
    /// Writes one line to the audit log.
    pub async fn audit(
        &self,
        actor: &str,
        address: &str,
        action: &str,
        target: &str,
        change: (Option<String>, Option<String>),
        outcome: &str,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry {
            at: self.clock.now(),
            actor: actor.into(),
            address: address.into(),
            action: action.into(),
            target: target.into(),
            before: change.0,
            after: change.1,
            outcome: outcome.into(),
        };
        self.store.append_audit(entry).await
    }

    /// At first start (no user yet) creates the administrator `admin`, who must change the
    /// password at first login. The password is `given` (HONGYAN_ADMIN_PASSWORD) or, if unset,
    /// random and returned so the caller prints it once. `Ok(None)` when users exist or the
    /// given password was used (or another node of a cluster made the administrator first).
    pub async fn bootstrap_admin(&self, given: Option<String>) -> Result<Option<String>, StoreError> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let (password, generated) = match given {
            Some(p) => (p, false),
            None => (crate::auth::random_text(16)?, true),
        };
        let user = NewUser {
            username: "admin".into(),
            role: Role::Admin,
            account_id: None,
            password_hash: hash_password(password.clone()).await?,
            must_change: true,
            created_at: self.clock.now(),
        };
        match self.store.create_user(user).await {
            Ok(_) => {}
            // Nodes of a cluster that start together: another one made it first.
            Err(StoreError::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e),
        }
        self.audit("system", "-", "user.bootstrap", "user:admin", (None, Some(r#"{"role":"admin"}"#.into())), "ok")
            .await?;
        Ok(generated.then_some(password))
    }

    /// Sets a password an administrator chose, to be changed at the next login; every session
    /// of the user ends.
    pub(crate) async fn reset_password(&self, user: &User, password: &str) -> Result<(), crate::admin::AdminError> {
        if !password_ok(password) {
            return Err(crate::admin::AdminError::Invalid {
                code: "weak_password",
                message: PasswordError::TooWeak.to_string(),
            });
        }
        let hash = hash_password(password.into()).await?;
        Ok(self.store.set_password(user.id, hash, true, None).await?)
    }

    /// Creates a console user with a password that meets the policy.
    pub async fn create_user(
        &self,
        username: &str,
        role: Role,
        account_id: Option<i64>,
        password: &str,
        must_change: bool,
    ) -> Result<User, PasswordError> {
        if !password_ok(password) {
            return Err(PasswordError::TooWeak);
        }
        let user = NewUser {
            username: username.into(),
            role,
            account_id,
            password_hash: hash_password(password.into()).await?,
            must_change,
            created_at: self.clock.now(),
        };
        Ok(self.store.create_user(user).await?)
    }

    /// Checks a login; on success opens a session and returns its id (for the cookie).
    ///
    /// Every path that reaches a user name runs the argon2 verification (against a decoy hash
    /// for a name that does not exist, and also for a locked user), and unknown names are
    /// counted and locked like real ones, so neither the answer, the time nor the lock tells
    /// which names exist. An address with too many failures is refused before any hashing
    /// ([`LoginError::Throttled`]); from a trusted range (loopback unless configured) a
    /// user's lock does not apply, so an administrator can log in while others lock the name.
    pub async fn login(&self, username: &str, password: &str, address: &str) -> Result<(String, User), LoginError> {
        let now = self.clock.now();
        if self.login_guard.address_blocked(address, now.as_millis()) {
            self.audit(
                username,
                address,
                "login_failed",
                &format!("user:{username}"),
                (None, None),
                "address throttled",
            )
            .await?;
            return Err(LoginError::Throttled);
        }
        let user = self.store.find_user(username).await?;
        let locked = match &user {
            Some(u) => u.locked_until.is_some_and(|t| t > now),
            None => self.login_guard.name_locked(username, now.as_millis()),
        };
        let lock_applies = locked && !self.login_guard.trusted(address);
        let stored = user.as_ref().map_or_else(decoy_hash, |u| u.password_hash.clone());
        let password_ok = verify_password(password.into(), stored).await;
        match user {
            Some(user) if password_ok && !user.disabled && !lock_applies => {
                self.login_succeeded(user, locked, address).await
            }
            user => {
                self.login_failed(user.as_ref(), username, locked, lock_applies, address).await?;
                Err(LoginError::Invalid)
            }
        }
    }

    /// Opens the session. A trusted-range login through a lock leaves the lock in place for
    /// everyone else.
    async fn login_succeeded(&self, user: User, locked: bool, address: &str) -> Result<(String, User), LoginError> {
        let now = self.clock.now();
        if !locked {
            self.store.record_login_success(user.id).await?;
        }
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            created_at: now,
            last_seen: now,
            address: address.into(),
        };
        self.store.create_session(session).await?;
        let outcome = if locked { "ok (trusted address; the user stays locked for others)" } else { "ok" };
        self.audit(&user.username, address, "login", &format!("user:{}", user.username), (None, None), outcome).await?;
        Ok((token, user))
    }

    /// Counts the failure (address, and the user or unknown name unless it is locked) and
    /// audits why. The count and the audit line go to the writer together, so a real user
    /// costs the same one group commit as an unknown name.
    async fn login_failed(
        &self,
        user: Option<&User>,
        username: &str,
        locked: bool,
        lock_applies: bool,
        address: &str,
    ) -> Result<(), LoginError> {
        let now = self.clock.now().as_millis();
        self.login_guard.address_failed(address, now);
        let target = format!("user:{username}");
        let (why, count) = match user {
            Some(u) if u.disabled => ("disabled", None),
            _ if lock_applies => ("locked", None),
            // From a trusted range a lock does not apply, and failures there do not extend it.
            _ if locked => ("wrong password from a trusted address (the user is locked for others)", None),
            Some(u) => {
                let failed = u.failed_logins + 1;
                let lock = (failed >= MAX_FAILED_LOGINS).then_some(Timestamp::from_millis(now + LOCK_MS));
                let why = if lock.is_some() { "wrong password; locked for 15 minutes" } else { "wrong password" };
                (why, Some((u.id, if lock.is_some() { 0 } else { failed }, lock)))
            }
            None if self.login_guard.name_failed(username, now) => ("unknown user; locked for 15 minutes", None),
            None => ("unknown user", None),
        };
        let audit = self.audit(username, address, "login_failed", &target, (None, None), why);
        match count {
            Some((id, failed, lock)) => {
                tokio::try_join!(self.store.record_login_failure(id, failed, lock), audit)?;
            }
            None => audit.await?,
        }
        Ok(())
    }

    /// The user of a live session. A session idle longer than `idle` is ended.
    pub async fn session(&self, token: &str, idle: Duration) -> Result<Option<User>, StoreError> {
        let hash = token_hash(token);
        let Some((session, user)) = self.store.find_session(hash.clone()).await? else { return Ok(None) };
        let now = self.clock.now();
        let idle_ms = i64::try_from(idle.as_millis()).unwrap_or(i64::MAX);
        if now.as_millis() - session.last_seen.as_millis() > idle_ms || user.disabled {
            self.store.delete_session(hash).await?;
            return Ok(None);
        }
        if now.as_millis() - session.last_seen.as_millis() > TOUCH_EVERY_MS {
            self.store.touch_session(hash, now).await?;
        }
        Ok(Some(user))
    }

    /// Ends a session for good.
    pub async fn logout(&self, token: &str, user: &User, address: &str) -> Result<(), StoreError> {
        self.store.delete_session(token_hash(token)).await?;
        self.audit(&user.username, address, "logout", &format!("user:{}", user.username), (None, None), "ok").await
    }

    /// Changes the user's own password; the user's other sessions end.
    pub async fn change_password(
        &self,
        user: &User,
        token: &str,
        current: &str,
        new: &str,
        address: &str,
    ) -> Result<(), PasswordError> {
        let target = format!("user:{}", user.username);
        let refused = |why: &'static str| async move {
            self.audit(&user.username, address, "password.change", &target, (None, None), why).await
        };
        if !verify_password(current.into(), user.password_hash.clone()).await {
            refused("wrong current password").await?;
            return Err(PasswordError::WrongCurrent);
        }
        if current == new {
            refused("unchanged").await?;
            return Err(PasswordError::Unchanged);
        }
        if !password_ok(new) {
            refused("too weak").await?;
            return Err(PasswordError::TooWeak);
        }
        let hash = hash_password(new.into()).await?;
        self.store.set_password(user.id, hash, false, Some(token_hash(token))).await?;
        self.audit(&user.username, address, "password.change", &format!("user:{}", user.username), (None, None), "ok")
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::password_ok;

    #[test]
    fn the_password_policy() {
        for weak in ["short1A!", "alllowercaseletters", "ALLUPPER123", "abcdefghij1"] {
            assert!(!password_ok(weak), "{weak}");
        }
        for strong in ["Tax-Bureau-2026", "abcdefgh1!", "纳税服务abcD12"] {
            assert!(password_ok(strong), "{strong}");
        }
    }
}
