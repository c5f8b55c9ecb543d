//! Hongyan's callback pusher: each account's feed (segment reports and replies) POSTed to the
//! account's callback URL as a JSON array, in order, signed (see [`sign`]).
//!
//! What it owns: when to try, what a batch is, back-off, giving up, and the JSON a client
//! receives ([`json`], which the pull API shares). Everything it must not forget lives in the
//! store: the position each account's pusher has reached, the failing series (attempts, next
//! try, since when) and the batches given up on. A restart therefore resumes where the last
//! acknowledged batch ended, in the middle of a retry series if there was one; a batch may be
//! delivered twice (sent, then the process died before the position moved) but never lost:
//! receivers de-duplicate by `seq`.
//!
//! What it does not do: decide what is owed (the store writes the feed in the transaction that
//! records a report), or speak HTTPS (not yet: [`CallbackUrl`] refuses it with that reason).
#![warn(missing_docs)]

pub mod alerts;
mod http;
pub mod json;
pub mod sign;
mod url;

use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::Engine;
use hongyan_store::{Callback, FeedConsumer, PushAttempt, PushTarget, StoreError, Timestamp};
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use hongyan_net::{Trust, TrustError};
pub use http::PostError;
pub use url::{CallbackUrl, UrlError};

/// How the pusher behaves.
#[derive(Debug, Clone)]
pub struct PushSettings {
    /// How long a failing batch is retried before it is given up (and listed for re-sending).
    pub retry_for: Duration,
    /// Events per POST.
    pub batch: usize,
    /// Time allowed for one POST, connect to answer.
    pub timeout: Duration,
    /// Longest wait between two attempts.
    pub max_backoff: Duration,
    /// The certificates `https://` receivers are checked against.
    pub trust: Trust,
}

impl Default for PushSettings {
    /// 24 hours of retries, 100 events a batch, 10 s per POST, back-off capped at 10 minutes.
    fn default() -> Self {
        Self {
            retry_for: Duration::from_secs(24 * 3600),
            batch: 100,
            timeout: Duration::from_secs(10),
            max_backoff: Duration::from_secs(600),
            trust: Trust::default(),
        }
    }
}

/// Accounts served per round; the rest wait for the next one.
const ROUND: usize = 64;
/// Longest sleep when nothing is due: back-off expiries are found by looking again.
const IDLE: Duration = Duration::from_millis(500);

/// Runs until `shutdown` turns true.
pub async fn run(engine: Arc<Engine>, settings: PushSettings, mut shutdown: watch::Receiver<bool>) {
    let settings = Arc::new(settings);
    while !*shutdown.borrow() {
        // Registered before the read, so a report stored during it still wakes the wait.
        let fed = engine.feed_changed().notified();
        tokio::pin!(fed);
        fed.as_mut().enable();
        let due = match engine.feed().push_targets(engine.clock().now(), ROUND).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list callback work; trying again");
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::select! {
                () = &mut fed => {}
                _ = tokio::time::sleep(IDLE) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        // One task per account, so a slow receiver holds up only its own round's end.
        let mut round = JoinSet::new();
        for target in due {
            round.spawn(push_one(engine.clone(), settings.clone(), target));
        }
        while let Some(done) = round.join_next().await {
            if let Ok(Err(e)) = done {
                tracing::warn!(error = %e, "callback bookkeeping failed; the batch will be sent again");
            }
        }
    }
}

/// Sends the account's next batch and records what happened. A batch goes to one URL: the
/// leading events that share it (a request may name its own callback; the rest use the
/// account's), so order is kept across URLs too.
async fn push_one(engine: Arc<Engine>, settings: Arc<PushSettings>, target: PushTarget) -> Result<(), StoreError> {
    let store = engine.feed();
    let mut events = store.feed(target.account_id, FeedConsumer::Push, settings.batch).await?;
    let route = |e: &hongyan_store::FeedEvent| e.callback_url.clone().unwrap_or_else(|| target.callback.url.clone());
    let Some(url) = events.first().map(route) else { return Ok(()) };
    let same = events.iter().take_while(|e| route(e) == url).count();
    events.truncate(same);
    let (Some(first), Some(last)) = (events.first(), events.last()) else { return Ok(()) };
    let seqs = (first.seq, last.seq);
    let body = serde_json::to_vec(&json::events(&events)).unwrap_or_default();
    let now = engine.clock().now();
    let outcome = match CallbackUrl::parse(&url) {
        Ok(url) => {
            let unix = now.as_millis().div_euclid(1000);
            let signing = (target.callback.secret.as_str(), unix);
            http::post(&url, &settings.trust, signing, body, settings.timeout).await.map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    let account = target.account_id;
    let attempt = PushAttempt { account_id: account, seqs, url: url.clone(), at: now, error: outcome.clone().err() };
    store.record_push_attempt(attempt).await?;
    match outcome {
        Ok(()) => {
            tracing::debug!(account, events = events.len(), "callback delivered");
            count(&events, "delivered", Some(now));
            store.push_delivered(account, seqs.1).await
        }
        Err(error) => {
            let since = target.failing_since.unwrap_or(now);
            let failing_for = now.as_millis() - since.as_millis();
            if failing_for >= i64::try_from(settings.retry_for.as_millis()).unwrap_or(i64::MAX) {
                tracing::warn!(account, %error, first = seqs.0, last = seqs.1, "callback batch given up");
                count(&events, "given_up", None);
                engine.note_callback_failures(events.len() as u64);
                return store.push_give_up(account, seqs, error, now).await;
            }
            count(&events, "failed", None);
            engine.note_callback_failures(events.len() as u64);
            let attempts = target.attempts.saturating_add(1);
            let wait = backoff(attempts, settings.max_backoff);
            tracing::info!(account, %error, attempts, ?wait, "callback failed; will retry");
            let next = Timestamp::from_millis(now.as_millis() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
            store.push_retry_later(account, attempts, since, next, error).await
        }
    }
}

/// Counts a batch's events in the metrics and, once delivered at `delivered`, how long its
/// oldest report waited since it arrived.
fn count(events: &[hongyan_store::FeedEvent], outcome: &str, delivered: Option<Timestamp>) {
    use hongyan_engine::metrics::{CALLBACKS, CALLBACK_LAG};
    CALLBACKS.with_label_values(&[outcome]).inc_by(events.len() as u64);
    let oldest = events
        .iter()
        .filter_map(|e| match &e.item {
            hongyan_store::FeedItem::Report(r) => Some(r.reported_at),
            _ => None,
        })
        .min();
    if let (Some(at), Some(oldest)) = (delivered, oldest) {
        CALLBACK_LAG.observe((at.as_millis() - oldest.as_millis()).max(0) as f64 / 1000.0);
    }
}

/// Why a callback could not be set.
#[derive(Debug, thiserror::Error)]
pub enum SetCallbackError {
    /// The URL is not one the pusher can reach.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The administration refused it (role, no such account) or the store failed.
    #[error(transparent)]
    Admin(#[from] hongyan_engine::admin::AdminError),
    /// There was no randomness for the secret.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sets an account's callback URL with a new random signing secret (returned, to be shown
/// once to the administrator), or clears it. The URL is checked first, so a typo is refused
/// now rather than discovered as failed deliveries a day later; the change itself (role,
/// audit) is the engine's administration.
pub async fn set_callback(
    engine: &Engine,
    actor: &hongyan_engine::admin::Actor,
    account_id: i64,
    url: Option<&str>,
) -> Result<Option<Callback>, SetCallbackError> {
    let callback = match url {
        Some(u) => {
            CallbackUrl::parse(u)?;
            let mut raw = [0u8; 32];
            getrandom::fill(&mut raw).map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
            let secret: String = raw.iter().map(|b| format!("{b:02x}")).collect();
            Some(Callback { url: u.to_owned(), secret })
        }
        None => None,
    };
    engine.admin_set_callback(actor, account_id, callback.clone()).await?;
    Ok(callback)
}

/// 1 s, 2 s, 4 s, … up to `max`.
pub fn backoff(attempts: u32, max: Duration) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    Duration::from_secs(1u64 << exp).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_its_cap() {
        let max = Duration::from_secs(600);
        let waits: Vec<u64> = (1..=12).map(|n| backoff(n, max).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
        assert_eq!(backoff(u32::MAX, max), max);
    }
}
