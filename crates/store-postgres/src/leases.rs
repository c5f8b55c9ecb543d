//! Leases in PostgreSQL: what makes a scarce thing — one of a channel's carrier connections,
//! a job that must run once in the cluster — belong to one node at a time.
//!
//! A lease is a row: its name, its holder, a generation and an expiry. The holder renews it
//! well inside its time to live; a holder that dies (or pauses) stops renewing, the lease
//! lapses, and another node takes it with the next generation. The database's own clock
//! decides expiry, so nodes whose clocks disagree still agree on who holds what.
//!
//! Renewing is not enough on its own: a node can pause (a long GC-like stall, a frozen VM)
//! after its last renewal and wake up believing it still holds the lease. So every write done
//! under a lease is *fenced*: it carries [`fence`]'s condition, which is true only while that
//! very generation is held and unexpired, and a stale holder's write changes nothing.

use std::time::Duration;

use deadpool_postgres::Pool;

use crate::PgError;

/// A lease held: a write fenced with it succeeds only while it is still held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// What is held, e.g. `link:cmcc-primary:0` or `job:retention`.
    pub name: String,
    /// The node holding it.
    pub holder: String,
    /// Which holding this is: higher than any earlier holding of the same name.
    pub generation: i64,
}

/// One node's hand on the cluster's leases.
#[derive(Clone)]
pub struct Leases {
    pool: Pool,
    node: String,
    ttl: Duration,
}

impl std::fmt::Debug for Leases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leases").field("node", &self.node).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Leases {
    /// Leases taken by `node`, each lasting `ttl` from its last renewal.
    pub fn new(pool: Pool, node: impl Into<String>, ttl: Duration) -> Self {
        Self { pool, node: node.into(), ttl }
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Takes `name` if nobody holds it (or its holder let it lapse); `None` while another
    /// node holds it. Taking a lease this node already holds renews it in the same generation.
    pub async fn acquire(&self, name: &str) -> Result<Option<Lease>, PgError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "INSERT INTO hongyan_leases AS l (name, holder, generation, expires_at)
                 VALUES ($1, $2, 1, now() + $3::bigint * interval '1 millisecond')
                 ON CONFLICT (name) DO UPDATE SET
                     holder = excluded.holder,
                     generation = CASE WHEN l.holder = excluded.holder AND l.expires_at > now()
                                       THEN l.generation ELSE l.generation + 1 END,
                     expires_at = excluded.expires_at
                 WHERE l.expires_at <= now() OR l.holder = excluded.holder
                 RETURNING generation",
                &[&name, &self.node, &millis(self.ttl)],
            )
            .await?;
        Ok(row.map(|r| Lease { name: name.to_owned(), holder: self.node.clone(), generation: r.get(0) }))
    }

    /// Extends `lease` by the time to live; `false` when it was lost (it lapsed, and maybe
    /// another node took it): the holder must stop at once.
    pub async fn renew(&self, lease: &Lease) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        let changed = client
            .execute(
                "UPDATE hongyan_leases SET expires_at = now() + $4::bigint * interval '1 millisecond'
                 WHERE name = $1 AND holder = $2 AND generation = $3 AND expires_at > now()",
                &[&lease.name, &lease.holder, &lease.generation, &millis(self.ttl)],
            )
            .await?;
        Ok(changed == 1)
    }

    /// [`Leases::renew`] for several leases of this node in one statement: whether each is
    /// still held, in order.
    pub async fn renew_all(&self, leases: &[Lease]) -> Result<Vec<bool>, PgError> {
        if leases.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = leases.iter().map(|l| l.name.as_str()).collect();
        let generations: Vec<i64> = leases.iter().map(|l| l.generation).collect();
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "UPDATE hongyan_leases l SET expires_at = now() + $4::bigint * interval '1 millisecond'
                 FROM unnest($1::text[], $3::bigint[]) AS k(name, generation)
                 WHERE l.name = k.name AND l.generation = k.generation AND l.holder = $2 AND l.expires_at > now()
                 RETURNING l.name",
                &[&names, &self.node, &generations, &millis(self.ttl)],
            )
            .await?;
        let kept: std::collections::HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
        Ok(leases.iter().map(|l| kept.contains(&l.name)).collect())
    }

    /// Gives `lease` up now, so another node can take it without waiting for it to lapse.
    pub async fn release(&self, lease: &Lease) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE hongyan_leases SET expires_at = now()
                 WHERE name = $1 AND holder = $2 AND generation = $3",
                &[&lease.name, &lease.holder, &lease.generation],
            )
            .await?;
        Ok(())
    }

    /// How many of the leases whose names begin with `prefix` each node holds now (nodes
    /// holding none are missing).
    pub async fn holdings(&self, prefix: &str) -> Result<std::collections::HashMap<String, usize>, PgError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT holder, count(*) FROM hongyan_leases
                 WHERE left(name, length($1)) = $1 AND expires_at > now() GROUP BY holder",
                &[&prefix],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1) as usize)).collect())
    }

    /// Who holds `name` now, if anyone.
    pub async fn holder(&self, name: &str) -> Result<Option<Lease>, PgError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt("SELECT holder, generation FROM hongyan_leases WHERE name = $1 AND expires_at > now()", &[&name])
            .await?;
        Ok(row.map(|r| Lease { name: name.to_owned(), holder: r.get(0), generation: r.get(1) }))
    }
}

/// The condition that fences a write: true only while the lease whose name, holder and
/// generation are bound as `$first`, `$first + 1` and `$first + 2` is held and unexpired. Put
/// it in the write's `WHERE` (`UPDATE … WHERE … AND <fence>`, `INSERT … SELECT … WHERE
/// <fence>`), and bind [`Lease::params`] there.
pub fn fence(first: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM hongyan_leases f WHERE f.name = ${first} AND f.holder = ${} \
         AND f.generation = ${} AND f.expires_at > now())",
        first + 1,
        first + 2
    )
}

impl Lease {
    /// The three values [`fence`] binds, in its order.
    pub fn params(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); 3] {
        [&self.name, &self.holder, &self.generation]
    }
}
