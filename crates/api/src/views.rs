//! JSON shapes of answers. Times are RFC 3339 in Beijing time; ids are strings.

use hongyan_engine::{NumberResult, SendOutcome};
use hongyan_store::{MessageDetail, SegmentDetail, Timestamp};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()))
}

/// The answer to a send request, written straight to the response body: a request of
/// 100,000 numbers would otherwise build 100,000 `serde_json` maps (about 1.3 KB each) before
/// a byte is written.
pub(crate) struct SendOutcomeView<'a> {
    pub(crate) out: &'a SendOutcome,
    /// A bulk upload's report on the file's rows.
    pub(crate) file: Option<Value>,
}

pub(crate) fn send_outcome(out: &SendOutcome) -> SendOutcomeView<'_> {
    SendOutcomeView { out, file: None }
}

impl Serialize for SendOutcomeView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let results = &self.out.results;
        let accepted = results.iter().filter(|r| matches!(r, NumberResult::Accepted { .. })).count();
        let duplicates = results.iter().filter(|r| matches!(r, NumberResult::Duplicate { .. })).count();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("accepted", &accepted)?;
        m.serialize_entry("rejected", &(results.len() - accepted - duplicates))?;
        m.serialize_entry("duplicates", &duplicates)?;
        m.serialize_entry("replayed", &self.out.replayed)?;
        m.serialize_entry("results", &Results(results))?;
        if let Some(file) = &self.file {
            m.serialize_entry("file", file)?;
        }
        m.end()
    }
}

struct Results<'a>(&'a [NumberResult]);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ResultView))
    }
}

struct ResultView<'a>(&'a NumberResult);

impl Serialize for ResultView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            NumberResult::Accepted { input, message_id, to, carrier, segments } => {
                m.serialize_entry("input", input)?;
                m.serialize_entry("status", "accepted")?;
                m.serialize_entry("message_id", &message_id.to_string())?;
                m.serialize_entry("to", to)?;
                m.serialize_entry("carrier", carrier.as_str())?;
                m.serialize_entry("segments", segments)?;
            }
            NumberResult::Rejected { input, code, reason } => {
                m.serialize_entry("input", input)?;
                m.serialize_entry("status", "rejected")?;
                m.serialize_entry("error", code)?;
                m.serialize_entry("reason", reason)?;
            }
            NumberResult::Duplicate { input, first } => {
                m.serialize_entry("input", input)?;
                m.serialize_entry("status", "duplicate")?;
                m.serialize_entry("duplicate_of", first)?;
            }
        }
        m.end()
    }
}

fn segment(s: &SegmentDetail) -> Value {
    json!({
        "number": s.number,
        "carrier_msg_id": s.carrier_msg_id,
        "submit_result": s.submit_result,
        "submitted_at": time(Some(s.submitted_at)),
        "report_stat": s.report_stat,
        "done_at": time(s.done_at),
        "reported_at": time(s.reported_at),
        "report_raw": s.report_raw.as_deref().map(|r| serde_json::from_str::<Value>(r).unwrap_or_else(|_| Value::String(r.to_owned()))),
    })
}

/// The segment whose report speaks for the message: the first failure, else the last report.
fn deciding_segment(d: &MessageDetail) -> Option<&SegmentDetail> {
    let reported = || d.segments.iter().filter(|s| s.report_stat.is_some());
    reported().find(|s| s.report_stat.as_deref() != Some("DELIVRD")).or_else(|| reported().next_back())
}

pub(crate) fn message_detail(d: &MessageDetail) -> Value {
    let m = &d.message;
    let deciding = deciding_segment(d);
    let p = &m.provenance;
    json!({
        "id": m.id.to_string(),
        "account_id": m.account_id,
        "sender": p.sender,
        "interface": p.interface,
        "client_addr": p.client_addr,
        "client_ref": p.client_ref,
        "template_id": p.template_id,
        "source_ext": m.source_ext,
        "to": m.to,
        "carrier": m.carrier.as_str(),
        "category": m.category.name(),
        "content": &*m.content,
        "segments": m.segments,
        "channel": m.channel,
        "status": d.status.as_str(),
        "error": d.error,
        "accepted_at": time(Some(m.accepted_at)),
        "send_at": time(m.send_at),
        "submitted_at": time(d.submitted_at),
        "completed_at": time(d.completed_at),
        "carrier_msg_id": d.segments.first().and_then(|s| s.carrier_msg_id.clone()),
        "report_stat": deciding.and_then(|s| s.report_stat.clone()),
        // The carrier's own time (its clock, often to the minute: it may read earlier than
        // submitted_at); report_received_at is ours.
        "report_time": time(deciding.and_then(|s| s.done_at.or(s.reported_at))),
        "report_received_at": time(deciding.and_then(|s| s.reported_at)),
        "segment_details": d.segments.iter().map(segment).collect::<Vec<_>>(),
    })
}

/// The history in the order we recorded it (the single-message detail only).
pub(crate) fn events(d: &MessageDetail) -> Value {
    hongyan_engine::events::message_events(d)
        .iter()
        .map(|e| {
            json!({
                "event": e.kind.as_str(),
                "at": time(Some(e.at)),
                "segment": e.segment,
                "detail": e.detail,
                "carrier_time": time(e.carrier_time),
            })
        })
        .collect::<Vec<_>>()
        .into()
}

pub(crate) fn message_list(found: &[MessageDetail], limit: usize) -> Value {
    let next = (found.len() == limit).then(|| found.last().map(|d| d.message.id.to_string())).flatten();
    json!({ "messages": found.iter().map(message_detail).collect::<Vec<_>>(), "next_before": next })
}

/// The callback POSTs that carried a message's reports, for its detail.
pub(crate) fn callbacks(attempts: &[hongyan_store::PushAttempt]) -> Value {
    json!(crate::shapes::all::<_, crate::shapes::CallbackView<'_>>(attempts))
}
