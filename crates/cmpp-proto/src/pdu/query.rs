//! CMPP_QUERY / CMPP_QUERY_RESP (cmpp.md §13): an SP asks the ISMG for its traffic counters
//! of one day, in total or for one Service_Id. Same layout in 2.0 and 3.0.

use super::Body;
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_QUERY body. Total_Length 39.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Time (8): the day, `YYYYMMDD`.
    pub time: Vec<u8>,
    /// Query_Type: 0 totals, 1 by service.
    pub query_type: u8,
    /// Query_Code (10): the Service_Id when `query_type` is 1.
    pub query_code: Vec<u8>,
    /// Reserve (8).
    pub reserve: Vec<u8>,
}

/// CMPP_QUERY_RESP body. Total_Length 63.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryResp {
    /// Time (8), echoed.
    pub time: Vec<u8>,
    /// Query_Type, echoed.
    pub query_type: u8,
    /// Query_Code (10), echoed.
    pub query_code: Vec<u8>,
    /// MT_TLMsg: MT messages received from the SP.
    pub mt_tl_msg: u32,
    /// MT_Tlusr: MT recipients.
    pub mt_tl_usr: u32,
    /// MT_Scs: MT forwarded successfully.
    pub mt_scs: u32,
    /// MT_WT: MT waiting to be forwarded.
    pub mt_wt: u32,
    /// MT_FL: MT that failed.
    pub mt_fl: u32,
    /// MO_Scs: MO delivered to the SP successfully.
    pub mo_scs: u32,
    /// MO_WT: MO waiting to be delivered.
    pub mo_wt: u32,
    /// MO_FL: MO that failed.
    pub mo_fl: u32,
}

impl Body for Query {
    const COMMAND: CommandId = CommandId::QUERY;

    fn decode(r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self {
            time: r.fixed_str("Time", 8)?,
            query_type: r.u8("Query_Type")?,
            query_code: r.fixed_str("Query_Code", 10)?,
            reserve: r.fixed_str("Reserve", 8)?,
        })
    }

    fn encode(&self, w: &mut Writer, _version: Version) {
        w.fixed(&self.time, 8).u8(self.query_type).fixed(&self.query_code, 10);
        w.fixed(&self.reserve, 8);
    }
}

impl QueryResp {
    /// The eight counters in wire order.
    fn counters(&self) -> [u32; 8] {
        [self.mt_tl_msg, self.mt_tl_usr, self.mt_scs, self.mt_wt, self.mt_fl, self.mo_scs, self.mo_wt, self.mo_fl]
    }
}

impl Body for QueryResp {
    const COMMAND: CommandId = CommandId::QUERY_RESP;

    fn decode(r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self {
            time: r.fixed_str("Time", 8)?,
            query_type: r.u8("Query_Type")?,
            query_code: r.fixed_str("Query_Code", 10)?,
            mt_tl_msg: r.u32("MT_TLMsg")?,
            mt_tl_usr: r.u32("MT_Tlusr")?,
            mt_scs: r.u32("MT_Scs")?,
            mt_wt: r.u32("MT_WT")?,
            mt_fl: r.u32("MT_FL")?,
            mo_scs: r.u32("MO_Scs")?,
            mo_wt: r.u32("MO_WT")?,
            mo_fl: r.u32("MO_FL")?,
        })
    }

    fn encode(&self, w: &mut Writer, _version: Version) {
        w.fixed(&self.time, 8).u8(self.query_type).fixed(&self.query_code, 10);
        for counter in self.counters() {
            w.u32(counter);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn query_fixture() {
        let bytes = hex("00000027 00000006 00000004 3230323531303135 01
            4859544158 0000000000 0000000000000000");
        let query =
            Query { time: b"20251015".to_vec(), query_type: 1, query_code: b"HYTAX".to_vec(), reserve: Vec::new() };
        let frame = Frame { sequence_id: 4, pdu: Pdu::Query(query) };
        assert_eq!(Frame::decode(&bytes, Version::V30).unwrap(), frame);
        assert_eq!(frame.encode(Version::V20), bytes);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = QueryResp {
            time: b"20251015".to_vec(),
            query_type: 0,
            query_code: Vec::new(),
            mt_tl_msg: 1,
            mt_tl_usr: 2,
            mt_scs: 3,
            mt_wt: 4,
            mt_fl: 5,
            mo_scs: 6,
            mo_wt: 7,
            mo_fl: 8,
        };
        for version in [Version::V20, Version::V30] {
            let bytes = round_trip(Pdu::QueryResp(resp.clone()), version, 63);
            // Counters are big-endian in wire order, MT_TLMsg first.
            assert_eq!(&bytes[31..39], &[0, 0, 0, 1, 0, 0, 0, 2]);
            assert_exact(&bytes, version);
            let query = Query { time: b"20251015".to_vec(), ..Query::default() };
            assert_exact(&round_trip(Pdu::Query(query), version, 39), version);
        }
    }
}
