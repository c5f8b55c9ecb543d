//! Open wire enumerations of the header and the fixed bodies (smgp.md §4, §5, §6).
//! Status codes are in `status.rs`, TLV tags in `tlv.rs`.

use hongyan_wire::open_enum;

use std::fmt;

open_enum! {
    /// RequestID (smgp.md §4). A response id is the request id with the top bit set.
    RequestId(u32), unknown = "{:#010x}" {
        /// Login: SP login.
        LOGIN = 0x0000_0001 => "Login",
        /// Login_Resp.
        LOGIN_RESP = 0x8000_0001 => "Login_Resp",
        /// Submit: SP → SMGW message.
        SUBMIT = 0x0000_0002 => "Submit",
        /// Submit_Resp.
        SUBMIT_RESP = 0x8000_0002 => "Submit_Resp",
        /// Deliver: SMGW → SP MO message or status report.
        DELIVER = 0x0000_0003 => "Deliver",
        /// Deliver_Resp.
        DELIVER_RESP = 0x8000_0003 => "Deliver_Resp",
        /// Active_Test: keep-alive, either side; empty body.
        ACTIVE_TEST = 0x0000_0004 => "Active_Test",
        /// Active_Test_Resp: empty body (unlike CMPP).
        ACTIVE_TEST_RESP = 0x8000_0004 => "Active_Test_Resp",
        /// Forward: SMGW ⇄ SMGW only.
        FORWARD = 0x0000_0005 => "Forward",
        /// Forward_Resp.
        FORWARD_RESP = 0x8000_0005 => "Forward_Resp",
        /// Exit: either side ends the session; empty body.
        EXIT = 0x0000_0006 => "Exit",
        /// Exit_Resp: empty body.
        EXIT_RESP = 0x8000_0006 => "Exit_Resp",
        /// Query: traffic statistics (optional).
        QUERY = 0x0000_0007 => "Query",
        /// Query_Resp.
        QUERY_RESP = 0x8000_0007 => "Query_Resp",
        /// Query_TE_Route: GNS only.
        QUERY_TE_ROUTE = 0x0000_0008 => "Query_TE_Route",
        /// Query_TE_Route_Resp.
        QUERY_TE_ROUTE_RESP = 0x8000_0008 => "Query_TE_Route_Resp",
        /// Query_SP_Route: GNS only.
        QUERY_SP_ROUTE = 0x0000_0009 => "Query_SP_Route",
        /// Query_SP_Route_Resp.
        QUERY_SP_ROUTE_RESP = 0x8000_0009 => "Query_SP_Route_Resp",
        /// Payment_Request: prepaid platform only.
        PAYMENT_REQUEST = 0x0000_000A => "Payment_Request",
        /// Payment_Request_Resp.
        PAYMENT_REQUEST_RESP = 0x8000_000A => "Payment_Request_Resp",
        /// Payment_Affirm: prepaid platform only.
        PAYMENT_AFFIRM = 0x0000_000B => "Payment_Affirm",
        /// Payment_Affirm_Resp.
        PAYMENT_AFFIRM_RESP = 0x8000_000B => "Payment_Affirm_Resp",
        /// Query_UserState: prepaid platform only.
        QUERY_USER_STATE = 0x0000_000C => "Query_UserState",
        /// Query_UserState_Resp.
        QUERY_USER_STATE_RESP = 0x8000_000C => "Query_UserState_Resp",
        /// Get_All_TE_Route: GNS only.
        GET_ALL_TE_ROUTE = 0x0000_000D => "Get_All_TE_Route",
        /// Get_All_TE_Route_Resp.
        GET_ALL_TE_ROUTE_RESP = 0x8000_000D => "Get_All_TE_Route_Resp",
        /// Get_All_SP_Route: GNS only.
        GET_ALL_SP_ROUTE = 0x0000_000E => "Get_All_SP_Route",
        /// Get_All_SP_Route_Resp.
        GET_ALL_SP_ROUTE_RESP = 0x8000_000E => "Get_All_SP_Route_Resp",
        /// Update_TE_Route: GNS only.
        UPDATE_TE_ROUTE = 0x0000_000F => "Update_TE_Route",
        /// Update_TE_Route_Resp.
        UPDATE_TE_ROUTE_RESP = 0x8000_000F => "Update_TE_Route_Resp",
        /// Update_SP_Route: GNS only.
        UPDATE_SP_ROUTE = 0x0000_0010 => "Update_SP_Route",
        /// Update_SP_Route_Resp.
        UPDATE_SP_ROUTE_RESP = 0x8000_0010 => "Update_SP_Route_Resp",
        /// Push_Update_TE_Route: GNS only.
        PUSH_UPDATE_TE_ROUTE = 0x0000_0011 => "Push_Update_TE_Route",
        /// Push_Update_TE_Route_Resp.
        PUSH_UPDATE_TE_ROUTE_RESP = 0x8000_0011 => "Push_Update_TE_Route_Resp",
        /// Push_Update_SP_Route: GNS only.
        PUSH_UPDATE_SP_ROUTE = 0x0000_0012 => "Push_Update_SP_Route",
        /// Push_Update_SP_Route_Resp.
        PUSH_UPDATE_SP_ROUTE_RESP = 0x8000_0012 => "Push_Update_SP_Route_Resp",
    }
}

impl RequestId {
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
}

open_enum! {
    /// MsgFormat, the content coding of Submit and Deliver (smgp.md §6).
    MsgFormat(u8), unknown = "{}" {
        /// 0: ASCII; also what status reports use.
        ASCII = 0 => "ASCII",
        /// 3: SIM-card write instruction.
        SIM_WRITE = 3 => "SIM write",
        /// 4: binary.
        BINARY = 4 => "binary",
        /// 8: UCS-2, big-endian UTF-16 without BOM; what most platforms send for Chinese.
        UCS2 = 8 => "UCS2",
        /// 15: GB18030 Chinese text (the spec's choice for text SMS).
        GB18030 = 15 => "GB18030",
        /// 246 (0xF6): (U)SIM message.
        USIM = 0xF6 => "(U)SIM",
    }
}

impl Default for MsgFormat {
    /// ASCII: the zero value on the wire.
    fn default() -> Self {
        Self::ASCII
    }
}

open_enum! {
    /// MsgType of Submit (smgp.md §6).
    MsgType(u8), unknown = "{}" {
        /// 0: MO message.
        MO = 0 => "MO",
        /// 6: MT, SP → user.
        MT = 6 => "MT",
        /// 7: point-to-point.
        P2P = 7 => "point-to-point",
    }
}

impl Default for MsgType {
    /// MT: what an SP sends.
    fn default() -> Self {
        Self::MT
    }
}

open_enum! {
    /// LoginMode of Login (smgp.md §5): what one connection may carry.
    LoginMode(u8), unknown = "{}" {
        /// 0: send only (MT); the SMGW sends no Deliver on this link.
        SEND = 0 => "send only",
        /// 1: receive only (MO and status reports).
        RECEIVE = 1 => "receive only",
        /// 2: transmit, both directions.
        TRANSMIT = 2 => "transmit",
    }
}

impl LoginMode {
    /// True when the SP may Submit on this link (modes 0 and 2; unknown modes are allowed,
    /// as the peer is the one to refuse them).
    pub fn can_submit(self) -> bool {
        self != Self::RECEIVE
    }

    /// True when the SMGW may Deliver on this link (modes 1 and 2, and unknown modes).
    pub fn can_deliver(self) -> bool {
        self != Self::SEND
    }
}

/// The protocol version byte (ClientVersion / ServerVersion): high nibble major, low nibble
/// minor. Only the 3.0 layout is implemented; other values are carried as they are.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub u8);

impl Version {
    /// SMGP 3.0 (0x30).
    pub const V30: Self = Self(0x30);
    /// SMGP 1.3 (0x13), the older layout without FixedFee; not implemented, named for logs.
    pub const V13: Self = Self(0x13);
}

impl Default for Version {
    fn default() -> Self {
        Self::V30
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 >> 4, self.0 & 0x0f)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_print_their_names() {
        assert_eq!(format!("{:?}", RequestId::SUBMIT_RESP), "RequestId::SUBMIT_RESP");
        assert_eq!(RequestId::ACTIVE_TEST.to_string(), "Active_Test");
        assert_eq!(format!("{}", MsgFormat::GB18030), "GB18030");
        assert_eq!(format!("{:?}", MsgFormat::USIM), "MsgFormat::USIM");
        assert_eq!(format!("{:?} {}", Version::V30, Version::V13), "Version(3.0) 1.3");
        assert_eq!(LoginMode::TRANSMIT.to_string(), "transmit");
    }

    #[test]
    fn unknown_values_stay_numbers() {
        assert_eq!(format!("{:?}", RequestId(0x13)), "RequestId(0x00000013)");
        assert_eq!(RequestId(0x8000_0013).to_string(), "unknown 0x80000013");
        assert_eq!(format!("{:?}", MsgType(9)), "MsgType(9)");
        assert_eq!(MsgFormat(9).name(), None);
    }

    #[test]
    fn responses_have_the_top_bit() {
        assert!(RequestId::DELIVER_RESP.is_response());
        assert!(!RequestId::DELIVER.is_response());
        assert_eq!(RequestId::SUBMIT.response(), RequestId::SUBMIT_RESP);
        assert_eq!(RequestId::PUSH_UPDATE_SP_ROUTE.response().0, 0x8000_0012);
    }

    #[test]
    fn login_modes_gate_directions() {
        assert!(LoginMode::SEND.can_submit() && !LoginMode::SEND.can_deliver());
        assert!(!LoginMode::RECEIVE.can_submit() && LoginMode::RECEIVE.can_deliver());
        assert!(LoginMode::TRANSMIT.can_submit() && LoginMode::TRANSMIT.can_deliver());
    }
}
