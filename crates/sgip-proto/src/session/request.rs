//! The requests that carry traffic and are answered by a Result: what the window holds and
//! what the application is asked to acknowledge.

use crate::frame::encode_body;
use crate::pdu::{Deliver, EncodeError, Report, Submit, UserRpt};
use crate::{CommandId, Pdu, Sequence};

/// A Submit, Deliver, Report or UserRpt, sent or received on a bound link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// SGIP_SUBMIT: an MT message (SP → SMG).
    Submit(Submit),
    /// SGIP_DELIVER: an MO message (SMG → SP).
    Deliver(Deliver),
    /// SGIP_REPORT: a status report on an earlier Submit (SMG → SP).
    Report(Report),
    /// SGIP_USERRPT: a user's status changed (SMG → SP).
    UserRpt(UserRpt),
}

impl Request {
    /// The Command ID it is sent with.
    pub fn command_id(&self) -> CommandId {
        match self {
            Self::Submit(_) => CommandId::SUBMIT,
            Self::Deliver(_) => CommandId::DELIVER,
            Self::Report(_) => CommandId::REPORT,
            Self::UserRpt(_) => CommandId::USERRPT,
        }
    }

    /// Checks every field fits its wire size.
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            Self::Submit(b) => b.validate(),
            Self::Deliver(b) => b.validate(),
            Self::Report(b) => b.validate(),
            Self::UserRpt(b) => b.validate(),
        }
    }

    /// The whole frame with `sequence`.
    pub(crate) fn encode(&self, sequence: Sequence) -> Vec<u8> {
        let command = self.command_id();
        match self {
            Self::Submit(b) => encode_body(command, sequence, b),
            Self::Deliver(b) => encode_body(command, sequence, b),
            Self::Report(b) => encode_body(command, sequence, b),
            Self::UserRpt(b) => encode_body(command, sequence, b),
        }
    }

    /// The request a PDU carries, or the PDU's Command ID when it is not one.
    pub(crate) fn from_pdu(pdu: Pdu) -> Result<Self, CommandId> {
        match pdu {
            Pdu::Submit(b) => Ok(Self::Submit(b)),
            Pdu::Deliver(b) => Ok(Self::Deliver(b)),
            Pdu::Report(b) => Ok(Self::Report(b)),
            Pdu::UserRpt(b) => Ok(Self::UserRpt(b)),
            other => Err(other.command_id()),
        }
    }
}

impl From<Submit> for Request {
    fn from(b: Submit) -> Self {
        Self::Submit(b)
    }
}

impl From<Deliver> for Request {
    fn from(b: Deliver) -> Self {
        Self::Deliver(b)
    }
}

impl From<Report> for Request {
    fn from(b: Report) -> Self {
        Self::Report(b)
    }
}

impl From<UserRpt> for Request {
    fn from(b: UserRpt) -> Self {
        Self::UserRpt(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::SEQ;
    use crate::Frame;

    #[test]
    fn encodes_as_the_matching_frame() {
        let request = Request::from(Deliver { message_content: b"hi".to_vec(), ..Deliver::default() });
        let bytes = request.encode(SEQ);
        let frame = Frame::decode(&bytes).unwrap();
        assert_eq!(frame.sequence, SEQ);
        assert_eq!(frame.pdu.command_id(), CommandId::DELIVER);
        assert_eq!(Request::from_pdu(frame.pdu), Ok(request));
        assert!(Request::from_pdu(Pdu::Unbind).is_err());
    }
}
