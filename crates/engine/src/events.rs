//! A message's history as a list of events in the order we saw them.
//!
//! A carrier's report carries its own "done" time, on the carrier's clock and often only to
//! the minute (CMPP's `Done_Time` is `YYMMDDHHMM`), so it can read earlier than our submit.
//! Events are therefore ordered by our own clock (when we recorded each one); the carrier's
//! time is kept beside a report as the carrier gave it.

use hongyan_store::{MessageDetail, Timestamp};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    /// We accepted the request.
    Accepted,
    /// The carrier answered a segment's submit.
    Submitted,
    /// A segment's status report reached us.
    Report,
}

impl EventKind {
    /// The name used in JSON and on the console.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Submitted => "submitted",
            Self::Report => "report",
        }
    }
}

/// One event of a message's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEvent {
    /// When we recorded it (our clock).
    pub at: Timestamp,
    /// What it was.
    pub kind: EventKind,
    /// The segment it concerns (submits and reports).
    pub segment: Option<u8>,
    /// The submit's result code, or the report's status text.
    pub detail: Option<String>,
    /// A report's done time on the carrier's clock, as the carrier gave it.
    pub carrier_time: Option<Timestamp>,
}

/// The message's events ordered by when we recorded them (ties: accepted, submitted, report;
/// then by segment).
pub fn message_events(d: &MessageDetail) -> Vec<MessageEvent> {
    let accepted = MessageEvent {
        at: d.message.accepted_at,
        kind: EventKind::Accepted,
        segment: None,
        detail: None,
        carrier_time: None,
    };
    let mut events = vec![accepted];
    for s in &d.segments {
        events.push(MessageEvent {
            at: s.submitted_at,
            kind: EventKind::Submitted,
            segment: Some(s.number),
            detail: Some(s.submit_result.to_string()),
            carrier_time: None,
        });
        if let (Some(stat), Some(at)) = (&s.report_stat, s.reported_at) {
            events.push(MessageEvent {
                at,
                kind: EventKind::Report,
                segment: Some(s.number),
                detail: Some(stat.clone()),
                carrier_time: s.done_at,
            });
        }
    }
    events.sort_by_key(|e| (e.at, e.kind, e.segment));
    events
}
