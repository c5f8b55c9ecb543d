//! Adopting a dead node's work. Each node sends the messages it accepted; while it lives it
//! holds the lease `node:NAME` (renewed by the server). When that lease lapses, the node's
//! accepted but unsent messages are taken over by the nodes still alive, a batch at a time,
//! each batch by one of them (`FOR UPDATE SKIP LOCKED`).
//!
//! A node that holds none of a channel's connections gives that channel's messages back to
//! the cluster (`node` set to the empty name, [`PgStore::release`]); a node that holds one
//! takes them ([`PgStore::adopt_released`]).
//!
//! What a dead node had already handed to a carrier link but not yet recorded may be sent
//! again by its adopter: the carrier sees a duplicate only within that in-flight window.

use hongyan_store::{MessageId, Result};

use crate::store::{backend, PgStore};

/// The lease a node holds while it lives.
pub fn node_lease(node: &str) -> String {
    format!("node:{node}")
}

impl PgStore {
    /// Nodes other than this one whose lease has lapsed: what they left unsent is to adopt.
    /// Read from the leases (a few rows), not from the messages (a backlog may be millions).
    pub async fn dead_nodes(&self) -> Result<Vec<String>> {
        let sql = "SELECT substr(name, 6) FROM hongyan_leases
                   WHERE name LIKE 'node:%' AND name <> 'node:' || $1 AND expires_at <= now()";
        let rows = self.client().await?.query(sql, &[&&*self.node]).await.map_err(backend)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Takes up to `limit` of `dead`'s accepted messages for this node; their ids, oldest first.
    pub async fn adopt(&self, dead: &str, limit: usize) -> Result<Vec<MessageId>> {
        let sql = "UPDATE messages SET node = $1 WHERE id IN (
                       SELECT id FROM messages WHERE status = 'accepted' AND node = $2
                       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
                   RETURNING id";
        let rows = self.client().await?.query(sql, &[&&*self.node, &dead, &(limit as i64)]).await.map_err(backend)?;
        let mut ids: Vec<MessageId> = rows.iter().map(|r| MessageId(r.get::<_, i64>(0) as u64)).collect();
        ids.sort_unstable();
        Ok(ids)
    }
}

impl PgStore {
    /// Gives back those of `ids` this node was to send and that still wait; their ids.
    pub(crate) async fn release(&self, ids: Vec<MessageId>) -> Result<Vec<MessageId>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0 as i64).collect();
        let sql = "UPDATE messages SET node = '' WHERE id = ANY($1) AND node = $2 AND status = 'accepted' RETURNING id";
        let client = self.client().await?;
        let rows = client.query(sql, &[&ids, &&*self.node]).await.map_err(backend)?;
        if !rows.is_empty() {
            // The nodes holding connections take them at once (`wake.rs`).
            client.batch_execute(&format!("NOTIFY {}", crate::wake::RELEASED)).await.map_err(backend)?;
        }
        Ok(rows.iter().map(|r| MessageId(r.get::<_, i64>(0) as u64)).collect())
    }

    /// Takes up to `limit` messages given back on `channels` (those this node holds a
    /// connection of); their ids, oldest first.
    pub async fn adopt_released(&self, channels: &[String], limit: usize) -> Result<Vec<MessageId>> {
        let sql = "UPDATE messages SET node = $1 WHERE id IN (
                       SELECT id FROM messages WHERE status = 'accepted' AND node = '' AND channel = ANY($2)
                       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
                   RETURNING id";
        let rows =
            self.client().await?.query(sql, &[&&*self.node, &channels, &(limit as i64)]).await.map_err(backend)?;
        let mut ids: Vec<MessageId> = rows.iter().map(|r| MessageId(r.get::<_, i64>(0) as u64)).collect();
        ids.sort_unstable();
        Ok(ids)
    }
}

impl PgStore {
    /// How many nodes hold their lease now.
    pub async fn live_nodes(&self) -> Result<usize> {
        let sql = "SELECT count(*) FROM hongyan_leases WHERE name LIKE 'node:%' AND expires_at > now()";
        let row = self.client().await?.query_one(sql, &[]).await.map_err(backend)?;
        Ok(row.get::<_, i64>(0) as usize)
    }
}
