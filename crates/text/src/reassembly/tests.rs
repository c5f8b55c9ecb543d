//! Reassembly: order, duplicates, timeout, eviction, receiver rules.

use proptest::prelude::*;

use super::*;

const TIMEOUT: Duration = Duration::from_secs(60);

fn key(originator: &str, reference: u16, total: u8) -> PartKey {
    PartKey { originator: originator.to_owned(), reference, total }
}

fn part(n: u8) -> Vec<u8> {
    format!("part{n}").into_bytes()
}

/// Pushes `numbers` of a 3-part message in the given order; returns what each push gave.
fn push_all(r: &mut Reassembler, numbers: &[u8], now: Instant) -> Vec<Option<Complete>> {
    numbers.iter().map(|&n| r.push(key("13800138000", 7, 3), n, part(n), now)).collect()
}

#[test]
fn completes_in_any_order_and_ignores_duplicates() {
    let cases: &[&[u8]] = &[&[1, 2, 3], &[3, 1, 2], &[2, 3, 1], &[3, 2, 1], &[1, 1, 2, 3], &[2, 2, 2, 1, 3]];
    for &order in cases {
        let mut r = Reassembler::new(TIMEOUT, 10);
        let results = push_all(&mut r, order, Instant::now());
        let (last, before) = results.split_last().unwrap();
        assert!(before.iter().all(Option::is_none), "{order:?}");
        let done = last.clone().expect("complete");
        assert_eq!(done.parts, vec![part(1), part(2), part(3)], "{order:?}");
        assert_eq!(done.joined(), b"part1part2part3");
        assert_eq!(r.pending(), 0);
        assert_eq!(r.poll_timeout(), None);
    }
}

#[test]
fn a_duplicate_keeps_the_first_copy() {
    let mut r = Reassembler::new(TIMEOUT, 10);
    let now = Instant::now();
    let k = key("a", 1, 2);
    assert_eq!(r.push(k.clone(), 1, b"first".to_vec(), now), None);
    assert_eq!(r.push(k.clone(), 1, b"again".to_vec(), now), None);
    let done = r.push(k, 2, b"!".to_vec(), now).unwrap();
    assert_eq!(done.joined(), b"first!");
}

#[test]
fn keys_do_not_mix() {
    let mut r = Reassembler::new(TIMEOUT, 10);
    let now = Instant::now();
    assert_eq!(r.push(key("a", 1, 2), 1, part(1), now), None);
    assert_eq!(r.push(key("b", 1, 2), 2, part(2), now), None); // other originator
    assert_eq!(r.push(key("a", 2, 2), 2, part(2), now), None); // other reference
    assert_eq!(r.push(key("a", 1, 3), 2, part(2), now), None); // other total
    assert_eq!(r.pending(), 4);
    assert!(r.push(key("a", 1, 2), 2, part(2), now).is_some());
}

#[test]
fn parts_the_rules_say_stand_alone_complete_at_once() {
    let mut r = Reassembler::new(TIMEOUT, 10);
    let now = Instant::now();
    for (total, number) in [(1, 1), (0, 1), (3, 0), (3, 4)] {
        let done = r.push(key("a", 1, total), number, part(number), now).expect("stand-alone");
        assert_eq!(done.parts, vec![part(number)], "{total}/{number}");
    }
    assert_eq!(r.pending(), 0);
}

#[test]
fn timeout_hands_back_what_arrived() {
    let mut r = Reassembler::new(TIMEOUT, 10);
    let t0 = Instant::now();
    push_all(&mut r, &[1, 3], t0);
    assert_eq!(r.poll_timeout(), Some(t0 + TIMEOUT));
    assert!(r.poll_expired(t0 + TIMEOUT - Duration::from_millis(1)).is_empty());
    let expired = r.poll_expired(t0 + TIMEOUT);
    assert_eq!(expired.len(), 1);
    let lost = &expired[0];
    assert_eq!(lost.key, key("13800138000", 7, 3));
    assert_eq!(lost.parts, vec![(1, part(1)), (3, part(3))]);
    assert_eq!(lost.missing(), vec![2]);
    assert_eq!(lost.reason, GiveUpReason::TimedOut);
    assert_eq!(r.pending(), 0);
    assert!(r.poll_expired(t0 + TIMEOUT * 2).is_empty());
}

#[test]
fn timeout_counts_from_the_first_part() {
    let mut r = Reassembler::new(TIMEOUT, 10);
    let t0 = Instant::now();
    push_all(&mut r, &[1], t0);
    push_all(&mut r, &[2], t0 + TIMEOUT / 2);
    assert_eq!(r.poll_expired(t0 + TIMEOUT).len(), 1);
}

#[test]
fn a_late_part_starts_over_and_the_stale_one_is_reported() {
    let mut r = Reassembler::new(TIMEOUT, 10);
    let t0 = Instant::now();
    push_all(&mut r, &[1, 2], t0);
    let late = t0 + TIMEOUT + Duration::from_secs(1);
    assert_eq!(push_all(&mut r, &[3], late), vec![None]);
    assert_eq!(r.poll_timeout(), Some(late));
    let given_up = r.poll_expired(late);
    assert_eq!(given_up.len(), 1);
    assert_eq!(given_up[0].parts, vec![(1, part(1)), (2, part(2))]);
    assert_eq!(r.pending(), 1);
    assert_eq!(r.poll_timeout(), Some(late + TIMEOUT));
}

#[test]
fn the_oldest_is_evicted_when_full() {
    let mut r = Reassembler::new(TIMEOUT, 2);
    let t0 = Instant::now();
    for (i, originator) in ["a", "b", "c"].into_iter().enumerate() {
        assert_eq!(r.push(key(originator, 1, 2), 1, part(1), t0 + Duration::from_secs(i as u64)), None);
    }
    assert_eq!(r.pending(), 2);
    assert_eq!(r.poll_timeout(), Some(t0 + Duration::from_secs(2)));
    let evicted = r.poll_expired(t0 + Duration::from_secs(2));
    assert_eq!(evicted.len(), 1);
    assert_eq!(evicted[0].key.originator, "a");
    assert_eq!(evicted[0].reason, GiveUpReason::Evicted);
    assert_eq!(evicted[0].missing(), vec![2]);
    assert!(r.push(key("b", 1, 2), 2, part(2), t0).is_some());
    assert!(r.push(key("c", 1, 2), 2, part(2), t0).is_some());
    // A completed message frees its slot: nothing more is evicted.
    assert_eq!(r.push(key("d", 1, 2), 1, part(1), t0), None);
    assert_eq!(r.push(key("e", 1, 2), 1, part(1), t0), None);
    assert!(r.poll_expired(t0).is_empty());
}

#[test]
fn zero_max_pending_still_holds_one() {
    let mut r = Reassembler::new(TIMEOUT, 0);
    let now = Instant::now();
    assert_eq!(r.push(key("a", 1, 2), 1, part(1), now), None);
    assert!(r.push(key("a", 1, 2), 2, part(2), now).is_some());
}

#[test]
fn parts_can_carry_more_than_bytes() {
    let mut r: Reassembler<(u64, Vec<u8>)> = Reassembler::new(TIMEOUT, 4);
    let now = Instant::now();
    assert_eq!(r.push(key("a", 1, 2), 2, (77, part(2)), now), None);
    let done = r.push(key("a", 1, 2), 1, (76, part(1)), now).unwrap();
    assert_eq!(done.parts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![76, 77]);
}

proptest! {
    #[test]
    fn any_arrival_order_completes_exactly_once(
        total in 2u8..=20,
        arrivals in prop::collection::vec(any::<prop::sample::Index>(), 0..60),
    ) {
        let mut r = Reassembler::new(TIMEOUT, 4);
        let now = Instant::now();
        let k = key("a", 9, total);
        // Random parts (with repeats), then every part once more so the message completes.
        let numbers = arrivals.iter().map(|i| i.index(usize::from(total)) as u8 + 1).chain(1..=total);
        let mut completions = Vec::new();
        for n in numbers {
            if let Some(done) = r.push(k.clone(), n, vec![n], now) {
                completions.push(done);
            }
        }
        prop_assert!(!completions.is_empty());
        prop_assert_eq!(completions[0].joined(), (1..=total).collect::<Vec<_>>());
        // After completion the trailing repeats start a new message; it is reported, not lost.
        let leftover = r.poll_expired(now + TIMEOUT);
        prop_assert!(leftover.iter().all(|m| m.reason == GiveUpReason::TimedOut && !m.parts.is_empty()));
        prop_assert_eq!(r.pending(), 0);
    }
}
