//! Reading messages back: one, a search, the work a restart resumes, what retention archives.
//! Numbers and texts are opened in Rust as rows come; a search by recipient goes through the
//! keyed hash under every key of the ring, as the number lists do.

use hongyan_store::{
    Carrier, Category, MessageDetail, MessageFilter, MessageId, MessageStatus, Money, NewMessage, PendingMessage,
    Provenance, Result, SegmentDetail, StoreError, Timestamp,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::{backend, PgStore};

/// The columns [`PgStore::detail`] reads, in order.
pub(crate) const MESSAGE_COLUMNS: &str =
    "id, account_id, to_number, carrier, category, content, segments, channel, accepted_at,
     source_ext, status, error, submitted_at, completed_at, send_at, callback_url,
     sender, interface, client_addr, client_ref, template_id, unit_price";

const SEGMENT_COLUMNS: &str =
    "message_id, number, carrier_msg_id, submit_result, submitted_at, report_stat, done_at, reported_at, report_raw";

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unknown {what} `{value}` in the messages table"))
}

fn millis(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp::from_millis)
}

impl PgStore {
    /// A message row read with [`MESSAGE_COLUMNS`], its number and text opened.
    pub(crate) fn new_message(&self, r: &Row) -> Result<NewMessage> {
        let (carrier, category): (String, String) = (r.get(3), r.get(4));
        Ok(NewMessage {
            id: MessageId(r.get::<_, i64>(0) as u64),
            account_id: r.get(1),
            to: self.open_text("to", r.get(2))?.unwrap_or_default(),
            carrier: Carrier::parse(&carrier).ok_or_else(|| bad("carrier", &carrier))?,
            category: Category::from_stored(&category).map_err(|_| bad("category", &category))?,
            content: self.open_text("content", r.get(5))?.unwrap_or_default().into(),
            segments: r.get::<_, i16>(6) as u8,
            channel: r.get(7),
            accepted_at: Timestamp::from_millis(r.get(8)),
            source_ext: r.get(9),
            send_at: millis(r.get(14)),
            callback_url: r.get(15),
            provenance: std::sync::Arc::new(Provenance {
                sender: r.get(16),
                interface: r.get(17),
                client_addr: r.get(18),
                client_ref: r.get(19),
                template_id: r.get(20),
            }),
            unit_price: r.get::<_, Option<i64>>(21).map(Money),
        })
    }

    /// A message row with its state; its segments are read apart ([`PgStore::with_segments`]).
    pub(crate) fn detail(&self, r: &Row) -> Result<MessageDetail> {
        let status: String = r.get(10);
        Ok(MessageDetail {
            message: self.new_message(r)?,
            status: MessageStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
            error: r.get(11),
            submitted_at: millis(r.get(12)),
            completed_at: millis(r.get(13)),
            segments: Vec::new(),
        })
    }

    fn segment(&self, r: &Row) -> Result<SegmentDetail> {
        Ok(SegmentDetail {
            number: r.get::<_, i16>(1) as u8,
            carrier_msg_id: r.get(2),
            submit_result: r.get::<_, i32>(3) as u32,
            submitted_at: Timestamp::from_millis(r.get(4)),
            report_stat: r.get(5),
            done_at: millis(r.get(6)),
            reported_at: millis(r.get(7)),
            report_raw: self.open_text("raw", r.get(8))?,
        })
    }

    /// The messages of `rows` with their segments, read in one statement.
    pub(crate) async fn with_segments(&self, rows: &[Row]) -> Result<Vec<MessageDetail>> {
        let mut details = rows.iter().map(|r| self.detail(r)).collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = details.iter().map(|d| d.message.id.0 as i64).collect();
        if ids.is_empty() {
            return Ok(details);
        }
        let sql =
            format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE message_id = ANY($1) ORDER BY message_id, number");
        let segments = self.client().await?.query(&sql, &[&ids]).await.map_err(backend)?;
        for r in &segments {
            let id = MessageId(r.get::<_, i64>(0) as u64);
            if let Some(d) = details.iter_mut().find(|d| d.message.id == id) {
                d.segments.push(self.segment(r)?);
            }
        }
        Ok(details)
    }

    /// One message: of `account_id` only, or (`None`) of any account.
    pub(crate) async fn one_message(&self, account_id: Option<i64>, id: MessageId) -> Result<Option<MessageDetail>> {
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND ($2::bigint IS NULL OR account_id = $2)");
        let rows = self.client().await?.query(&sql, &[&(id.0 as i64), &account_id]).await.map_err(backend)?;
        Ok(self.with_segments(&rows).await?.pop())
    }

    /// The hashes a search by `to` compares: one per key of the ring.
    fn search_hashes(&self, to: Option<&str>) -> Result<Option<Vec<Vec<u8>>>> {
        to.map(|n| self.all_hashes(&[n.to_owned()])).transpose()
    }

    /// Messages matching `f`, newest first (`columns` selected, for a count `1`).
    pub(crate) async fn search(&self, f: &MessageFilter, columns: &str) -> Result<Vec<Row>> {
        let lower = f.since.map_or(0, |t| MessageId::floor(t).0 as i64);
        let mut upper = f.until.map_or(i64::MAX, |t| MessageId::floor(t).0 as i64);
        if let Some(before) = f.before {
            upper = upper.min(before.0 as i64);
        }
        let hashes = self.search_hashes(f.to.as_deref())?;
        let (status, carrier) = (f.status.map(MessageStatus::as_str), f.carrier.map(Carrier::as_str));
        let category = f.category.as_ref().map(Category::stored);
        let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {columns} FROM messages
             WHERE ($1::bigint IS NULL OR account_id = $1) AND ($2::bytea[] IS NULL OR to_hash = ANY($2))
               AND ($3::text IS NULL OR sender = $3) AND ($4::text IS NULL OR client_ref = $4)
               AND ($5::text IS NULL OR status = $5) AND ($6::text IS NULL OR carrier = $6)
               AND ($7::text IS NULL OR category = $7) AND ($8::text IS NULL OR channel = $8)
               AND ($9::bigint IS NULL OR template_id = $9) AND id >= $10 AND id < $11
             ORDER BY id DESC LIMIT $12"
        );
        let args: [&(dyn ToSql + Sync); 12] = [
            &f.account_id,
            &hashes,
            &f.sender,
            &f.client_ref,
            &status,
            &carrier,
            &category,
            &f.channel,
            &f.template_id,
            &lower,
            &upper,
            &limit,
        ];
        self.client().await?.query(&sql, &args).await.map_err(backend)
    }

    /// Accepted messages as a restart resumes them: with the segments the carrier already took.
    pub(crate) async fn pending(&self, rows: &[Row]) -> Result<Vec<PendingMessage>> {
        let messages = rows.iter().map(|r| self.new_message(r)).collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = messages.iter().filter(|m| m.segments > 1).map(|m| m.id.0 as i64).collect();
        let done = match ids.is_empty() {
            true => Vec::new(),
            false => {
                let sql = "SELECT message_id, number FROM segments WHERE message_id = ANY($1) AND submit_result = 0
                           ORDER BY message_id, number";
                self.client().await?.query(sql, &[&ids]).await.map_err(backend)?
            }
        };
        Ok(messages
            .into_iter()
            .map(|message| {
                let id = message.id.0 as i64;
                let done_segments =
                    done.iter().filter(|r| r.get::<_, i64>(0) == id).map(|r| r.get::<_, i16>(1) as u8).collect();
                PendingMessage { message, done_segments }
            })
            .collect())
    }
}
