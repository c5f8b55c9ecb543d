//! One whole SMPP frame: the 16-byte header (smpp.md §2) and a body decoded exactly.

use crate::pdu::{
    decode_exact, AlertNotification, Bind, BindMode, BindResp, CancelSm, DataSm, DataSmResp, DeliverSm, DeliverSmResp,
    Outbind, QuerySm, QuerySmResp, ReplaceSm, SubmitMulti, SubmitMultiResp, SubmitSm, SubmitSmResp,
};
use crate::{CommandId, CommandStatus, HEADER_LEN};
use hongyan_wire::{length_prefixed, DecodeError, FrameError, Reader, Writer};

/// A decoded PDU body, by command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pdu {
    /// bind_transmitter / bind_receiver / bind_transceiver (by `mode`).
    Bind(Bind),
    /// bind_*_resp (by `mode`).
    BindResp(BindResp),
    /// outbind.
    Outbind(Outbind),
    /// unbind.
    Unbind,
    /// unbind_resp.
    UnbindResp,
    /// enquire_link.
    EnquireLink,
    /// enquire_link_resp.
    EnquireLinkResp,
    /// generic_nack.
    GenericNack,
    /// submit_sm.
    SubmitSm(SubmitSm),
    /// submit_sm_resp.
    SubmitSmResp(SubmitSmResp),
    /// submit_multi.
    SubmitMulti(SubmitMulti),
    /// submit_multi_resp.
    SubmitMultiResp(SubmitMultiResp),
    /// deliver_sm.
    DeliverSm(DeliverSm),
    /// deliver_sm_resp.
    DeliverSmResp(DeliverSmResp),
    /// data_sm.
    DataSm(DataSm),
    /// data_sm_resp.
    DataSmResp(DataSmResp),
    /// query_sm.
    QuerySm(QuerySm),
    /// query_sm_resp.
    QuerySmResp(QuerySmResp),
    /// cancel_sm.
    CancelSm(CancelSm),
    /// cancel_sm_resp.
    CancelSmResp,
    /// replace_sm.
    ReplaceSm(ReplaceSm),
    /// replace_sm_resp.
    ReplaceSmResp,
    /// alert_notification.
    AlertNotification(AlertNotification),
    /// Any other command_id (reserved, vendor 0x000102xx, 5.0-only ids): the body is kept as
    /// it came so the frame re-encodes byte for byte.
    Unknown {
        /// command_id from the header.
        command_id: CommandId,
        /// The raw body.
        body: Vec<u8>,
    },
}

impl Pdu {
    /// The command_id this PDU is sent with.
    pub fn command_id(&self) -> CommandId {
        match self {
            Self::Bind(b) => b.mode.command_id(),
            Self::BindResp(b) => b.mode.command_id().response(),
            Self::Outbind(_) => CommandId::OUTBIND,
            Self::Unbind => CommandId::UNBIND,
            Self::UnbindResp => CommandId::UNBIND_RESP,
            Self::EnquireLink => CommandId::ENQUIRE_LINK,
            Self::EnquireLinkResp => CommandId::ENQUIRE_LINK_RESP,
            Self::GenericNack => CommandId::GENERIC_NACK,
            Self::SubmitSm(_) => CommandId::SUBMIT_SM,
            Self::SubmitSmResp(_) => CommandId::SUBMIT_SM_RESP,
            Self::SubmitMulti(_) => CommandId::SUBMIT_MULTI,
            Self::SubmitMultiResp(_) => CommandId::SUBMIT_MULTI_RESP,
            Self::DeliverSm(_) => CommandId::DELIVER_SM,
            Self::DeliverSmResp(_) => CommandId::DELIVER_SM_RESP,
            Self::DataSm(_) => CommandId::DATA_SM,
            Self::DataSmResp(_) => CommandId::DATA_SM_RESP,
            Self::QuerySm(_) => CommandId::QUERY_SM,
            Self::QuerySmResp(_) => CommandId::QUERY_SM_RESP,
            Self::CancelSm(_) => CommandId::CANCEL_SM,
            Self::CancelSmResp => CommandId::CANCEL_SM_RESP,
            Self::ReplaceSm(_) => CommandId::REPLACE_SM,
            Self::ReplaceSmResp => CommandId::REPLACE_SM_RESP,
            Self::AlertNotification(_) => CommandId::ALERT_NOTIFICATION,
            Self::Unknown { command_id, .. } => *command_id,
        }
    }

    /// Checks the PDU encodes faithfully (every field within its wire size).
    pub fn validate(&self) -> Result<(), crate::pdu::EncodeError> {
        match self {
            Self::Bind(b) => b.validate(),
            Self::BindResp(b) => b.validate(),
            Self::Outbind(b) => b.validate(),
            Self::SubmitSm(b) => b.validate(),
            Self::SubmitSmResp(b) => b.validate(),
            Self::SubmitMulti(b) => b.validate(),
            Self::SubmitMultiResp(b) => b.validate(),
            Self::DeliverSm(b) => b.validate(),
            Self::DeliverSmResp(b) => b.validate(),
            Self::DataSm(b) => b.validate(),
            Self::DataSmResp(b) => b.validate(),
            Self::QuerySm(b) => b.validate(),
            Self::QuerySmResp(b) => b.validate(),
            Self::CancelSm(b) => b.validate(),
            Self::ReplaceSm(b) => b.validate(),
            Self::AlertNotification(b) => b.validate(),
            _ => Ok(()),
        }
    }

    /// Decodes the body of a `command_id` frame.
    fn decode(command_id: CommandId, body: &[u8]) -> Result<Self, DecodeError> {
        if let Some(mode) = BindMode::from_command_id(command_id) {
            return Ok(if command_id.is_response() {
                Self::BindResp(decode_exact(body, |r| BindResp::decode(r, mode))?)
            } else {
                Self::Bind(decode_exact(body, |r| Bind::decode(r, mode))?)
            });
        }
        let header_only = |pdu: Self| decode_exact(body, |_| Ok(pdu));
        Ok(match command_id {
            CommandId::OUTBIND => Self::Outbind(decode_exact(body, Outbind::decode)?),
            CommandId::UNBIND => header_only(Self::Unbind)?,
            CommandId::UNBIND_RESP => header_only(Self::UnbindResp)?,
            CommandId::ENQUIRE_LINK => header_only(Self::EnquireLink)?,
            CommandId::ENQUIRE_LINK_RESP => header_only(Self::EnquireLinkResp)?,
            CommandId::GENERIC_NACK => header_only(Self::GenericNack)?,
            CommandId::SUBMIT_SM => Self::SubmitSm(decode_exact(body, SubmitSm::decode)?),
            CommandId::SUBMIT_SM_RESP => Self::SubmitSmResp(decode_exact(body, SubmitSmResp::decode)?),
            CommandId::SUBMIT_MULTI => Self::SubmitMulti(decode_exact(body, SubmitMulti::decode)?),
            CommandId::SUBMIT_MULTI_RESP => Self::SubmitMultiResp(decode_exact(body, SubmitMultiResp::decode)?),
            CommandId::DELIVER_SM => Self::DeliverSm(decode_exact(body, DeliverSm::decode)?),
            CommandId::DELIVER_SM_RESP => Self::DeliverSmResp(decode_exact(body, DeliverSmResp::decode)?),
            CommandId::DATA_SM => Self::DataSm(decode_exact(body, DataSm::decode)?),
            CommandId::DATA_SM_RESP => Self::DataSmResp(decode_exact(body, DataSmResp::decode)?),
            CommandId::QUERY_SM => Self::QuerySm(decode_exact(body, QuerySm::decode)?),
            CommandId::QUERY_SM_RESP => Self::QuerySmResp(decode_exact(body, QuerySmResp::decode)?),
            CommandId::CANCEL_SM => Self::CancelSm(decode_exact(body, CancelSm::decode)?),
            CommandId::CANCEL_SM_RESP => header_only(Self::CancelSmResp)?,
            CommandId::REPLACE_SM => Self::ReplaceSm(decode_exact(body, ReplaceSm::decode)?),
            CommandId::REPLACE_SM_RESP => header_only(Self::ReplaceSmResp)?,
            CommandId::ALERT_NOTIFICATION => Self::AlertNotification(decode_exact(body, AlertNotification::decode)?),
            _ => Self::Unknown { command_id, body: body.to_vec() },
        })
    }

    /// Writes the body. With a non-zero `status`, an empty bind_*_resp or submit_sm_resp
    /// has its body left out, as the spec says.
    fn encode_body(&self, w: &mut Writer, status: CommandStatus) {
        match self {
            Self::BindResp(b) if status.is_ok() || !b.is_empty() => b.encode(w),
            Self::SubmitSmResp(b) if status.is_ok() || !b.message_id.is_empty() => b.encode(w),
            Self::BindResp(_) | Self::SubmitSmResp(_) => {}
            Self::Bind(b) => b.encode(w),
            Self::Outbind(b) => b.encode(w),
            Self::SubmitSm(b) => b.encode(w),
            Self::SubmitMulti(b) => b.encode(w),
            Self::SubmitMultiResp(b) => b.encode(w),
            Self::DeliverSm(b) => b.encode(w),
            Self::DeliverSmResp(b) => b.encode(w),
            Self::DataSm(b) => b.encode(w),
            Self::DataSmResp(b) => b.encode(w),
            Self::QuerySm(b) => b.encode(w),
            Self::QuerySmResp(b) => b.encode(w),
            Self::CancelSm(b) => b.encode(w),
            Self::ReplaceSm(b) => b.encode(w),
            Self::AlertNotification(b) => b.encode(w),
            Self::Unknown { body, .. } => {
                w.bytes(body);
            }
            Self::Unbind
            | Self::UnbindResp
            | Self::EnquireLink
            | Self::EnquireLinkResp
            | Self::GenericNack
            | Self::CancelSmResp
            | Self::ReplaceSmResp => {}
        }
    }
}

/// Why a frame (whose length was sane) could not be decoded. When the header was readable the
/// error carries its command_id and sequence_number, so a session can send the matching error
/// response, and [`FrameDecodeError::status`] says which status that response should carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameDecodeError {
    /// Fewer than 16 bytes: not even the header is there.
    #[error("frame header: {0}")]
    Header(DecodeError),
    /// command_length disagrees with the number of bytes handed in.
    #[error("{command_id} (sequence {sequence_number}): command_length {declared} but {actual} bytes")]
    Length {
        /// command_id from the header.
        command_id: CommandId,
        /// sequence_number from the header.
        sequence_number: u32,
        /// command_length from the header.
        declared: u32,
        /// Bytes actually given.
        actual: usize,
    },
    /// The header was fine, the body was not.
    #[error("{command_id} (sequence {sequence_number}): {source}")]
    Body {
        /// command_id from the header.
        command_id: CommandId,
        /// sequence_number from the header.
        sequence_number: u32,
        /// What is wrong with the body.
        #[source]
        source: DecodeError,
    },
}

impl FrameDecodeError {
    /// command_id of the frame, when its header was readable.
    pub fn command_id(&self) -> Option<CommandId> {
        match self {
            Self::Header(_) => None,
            Self::Length { command_id, .. } | Self::Body { command_id, .. } => Some(*command_id),
        }
    }

    /// sequence_number of the frame, when its header was readable.
    pub fn sequence_number(&self) -> Option<u32> {
        match self {
            Self::Header(_) => None,
            Self::Length { sequence_number, .. } | Self::Body { sequence_number, .. } => Some(*sequence_number),
        }
    }

    /// The command_status to answer this frame with.
    pub fn status(&self) -> Option<CommandStatus> {
        match self {
            Self::Header(_) => None,
            Self::Length { .. } => Some(CommandStatus::ESME_RINVCMDLEN),
            Self::Body { source, .. } => Some(CommandStatus::for_decode_error(source)),
        }
    }
}

/// One frame: the header's command_status and sequence_number and the PDU (command_id is
/// implied by the PDU, command_length by its encoding).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// command_status: ESME_ROK in requests, the result in responses.
    pub command_status: CommandStatus,
    /// sequence_number: the sender's counter on requests, the request's value on responses.
    pub sequence_number: u32,
    /// The command and its body.
    pub pdu: Pdu,
}

impl Frame {
    /// A frame with command_status ESME_ROK.
    pub fn new(sequence_number: u32, pdu: Pdu) -> Self {
        Self { command_status: CommandStatus::ESME_ROK, sequence_number, pdu }
    }

    /// Is a whole frame at the start of `buf`? `Ok(Some(len))` when its first `len` bytes
    /// are one, `Ok(None)` when more bytes are needed, an error when command_length is under
    /// 16 or over `max_len` (the link cannot be trusted any more). Nothing is allocated.
    pub fn check(buf: &[u8], max_len: u32) -> Result<Option<usize>, FrameError> {
        length_prefixed(buf, HEADER_LEN as u32, max_len)
    }

    /// Decodes exactly one whole frame (as delimited by [`Frame::check`]). The body must be
    /// consumed to its exact length.
    pub fn decode(frame: &[u8]) -> Result<Self, FrameDecodeError> {
        let mut r = Reader::new(frame);
        let declared = r.u32("command_length").map_err(FrameDecodeError::Header)?;
        let command_id = CommandId(r.u32("command_id").map_err(FrameDecodeError::Header)?);
        let command_status = CommandStatus(r.u32("command_status").map_err(FrameDecodeError::Header)?);
        let sequence_number = r.u32("sequence_number").map_err(FrameDecodeError::Header)?;
        if declared as usize != frame.len() {
            let actual = frame.len();
            return Err(FrameDecodeError::Length { command_id, sequence_number, declared, actual });
        }
        let pdu = Pdu::decode(command_id, r.rest()).map_err(|source| FrameDecodeError::Body {
            command_id,
            sequence_number,
            source,
        })?;
        Ok(Self { command_status, sequence_number, pdu })
    }

    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(64);
        w.u32(0).u32(self.pdu.command_id().0).u32(self.command_status.0).u32(self.sequence_number);
        self.pdu.encode_body(&mut w, self.command_status);
        // A body is bounded by its fields (TLVs included) far below u32::MAX, except an
        // Unknown body someone built by hand; saturate rather than wrap.
        let len = u32::try_from(w.len()).unwrap_or(u32::MAX);
        w.patch_u32(0, len);
        w.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{hex, with_len};

    #[test]
    fn unknown_commands_round_trip_byte_for_byte() {
        for raw in [
            "00000015 00010201 00000000 00000001 0102030405",
            "00000010 0000000a 00000000 7fffffff",
            "00000014 80000111 00000401 00000003 deadbeef",
        ] {
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
        assert_eq!((short.command_id(), short.status()), (None, None));

        let lying = hex("00000014 00000015 00000000 00000001");
        let err = Frame::decode(&lying).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Length { declared: 20, actual: 16, .. }));
        assert_eq!(err.sequence_number(), Some(1));
        assert_eq!(err.status(), Some(CommandStatus::ESME_RINVCMDLEN));
    }

    #[test]
    fn body_errors_name_the_command() {
        let bad = with_len(&hex("00000000 00000004 00000000 00000007 00"));
        let err = Frame::decode(&bad).unwrap_err();
        assert_eq!(err.command_id(), Some(CommandId::SUBMIT_SM));
        assert_eq!(err.sequence_number(), Some(7));
        assert_eq!(err.status(), Some(CommandStatus::ESME_RINVCMDLEN));
        assert!(err.to_string().contains("submit_sm"), "{err}");
    }

    #[test]
    fn check_bounds_the_length() {
        assert_eq!(Frame::check(&hex("00000010 00000015"), 4096), Ok(None));
        assert_eq!(Frame::check(&hex("00000010 00000015 00000000 00000001 ff"), 4096), Ok(Some(16)));
        assert!(matches!(Frame::check(&hex("0000000f"), 4096), Err(FrameError::TooShort { declared: 15, .. })));
        assert!(matches!(Frame::check(&hex("ffffffff"), 4096), Err(FrameError::TooLong { .. })));
    }
}
