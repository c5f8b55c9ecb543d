//! Property tests over the public API, for CMPP 2.0 and 3.0 alike: every PDU with arbitrary
//! field values within its wire sizes survives encode → decode unchanged with the Total_Length
//! the spec gives; status reports and Msg_Ids survive their own packing; and no input, however
//! odd, makes a decoder or a session panic.

use hongyan_cmpp_proto::msg_id::{self, Parts};
use hongyan_cmpp_proto::pdu::{
    ActiveTestResp, Cancel, CancelResp, Connect, ConnectResp, Deliver, DeliverResp, Query, QueryResp, StatusReport,
    Submit, SubmitResp,
};
use hongyan_cmpp_proto::{
    ClientEvent, ClientSession, CommandId, Frame, MsgFmt, Pdu, ServerEvent, ServerSession, SessionConfig, SubmitResult,
    Version,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use std::time::Instant;

/// The Command_Ids that decode to their own [`Pdu`] variant; every other id is
/// [`Pdu::Unknown`].
const HANDLED: [CommandId; 14] = [
    CommandId::CONNECT,
    CommandId::CONNECT_RESP,
    CommandId::TERMINATE,
    CommandId::TERMINATE_RESP,
    CommandId::SUBMIT,
    CommandId::SUBMIT_RESP,
    CommandId::DELIVER,
    CommandId::DELIVER_RESP,
    CommandId::QUERY,
    CommandId::QUERY_RESP,
    CommandId::CANCEL,
    CommandId::CANCEL_RESP,
    CommandId::ACTIVE_TEST,
    CommandId::ACTIVE_TEST_RESP,
];

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![Just(Version::V20), Just(Version::V30)]
}

/// The version a frame is laid out in: mostly 2.0 and 3.0, sometimes any other byte (0x21 and
/// 0x31 exist in the field; below 0x30 is the 2.0 layout, from 0x30 up the 3.0 layout).
fn layout() -> impl Strategy<Value = Version> {
    prop_oneof![2 => version(), 1 => any::<u8>().prop_map(Version)]
}

/// Terminal ids (Fee_/Dest_/Src_terminal_Id, the report's Dest_terminal_Id): 21 bytes in 2.0,
/// 32 in 3.0.
fn terminal_id_len(v: Version) -> usize {
    if v.is_v3() {
        32
    } else {
        21
    }
}

/// The trailer of SUBMIT and DELIVER: 2.0 Reserve (8), 3.0 LinkID (20).
fn link_id_len(v: Version) -> usize {
    if v.is_v3() {
        20
    } else {
        8
    }
}

/// A fixed-size octet string of at most `max` bytes, as it reads back. The encoder pads with
/// NUL and the decoder cuts at the first NUL and then trims trailing spaces (some peers pad
/// with spaces), so a value with a NUL byte or a trailing space cannot round-trip and is not
/// generated. Interior spaces are kept, and generated often, because they must survive.
fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![4 => 1u8..=255, 1 => Just(b' ')], 0..=max).prop_map(|mut s| {
        if let Some(last @ b' ') = s.last_mut() {
            *last = b'.';
        }
        s
    })
}

/// A status / result field: 4 bytes in 3.0, 1 byte in 2.0. A 2.0 encoder sends values over 255
/// as 255 on purpose (truncating could turn an error into 0 = success), so only 0..=255 can
/// round-trip there.
fn status(v: Version) -> BoxedStrategy<u32> {
    if v.is_v3() {
        any::<u32>().boxed()
    } else {
        (0u32..=255).boxed()
    }
}

/// A byte that exists only in 3.0 (the `*_terminal_type` fields); a 2.0 body does not carry
/// it and it decodes as 0.
fn v3_only(v: Version) -> BoxedStrategy<u8> {
    if v.is_v3() {
        any::<u8>().boxed()
    } else {
        Just(0).boxed()
    }
}

/// Msg_Content: Msg_Length is one byte, so at most 255. Even a 3.0 SUBMIT to 100 recipients
/// with 255 bytes (163 + 3200 + 255) fits the sessions' default 4096-byte frame limit, so the
/// whole range is generated, with the edges (empty, a few bytes, the full 255) weighted up.
fn content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(any::<u8>(), 0..=255),
        1 => vec(any::<u8>(), 0..=4),
        1 => vec(any::<u8>(), 255),
    ]
}

fn submit(v: Version) -> impl Strategy<Value = Submit> {
    let tid = terminal_id_len(v);
    let head = (any::<u64>(), any::<[u8; 4]>(), text(10), any::<u8>(), text(tid), v3_only(v));
    let middle = (any::<[u8; 3]>(), text(6), text(2), text(6), text(17), text(17), text(21));
    // DestUsr_tl: the spec allows 1 to 100 recipients.
    let tail = (vec(text(tid), 1..=100), v3_only(v), content(), text(link_id_len(v)));
    (head, middle, tail).prop_map(|(h, m, t)| Submit {
        msg_id: h.0,
        pk_total: h.1[0],
        pk_number: h.1[1],
        registered_delivery: h.1[2],
        msg_level: h.1[3],
        service_id: h.2,
        fee_user_type: h.3,
        fee_terminal_id: h.4,
        fee_terminal_type: h.5,
        tp_pid: m.0[0],
        tp_udhi: m.0[1],
        msg_fmt: MsgFmt(m.0[2]),
        msg_src: m.1,
        fee_type: m.2,
        fee_code: m.3,
        valid_time: m.4,
        at_time: m.5,
        src_id: m.6,
        dest_terminal_ids: t.0,
        dest_terminal_type: t.1,
        msg_content: t.2,
        link_id: t.3,
    })
}

/// A DELIVER whose content is an arbitrary MO message (any Registered_Delivery byte).
fn deliver(v: Version) -> impl Strategy<Value = Deliver> {
    let head = (any::<u64>(), text(21), text(10), any::<[u8; 4]>());
    let tail = (text(terminal_id_len(v)), v3_only(v), content(), text(link_id_len(v)));
    (head, tail).prop_map(|(h, t)| Deliver {
        msg_id: h.0,
        dest_id: h.1,
        service_id: h.2,
        tp_pid: h.3[0],
        tp_udhi: h.3[1],
        msg_fmt: MsgFmt(h.3[2]),
        registered_delivery: h.3[3],
        src_terminal_id: t.0,
        src_terminal_type: t.1,
        msg_content: t.2,
        link_id: t.3,
    })
}

fn status_report(v: Version) -> impl Strategy<Value = StatusReport> {
    (any::<u64>(), text(7), text(10), text(10), text(terminal_id_len(v)), any::<u32>()).prop_map(
        |(msg_id, stat, submit_time, done_time, dest_terminal_id, smsc_sequence)| StatusReport {
            msg_id,
            stat,
            submit_time,
            done_time,
            dest_terminal_id,
            smsc_sequence,
        },
    )
}

/// A DELIVER carrying a status report in `v`'s layout, other fields arbitrary.
fn report_deliver(v: Version) -> impl Strategy<Value = (Deliver, StatusReport)> {
    (deliver(v), status_report(v)).prop_map(move |(other, report)| {
        let deliver = Deliver { msg_content: report.encode(v), registered_delivery: 1, ..other };
        (deliver, report)
    })
}

fn query_resp() -> impl Strategy<Value = QueryResp> {
    (text(8), any::<u8>(), text(10), any::<[u32; 8]>()).prop_map(|(time, query_type, query_code, c)| QueryResp {
        time,
        query_type,
        query_code,
        mt_tl_msg: c[0],
        mt_tl_usr: c[1],
        mt_scs: c[2],
        mt_wt: c[3],
        mt_fl: c[4],
        mo_scs: c[5],
        mo_wt: c[6],
        mo_fl: c[7],
    })
}

/// A Command_Id this crate keeps as [`Pdu::Unknown`]: anything, with the neighbourhood of
/// the known ids (the 0x03 and 0x09..=0x17 gaps, FWD, the GNS route commands and their
/// responses) weighted up.
fn unknown_command() -> impl Strategy<Value = CommandId> {
    prop_oneof![any::<u32>(), 0u32..=0x20, 0x8000_0000u32..=0x8000_0020]
        .prop_map(CommandId)
        .prop_filter("decoded by its own variant", |id| !HANDLED.contains(id))
}

/// Any PDU in `v`'s layout, with the Total_Length the spec gives for it in that version.
fn pdu(v: Version) -> BoxedStrategy<(Pdu, usize)> {
    let v3 = v.is_v3();
    let status_len = if v3 { 4 } else { 1 };
    let connect = (text(6), any::<[u8; 16]>(), any::<u8>(), any::<u32>()).prop_map(|(s, a, ver, t)| {
        Pdu::Connect(Connect { source_addr: s, authenticator: a, version: Version(ver), timestamp: t })
    });
    let connect_resp = (status(v), any::<[u8; 16]>(), any::<u8>())
        .prop_map(|(status, a, ver)| Pdu::ConnectResp(ConnectResp { status, authenticator: a, version: Version(ver) }));
    let (submit_base, submit_per_dest) = if v3 { (163, 32) } else { (138, 21) };
    let deliver_base = if v3 { 109 } else { 85 };
    let query = (text(8), any::<u8>(), text(10), text(8)).prop_map(|(time, query_type, query_code, reserve)| {
        Pdu::Query(Query { time, query_type, query_code, reserve })
    });
    let unknown = (unknown_command(), vec(any::<u8>(), 0..=300))
        .prop_map(|(command_id, body)| (Pdu::Unknown { command_id, body: body.clone() }, 12 + body.len()));
    prop_oneof![
        connect.prop_map(|p| (p, 39)),
        connect_resp.prop_map(move |p| (p, 29 + status_len)),
        submit(v).prop_map(move |s| {
            let len = submit_base + submit_per_dest * s.dest_terminal_ids.len() + s.msg_content.len();
            (Pdu::Submit(s), len)
        }),
        (any::<u64>(), status(v)).prop_map(move |(msg_id, r)| {
            (Pdu::SubmitResp(SubmitResp { msg_id, result: SubmitResult(r) }), 20 + status_len)
        }),
        deliver(v).prop_map(move |d| {
            let len = deliver_base + d.msg_content.len();
            (Pdu::Deliver(d), len)
        }),
        report_deliver(v).prop_map(move |(d, _)| {
            let len = deliver_base + d.msg_content.len();
            (Pdu::Deliver(d), len)
        }),
        (any::<u64>(), status(v))
            .prop_map(move |(msg_id, result)| (Pdu::DeliverResp(DeliverResp { msg_id, result }), 20 + status_len)),
        query.prop_map(|p| (p, 39)),
        query_resp().prop_map(|q| (Pdu::QueryResp(q), 63)),
        any::<u64>().prop_map(|msg_id| (Pdu::Cancel(Cancel { msg_id }), 20)),
        status(v).prop_map(move |success_id| (Pdu::CancelResp(CancelResp { success_id }), 12 + status_len)),
        Just((Pdu::ActiveTest, 12)),
        any::<u8>().prop_map(|reserved| (Pdu::ActiveTestResp(ActiveTestResp { reserved }), 13)),
        Just((Pdu::Terminate, 12)),
        Just((Pdu::TerminateResp, 12)),
        unknown,
    ]
    .boxed()
}

/// A version, a PDU in its layout with its spec length, and a Sequence_Id.
fn versioned_frame() -> impl Strategy<Value = (Version, Frame, usize)> {
    layout().prop_flat_map(|v| {
        (Just(v), pdu(v), any::<u32>()).prop_map(|(v, (pdu, len), sequence_id)| (v, Frame { sequence_id, pdu }, len))
    })
}

/// A frame with a truthful header and a body that is not what the command needs: random bytes,
/// a valid body in either version's layout with a few bytes overwritten, cut short or extended
/// (so DestUsr_tl, Msg_Length, the trailers and the status widths are hit), or a valid frame.
fn sane_frame(v: Version) -> impl Strategy<Value = Vec<u8>> {
    let random_body = (
        prop_oneof![3 => proptest::sample::select(HANDLED.to_vec()), 1 => unknown_command()],
        any::<u32>(),
        // Short bodies weighted up: the fixed-size PDUs and the error paths for a body that
        // ends early live there.
        prop_oneof![vec(any::<u8>(), 0..=300), vec(any::<u8>(), 0..=24)],
    )
        .prop_map(|(id, seq, body)| header_and(id, seq, &body));
    let damage = (vec((spot(), any::<u8>()), 0..4), proptest::option::weighted(0.75, spot()), vec(any::<u8>(), 0..4));
    let damaged = (version(), any::<u32>(), damage)
        .prop_flat_map(|(layout, seq, damage)| {
            // SUBMIT and DELIVER, the variable-length bodies, weighted up.
            let pdu = prop_oneof![
                2 => pdu(layout).prop_map(|(pdu, _)| pdu),
                1 => submit(layout).prop_map(Pdu::Submit),
                1 => deliver(layout).prop_map(Pdu::Deliver),
            ];
            (pdu, Just((layout, seq, damage)))
        })
        .prop_map(|(pdu, (layout, seq, (edits, cut, extra)))| {
            let bytes = Frame { sequence_id: seq, pdu }.encode(layout);
            let mut body = bytes[12..].to_vec();
            if !body.is_empty() {
                for (at, byte) in edits {
                    let i = at.place(body.len() - 1);
                    body[i] = byte;
                }
            }
            if let Some(cut) = cut {
                body.truncate(cut.place(body.len()));
            }
            body.extend(extra);
            header_and(command_of(&bytes), seq, &body)
        });
    let valid = pdu(v).prop_flat_map(move |(pdu, _)| {
        any::<u32>().prop_map(move |seq| Frame { sequence_id: seq, pdu: pdu.clone() }.encode(v))
    });
    prop_oneof![random_body, damaged, valid]
}

/// Where in a body to damage it.
#[derive(Debug, Clone, Copy)]
enum Spot {
    /// Anywhere.
    Anywhere(Index),
    /// This many bytes from the start: the fixed head (Msg_Id first), and a body cut there is
    /// one that ends early.
    FromStart(usize),
    /// This many bytes before the end, where SUBMIT and DELIVER keep their variable part
    /// (Msg_Length, the content, the trailer), which uniform positions in a body of up to
    /// 3618 bytes would hardly ever reach.
    FromEnd(usize),
}

fn spot() -> impl Strategy<Value = Spot> {
    prop_oneof![
        2 => any::<Index>().prop_map(Spot::Anywhere),
        1 => (0usize..24).prop_map(Spot::FromStart),
        2 => (0usize..48).prop_map(Spot::FromEnd),
    ]
}

impl Spot {
    /// The position in `0..=last`.
    fn place(self, last: usize) -> usize {
        match self {
            Self::Anywhere(i) => i.index(last + 1),
            Self::FromStart(n) => n.min(last),
            Self::FromEnd(back) => last.saturating_sub(back),
        }
    }
}

/// A whole frame: Total_Length, `command_id`, `sequence_id`, then `body`.
fn header_and(command_id: CommandId, sequence_id: u32, body: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(12 + body.len());
    frame.extend(((12 + body.len()) as u32).to_be_bytes());
    frame.extend(command_id.0.to_be_bytes());
    frame.extend(sequence_id.to_be_bytes());
    frame.extend(body);
    frame
}

/// Command_Id of an encoded frame.
fn command_of(frame: &[u8]) -> CommandId {
    CommandId(u32::from_be_bytes(frame[4..8].try_into().unwrap()))
}

proptest! {
    /// The property: `decode(encode(x)) == x` for every PDU in 2.0 and 3.0 (and in the
    /// layout any other version byte selects), with the spec's Total_Length.
    #[test]
    fn every_pdu_round_trips((v, frame, len) in versioned_frame()) {
        let bytes = frame.encode(v);
        prop_assert_eq!(bytes.len(), len, "Total_Length per the spec for {}", v);
        prop_assert_eq!(&bytes[..4], &(len as u32).to_be_bytes()[..]);
        prop_assert_eq!(command_of(&bytes), frame.pdu.command_id());
        prop_assert_eq!(&bytes[8..12], &frame.sequence_id.to_be_bytes()[..]);
        prop_assert_eq!(Frame::check(&bytes, 4096), Ok(Some(len)));
        prop_assert_eq!(Frame::decode(&bytes, v), Ok(frame));
    }

    /// A frame with a Command_Id this crate does not handle is kept as it came and re-encodes
    /// byte for byte, whatever its body.
    #[test]
    fn unknown_commands_re_encode_byte_for_byte(
        command_id in unknown_command(), sequence_id in any::<u32>(), body in vec(any::<u8>(), 0..=300),
        v in any::<u8>(),
    ) {
        let bytes = header_and(command_id, sequence_id, &body);
        let frame = Frame::decode(&bytes, Version(v));
        prop_assert_eq!(&frame, &Ok(Frame { sequence_id, pdu: Pdu::Unknown { command_id, body } }));
        prop_assert_eq!(frame.unwrap().encode(Version(v)), bytes);
    }

    /// Generated SUBMITs and DELIVERs are within the wire sizes, as `validate` defines them
    /// (keeps the generators honest: nothing above was cut on encode and still compared equal).
    #[test]
    fn generated_bodies_validate(
        (v, s, d) in version().prop_flat_map(|v| (Just(v), submit(v), deliver(v))),
    ) {
        prop_assert_eq!(s.validate(v), Ok(()));
        prop_assert_eq!(d.validate(v), Ok(()));
    }

    /// A DELIVER carrying a report: the frame round-trips and the report reads back out of it.
    #[test]
    fn report_delivers_round_trip(
        (v, (deliver, report), sequence_id) in version().prop_flat_map(|v| (Just(v), report_deliver(v), any::<u32>())),
    ) {
        prop_assert_eq!(deliver.msg_content.len(), if v.is_v3() { 71 } else { 60 });
        let frame = Frame { sequence_id, pdu: Pdu::Deliver(deliver) };
        let decoded = Frame::decode(&frame.encode(v), v);
        prop_assert_eq!(&decoded, &Ok(frame));
        let Ok(Frame { pdu: Pdu::Deliver(deliver), .. }) = decoded else { unreachable!() };
        prop_assert_eq!(deliver.report(v), Some(Ok(report)));
    }

    /// The report body alone: 60 or 71 bytes, back to itself, and out of `Deliver::report`.
    #[test]
    fn status_reports_round_trip((v, report) in layout().prop_flat_map(|v| (Just(v), status_report(v)))) {
        let bytes = report.encode(v);
        prop_assert_eq!(bytes.len(), if v.is_v3() { 71 } else { 60 });
        prop_assert_eq!(StatusReport::decode(&bytes, v), Ok(report.clone()));
        let deliver = Deliver::with_report(&report, v);
        prop_assert_eq!(&deliver.src_terminal_id, &report.dest_terminal_id);
        prop_assert_eq!(deliver.report(v), Some(Ok(report.clone())));
        // A 2.0 body on a 3.0 link (some ISMGs send one) is recognised by its length.
        if !v.is_v3() {
            prop_assert_eq!(Deliver::with_report(&report, v).report(Version::V30), Some(Ok(report)));
        }
    }

    /// The login digests survive the wire: a CONNECT built by `Connect::new` verifies on the
    /// server after encode → decode, and so does the CONNECT_RESP on the client, in both
    /// layouts; a different secret does not verify.
    #[test]
    fn logins_verify_after_the_wire(
        v in version(),
        sp_id in text(6),
        secret in vec(any::<u8>(), 0..32),
        wrong in vec(any::<u8>(), 0..32),
        timestamp in any::<u32>(),
        (ismg_version, sequence_id) in (layout(), any::<u32>()),
    ) {
        let connect = Connect::new(&sp_id, &secret, v, timestamp);
        let frame = Frame { sequence_id, pdu: Pdu::Connect(connect.clone()) };
        // CONNECT has one layout, so the server can read it before it knows the version.
        let Ok(Frame { pdu: Pdu::Connect(read), .. }) = Frame::decode(&frame.encode(v), Version::V30) else {
            return Err(TestCaseError::fail("CONNECT did not decode"));
        };
        prop_assert_eq!(&read, &connect);
        prop_assert!(read.verify(&secret));
        prop_assert_eq!(read.verify(&wrong), wrong == secret);

        let resp = ConnectResp::new(ConnectResp::STATUS_OK, &read.authenticator, &secret, ismg_version, v);
        let frame = Frame { sequence_id, pdu: Pdu::ConnectResp(resp) };
        let Ok(Frame { pdu: Pdu::ConnectResp(back), .. }) = Frame::decode(&frame.encode(v), v) else {
            return Err(TestCaseError::fail("CONNECT_RESP did not decode"));
        };
        prop_assert!(back.verify(&connect.authenticator, &secret));
        prop_assert_eq!(back.verify(&connect.authenticator, &wrong), wrong == secret);
    }

    /// Every 64-bit value is some packing of the seven fields, and packing its fields gives it back.
    #[test]
    fn msg_ids_decompose_and_recompose(id in any::<u64>()) {
        let p = msg_id::decompose(id);
        prop_assert_eq!(msg_id::compose(p.month, p.day, p.hour, p.minute, p.second, p.gateway, p.seq), id);
    }

    /// Fields within their bit widths (4, 5, 5, 6, 6, 22, 16) survive compose → decompose;
    /// the calendar ranges the spec uses are a subset.
    #[test]
    fn msg_id_fields_survive_compose(
        month in 0u8..16, day in 0u8..32, hour in 0u8..32, minute in 0u8..64, second in 0u8..64,
        gateway in 0u32..(1 << 22), seq in any::<u16>(), n in any::<u16>(),
    ) {
        let id = msg_id::compose(month, day, hour, minute, second, gateway, seq);
        let parts = Parts { month, day, hour, minute, second, gateway, seq };
        prop_assert_eq!(msg_id::decompose(id), parts);
        // The n-th recipient of a group SUBMIT differs only in the wrapped 16-bit sequence.
        prop_assert_eq!(msg_id::decompose(msg_id::nth(id, n)), Parts { seq: seq.wrapping_add(n), ..parts });
    }

    /// Anything at all, as a frame, a report body or a report DELIVER's content, in any layout.
    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in vec(any::<u8>(), 0..512), v in any::<u8>()) {
        let v = Version(v);
        let _ = Frame::check(&bytes, u32::MAX);
        let _ = Frame::decode(&bytes, v);
        let _ = StatusReport::decode(&bytes, v);
        let _ = Deliver { registered_delivery: 1, msg_content: bytes, ..Deliver::default() }.report(v);
    }

    /// A truthful header and an odd body never panic the decoder, and whatever it accepts is
    /// normal: it re-encodes to bytes that decode to the same frame. Decoding is cheap, so each
    /// case tries several frames, in two layouts each.
    #[test]
    fn sane_headers_with_any_body_never_panic(
        (v, frames) in version().prop_flat_map(|v| (Just(v), vec(sane_frame(v), 1..8))),
        other in any::<u8>(),
    ) {
        for bytes in &frames {
            for v in [v, Version(other)] {
                let Ok(frame) = Frame::decode(bytes, v) else { continue };
                if let Pdu::Deliver(deliver) = &frame.pdu {
                    let _ = deliver.report(v);
                }
                prop_assert_eq!(Frame::decode(&frame.encode(v), v), Ok(frame));
            }
        }
    }

    /// Fresh sessions (a server awaiting CONNECT, a client before and during login) fed any
    /// byte stream: no panic, an error only with the session closed, and only well-formed
    /// frames sent back.
    #[test]
    fn fresh_sessions_survive_any_bytes(
        chunks in vec(prop_oneof![vec(any::<u8>(), 0..64), version().prop_flat_map(sane_frame)], 0..8),
        v in version(),
    ) {
        let now = Instant::now();
        let config = SessionConfig { version: v, ..SessionConfig::default() };
        let mut server = ServerSession::new(config.clone());
        let mut idle = ClientSession::new(config.clone(), b"901234".to_vec(), b"secret".to_vec());
        let mut connecting = ClientSession::new(config, b"901234".to_vec(), b"secret".to_vec());
        connecting.connect(now, 1_015_093_000);
        for chunk in &chunks {
            if server.handle_input(chunk, now).is_err() {
                prop_assert!(server.is_closed());
            }
            drain_server(&mut server)?;
            for client in [&mut idle, &mut connecting] {
                if client.handle_input(chunk, now).is_err() {
                    prop_assert!(client.is_closed());
                }
                drain_client(client)?;
            }
        }
    }

    /// A logged-in pair fed frames with truthful headers: valid PDUs of every kind, damaged
    /// ones and random bodies. The pair is 2.0 or 3.0, either side asking for the lower
    /// version. Nothing panics, input never errors, everything sent back decodes, and only a
    /// well-formed TERMINATE closes a session.
    #[test]
    fn logged_in_sessions_survive_sane_frames(
        ((ours, theirs), frames) in (version(), version())
            .prop_flat_map(|vs| (Just(vs), vec(sane_frame(vs.0.min(vs.1)), 1..12))),
    ) {
        let now = Instant::now();
        let (mut client, mut server) = logged_in_pair_with(ours, theirs, now);
        for frame in &frames {
            let terminate = command_of(frame) == CommandId::TERMINATE && frame.len() == 12;
            if !server.is_closed() {
                prop_assert!(server.handle_input(frame, now).is_ok());
                prop_assert_eq!(server.is_closed(), terminate, "server after {:02x?}", frame);
                drain_server(&mut server)?;
            }
            if !client.is_closed() {
                prop_assert!(client.handle_input(frame, now).is_ok());
                prop_assert_eq!(client.is_closed(), terminate, "client after {:02x?}", frame);
                drain_client(&mut client)?;
            }
        }
    }

    /// Valid frames arrive however TCP splits them: the events are those of one whole read.
    #[test]
    fn frames_split_anywhere_give_the_same_events(
        (v, frames, cuts) in version().prop_flat_map(|v| {
            (Just(v), vec(pdu(v), 1..6), vec(any::<Index>(), 0..8))
        }),
    ) {
        let now = Instant::now();
        let stream: Vec<u8> = frames
            .into_iter()
            .enumerate()
            .flat_map(|(i, (pdu, _))| Frame { sequence_id: i as u32, pdu }.encode(v))
            .collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
        cuts.extend([0, stream.len()]);
        cuts.sort_unstable();

        let (mut whole, _) = logged_in_pair(v, now);
        let _ = whole.handle_input(&stream, now);
        let (mut split, _) = logged_in_pair(v, now);
        for pair in cuts.windows(2) {
            let _ = split.handle_input(&stream[pair[0]..pair[1]], now);
        }
        let events = |c: &mut ClientSession| std::iter::from_fn(|| c.poll_event()).collect::<Vec<_>>();
        let sent = |c: &mut ClientSession| std::iter::from_fn(|| c.poll_transmit()).collect::<Vec<_>>();
        prop_assert_eq!(events(&mut split), events(&mut whole));
        prop_assert_eq!(sent(&mut split), sent(&mut whole));
        prop_assert_eq!(split.is_closed(), whole.is_closed());
    }
}

/// A client and server logged in to each other in `v`, through the public API only, with the
/// handshake drained.
fn logged_in_pair(v: Version, now: Instant) -> (ClientSession, ServerSession) {
    logged_in_pair_with(v, Version::V30, now)
}

/// A client asking for `client_version` logged in to a server accepting up to
/// `server_version`; they settle on the lower.
fn logged_in_pair_with(
    client_version: Version,
    server_version: Version,
    now: Instant,
) -> (ClientSession, ServerSession) {
    let v = client_version.min(server_version);
    let config = |version| SessionConfig { version, ..SessionConfig::default() };
    let mut client = ClientSession::new(config(client_version), b"901234".to_vec(), b"secret".to_vec());
    let mut server = ServerSession::new(config(server_version));
    client.connect(now, 1_015_093_000);
    server.handle_input(&client.poll_transmit().expect("CONNECT"), now).unwrap();
    let Some(ServerEvent::ConnectRequest { sequence_id, connect }) = server.poll_event() else {
        panic!("no CONNECT reached the server");
    };
    assert!(connect.verify(b"secret"));
    server.answer_connect(sequence_id, &connect, ConnectResp::STATUS_OK, b"secret");
    client.handle_input(&server.poll_transmit().expect("CONNECT_RESP"), now).unwrap();
    assert_eq!(client.poll_event(), Some(ClientEvent::Connected { version: v }));
    assert_eq!(client.ismg_authenticated(), Some(true));
    assert_eq!(server.version(), v);
    (client, server)
}

/// Answers what the client reported and checks every frame it sends decodes in its layout.
fn drain_client(client: &mut ClientSession) -> Result<(), TestCaseError> {
    while let Some(event) = client.poll_event() {
        if let ClientEvent::Deliver { sequence_id, deliver } = event {
            let _ = deliver.report(client.version());
            client.ack_deliver(sequence_id, deliver.msg_id, 0);
        }
    }
    while let Some(out) = client.poll_transmit() {
        let decoded = Frame::decode(&out, client.version());
        prop_assert!(decoded.is_ok(), "client sent {:02x?}: {:?}", out, decoded);
    }
    Ok(())
}

/// Answers what the server reported and checks every frame it sends decodes in its layout.
fn drain_server(server: &mut ServerSession) -> Result<(), TestCaseError> {
    while let Some(event) = server.poll_event() {
        if let ServerEvent::Submit { sequence_id, .. } = event {
            server.answer_submit(sequence_id, SubmitResp { msg_id: 1, result: SubmitResult::OK });
        }
    }
    while let Some(out) = server.poll_transmit() {
        let decoded = Frame::decode(&out, server.version());
        prop_assert!(decoded.is_ok(), "server sent {:02x?}: {:?}", out, decoded);
    }
    Ok(())
}
