//! What both session kinds share: the protocol-free core ([`LinkCore`]: buffers,
//! sequence_number, enquire_link keep-alive), how SMPP encodes into it, and the error answers
//! (generic_nack or an empty *_resp).

use std::time::Instant;

use super::SessionConfig;
use crate::pdu::{BindMode, BindResp, DataSmResp, DeliverSmResp, QuerySmResp, SubmitMultiResp, SubmitSmResp};
use crate::{CommandId, CommandStatus, Frame, FrameDecodeError, Pdu};
use hongyan_wire::{FrameError, KeepAlive, LinkCore};

/// The highest sequence_number the spec allows; the next one wraps to 1.
const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

/// One connection: the shared core and the configuration.
#[derive(Debug)]
pub(crate) struct Link {
    /// The configuration the session was made with.
    pub(crate) config: SessionConfig,
    core: LinkCore,
}

// The core's own operations are the link's; the methods below add only what SMPP encodes and answers.
hongyan_wire::link_core!(Link, core);

impl Link {
    /// A fresh connection; sequence_number runs 1, 2, … 0x7FFFFFFF, then 1 again.
    pub(crate) fn new(config: SessionConfig) -> Self {
        let keepalive = KeepAlive::new(config.enquire_link_interval, config.response_timeout, config.max_attempts);
        Self { core: LinkCore::new(MAX_SEQUENCE, keepalive), config }
    }

    /// Queues a response (or any frame whose sequence_number is given).
    pub(crate) fn reply(&mut self, sequence: u32, status: CommandStatus, pdu: Pdu) {
        let frame = Frame { command_status: status, sequence_number: sequence, pdu };
        self.core.send(frame.encode());
    }

    /// Queues a new request; returns its sequence_number and the frame for retransmission.
    pub(crate) fn request(&mut self, pdu: Pdu) -> (u32, Vec<u8>, Pdu) {
        let seq = self.core.next_sequence();
        let frame = Frame::new(seq, pdu);
        let bytes = frame.encode();
        self.core.send(bytes.clone());
        (seq, bytes, frame.pdu)
    }

    /// The next whole frame (see [`LinkCore::next_frame`]); an untrusted length is checked as
    /// soon as its 4 bytes are in, before anything is buffered for it.
    pub(crate) fn next_frame(&mut self, now: Instant) -> Result<Option<Vec<u8>>, FrameError> {
        let max = self.config.max_frame_len;
        self.core.next_frame(now, |live| Frame::check(live, max))
    }

    /// Sends or re-sends enquire_link when due; true when the link is dead.
    pub(crate) fn keepalive_timeout(&mut self, now: Instant) -> bool {
        self.core.keepalive_timeout(now, |seq| Frame::new(seq, Pdu::EnquireLink).encode())
    }

    /// Refuses request `command_id` (sequence `sequence`) with `status`: its own response with
    /// an empty body when it has one, generic_nack otherwise. Responses are never answered.
    pub(crate) fn reject(&mut self, command_id: CommandId, sequence: u32, status: CommandStatus) {
        let known_response = command_id == CommandId::GENERIC_NACK || empty_response(command_id).is_some();
        if command_id.is_response() && known_response {
            return;
        }
        let pdu = empty_response(command_id.response()).unwrap_or(Pdu::GenericNack);
        self.reply(sequence, status, pdu);
    }

    /// Answers a frame that failed to decode. A body whose length does not fit its fields
    /// gets generic_nack with ESME_RINVCMDLEN (the spec's answer to a bad command_length);
    /// a bad field gets the request's own response with the field's status. A broken response
    /// is not answered: answering it could start a loop of errors.
    pub(crate) fn answer_malformed(&mut self, error: &FrameDecodeError) {
        let (Some(id), Some(seq), Some(status)) = (error.command_id(), error.sequence_number(), error.status()) else {
            return;
        };
        if id.is_response() {
            return;
        }
        if status == CommandStatus::ESME_RINVCMDLEN {
            self.reply(seq, status, Pdu::GenericNack);
        } else {
            self.reject(id, seq, status);
        }
    }
}

/// A response that failed to decode, as a frame with an empty body, so the session can
/// still settle the request it answers: the header (and with it command_status) was
/// readable, only the body was not. `None` for requests and unknown ids.
pub(crate) fn salvage(raw: &[u8], error: &FrameDecodeError) -> Option<Frame> {
    let id = error.command_id().filter(|id| id.is_response())?;
    let sequence_number = error.sequence_number()?;
    let status = raw.get(8..12)?.try_into().ok().map(u32::from_be_bytes)?;
    let pdu = empty_response(id)?;
    Some(Frame { command_status: CommandStatus(status), sequence_number, pdu })
}

/// The response to carry an error status for response id `resp_id`: its body empty (and
/// left out on the wire where the spec says so). `None` for ids that are not responses we
/// know.
pub(crate) fn empty_response(resp_id: CommandId) -> Option<Pdu> {
    if let Some(mode) = BindMode::from_command_id(resp_id) {
        return resp_id.is_response().then(|| Pdu::BindResp(BindResp::new(mode, Vec::new())));
    }
    Some(match resp_id {
        CommandId::SUBMIT_SM_RESP => Pdu::SubmitSmResp(SubmitSmResp::default()),
        CommandId::SUBMIT_MULTI_RESP => Pdu::SubmitMultiResp(SubmitMultiResp::default()),
        CommandId::DELIVER_SM_RESP => Pdu::DeliverSmResp(DeliverSmResp::default()),
        CommandId::DATA_SM_RESP => Pdu::DataSmResp(DataSmResp::default()),
        CommandId::QUERY_SM_RESP => Pdu::QuerySmResp(QuerySmResp::default()),
        CommandId::CANCEL_SM_RESP => Pdu::CancelSmResp,
        CommandId::REPLACE_SM_RESP => Pdu::ReplaceSmResp,
        CommandId::UNBIND_RESP => Pdu::UnbindResp,
        CommandId::ENQUIRE_LINK_RESP => Pdu::EnquireLinkResp,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn keepalive_probes_then_declares_death() {
        let mut link = Link::new(SessionConfig::default());
        let t0 = Instant::now();
        link.push_input(&Frame::new(1, Pdu::EnquireLinkResp).encode());
        link.next_frame(t0).unwrap();
        assert_eq!(link.keepalive_deadline(), None);
        link.start_keepalive();
        let idle = link.config.enquire_link_interval;
        let t = link.config.response_timeout;
        assert_eq!(link.keepalive_deadline(), Some(t0 + idle));
        assert!(!link.keepalive_timeout(t0 + idle - Duration::from_millis(1)));
        assert!(link.poll_transmit().is_none());
        for n in 0..3u32 {
            assert!(!link.keepalive_timeout(t0 + idle + t * n));
            let sent = link.poll_transmit().expect("enquire_link");
            assert_eq!(&sent[4..16], &[0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1], "same sequence on every resend");
        }
        assert!(link.keepalive_timeout(t0 + idle + t * 3));
    }

    #[test]
    fn rejections_pick_the_right_pdu() {
        let mut link = Link::new(SessionConfig::default());
        link.reject(CommandId::SUBMIT_SM, 4, CommandStatus::ESME_RINVBNDSTS);
        link.reject(CommandId::OUTBIND, 5, CommandStatus::ESME_RINVBNDSTS);
        link.reject(CommandId(0x0001_0203), 6, CommandStatus::ESME_RINVCMDID);
        link.reject(CommandId::SUBMIT_SM_RESP, 7, CommandStatus::ESME_RINVBNDSTS);
        let sent: Vec<Frame> =
            std::iter::from_fn(|| link.poll_transmit()).map(|b| Frame::decode(&b).unwrap()).collect();
        let summary: Vec<_> = sent.iter().map(|f| (f.pdu.command_id(), f.sequence_number, f.command_status)).collect();
        assert_eq!(
            summary,
            [
                (CommandId::SUBMIT_SM_RESP, 4, CommandStatus::ESME_RINVBNDSTS),
                (CommandId::GENERIC_NACK, 5, CommandStatus::ESME_RINVBNDSTS),
                (CommandId::GENERIC_NACK, 6, CommandStatus::ESME_RINVCMDID),
            ]
        );
        assert_eq!(sent[0].encode().len(), 16, "error submit_sm_resp has no body");
    }
}
