//! The stored form of an answer, so a repeated client reference gets the same answer back.
//!
//! JSON through `serde_json::Value` (no derive): the engine owns this format, the store only
//! keeps the text.

use hongyan_types::{Carrier, MessageId};
use serde_json::{json, Value};

use crate::NumberResult;

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
