//! Open wire enumerations.
//!
//! Each is a newtype over the wire integer with named consts, not a Rust `enum`: carriers and
//! vendors use values the spec does not list, and those must decode, log readably and
//! re-encode unchanged instead of failing the frame.

use std::fmt;

use hongyan_wire::open_enum;

open_enum! {
    /// Command_Id (cmpp.md §4). A response id is the request id with the top bit set.
    CommandId(u32), unknown = "{:#010x}" {
        /// CMPP_CONNECT: SP login.
        CONNECT = 0x0000_0001 => "CMPP_CONNECT",
        /// CMPP_CONNECT_RESP.
        CONNECT_RESP = 0x8000_0001 => "CMPP_CONNECT_RESP",
        /// CMPP_TERMINATE: either side ends the session.
        TERMINATE = 0x0000_0002 => "CMPP_TERMINATE",
        /// CMPP_TERMINATE_RESP.
        TERMINATE_RESP = 0x8000_0002 => "CMPP_TERMINATE_RESP",
        /// CMPP_SUBMIT: SP → ISMG message.
        SUBMIT = 0x0000_0004 => "CMPP_SUBMIT",
        /// CMPP_SUBMIT_RESP.
        SUBMIT_RESP = 0x8000_0004 => "CMPP_SUBMIT_RESP",
        /// CMPP_DELIVER: ISMG → SP MO message or status report.
        DELIVER = 0x0000_0005 => "CMPP_DELIVER",
        /// CMPP_DELIVER_RESP.
        DELIVER_RESP = 0x8000_0005 => "CMPP_DELIVER_RESP",
        /// CMPP_QUERY: traffic statistics.
        QUERY = 0x0000_0006 => "CMPP_QUERY",
        /// CMPP_QUERY_RESP.
        QUERY_RESP = 0x8000_0006 => "CMPP_QUERY_RESP",
        /// CMPP_CANCEL: withdraw a scheduled message.
        CANCEL = 0x0000_0007 => "CMPP_CANCEL",
        /// CMPP_CANCEL_RESP.
        CANCEL_RESP = 0x8000_0007 => "CMPP_CANCEL_RESP",
        /// CMPP_ACTIVE_TEST: keep-alive, either side.
        ACTIVE_TEST = 0x0000_0008 => "CMPP_ACTIVE_TEST",
        /// CMPP_ACTIVE_TEST_RESP.
        ACTIVE_TEST_RESP = 0x8000_0008 => "CMPP_ACTIVE_TEST_RESP",
        /// CMPP_FWD: ISMG ⇄ ISMG only.
        FWD = 0x0000_0009 => "CMPP_FWD",
        /// CMPP_FWD_RESP.
        FWD_RESP = 0x8000_0009 => "CMPP_FWD_RESP",
        /// CMPP_MT_ROUTE: ISMG ⇄ GNS only.
        MT_ROUTE = 0x0000_0010 => "CMPP_MT_ROUTE",
        /// CMPP_MT_ROUTE_RESP.
        MT_ROUTE_RESP = 0x8000_0010 => "CMPP_MT_ROUTE_RESP",
        /// CMPP_MO_ROUTE: ISMG ⇄ GNS only.
        MO_ROUTE = 0x0000_0011 => "CMPP_MO_ROUTE",
        /// CMPP_MO_ROUTE_RESP.
        MO_ROUTE_RESP = 0x8000_0011 => "CMPP_MO_ROUTE_RESP",
        /// CMPP_GET_MT_ROUTE: ISMG ⇄ GNS only.
        GET_MT_ROUTE = 0x0000_0012 => "CMPP_GET_MT_ROUTE",
        /// CMPP_GET_MT_ROUTE_RESP.
        GET_MT_ROUTE_RESP = 0x8000_0012 => "CMPP_GET_MT_ROUTE_RESP",
        /// CMPP_MT_ROUTE_UPDATE: ISMG ⇄ GNS only.
        MT_ROUTE_UPDATE = 0x0000_0013 => "CMPP_MT_ROUTE_UPDATE",
        /// CMPP_MT_ROUTE_UPDATE_RESP.
        MT_ROUTE_UPDATE_RESP = 0x8000_0013 => "CMPP_MT_ROUTE_UPDATE_RESP",
        /// CMPP_MO_ROUTE_UPDATE: ISMG ⇄ GNS only.
        MO_ROUTE_UPDATE = 0x0000_0014 => "CMPP_MO_ROUTE_UPDATE",
        /// CMPP_MO_ROUTE_UPDATE_RESP.
        MO_ROUTE_UPDATE_RESP = 0x8000_0014 => "CMPP_MO_ROUTE_UPDATE_RESP",
        /// CMPP_PUSH_MT_ROUTE_UPDATE: ISMG ⇄ GNS only.
        PUSH_MT_ROUTE_UPDATE = 0x0000_0015 => "CMPP_PUSH_MT_ROUTE_UPDATE",
        /// CMPP_PUSH_MT_ROUTE_UPDATE_RESP.
        PUSH_MT_ROUTE_UPDATE_RESP = 0x8000_0015 => "CMPP_PUSH_MT_ROUTE_UPDATE_RESP",
        /// CMPP_PUSH_MO_ROUTE_UPDATE: ISMG ⇄ GNS only.
        PUSH_MO_ROUTE_UPDATE = 0x0000_0016 => "CMPP_PUSH_MO_ROUTE_UPDATE",
        /// CMPP_PUSH_MO_ROUTE_UPDATE_RESP.
        PUSH_MO_ROUTE_UPDATE_RESP = 0x8000_0016 => "CMPP_PUSH_MO_ROUTE_UPDATE_RESP",
        /// CMPP_GET_MO_ROUTE: ISMG ⇄ GNS only.
        GET_MO_ROUTE = 0x0000_0017 => "CMPP_GET_MO_ROUTE",
        /// CMPP_GET_MO_ROUTE_RESP.
        GET_MO_ROUTE_RESP = 0x8000_0017 => "CMPP_GET_MO_ROUTE_RESP",
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
}

open_enum! {
    /// Msg_Fmt, the content coding of SUBMIT and DELIVER (cmpp.md §7).
    MsgFmt(u8), unknown = "{}" {
        /// 0: ASCII.
        ASCII = 0 => "ASCII",
        /// 3: SIM-card write instruction.
        SIM_WRITE = 3 => "SIM write",
        /// 4: binary.
        BINARY = 4 => "binary",
        /// 8: UCS-2, big-endian UTF-16 without BOM.
        UCS2 = 8 => "UCS2",
        /// 15: GB (GBK / GB2312) Chinese.
        GB = 15 => "GB",
    }
}

impl Default for MsgFmt {
    /// ASCII: the zero value on the wire.
    fn default() -> Self {
        Self::ASCII
    }
}

open_enum! {
    /// Result of CMPP_SUBMIT_RESP (cmpp.md §8); DELIVER_RESP uses the same numbers.
    SubmitResult(u32), unknown = "{}" {
        /// 0: accepted.
        OK = 0 => "OK",
        /// 1: message structure error.
        STRUCTURE_ERROR = 1 => "message structure error",
        /// 2: command word error.
        COMMAND_ERROR = 2 => "command word error",
        /// 3: duplicate sequence number.
        DUPLICATE_SEQUENCE = 3 => "duplicate sequence number",
        /// 4: message length error.
        LENGTH_ERROR = 4 => "message length error",
        /// 5: fee code error.
        FEE_CODE_ERROR = 5 => "fee code error",
        /// 6: message too long.
        TOO_LONG = 6 => "message too long",
        /// 7: Service_Id error.
        SERVICE_ID_ERROR = 7 => "Service_Id error",
        /// 8: flow control: rate exceeded, back off and retry.
        FLOW_CONTROL = 8 => "flow control error",
        /// 9: this ISMG does not serve the charged number (3.0).
        FEE_NUMBER_NOT_SERVED = 9 => "charged number not served by this ISMG",
        /// 10: Src_Id error (3.0).
        SRC_ID_ERROR = 10 => "Src_Id error",
        /// 11: Msg_src error (3.0).
        MSG_SRC_ERROR = 11 => "Msg_src error",
        /// 12: Fee_terminal_Id error (3.0).
        FEE_TERMINAL_ID_ERROR = 12 => "Fee_terminal_Id error",
        /// 13: Dest_terminal_Id error (3.0).
        DEST_TERMINAL_ID_ERROR = 13 => "Dest_terminal_Id error",
    }
}

impl SubmitResult {
    /// True only for [`SubmitResult::OK`].
    pub fn is_ok(self) -> bool {
        self == Self::OK
    }
}

/// The protocol version byte: high nibble major, low nibble minor.
///
/// Layouts are chosen by [`Version::is_v3`], so a peer announcing 0x21 ("2.1") gets the 2.0
/// layouts and one announcing 0x31 the 3.0 layouts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub u8);

impl Version {
    /// CMPP 2.0.
    pub const V20: Self = Self(0x20);
    /// CMPP 3.0.
    pub const V30: Self = Self(0x30);

    /// True when the 3.0 layouts apply (0x30 and above).
    pub fn is_v3(self) -> bool {
        self.0 >= 0x30
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
        assert_eq!(format!("{:?}", CommandId::SUBMIT_RESP), "CommandId::SUBMIT_RESP");
        assert_eq!(CommandId::SUBMIT_RESP.to_string(), "CMPP_SUBMIT_RESP");
        assert_eq!(format!("{:?}", SubmitResult::FLOW_CONTROL), "SubmitResult::FLOW_CONTROL");
        assert_eq!(format!("{}", MsgFmt::UCS2), "UCS2");
        assert_eq!(format!("{:?} {}", Version::V30, Version::V20), "Version(3.0) 2.0");
    }

    #[test]
    fn unknown_values_stay_numbers() {
        assert_eq!(format!("{:?}", CommandId(0x0a)), "CommandId(0x0000000a)");
        assert_eq!(CommandId(0x0a).to_string(), "unknown 0x0000000a");
        assert_eq!(format!("{:?}", SubmitResult(101)), "SubmitResult(101)");
        assert_eq!(MsgFmt(9).name(), None);
    }

    #[test]
    fn responses_have_the_top_bit() {
        assert!(CommandId::DELIVER_RESP.is_response());
        assert!(!CommandId::DELIVER.is_response());
        assert_eq!(CommandId::SUBMIT.response(), CommandId::SUBMIT_RESP);
        assert_eq!(CommandId::GET_MO_ROUTE.response().0, 0x8000_0017);
    }

    #[test]
    fn version_layout_switch() {
        assert!(Version::V30.is_v3());
        assert!(Version(0x31).is_v3());
        assert!(!Version::V20.is_v3());
        assert!(!Version(0x21).is_v3());
    }
}
