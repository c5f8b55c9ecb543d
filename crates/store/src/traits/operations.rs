//! [`OperationsStore`]: what operators watch: link quality by the minute, incidents and alerts.

use crate::*;

/// What operators watch: link quality by the minute, incidents and alerts. All methods are safe to
/// call from many tasks at once.
pub trait OperationsStore: Send + Sync {
    /// Keeps closed minutes of link quality.
    fn save_link_minutes(&self, rows: Vec<LinkMinute>) -> BoxFuture<'_, Result<()>>;
    /// A channel's link-quality rows with `from <= minute < to`, oldest first: the channel's
    /// own with `link` `None`, else that connection's.
    fn link_minutes(
        &self,
        channel: &str,
        link: Option<u16>,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LinkMinute>>>;
    /// Removes link-quality rows of minutes before `before`; how many went.
    fn purge_link_minutes(&self, before: Timestamp) -> BoxFuture<'_, Result<usize>>;
    /// Opens an incident.
    fn open_incident(&self, new: NewIncident) -> BoxFuture<'_, Result<Incident>>;
    /// Sets what `patch` gives on incident `id`; `None` when there is none.
    fn update_incident(&self, id: i64, patch: IncidentPatch) -> BoxFuture<'_, Result<Option<Incident>>>;
    /// One incident.
    fn get_incident(&self, id: i64) -> BoxFuture<'_, Result<Option<Incident>>>;
    /// Incidents by the filter, newest first.
    fn incidents(&self, filter: IncidentFilter) -> BoxFuture<'_, Result<Vec<Incident>>>;
    /// Raises an alert (`id` is ignored), sent once at `started_at`.
    fn raise_alert(&self, alert: AlertRecord) -> BoxFuture<'_, Result<AlertRecord>>;
    /// Records another sending of alert `id` at `at`.
    fn alert_sent(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Marks alert `id` resolved at `at`.
    fn resolve_alert(&self, id: i64, at: Timestamp) -> BoxFuture<'_, Result<()>>;
    /// Alerts newest first; only unresolved ones with `active_only`.
    fn alerts(&self, active_only: bool, limit: usize) -> BoxFuture<'_, Result<Vec<AlertRecord>>>;
}
