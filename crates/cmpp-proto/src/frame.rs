//! One whole CMPP frame: the 12-byte header (cmpp.md §3) and a body decoded exactly.

use crate::pdu::{
    decode_exact, ActiveTest, ActiveTestResp, Body, Cancel, CancelResp, Connect, ConnectResp, Deliver, DeliverResp,
    Query, QueryResp, Submit, SubmitResp, Terminate, TerminateResp,
};
use crate::{CommandId, Version, HEADER_LEN};
use hongyan_wire::{length_prefixed, DecodeError, FrameError, Reader, Writer};

/// A decoded PDU body, by command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pdu {
    /// CMPP_CONNECT.
    Connect(Connect),
    /// CMPP_CONNECT_RESP.
    ConnectResp(ConnectResp),
    /// CMPP_SUBMIT.
    Submit(Submit),
    /// CMPP_SUBMIT_RESP.
    SubmitResp(SubmitResp),
    /// CMPP_DELIVER (MO message or status report).
    Deliver(Deliver),
    /// CMPP_DELIVER_RESP.
    DeliverResp(DeliverResp),
    /// CMPP_ACTIVE_TEST.
    ActiveTest,
    /// CMPP_ACTIVE_TEST_RESP.
    ActiveTestResp(ActiveTestResp),
    /// CMPP_TERMINATE.
    Terminate,
    /// CMPP_TERMINATE_RESP.
    TerminateResp,
    /// CMPP_QUERY.
    Query(Query),
    /// CMPP_QUERY_RESP.
    QueryResp(QueryResp),
    /// CMPP_CANCEL.
    Cancel(Cancel),
    /// CMPP_CANCEL_RESP.
    CancelResp(CancelResp),
    /// Any other command (FWD, the GNS route commands, vendor ids): the body is kept as it
    /// came so the frame re-encodes byte for byte.
    Unknown {
        /// Command_Id from the header.
        command_id: CommandId,
        /// The raw body.
        body: Vec<u8>,
    },
}

impl Pdu {
    /// The Command_Id this PDU is sent with.
    pub fn command_id(&self) -> CommandId {
        match self {
            Self::Connect(_) => CommandId::CONNECT,
            Self::ConnectResp(_) => CommandId::CONNECT_RESP,
            Self::Submit(_) => CommandId::SUBMIT,
            Self::SubmitResp(_) => CommandId::SUBMIT_RESP,
            Self::Deliver(_) => CommandId::DELIVER,
            Self::DeliverResp(_) => CommandId::DELIVER_RESP,
            Self::ActiveTest => CommandId::ACTIVE_TEST,
            Self::ActiveTestResp(_) => CommandId::ACTIVE_TEST_RESP,
            Self::Terminate => CommandId::TERMINATE,
            Self::TerminateResp => CommandId::TERMINATE_RESP,
            Self::Query(_) => CommandId::QUERY,
            Self::QueryResp(_) => CommandId::QUERY_RESP,
            Self::Cancel(_) => CommandId::CANCEL,
            Self::CancelResp(_) => CommandId::CANCEL_RESP,
            Self::Unknown { command_id, .. } => *command_id,
        }
    }

    /// Decodes the body of a `command_id` frame in `version`'s layout.
    fn decode(command_id: CommandId, body: &[u8], v: Version) -> Result<Self, DecodeError> {
        Ok(match command_id {
            CommandId::CONNECT => Self::Connect(decode_exact(body, v)?),
            CommandId::CONNECT_RESP => Self::ConnectResp(decode_exact(body, v)?),
            CommandId::SUBMIT => Self::Submit(decode_exact(body, v)?),
            CommandId::SUBMIT_RESP => Self::SubmitResp(decode_exact(body, v)?),
            CommandId::DELIVER => Self::Deliver(decode_exact(body, v)?),
            CommandId::DELIVER_RESP => Self::DeliverResp(decode_exact(body, v)?),
            CommandId::ACTIVE_TEST => decode_exact::<ActiveTest>(body, v).map(|_| Self::ActiveTest)?,
            CommandId::ACTIVE_TEST_RESP => Self::ActiveTestResp(decode_exact(body, v)?),
            CommandId::TERMINATE => decode_exact::<Terminate>(body, v).map(|_| Self::Terminate)?,
            CommandId::TERMINATE_RESP => decode_exact::<TerminateResp>(body, v).map(|_| Self::TerminateResp)?,
            CommandId::QUERY => Self::Query(decode_exact(body, v)?),
            CommandId::QUERY_RESP => Self::QueryResp(decode_exact(body, v)?),
            CommandId::CANCEL => Self::Cancel(decode_exact(body, v)?),
            CommandId::CANCEL_RESP => Self::CancelResp(decode_exact(body, v)?),
            _ => Self::Unknown { command_id, body: body.to_vec() },
        })
    }

    /// Writes the body in `version`'s layout.
    fn encode_body(&self, w: &mut Writer, v: Version) {
        match self {
            Self::Connect(b) => b.encode(w, v),
            Self::ConnectResp(b) => b.encode(w, v),
            Self::Submit(b) => b.encode(w, v),
            Self::SubmitResp(b) => b.encode(w, v),
            Self::Deliver(b) => b.encode(w, v),
            Self::DeliverResp(b) => b.encode(w, v),
            Self::ActiveTestResp(b) => b.encode(w, v),
            Self::Query(b) => b.encode(w, v),
            Self::QueryResp(b) => b.encode(w, v),
            Self::Cancel(b) => b.encode(w, v),
            Self::CancelResp(b) => b.encode(w, v),
            Self::ActiveTest | Self::Terminate | Self::TerminateResp => {}
            Self::Unknown { body, .. } => {
                w.bytes(body);
            }
        }
    }
}

/// Why a frame (whose length was sane) could not be decoded. When the header was readable
/// the error carries its Command_Id and Sequence_Id, so a session can send the matching
/// error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameDecodeError {
    /// Fewer than 12 bytes: not even the header is there.
    #[error("frame header: {0}")]
    Header(DecodeError),
    /// Total_Length disagrees with the number of bytes handed in.
    #[error("{command_id} (sequence {sequence_id}): Total_Length {declared} but {actual} bytes")]
    Length {
        /// Command_Id from the header.
        command_id: CommandId,
        /// Sequence_Id from the header.
        sequence_id: u32,
        /// Total_Length from the header.
        declared: u32,
        /// Bytes actually given.
        actual: usize,
    },
    /// The header was fine, the body was not.
    #[error("{command_id} (sequence {sequence_id}): {source}")]
    Body {
        /// Command_Id from the header.
        command_id: CommandId,
        /// Sequence_Id from the header.
        sequence_id: u32,
        /// What is wrong with the body.
        #[source]
        source: DecodeError,
    },
}

impl FrameDecodeError {
    /// Command_Id of the frame, when its header was readable.
    pub fn command_id(&self) -> Option<CommandId> {
        match self {
            Self::Header(_) => None,
            Self::Length { command_id, .. } | Self::Body { command_id, .. } => Some(*command_id),
        }
    }

    /// Sequence_Id of the frame, when its header was readable.
    pub fn sequence_id(&self) -> Option<u32> {
        match self {
            Self::Header(_) => None,
            Self::Length { sequence_id, .. } | Self::Body { sequence_id, .. } => Some(*sequence_id),
        }
    }
}

/// One frame: the header's Sequence_Id and the PDU (Command_Id is implied by the PDU,
/// Total_Length by its encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Sequence_Id: the sender's counter on requests, the request's value on responses.
    pub sequence_id: u32,
    /// The command and its body.
    pub pdu: Pdu,
}

impl Frame {
    /// Is a whole frame at the start of `buf`? `Ok(Some(len))` when its first `len` bytes
    /// are one, `Ok(None)` when more bytes are needed, an error when Total_Length is under
    /// the header size or over `max_len` (the link cannot be trusted any more).
    pub fn check(buf: &[u8], max_len: u32) -> Result<Option<usize>, FrameError> {
        length_prefixed(buf, HEADER_LEN as u32, max_len)
    }

    /// Decodes exactly one whole frame (as delimited by [`Frame::check`]) in `version`'s
    /// layout. The body must be consumed to its exact length.
    pub fn decode(frame: &[u8], version: Version) -> Result<Self, FrameDecodeError> {
        let mut r = Reader::new(frame);
        let declared = r.u32("Total_Length").map_err(FrameDecodeError::Header)?;
        let command_id = CommandId(r.u32("Command_Id").map_err(FrameDecodeError::Header)?);
        let sequence_id = r.u32("Sequence_Id").map_err(FrameDecodeError::Header)?;
        if declared as usize != frame.len() {
            let actual = frame.len();
            return Err(FrameDecodeError::Length { command_id, sequence_id, declared, actual });
        }
        let pdu = Pdu::decode(command_id, r.rest(), version).map_err(|source| FrameDecodeError::Body {
            command_id,
            sequence_id,
            source,
        })?;
        Ok(Self { sequence_id, pdu })
    }

    /// Encodes the frame in `version`'s layout.
    pub fn encode(&self, version: Version) -> Vec<u8> {
        encode_with(self.pdu.command_id(), self.sequence_id, |w| self.pdu.encode_body(w, version))
    }
}

/// Encodes one body as a frame without wrapping it in a [`Pdu`] first; the sessions use it
/// to keep ownership of what they send (a SUBMIT is kept for retransmission).
pub(crate) fn encode_body<B: Body>(sequence_id: u32, body: &B, version: Version) -> Vec<u8> {
    encode_with(B::COMMAND, sequence_id, |w| body.encode(w, version))
}

/// Writes the header, lets `body` write the rest, then patches Total_Length.
fn encode_with(command_id: CommandId, sequence_id: u32, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::with_capacity(64);
    w.u32(0).u32(command_id.0).u32(sequence_id);
    body(&mut w);
    // A body is at most a few kilobytes (255 recipients × 32 + 255), far below u32::MAX,
    // except an Unknown body someone built by hand; saturate rather than wrap.
    let len = u32::try_from(w.len()).unwrap_or(u32::MAX);
    w.patch_u32(0, len);
    w.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{hex, with_len};

    #[test]
    fn unknown_commands_round_trip_byte_for_byte() {
        // A CMPP_FWD-like frame and a vendor id in the 0x0A-0x0F gap.
        for raw in ["00000011 00000009 00000001 0102030405", "0000000c 0000000b ffffffff"] {
            let bytes = hex(raw);
            for version in [Version::V20, Version::V30] {
                let frame = Frame::decode(&bytes, version).unwrap();
                assert!(matches!(frame.pdu, Pdu::Unknown { .. }), "{frame:?}");
                assert_eq!(frame.encode(version), bytes);
            }
        }
    }

    #[test]
    fn header_errors_carry_what_was_readable() {
        let short = Frame::decode(&[0, 0, 0, 8, 0, 0, 0, 4], Version::V30).unwrap_err();
        assert!(matches!(short, FrameDecodeError::Header(_)));
        assert_eq!(short.command_id(), None);

        let bad_body = Frame::decode(&hex("0000000d 80000004 00000007 00"), Version::V30);
        let err = bad_body.unwrap_err();
        assert_eq!(err.command_id(), Some(CommandId::SUBMIT_RESP));
        assert_eq!(err.sequence_id(), Some(7));
        assert!(err.to_string().contains("CMPP_SUBMIT_RESP"), "{err}");

        let lying = hex("00000010 00000008 00000001");
        let err = Frame::decode(&lying, Version::V30).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Length { declared: 16, actual: 12, .. }));
        assert_eq!(err.sequence_id(), Some(1));
    }

    #[test]
    fn empty_bodies_must_be_empty() {
        let active_test = with_len(&hex("00000000 00000008 00000001 00"));
        let err = Frame::decode(&active_test, Version::V30).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::TrailingData(1), .. }));
    }

    #[test]
    fn check_bounds_the_length() {
        assert_eq!(Frame::check(&hex("0000000c 00000008"), 4096), Ok(None));
        assert_eq!(Frame::check(&hex("0000000c 00000008 00000001 ff"), 4096), Ok(Some(12)));
        assert!(matches!(Frame::check(&hex("0000000b"), 4096), Err(FrameError::TooShort { .. })));
        assert!(matches!(Frame::check(&hex("00001001"), 4096), Err(FrameError::TooLong { .. })));
    }
}
