//! Status, the result code of Login_Resp, Submit_Resp and Deliver_Resp (smgp.md §10).

use hongyan_wire::open_enum;

open_enum! {
    /// Status (4 bytes). Codes 3–9, 13–19, 23–29 are reserved, 128–255 vendor-defined, and
    /// some gateways answer 101+ (e.g. 103 "submitting too fast"): all decode unchanged.
    Status(u32), unknown = "{}" {
        /// 0: success.
        OK = 0 => "success",
        /// 1: system busy.
        SYSTEM_BUSY = 1 => "system busy",
        /// 2: too many connections.
        TOO_MANY_CONNECTIONS = 2 => "too many connections",
        /// 10: message structure error.
        STRUCTURE_ERROR = 10 => "message structure error",
        /// 11: command word error.
        COMMAND_ERROR = 11 => "command word error",
        /// 12: duplicate sequence number.
        DUPLICATE_SEQUENCE = 12 => "duplicate sequence number",
        /// 20: IP address error.
        IP_ADDRESS_ERROR = 20 => "IP address error",
        /// 21: authentication error.
        AUTH_ERROR = 21 => "authentication error",
        /// 22: version too high.
        VERSION_TOO_HIGH = 22 => "version too high",
        /// 30: illegal MsgType.
        ILLEGAL_MSG_TYPE = 30 => "illegal MsgType",
        /// 31: illegal Priority.
        ILLEGAL_PRIORITY = 31 => "illegal Priority",
        /// 32: illegal FeeType.
        ILLEGAL_FEE_TYPE = 32 => "illegal FeeType",
        /// 33: illegal FeeCode.
        ILLEGAL_FEE_CODE = 33 => "illegal FeeCode",
        /// 34: illegal MsgFormat.
        ILLEGAL_MSG_FORMAT = 34 => "illegal MsgFormat",
        /// 35: illegal time format.
        ILLEGAL_TIME_FORMAT = 35 => "illegal time format",
        /// 36: illegal MsgLength.
        ILLEGAL_MSG_LENGTH = 36 => "illegal MsgLength",
        /// 37: validity expired.
        VALIDITY_EXPIRED = 37 => "validity expired",
        /// 38: illegal QueryType.
        ILLEGAL_QUERY_TYPE = 38 => "illegal QueryType",
        /// 39: routing error.
        ROUTING_ERROR = 39 => "routing error",
        /// 40: illegal FixedFee.
        ILLEGAL_FIXED_FEE = 40 => "illegal FixedFee",
        /// 41: illegal UpdateType.
        ILLEGAL_UPDATE_TYPE = 41 => "illegal UpdateType",
        /// 42: illegal RouteId.
        ILLEGAL_ROUTE_ID = 42 => "illegal RouteId",
        /// 43: illegal ServiceId.
        ILLEGAL_SERVICE_ID = 43 => "illegal ServiceId",
        /// 44: illegal ValidTime.
        ILLEGAL_VALID_TIME = 44 => "illegal ValidTime",
        /// 45: illegal AtTime.
        ILLEGAL_AT_TIME = 45 => "illegal AtTime",
        /// 46: illegal SrcTermId.
        ILLEGAL_SRC_TERM_ID = 46 => "illegal SrcTermId",
        /// 47: illegal DestTermId.
        ILLEGAL_DEST_TERM_ID = 47 => "illegal DestTermId",
        /// 48: illegal ChargeTermId.
        ILLEGAL_CHARGE_TERM_ID = 48 => "illegal ChargeTermId",
        /// 49: illegal SPCode.
        ILLEGAL_SP_CODE = 49 => "illegal SPCode",
        /// 56: illegal SrcGatewayID.
        ILLEGAL_SRC_GATEWAY_ID = 56 => "illegal SrcGatewayID",
        /// 57: illegal QueryTermID.
        ILLEGAL_QUERY_TERM_ID = 57 => "illegal QueryTermID",
        /// 58: no matching route.
        NO_MATCHING_ROUTE = 58 => "no matching route",
        /// 59: illegal SPType.
        ILLEGAL_SP_TYPE = 59 => "illegal SPType",
        /// 60: illegal LastRouteID.
        ILLEGAL_LAST_ROUTE_ID = 60 => "illegal LastRouteID",
        /// 61: illegal RouteType.
        ILLEGAL_ROUTE_TYPE = 61 => "illegal RouteType",
        /// 62: illegal DestGatewayID.
        ILLEGAL_DEST_GATEWAY_ID = 62 => "illegal DestGatewayID",
        /// 63: illegal DestGatewayIP.
        ILLEGAL_DEST_GATEWAY_IP = 63 => "illegal DestGatewayIP",
        /// 64: illegal DestGatewayPort.
        ILLEGAL_DEST_GATEWAY_PORT = 64 => "illegal DestGatewayPort",
        /// 65: illegal TermRangeID.
        ILLEGAL_TERM_RANGE_ID = 65 => "illegal TermRangeID",
        /// 66: illegal ProvinceCode.
        ILLEGAL_PROVINCE_CODE = 66 => "illegal ProvinceCode",
        /// 67: illegal UserType.
        ILLEGAL_USER_TYPE = 67 => "illegal UserType",
        /// 68: node does not support route update.
        ROUTE_UPDATE_UNSUPPORTED = 68 => "node does not support route update",
        /// 69: illegal SPID.
        ILLEGAL_SP_ID = 69 => "illegal SPID",
        /// 70: illegal SPAccessType.
        ILLEGAL_SP_ACCESS_TYPE = 70 => "illegal SPAccessType",
        /// 71: route update failed.
        ROUTE_UPDATE_FAILED = 71 => "route update failed",
        /// 72: illegal Time.
        ILLEGAL_TIME = 72 => "illegal Time",
        /// 73: illegal MServiceID.
        ILLEGAL_MSERVICE_ID = 73 => "illegal MServiceID",
        /// 74: SP sending forbidden in this time window.
        SP_TIME_WINDOW_FORBIDDEN = 74 => "SP sending forbidden in this time window",
        /// 75: SP daily volume exceeded.
        SP_DAILY_VOLUME_EXCEEDED = 75 => "SP daily volume exceeded",
        /// 76: SP account expired.
        SP_ACCOUNT_EXPIRED = 76 => "SP account expired",
    }
}

impl Status {
    /// True only for [`Status::OK`].
    pub fn is_ok(self) -> bool {
        self == Self::OK
    }
}

impl Default for Status {
    /// OK: the zero value on the wire.
    fn default() -> Self {
        Self::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(Status::STRUCTURE_ERROR.0, 10);
        assert_eq!(Status::AUTH_ERROR.0, 21);
        assert_eq!(Status::SP_ACCOUNT_EXPIRED.0, 76);
        assert_eq!(format!("{:?}", Status::AUTH_ERROR), "Status::AUTH_ERROR");
        assert_eq!(Status::ILLEGAL_MSERVICE_ID.to_string(), "illegal MServiceID");
        // A vendor code ("103 submitting too fast") is kept, not refused.
        assert_eq!(format!("{:?} / {}", Status(103), Status(103)), "Status(103) / unknown 103");
        assert!(Status::OK.is_ok() && !Status(103).is_ok());
    }
}
