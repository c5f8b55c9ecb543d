//! command_status (smpp.md §9): every SMPP 3.4 error code, and which code answers which
//! decoding failure.

use hongyan_wire::open_enum;

use hongyan_wire::DecodeError;

open_enum! {
    /// command_status: 0 in requests, the result in responses. Vendor codes
    /// (0x400–0x4FF) and anything else decode and re-encode as numbers.
    #[derive(Default)]
    CommandStatus(u32), unknown = "{:#010x}" {
        /// 0x00: no error.
        ESME_ROK = 0x00 => "ESME_ROK (ok)",
        /// 0x01: message length is invalid.
        ESME_RINVMSGLEN = 0x01 => "ESME_RINVMSGLEN (message length invalid)",
        /// 0x02: command length is invalid.
        ESME_RINVCMDLEN = 0x02 => "ESME_RINVCMDLEN (command length invalid)",
        /// 0x03: invalid command id.
        ESME_RINVCMDID = 0x03 => "ESME_RINVCMDID (invalid command id)",
        /// 0x04: incorrect bind status for this command.
        ESME_RINVBNDSTS = 0x04 => "ESME_RINVBNDSTS (wrong bind state)",
        /// 0x05: already bound.
        ESME_RALYBND = 0x05 => "ESME_RALYBND (already bound)",
        /// 0x06: invalid priority flag.
        ESME_RINVPRTFLG = 0x06 => "ESME_RINVPRTFLG (invalid priority flag)",
        /// 0x07: invalid registered delivery flag.
        ESME_RINVREGDLVFLG = 0x07 => "ESME_RINVREGDLVFLG (invalid registered_delivery)",
        /// 0x08: system error.
        ESME_RSYSERR = 0x08 => "ESME_RSYSERR (system error)",
        /// 0x0A: invalid source address.
        ESME_RINVSRCADR = 0x0A => "ESME_RINVSRCADR (invalid source address)",
        /// 0x0B: invalid destination address.
        ESME_RINVDSTADR = 0x0B => "ESME_RINVDSTADR (invalid destination address)",
        /// 0x0C: message id is invalid.
        ESME_RINVMSGID = 0x0C => "ESME_RINVMSGID (invalid message id)",
        /// 0x0D: bind failed.
        ESME_RBINDFAIL = 0x0D => "ESME_RBINDFAIL (bind failed)",
        /// 0x0E: invalid password.
        ESME_RINVPASWD = 0x0E => "ESME_RINVPASWD (invalid password)",
        /// 0x0F: invalid system id.
        ESME_RINVSYSID = 0x0F => "ESME_RINVSYSID (invalid system id)",
        /// 0x11: cancel_sm failed.
        ESME_RCANCELFAIL = 0x11 => "ESME_RCANCELFAIL (cancel failed)",
        /// 0x13: replace_sm failed.
        ESME_RREPLACEFAIL = 0x13 => "ESME_RREPLACEFAIL (replace failed)",
        /// 0x14: message queue full.
        ESME_RMSGQFUL = 0x14 => "ESME_RMSGQFUL (message queue full)",
        /// 0x15: invalid service type.
        ESME_RINVSERTYP = 0x15 => "ESME_RINVSERTYP (invalid service_type)",
        /// 0x33: invalid number of destinations.
        ESME_RINVNUMDESTS = 0x33 => "ESME_RINVNUMDESTS (invalid number of destinations)",
        /// 0x34: invalid distribution list name.
        ESME_RINVDLNAME = 0x34 => "ESME_RINVDLNAME (invalid distribution list name)",
        /// 0x40: invalid destination flag (submit_multi).
        ESME_RINVDESTFLAG = 0x40 => "ESME_RINVDESTFLAG (invalid dest_flag)",
        /// 0x42: invalid submit-with-replace request.
        ESME_RINVSUBREP = 0x42 => "ESME_RINVSUBREP (invalid submit with replace)",
        /// 0x43: invalid esm_class.
        ESME_RINVESMCLASS = 0x43 => "ESME_RINVESMCLASS (invalid esm_class)",
        /// 0x44: cannot submit to a distribution list.
        ESME_RCNTSUBDL = 0x44 => "ESME_RCNTSUBDL (cannot submit to distribution list)",
        /// 0x45: submit_sm or submit_multi failed.
        ESME_RSUBMITFAIL = 0x45 => "ESME_RSUBMITFAIL (submit failed)",
        /// 0x48: invalid source address TON.
        ESME_RINVSRCTON = 0x48 => "ESME_RINVSRCTON (invalid source TON)",
        /// 0x49: invalid source address NPI.
        ESME_RINVSRCNPI = 0x49 => "ESME_RINVSRCNPI (invalid source NPI)",
        /// 0x50: invalid destination address TON.
        ESME_RINVDSTTON = 0x50 => "ESME_RINVDSTTON (invalid destination TON)",
        /// 0x51: invalid destination address NPI.
        ESME_RINVDSTNPI = 0x51 => "ESME_RINVDSTNPI (invalid destination NPI)",
        /// 0x53: invalid system_type.
        ESME_RINVSYSTYP = 0x53 => "ESME_RINVSYSTYP (invalid system_type)",
        /// 0x54: invalid replace_if_present flag.
        ESME_RINVREPFLAG = 0x54 => "ESME_RINVREPFLAG (invalid replace_if_present_flag)",
        /// 0x55: invalid number of messages.
        ESME_RINVNUMMSGS = 0x55 => "ESME_RINVNUMMSGS (invalid number of messages)",
        /// 0x58: throttling error: the ESME exceeded its allowed message rate.
        ESME_RTHROTTLED = 0x58 => "ESME_RTHROTTLED (throttled)",
        /// 0x61: invalid scheduled delivery time.
        ESME_RINVSCHED = 0x61 => "ESME_RINVSCHED (invalid schedule time)",
        /// 0x62: invalid validity period.
        ESME_RINVEXPIRY = 0x62 => "ESME_RINVEXPIRY (invalid validity period)",
        /// 0x63: predefined message invalid or not found.
        ESME_RINVDFTMSGID = 0x63 => "ESME_RINVDFTMSGID (invalid predefined message)",
        /// 0x64: ESME receiver temporary application error.
        ESME_RX_T_APPN = 0x64 => "ESME_RX_T_APPN (receiver temporary error)",
        /// 0x65: ESME receiver permanent application error.
        ESME_RX_P_APPN = 0x65 => "ESME_RX_P_APPN (receiver permanent error)",
        /// 0x66: ESME receiver reject message error.
        ESME_RX_R_APPN = 0x66 => "ESME_RX_R_APPN (receiver reject)",
        /// 0x67: query_sm failed.
        ESME_RQUERYFAIL = 0x67 => "ESME_RQUERYFAIL (query failed)",
        /// 0xC0: error in the optional (TLV) part of the body.
        ESME_RINVOPTPARSTREAM = 0xC0 => "ESME_RINVOPTPARSTREAM (error in TLV part)",
        /// 0xC1: optional parameter not allowed.
        ESME_ROPTPARNOTALLWD = 0xC1 => "ESME_ROPTPARNOTALLWD (TLV not allowed)",
        /// 0xC2: invalid parameter length.
        ESME_RINVPARLEN = 0xC2 => "ESME_RINVPARLEN (invalid parameter length)",
        /// 0xC3: expected optional parameter missing.
        ESME_RMISSINGOPTPARAM = 0xC3 => "ESME_RMISSINGOPTPARAM (expected TLV missing)",
        /// 0xC4: invalid optional parameter value.
        ESME_RINVOPTPARAMVAL = 0xC4 => "ESME_RINVOPTPARAMVAL (invalid TLV value)",
        /// 0xFE: delivery failure (data_sm_resp).
        ESME_RDELIVERYFAILURE = 0xFE => "ESME_RDELIVERYFAILURE (delivery failure)",
        /// 0xFF: unknown error.
        ESME_RUNKNOWNERR = 0xFF => "ESME_RUNKNOWNERR (unknown error)",
    }
}

impl CommandStatus {
    /// True only for [`CommandStatus::ESME_ROK`].
    pub fn is_ok(self) -> bool {
        self == Self::ESME_ROK
    }

    /// True for the statuses that mean "slow down and retry later" rather than "this message
    /// is wrong": ESME_RTHROTTLED and ESME_RMSGQFUL.
    pub fn is_throttling(self) -> bool {
        matches!(self, Self::ESME_RTHROTTLED | Self::ESME_RMSGQFUL)
    }

    /// True for the SMSC-vendor range 0x400–0x4FF.
    pub fn is_vendor_specific(self) -> bool {
        (0x400..=0x4FF).contains(&self.0)
    }

    /// The status to answer a request whose body failed to decode with `error`.
    ///
    /// Running out of bytes or having bytes left over is a command-length problem; an
    /// over-long or unterminated C-string gets the code of its field where the spec has one
    /// (source address, password, …), else "invalid parameter length"; anything wrong in the
    /// TLV part is "error in TLV part".
    pub fn for_decode_error(error: &DecodeError) -> Self {
        match error {
            DecodeError::Truncated { field, .. } if field.starts_with("TLV") => Self::ESME_RINVOPTPARSTREAM,
            DecodeError::Truncated { .. } | DecodeError::TrailingData(_) => Self::ESME_RINVCMDLEN,
            DecodeError::Invalid { field, .. } => Self::for_field(field),
            _ => Self::ESME_RSYSERR,
        }
    }

    /// The status for a field whose value is invalid.
    fn for_field(field: &str) -> Self {
        match field {
            "source_addr" | "esme_addr" => Self::ESME_RINVSRCADR,
            "destination_addr" => Self::ESME_RINVDSTADR,
            "message_id" => Self::ESME_RINVMSGID,
            "system_id" => Self::ESME_RINVSYSID,
            "password" => Self::ESME_RINVPASWD,
            "system_type" => Self::ESME_RINVSYSTYP,
            "service_type" => Self::ESME_RINVSERTYP,
            "schedule_delivery_time" => Self::ESME_RINVSCHED,
            "validity_period" => Self::ESME_RINVEXPIRY,
            "sm_length" | "short_message" => Self::ESME_RINVMSGLEN,
            "number_of_dests" => Self::ESME_RINVNUMDESTS,
            "dest_flag" => Self::ESME_RINVDESTFLAG,
            "dl_name" => Self::ESME_RINVDLNAME,
            f if f.starts_with("TLV") => Self::ESME_RINVOPTPARSTREAM,
            _ => Self::ESME_RINVPARLEN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(format!("{:?}", CommandStatus::ESME_RTHROTTLED), "CommandStatus::ESME_RTHROTTLED");
        assert_eq!(CommandStatus(0x58).to_string(), "ESME_RTHROTTLED (throttled)");
        assert_eq!(CommandStatus::ESME_RMSGQFUL.0, 0x14);
        assert_eq!(CommandStatus::ESME_RBINDFAIL.0, 0x0D);
        assert_eq!(CommandStatus(0x401).to_string(), "unknown 0x00000401");
        assert!(CommandStatus(0x401).is_vendor_specific());
        assert!(CommandStatus::ESME_RMSGQFUL.is_throttling() && !CommandStatus::ESME_RSYSERR.is_throttling());
    }

    #[test]
    fn decode_errors_map_to_statuses() {
        let cases = [
            (DecodeError::TrailingData(2), CommandStatus::ESME_RINVCMDLEN),
            (DecodeError::Truncated { field: "esm_class", needed: 1, left: 0 }, CommandStatus::ESME_RINVCMDLEN),
            (DecodeError::Truncated { field: "TLV value", needed: 4, left: 1 }, CommandStatus::ESME_RINVOPTPARSTREAM),
            (DecodeError::Invalid { field: "source_addr", reason: "" }, CommandStatus::ESME_RINVSRCADR),
            (DecodeError::Invalid { field: "password", reason: "" }, CommandStatus::ESME_RINVPASWD),
            (DecodeError::Invalid { field: "sm_length", reason: "" }, CommandStatus::ESME_RINVMSGLEN),
            (DecodeError::Invalid { field: "address_range", reason: "" }, CommandStatus::ESME_RINVPARLEN),
        ];
        for (error, status) in cases {
            assert_eq!(CommandStatus::for_decode_error(&error), status, "{error}");
        }
    }
}
