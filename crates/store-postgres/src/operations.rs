//! [`OperationsStore`] on PostgreSQL: link-quality minutes, incidents (their texts sealed),
//! alerts.

use hongyan_store::{
    AlertRecord, BoxFuture, Incident, IncidentFilter, IncidentKind, IncidentPatch, LinkMinute, NewIncident,
    OperationsStore, Result, RttHistogram, StoreError, Timestamp,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::{backend, PgStore};

const MINUTE_COLUMNS: &str = "channel, link, minute, up_ms, submits, accepted, refused, throttled, unanswered, \
                              resends, drops, probes, rtt, rtt_sum_us, rtt_max_us, jitter_sum_us, jitter_pairs, \
                              in_flight_max, codes";
const INCIDENT_COLUMNS: &str = "id, kind, channel, symptom, opened_at, opened_by, account_id, fixed_at, cause, \
                                actions, result, reported_at";
const ALERT_COLUMNS: &str = "id, rule, subject, message, started_at, last_sent_at, sends, resolved_at";
/// The sealing label of incident texts, the same as SQLite's.
const INCIDENT: &str = "incident";

/// A u32 counter as PostgreSQL's integer (counts of a minute never come near the limit).
fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn uint(r: &Row, i: usize) -> u32 {
    u32::try_from(r.get::<_, i32>(i)).unwrap_or(0)
}

fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn minute_row(r: &Row) -> Result<LinkMinute> {
    let rtt: Vec<u8> = r.get(12);
    let codes: String = r.get(18);
    Ok(LinkMinute {
        channel: r.get(0),
        link: r.get::<_, Option<i32>>(1).and_then(|l| u16::try_from(l).ok()),
        minute: Timestamp::from_millis(r.get(2)),
        up_ms: uint(r, 3),
        submits: uint(r, 4),
        accepted: uint(r, 5),
        refused: uint(r, 6),
        throttled: uint(r, 7),
        unanswered: uint(r, 8),
        resends: uint(r, 9),
        drops: uint(r, 10),
        probes: uint(r, 11),
        rtt: RttHistogram::from_bytes(&rtt).map_err(|e| StoreError::Backend(format!("link minute rtt: {e}")))?,
        rtt_sum_us: u64::try_from(r.get::<_, i64>(13)).unwrap_or(0),
        rtt_max_us: u64::try_from(r.get::<_, i64>(14)).unwrap_or(0),
        jitter_sum_us: u64::try_from(r.get::<_, i64>(15)).unwrap_or(0),
        jitter_pairs: uint(r, 16),
        in_flight_max: uint(r, 17),
        codes: LinkMinute::parse_codes(&codes).ok_or_else(|| StoreError::Backend(format!("bad codes {codes:?}")))?,
    })
}

fn alert_row(r: &Row) -> AlertRecord {
    AlertRecord {
        id: r.get(0),
        rule: r.get(1),
        subject: r.get(2),
        message: r.get(3),
        started_at: Timestamp::from_millis(r.get(4)),
        last_sent_at: Timestamp::from_millis(r.get(5)),
        sends: uint(r, 6),
        resolved_at: r.get::<_, Option<i64>>(7).map(Timestamp::from_millis),
    }
}

impl PgStore {
    fn incident_row(&self, r: &Row) -> Result<Incident> {
        let kind: String = r.get(1);
        let at = |i: usize| r.get::<_, Option<i64>>(i).map(Timestamp::from_millis);
        let text = |i: usize| self.open_text(INCIDENT, r.get(i));
        Ok(Incident {
            id: r.get(0),
            opened: NewIncident {
                kind: IncidentKind::parse(&kind)
                    .ok_or_else(|| StoreError::Backend(format!("incident kind {kind:?}")))?,
                channel: r.get(2),
                symptom: text(3)?.unwrap_or_default(),
                opened_at: Timestamp::from_millis(r.get(4)),
                opened_by: r.get(5),
                account_id: r.get(6),
            },
            fixed_at: at(7),
            cause: text(8)?,
            actions: text(9)?,
            result: text(10)?,
            reported_at: at(11),
        })
    }

    async fn incident(&self, id: i64) -> Result<Option<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
        let row = self.client().await?.query_opt(&sql, &[&id]).await.map_err(backend)?;
        row.map(|r| self.incident_row(&r)).transpose()
    }

    async fn save_minutes(&self, rows: Vec<LinkMinute>) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let sql = format!(
            "INSERT INTO link_minutes ({MINUTE_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        );
        let stmt = tx.prepare(&sql).await.map_err(backend)?;
        for m in &rows {
            let (rtt, codes, link) = (m.rtt.to_bytes(), m.codes_text(), m.link.map(i32::from));
            let counts =
                [m.up_ms, m.submits, m.accepted, m.refused, m.throttled, m.unanswered, m.resends, m.drops, m.probes]
                    .map(int);
            let sums = [m.rtt_sum_us, m.rtt_max_us, m.jitter_sum_us].map(big);
            let (pairs, in_flight) = (int(m.jitter_pairs), int(m.in_flight_max));
            let mut args: Vec<&(dyn ToSql + Sync)> = vec![&m.channel, &link];
            let minute = m.minute.as_millis();
            args.push(&minute);
            args.extend(counts.iter().map(|c| c as &(dyn ToSql + Sync)));
            args.push(&rtt);
            args.extend(sums.iter().map(|s| s as &(dyn ToSql + Sync)));
            args.extend([&pairs as &(dyn ToSql + Sync), &in_flight, &codes]);
            tx.execute(&stmt, &args).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }
}

impl OperationsStore for PgStore {
    fn save_link_minutes(&self, rows: Vec<LinkMinute>) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.save_minutes(rows))
    }

    fn link_minutes(
        &self,
        channel: &str,
        link: Option<u16>,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LinkMinute>>> {
        let channel = channel.to_owned();
        Box::pin(async move {
            let sql = format!(
                "SELECT {MINUTE_COLUMNS} FROM link_minutes
                 WHERE channel = $1 AND link IS NOT DISTINCT FROM $2 AND minute >= $3 AND minute < $4 ORDER BY minute"
            );
            let link = link.map(i32::from);
            let args: [&(dyn ToSql + Sync); 4] = [&channel, &link, &from.as_millis(), &to.as_millis()];
            let rows = self.client().await?.query(&sql, &args).await.map_err(backend)?;
            rows.iter().map(minute_row).collect()
        })
    }

    fn purge_link_minutes(&self, before: Timestamp) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move {
            let sql = "DELETE FROM link_minutes WHERE minute < $1";
            let n = self.client().await?.execute(sql, &[&before.as_millis()]).await.map_err(backend)?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }

    fn open_incident(&self, n: NewIncident) -> BoxFuture<'_, Result<Incident>> {
        Box::pin(async move {
            let symptom = self.seal_text(INCIDENT, Some(&n.symptom))?;
            let sql = format!(
                "INSERT INTO incidents (kind, channel, symptom, opened_at, opened_by, account_id)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {INCIDENT_COLUMNS}"
            );
            let args: [&(dyn ToSql + Sync); 6] =
                [&n.kind.as_str(), &n.channel, &symptom, &n.opened_at.as_millis(), &n.opened_by, &n.account_id];
            let row = self.client().await?.query_one(&sql, &args).await.map_err(backend)?;
            self.incident_row(&row)
        })
    }

    fn update_incident(&self, id: i64, p: IncidentPatch) -> BoxFuture<'_, Result<Option<Incident>>> {
        Box::pin(async move {
            let [cause, actions, result] =
                [&p.cause, &p.actions, &p.result].map(|t| self.seal_text(INCIDENT, t.as_deref()));
            let (cause, actions, result) = (cause?, actions?, result?);
            let ms = |t: Option<Timestamp>| t.map(Timestamp::as_millis);
            let sql = format!(
                "UPDATE incidents SET fixed_at = coalesce($2, fixed_at), cause = coalesce($3, cause),
                     actions = coalesce($4, actions), result = coalesce($5, result),
                     reported_at = coalesce($6, reported_at)
                 WHERE id = $1 RETURNING {INCIDENT_COLUMNS}"
            );
            let args: [&(dyn ToSql + Sync); 6] = [&id, &ms(p.fixed_at), &cause, &actions, &result, &ms(p.reported_at)];
            let row = self.client().await?.query_opt(&sql, &args).await.map_err(backend)?;
            row.map(|r| self.incident_row(&r)).transpose()
        })
    }

    fn get_incident(&self, id: i64) -> BoxFuture<'_, Result<Option<Incident>>> {
        Box::pin(self.incident(id))
    }

    fn incidents(&self, f: IncidentFilter) -> BoxFuture<'_, Result<Vec<Incident>>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {INCIDENT_COLUMNS} FROM incidents
                 WHERE opened_at >= $1 AND opened_at < $2 AND (NOT $3 OR fixed_at IS NULL)
                   AND ($4::bigint IS NULL OR account_id = $4) AND ($5::text IS NULL OR channel = $5)
                 ORDER BY opened_at DESC, id DESC LIMIT $6"
            );
            let from = f.from.map_or(i64::MIN, Timestamp::as_millis);
            let to = f.to.map_or(i64::MAX, Timestamp::as_millis);
            let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
            let args: [&(dyn ToSql + Sync); 6] = [&from, &to, &f.open_only, &f.account_id, &f.channel, &limit];
            let rows = self.client().await?.query(&sql, &args).await.map_err(backend)?;
            rows.iter().map(|r| self.incident_row(r)).collect()
        })
    }

    fn raise_alert(&self, a: AlertRecord) -> BoxFuture<'_, Result<AlertRecord>> {
        Box::pin(async move {
            let sql = format!(
                "INSERT INTO alerts (rule, subject, message, started_at, last_sent_at, sends)
                 VALUES ($1, $2, $3, $4, $4, 1) RETURNING {ALERT_COLUMNS}"
            );
            let args: [&(dyn ToSql + Sync); 4] = [&a.rule, &a.subject, &a.message, &a.started_at.as_millis()];
            Ok(alert_row(&self.client().await?.query_one(&sql, &args).await.map_err(backend)?))
        })
    }

    fn alert_sent(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "UPDATE alerts SET last_sent_at = $2, sends = sends + 1 WHERE id = $1";
            self.client().await?.execute(sql, &[&id, &at.as_millis()]).await.map_err(backend)?;
            Ok(())
        })
    }

    fn resolve_alert(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "UPDATE alerts SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL";
            self.client().await?.execute(sql, &[&id, &at.as_millis()]).await.map_err(backend)?;
            Ok(())
        })
    }

    fn alerts(&self, active_only: bool, limit: usize) -> BoxFuture<'_, Result<Vec<AlertRecord>>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE (NOT $1 OR resolved_at IS NULL)
                 ORDER BY started_at DESC, id DESC LIMIT $2"
            );
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = self.client().await?.query(&sql, &[&active_only, &limit]).await.map_err(backend)?;
            Ok(rows.iter().map(alert_row).collect())
        })
    }
}
