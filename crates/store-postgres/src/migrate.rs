//! The schema, in numbered SQL files applied in order, each once. Nodes of a cluster start
//! together: a transaction-scoped advisory lock lets one apply what is missing while the
//! others wait and then find nothing left to do.

use deadpool_postgres::Pool;

use crate::PgError;

/// Every migration, oldest first. A file is never edited once released: a change is a new file.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_leases", include_str!("../migrations/0001_leases.sql")),
    ("0002_users", include_str!("../migrations/0002_users.sql")),
    ("0003_operations", include_str!("../migrations/0003_operations.sql")),
    ("0004_accounts", include_str!("../migrations/0004_accounts.sql")),
    ("0005_content", include_str!("../migrations/0005_content.sql")),
    ("0006_numbers", include_str!("../migrations/0006_numbers.sql")),
    ("0007_messages", include_str!("../migrations/0007_messages.sql")),
];

/// The advisory lock's key: "hongyan" in ASCII, so it does not clash with another program's.
const LOCK: i64 = 0x0068_6f6e_6779_616e;

/// Applies the migrations the database lacks; returns their names.
pub async fn migrate(pool: &Pool) -> Result<Vec<&'static str>, PgError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS hongyan_migrations (
             name text PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let done: Vec<String> =
        tx.query("SELECT name FROM hongyan_migrations", &[]).await?.iter().map(|r| r.get(0)).collect();
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        if done.iter().any(|d| d == name) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO hongyan_migrations (name) VALUES ($1)", &[name]).await?;
        applied.push(*name);
    }
    tx.commit().await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "PostgreSQL schema migrated");
    }
    Ok(applied)
}
