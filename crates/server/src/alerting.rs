//! The alert task: every second the engine judges the rules; what changed goes out to the
//! webhook, by e-mail and by SMS as `[alerts]` says.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use hongyan_config::Config;
use hongyan_engine::alerts::{AlertRules, SystemChecks};
use hongyan_engine::Engine;
use hongyan_notify::alerts::{AlertEmail, AlertSms, AlertTargets, AlertWebhook};
use hongyan_notify::{CallbackUrl, Trust};
use hongyan_store_sqlite::seal::KeyRing;
use tokio::sync::watch;

/// The data key is read again this often (a file read, not every tick).
const KEY_CHECK_EVERY: Duration = Duration::from_secs(10);

/// The engine's rules from `[alerts]` and `[incidents]`.
pub(crate) fn rules(config: &Config) -> AlertRules {
    let (a, i) = (&config.alerts, &config.incidents);
    AlertRules {
        down_after: i.channel_down_after,
        failure_share: f64::from(a.rules.failure_percent) / 100.0,
        failure_window: i.failure_window,
        failure_min: u64::from(i.failure_min_answers),
        backlog_age: a.rules.backlog_age,
        report_drop_share: f64::from(a.rules.report_drop_percent) / 100.0,
        callback_failures: u64::from(a.rules.callback_failures),
        quota_share: f64::from(a.rules.quota_percent) / 100.0,
        disk_free: a.rules.disk_free_mb << 20,
        repeat_every: a.repeat_every,
    }
}

/// Where alerts go; a webhook URL, mail server or CA file that cannot be used stops the start.
pub(crate) fn targets(config: &Config, trust: Trust) -> Result<AlertTargets> {
    let a = &config.alerts;
    let webhook = match &a.webhook {
        Some(w) => Some(AlertWebhook {
            url: CallbackUrl::parse(&w.url).context("[alerts.webhook] url")?,
            secret: w.secret.clone(),
        }),
        None => None,
    };
    let email = match &a.email {
        Some(m) => {
            let (host, port) = m.server.rsplit_once(':').context("[alerts.email] server is host:port")?;
            let ca: Vec<PathBuf> = m.ca_file.iter().cloned().collect();
            Some(AlertEmail {
                host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                port: port.parse().context("[alerts.email] server port")?,
                login: m.username.clone().zip(m.password.clone()),
                from: m.from.clone(),
                to: m.to.clone(),
                trust: Trust::with_ca_files(&ca).context("[alerts.email] ca_file")?,
            })
        }
        None => None,
    };
    let sms = a.sms.as_ref().map(|s| AlertSms { account: s.account.clone(), to: s.to.clone() });
    Ok(AlertTargets { webhook, email, sms, trust, timeout: Duration::from_secs(10) })
}

/// What the data-key check needs.
#[derive(Clone)]
pub(crate) struct KeyCheck {
    pub(crate) config: hongyan_config::Encryption,
    pub(crate) data_dir: PathBuf,
    pub(crate) running: KeyRing,
}

/// Runs until `stop` turns true.
pub(crate) async fn run(engine: Arc<Engine>, targets: AlertTargets, keys: KeyCheck, mut stop: watch::Receiver<bool>) {
    let mut checks = SystemChecks::default();
    let mut checked_at = None::<tokio::time::Instant>;
    while !*stop.borrow() {
        if checked_at.is_none_or(|t| t.elapsed() >= KEY_CHECK_EVERY) {
            checks.data_key = crate::keys_cmd::key_problem(&keys.config, &keys.data_dir, &keys.running);
            checked_at = Some(tokio::time::Instant::now());
        }
        match engine.alert_tick(&checks).await {
            Ok(notices) => {
                for n in notices {
                    targets.send(&engine, &n).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not judge the alert rules; trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}
