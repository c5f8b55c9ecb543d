//! Command ID (sgip.md §4).

use hongyan_wire::open_enum;

open_enum! {
    /// Command ID (sgip.md §4). A response id is the request id with the top bit set.
    CommandId(u32), unknown = "{:#010x}" {
        /// SGIP_BIND: log in (either direction).
        BIND = 0x0000_0001 => "SGIP_BIND",
        /// SGIP_BIND_RESP.
        BIND_RESP = 0x8000_0001 => "SGIP_BIND_RESP",
        /// SGIP_UNBIND: end the session (either side).
        UNBIND = 0x0000_0002 => "SGIP_UNBIND",
        /// SGIP_UNBIND_RESP.
        UNBIND_RESP = 0x8000_0002 => "SGIP_UNBIND_RESP",
        /// SGIP_SUBMIT: SP → SMG message.
        SUBMIT = 0x0000_0003 => "SGIP_SUBMIT",
        /// SGIP_SUBMIT_RESP.
        SUBMIT_RESP = 0x8000_0003 => "SGIP_SUBMIT_RESP",
        /// SGIP_DELIVER: SMG → SP MO message.
        DELIVER = 0x0000_0004 => "SGIP_DELIVER",
        /// SGIP_DELIVER_RESP.
        DELIVER_RESP = 0x8000_0004 => "SGIP_DELIVER_RESP",
        /// SGIP_REPORT: SMG → SP status report.
        REPORT = 0x0000_0005 => "SGIP_REPORT",
        /// SGIP_REPORT_RESP.
        REPORT_RESP = 0x8000_0005 => "SGIP_REPORT_RESP",
        /// SGIP_ADDSP: SMG ⇄ GNS only.
        ADDSP = 0x0000_0006 => "SGIP_ADDSP",
        /// SGIP_ADDSP_RESP.
        ADDSP_RESP = 0x8000_0006 => "SGIP_ADDSP_RESP",
        /// SGIP_MODIFYSP: SMG ⇄ GNS only.
        MODIFYSP = 0x0000_0007 => "SGIP_MODIFYSP",
        /// SGIP_MODIFYSP_RESP.
        MODIFYSP_RESP = 0x8000_0007 => "SGIP_MODIFYSP_RESP",
        /// SGIP_DELETESP: SMG ⇄ GNS only.
        DELETESP = 0x0000_0008 => "SGIP_DELETESP",
        /// SGIP_DELETESP_RESP.
        DELETESP_RESP = 0x8000_0008 => "SGIP_DELETESP_RESP",
        /// SGIP_QUERYROUTE: SMG ⇄ GNS only.
        QUERYROUTE = 0x0000_0009 => "SGIP_QUERYROUTE",
        /// SGIP_QUERYROUTE_RESP.
        QUERYROUTE_RESP = 0x8000_0009 => "SGIP_QUERYROUTE_RESP",
        /// SGIP_ADDTELESEG: GNS → SMG only.
        ADDTELESEG = 0x0000_000A => "SGIP_ADDTELESEG",
        /// SGIP_ADDTELESEG_RESP.
        ADDTELESEG_RESP = 0x8000_000A => "SGIP_ADDTELESEG_RESP",
        /// SGIP_MODIFYTELESEG: GNS → SMG only.
        MODIFYTELESEG = 0x0000_000B => "SGIP_MODIFYTELESEG",
        /// SGIP_MODIFYTELESEG_RESP.
        MODIFYTELESEG_RESP = 0x8000_000B => "SGIP_MODIFYTELESEG_RESP",
        /// SGIP_DELETETELESEG: GNS → SMG only.
        DELETETELESEG = 0x0000_000C => "SGIP_DELETETELESEG",
        /// SGIP_DELETETELESEG_RESP.
        DELETETELESEG_RESP = 0x8000_000C => "SGIP_DELETETELESEG_RESP",
        /// SGIP_ADDSMG: GNS → SMG only.
        ADDSMG = 0x0000_000D => "SGIP_ADDSMG",
        /// SGIP_ADDSMG_RESP.
        ADDSMG_RESP = 0x8000_000D => "SGIP_ADDSMG_RESP",
        /// SGIP_MODIFYSMG: GNS → SMG only.
        MODIFYSMG = 0x0000_000E => "SGIP_MODIFYSMG",
        /// SGIP_MODIFYSMG_RESP (the spec's table misprints it as 0x0000000E).
        MODIFYSMG_RESP = 0x8000_000E => "SGIP_MODIFYSMG_RESP",
        /// SGIP_DELETESMG: GNS → SMG only.
        DELETESMG = 0x0000_000F => "SGIP_DELETESMG",
        /// SGIP_DELETESMG_RESP.
        DELETESMG_RESP = 0x8000_000F => "SGIP_DELETESMG_RESP",
        /// SGIP_CHECKUSER: SMG → billing centre only.
        CHECKUSER = 0x0000_0010 => "SGIP_CHECKUSER",
        /// SGIP_CHECKUSER_RESP.
        CHECKUSER_RESP = 0x8000_0010 => "SGIP_CHECKUSER_RESP",
        /// SGIP_USERRPT: SMG → SP user status change.
        USERRPT = 0x0000_0011 => "SGIP_USERRPT",
        /// SGIP_USERRPT_RESP.
        USERRPT_RESP = 0x8000_0011 => "SGIP_USERRPT_RESP",
        /// SGIP_TRACE: message trace, on the test port.
        TRACE = 0x0000_1000 => "SGIP_TRACE",
        /// SGIP_TRACE_RESP.
        TRACE_RESP = 0x8000_1000 => "SGIP_TRACE_RESP",
    }
}

impl CommandId {
    /// The bit that turns a request id into its response id.
    const RESPONSE_BIT: u32 = 0x8000_0000;

    /// True for response ids (top bit set).
    pub fn is_response(self) -> bool {
        self.0 & Self::RESPONSE_BIT != 0
    }

    /// The response id that answers this request id.
    pub fn response(self) -> Self {
        Self(self.0 | Self::RESPONSE_BIT)
    }

    /// True for the requests answered by a Result + Reserve body (Bind, Submit, Deliver,
    /// Report, UserRpt): the ones a session can answer with an error Result.
    pub fn has_result_response(self) -> bool {
        matches!(self, Self::BIND | Self::SUBMIT | Self::DELIVER | Self::REPORT | Self::USERRPT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_unknown_values() {
        assert_eq!(format!("{:?}", CommandId::REPORT_RESP), "CommandId::REPORT_RESP");
        assert_eq!(CommandId::USERRPT.to_string(), "SGIP_USERRPT");
        assert_eq!(format!("{:?}", CommandId(0x12)), "CommandId(0x00000012)");
        assert_eq!(CommandId(0x12).to_string(), "unknown 0x00000012");
    }

    #[test]
    fn responses_have_the_top_bit() {
        assert_eq!(CommandId::SUBMIT.response(), CommandId::SUBMIT_RESP);
        assert_eq!(CommandId::TRACE.response().0, 0x8000_1000);
        assert_eq!(CommandId::MODIFYSMG.response().0, 0x8000_000E);
        assert!(CommandId::BIND_RESP.is_response());
        assert!(!CommandId::UNBIND.is_response());
        assert!(CommandId::USERRPT.has_result_response());
        assert!(!CommandId::UNBIND.has_result_response() && !CommandId::TRACE.has_result_response());
    }
}
