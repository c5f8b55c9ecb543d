//! The 64-bit Msg_Id (cmpp.md §11): time, ISMG code and a sequence packed into one integer.
//!
//! Callers should treat a Msg_Id from a peer as an opaque key; this layout matters when we
//! are the ISMG (the simulator, our own CMPP server) and have to mint them.

/// The fields of a Msg_Id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Month, 1–12 (4 bits).
    pub month: u8,
    /// Day, 1–31 (5 bits).
    pub day: u8,
    /// Hour, 0–23 (5 bits).
    pub hour: u8,
    /// Minute, 0–59 (6 bits).
    pub minute: u8,
    /// Second, 0–59 (6 bits).
    pub second: u8,
    /// ISMG (gateway) code as an integer (22 bits).
    pub gateway: u32,
    /// Per-id sequence (16 bits).
    pub seq: u16,
}

/// Packs the fields: `month<<60 | day<<55 | hour<<50 | minute<<44 | second<<38 | gateway<<16 | seq`.
///
/// Each field is masked to its width first, so an out-of-range value cannot spill into its
/// neighbours and produce an id that decodes to a different time or gateway.
pub fn compose(month: u8, day: u8, hour: u8, minute: u8, second: u8, gateway: u32, seq: u16) -> u64 {
    let field = |v: u64, bits: u32, shift: u32| (v & ((1 << bits) - 1)) << shift;
    field(month.into(), 4, 60)
        | field(day.into(), 5, 55)
        | field(hour.into(), 5, 50)
        | field(minute.into(), 6, 44)
        | field(second.into(), 6, 38)
        | field(gateway.into(), 22, 16)
        | u64::from(seq)
}

/// [`compose`] for a time given as the decimal `MMDDHHMMSS` (CONNECT's Timestamp form, e.g.
/// `1015093000` for 10-15 09:30:00), as an ISMG minting ids from its clock has it.
pub fn at(mmddhhmmss: u32, gateway: u32, seq: u16) -> u64 {
    let digits = |div: u32| ((mmddhhmmss / div) % 100) as u8;
    compose(digits(100_000_000), digits(1_000_000), digits(10_000), digits(100), digits(1), gateway, seq)
}

/// Unpacks a Msg_Id into its fields.
pub fn decompose(id: u64) -> Parts {
    // Each mask keeps the value within the target width, so the casts cannot truncate.
    let field = |bits: u32, shift: u32| (id >> shift) & ((1 << bits) - 1);
    Parts {
        month: field(4, 60) as u8,
        day: field(5, 55) as u8,
        hour: field(5, 50) as u8,
        minute: field(6, 44) as u8,
        second: field(6, 38) as u8,
        gateway: field(22, 16) as u32,
        seq: field(16, 0) as u16,
    }
}

/// The id of recipient `n` (0-based) of a group SUBMIT whose SUBMIT_RESP carried `first`.
///
/// The ISMG numbers the n recipients first, first+1, …; the spec says the 16-bit sequence
/// wraps inside that range, so the addition is modulo 2^16 on the low 16 bits only.
pub fn nth(first: u64, n: u16) -> u64 {
    let seq = (first as u16).wrapping_add(n);
    (first & !0xffff) | u64::from(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example() {
        // cmpp.md §11: 10-15 09:30:00, gateway 1001, seq 1.
        let id = compose(10, 15, 9, 30, 0, 1001, 1);
        assert_eq!(id, 0xA7A5_E000_03E9_0001);
        assert_eq!(id, 12_080_307_866_161_446_913);
        let parts = decompose(id);
        assert_eq!(parts, Parts { month: 10, day: 15, hour: 9, minute: 30, second: 0, gateway: 1001, seq: 1 });
    }

    #[test]
    fn at_reads_the_connect_timestamp_form() {
        assert_eq!(at(1_015_093_000, 1001, 1), compose(10, 15, 9, 30, 0, 1001, 1));
        assert_eq!(decompose(at(1_231_235_959, 7, 9)).second, 59);
    }

    #[test]
    fn extremes_round_trip_and_do_not_bleed() {
        let id = compose(12, 31, 23, 59, 59, (1 << 22) - 1, u16::MAX);
        let p = decompose(id);
        assert_eq!((p.month, p.day, p.hour, p.minute, p.second), (12, 31, 23, 59, 59));
        assert_eq!((p.gateway, p.seq), ((1 << 22) - 1, u16::MAX));
        // An over-wide gateway code is masked, not allowed into the seconds field.
        assert_eq!(decompose(compose(1, 1, 0, 0, 0, 1 << 22, 0)).second, 0);
    }

    #[test]
    fn group_ids_wrap_in_the_low_16_bits() {
        let first = compose(10, 15, 9, 30, 0, 1001, 0xfffe);
        assert_eq!(decompose(nth(first, 1)).seq, 0xffff);
        let wrapped = decompose(nth(first, 3));
        assert_eq!((wrapped.seq, wrapped.gateway, wrapped.second), (1, 1001, 0));
    }
}
