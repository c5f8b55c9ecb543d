//! One whole SMGP frame: the 12-byte header (smgp.md §3) and a body decoded exactly.

use crate::pdu::{
    decode_exact, ActiveTest, ActiveTestResp, Body, Deliver, DeliverResp, Exit, ExitResp, Login, LoginResp, Query,
    QueryResp, Submit, SubmitResp,
};
use crate::{RequestId, HEADER_LEN};
use hongyan_wire::{length_prefixed, DecodeError, FrameError, Reader, Writer};

/// A decoded PDU body, by RequestID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pdu {
    /// Login.
    Login(Login),
    /// Login_Resp.
    LoginResp(LoginResp),
    /// Submit.
    Submit(Submit),
    /// Submit_Resp.
    SubmitResp(SubmitResp),
    /// Deliver (MO message or status report).
    Deliver(Deliver),
    /// Deliver_Resp.
    DeliverResp(DeliverResp),
    /// Active_Test.
    ActiveTest,
    /// Active_Test_Resp.
    ActiveTestResp,
    /// Exit.
    Exit,
    /// Exit_Resp.
    ExitResp,
    /// Query.
    Query(Query),
    /// Query_Resp.
    QueryResp(QueryResp),
    /// Any other RequestID (Forward, the GNS route and prepaid commands, vendor ids): the
    /// body is kept as it came so the frame re-encodes byte for byte.
    Unknown {
        /// RequestID from the header.
        request_id: RequestId,
        /// The raw body.
        body: Vec<u8>,
    },
}

impl Pdu {
    /// The RequestID this PDU is sent with.
    pub fn request_id(&self) -> RequestId {
        match self {
            Self::Login(_) => RequestId::LOGIN,
            Self::LoginResp(_) => RequestId::LOGIN_RESP,
            Self::Submit(_) => RequestId::SUBMIT,
            Self::SubmitResp(_) => RequestId::SUBMIT_RESP,
            Self::Deliver(_) => RequestId::DELIVER,
            Self::DeliverResp(_) => RequestId::DELIVER_RESP,
            Self::ActiveTest => RequestId::ACTIVE_TEST,
            Self::ActiveTestResp => RequestId::ACTIVE_TEST_RESP,
            Self::Exit => RequestId::EXIT,
            Self::ExitResp => RequestId::EXIT_RESP,
            Self::Query(_) => RequestId::QUERY,
            Self::QueryResp(_) => RequestId::QUERY_RESP,
            Self::Unknown { request_id, .. } => *request_id,
        }
    }

    /// Decodes the body of a `request_id` frame.
    fn decode(request_id: RequestId, body: &[u8]) -> Result<Self, DecodeError> {
        Ok(match request_id {
            RequestId::LOGIN => Self::Login(decode_exact(body)?),
            RequestId::LOGIN_RESP => Self::LoginResp(decode_exact(body)?),
            RequestId::SUBMIT => Self::Submit(decode_exact(body)?),
            RequestId::SUBMIT_RESP => Self::SubmitResp(decode_exact(body)?),
            RequestId::DELIVER => Self::Deliver(decode_exact(body)?),
            RequestId::DELIVER_RESP => Self::DeliverResp(decode_exact(body)?),
            RequestId::ACTIVE_TEST => decode_exact::<ActiveTest>(body).map(|_| Self::ActiveTest)?,
            RequestId::ACTIVE_TEST_RESP => decode_exact::<ActiveTestResp>(body).map(|_| Self::ActiveTestResp)?,
            RequestId::EXIT => decode_exact::<Exit>(body).map(|_| Self::Exit)?,
            RequestId::EXIT_RESP => decode_exact::<ExitResp>(body).map(|_| Self::ExitResp)?,
            RequestId::QUERY => Self::Query(decode_exact(body)?),
            RequestId::QUERY_RESP => Self::QueryResp(decode_exact(body)?),
            _ => Self::Unknown { request_id, body: body.to_vec() },
        })
    }

    /// Writes the body.
    fn encode_body(&self, w: &mut Writer) {
        match self {
            Self::Login(b) => b.encode(w),
            Self::LoginResp(b) => b.encode(w),
            Self::Submit(b) => b.encode(w),
            Self::SubmitResp(b) => b.encode(w),
            Self::Deliver(b) => b.encode(w),
            Self::DeliverResp(b) => b.encode(w),
            Self::Query(b) => b.encode(w),
            Self::QueryResp(b) => b.encode(w),
            Self::ActiveTest | Self::ActiveTestResp | Self::Exit | Self::ExitResp => {}
            Self::Unknown { body, .. } => {
                w.bytes(body);
            }
        }
    }
}

/// Why a frame (whose length was sane) could not be decoded. When the header was readable
/// the error carries its RequestID and SequenceID, so a session can send the matching
/// error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameDecodeError {
    /// Fewer than 12 bytes: not even the header is there.
    #[error("frame header: {0}")]
    Header(DecodeError),
    /// PacketLength disagrees with the number of bytes handed in.
    #[error("{request_id} (sequence {sequence_id}): PacketLength {declared} but {actual} bytes")]
    Length {
        /// RequestID from the header.
        request_id: RequestId,
        /// SequenceID from the header.
        sequence_id: u32,
        /// PacketLength from the header.
        declared: u32,
        /// Bytes actually given.
        actual: usize,
    },
    /// The header was fine, the body was not.
    #[error("{request_id} (sequence {sequence_id}): {source}")]
    Body {
        /// RequestID from the header.
        request_id: RequestId,
        /// SequenceID from the header.
        sequence_id: u32,
        /// What is wrong with the body.
        #[source]
        source: DecodeError,
    },
}

impl FrameDecodeError {
    /// RequestID of the frame, when its header was readable.
    pub fn request_id(&self) -> Option<RequestId> {
        match self {
            Self::Header(_) => None,
            Self::Length { request_id, .. } | Self::Body { request_id, .. } => Some(*request_id),
        }
    }

    /// SequenceID of the frame, when its header was readable.
    pub fn sequence_id(&self) -> Option<u32> {
        match self {
            Self::Header(_) => None,
            Self::Length { sequence_id, .. } | Self::Body { sequence_id, .. } => Some(*sequence_id),
        }
    }
}

/// One frame: the header's SequenceID and the PDU (RequestID is implied by the PDU,
/// PacketLength by its encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// SequenceID: the sender's counter on requests, the request's value on responses.
    pub sequence_id: u32,
    /// The command and its body.
    pub pdu: Pdu,
}

impl Frame {
    /// Is a whole frame at the start of `buf`? `Ok(Some(len))` when its first `len` bytes
    /// are one, `Ok(None)` when more bytes are needed, an error when PacketLength is under
    /// the header size or over `max_len` (the link cannot be trusted any more).
    pub fn check(buf: &[u8], max_len: u32) -> Result<Option<usize>, FrameError> {
        length_prefixed(buf, HEADER_LEN as u32, max_len)
    }

    /// Decodes exactly one whole frame (as delimited by [`Frame::check`]). The body must be
    /// consumed to its exact length.
    pub fn decode(frame: &[u8]) -> Result<Self, FrameDecodeError> {
        let mut r = Reader::new(frame);
        let declared = r.u32("PacketLength").map_err(FrameDecodeError::Header)?;
        let request_id = RequestId(r.u32("RequestID").map_err(FrameDecodeError::Header)?);
        let sequence_id = r.u32("SequenceID").map_err(FrameDecodeError::Header)?;
        if declared as usize != frame.len() {
            let actual = frame.len();
            return Err(FrameDecodeError::Length { request_id, sequence_id, declared, actual });
        }
        let pdu = Pdu::decode(request_id, r.rest()).map_err(|source| FrameDecodeError::Body {
            request_id,
            sequence_id,
            source,
        })?;
        Ok(Self { sequence_id, pdu })
    }

    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        encode_with(self.pdu.request_id(), self.sequence_id, |w| self.pdu.encode_body(w))
    }
}

/// Encodes one body as a frame without wrapping it in a [`Pdu`] first; the sessions use it
/// to keep ownership of what they send (a Submit is kept for retransmission).
pub(crate) fn encode_body<B: Body>(sequence_id: u32, body: &B) -> Vec<u8> {
    encode_with(B::REQUEST_ID, sequence_id, |w| body.encode(w))
}

/// Writes the header, lets `body` write the rest, then patches PacketLength.
fn encode_with(request_id: RequestId, sequence_id: u32, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::with_capacity(64);
    w.u32(0).u32(request_id.0).u32(sequence_id);
    body(&mut w);
    // A validated body is a few kilobytes; only a hand-built Unknown body or TLV list could
    // pass u32::MAX, so saturate rather than wrap.
    let len = u32::try_from(w.len()).unwrap_or(u32::MAX);
    w.patch_u32(0, len);
    w.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{hex, with_len};

    #[test]
    fn unknown_request_ids_round_trip_byte_for_byte() {
        // A Forward (known id, not handled here), a GNS route query and a vendor id.
        for raw in
            ["00000011 00000005 00000001 0102030405", "0000000c 80000009 00000002", "0000000e 00000099 ffffffff abcd"]
        {
            let bytes = hex(raw);
            let frame = Frame::decode(&bytes).unwrap();
            assert!(matches!(frame.pdu, Pdu::Unknown { .. }), "{frame:?}");
            assert_eq!(frame.encode(), bytes);
        }
    }

    #[test]
    fn header_errors_carry_what_was_readable() {
        let short = Frame::decode(&[0, 0, 0, 8, 0, 0, 0, 4]).unwrap_err();
        assert!(matches!(short, FrameDecodeError::Header(_)));
        assert_eq!(short.request_id(), None);

        let err = Frame::decode(&hex("0000000d 80000002 00000007 00")).unwrap_err();
        assert_eq!(err.request_id(), Some(RequestId::SUBMIT_RESP));
        assert_eq!(err.sequence_id(), Some(7));
        assert!(err.to_string().contains("Submit_Resp"), "{err}");

        let err = Frame::decode(&hex("00000010 00000004 00000001")).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Length { declared: 16, actual: 12, .. }));
        assert_eq!(err.sequence_id(), Some(1));
    }

    #[test]
    fn empty_bodies_must_be_empty() {
        for id in ["00000004", "80000004", "00000006", "80000006"] {
            let frame = with_len(&hex(&format!("00000000 {id} 00000001 00")));
            let err = Frame::decode(&frame).unwrap_err();
            assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::TrailingData(1), .. }), "{id}");
        }
    }

    #[test]
    fn check_bounds_the_length() {
        assert_eq!(Frame::check(&hex("0000000c 00000004"), 4096), Ok(None));
        assert_eq!(Frame::check(&hex("0000000c 00000004 00000001 ff"), 4096), Ok(Some(12)));
        assert!(matches!(Frame::check(&hex("0000000b"), 4096), Err(FrameError::TooShort { .. })));
        assert!(matches!(Frame::check(&hex("00001001"), 4096), Err(FrameError::TooLong { .. })));
    }
}
