//! One whole SGIP frame: the 20-byte header (sgip.md §3) and a body decoded exactly.

use crate::pdu::{
    decode_exact, Bind, Body, Deliver, Report, Resp, Submit, Trace, TraceResp, Unbind, UnbindResp, UserRpt,
};
use crate::{CommandId, Sequence, HEADER_LEN};
use hongyan_wire::{length_prefixed, DecodeError, FrameError, Reader, Writer};

/// A decoded PDU body, by command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pdu {
    /// SGIP_BIND.
    Bind(Bind),
    /// SGIP_BIND_RESP.
    BindResp(Resp),
    /// SGIP_UNBIND.
    Unbind,
    /// SGIP_UNBIND_RESP.
    UnbindResp,
    /// SGIP_SUBMIT.
    Submit(Submit),
    /// SGIP_SUBMIT_RESP.
    SubmitResp(Resp),
    /// SGIP_DELIVER.
    Deliver(Deliver),
    /// SGIP_DELIVER_RESP.
    DeliverResp(Resp),
    /// SGIP_REPORT.
    Report(Report),
    /// SGIP_REPORT_RESP.
    ReportResp(Resp),
    /// SGIP_USERRPT.
    UserRpt(UserRpt),
    /// SGIP_USERRPT_RESP.
    UserRptResp(Resp),
    /// SGIP_TRACE.
    Trace(Trace),
    /// SGIP_TRACE_RESP.
    TraceResp(TraceResp),
    /// Any other command (the GNS and SMG-management commands, CHECKUSER, vendor ids): the
    /// body is kept as it came so the frame re-encodes byte for byte.
    Unknown {
        /// Command ID from the header.
        command_id: CommandId,
        /// The raw body.
        body: Vec<u8>,
    },
}

impl Pdu {
    /// The Command ID this PDU is sent with.
    pub fn command_id(&self) -> CommandId {
        match self {
            Self::Bind(_) => CommandId::BIND,
            Self::BindResp(_) => CommandId::BIND_RESP,
            Self::Unbind => CommandId::UNBIND,
            Self::UnbindResp => CommandId::UNBIND_RESP,
            Self::Submit(_) => CommandId::SUBMIT,
            Self::SubmitResp(_) => CommandId::SUBMIT_RESP,
            Self::Deliver(_) => CommandId::DELIVER,
            Self::DeliverResp(_) => CommandId::DELIVER_RESP,
            Self::Report(_) => CommandId::REPORT,
            Self::ReportResp(_) => CommandId::REPORT_RESP,
            Self::UserRpt(_) => CommandId::USERRPT,
            Self::UserRptResp(_) => CommandId::USERRPT_RESP,
            Self::Trace(_) => CommandId::TRACE,
            Self::TraceResp(_) => CommandId::TRACE_RESP,
            Self::Unknown { command_id, .. } => *command_id,
        }
    }

    /// The Result + Reserve body of a *_Resp, if this is one.
    pub fn resp(&self) -> Option<&Resp> {
        match self {
            Self::BindResp(r) | Self::SubmitResp(r) | Self::DeliverResp(r) | Self::ReportResp(r) => Some(r),
            Self::UserRptResp(r) => Some(r),
            _ => None,
        }
    }

    /// Decodes the body of a `command_id` frame.
    fn decode(command_id: CommandId, body: &[u8]) -> Result<Self, DecodeError> {
        Ok(match command_id {
            CommandId::BIND => Self::Bind(decode_exact(body)?),
            CommandId::BIND_RESP => Self::BindResp(decode_exact(body)?),
            CommandId::UNBIND => decode_exact::<Unbind>(body).map(|_| Self::Unbind)?,
            CommandId::UNBIND_RESP => decode_exact::<UnbindResp>(body).map(|_| Self::UnbindResp)?,
            CommandId::SUBMIT => Self::Submit(decode_exact(body)?),
            CommandId::SUBMIT_RESP => Self::SubmitResp(decode_exact(body)?),
            CommandId::DELIVER => Self::Deliver(decode_exact(body)?),
            CommandId::DELIVER_RESP => Self::DeliverResp(decode_exact(body)?),
            CommandId::REPORT => Self::Report(decode_exact(body)?),
            CommandId::REPORT_RESP => Self::ReportResp(decode_exact(body)?),
            CommandId::USERRPT => Self::UserRpt(decode_exact(body)?),
            CommandId::USERRPT_RESP => Self::UserRptResp(decode_exact(body)?),
            CommandId::TRACE => Self::Trace(decode_exact(body)?),
            CommandId::TRACE_RESP => Self::TraceResp(decode_exact(body)?),
            _ => Self::Unknown { command_id, body: body.to_vec() },
        })
    }

    /// Writes the body.
    fn encode_body(&self, w: &mut Writer) {
        match self {
            Self::Bind(b) => b.encode(w),
            Self::BindResp(b) | Self::SubmitResp(b) | Self::DeliverResp(b) | Self::ReportResp(b) => b.encode(w),
            Self::UserRptResp(b) => b.encode(w),
            Self::Submit(b) => b.encode(w),
            Self::Deliver(b) => b.encode(w),
            Self::Report(b) => b.encode(w),
            Self::UserRpt(b) => b.encode(w),
            Self::Trace(b) => b.encode(w),
            Self::TraceResp(b) => b.encode(w),
            Self::Unbind | Self::UnbindResp => {}
            Self::Unknown { body, .. } => {
                w.bytes(body);
            }
        }
    }
}

/// Why a frame (whose length was sane) could not be decoded. When the header was readable
/// the error carries its Command ID and Sequence Number, so a session can send the matching
/// error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameDecodeError {
    /// Fewer than 20 bytes: not even the header is there.
    #[error("frame header: {0}")]
    Header(DecodeError),
    /// Message Length disagrees with the number of bytes handed in.
    #[error("{command_id} (sequence {sequence:?}): Message Length {declared} but {actual} bytes")]
    Length {
        /// Command ID from the header.
        command_id: CommandId,
        /// Sequence Number from the header.
        sequence: Sequence,
        /// Message Length from the header.
        declared: u32,
        /// Bytes actually given.
        actual: usize,
    },
    /// The header was fine, the body was not.
    #[error("{command_id} (sequence {sequence:?}): {source}")]
    Body {
        /// Command ID from the header.
        command_id: CommandId,
        /// Sequence Number from the header.
        sequence: Sequence,
        /// What is wrong with the body.
        #[source]
        source: DecodeError,
    },
}

impl FrameDecodeError {
    /// Command ID of the frame, when its header was readable.
    pub fn command_id(&self) -> Option<CommandId> {
        match self {
            Self::Header(_) => None,
            Self::Length { command_id, .. } | Self::Body { command_id, .. } => Some(*command_id),
        }
    }

    /// Sequence Number of the frame, when its header was readable.
    pub fn sequence(&self) -> Option<Sequence> {
        match self {
            Self::Header(_) => None,
            Self::Length { sequence, .. } | Self::Body { sequence, .. } => Some(*sequence),
        }
    }
}

/// One frame: the header's Sequence Number and the PDU (Command ID is implied by the PDU,
/// Message Length by its encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Sequence Number: the sender's on requests, the request's whole 12 bytes on responses.
    pub sequence: Sequence,
    /// The command and its body.
    pub pdu: Pdu,
}

impl Frame {
    /// Is a whole frame at the start of `buf`? `Ok(Some(len))` when its first `len` bytes
    /// are one, `Ok(None)` when more bytes are needed, an error when Message Length is under
    /// the header size or over `max_len` (the link cannot be trusted any more).
    pub fn check(buf: &[u8], max_len: u32) -> Result<Option<usize>, FrameError> {
        length_prefixed(buf, HEADER_LEN as u32, max_len)
    }

    /// Decodes exactly one whole frame (as delimited by [`Frame::check`]). The body must be
    /// consumed to its exact length.
    pub fn decode(frame: &[u8]) -> Result<Self, FrameDecodeError> {
        let mut r = Reader::new(frame);
        let declared = r.u32("Message Length").map_err(FrameDecodeError::Header)?;
        let command_id = CommandId(r.u32("Command ID").map_err(FrameDecodeError::Header)?);
        let sequence = Sequence::decode(&mut r, "Sequence Number").map_err(FrameDecodeError::Header)?;
        if declared as usize != frame.len() {
            let actual = frame.len();
            return Err(FrameDecodeError::Length { command_id, sequence, declared, actual });
        }
        let pdu = Pdu::decode(command_id, r.rest()).map_err(|source| FrameDecodeError::Body {
            command_id,
            sequence,
            source,
        })?;
        Ok(Self { sequence, pdu })
    }

    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        encode_with(self.pdu.command_id(), self.sequence, |w| self.pdu.encode_body(w))
    }
}

/// Encodes one body as a frame without wrapping it in a [`Pdu`] first; the sessions use it to
/// keep ownership of what they send (a request is kept for retransmission).
pub(crate) fn encode_body<B: Body>(command_id: CommandId, sequence: Sequence, body: &B) -> Vec<u8> {
    encode_with(command_id, sequence, |w| body.encode(w))
}

/// Writes the header, lets `body` write the rest, then patches Message Length.
fn encode_with(command_id: CommandId, sequence: Sequence, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::with_capacity(64);
    w.u32(0).u32(command_id.0);
    sequence.encode(&mut w);
    body(&mut w);
    // A validated body is at most a few kilobytes; only a hand-built Unknown body or content
    // could reach u32::MAX. Saturate rather than wrap.
    let len = u32::try_from(w.len()).unwrap_or(u32::MAX);
    w.patch_u32(0, len);
    w.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{hex, with_len, SEQ};

    #[test]
    fn unknown_commands_round_trip_byte_for_byte() {
        // SGIP_CHECKUSER-like frame, an ADDSP with no body, and a vendor id.
        for raw in [
            "00000019 00000010 00000001 00000002 00000003 0102030405",
            "00000014 00000006 ffffffff ffffffff ffffffff",
            "00000016 80000099 b36a7b1f 42c4f1d9 00000001 abcd",
        ] {
            let bytes = hex(raw);
            let frame = Frame::decode(&bytes).unwrap();
            assert!(matches!(frame.pdu, Pdu::Unknown { .. }), "{frame:?}");
            assert_eq!(frame.encode(), bytes);
        }
    }

    #[test]
    fn header_errors_carry_what_was_readable() {
        let short = Frame::decode(&hex("00000014 00000002 00000001")).unwrap_err();
        assert!(matches!(short, FrameDecodeError::Header(_)));
        assert_eq!(short.sequence(), None);

        let err = Frame::decode(&hex("00000015 80000003 b36a7b1f 42c4f1d9 00000001 00")).unwrap_err();
        assert_eq!(err.command_id(), Some(CommandId::SUBMIT_RESP));
        assert_eq!(err.sequence(), Some(SEQ));
        assert!(err.to_string().contains("SGIP_SUBMIT_RESP"), "{err}");

        let lying = hex("00000018 00000002 b36a7b1f 42c4f1d9 00000001");
        let err = Frame::decode(&lying).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Length { declared: 24, actual: 20, .. }));
        assert_eq!(err.sequence(), Some(SEQ));
    }

    #[test]
    fn empty_bodies_must_be_empty() {
        let unbind = with_len(&hex("00000000 00000002 b36a7b1f 42c4f1d9 00000001 00"));
        let err = Frame::decode(&unbind).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::TrailingData(1), .. }));
    }

    #[test]
    fn check_bounds_the_length() {
        assert_eq!(Frame::check(&hex("00000014 00000002"), 4096), Ok(None));
        let unbind = hex("00000014 00000002 b36a7b1f 42c4f1d9 00000001 ff");
        assert_eq!(Frame::check(&unbind, 4096), Ok(Some(20)));
        assert!(matches!(Frame::check(&hex("00000013"), 4096), Err(FrameError::TooShort { declared: 19, .. })));
        assert!(matches!(Frame::check(&hex("00001001"), 4096), Err(FrameError::TooLong { declared: 4097, .. })));
    }

    #[test]
    fn resp_accessor() {
        let resp = Resp::new(crate::ResultCode::NODE_BUSY);
        assert_eq!(Pdu::UserRptResp(resp).resp(), Some(&resp));
        assert_eq!(Pdu::UnbindResp.resp(), None);
    }
}
