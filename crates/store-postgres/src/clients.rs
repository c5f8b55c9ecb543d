//! Client systems on SMPP/CMPP: parts of long messages waiting for the rest, the part ids a
//! message was accepted under, long messages refused for good, and the `final` (and
//! `refused`) events their receipts come from.

use hongyan_store::{
    ClientOrigin, ClientPart, ClientRefusal, FeedEvent, FeedItem, FinalReport, MessageId, MessageStatus, Result,
    Timestamp,
};
use tokio_postgres::Row;

use crate::store::{backend, PgStore};
use crate::writing::{NewEvent, Writing};

const PART_COLUMNS: &str = "account_id, protocol, group_key, part, total, client_msg_id, source, to_number, category,
    receipt, content, received_at, sender, client_addr";

impl PgStore {
    fn part(&self, r: &Row) -> Result<ClientPart> {
        Ok(ClientPart {
            account_id: r.get(0),
            protocol: r.get(1),
            group_key: r.get(2),
            part: r.get::<_, i16>(3) as u8,
            total: r.get::<_, i16>(4) as u8,
            client_msg_id: r.get(5),
            source: r.get(6),
            to: self.open_text("to", r.get(7))?.unwrap_or_default(),
            category: r.get(8),
            receipt: r.get(9),
            text: self.open_text("content", r.get(10))?.unwrap_or_default(),
            received_at: Timestamp::from_millis(r.get(11)),
            sender: r.get(12),
            client_addr: r.get(13),
        })
    }

    async fn group(&self, account_id: i64, protocol: &str, key: &str) -> Result<Vec<ClientPart>> {
        let sql = format!(
            "SELECT {PART_COLUMNS} FROM client_parts WHERE account_id = $1 AND protocol = $2 AND group_key = $3 ORDER BY part"
        );
        let rows = self.client().await?.query(&sql, &[&account_id, &protocol, &key]).await.map_err(backend)?;
        rows.iter().map(|r| self.part(r)).collect()
    }

    /// Keeps a part (a repeat replaces it); the group's parts once it is whole.
    pub(crate) async fn add_part(&self, p: &ClientPart) -> Result<Vec<ClientPart>> {
        let (to, text) = (self.seal_text("to", Some(&p.to))?, self.seal_text("content", Some(&p.text))?);
        let sql = format!(
            "INSERT INTO client_parts ({PART_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (account_id, protocol, group_key, part) DO UPDATE SET total = excluded.total,
                 client_msg_id = excluded.client_msg_id, source = excluded.source, to_number = excluded.to_number,
                 category = excluded.category, receipt = excluded.receipt, content = excluded.content,
                 received_at = excluded.received_at, sender = excluded.sender, client_addr = excluded.client_addr"
        );
        let (part, total) = (i16::from(p.part), i16::from(p.total));
        let at = p.received_at.as_millis();
        self.client()
            .await?
            .execute(
                &sql,
                &[
                    &p.account_id,
                    &p.protocol,
                    &p.group_key,
                    &part,
                    &total,
                    &p.client_msg_id,
                    &p.source,
                    &to,
                    &p.category,
                    &p.receipt,
                    &text,
                    &at,
                    &p.sender,
                    &p.client_addr,
                ],
            )
            .await
            .map_err(backend)?;
        let parts = self.group(p.account_id, &p.protocol, &p.group_key).await?;
        Ok(if parts.len() >= usize::from(p.total) { parts } else { Vec::new() })
    }

    /// Groups whose newest part came before `before`.
    pub(crate) async fn stale_groups(&self, before: Timestamp) -> Result<Vec<Vec<ClientPart>>> {
        let sql = "SELECT account_id, protocol, group_key FROM client_parts
                   GROUP BY account_id, protocol, group_key HAVING max(received_at) < $1 LIMIT 1000";
        let keys = self.client().await?.query(sql, &[&before.as_millis()]).await.map_err(backend)?;
        let mut out = Vec::with_capacity(keys.len());
        for k in &keys {
            out.push(self.group(k.get(0), k.get::<_, &str>(1), k.get::<_, &str>(2)).await?);
        }
        Ok(out)
    }

    /// A long message refused for good: its kept parts go, and its acknowledged part ids are
    /// owed REJECTD receipts (a `refused` event) when the client asked for receipts.
    pub(crate) async fn refuse(&self, w: &mut Writing<'_>, r: &ClientRefusal) -> Result<()> {
        let drop = "DELETE FROM client_parts WHERE account_id = $1 AND protocol = $2 AND group_key = $3";
        w.exec(drop, &[&r.account_id, &r.protocol, &r.group_key]).await?;
        if !r.receipt || r.part_ids.is_empty() {
            return Ok(());
        }
        let to = self.seal_text("to", Some(&r.to))?;
        let row = w
            .row(
                "INSERT INTO client_refusals (account_id, protocol, part_ids, source, to_number, error, accepted_at, refused_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &r.account_id,
                    &r.protocol,
                    &r.part_ids.join(" "),
                    &r.source,
                    &to,
                    &r.error,
                    &r.accepted_at.as_millis(),
                    &r.refused_at.as_millis(),
                ],
            )
            .await?;
        let id: i64 = row.map_or(0, |r| r.get(0));
        w.append(NewEvent {
            account_id: r.account_id,
            kind: "refused",
            ref_id: id,
            segment: 0,
            created_at: r.refused_at,
            report: None,
        });
        Ok(())
    }

    /// `final` and `refused` events of messages that came over `protocol`, merged in order.
    pub(crate) async fn final_events(
        &self,
        account_id: i64,
        protocol: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<FeedEvent>> {
        let client = self.client().await?;
        let (after, limit) = (after as i64, limit as i64);
        let finals = client
            .query(
                "SELECT f.seq, m.id, m.to_number, m.status, m.error, m.accepted_at, m.completed_at, c.source, m.content,
                        (SELECT array_agg(p.client_msg_id ORDER BY p.part) FROM client_submits p WHERE p.message_id = m.id)
                 FROM feed f JOIN messages m ON m.id = f.ref_id
                 JOIN client_submits c ON c.message_id = f.ref_id AND c.part = 1
                 WHERE f.account_id = $1 AND f.kind = 'final' AND f.seq > $2 AND c.protocol = $3
                 ORDER BY f.seq LIMIT $4",
                &[&account_id, &after, &protocol, &limit],
            )
            .await
            .map_err(backend)?;
        let mut out = Vec::with_capacity(finals.len());
        for r in &finals {
            let status: String = r.get(3);
            let text = self.open_text("content", r.get(8))?.unwrap_or_default();
            let report = FinalReport {
                message_id: MessageId(r.get::<_, i64>(1) as u64),
                to: self.open_text("to", r.get(2))?.unwrap_or_default(),
                status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Unknown),
                error: r.get(4),
                accepted_at: Timestamp::from_millis(r.get(5)),
                completed_at: r.get::<_, Option<i64>>(6).map(Timestamp::from_millis),
                source: r.get(7),
                part_ids: r.get::<_, Option<Vec<String>>>(9).unwrap_or_default(),
                text_start: text.chars().take(20).collect(),
            };
            out.push(FeedEvent { seq: r.get::<_, i64>(0) as u64, item: FeedItem::Final(report), callback_url: None });
        }
        let refused = client
            .query(
                "SELECT f.seq, r.to_number, r.error, r.accepted_at, r.refused_at, r.source, r.part_ids
                 FROM feed f JOIN client_refusals r ON r.id = f.ref_id
                 WHERE f.account_id = $1 AND f.kind = 'refused' AND f.seq > $2 AND r.protocol = $3
                 ORDER BY f.seq LIMIT $4",
                &[&account_id, &after, &protocol, &limit],
            )
            .await
            .map_err(backend)?;
        for r in &refused {
            let report = FinalReport {
                message_id: MessageId(0),
                to: self.open_text("to", r.get(1))?.unwrap_or_default(),
                status: MessageStatus::Rejected,
                error: r.get(2),
                accepted_at: Timestamp::from_millis(r.get(3)),
                completed_at: Some(Timestamp::from_millis(r.get(4))),
                source: r.get(5),
                part_ids: r.get::<_, &str>(6).split(' ').map(str::to_owned).collect(),
                text_start: String::new(),
            };
            out.push(FeedEvent { seq: r.get::<_, i64>(0) as u64, item: FeedItem::Final(report), callback_url: None });
        }
        out.sort_by_key(|e| e.seq);
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
}

/// Written with the message: which part ids the client holds for it; the kept parts go.
pub(crate) async fn record_origin(w: &Writing<'_>, message_id: Option<MessageId>, o: &ClientOrigin) -> Result<()> {
    if let Some(message_id) = message_id {
        for (i, id) in o.part_ids.iter().enumerate() {
            w.exec(
                "INSERT INTO client_submits (message_id, part, protocol, client_msg_id, source, receipt)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&(message_id.0 as i64), &(i as i16 + 1), &o.protocol, id, &o.source, &o.receipt],
            )
            .await?;
        }
    }
    if let Some((account_id, key)) = &o.group {
        let sql = "DELETE FROM client_parts WHERE account_id = $1 AND protocol = $2 AND group_key = $3";
        w.exec(sql, &[account_id, &o.protocol, key]).await?;
    }
    Ok(())
}
