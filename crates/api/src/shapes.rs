//! The answers' JSON objects as types. Each field is named once, with its type, so one object
//! cannot drift between the answers that carry it (a template is the same object in the
//! account's list, the administrator's list and the answer to adding it), and serde writes
//! it straight into the body. The OpenAPI document describes these objects; the schemathesis
//! run in the interop checks holds every answer to it.

use hongyan_engine::admin::account_state;
use hongyan_engine::incidents::{clocks, Clock};
use hongyan_store::{
    Account, AlertRecord, ApiKey, AuditRecord, BlacklistEntry, Incident, PushAttempt, PushFailure, Signature,
    SigningRules, Template, User,
};
use hongyan_types::{CategoryDef, Timestamp};
use serde::{Serialize, Serializer};

/// A time as the API writes it: RFC 3339 in Beijing time, or `null`.
#[derive(Clone, Copy)]
pub(crate) struct Time(pub(crate) Option<Timestamp>);

impl Time {
    pub(crate) fn at(t: Timestamp) -> Self {
        Self(Some(t))
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => s.serialize_str(&t.to_rfc3339_beijing()),
            None => s.serialize_none(),
        }
    }
}

/// An interface account; `state` says whether it may send now.
#[derive(Serialize)]
pub(crate) struct AccountView<'a> {
    id: i64,
    name: &'a str,
    state: &'static str,
    enabled: bool,
    created_at: Time,
    expires_at: Time,
    deleted_at: Time,
}

impl<'a> AccountView<'a> {
    pub(crate) fn new(a: &'a Account, now: Timestamp) -> Self {
        Self {
            id: a.id,
            name: &a.name,
            state: account_state(a, now),
            enabled: a.enabled,
            created_at: Time::at(a.created_at),
            expires_at: Time(a.expires_at),
            deleted_at: Time(a.deleted_at),
        }
    }
}

/// An account with its interface keys.
#[derive(Serialize)]
pub(crate) struct AccountWithKeys<'a> {
    #[serde(flatten)]
    pub(crate) account: AccountView<'a>,
    pub(crate) keys: Vec<KeyView<'a>>,
}

/// An interface key: never its secret.
#[derive(Serialize)]
pub(crate) struct KeyView<'a> {
    key_id: &'a str,
    created_at: Time,
    revoked_at: Time,
    last_used_at: Time,
}

impl<'a> From<&'a ApiKey> for KeyView<'a> {
    fn from(k: &'a ApiKey) -> Self {
        Self {
            key_id: &k.key_id,
            created_at: Time::at(k.created_at),
            revoked_at: Time(k.revoked_at),
            last_used_at: Time(k.last_used_at),
        }
    }
}

/// A template; staff see when it was added.
#[derive(Serialize)]
pub(crate) struct TemplateView<'a> {
    id: i64,
    name: &'a str,
    body: &'a str,
    category: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<Time>,
}

impl<'a> TemplateView<'a> {
    /// As the account that owns it sees it.
    pub(crate) fn own(t: &'a Template) -> Self {
        Self {
            id: t.id,
            name: &t.name,
            body: &t.body,
            category: t.category.name(),
            status: t.status.as_str(),
            created_at: None,
        }
    }

    /// As staff see it.
    pub(crate) fn staff(t: &'a Template) -> Self {
        Self { created_at: Some(Time::at(t.created_at)), ..Self::own(t) }
    }
}

/// A blacklist entry (`account` null: the global list).
#[derive(Serialize)]
pub(crate) struct BlacklistView<'a> {
    number: &'a str,
    account: Option<i64>,
    reason: &'a str,
    created_at: Time,
}

impl<'a> From<&'a BlacklistEntry> for BlacklistView<'a> {
    fn from(e: &'a BlacklistEntry) -> Self {
        Self { number: &e.number, account: e.account_id, reason: &e.reason, created_at: Time::at(e.created_at) }
    }
}

/// A callback batch given up after the retry period; feed positions as strings (64-bit).
#[derive(Serialize)]
pub(crate) struct PushFailureView<'a> {
    id: i64,
    account_id: i64,
    first_seq: String,
    last_seq: String,
    error: &'a str,
    failed_at: Time,
    resent_at: Time,
}

impl<'a> From<&'a PushFailure> for PushFailureView<'a> {
    fn from(f: &'a PushFailure) -> Self {
        Self {
            id: f.id,
            account_id: f.account_id,
            first_seq: f.seqs.0.to_string(),
            last_seq: f.seqs.1.to_string(),
            error: &f.error,
            failed_at: Time::at(f.failed_at),
            resent_at: Time(f.resent_at),
        }
    }
}

/// One callback POST that carried a message's reports.
#[derive(Serialize)]
pub(crate) struct CallbackView<'a> {
    url: &'a str,
    at: Time,
    delivered: bool,
    error: Option<&'a str>,
}

impl<'a> From<&'a PushAttempt> for CallbackView<'a> {
    fn from(a: &'a PushAttempt) -> Self {
        Self { url: &a.url, at: Time::at(a.at), delivered: a.error.is_none(), error: a.error.as_deref() }
    }
}

/// Views of every item of `list`, for a list answer.
pub(crate) fn all<'a, T, V: From<&'a T>>(list: &'a [T]) -> Vec<V> {
    list.iter().map(V::from).collect()
}

/// An incident with its two clocks (fixed within 4 h, explained within 1 h).
#[derive(Serialize)]
pub(crate) struct IncidentView<'a> {
    id: i64,
    kind: &'static str,
    channel: Option<&'a str>,
    symptom: &'a str,
    opened_at: Time,
    opened_by: &'a str,
    fixed_at: Time,
    cause: Option<&'a str>,
    actions: Option<&'a str>,
    result: Option<&'a str>,
    reported_at: Time,
    state: &'static str,
    clocks: Clocks,
}

#[derive(Serialize)]
struct Clocks {
    fix: ClockView,
    report: ClockView,
}

/// One of an incident's clocks, with its limit.
#[derive(Serialize)]
struct ClockView {
    limit_hours: u64,
    due_at: Time,
    done_at: Time,
    met: Option<bool>,
    overdue: bool,
}

impl ClockView {
    fn new(c: &Clock, limit_hours: u64) -> Self {
        Self { limit_hours, due_at: Time(c.due), done_at: Time(c.done), met: c.met, overdue: c.overdue }
    }
}

impl<'a> IncidentView<'a> {
    /// The incident as it stands at `now` (its clocks run until stopped).
    pub(crate) fn new(i: &'a Incident, now: Timestamp) -> Self {
        let (fix, report) = clocks(i, now);
        let o = &i.opened;
        let state = match (i.fixed_at, i.reported_at) {
            (None, _) => "open",
            (Some(_), None) => "fixed",
            (Some(_), Some(_)) => "reported",
        };
        Self {
            id: i.id,
            kind: o.kind.as_str(),
            channel: o.channel.as_deref(),
            symptom: &o.symptom,
            opened_at: Time::at(o.opened_at),
            opened_by: &o.opened_by,
            fixed_at: Time(i.fixed_at),
            cause: i.cause.as_deref(),
            actions: i.actions.as_deref(),
            result: i.result.as_deref(),
            reported_at: Time(i.reported_at),
            state,
            clocks: Clocks { fix: ClockView::new(&fix, 4), report: ClockView::new(&report, 1) },
        }
    }
}

/// An alert raised by the platform; `active` until resolved.
#[derive(Serialize)]
pub(crate) struct AlertView<'a> {
    id: i64,
    rule: &'a str,
    subject: &'a str,
    message: &'a str,
    started_at: Time,
    last_sent_at: Time,
    sends: u32,
    resolved_at: Time,
    active: bool,
}

impl<'a> From<&'a AlertRecord> for AlertView<'a> {
    fn from(a: &'a AlertRecord) -> Self {
        Self {
            id: a.id,
            rule: &a.rule,
            subject: &a.subject,
            message: &a.message,
            started_at: Time::at(a.started_at),
            last_sent_at: Time::at(a.last_sent_at),
            sends: a.sends,
            resolved_at: Time(a.resolved_at),
            active: a.resolved_at.is_none(),
        }
    }
}

/// One line of the audit log.
#[derive(Serialize)]
pub(crate) struct AuditView<'a> {
    id: i64,
    at: Time,
    actor: &'a str,
    address: &'a str,
    action: &'a str,
    target: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    outcome: &'a str,
}

impl<'a> From<&'a AuditRecord> for AuditView<'a> {
    fn from(r: &'a AuditRecord) -> Self {
        let e = &r.entry;
        Self {
            id: r.id,
            at: Time::at(e.at),
            actor: &e.actor,
            address: &e.address,
            action: &e.action,
            target: &e.target,
            before: e.before.as_deref(),
            after: e.after.as_deref(),
            outcome: &e.outcome,
        }
    }
}

/// A signature with the categories it is the default for.
#[derive(Serialize)]
pub(crate) struct SignatureView<'a> {
    id: i64,
    text: &'a str,
    extension: &'a str,
    status: &'static str,
    default_for: Vec<&'a str>,
    created_at: Time,
}

impl<'a> SignatureView<'a> {
    pub(crate) fn new(s: &'a Signature, rules: &'a SigningRules) -> Self {
        let default_for = rules.defaults.iter().filter(|(_, d)| d.id == s.id).map(|(c, _)| c.name()).collect();
        Self {
            id: s.id,
            text: &s.text,
            extension: &s.extension,
            status: s.status.as_str(),
            default_for,
            created_at: Time::at(s.created_at),
        }
    }
}

/// A category a request may name, with its label and the rules' kind.
#[derive(Serialize)]
pub(crate) struct CategoryView<'a> {
    name: &'a str,
    label: &'a str,
    kind: &'static str,
}

impl<'a> From<&'a CategoryDef> for CategoryView<'a> {
    fn from(d: &'a CategoryDef) -> Self {
        Self { name: d.category.name(), label: &d.label, kind: d.category.kind().as_str() }
    }
}

/// The console user a session belongs to.
#[derive(Serialize)]
pub(crate) struct MeView<'a> {
    username: &'a str,
    role: &'static str,
    account_id: Option<i64>,
    must_change_password: bool,
}

impl<'a> From<&'a User> for MeView<'a> {
    fn from(u: &'a User) -> Self {
        Self {
            username: &u.username,
            role: u.role.as_str(),
            account_id: u.account_id,
            must_change_password: u.must_change,
        }
    }
}
