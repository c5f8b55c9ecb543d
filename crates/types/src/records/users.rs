//! Console users, their sessions, and the audit log.

use crate::Timestamp;

/// What a console user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Platform administrator: accounts, users, keys, rights, everything.
    Admin,
    /// Channels and monitoring.
    Operator,
    /// Read-only, including the audit log.
    Auditor,
    /// Sees and sends for one account only.
    Tenant,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 4] = [Self::Admin, Self::Operator, Self::Auditor, Self::Tenant];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Auditor => "auditor",
            Self::Tenant => "tenant",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A console user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Store-assigned id.
    pub id: i64,
    /// Unique login name.
    pub username: String,
    /// What the user may do.
    pub role: Role,
    /// The account a tenant user belongs to.
    pub account_id: Option<i64>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The password must be changed before anything else (the bootstrap administrator's).
    pub must_change: bool,
    /// Failed logins since the last success or lock.
    pub failed_logins: u32,
    /// Locked until then after too many failures.
    pub locked_until: Option<Timestamp>,
    /// Disabled users cannot log in.
    pub disabled: bool,
    /// When it was made.
    pub created_at: Timestamp,
}

/// What an administrator changes about a console user; `None` leaves it as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// Disable (true) or enable (false). Disabling ends the user's sessions.
    pub disabled: Option<bool>,
    /// A new role, with the account for a tenant. Changing it ends the user's sessions.
    pub role: Option<(Role, Option<i64>)>,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique login name.
    pub username: String,
    /// What the user may do.
    pub role: Role,
    /// The account of a tenant user.
    pub account_id: Option<i64>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Must change the password at first login.
    pub must_change: bool,
    /// When.
    pub created_at: Timestamp,
}

/// A console session. The cookie holds the random id; the store only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the session id.
    pub token_hash: Vec<u8>,
    /// Whose.
    pub user_id: i64,
    /// When it began.
    pub created_at: Timestamp,
    /// Last request seen (idle time-out).
    pub last_seen: Timestamp,
    /// Where it was opened from.
    pub address: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: Timestamp,
    /// Who: a username, `key:<key id>`, `system`, or the name tried at a failed login.
    pub actor: String,
    /// From which address.
    pub address: String,
    /// What, e.g. `login`, `login_failed`, `account.create`, `key.revoke`.
    pub action: String,
    /// On what, e.g. `account:3`.
    pub target: String,
    /// State before (JSON), when something changed.
    pub before: Option<String>,
    /// State after (JSON).
    pub after: Option<String>,
    /// `ok`, or why it was refused.
    pub outcome: String,
}

/// A stored audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Store-assigned, increasing.
    pub id: i64,
    /// The line.
    pub entry: AuditEntry,
}

/// Which audit lines to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// From (inclusive).
    pub from: Option<Timestamp>,
    /// To (exclusive).
    pub to: Option<Timestamp>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only ids below this one (paging, newest first).
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: usize,
}
