//! The text of a request: free text or a rendered template, checked, signed, scheduled.

use std::collections::BTreeMap;

use hongyan_store::{SignatureStatus, SigningRules, Template};
use hongyan_types::Timestamp;

use super::{check_text, AcceptError, SendRequest, MAX_CONTENT_UNITS};
use crate::{sign, template, Engine};

/// The content as it will be sent, the signature's extension code, and when it may go.
pub(super) struct Signed {
    /// Shared by every message that carries it.
    pub(super) content: std::sync::Arc<str>,
    /// Segments it takes, counted once.
    pub(super) segments: u8,
    pub(super) source_ext: String,
    pub(super) send_at: Option<Timestamp>,
}

/// One text for every number, or one per number of a personalised batch (where a number whose
/// values do not fit is refused by itself).
pub(super) enum Texts {
    Shared(Signed),
    Personal(Vec<Result<Signed, (&'static str, String)>>),
}

impl Texts {
    pub(super) fn for_number(&self, index: usize) -> Result<&Signed, (&'static str, String)> {
        match self {
            Self::Shared(s) => Ok(s),
            Self::Personal(v) => v[index].as_ref().map_err(Clone::clone),
        }
    }
}

impl Engine {
    pub(super) async fn prepare_texts(
        &self,
        account_id: i64,
        req: &SendRequest,
        now: Timestamp,
    ) -> Result<Texts, AcceptError> {
        let rules = self.signing_rules(account_id).await?;
        if req.send_at.is_some_and(|t| t.as_millis() - now.as_millis() > crate::MAX_SCHEDULE_AHEAD_MS) {
            return Err(AcceptError::SendAtTooFar);
        }
        let send_at = self.hold_until(req.category, req.send_at, now);
        if req.personal.is_empty() {
            let text = match &req.template {
                Some(t) => {
                    template::render(&self.approved_template(account_id, req).await?.body, &t.params, req.category)?
                }
                None if rules.free_text => req.content.clone(),
                None => return Err(AcceptError::FreeTextNotAllowed),
            };
            return Ok(Texts::Shared(self.finish_text(&text, req, &rules, send_at)?));
        }
        let tpl = self.approved_template(account_id, req).await?;
        let common = req.template.as_ref().map(|t| t.params.clone()).unwrap_or_default();
        let texts = req
            .personal
            .iter()
            .map(|own| {
                let mut params: BTreeMap<String, String> = common.clone();
                params.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
                template::render(&tpl.body, &params, req.category)
                    .map_err(AcceptError::from)
                    .and_then(|text| self.finish_text(&text, req, &rules, send_at))
                    .map_err(|e| (e.per_number_code(), e.to_string()))
            })
            .collect();
        Ok(Texts::Personal(texts))
    }

    /// The request's template, if it is the account's, approved, and of the request's category.
    async fn approved_template(&self, account_id: i64, req: &SendRequest) -> Result<Template, AcceptError> {
        let id = req.template.as_ref().map_or(0, |t| t.id);
        let tpl = self
            .store
            .get_template(account_id, id)
            .await?
            .filter(|tpl| tpl.status == SignatureStatus::Approved)
            .ok_or(AcceptError::UnknownTemplate(id))?;
        if tpl.category != req.category {
            return Err(AcceptError::TemplateCategory { id, template: tpl.category, requested: req.category });
        }
        Ok(tpl)
    }

    /// Length, sensitive words, signature.
    fn finish_text(
        &self,
        text: &str,
        req: &SendRequest,
        rules: &SigningRules,
        send_at: Option<Timestamp>,
    ) -> Result<Signed, AcceptError> {
        check_text(text)?;
        if let Some(word) = self.sensitive_word(text) {
            return Err(AcceptError::SensitiveWord(word));
        }
        let (content, source_ext) = sign::apply(text, req.category, rules)?;
        let len = hongyan_text::billing_len(&content);
        if len > MAX_CONTENT_UNITS {
            return Err(AcceptError::ContentTooLong(len));
        }
        let segments = hongyan_text::count_segments(&content) as u8;
        Ok(Signed { content: content.into(), segments, source_ext, send_at })
    }
}
