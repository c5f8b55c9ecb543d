//! JSON shapes of answers. Times are RFC 3339 in Beijing time; ids are strings.

use hongyan_engine::events::MessageEvent;
use hongyan_engine::{NumberResult, SendOutcome};
use hongyan_store::{MessageDetail, PushAttempt, SegmentDetail};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use crate::shapes::{self, CallbackView, Time};

/// The answer to a send request, written straight to the response body: a request of
/// 100,000 numbers would otherwise build 100,000 `serde_json` maps (about 1.3 KB each) before
/// a byte is written.
pub(crate) struct SendOutcomeView<'a> {
    pub(crate) out: &'a SendOutcome,
    /// A bulk upload's report on the file's rows.
    pub(crate) file: Option<crate::bulk::FileProblems<'a>>,
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

/// One segment as the carrier answered and reported it; the raw report as the JSON object it
/// was stored as.
#[derive(Serialize)]
struct SegmentView<'a> {
    number: u8,
    carrier_msg_id: &'a Option<String>,
    submit_result: u32,
    submitted_at: Time,
    report_stat: &'a Option<String>,
    done_at: Time,
    reported_at: Time,
    report_raw: Option<Value>,
}

impl<'a> From<&'a SegmentDetail> for SegmentView<'a> {
    fn from(s: &'a SegmentDetail) -> Self {
        let raw = s.report_raw.as_deref();
        Self {
            number: s.number,
            carrier_msg_id: &s.carrier_msg_id,
            submit_result: s.submit_result,
            submitted_at: Time::at(s.submitted_at),
            report_stat: &s.report_stat,
            done_at: Time(s.done_at),
            reported_at: Time(s.reported_at),
            report_raw: raw.map(|r| serde_json::from_str::<Value>(r).unwrap_or_else(|_| Value::String(r.to_owned()))),
        }
    }
}

/// The segment whose report speaks for the message: the first failure, else the last report.
fn deciding_segment(d: &MessageDetail) -> Option<&SegmentDetail> {
    let reported = || d.segments.iter().filter(|s| s.report_stat.is_some());
    reported().find(|s| s.report_stat.as_deref() != Some("DELIVRD")).or_else(|| reported().next_back())
}

/// A message with who sent it, its state and its segments: a search's row and the core of
/// its detail.
#[derive(Serialize)]
pub(crate) struct MessageView<'a> {
    id: String,
    account_id: i64,
    sender: &'a str,
    interface: &'a str,
    client_addr: &'a str,
    client_ref: &'a Option<String>,
    template_id: Option<i64>,
    source_ext: &'a str,
    to: &'a str,
    carrier: &'static str,
    category: &'a str,
    content: &'a str,
    segments: u8,
    channel: &'a str,
    status: &'static str,
    error: &'a Option<String>,
    accepted_at: Time,
    send_at: Time,
    submitted_at: Time,
    completed_at: Time,
    carrier_msg_id: Option<&'a str>,
    report_stat: Option<&'a str>,
    /// The carrier's own time (its clock, often to the minute: it may read earlier than
    /// submitted_at); report_received_at is ours.
    report_time: Time,
    report_received_at: Time,
    segment_details: Vec<SegmentView<'a>>,
}

impl<'a> From<&'a MessageDetail> for MessageView<'a> {
    fn from(d: &'a MessageDetail) -> Self {
        let (m, deciding) = (&d.message, deciding_segment(d));
        let p = &*m.provenance;
        Self {
            id: m.id.to_string(),
            account_id: m.account_id,
            sender: &p.sender,
            interface: &p.interface,
            client_addr: &p.client_addr,
            client_ref: &p.client_ref,
            template_id: p.template_id,
            source_ext: &m.source_ext,
            to: &m.to,
            carrier: m.carrier.as_str(),
            category: m.category.name(),
            content: &m.content,
            segments: m.segments,
            channel: &m.channel,
            status: d.status.as_str(),
            error: &d.error,
            accepted_at: Time::at(m.accepted_at),
            send_at: Time(m.send_at),
            submitted_at: Time(d.submitted_at),
            completed_at: Time(d.completed_at),
            carrier_msg_id: d.segments.first().and_then(|s| s.carrier_msg_id.as_deref()),
            report_stat: deciding.and_then(|s| s.report_stat.as_deref()),
            report_time: Time(deciding.and_then(|s| s.done_at.or(s.reported_at))),
            report_received_at: Time(deciding.and_then(|s| s.reported_at)),
            segment_details: d.segments.iter().map(SegmentView::from).collect(),
        }
    }
}

/// One message's detail: the message, its history in the order we recorded it, and the
/// callback POSTs that carried its reports.
#[derive(Serialize)]
pub(crate) struct DetailView<'a> {
    #[serde(flatten)]
    message: MessageView<'a>,
    events: Vec<EventView>,
    callbacks: Vec<CallbackView<'a>>,
}

impl<'a> DetailView<'a> {
    pub(crate) fn new(d: &'a MessageDetail, attempts: &'a [PushAttempt]) -> Self {
        let events = hongyan_engine::events::message_events(d).into_iter().map(EventView::from).collect();
        Self { message: MessageView::from(d), events, callbacks: shapes::all(attempts) }
    }
}

/// One step of a message's history.
#[derive(Serialize)]
struct EventView {
    event: &'static str,
    at: Time,
    segment: Option<u8>,
    detail: Option<String>,
    carrier_time: Time,
}

impl From<MessageEvent> for EventView {
    fn from(e: MessageEvent) -> Self {
        Self {
            event: e.kind.as_str(),
            at: Time::at(e.at),
            segment: e.segment,
            detail: e.detail,
            carrier_time: Time(e.carrier_time),
        }
    }
}

pub(crate) fn message_list(found: &[MessageDetail], limit: usize) -> Value {
    let next = (found.len() == limit).then(|| found.last().map(|d| d.message.id.to_string())).flatten();
    json!({ "messages": shapes::all::<_, MessageView<'_>>(found), "next_before": next })
}
