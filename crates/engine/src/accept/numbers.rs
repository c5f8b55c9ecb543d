//! The numbers of a request: normalised, ported, routed, de-duplicated, screened.

use std::collections::HashMap;

use hongyan_store::{NewMessage, NumberFacts, Provenance, StoreError};
use hongyan_types::{Carrier, Category, CategoryKind, PhoneNumber, Timestamp};

use super::text::Texts;
use super::{AcceptError, NumberResult, SendRequest};
use crate::Engine;

impl Engine {
    /// Per-number screening after routing: marketing unsubscribes, the blacklist (both from
    /// `facts`), then frequency limits. A screened number's result turns into a rejection and
    /// its message leaves the batch.
    pub(super) async fn screen(
        &self,
        account_id: i64,
        category: Category,
        facts: &NumberFacts,
        results: &mut [NumberResult],
        batch: &mut Vec<NewMessage>,
        now: Timestamp,
    ) -> Result<(), AcceptError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.refresh_usage(account_id, now).await?;
        let mut refused: HashMap<String, (&'static str, String)> = HashMap::new();
        if category.is(CategoryKind::Marketing) {
            for n in &facts.unsubscribed {
                refused.insert(
                    n.clone(),
                    ("unsubscribed", "the number replied to unsubscribe from this account's marketing".into()),
                );
            }
        }
        for e in &facts.blacklisted {
            refused.insert(e.number.clone(), ("blacklisted", format!("the number is on the blacklist ({})", e.reason)));
        }
        let open: Vec<String> = batch.iter().map(|m| m.to.clone()).filter(|n| !refused.contains_key(n)).collect();
        for (n, reason) in self.over_frequency(account_id, &open, category, now).await? {
            refused.insert(n, ("frequency_limited", reason));
        }
        if refused.is_empty() {
            return Ok(());
        }
        for r in results.iter_mut() {
            if let NumberResult::Accepted { input, to, .. } = r {
                if let Some((code, reason)) = refused.get(to.as_str()) {
                    *r = NumberResult::Rejected { input: std::mem::take(input), code, reason: reason.clone() };
                }
            }
        }
        batch.retain(|m| !refused.contains_key(&m.to));
        Ok(())
    }

    /// Per-number results and the messages to store.
    pub(super) fn build(
        &self,
        account_id: i64,
        req: &SendRequest,
        texts: &Texts,
        ported: &HashMap<String, Carrier>,
        now: Timestamp,
    ) -> (Vec<NumberResult>, Vec<NewMessage>) {
        let mut results = Vec::with_capacity(req.to.len());
        let mut batch = Vec::with_capacity(req.to.len());
        // Keyed by the number's digits as an integer: no string per number (a request may
        // hold 100,000).
        let key = |national: &str| national.parse::<u64>().unwrap_or(u64::MAX);
        let provenance = std::sync::Arc::new(Provenance {
            client_ref: req.client_ref.clone(),
            template_id: req.template.as_ref().map(|t| t.id),
            ..req.provenance.clone()
        });
        let mut seen: HashMap<u64, usize> = HashMap::with_capacity(req.to.len());
        for (index, input) in req.to.iter().enumerate() {
            let input = input.clone();
            let (number, channel) = match self.route(&input, ported, req.avoid_channel.as_deref()) {
                Ok(routed) => routed,
                Err((code, reason)) => {
                    results.push(NumberResult::Rejected { input, code, reason });
                    continue;
                }
            };
            if let Some(&first) = seen.get(&key(number.national())) {
                results.push(NumberResult::Duplicate { input, first });
                continue;
            }
            let signed = match texts.for_number(index) {
                Ok(s) => s,
                Err((code, reason)) => {
                    results.push(NumberResult::Rejected { input, code, reason });
                    continue;
                }
            };
            seen.insert(key(number.national()), index);
            let segments = signed.segments;
            let message = NewMessage {
                id: self.ids.next(now),
                account_id,
                to: number.national().to_owned(),
                carrier: number.carrier(),
                category: req.category,
                content: signed.content.clone(),
                segments,
                channel,
                source_ext: signed.source_ext.clone(),
                accepted_at: now,
                send_at: signed.send_at,
                callback_url: req.callback_url.clone(),
                provenance: provenance.clone(),
                unit_price: None,
            };
            results.push(NumberResult::Accepted {
                input,
                message_id: message.id,
                to: message.to.clone(),
                carrier: message.carrier,
                segments,
            });
            batch.push(message);
        }
        (results, batch)
    }

    /// What the store knows of the request's numbers — ported (携号转网), blacklisted,
    /// unsubscribed — in one look-up (one trip to a read connection, not three).
    pub(super) async fn number_facts(&self, account_id: i64, req: &SendRequest) -> Result<NumberFacts, StoreError> {
        let numbers: Vec<String> =
            req.to.iter().filter_map(|i| PhoneNumber::parse(i).ok()).map(|n| n.national().to_owned()).collect();
        if numbers.is_empty() {
            return Ok(NumberFacts::default());
        }
        self.store.number_facts(account_id, numbers, req.category.is(CategoryKind::Marketing)).await
    }

    fn route(
        &self,
        input: &str,
        ported: &HashMap<String, Carrier>,
        avoid: Option<&str>,
    ) -> Result<(PhoneNumber, String), (&'static str, String)> {
        let parsed = PhoneNumber::parse(input).map_err(|e| ("invalid_number", e.to_string()))?;
        // The portability table overrides the segment's carrier.
        let number = match ported.get(parsed.national()) {
            Some(c) => PhoneNumber::from_parts(parsed.national().to_owned(), *c),
            None => parsed,
        };
        // Another channel if one serves the number; else the usual choice, rather than none.
        let other = avoid.and_then(|a| self.routes.pick_other(&number, a));
        let Some(channel) = other.or_else(|| self.routes.pick(&number)) else {
            let carrier = number.carrier();
            let reason = if self.routes.has_carrier(carrier) {
                format!("no channel serves this {carrier} number segment")
            } else {
                format!("no channel serves {carrier} numbers yet")
            };
            return Err(("no_channel", reason));
        };
        Ok((number, channel.to_owned()))
    }
}
