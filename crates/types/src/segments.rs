//! Mainland mobile number segments → the carrier that owns them.
//!
//! The table follows `shared/protocols/number-segments.md` (MIIT allocation as of 2023-03):
//! every 3-digit network number, the 4-digit MVNO split of 170, the satellite blocks 1349 and
//! 174x, and 192 (China Broadnet). A prefix mapped to `None` is allocated, but not to a carrier
//! that takes SMS from this platform. Matching is longest prefix first, so `1349` (Telecom
//! satellite) wins over `134` (Mobile).
//!
//! Number portability overrides this table; that lookup lives above this crate.

use crate::Carrier;

use Carrier::{ChinaBroadnet as B, ChinaMobile as M, ChinaTelecom as T, ChinaUnicom as U};

/// (prefix, owner) pairs; prefixes are 3 to 5 digits.
static TABLE: &[(&str, Option<Carrier>)] = &[
    ("130", Some(U)),
    ("131", Some(U)),
    ("132", Some(U)),
    ("133", Some(T)),
    ("134", Some(M)),
    ("1349", Some(T)),
    ("135", Some(M)),
    ("136", Some(M)),
    ("137", Some(M)),
    ("138", Some(M)),
    ("139", Some(M)),
    ("145", Some(U)),
    ("146", Some(U)),
    ("147", Some(M)),
    ("148", Some(M)),
    ("149", Some(T)),
    ("150", Some(M)),
    ("151", Some(M)),
    ("152", Some(M)),
    ("153", Some(T)),
    ("155", Some(U)),
    ("156", Some(U)),
    ("157", Some(M)),
    ("158", Some(M)),
    ("159", Some(M)),
    ("162", Some(T)),
    ("165", Some(M)),
    ("166", Some(U)),
    ("167", Some(U)),
    ("1619", None),
    ("1700", Some(T)),
    ("1701", Some(T)),
    ("1702", Some(T)),
    ("1703", Some(M)),
    ("1705", Some(M)),
    ("1706", Some(M)),
    ("1704", Some(U)),
    ("1707", Some(U)),
    ("1708", Some(U)),
    ("1709", Some(U)),
    ("171", Some(U)),
    ("172", Some(M)),
    ("173", Some(T)),
    ("17400", Some(T)),
    ("17401", Some(T)),
    ("17402", Some(T)),
    ("17403", Some(T)),
    ("17404", Some(T)),
    ("17405", Some(T)),
    ("17406", None),
    ("17407", None),
    ("17408", None),
    ("17409", None),
    ("17410", None),
    ("17411", None),
    ("17412", None),
    ("1749", None),
    ("175", Some(U)),
    ("176", Some(U)),
    ("177", Some(T)),
    ("178", Some(M)),
    ("180", Some(T)),
    ("181", Some(T)),
    ("182", Some(M)),
    ("183", Some(M)),
    ("184", Some(M)),
    ("185", Some(U)),
    ("186", Some(U)),
    ("187", Some(M)),
    ("188", Some(M)),
    ("189", Some(T)),
    ("190", Some(T)),
    ("191", Some(T)),
    ("192", Some(B)),
    ("193", Some(T)),
    ("195", Some(M)),
    ("196", Some(U)),
    ("197", Some(M)),
    ("198", Some(M)),
    ("199", Some(T)),
];

/// The carrier owning an 11-digit national number by its segment, or `None` when the
/// segment is unallocated or not an SMS target.
pub fn carrier_of(national: &str) -> Option<Carrier> {
    for len in [5, 4, 3] {
        let Some(prefix) = national.get(..len) else { continue };
        if let Some((_, owner)) = TABLE.iter().find(|(p, _)| *p == prefix) {
            return *owner;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(carrier_of("13800138000"), Some(M));
        assert_eq!(carrier_of("13481234567"), Some(M));
        assert_eq!(carrier_of("13491234567"), Some(T));
        assert_eq!(carrier_of("17031234567"), Some(M));
        assert_eq!(carrier_of("17041234567"), Some(U));
        assert_eq!(carrier_of("17001234567"), Some(T));
        assert_eq!(carrier_of("17403123456"), Some(T));
        assert_eq!(carrier_of("17407123456"), None);
        assert_eq!(carrier_of("16191234567"), None);
    }

    #[test]
    fn every_operator_and_gaps() {
        assert_eq!(carrier_of("18612345678"), Some(U));
        assert_eq!(carrier_of("18912345678"), Some(T));
        assert_eq!(carrier_of("19212345678"), Some(B));
        for gap in ["154", "160", "163", "164", "168", "169", "179", "194", "140", "144"] {
            assert_eq!(carrier_of(&format!("{gap}12345678")), None, "{gap}");
        }
    }
}
