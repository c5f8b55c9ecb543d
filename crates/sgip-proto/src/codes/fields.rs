//! Enumerated body fields: Login Type, MessageCoding, FeeType, ReportFlag, Report's
//! ReportType and State, UserRpt's UserCondition.

use hongyan_wire::open_enum;

open_enum! {
    /// Bind's Login Type (sgip.md §5): which way commands flow on the connection.
    LoginType(u8), unknown = "{}" {
        /// 1: SP → SMG; the SP binds and sends Submit.
        SP_TO_SMG = 1 => "SP to SMG",
        /// 2: SMG → SP; the SMG binds to the SP's listener and sends Deliver/Report/UserRpt.
        SMG_TO_SP = 2 => "SMG to SP",
        /// 3: SMG ⇄ SMG.
        SMG_TO_SMG = 3 => "SMG to SMG",
        /// 4: SMG → GNS.
        SMG_TO_GNS = 4 => "SMG to GNS",
        /// 5: GNS → SMG.
        GNS_TO_SMG = 5 => "GNS to SMG",
        /// 6: primary ⇄ backup GNS.
        GNS_TO_GNS = 6 => "GNS to GNS",
        /// 11: test/trace connection.
        TRACE = 11 => "test/trace",
    }
}

open_enum! {
    /// MessageCoding of Submit and Deliver (sgip.md §6); values not listed are read as a
    /// GSM 03.38 data coding scheme.
    MessageCoding(u8), unknown = "{}" {
        /// 0: ASCII.
        ASCII = 0 => "ASCII",
        /// 3: SIM-card write instruction.
        SIM_WRITE = 3 => "SIM write",
        /// 4: binary.
        BINARY = 4 => "binary",
        /// 8: UCS-2, big-endian UTF-16 without BOM.
        UCS2 = 8 => "UCS2",
        /// 15: GBK Chinese.
        GBK = 15 => "GBK",
    }
}

impl Default for MessageCoding {
    /// ASCII: the zero value on the wire.
    fn default() -> Self {
        Self::ASCII
    }
}

open_enum! {
    /// Submit's FeeType (sgip.md §9).
    FeeType(u8), unknown = "{}" {
        /// 0: "send" type; no information fee (offsets the SP's channel fee).
        SEND = 0 => "send",
        /// 1: free for the charged number.
        FREE = 1 => "free",
        /// 2: per-message information fee.
        PER_MESSAGE = 2 => "per message",
        /// 3: monthly information fee.
        MONTHLY = 3 => "monthly",
        /// 4: fee collected by the SP itself.
        SP_COLLECTED = 4 => "collected by SP",
    }
}

open_enum! {
    /// Submit's ReportFlag (sgip.md §6): when the SMG sends a Report.
    ReportFlag(u8), unknown = "{}" {
        /// 0: only when the message finally fails (the default).
        ON_ERROR = 0 => "report on error",
        /// 1: always.
        ALWAYS = 1 => "always report",
        /// 2: never.
        NEVER = 2 => "no report",
        /// 3: monthly-fee-only message, not sent to the user, report wanted.
        MONTHLY_FEE = 3 => "monthly fee, report",
    }
}

open_enum! {
    /// Report's ReportType (sgip.md §8): what the referenced sequence number belongs to.
    ReportType(u8), unknown = "{}" {
        /// 0: an earlier Submit.
        SUBMIT = 0 => "Submit",
        /// 1: an earlier forwarded Deliver.
        DELIVER = 1 => "Deliver",
    }
}

open_enum! {
    /// Report's State (sgip.md §8).
    ReportState(u8), unknown = "{}" {
        /// 0: delivered (SMPP DELIVERED).
        DELIVERED = 0 => "delivered",
        /// 1: waiting (SMPP ENROUTE, ACCEPTED); not final.
        WAITING = 1 => "waiting",
        /// 2: failed (SMPP EXPIRED, DELETED, UNDELIVERABLE, UNKNOWN, REJECTED); see ErrorCode.
        FAILED = 2 => "failed",
    }
}

impl ReportState {
    /// True for the states after which no further Report comes (delivered, failed).
    pub fn is_final(self) -> bool {
        self != Self::WAITING
    }
}

open_enum! {
    /// UserRpt's UserCondition (sgip.md §8).
    UserCondition(u8), unknown = "{}" {
        /// 0: deregistered.
        DEREGISTERED = 0 => "deregistered",
        /// 1: suspended for arrears.
        SUSPENDED = 1 => "suspended for arrears",
        /// 2: back to normal.
        NORMAL = 2 => "back to normal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_and_open() {
        assert_eq!(format!("{:?}", LoginType::SMG_TO_SP), "LoginType::SMG_TO_SP");
        assert_eq!(MessageCoding::UCS2.to_string(), "UCS2");
        assert_eq!(format!("{:?}", MessageCoding(0xf5)), "MessageCoding(245)");
        assert_eq!(ReportState(7).to_string(), "unknown 7");
        assert!(ReportState::FAILED.is_final() && !ReportState::WAITING.is_final());
        assert_eq!(FeeType::MONTHLY.0, 3);
        assert_eq!(ReportFlag::ALWAYS.0, 1);
        assert_eq!(UserCondition::NORMAL.label(), Some("back to normal"));
        assert_eq!(ReportType::DELIVER.0, 1);
    }
}
