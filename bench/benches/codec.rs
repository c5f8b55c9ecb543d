//! Encode and decode of whole frames, per protocol, for the two PDUs every message costs: the
//! submit that carries it and the deliver that reports on it.
//!
//! The submit is one segment of a long message to one recipient: 67 UCS-2 characters behind
//! an 8-bit-reference concatenation UDH (140 octets of content), built the way the gateway's
//! `map.rs` builds it. The deliver is a status report as the simulators send it: CMPP DELIVER
//! with the 71-byte 3.0 report body, SGIP Report, SMGP Deliver with the 122-byte report, SMPP
//! deliver_sm with the receipt text and the receipted_message_id and message_state TLVs.
//!
//! `encode` starts from a built `Frame` and ends with the bytes (one `Vec` allocation);
//! `decode` starts from the bytes and ends with the `Frame`. `decode+report` adds what the
//! gateway does next with a report (reads the nested report body or receipt text); SGIP has
//! no such step, its Report is the body. Throughput is in frames per second.
//!
//! Run: `cd bench && cargo bench --bench codec`.

use std::fmt::Debug;
use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

/// Recipient numbers, one per carrier, as the gateway writes them for each protocol.
const MOBILE: &str = "13800138000";
const UNICOM: &str = "8613012345678";
const TELECOM: &str = "13300000000";

/// The first segment of a two-segment UCS-2 message: UDH `05 00 03 ref 02 01` and 67
/// characters, exactly what `hongyan_text::split_ucs2` hands the gateway.
fn long_message_segment() -> hongyan_text::Segment {
    let text = "【鸿雁】您的账户于今日完成一笔转账，金额人民币伍仟元整。如非本人操作，请立即致电客服热线冻结账户，并注意保护个人信息安全，切勿向任何人透露验证码。本短信由系统自动发送，请勿回复。感谢您的支持！";
    let segments = hongyan_text::split_ucs2(text, 0x5a);
    assert!(segments.len() >= 2, "the text must be long enough to be segmented");
    let first = segments.into_iter().next().expect("one segment at least");
    assert!(first.udh);
    assert_eq!(first.payload.len(), 6 + 67 * 2, "UDH + 67 UCS-2 characters");
    first
}

/// Registers `{what}/encode` and `{what}/decode` for one frame, after checking that its bytes
/// decode back to it.
fn encode_decode<F, E>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    what: &str,
    frame: &F,
    encode: impl Fn(&F) -> Vec<u8>,
    decode: impl Fn(&[u8]) -> Result<F, E>,
) -> Vec<u8>
where
    F: PartialEq + Debug,
    E: Debug,
{
    let bytes = encode(frame);
    assert_eq!(&decode(&bytes).expect("the frame decodes"), frame, "{what}: round trip");
    group.bench_function(format!("{what}/encode"), |b| b.iter(|| encode(black_box(frame))));
    group.bench_function(format!("{what}/decode"), |b| b.iter(|| decode(black_box(&bytes))));
    bytes
}

/// A group whose throughput is counted in frames.
fn frames_group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group
}

fn cmpp(c: &mut Criterion) {
    use hongyan_cmpp_proto::pdu::{Deliver, StatusReport, Submit};
    use hongyan_cmpp_proto::{msg_id, Frame, MsgFmt, Pdu, Version};

    let v = Version::V30;
    let segment = long_message_segment();
    let submit = Submit {
        pk_total: segment.total,
        pk_number: segment.number,
        registered_delivery: 1,
        service_id: b"HYTZ".to_vec(),
        tp_udhi: 1,
        msg_fmt: MsgFmt::UCS2,
        msg_src: b"901234".to_vec(),
        src_id: b"106900001234".to_vec(),
        dest_terminal_ids: vec![MOBILE.as_bytes().to_vec()],
        msg_content: segment.payload,
        ..Submit::default()
    };
    let report = StatusReport {
        msg_id: msg_id::compose(10, 15, 9, 30, 0, 1001, 1),
        stat: b"DELIVRD".to_vec(),
        submit_time: b"2510150930".to_vec(),
        done_time: b"2510150931".to_vec(),
        dest_terminal_id: MOBILE.as_bytes().to_vec(),
        smsc_sequence: 1,
    };
    let deliver = Deliver {
        msg_id: msg_id::compose(10, 15, 9, 31, 0, 1001, 2),
        dest_id: b"106900001234".to_vec(),
        service_id: b"HYTZ".to_vec(),
        ..Deliver::with_report(&report, v)
    };
    let submit = Frame { sequence_id: 1, pdu: Pdu::Submit(submit) };
    let deliver = Frame { sequence_id: 2, pdu: Pdu::Deliver(deliver) };

    let mut group = frames_group(c, "cmpp30");
    let encode = |f: &Frame| f.encode(v);
    let decode = |b: &[u8]| Frame::decode(b, v);
    let bytes = encode_decode(&mut group, "submit", &submit, encode, decode);
    assert_eq!(bytes.len(), 163 + 32 + 140);
    let bytes = encode_decode(&mut group, "deliver_report", &deliver, encode, decode);
    assert_eq!(bytes.len(), 109 + 71);
    group.bench_function("deliver_report/decode+report", |b| {
        b.iter(|| {
            let frame = Frame::decode(black_box(&bytes), v).expect("decodes");
            let Pdu::Deliver(d) = frame.pdu else { unreachable!("a DELIVER") };
            d.report(v).expect("is a report").expect("report body decodes")
        })
    });
    group.finish();
}

fn sgip(c: &mut Criterion) {
    use hongyan_sgip_proto::pdu::{Report, Submit};
    use hongyan_sgip_proto::{mmddhhmmss, ErrorCode, Frame, MessageCoding, Pdu, ReportFlag, ReportState, Sequence};

    let segment = long_message_segment();
    let submit = Submit {
        sp_number: b"1065501234".to_vec(),
        user_numbers: vec![UNICOM.as_bytes().to_vec()],
        corp_id: b"12345".to_vec(),
        service_type: b"HYTZ".to_vec(),
        report_flag: ReportFlag::ALWAYS,
        tp_udhi: 1,
        message_coding: MessageCoding::UCS2,
        message_content: segment.payload,
        ..Submit::default()
    };
    let submit_seq = Sequence { node_id: 3_000_000_001, time: mmddhhmmss(10, 15, 9, 30, 0), counter: 1 };
    let report = Report::new(submit_seq, UNICOM.as_bytes(), ReportState::DELIVERED, ErrorCode::OK);
    let submit = Frame { sequence: submit_seq, pdu: Pdu::Submit(submit) };
    let report_seq = Sequence { node_id: 1_010_001, time: mmddhhmmss(10, 15, 9, 31, 0), counter: 7 };
    let report = Frame { sequence: report_seq, pdu: Pdu::Report(report) };

    let mut group = frames_group(c, "sgip12");
    let bytes = encode_decode(&mut group, "submit", &submit, Frame::encode, Frame::decode);
    assert_eq!(bytes.len(), 143 + 21 + 140);
    let bytes = encode_decode(&mut group, "deliver_report", &report, Frame::encode, Frame::decode);
    assert_eq!(bytes.len(), 64);
    group.finish();
}

fn smgp(c: &mut Criterion) {
    use hongyan_smgp_proto::pdu::{Deliver, StatusReport, Submit};
    use hongyan_smgp_proto::{Frame, MsgFormat, MsgId, Pdu, Tlv};

    let segment = long_message_segment();
    let mut submit = Submit {
        need_report: 1,
        service_id: b"HYTZ".to_vec(),
        msg_format: MsgFormat::UCS2,
        src_term_id: b"118901234".to_vec(),
        dest_term_ids: vec![TELECOM.as_bytes().to_vec()],
        msg_content: segment.payload,
        ..Submit::default()
    };
    submit.tlvs.set(Tlv::TpUdhi(1));
    submit.tlvs.set(Tlv::PkTotal(segment.total));
    submit.tlvs.set(Tlv::PkNumber(segment.number));
    let id: MsgId = "01006101161700012345".parse().expect("a MsgID");
    let report = StatusReport::new(id, StatusReport::DELIVRD, *b"000", *b"2510150930", *b"2510150931");
    let deliver = Deliver {
        msg_id: "01006101161700012346".parse().expect("a MsgID"),
        recv_time: b"20251015093100".to_vec(),
        src_term_id: TELECOM.as_bytes().to_vec(),
        dest_term_id: b"118901234".to_vec(),
        ..Deliver::with_report(&report)
    };
    let submit = Frame { sequence_id: 1, pdu: Pdu::Submit(submit) };
    let deliver = Frame { sequence_id: 2, pdu: Pdu::Deliver(deliver) };

    let mut group = frames_group(c, "smgp30");
    let bytes = encode_decode(&mut group, "submit", &submit, Frame::encode, Frame::decode);
    assert_eq!(bytes.len(), 126 + 21 + 140 + 3 * 5, "three 1-byte TLVs");
    let bytes = encode_decode(&mut group, "deliver_report", &deliver, Frame::encode, Frame::decode);
    assert_eq!(bytes.len(), 89 + 122);
    group.bench_function("deliver_report/decode+report", |b| {
        b.iter(|| {
            let frame = Frame::decode(black_box(&bytes)).expect("decodes");
            let Pdu::Deliver(d) = frame.pdu else { unreachable!("a Deliver") };
            d.report().expect("is a report").expect("report body decodes")
        })
    });
    group.finish();
}

fn smpp(c: &mut Criterion) {
    use hongyan_smpp_proto::pdu::{DeliverSm, SubmitSm};
    use hongyan_smpp_proto::{
        Address, DataCoding, DeliveryReceipt, EsmClass, Frame, Npi, Pdu, RegisteredDelivery, Ton,
    };

    let segment = long_message_segment();
    let submit = SubmitSm {
        source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "106900001234"),
        dest: Address::international(format!("86{MOBILE}")),
        esm_class: EsmClass::UDHI,
        registered_delivery: RegisteredDelivery::RECEIPT,
        data_coding: DataCoding::UCS2,
        short_message: segment.payload,
        ..SubmitSm::default()
    };
    let receipt = DeliveryReceipt {
        id: "0000019a2b3c4d5e".into(),
        sub: Some("001".into()),
        dlvrd: Some("001".into()),
        submit_date: Some("2510150930".into()),
        done_date: Some("2510150931".into()),
        stat: Some("DELIVRD".into()),
        err: Some("000".into()),
        text: Some(String::new()),
    };
    let source = Address::new(Ton::UNKNOWN, Npi::UNKNOWN, format!("86{MOBILE}"));
    let dest = Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "106900001234");
    let deliver = DeliverSm::with_receipt(source, dest, &receipt);
    let submit = Frame::new(1, Pdu::SubmitSm(submit));
    let deliver = Frame::new(2, Pdu::DeliverSm(deliver));

    let mut group = frames_group(c, "smpp34");
    let bytes = encode_decode(&mut group, "submit", &submit, Frame::encode, Frame::decode);
    assert_eq!(bytes.len(), 16 + 42 + 140, "header, fixed fields and C-strings, content");
    let bytes = encode_decode(&mut group, "deliver_report", &deliver, Frame::encode, Frame::decode);
    assert_eq!(bytes.len(), 16 + 42 + 108 + 21 + 5, "header, fields, receipt text, two TLVs");
    group.bench_function("deliver_report/decode+report", |b| {
        b.iter(|| {
            let frame = Frame::decode(black_box(&bytes)).expect("decodes");
            let Pdu::DeliverSm(d) = frame.pdu else { unreachable!("a deliver_sm") };
            // What the gateway reads: the id and state from the TLVs, the receipt text for
            // the done date.
            let id = d.receipted_message_id().expect("has an id");
            let receipt = d.receipt().expect("is a receipt").expect("receipt parses");
            (id, d.message_state(), receipt)
        })
    });
    group.finish();
}

criterion_group!(codec, cmpp, sgip, smgp, smpp);
criterion_main!(codec);
