//! `[alerts]`: what the platform warns operators about, how often it repeats, and where the
//! warnings go — a signed webhook, e-mail over SMTP with STARTTLS, SMS to on-call numbers.

use std::path::PathBuf;
use std::time::Duration;

use crate::walk::{self, Walker};

/// Thresholds of the alert rules (channel down uses `[incidents] channel_down_after_s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    /// A channel whose carrier refuses more than this percentage of recent submits.
    pub failure_percent: u32,
    /// The oldest message due and not submitted has waited longer than this.
    pub backlog_age: Duration,
    /// Reports of the last 15 minutes under this percentage of the submits accepted before.
    pub report_drop_percent: u32,
    /// Callback events failed in the last 5 minutes, at least.
    pub callback_failures: u32,
    /// An account has used this percentage of a quota.
    pub quota_percent: u32,
    /// Free space on the data folder's disk under this many MiB.
    pub disk_free_mb: u64,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            failure_percent: 20,
            backlog_age: Duration::from_secs(300),
            report_drop_percent: 50,
            callback_failures: 10,
            quota_percent: 90,
            disk_free_mb: 1024,
        }
    }
}

/// `[alerts.webhook]`: a POST of each alert as JSON, signed like callbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertWebhook {
    /// `http://` or `https://` address.
    pub url: String,
    /// The HMAC secret of `X-Hongyan-Signature`.
    pub secret: String,
}

/// `[alerts.email]`: SMTP submission with STARTTLS (required: no alert goes out in clear).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEmail {
    /// `host:port`, usually port 587.
    pub server: String,
    /// Login, when the server asks for one.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<String>,
    /// The sender address.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// A PEM file of the CA that signed the server's certificate, beside the public roots.
    pub ca_file: Option<PathBuf>,
}

/// `[alerts.sms]`: texts to on-call numbers, sent by the platform as this interface account
/// (its signature) on a channel other than the one the alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSms {
    /// The sending account's name.
    pub account: String,
    /// On-call numbers.
    pub to: Vec<String>,
}

/// `[alerts]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alerts {
    /// While an alert lasts it is sent again this often.
    pub repeat_every: Duration,
    /// The rules' thresholds.
    pub rules: AlertRules,
    /// Where to send, each optional.
    pub webhook: Option<AlertWebhook>,
    /// Where to send, each optional.
    pub email: Option<AlertEmail>,
    /// Where to send, each optional.
    pub sms: Option<AlertSms>,
}

impl Default for Alerts {
    fn default() -> Self {
        Self {
            repeat_every: Duration::from_secs(3600),
            rules: AlertRules::default(),
            webhook: None,
            email: None,
            sms: None,
        }
    }
}

pub(crate) fn parse(w: &mut Walker, mut t: walk::Table) -> Alerts {
    let d = AlertRules::default();
    let secs = |v: i64| Duration::from_secs(v as u64);
    let rules = AlertRules {
        failure_percent: t.opt_int(w, "failure_percent", 1, 100).map_or(d.failure_percent, |v| v as u32),
        backlog_age: t.opt_int(w, "backlog_age_s", 10, 86_400).map_or(d.backlog_age, secs),
        report_drop_percent: t.opt_int(w, "report_drop_percent", 1, 100).map_or(d.report_drop_percent, |v| v as u32),
        callback_failures: t.opt_int(w, "callback_failures", 1, 1_000_000).map_or(d.callback_failures, |v| v as u32),
        quota_percent: t.opt_int(w, "quota_percent", 1, 100).map_or(d.quota_percent, |v| v as u32),
        disk_free_mb: t.opt_int(w, "disk_free_mb", 1, 1 << 30).map_or(d.disk_free_mb, |v| v as u64),
    };
    let repeat_every = t.opt_int(w, "repeat_every_s", 1, 7 * 86_400).map_or(Duration::from_secs(3600), secs);
    let webhook = t.opt_table(w, "webhook").and_then(|mut h| {
        let (url, secret) = (h.req_str(w, "url"), h.req_str(w, "secret"));
        let path = h.key_path("url");
        h.finish(w);
        let url = url?;
        if !url.starts_with("http://") && !url.starts_with("https://") {
            w.problem(path, format!("`{url}` is not an http:// or https:// address"));
            return None;
        }
        Some(AlertWebhook { url, secret: secret? })
    });
    let email = t.opt_table(w, "email").and_then(|mut m| {
        let server = m.req_str(w, "server");
        let path = m.key_path("server");
        let (username, password) = (m.opt_str(w, "username"), m.opt_str(w, "password"));
        let from = m.req_str(w, "from");
        let to = m.opt_str_array(w, "to");
        let to_path = m.key_path("to");
        let ca_file = m.opt_str(w, "ca_file").map(PathBuf::from);
        m.finish(w);
        let server = server?;
        if server.rsplit_once(':').is_none_or(|(_, p)| p.parse::<u16>().is_err()) {
            w.problem(path, format!("`{server}` is not host:port"));
        }
        let to = to.unwrap_or_default();
        if to.is_empty() {
            w.problem(to_path, "name at least one recipient");
        }
        Some(AlertEmail { server, username, password, from: from?, to, ca_file })
    });
    let sms = t.opt_table(w, "sms").and_then(|mut s| {
        let account = s.req_str(w, "account");
        let to = s.opt_str_array(w, "to").unwrap_or_default();
        let to_path = s.key_path("to");
        s.finish(w);
        if to.is_empty() {
            w.problem(to_path, "name at least one on-call number");
        }
        Some(AlertSms { account: account?, to })
    });
    t.finish(w);
    Alerts { repeat_every, rules, webhook, email, sms }
}
