//! SGIP_TRACE / SGIP_TRACE_RESP (sgip.md §8): where did a message get to? Used on the SMG
//! test port; the answer may take up to 5 minutes. Trace has Message Length 61; Trace_Resp
//! is Count 1 then 47 bytes per node (SGIP 1.2's 6-byte NodeId).

use super::{check_len, Body, EncodeError, NUMBER_LEN, RESERVE_LEN};
use crate::{ResultCode, Sequence};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Size of a Trace_Resp NodeId in SGIP 1.2 (1.3 lists 10).
const NODE_ID_LEN: usize = 6;
/// Size of ReceiveTime and SendTime.
const TIME_LEN: usize = 16;

/// SGIP_TRACE body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// SubmitSequenceNumber: the sequence of the message to trace.
    pub submit_sequence: Sequence,
    /// UserNumber (21): the recipient to trace it for.
    pub user_number: Vec<u8>,
    /// Reserve, kept as sent.
    pub reserve: [u8; RESERVE_LEN],
}

/// One node's line in a Trace_Resp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceNode {
    /// Result: 0 received, 1 waiting, else an error code.
    pub result: ResultCode,
    /// NodeId (6): the node's id as text.
    pub node_id: Vec<u8>,
    /// ReceiveTime (16): `yymmddhhmmss`.
    pub receive_time: Vec<u8>,
    /// SendTime (16): `yymmddhhmmss`.
    pub send_time: Vec<u8>,
    /// Reserve, kept as sent. The spec's table leaves it unclear whether Reserve is per node
    /// or once after the list; per node is how Lihuanghe/SMSGate reads it.
    pub reserve: [u8; RESERVE_LEN],
}

/// SGIP_TRACE_RESP body: Count, then one [`TraceNode`] per node the message passed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceResp {
    /// The nodes, Count of them (at most 255).
    pub nodes: Vec<TraceNode>,
}

impl Trace {
    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("UserNumber", &self.user_number, NUMBER_LEN)
    }
}

impl TraceResp {
    /// Checks every field fits its wire size and Count fits one byte.
    pub fn validate(&self) -> Result<(), EncodeError> {
        if self.nodes.len() > 255 {
            return Err(EncodeError::Count { field: "Count", count: self.nodes.len(), min: 0, max: 255 });
        }
        for node in &self.nodes {
            check_len("NodeId", &node.node_id, NODE_ID_LEN)?;
            check_len("ReceiveTime", &node.receive_time, TIME_LEN)?;
            check_len("SendTime", &node.send_time, TIME_LEN)?;
        }
        Ok(())
    }
}

impl Body for Trace {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            submit_sequence: Sequence::decode(r, "SubmitSequenceNumber")?,
            user_number: r.fixed_str("UserNumber", NUMBER_LEN)?,
            reserve: r.array("Reserve")?,
        })
    }

    fn encode(&self, w: &mut Writer) {
        self.submit_sequence.encode(w);
        w.fixed(&self.user_number, NUMBER_LEN).bytes(&self.reserve);
    }
}

impl TraceNode {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            result: ResultCode(r.u8("Result")?),
            node_id: r.fixed_str("NodeId", NODE_ID_LEN)?,
            receive_time: r.fixed_str("ReceiveTime", TIME_LEN)?,
            send_time: r.fixed_str("SendTime", TIME_LEN)?,
            reserve: r.array("Reserve")?,
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.u8(self.result.0).fixed(&self.node_id, NODE_ID_LEN);
        w.fixed(&self.receive_time, TIME_LEN).fixed(&self.send_time, TIME_LEN);
        w.bytes(&self.reserve);
    }
}

impl Body for TraceResp {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = r.u8("Count")?;
        let nodes = (0..count).map(|_| TraceNode::decode(r)).collect::<Result<_, _>>()?;
        Ok(Self { nodes })
    }

    /// Nodes past 255 are dropped so Count matches the nodes written.
    fn encode(&self, w: &mut Writer) {
        let nodes = &self.nodes[..self.nodes.len().min(255)];
        w.u8(nodes.len() as u8);
        for node in nodes {
            node.encode(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    fn node(result: u8, id: &[u8]) -> TraceNode {
        TraceNode {
            result: ResultCode(result),
            node_id: id.to_vec(),
            receive_time: b"251120203225".to_vec(),
            send_time: b"251120203226".to_vec(),
            reserve: [0; 8],
        }
    }

    #[test]
    fn fixtures() {
        let trace = hex(include_str!("../../testdata/trace.hex"));
        let expected = Trace { submit_sequence: SEQ, user_number: b"8613012345678".to_vec(), reserve: [0; 8] };
        let frame = Frame { sequence: SEQ, pdu: Pdu::Trace(expected) };
        assert_eq!(Frame::decode(&trace).unwrap(), frame);
        assert_eq!(frame.encode(), trace);

        let resp = hex(include_str!("../../testdata/trace_resp.hex"));
        assert_eq!(resp.len(), 20 + 1 + 2 * 47);
        let expected = TraceResp { nodes: vec![node(0, b"101001"), node(1, b"201001")] };
        let frame = Frame { sequence: SEQ, pdu: Pdu::TraceResp(expected) };
        assert_eq!(Frame::decode(&resp).unwrap(), frame);
        assert_eq!(frame.encode(), resp);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let trace = Trace { submit_sequence: SEQ, user_number: vec![b'8'; 21], reserve: [9; 8] };
        assert_eq!(trace.validate(), Ok(()));
        assert_exact(&round_trip(Pdu::Trace(trace), 61));
        assert_exact(&round_trip(Pdu::TraceResp(TraceResp::default()), 21));
        let resp = TraceResp { nodes: vec![node(2, b"1"), node(33, b"123456")] };
        assert_eq!(resp.validate(), Ok(()));
        assert_exact(&round_trip(Pdu::TraceResp(resp), 21 + 2 * 47));
        let bad = TraceResp { nodes: vec![node(0, b"1234567")] };
        assert!(matches!(bad.validate(), Err(EncodeError::TooLong { field: "NodeId", .. })));
    }
}
