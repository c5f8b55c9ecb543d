//! Retention's archive: purged messages appended to a JSON-lines file, one line a message with
//! every field and segment, synced before the purge may go ahead.

use std::io::Write;
use std::path::PathBuf;

use hongyan_store::{MessageDetail, Timestamp};
use serde_json::json;

fn time(t: Option<Timestamp>) -> serde_json::Value {
    t.map_or(serde_json::Value::Null, |t| t.to_rfc3339_beijing().into())
}

fn line(d: &MessageDetail) -> serde_json::Value {
    let m = &d.message;
    let segments: Vec<_> = d
        .segments
        .iter()
        .map(|s| json!({"number": s.number, "carrier_msg_id": s.carrier_msg_id, "report_stat": s.report_stat, "done_at": time(s.done_at)}))
        .collect();
    json!({
        "id": m.id.to_string(), "account_id": m.account_id, "to": m.to, "carrier": m.carrier.as_str(),
        "category": m.category.name(), "content": m.content, "segments": m.segments, "channel": m.channel,
        "status": d.status.as_str(), "error": d.error, "accepted_at": time(Some(m.accepted_at)),
        "submitted_at": time(d.submitted_at), "completed_at": time(d.completed_at), "segment_details": segments,
    })
}

/// An archiver appending to `path` (its folder is created).
pub(crate) fn writer(path: PathBuf) -> impl FnMut(&[MessageDetail]) -> Result<(), String> + Send {
    move |page: &[MessageDetail]| {
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(fail)?;
        let mut text = String::new();
        for d in page {
            text.push_str(&line(d).to_string());
            text.push('\n');
        }
        f.write_all(text.as_bytes()).map_err(fail)?;
        f.sync_all().map_err(fail)
    }
}
