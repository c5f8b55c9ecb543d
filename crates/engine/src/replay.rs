//! The stored form of an answer, so a repeated client reference gets the same answer back.
//!
//! JSON through `serde_json::Value` (no derive): the engine owns this format, the store only
//! keeps the text.

use std::collections::BTreeMap;

use hongyan_types::{Carrier, MessageId, PhoneNumber};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{NumberResult, SendRequest};

/// SHA-256 fed with length-prefixed fields, so no two different field lists hash alike.
struct Fields(Sha256);

impl Fields {
    fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_be_bytes());
        self.0.update(bytes);
    }

    fn params(&mut self, params: &BTreeMap<String, String>) {
        self.field(&(params.len() as u64).to_be_bytes());
        for (k, v) in params {
            self.field(k.as_bytes());
            self.field(v.as_bytes());
        }
    }
}

/// The hash kept with a client reference: what the request asks for once normalised (numbers
/// in their national form, so `+86 138…` and `138…` are the same request; the text or the
/// template and its values; category, send time and callback). Who sent it and from where
/// are left out: a retry from another address is still the same request.
pub(crate) fn request_hash(req: &SendRequest) -> Vec<u8> {
    let mut f = Fields(Sha256::new());
    f.field(b"hongyan-request-v1");
    f.field(req.category.name().as_bytes());
    f.field(req.content.as_bytes());
    match &req.template {
        Some(t) => {
            f.field(&t.id.to_be_bytes());
            f.params(&t.params);
        }
        None => f.field(b""),
    }
    f.field(&(req.to.len() as u64).to_be_bytes());
    for n in &req.to {
        match PhoneNumber::parse(n) {
            Ok(p) => f.field(p.national().as_bytes()),
            Err(_) => f.field(n.as_bytes()),
        }
    }
    f.field(&(req.personal.len() as u64).to_be_bytes());
    req.personal.iter().for_each(|p| f.params(p));
    f.field(&req.send_at.map_or(i64::MIN, |t| t.as_millis()).to_be_bytes());
    f.field(req.callback_url.as_deref().unwrap_or("").as_bytes());
    f.0.finalize().to_vec()
}

pub(crate) fn encode(results: &[NumberResult]) -> String {
    let items: Vec<Value> = results
        .iter()
        .map(|r| match r {
            NumberResult::Accepted { input, message_id, to, carrier, segments } => json!({
                "s": "a", "input": input, "id": message_id.0, "to": to, "carrier": carrier.as_str(), "segments": segments,
            }),
            NumberResult::Rejected { input, code, reason } => json!({ "s": "r", "input": input, "code": code, "reason": reason }),
            NumberResult::Duplicate { input, first } => json!({ "s": "d", "input": input, "first": first }),
        })
        .collect();
    Value::Array(items).to_string()
}

/// Rejection codes are `&'static str`; map the stored text back to them.
fn code(s: &str) -> &'static str {
    match s {
        "invalid_number" => "invalid_number",
        "no_channel" => "no_channel",
        _ => "rejected",
    }
}

pub(crate) fn decode(text: &str) -> Result<Vec<NumberResult>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let items = v.as_array().ok_or("not an array")?;
    items.iter().map(item).collect()
}

fn item(v: &Value) -> Result<NumberResult, String> {
    let s = |k: &str| v[k].as_str().map(str::to_owned).ok_or_else(|| format!("missing `{k}`"));
    let n = |k: &str| v[k].as_u64().ok_or_else(|| format!("missing `{k}`"));
    Ok(match v["s"].as_str() {
        Some("a") => NumberResult::Accepted {
            input: s("input")?,
            message_id: MessageId(n("id")?),
            to: s("to")?,
            carrier: Carrier::parse(&s("carrier")?).ok_or("unknown carrier")?,
            segments: n("segments")? as u8,
        },
        Some("r") => NumberResult::Rejected { input: s("input")?, code: code(&s("code")?), reason: s("reason")? },
        Some("d") => NumberResult::Duplicate { input: s("input")?, first: n("first")? as usize },
        other => return Err(format!("unknown result kind {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip() {
        let results = vec![
            NumberResult::Accepted {
                input: "+86 138".into(),
                message_id: MessageId(u64::MAX / 3),
                to: "13800138000".into(),
                carrier: Carrier::ChinaMobile,
                segments: 2,
            },
            NumberResult::Rejected {
                input: "x".into(),
                code: "invalid_number",
                reason: "the number contains `x`".into(),
            },
            NumberResult::Duplicate { input: "13800138000".into(), first: 0 },
        ];
        assert_eq!(decode(&encode(&results)).unwrap(), results);
        assert!(decode("{").is_err());
    }
}
