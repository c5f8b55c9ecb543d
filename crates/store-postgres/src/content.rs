//! [`ContentStore`] on PostgreSQL: signatures and an account's defaults, templates, and the
//! reasons given with review decisions.

use hongyan_store::{
    BoxFuture, Category, ContentStore, Result, Signature, SignatureStatus, SigningRules, StoreError, Template,
    Timestamp,
};
use tokio_postgres::Row;

use crate::store::{backend, PgStore};

const SIGNATURE_COLUMNS: &str = "s.id, s.account_id, s.text, s.extension, s.status, s.created_at";
const TEMPLATE_COLUMNS: &str = "id, account_id, name, body, category, status, created_at";

fn status(s: &str) -> Result<SignatureStatus> {
    SignatureStatus::parse(s).ok_or_else(|| StoreError::Backend(format!("unknown review status {s:?}")))
}

fn category(s: &str) -> Result<Category> {
    Category::from_stored(s).map_err(|_| StoreError::Backend(format!("unknown category {s:?}")))
}

/// A signature from `SIGNATURE_COLUMNS` starting at column `o`.
fn signature(r: &Row, o: usize) -> Result<Signature> {
    Ok(Signature {
        id: r.get(o),
        account_id: r.get(o + 1),
        text: r.get(o + 2),
        extension: r.get(o + 3),
        status: status(r.get(o + 4))?,
        created_at: Timestamp::from_millis(r.get(o + 5)),
    })
}

fn template(r: &Row) -> Result<Template> {
    Ok(Template {
        id: r.get(0),
        account_id: r.get(1),
        name: r.get(2),
        body: r.get(3),
        category: category(r.get(4))?,
        status: status(r.get(5))?,
        created_at: Timestamp::from_millis(r.get(6)),
    })
}

impl PgStore {
    /// A decision; a signature no longer approved stops being anyone's default, in the same
    /// transaction.
    async fn decide(&self, id: i64, s: SignatureStatus, now: Timestamp) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let sql = "UPDATE signatures SET status = $2, decided_at = $3 WHERE id = $1";
        let changed = tx.execute(sql, &[&id, &s.as_str(), &now.as_millis()]).await.map_err(backend)?;
        if s != SignatureStatus::Approved {
            tx.execute("DELETE FROM default_signatures WHERE signature_id = $1", &[&id]).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(changed == 1)
    }

    async fn rules(&self, account_id: i64) -> Result<SigningRules> {
        let client = self.client().await?;
        let sql = "SELECT signature_suffix, free_text FROM accounts WHERE id = $1";
        let row = client.query_opt(sql, &[&account_id]).await.map_err(backend)?;
        let (suffix, free_text) = row.map_or((false, false), |r| (r.get(0), r.get(1)));
        let sql = format!(
            "SELECT d.category, {SIGNATURE_COLUMNS} FROM default_signatures d JOIN signatures s ON s.id = d.signature_id
             WHERE d.account_id = $1 AND s.status = 'approved' ORDER BY d.category"
        );
        let rows = client.query(&sql, &[&account_id]).await.map_err(backend)?;
        let defaults = rows.iter().map(|r| Ok((category(r.get(0))?, signature(r, 1)?))).collect::<Result<_>>()?;
        Ok(SigningRules { defaults, suffix, free_text })
    }
}

impl ContentStore for PgStore {
    fn add_signature(
        &self,
        account_id: i64,
        text: &str,
        extension: &str,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Signature>> {
        let (text, extension) = (text.to_owned(), extension.to_owned());
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO signatures AS s (account_id, text, extension, status, created_at)
                 VALUES ($1, $2, $3, 'pending', $4) RETURNING {SIGNATURE_COLUMNS}"
            );
            let args: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [&account_id, &text, &extension, &now.as_millis()];
            signature(&self.client().await?.query_one(&sql, &args).await.map_err(backend)?, 0)
        })
    }

    fn decide_signature(&self, id: i64, s: SignatureStatus, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        Box::pin(self.decide(id, s, now))
    }

    fn set_review_note(
        &self,
        kind: &str,
        id: i64,
        reason: Option<String>,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<()>> {
        let kind = kind.to_owned();
        Box::pin(async move {
            let client = self.client().await?;
            match reason {
                Some(r) => {
                    let sql = "INSERT INTO review_notes (kind, item_id, reason, decided_at) VALUES ($1, $2, $3, $4)
                               ON CONFLICT (kind, item_id) DO UPDATE SET reason = excluded.reason,
                                   decided_at = excluded.decided_at";
                    client.execute(sql, &[&kind, &id, &r, &now.as_millis()]).await
                }
                None => {
                    client.execute("DELETE FROM review_notes WHERE kind = $1 AND item_id = $2", &[&kind, &id]).await
                }
            }
            .map_err(backend)?;
            Ok(())
        })
    }

    fn review_notes(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<(String, i64, String)>>> {
        Box::pin(async move {
            let sql = "SELECT n.kind, n.item_id, n.reason FROM review_notes n
                       WHERE (n.kind = 'signature' AND n.item_id IN (SELECT id FROM signatures WHERE account_id = $1))
                          OR (n.kind = 'template' AND n.item_id IN (SELECT id FROM templates WHERE account_id = $1))
                       ORDER BY n.decided_at, n.kind, n.item_id";
            let rows = self.client().await?.query(sql, &[&account_id]).await.map_err(backend)?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
        })
    }

    fn set_default_signature(&self, account_id: i64, c: Category, signature_id: i64) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let sql = "INSERT INTO default_signatures (account_id, category, signature_id)
                       SELECT $1, $2, id FROM signatures WHERE id = $3 AND account_id = $1 AND status = 'approved'
                       ON CONFLICT (account_id, category) DO UPDATE SET signature_id = excluded.signature_id";
            let n =
                self.client().await?.execute(sql, &[&account_id, &c.stored(), &signature_id]).await.map_err(backend)?;
            Ok(n == 1)
        })
    }

    fn set_signature_suffix(&self, account_id: i64, suffix: bool) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "UPDATE accounts SET signature_suffix = $2 WHERE id = $1";
            self.client().await?.execute(sql, &[&account_id, &suffix]).await.map_err(backend)?;
            Ok(())
        })
    }

    fn list_signatures(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<Signature>>> {
        Box::pin(async move {
            let sql = format!("SELECT {SIGNATURE_COLUMNS} FROM signatures s WHERE s.account_id = $1 ORDER BY s.id");
            let rows = self.client().await?.query(&sql, &[&account_id]).await.map_err(backend)?;
            rows.iter().map(|r| signature(r, 0)).collect()
        })
    }

    fn signing_rules(&self, account_id: i64) -> BoxFuture<'_, Result<SigningRules>> {
        Box::pin(self.rules(account_id))
    }

    fn add_template(
        &self,
        account_id: i64,
        name: &str,
        body: &str,
        c: Category,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Template>> {
        let (name, body) = (name.to_owned(), body.to_owned());
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO templates (account_id, name, body, category, status, created_at)
                 VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING {TEMPLATE_COLUMNS}"
            );
            let args: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
                [&account_id, &name, &body, &c.stored(), &now.as_millis()];
            template(&self.client().await?.query_one(&sql, &args).await.map_err(backend)?)
        })
    }

    fn decide_template(&self, id: i64, s: SignatureStatus, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let sql = "UPDATE templates SET status = $2, decided_at = $3 WHERE id = $1";
            Ok(self.client().await?.execute(sql, &[&id, &s.as_str(), &now.as_millis()]).await.map_err(backend)? == 1)
        })
    }

    fn get_template(&self, account_id: i64, id: i64) -> BoxFuture<'_, Result<Option<Template>>> {
        Box::pin(async move {
            let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM templates WHERE id = $1 AND account_id = $2");
            let row = self.client().await?.query_opt(&sql, &[&id, &account_id]).await.map_err(backend)?;
            row.map(|r| template(&r)).transpose()
        })
    }

    fn list_templates(&self, account_id: i64) -> BoxFuture<'_, Result<Vec<Template>>> {
        Box::pin(async move {
            let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM templates WHERE account_id = $1 ORDER BY id");
            let rows = self.client().await?.query(&sql, &[&account_id]).await.map_err(backend)?;
            rows.iter().map(template).collect()
        })
    }
}
