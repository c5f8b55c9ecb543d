//! Retention's archive: purged messages appended to a JSON-lines file, one line a message with
//! every field and segment, synced before the purge may go ahead.
//!
//! The archive is for reading with ordinary tools, so it is plain text: the files are created
//! readable by their owner only, and the operations manual asks for protected storage.

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
        "category": m.category.name(), "content": &*m.content, "segments": m.segments, "channel": m.channel,
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
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&path).map_err(fail)?;
        let mut text = String::new();
        for d in page {
            text.push_str(&line(d).to_string());
            text.push('\n');
        }
        f.write_all(text.as_bytes()).map_err(fail)?;
        f.sync_all().map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use hongyan_store::{Carrier, Category, MessageDetail, MessageId, MessageStatus, NewMessage, Timestamp};

    #[test]
    fn lines_are_whole_messages_in_a_file_only_its_owner_reads() {
        let dir = std::env::temp_dir().join(format!("hongyan-archive-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("2026-11-29.jsonl");
        let message = NewMessage {
            id: MessageId(7),
            account_id: 1,
            to: "13800138000".into(),
            carrier: Carrier::ChinaMobile,
            category: Category::NOTIFICATION,
            content: "【某省税务局】您的申报已受理".into(),
            segments: 1,
            channel: "mobile".into(),
            source_ext: String::new(),
            accepted_at: Timestamp::from_millis(1_795_910_782_000),
            send_at: None,
            callback_url: None,
            provenance: Default::default(),
            unit_price: None,
        };
        let detail = MessageDetail {
            message,
            status: MessageStatus::Delivered,
            error: None,
            submitted_at: None,
            completed_at: None,
            segments: Vec::new(),
        };
        let mut write = super::writer(path.clone());
        write(std::slice::from_ref(&detail)).unwrap();
        write(&[detail]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "appended, not overwritten");
        assert_eq!((lines[0]["to"].as_str(), lines[0]["status"].as_str()), (Some("13800138000"), Some("delivered")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
