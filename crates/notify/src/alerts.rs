//! Sending alerts: a signed JSON POST to the operators' webhook, an e-mail over SMTP with
//! STARTTLS, and an SMS to the on-call numbers sent by the platform itself on a channel other
//! than the one the alert is about. The engine decides what to send and when
//! (`hongyan_engine::alerts`); each way is tried independently, and a failure is logged — the
//! alert goes again at its next repeat while its condition lasts.

use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::alerts::AlertNotice;
use hongyan_engine::{Engine, NumberResult, SendRequest};
use hongyan_types::Category;
use mail_send::mail_builder::MessageBuilder;
use mail_send::SmtpClientBuilder;
use serde_json::json;

use crate::{http, CallbackUrl, Trust};

/// The webhook: where, and the secret of its signature (`X-Hongyan-Signature`).
#[derive(Debug, Clone)]
pub struct AlertWebhook {
    /// Where to POST.
    pub url: CallbackUrl,
    /// The HMAC secret.
    pub secret: String,
}

/// SMTP submission; STARTTLS is required, so an alert never crosses the network in clear.
#[derive(Debug, Clone)]
pub struct AlertEmail {
    /// The server's host name (also the name its certificate must carry).
    pub host: String,
    /// Its port, usually 587.
    pub port: u16,
    /// Login and password, when the server asks for them.
    pub login: Option<(String, String)>,
    /// The sender address.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// The certificates the server is checked against.
    pub trust: Trust,
}

/// Texts to on-call numbers, sent as an interface account (its signature is added).
#[derive(Debug, Clone)]
pub struct AlertSms {
    /// The sending account's name (looked up at each alert: it may be opened after the start).
    pub account: String,
    /// The on-call numbers.
    pub to: Vec<String>,
}

/// Where alerts go; any of the three may be absent.
#[derive(Debug, Clone)]
pub struct AlertTargets {
    /// The signed webhook.
    pub webhook: Option<AlertWebhook>,
    /// E-mail.
    pub email: Option<AlertEmail>,
    /// SMS.
    pub sms: Option<AlertSms>,
    /// The certificates an `https://` webhook is checked against.
    pub trust: Trust,
    /// Time allowed for each way.
    pub timeout: Duration,
}

impl AlertTargets {
    /// Sends `notice` every configured way; returns each way's name and error, if it failed.
    pub async fn send(&self, engine: &Arc<Engine>, notice: &AlertNotice) -> Vec<(&'static str, String)> {
        let mut failed = Vec::new();
        if let Some(w) = &self.webhook {
            let body = serde_json::to_vec(&notice_json(notice)).unwrap_or_default();
            let unix = engine.clock().now().as_millis().div_euclid(1000);
            if let Err(e) = http::post(&w.url, &self.trust, (&w.secret, unix), body, self.timeout).await {
                failed.push(("webhook", e.to_string()));
            }
        }
        if let Some(m) = &self.email {
            match tokio::time::timeout(self.timeout, send_mail(m, notice, self.timeout)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failed.push(("email", e)),
                Err(_) => failed.push(("email", format!("no answer within {:?}", self.timeout))),
            }
        }
        if let Some(s) = &self.sms {
            if let Err(e) = send_sms(engine, s, notice).await {
                failed.push(("sms", e));
            }
        }
        for (way, error) in &failed {
            tracing::warn!(way, %error, rule = %notice.alert.rule, "alert not sent; it goes again at its next repeat");
        }
        failed
    }
}

/// The webhook's body: what the alert is, and where it stands.
pub fn notice_json(n: &AlertNotice) -> serde_json::Value {
    let a = &n.alert;
    json!({
        "id": a.id,
        "state": n.kind.as_str(),
        "rule": a.rule,
        "subject": a.subject,
        "message": a.message,
        "started_at": a.started_at.to_rfc3339_beijing(),
        "resolved_at": a.resolved_at.map(|t| t.to_rfc3339_beijing()),
        "sends": a.sends,
        "text": n.text(),
    })
}

async fn send_mail(m: &AlertEmail, notice: &AlertNotice, timeout: Duration) -> Result<(), String> {
    let mut builder = SmtpClientBuilder::new(m.host.clone(), m.port).implicit_tls(false).timeout(timeout);
    builder.tls_connector = m.trust.connector();
    if let Some((user, password)) = &m.login {
        builder = builder.credentials((user.clone(), password.clone()));
    }
    let message = MessageBuilder::new()
        .from(m.from.as_str())
        .to(m.to.iter().map(String::as_str).collect::<Vec<_>>())
        .subject(format!("Hongyan {}", notice.title()))
        .text_body(notice.text());
    let mut client = builder.connect().await.map_err(|e| e.to_string())?;
    client.send(message).await.map_err(|e| e.to_string())?;
    // The message is accepted; a failed QUIT changes nothing.
    let _ = client.quit().await;
    Ok(())
}

/// At most this many characters of an alert go into an SMS (three segments).
const SMS_CHARS: usize = 190;

async fn send_sms(engine: &Arc<Engine>, s: &AlertSms, notice: &AlertNotice) -> Result<(), String> {
    let text: String = notice.text().chars().take(SMS_CHARS).collect();
    let req = SendRequest {
        avoid_channel: notice.channel.clone(),
        ..SendRequest::new(s.to.clone(), text, Category::NOTIFICATION).sent_by("alerts", "alert", "-")
    };
    let accounts = engine.accounts().await.map_err(|e| e.to_string())?;
    let Some(account) = accounts.iter().find(|a| a.name == s.account) else {
        return Err(format!("no interface account {:?} to send alerts as", s.account));
    };
    let out = engine.accept(account.id, req).await.map_err(|e| e.to_string())?;
    let refused: Vec<String> = out
        .results
        .iter()
        .filter_map(|r| match r {
            NumberResult::Accepted { .. } => None,
            NumberResult::Rejected { input, reason, .. } => Some(format!("{input}: {reason}")),
            NumberResult::Duplicate { input, .. } => Some(format!("{input}: listed twice")),
        })
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!("not accepted: {}", refused.join("; ")))
    }
}
