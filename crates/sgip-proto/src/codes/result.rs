//! Result and ErrorCode (sgip.md §10).
//!
//! SGIP 1.2 has one table for both, but SGIP 1.3 redefines 32–34 for responses (packet format
//! error, flow limit exceeded, logins too frequent) while Report.ErrorCode keeps the delivery
//! meanings (system failure, SMSC queue full, IN charging failure). sgip.md says to read them
//! by context, so there are two types: [`ResultCode`] for every *_Resp and [`ErrorCode`] for
//! Report. The numbers are the wire's either way; only names and labels differ.

use hongyan_wire::open_enum;

open_enum! {
    /// Result of every *_Resp (Bind, Submit, Deliver, Report, UserRpt); 0 is success.
    ResultCode(u8), unknown = "{}" {
        /// 0: no error / accepted.
        OK = 0 => "OK",
        /// 1: illegal login (name/password wrong or mismatched).
        ILLEGAL_LOGIN = 1 => "illegal login",
        /// 2: repeated login on the same connection.
        REPEATED_LOGIN = 2 => "repeated login on the same connection",
        /// 3: too many connections from one node.
        TOO_MANY_CONNECTIONS = 3 => "too many connections",
        /// 4: wrong Login Type.
        WRONG_LOGIN_TYPE = 4 => "wrong login type",
        /// 5: parameter format error.
        PARAMETER_FORMAT = 5 => "parameter format error",
        /// 6: illegal mobile number (e.g. missing `86`).
        ILLEGAL_NUMBER = 6 => "illegal mobile number",
        /// 7: message ID error.
        MESSAGE_ID = 7 => "message ID error",
        /// 8: message length error.
        MESSAGE_LENGTH = 8 => "message length error",
        /// 9: illegal sequence number (duplicate or malformed).
        ILLEGAL_SEQUENCE = 9 => "illegal sequence number",
        /// 10: illegal GNS operation.
        ILLEGAL_GNS_OPERATION = 10 => "illegal GNS operation",
        /// 11: node busy (queue full etc.).
        NODE_BUSY = 11 => "node busy",
        /// 13: service code not allocated (SGIP 1.3).
        SERVICE_CODE_NOT_ALLOCATED = 13 => "service code not allocated",
        /// 14: wrong fee type (SGIP 1.3).
        WRONG_FEE_TYPE = 14 => "wrong fee type",
        /// 17: LinkID mismatch (SGIP 1.3).
        LINK_ID_MISMATCH = 17 => "LinkID mismatch",
        /// 18: user not subscribed (SGIP 1.3).
        NOT_SUBSCRIBED = 18 => "user not subscribed",
        /// 19: UserCount must be 1, group send refused (SGIP 1.3).
        GROUP_SEND_REFUSED = 19 => "group send refused",
        /// 21: destination unreachable.
        UNREACHABLE = 21 => "destination unreachable",
        /// 22: routing error.
        ROUTING_ERROR = 22 => "routing error",
        /// 23: route does not exist.
        NO_ROUTE = 23 => "route does not exist",
        /// 24: charged number invalid (authentication failed).
        INVALID_CHARGE_NUMBER = 24 => "charged number invalid",
        /// 25: user cannot communicate (out of coverage, switched off).
        USER_UNAVAILABLE = 25 => "user cannot communicate",
        /// 26: handset memory full.
        HANDSET_MEMORY_FULL = 26 => "handset memory full",
        /// 27: handset does not support SMS.
        HANDSET_NO_SMS = 27 => "handset does not support SMS",
        /// 28: handset error receiving SMS.
        HANDSET_ERROR = 28 => "handset error receiving SMS",
        /// 29: unknown user.
        UNKNOWN_USER = 29 => "unknown user",
        /// 30: function not provided.
        NOT_PROVIDED = 30 => "function not provided",
        /// 31: illegal device.
        ILLEGAL_DEVICE = 31 => "illegal device",
        /// 32 in a response (SGIP 1.3 main table): packet format error, mandatory field empty.
        PACKET_FORMAT = 32 => "packet format error",
        /// 33 in a response (SGIP 1.3 main table): flow limit exceeded; slow down.
        FLOW_LIMIT = 33 => "flow limit exceeded",
        /// 34 in a response (SGIP 1.3 main table): logins too frequent.
        LOGINS_TOO_FREQUENT = 34 => "logins too frequent",
        /// 38: too many MT for one LinkID (SGIP 1.3).
        LINK_ID_MT_LIMIT = 38 => "too many MT for one LinkID",
        /// 40: SP may not set MorelatetoMTFlag = 3 (SGIP 1.3).
        MO_RELATE_FLAG_REFUSED = 40 => "MorelatetoMTFlag 3 not allowed",
        /// 43: web on-demand keyword not registered (SGIP 1.3).
        KEYWORD_NOT_REGISTERED = 43 => "keyword not registered",
        /// 44: notification intercepted (SGIP 1.3).
        NOTIFICATION_INTERCEPTED = 44 => "notification intercepted",
        /// 88: flow-control error (vendor code listed in the SGIP 1.3 appendix).
        FLOW_CONTROL = 88 => "flow-control error",
        /// 95: monthly bill not allowed now (SGIP 1.3).
        MONTHLY_BILL_NOT_ALLOWED = 95 => "monthly bill not allowed now",
    }
}

impl Default for ResultCode {
    /// OK: the zero value on the wire.
    fn default() -> Self {
        Self::OK
    }
}

impl ResultCode {
    /// True only for [`ResultCode::OK`].
    pub fn is_ok(self) -> bool {
        self == Self::OK
    }
}

open_enum! {
    /// Report.ErrorCode: why a message failed (State = 2); 0 otherwise.
    ErrorCode(u8), unknown = "{}" {
        /// 0: no error.
        OK = 0 => "no error",
        /// 21: destination unreachable.
        UNREACHABLE = 21 => "destination unreachable",
        /// 22: routing error.
        ROUTING_ERROR = 22 => "routing error",
        /// 23: route does not exist.
        NO_ROUTE = 23 => "route does not exist",
        /// 24: charged number invalid (authentication failed).
        INVALID_CHARGE_NUMBER = 24 => "charged number invalid",
        /// 25: user cannot communicate (out of coverage, switched off).
        USER_UNAVAILABLE = 25 => "user cannot communicate",
        /// 26: handset memory full.
        HANDSET_MEMORY_FULL = 26 => "handset memory full",
        /// 27: handset does not support SMS.
        HANDSET_NO_SMS = 27 => "handset does not support SMS",
        /// 28: handset error receiving SMS.
        HANDSET_ERROR = 28 => "handset error receiving SMS",
        /// 29: unknown user.
        UNKNOWN_USER = 29 => "unknown user",
        /// 30: function not provided.
        NOT_PROVIDED = 30 => "function not provided",
        /// 31: illegal device.
        ILLEGAL_DEVICE = 31 => "illegal device",
        /// 32: system failure (the delivery meaning, SGIP 1.2).
        SYSTEM_FAILURE = 32 => "system failure",
        /// 33: SMSC queue full (the delivery meaning, SGIP 1.2).
        SMSC_QUEUE_FULL = 33 => "SMSC queue full",
        /// 34: IN-platform charging failure (SGIP 1.3 appendix).
        IN_CHARGING_FAILURE = 34 => "IN-platform charging failure",
    }
}

impl Default for ErrorCode {
    /// No error: the zero value on the wire.
    fn default() -> Self {
        Self::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_number_reads_by_context() {
        assert_eq!(ResultCode(33), ResultCode::FLOW_LIMIT);
        assert_eq!(ErrorCode(33), ErrorCode::SMSC_QUEUE_FULL);
        assert_eq!(ResultCode(32).to_string(), "packet format error");
        assert_eq!(ErrorCode(32).to_string(), "system failure");
    }

    #[test]
    fn names_and_unknown_values() {
        assert_eq!(format!("{:?}", ResultCode::ILLEGAL_LOGIN), "ResultCode::ILLEGAL_LOGIN");
        assert_eq!(format!("{:?}", ResultCode(77)), "ResultCode(77)");
        assert_eq!(ResultCode(77).to_string(), "unknown 77");
        assert_eq!(ErrorCode(99).name(), None);
        assert!(ResultCode::OK.is_ok() && !ResultCode::NODE_BUSY.is_ok());
    }
}
