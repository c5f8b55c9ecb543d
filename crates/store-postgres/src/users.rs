//! [`UserStore`] on PostgreSQL: console users, their sessions, the append-only audit log.

use hongyan_store::{
    AuditEntry, AuditFilter, AuditRecord, BoxFuture, NewUser, Result, Role, Session, StoreError, Timestamp, User,
    UserPatch, UserStore,
};
use tokio_postgres::Row;

use crate::store::{backend, PgStore};

const USER_COLUMNS: &str =
    "id, username, role, account_id, password_hash, must_change, failed_logins, locked_until, disabled, created_at";

fn user(r: &Row) -> Result<User> {
    user_at(r, 0)
}

/// A user from `USER_COLUMNS` starting at column `o`.
fn user_at(r: &Row, o: usize) -> Result<User> {
    let role: String = r.get(o + 2);
    Ok(User {
        id: r.get(o),
        username: r.get(o + 1),
        role: Role::parse(&role).ok_or_else(|| StoreError::Backend(format!("unknown role {role:?}")))?,
        account_id: r.get(o + 3),
        password_hash: r.get(o + 4),
        must_change: r.get(o + 5),
        failed_logins: u32::try_from(r.get::<_, i32>(o + 6)).unwrap_or(0),
        locked_until: r.get::<_, Option<i64>>(o + 7).map(Timestamp::from_millis),
        disabled: r.get(o + 8),
        created_at: Timestamp::from_millis(r.get(o + 9)),
    })
}

fn audit_record(r: &Row) -> AuditRecord {
    AuditRecord {
        id: r.get(0),
        entry: AuditEntry {
            at: Timestamp::from_millis(r.get(1)),
            actor: r.get(2),
            address: r.get(3),
            action: r.get(4),
            target: r.get(5),
            before: r.get(6),
            after: r.get(7),
            outcome: r.get(8),
        },
    }
}

impl PgStore {
    async fn user_where(
        &self,
        condition: &str,
        value: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {condition}");
        self.client().await?.query_opt(&sql, &[value]).await.map_err(backend)?.map(|r| user(&r)).transpose()
    }
}

impl UserStore for PgStore {
    fn create_user(&self, u: NewUser) -> BoxFuture<'_, Result<User>> {
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO users (username, role, account_id, password_hash, must_change, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}"
            );
            let args: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                &u.username,
                &u.role.as_str(),
                &u.account_id,
                &u.password_hash,
                &u.must_change,
                &u.created_at.as_millis(),
            ];
            user(&self.client().await?.query_one(&sql, &args).await.map_err(backend)?)
        })
    }

    fn find_user(&self, username: &str) -> BoxFuture<'_, Result<Option<User>>> {
        let username = username.to_owned();
        Box::pin(async move { self.user_where("username = $1", &username).await })
    }

    fn list_users(&self) -> BoxFuture<'_, Result<Vec<User>>> {
        Box::pin(async move {
            let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
            self.client().await?.query(&sql, &[]).await.map_err(backend)?.iter().map(user).collect()
        })
    }

    /// One transaction: the change and the end of the user's sessions, so a disabled user or
    /// one with fewer rights has no session left that still carries the old ones.
    fn update_user(&self, user_id: i64, patch: UserPatch) -> BoxFuture<'_, Result<Option<User>>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(backend)?;
            let role = patch.role.map(|(r, _)| r.as_str());
            let account = patch.role.and_then(|(_, a)| a);
            let sql = format!(
                "UPDATE users SET disabled = coalesce($2, disabled),
                     role = coalesce($3, role),
                     account_id = CASE WHEN $3::text IS NULL THEN account_id ELSE $4 END
                 WHERE id = $1 RETURNING {USER_COLUMNS}"
            );
            let row = tx.query_opt(&sql, &[&user_id, &patch.disabled, &role, &account]).await.map_err(backend)?;
            let Some(row) = row else { return Ok(None) };
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id]).await.map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            user(&row).map(Some)
        })
    }

    fn count_users(&self) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move {
            let n: i64 =
                self.client().await?.query_one("SELECT count(*) FROM users", &[]).await.map_err(backend)?.get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn record_login_failure(
        &self,
        user_id: i64,
        failed: u32,
        locked_until: Option<Timestamp>,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let failed = i32::try_from(failed).unwrap_or(i32::MAX);
            let until = locked_until.map(Timestamp::as_millis);
            let sql = "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1";
            self.client().await?.execute(sql, &[&user_id, &failed, &until]).await.map_err(backend)?;
            Ok(())
        })
    }

    fn record_login_success(&self, user_id: i64) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1";
            self.client().await?.execute(sql, &[&user_id]).await.map_err(backend)?;
            Ok(())
        })
    }

    fn set_password(
        &self,
        user_id: i64,
        hash: String,
        must_change: bool,
        keep: Option<Vec<u8>>,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(backend)?;
            let sql = "UPDATE users SET password_hash = $2, must_change = $3 WHERE id = $1";
            tx.execute(sql, &[&user_id, &hash, &must_change]).await.map_err(backend)?;
            let sql = "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2";
            tx.execute(sql, &[&user_id, &keep]).await.map_err(backend)?;
            tx.commit().await.map_err(backend)
        })
    }

    fn create_session(&self, s: Session) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, address) VALUES ($1, $2, $3, $4, $5)";
            let args: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
                [&s.token_hash, &s.user_id, &s.created_at.as_millis(), &s.last_seen.as_millis(), &s.address];
            self.client().await?.execute(sql, &args).await.map_err(backend)?;
            Ok(())
        })
    }

    fn find_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<Option<(Session, User)>>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT s.created_at, s.last_seen, s.address, {} FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1",
                USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
            );
            let Some(r) = self.client().await?.query_opt(&sql, &[&token_hash]).await.map_err(backend)? else {
                return Ok(None);
            };
            let owner = user_at(&r, 3)?;
            let session = Session {
                token_hash,
                user_id: owner.id,
                created_at: Timestamp::from_millis(r.get(0)),
                last_seen: Timestamp::from_millis(r.get(1)),
                address: r.get(2),
            };
            Ok(Some((session, owner)))
        })
    }

    fn touch_session(&self, token_hash: Vec<u8>, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1";
            self.client().await?.execute(sql, &[&token_hash, &now.as_millis()]).await.map_err(backend)?;
            Ok(())
        })
    }

    fn delete_session(&self, token_hash: Vec<u8>) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let sql = "DELETE FROM sessions WHERE token_hash = $1";
            Ok(self.client().await?.execute(sql, &[&token_hash]).await.map_err(backend)? > 0)
        })
    }

    fn append_audit(&self, e: AuditEntry) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO audit_log (at, actor, address, action, target, before, after, outcome)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
            let args: [&(dyn tokio_postgres::types::ToSql + Sync); 8] =
                [&e.at.as_millis(), &e.actor, &e.address, &e.action, &e.target, &e.before, &e.after, &e.outcome];
            self.client().await?.execute(sql, &args).await.map_err(backend)?;
            Ok(())
        })
    }

    fn audit(&self, f: AuditFilter) -> BoxFuture<'_, Result<Vec<AuditRecord>>> {
        Box::pin(async move {
            let sql = "SELECT id, at, actor, address, action, target, before, after, outcome FROM audit_log
                       WHERE ($1::bigint IS NULL OR at >= $1) AND ($2::bigint IS NULL OR at < $2)
                         AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4)
                         AND ($5::bigint IS NULL OR id < $5)
                       ORDER BY id DESC LIMIT $6";
            let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
            let args: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                &f.from.map(Timestamp::as_millis),
                &f.to.map(Timestamp::as_millis),
                &f.actor,
                &f.action,
                &f.before_id,
                &limit,
            ];
            let rows = self.client().await?.query(sql, &args).await.map_err(backend)?;
            Ok(rows.iter().map(audit_record).collect())
        })
    }
}
