//! Looking at messages across accounts (administrators, operators, auditors): the search and
//! one message's detail, masked by role and written to the audit log — who looked up which
//! number (masked there too), as taxpayer data requires.

use hongyan_store::{MessageDetail, MessageFilter, MessageId, Role};
use serde_json::{json, Value};

use super::{masked_for, Actor, AdminError};
use crate::Engine;

/// What a search asked for, for the audit log: the filters given, the number masked.
pub fn search_summary(f: &MessageFilter) -> Value {
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(k.into(), Value::String(v));
        }
    };
    put("account", f.account_id.map(|a| a.to_string()));
    put("to", f.to.as_deref().map(hongyan_types::mask::number));
    put("sender", f.sender.clone());
    put("client_ref", f.client_ref.clone());
    put("status", f.status.map(|s| s.as_str().to_owned()));
    put("carrier", f.carrier.map(|c| c.as_str().to_owned()));
    put("category", f.category.map(|c| c.name().to_owned()));
    put("channel", f.channel.clone());
    put("template_id", f.template_id.map(|t| t.to_string()));
    put("since", f.since.map(|t| t.to_rfc3339_beijing()));
    put("until", f.until.map(|t| t.to_rfc3339_beijing()));
    Value::Object(out)
}

impl Engine {
    /// A search across accounts (or in one), newest first, masked for the actor's role, and
    /// audited as `messages.search`.
    pub async fn admin_search_messages(
        &self,
        actor: &Actor,
        filter: MessageFilter,
    ) -> Result<Vec<MessageDetail>, AdminError> {
        actor.require_reader()?;
        let summary = search_summary(&filter);
        let found: Vec<MessageDetail> =
            self.store.list_messages(filter).await?.into_iter().map(|d| masked_for(Some(actor.role), d)).collect();
        let after = json!({ "filter": summary, "found": found.len() });
        self.audit_change(actor, "messages.search", "messages", (None, Some(after))).await?;
        Ok(found)
    }

    /// One message of any account, masked for the actor's role, audited as `messages.view`.
    pub async fn admin_find_message(&self, actor: &Actor, id: MessageId) -> Result<MessageDetail, AdminError> {
        actor.require_reader()?;
        let d = self.store.find_message(id).await?.ok_or_else(|| AdminError::NotFound(format!("no message `{id}`")))?;
        let d = masked_for(Some(actor.role), d);
        let after = json!({ "account": d.message.account_id, "to": hongyan_types::mask::number(&d.message.to) });
        self.audit_change(actor, "messages.view", &format!("message:{id}"), (None, Some(after))).await?;
        Ok(d)
    }

    /// Records an export of `rows` messages that `filter` found, by anyone (a key, a tenant,
    /// staff), as `messages.export`.
    pub async fn audit_export(
        &self,
        actor: &str,
        address: &str,
        filter: &MessageFilter,
        rows: u64,
    ) -> Result<(), hongyan_store::StoreError> {
        let target = filter.account_id.map_or_else(|| "messages".to_owned(), |a| format!("account:{a}"));
        let after = json!({ "filter": search_summary(filter), "rows": rows }).to_string();
        self.audit(actor, address, "messages.export", &target, (None, Some(after)), "ok").await
    }

    /// Whether the actor's role may export across accounts.
    pub fn may_export_all(actor: &Actor) -> bool {
        matches!(actor.role, Role::Admin | Role::Operator | Role::Auditor)
    }
}

impl Engine {
    /// Past reports or replies across accounts (or in one), newest first, numbers masked for
    /// the actor's role, audited as `reports.search` or `replies.search`.
    pub async fn admin_search_feed(
        &self,
        actor: &Actor,
        filter: hongyan_store::FeedFilter,
    ) -> Result<Vec<(i64, hongyan_store::FeedEvent)>, AdminError> {
        actor.require_reader()?;
        let action = if filter.kind == Some(hongyan_store::FeedKind::Mo) { "replies.search" } else { "reports.search" };
        let summary = json!({
            "account": filter.account_id, "stat": filter.stat, "carrier": filter.carrier.map(|c| c.as_str()),
            "channel": filter.channel, "from": filter.from_number.as_deref().map(hongyan_types::mask::number),
            "since": filter.from.map(|t| t.to_rfc3339_beijing()), "until": filter.to.map(|t| t.to_rfc3339_beijing()),
        });
        let found: Vec<_> = self
            .store
            .feed_history(filter)
            .await?
            .into_iter()
            .map(|(a, e)| (a, feed_masked_for(Some(actor.role), e)))
            .collect();
        let after = json!({ "filter": summary, "found": found.len() });
        self.audit_change(actor, action, "feed", (None, Some(after))).await?;
        Ok(found)
    }
}

/// A report or reply as a reader may see it: numbers masked for operators and auditors.
pub fn feed_masked_for(role: Option<Role>, mut e: hongyan_store::FeedEvent) -> hongyan_store::FeedEvent {
    if matches!(role, Some(Role::Operator | Role::Auditor)) {
        match &mut e.item {
            hongyan_store::FeedItem::Report(r) => r.to = hongyan_types::mask::number(&r.to),
            hongyan_store::FeedItem::Mo(m) => m.from = hongyan_types::mask::number(&m.from),
            hongyan_store::FeedItem::Final(_) => {}
        }
    }
    e
}
