//! The events the sessions report: what the application must act on.

use crate::pdu::{
    AlertNotification, Bind, BindMode, CancelSm, DataSm, DataSmResp, DeliverSm, DeliverSmResp, Outbind, QuerySm,
    ReplaceSm, SubmitMulti, SubmitSm, SubmitSmResp,
};
use crate::{CommandStatus, Pdu};

/// What an [`EsmeSession`](super::EsmeSession)'s application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EsmeEvent {
    /// bind_*_resp with ESME_ROK: requests may now be sent (as the mode allows).
    Bound {
        /// The mode bound in.
        mode: BindMode,
        /// The SMSC's system_id.
        system_id: Vec<u8>,
        /// sc_interface_version from the response, when the SMSC sent it.
        sc_interface_version: Option<u8>,
    },
    /// bind_*_resp (or generic_nack) with an error status; the session is closed.
    BindRejected {
        /// ESME_RINVPASWD, ESME_RINVSYSID, ESME_RBINDFAIL, …
        status: CommandStatus,
    },
    /// outbind: the SMSC asks us to bind as a receiver; call [`super::EsmeSession::bind`].
    Outbind(Outbind),
    /// The answer to a submit_sm. Throttling (ESME_RTHROTTLED, ESME_RMSGQFUL) comes here too
    /// with its status: slowing down and retrying is the application's decision.
    SubmitResp {
        /// sequence_number [`super::EsmeSession::submit`] returned.
        sequence: u32,
        /// command_status of the response.
        status: CommandStatus,
        /// The message_id (empty on error).
        resp: SubmitSmResp,
    },
    /// The answer to a data_sm we sent.
    DataSmResp {
        /// sequence_number [`super::EsmeSession::data_sm`] returned.
        sequence: u32,
        /// command_status of the response.
        status: CommandStatus,
        /// message_id and TLVs.
        resp: DataSmResp,
    },
    /// The answer to a submit_multi, query_sm, cancel_sm or replace_sm.
    Response {
        /// sequence_number the request was sent with.
        sequence: u32,
        /// command_status of the response.
        status: CommandStatus,
        /// The response PDU.
        pdu: Pdu,
    },
    /// A request sent `max_attempts` times with no answer, or still unanswered when the link
    /// closed. The SMSC may or may not have it; the application decides whether to resend.
    SubmitTimedOut {
        /// sequence_number it was sent with.
        sequence: u32,
        /// The request (submit_sm, data_sm, …), handed back.
        request: Pdu,
    },
    /// generic_nack from the SMSC. When it answers an outstanding request that request is
    /// handed back (it was not accepted).
    GenericNack {
        /// sequence_number of the nacked PDU.
        sequence: u32,
        /// Why (ESME_RINVCMDLEN, ESME_RINVCMDID, …).
        status: CommandStatus,
        /// The request it refused, if it was one of ours still outstanding.
        request: Option<Pdu>,
    },
    /// An MO message or delivery receipt. Answer with [`super::EsmeSession::ack_deliver`] once it is
    /// stored; the SMSC re-sends unanswered ones.
    Deliver {
        /// sequence_number to answer.
        sequence: u32,
        /// The deliver_sm.
        deliver: DeliverSm,
    },
    /// A data_sm from the SMSC. Answer with [`super::EsmeSession::ack_deliver`] or
    /// [`super::EsmeSession::ack_data_sm`] once it is stored.
    DataSm {
        /// sequence_number to answer.
        sequence: u32,
        /// The data_sm.
        data: DataSm,
    },
    /// alert_notification (needs no answer).
    AlertNotification(AlertNotification),
    /// The session ended by unbind (from either side). The session is closed.
    Unbound,
    /// The link is unusable: enquire_link went unanswered `max_attempts` times, or no
    /// bind_resp came. The session is closed.
    LinkDead,
    /// A PDU could not be decoded or is not allowed now. It was answered where the protocol
    /// has an answer; the link lives on unless a closing event follows.
    Malformed {
        /// What was wrong, for the log.
        error: String,
    },
}

/// What an [`SmscSession`](super::SmscSession)'s application must act on. Every request
/// event must be answered with the matching `answer_*` method (that is when the ESME learns
/// the outcome); its `sequence` is the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmscEvent {
    /// A bind: check the account and call [`super::SmscSession::answer_bind`].
    BindRequest {
        /// sequence_number to answer.
        sequence: u32,
        /// The bind (mode, system_id, password, system_type, …).
        bind: Bind,
    },
    /// A submit_sm: answer with [`super::SmscSession::answer_submit`].
    Submit {
        /// sequence_number to answer.
        sequence: u32,
        /// The message.
        submit: SubmitSm,
    },
    /// A submit_multi: answer with [`super::SmscSession::answer_submit_multi`].
    SubmitMulti {
        /// sequence_number to answer.
        sequence: u32,
        /// The message.
        submit: SubmitMulti,
    },
    /// A data_sm from the ESME: answer with [`super::SmscSession::answer_data_sm`].
    DataSm {
        /// sequence_number to answer.
        sequence: u32,
        /// The message.
        data: DataSm,
    },
    /// A query_sm: answer with [`super::SmscSession::answer_query`].
    Query {
        /// sequence_number to answer.
        sequence: u32,
        /// The query.
        query: QuerySm,
    },
    /// A cancel_sm: answer with [`super::SmscSession::answer_cancel`].
    Cancel {
        /// sequence_number to answer.
        sequence: u32,
        /// What to cancel.
        cancel: CancelSm,
    },
    /// A replace_sm: answer with [`super::SmscSession::answer_replace`].
    Replace {
        /// sequence_number to answer.
        sequence: u32,
        /// The replacement.
        replace: ReplaceSm,
    },
    /// The answer to a deliver_sm we sent.
    DeliverResp {
        /// sequence_number [`super::SmscSession::deliver`] returned.
        sequence: u32,
        /// ESME_ROK, or the ESME's error (ESME_RX_T_APPN: try later, …).
        status: CommandStatus,
        /// The response body (message_id, empty by the spec).
        resp: DeliverSmResp,
    },
    /// The answer to a data_sm we sent.
    DataSmResp {
        /// sequence_number [`super::SmscSession::data_sm`] returned.
        sequence: u32,
        /// command_status of the response.
        status: CommandStatus,
        /// message_id and TLVs.
        resp: DataSmResp,
    },
    /// A deliver_sm (or data_sm) sent `max_attempts` times with no answer, or still
    /// unanswered when the link closed: deliver it again, here or on another link.
    DeliverTimedOut {
        /// sequence_number it was sent with.
        sequence: u32,
        /// The request, handed back.
        request: Pdu,
    },
    /// generic_nack from the ESME. When it answers an outstanding deliver_sm or data_sm,
    /// that request is handed back (it was not accepted).
    GenericNack {
        /// sequence_number of the nacked PDU.
        sequence: u32,
        /// Why.
        status: CommandStatus,
        /// The request it refused, if it was one of ours still outstanding.
        request: Option<Pdu>,
    },
    /// The session ended by unbind (from either side). The session is closed.
    Unbound,
    /// The link is unusable: enquire_link went unanswered `max_attempts` times, or no bind
    /// was completed within `session_init_timeout`. The session is closed.
    LinkDead,
    /// A PDU could not be decoded or is not allowed in the bind state. It was answered with
    /// the protocol's error answer and the link lives on.
    Malformed {
        /// What was wrong, for the log.
        error: String,
    },
}
