//! Query / Query_Resp (smgp.md §11, optional): an SP asks the SMGW for one day's traffic
//! counters, in total or for one service. Unlike CMPP_QUERY the request has no Reserve;
//! the response has one.

use super::{Body, RESERVE_LEN};
use crate::RequestId;
use hongyan_wire::{DecodeError, Reader, Writer};

/// Query body. PacketLength 31.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// QueryTime (8): the day, `YYYYMMDD`.
    pub query_time: Vec<u8>,
    /// QueryType: 0 totals, 1 by service.
    pub query_type: u8,
    /// QueryCode (10): the service code when `query_type` is 1.
    pub query_code: Vec<u8>,
}

/// Query_Resp body. PacketLength 71.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryResp {
    /// QueryTime (8), echoed.
    pub query_time: Vec<u8>,
    /// QueryType, echoed.
    pub query_type: u8,
    /// QueryCode (10), echoed.
    pub query_code: Vec<u8>,
    /// MT_TLMsg: MT messages received from the SP.
    pub mt_tl_msg: u32,
    /// MT_TLUsr: MT recipients.
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
    /// Reserve (8), kept byte for byte.
    pub reserve: [u8; RESERVE_LEN],
}

impl Body for Query {
    const REQUEST_ID: RequestId = RequestId::QUERY;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            query_time: r.fixed_str("QueryTime", 8)?,
            query_type: r.u8("QueryType")?,
            query_code: r.fixed_str("QueryCode", 10)?,
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.fixed(&self.query_time, 8).u8(self.query_type).fixed(&self.query_code, 10);
    }
}

impl QueryResp {
    /// The eight counters in wire order.
    fn counters(&self) -> [u32; 8] {
        [self.mt_tl_msg, self.mt_tl_usr, self.mt_scs, self.mt_wt, self.mt_fl, self.mo_scs, self.mo_wt, self.mo_fl]
    }
}

impl Body for QueryResp {
    const REQUEST_ID: RequestId = RequestId::QUERY_RESP;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            query_time: r.fixed_str("QueryTime", 8)?,
            query_type: r.u8("QueryType")?,
            query_code: r.fixed_str("QueryCode", 10)?,
            mt_tl_msg: r.u32("MT_TLMsg")?,
            mt_tl_usr: r.u32("MT_TLUsr")?,
            mt_scs: r.u32("MT_Scs")?,
            mt_wt: r.u32("MT_WT")?,
            mt_fl: r.u32("MT_FL")?,
            mo_scs: r.u32("MO_Scs")?,
            mo_wt: r.u32("MO_WT")?,
            mo_fl: r.u32("MO_FL")?,
            reserve: r.array("Reserve")?,
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.fixed(&self.query_time, 8).u8(self.query_type).fixed(&self.query_code, 10);
        for counter in self.counters() {
            w.u32(counter);
        }
        w.bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn query_fixture() {
        let bytes = hex("0000001f 00000007 00000004 3230323531303135 01 4859544158 0000000000");
        let query = Query { query_time: b"20251015".to_vec(), query_type: 1, query_code: b"HYTAX".to_vec() };
        let frame = Frame { sequence_id: 4, pdu: Pdu::Query(query) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes);
    }

    #[test]
    fn query_resp_round_trips_and_is_exact() {
        let resp = QueryResp {
            query_time: b"20251015".to_vec(),
            mt_tl_msg: 1,
            mt_tl_usr: 2,
            mt_scs: 3,
            mt_wt: 4,
            mt_fl: 5,
            mo_scs: 6,
            mo_wt: 7,
            mo_fl: 8,
            reserve: *b"RESERVE!",
            ..QueryResp::default()
        };
        let bytes = round_trip(Pdu::QueryResp(resp), 71);
        // Counters are big-endian in wire order, MT_TLMsg first, then Reserve last.
        assert_eq!(&bytes[31..39], &[0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(&bytes[63..], b"RESERVE!");
        assert_exact(&bytes);
    }
}
