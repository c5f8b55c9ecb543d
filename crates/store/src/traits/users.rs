//! [`UserStore`]: console users, their sessions, and the append-only audit log.

use crate::*;

/// Console users, their sessions, and the append-only audit log. All methods are safe to call from
/// many tasks at once.
pub trait UserStore: Send + Sync {
    /// Creates a console user; `Conflict` when the username is taken.
    fn create_user(&self, user: NewUser) -> BoxFuture<'_, Result<User>>;
    /// A user by name.
    fn find_user(&self, username: &str) -> BoxFuture<'_, Result<Option<User>>>;
    /// Every console user, by name.
    fn list_users(&self) -> BoxFuture<'_, Result<Vec<User>>>;
    /// Changes a user; `Ok(None)` when there is none. A change ends the user's sessions.
    fn update_user(&self, user_id: i64, patch: UserPatch) -> BoxFuture<'_, Result<Option<User>>>;
    /// How many users exist (0 before the bootstrap administrator).
    fn count_users(&self) -> BoxFuture<'_, Result<u64>>;
    /// Records a failed login: the new count, and the lock when it was reached.
    fn record_login_failure(
        &self,
        user_id: i64,
        failed: u32,
        locked_until: Option<Timestamp>,
    ) -> BoxFuture<'_, Result<()>>;
    /// Records a successful login: failures forgotten, lock lifted.
    fn record_login_success(&self, user_id: i64) -> BoxFuture<'_, Result<()>>;
    /// Sets a user's password hash and whether it must be changed; ends the user's other
    /// sessions (all but `keep`, a session token hash).
    fn set_password(
        &self,
        user_id: i64,
        hash: String,
        must_change: bool,
        keep: Option<Vec<u8>>,
    ) -> BoxFuture<'_, Result<()>>;
    /// Opens a session.
    fn create_session(&self, session: Session) -> BoxFuture<'_, Result<()>>;
    /// A session with its user.
    fn find_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<Option<(Session, User)>>>;
    /// Notes activity on a session.
    fn touch_session(&self, token_hash: Vec<u8>, now: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Ends a session. `Ok(false)` when there was none.
    fn delete_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<bool>>;
    /// Appends to the audit log (which refuses changes and deletions).
    fn append_audit(&self, entry: AuditEntry) -> BoxFuture<'_, Result<()>>;
    /// Audit lines, newest first.
    fn audit(&self, filter: AuditFilter) -> BoxFuture<'_, Result<Vec<AuditRecord>>>;
}
