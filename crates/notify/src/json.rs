//! The JSON a client receives for a feed event, the same whether pushed or pulled.
//!
//! Ids and positions are strings: they are 64-bit, and JavaScript numbers are not.

use hongyan_store::{FeedEvent, FeedItem, MoRecord, SegmentReport};
use hongyan_types::Timestamp;
use serde_json::{json, Value};

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()))
}

/// One event.
pub fn event(e: &FeedEvent) -> Value {
    match &e.item {
        FeedItem::Report(r) => report(e.seq, r),
        FeedItem::Mo(m) => mo(e.seq, m),
        // Receipts of SMPP/CMPP clients never reach push or pull; named for completeness.
        FeedItem::Final(f) => {
            json!({ "type": "final", "seq": e.seq.to_string(), "message_id": f.message_id.to_string() })
        }
    }
}

/// Several events, as a callback body or a page of a pull.
pub fn events(list: &[FeedEvent]) -> Value {
    Value::Array(list.iter().map(event).collect())
}

fn report(seq: u64, r: &SegmentReport) -> Value {
    json!({
        "type": "report",
        "seq": seq.to_string(),
        "message_id": r.message_id.to_string(),
        "to": r.to,
        "segment": r.segment,
        "segments": r.segments,
        "stat": r.stat,
        "delivered": r.stat == "DELIVRD",
        "done_at": time(r.done_at),
        "reported_at": time(Some(r.reported_at)),
        "message_status": r.status.as_str(),
    })
}

fn mo(seq: u64, m: &MoRecord) -> Value {
    json!({
        "type": "mo",
        "seq": seq.to_string(),
        "id": m.id.to_string(),
        "from": m.from,
        "to": m.to,
        "extension": m.extension,
        "text": m.text,
        "unsubscribe": m.unsubscribed,
        "received_at": time(Some(m.received_at)),
    })
}
