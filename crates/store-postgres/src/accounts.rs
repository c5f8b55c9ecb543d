//! [`AccountStore`] on PostgreSQL: accounts and their settings, keys, nonces, rights, limits,
//! callbacks, and the logins of the SMPP and CMPP servers.

use hongyan_store::{
    Account, AccountLimits, AccountPatch, AccountStore, ApiKey, BoxFuture, Callback, Cidr, ClientLogin, KeyWithAccount,
    PriceTable, Result, Rights, Timestamp,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::{backend, PgStore};

const ACCOUNT_COLUMNS: &str = "a.id, a.name, a.enabled, a.created_at, a.expires_at, a.deleted_at";
const KEY_COLUMNS: &str = "k.key_id, k.account_id, k.secret_hash, k.created_at, k.revoked_at, k.last_used_at";

fn at(r: &Row, i: usize) -> Option<Timestamp> {
    r.get::<_, Option<i64>>(i).map(Timestamp::from_millis)
}

/// An account from `ACCOUNT_COLUMNS` starting at column `o`.
fn account(r: &Row, o: usize) -> Account {
    Account {
        id: r.get(o),
        name: r.get(o + 1),
        enabled: r.get(o + 2),
        created_at: Timestamp::from_millis(r.get(o + 3)),
        expires_at: at(r, o + 4),
        deleted_at: at(r, o + 5),
    }
}

fn key(r: &Row) -> ApiKey {
    ApiKey {
        key_id: r.get(0),
        account_id: r.get(1),
        secret_hash: r.get(2),
        created_at: Timestamp::from_millis(r.get(3)),
        revoked_at: at(r, 4),
        last_used_at: at(r, 5),
    }
}

fn joined(v: &Option<Vec<String>>) -> Option<String> {
    v.as_ref().map(|items| items.join(","))
}

fn split(s: Option<String>) -> Option<Vec<String>> {
    s.map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect())
}

fn int(v: Option<u32>) -> Option<i32> {
    v.map(|n| i32::try_from(n).unwrap_or(i32::MAX))
}

fn uint(r: &Row, i: usize) -> Option<u32> {
    r.get::<_, Option<i32>>(i).map(|n| u32::try_from(n).unwrap_or(0))
}

fn big(v: Option<u64>) -> Option<i64> {
    v.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn ubig(r: &Row, i: usize) -> Option<u64> {
    r.get::<_, Option<i64>>(i).map(|n| u64::try_from(n).unwrap_or(0))
}

impl PgStore {
    async fn one<T>(&self, sql: &str, args: &[&(dyn ToSql + Sync)], read: impl Fn(&Row) -> T) -> Result<Option<T>> {
        Ok(self.client().await?.query_opt(sql, args).await.map_err(backend)?.map(|r| read(&r)))
    }

    async fn changed(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        self.client().await?.execute(sql, args).await.map_err(backend)
    }

    async fn account_by_id(&self, id: i64) -> Result<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
        self.one(&sql, &[&id], |r| account(r, 0)).await
    }

    async fn rights_of(&self, account_id: i64) -> Result<Rights> {
        let sql =
            "SELECT interfaces, operations, categories, ip_allow, prices FROM account_rights WHERE account_id = $1";
        let row = self.client().await?.query_opt(sql, &[&account_id]).await.map_err(backend)?;
        let Some(r) = row else { return Ok(Rights::default()) };
        let ips = split(r.get(3)).map(|v| v.iter().filter_map(|c| Cidr::parse(c).ok()).collect());
        Ok(Rights {
            interfaces: split(r.get(0)),
            operations: split(r.get(1)),
            categories: split(r.get(2)),
            ip_allow: ips,
            prices: r.get::<_, Option<String>>(4).as_deref().map(PriceTable::from_stored),
        })
    }

    async fn save_rights(&self, account_id: i64, r: Rights) -> Result<()> {
        let ips = r.ip_allow.as_ref().map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
        let prices = r.prices.as_ref().map(PriceTable::stored);
        let sql = "INSERT INTO account_rights (account_id, interfaces, operations, categories, ip_allow, prices)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (account_id) DO UPDATE SET interfaces = excluded.interfaces,
                       operations = excluded.operations, categories = excluded.categories,
                       ip_allow = excluded.ip_allow, prices = excluded.prices";
        let (i, o, c) = (joined(&r.interfaces), joined(&r.operations), joined(&r.categories));
        self.changed(sql, &[&account_id, &i, &o, &c, &ips, &prices]).await.map(drop)
    }

    async fn claim(&self, key_id: String, nonce: String, now: Timestamp, forget_before: Timestamp) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let forget = forget_before.as_millis();
        tx.execute("DELETE FROM request_nonces WHERE seen_at < $1", &[&forget]).await.map_err(backend)?;
        let claimed = tx
            .execute(
                "INSERT INTO request_nonces AS n (key_id, nonce, seen_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id, nonce) DO UPDATE SET seen_at = excluded.seen_at WHERE n.seen_at < $4",
                &[&key_id, &nonce, &now.as_millis(), &forget],
            )
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(claimed == 1)
    }
}

impl AccountStore for PgStore {
    fn create_account(&self, name: &str, now: Timestamp) -> BoxFuture<'_, Result<Account>> {
        let name = name.to_owned();
        Box::pin(async move {
            let sql =
                format!("INSERT INTO accounts AS a (name, created_at) VALUES ($1, $2) RETURNING {ACCOUNT_COLUMNS}");
            let row = self.client().await?.query_one(&sql, &[&name, &now.as_millis()]).await.map_err(backend)?;
            Ok(account(&row, 0))
        })
    }

    fn create_api_key(&self, k: ApiKey) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO api_keys (key_id, account_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)";
            self.changed(sql, &[&k.key_id, &k.account_id, &k.secret_hash, &k.created_at.as_millis()]).await.map(drop)
        })
    }

    fn get_account(&self, id: i64) -> BoxFuture<'_, Result<Option<Account>>> {
        Box::pin(self.account_by_id(id))
    }

    fn list_accounts(&self) -> BoxFuture<'_, Result<Vec<Account>>> {
        Box::pin(async move {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.id");
            Ok(self.client().await?.query(&sql, &[]).await.map_err(backend)?.iter().map(|r| account(r, 0)).collect())
        })
    }

    fn update_account(&self, id: i64, p: AccountPatch) -> BoxFuture<'_, Result<Option<Account>>> {
        Box::pin(async move {
            let expires = p.expires_at.map(|e| e.map(Timestamp::as_millis));
            let sql = "UPDATE accounts SET enabled = coalesce($2, enabled),
                           expires_at = CASE WHEN $3 THEN $4 ELSE expires_at END
                       WHERE id = $1 AND deleted_at IS NULL";
            let (set_expiry, expiry) = (expires.is_some(), expires.flatten());
            self.changed(sql, &[&id, &p.enabled, &set_expiry, &expiry]).await?;
            self.account_by_id(id).await
        })
    }

    fn delete_account(&self, id: i64, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let sql = "UPDATE accounts SET deleted_at = $2, enabled = false WHERE id = $1 AND deleted_at IS NULL";
            Ok(self.changed(sql, &[&id, &now.as_millis()]).await? == 1)
        })
    }

    fn account_rights(&self, account_id: i64) -> BoxFuture<'_, Result<Rights>> {
        Box::pin(self.rights_of(account_id))
    }

    fn set_account_rights(&self, account_id: i64, rights: Rights) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.save_rights(account_id, rights))
    }

    fn list_api_keys(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<ApiKey>>> {
        Box::pin(async move {
            let sql =
                format!("SELECT {KEY_COLUMNS} FROM api_keys k WHERE k.account_id = $1 ORDER BY k.created_at, k.key_id");
            Ok(self.client().await?.query(&sql, &[&account_id]).await.map_err(backend)?.iter().map(key).collect())
        })
    }

    fn revoke_api_key(&self, account_id: i64, key_id: &str, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        let key_id = key_id.to_owned();
        Box::pin(async move {
            let sql =
                "UPDATE api_keys SET revoked_at = $3 WHERE account_id = $1 AND key_id = $2 AND revoked_at IS NULL";
            Ok(self.changed(sql, &[&account_id, &key_id, &now.as_millis()]).await? == 1)
        })
    }

    fn touch_api_key(&self, key_id: &str, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        let key_id = key_id.to_owned();
        Box::pin(async move {
            let sql = "UPDATE api_keys SET last_used_at = $2 WHERE key_id = $1";
            self.changed(sql, &[&key_id, &now.as_millis()]).await.map(drop)
        })
    }

    fn claim_nonce(
        &self,
        key_id: &str,
        nonce: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> BoxFuture<'_, Result<bool>> {
        Box::pin(self.claim(key_id.to_owned(), nonce.to_owned(), now, forget_before))
    }

    fn find_api_key(&self, key_id: &str) -> BoxFuture<'_, Result<Option<KeyWithAccount>>> {
        let key_id = key_id.to_owned();
        Box::pin(async move {
            let sql = format!(
                "SELECT {KEY_COLUMNS}, {ACCOUNT_COLUMNS} FROM api_keys k JOIN accounts a ON a.id = k.account_id
                 WHERE k.key_id = $1"
            );
            self.one(&sql, &[&key_id], |r| KeyWithAccount { key: key(r), account: account(r, 6) }).await
        })
    }

    fn free_text_allowed(&self, account_id: i64) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let allowed =
                self.one("SELECT free_text FROM accounts WHERE id = $1", &[&account_id], |r| r.get(0)).await?;
            Ok(allowed.unwrap_or(false))
        })
    }

    fn set_free_text(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.changed("UPDATE accounts SET free_text = $2 WHERE id = $1", &[&account_id, &allowed]).await.map(drop)
        })
    }

    fn account_limits(&self, account_id: i64) -> BoxFuture<'_, Result<AccountLimits>> {
        Box::pin(async move {
            let sql = "SELECT rate_limit, daily_quota, monthly_quota, verification_per_minute, verification_per_hour,
                              verification_per_day FROM accounts WHERE id = $1";
            let limits = self
                .one(sql, &[&account_id], |r| AccountLimits {
                    rate: uint(r, 0),
                    daily_quota: ubig(r, 1),
                    monthly_quota: ubig(r, 2),
                    verification_per_minute: uint(r, 3),
                    verification_per_hour: uint(r, 4),
                    verification_per_day: uint(r, 5),
                })
                .await?;
            Ok(limits.unwrap_or_default())
        })
    }

    fn set_account_limits(&self, account_id: i64, l: AccountLimits) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "UPDATE accounts SET rate_limit = $2, daily_quota = $3, monthly_quota = $4,
                           verification_per_minute = $5, verification_per_hour = $6, verification_per_day = $7
                       WHERE id = $1";
            let (rate, daily, monthly) = (int(l.rate), big(l.daily_quota), big(l.monthly_quota));
            let per = [l.verification_per_minute, l.verification_per_hour, l.verification_per_day].map(int);
            self.changed(sql, &[&account_id, &rate, &daily, &monthly, &per[0], &per[1], &per[2]]).await.map(drop)
        })
    }

    /// Clearing the callback also forgets what was owed to it: a new one starts with what
    /// comes next.
    fn set_callback(&self, account_id: i64, callback: Option<Callback>) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let url = callback.as_ref().map(|c| &c.url);
            let secret = self.seal_text("secret", callback.as_ref().map(|c| c.secret.as_str()))?;
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(backend)?;
            let sql = "UPDATE accounts SET callback_url = $2, callback_secret = $3 WHERE id = $1";
            let changed = tx.execute(sql, &[&account_id, &url, &secret]).await.map_err(backend)?;
            if callback.is_none() {
                tx.execute("DELETE FROM push_state WHERE account_id = $1", &[&account_id]).await.map_err(backend)?;
            }
            tx.commit().await.map_err(backend)?;
            Ok(changed == 1)
        })
    }

    fn callback(&self, account_id: i64) -> BoxFuture<'_, Result<Option<Callback>>> {
        Box::pin(async move {
            let sql = "SELECT callback_url, callback_secret FROM accounts WHERE id = $1";
            let row = self
                .one(sql, &[&account_id], |r| (r.get::<_, Option<String>>(0), r.get::<_, Option<Vec<u8>>>(1)))
                .await?;
            Ok(match row {
                Some((Some(url), sealed @ Some(_))) => {
                    self.open_text("secret", sealed)?.map(|secret| Callback { url, secret })
                }
                _ => None,
            })
        })
    }

    fn set_callback_per_request(&self, account_id: i64, allowed: bool) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let sql = "UPDATE accounts SET callback_per_request = $2 WHERE id = $1";
            Ok(self.changed(sql, &[&account_id, &allowed]).await? == 1)
        })
    }

    fn callback_per_request(&self, account_id: i64) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let sql = "SELECT callback_per_request FROM accounts WHERE id = $1";
            Ok(self.one(sql, &[&account_id], |r| r.get(0)).await?.unwrap_or(false))
        })
    }

    fn create_client_login(&self, l: ClientLogin) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO client_logins (protocol, login, account_id, secret, created_at, default_category)
                       VALUES ($1, $2, $3, $4, $5, $6)";
            let secret = self.seal_text("secret", Some(&l.secret))?;
            let args: [&(dyn ToSql + Sync); 6] =
                [&l.protocol, &l.login, &l.account_id, &secret, &l.created_at.as_millis(), &l.default_category];
            self.changed(sql, &args).await.map(drop)
        })
    }

    fn find_client_login(&self, protocol: &str, login: &str) -> BoxFuture<'_, Result<Option<(ClientLogin, Account)>>> {
        let (protocol, login) = (protocol.to_owned(), login.to_owned());
        Box::pin(async move {
            let sql = format!(
                "SELECT l.account_id, l.secret, l.created_at, l.default_category, {ACCOUNT_COLUMNS}
                 FROM client_logins l JOIN accounts a ON a.id = l.account_id WHERE l.protocol = $1 AND l.login = $2"
            );
            let row = self
                .one(&sql, &[&protocol, &login], |r| {
                    let found = ClientLogin {
                        protocol: protocol.clone(),
                        login: login.clone(),
                        account_id: r.get(0),
                        secret: String::new(),
                        created_at: Timestamp::from_millis(r.get(2)),
                        default_category: r.get(3),
                    };
                    (found, r.get::<_, Vec<u8>>(1), account(r, 4))
                })
                .await?;
            let Some((mut found, sealed, account)) = row else { return Ok(None) };
            found.secret = self.open_text("secret", Some(sealed))?.unwrap_or_default();
            Ok(Some((found, account)))
        })
    }

    fn set_client_login_category(
        &self,
        account_id: i64,
        protocol: &str,
        login: &str,
        category: Option<String>,
    ) -> BoxFuture<'_, Result<bool>> {
        let (protocol, login) = (protocol.to_owned(), login.to_owned());
        Box::pin(async move {
            let sql =
                "UPDATE client_logins SET default_category = $4 WHERE account_id = $1 AND protocol = $2 AND login = $3";
            Ok(self.changed(sql, &[&account_id, &protocol, &login, &category]).await? == 1)
        })
    }
}
