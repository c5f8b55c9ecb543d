//! The SQL of incidents and alerts. Incident texts go through `hy_seal` / `hy_open` like
//! messages do; alerts hold no personal data.

use hongyan_store::{
    AlertRecord, Incident, IncidentFilter, IncidentKind, IncidentPatch, NewIncident, Result, Timestamp,
};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::backend;

const COLUMNS: &str = "id, kind, channel, hy_open('incident', symptom), opened_at, opened_by, account_id, fixed_at, \
                       hy_open('incident', cause), hy_open('incident', actions), hy_open('incident', result), reported_at";

pub(crate) fn open(conn: &Connection, n: &NewIncident) -> Result<Incident> {
    conn.prepare_cached(
        "INSERT INTO incidents (kind, channel, symptom, opened_at, opened_by, account_id) \
         VALUES (?1, ?2, hy_seal('incident', ?3), ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![n.kind.as_str(), n.channel, n.symptom, n.opened_at.as_millis(), n.opened_by, n.account_id])
    })
    .map_err(backend)?;
    let id = conn.last_insert_rowid();
    get(conn, id).map_err(backend)?.ok_or_else(|| hongyan_store::StoreError::Backend("incident vanished".into()))
}

pub(crate) fn update(conn: &Connection, id: i64, p: &IncidentPatch) -> Result<Option<Incident>> {
    let ms = |t: Option<Timestamp>| t.map(Timestamp::as_millis);
    conn.prepare_cached(
        "UPDATE incidents SET fixed_at = coalesce(?2, fixed_at), \
         cause = coalesce(hy_seal('incident', ?3), cause), actions = coalesce(hy_seal('incident', ?4), actions), \
         result = coalesce(hy_seal('incident', ?5), result), reported_at = coalesce(?6, reported_at) WHERE id = ?1",
    )
    .and_then(|mut s| s.execute(params![id, ms(p.fixed_at), p.cause, p.actions, p.result, ms(p.reported_at)]))
    .map_err(backend)?;
    get(conn, id).map_err(backend)
}

pub(crate) fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Incident>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1"))?.query_row([id], row).optional()
}

pub(crate) fn list(conn: &Connection, f: &IncidentFilter) -> rusqlite::Result<Vec<Incident>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents WHERE opened_at >= ?1 AND opened_at < ?2 \
         AND (?3 = 0 OR fixed_at IS NULL) AND (?4 IS NULL OR account_id = ?4) AND (?5 IS NULL OR channel = ?5) \
         ORDER BY opened_at DESC, id DESC LIMIT +?6"
    );
    let from = f.from.map_or(i64::MIN, Timestamp::as_millis);
    let to = f.to.map_or(i64::MAX, Timestamp::as_millis);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows =
        stmt.query_map(params![from, to, i64::from(f.open_only), f.account_id, f.channel, f.limit as i64], row)?;
    rows.collect()
}

fn row(r: &Row<'_>) -> rusqlite::Result<Incident> {
    let kind: String = r.get(1)?;
    let kind = IncidentKind::parse(&kind)
        .ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(1, Type::Text, format!("kind {kind:?}").into()))?;
    let at = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(r.get::<_, Option<i64>>(i)?.map(Timestamp::from_millis))
    };
    Ok(Incident {
        id: r.get(0)?,
        opened: NewIncident {
            kind,
            channel: r.get(2)?,
            symptom: r.get(3)?,
            opened_at: Timestamp::from_millis(r.get(4)?),
            opened_by: r.get(5)?,
            account_id: r.get(6)?,
        },
        fixed_at: at(7)?,
        cause: r.get(8)?,
        actions: r.get(9)?,
        result: r.get(10)?,
        reported_at: at(11)?,
    })
}

const ALERT_COLUMNS: &str = "id, rule, subject, message, started_at, last_sent_at, sends, resolved_at";

pub(crate) fn raise_alert(conn: &Connection, a: &AlertRecord) -> Result<AlertRecord> {
    conn.prepare_cached(
        "INSERT INTO alerts (rule, subject, message, started_at, last_sent_at, sends) VALUES (?1, ?2, ?3, ?4, ?4, 1)",
    )
    .and_then(|mut s| s.execute(params![a.rule, a.subject, a.message, a.started_at.as_millis()]))
    .map_err(backend)?;
    Ok(AlertRecord {
        id: conn.last_insert_rowid(),
        last_sent_at: a.started_at,
        sends: 1,
        resolved_at: None,
        ..a.clone()
    })
}

pub(crate) fn alert_sent(conn: &Connection, id: i64, at: Timestamp) -> Result<()> {
    conn.prepare_cached("UPDATE alerts SET last_sent_at = ?2, sends = sends + 1 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, at.as_millis()]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn resolve_alert(conn: &Connection, id: i64, at: Timestamp) -> Result<()> {
    conn.prepare_cached("UPDATE alerts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL")
        .and_then(|mut s| s.execute(params![id, at.as_millis()]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn alerts(conn: &Connection, active_only: bool, limit: usize) -> rusqlite::Result<Vec<AlertRecord>> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE (?1 = 0 OR resolved_at IS NULL) ORDER BY started_at DESC, id DESC LIMIT +?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![i64::from(active_only), limit as i64], |r| {
        Ok(AlertRecord {
            id: r.get(0)?,
            rule: r.get(1)?,
            subject: r.get(2)?,
            message: r.get(3)?,
            started_at: Timestamp::from_millis(r.get(4)?),
            last_sent_at: Timestamp::from_millis(r.get(5)?),
            sends: r.get(6)?,
            resolved_at: r.get::<_, Option<i64>>(7)?.map(Timestamp::from_millis),
        })
    })?;
    rows.collect()
}
