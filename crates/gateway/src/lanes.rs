//! The channel backlog as priority lanes: verification codes overtake notifications, which
//! overtake marketing. A segment waits behind at most the window already on the wire plus
//! the segments of higher lanes, never behind a lower lane's bulk job. Each lane holds at
//! most [`HOT_CAP`] segments in memory; what comes after waits as ids and is read back from
//! the store in order.

use std::collections::VecDeque;

use hongyan_types::{Category, CategoryKind, MessageId};

use crate::adapter::Work;

/// Number of lanes, one per category kind.
const LANES: usize = 3;

/// Segments a lane keeps in memory. Beyond it the lane keeps only message ids ("cold") and
/// reads the messages back from the store as the in-memory part drains: a request of 100,000
/// numbers then costs 8 bytes a number here instead of its text and encoded segments, and
/// the store, which has every accepted message anyway, stays the only full copy. At 10,000
/// segments a second this is two seconds of sending per lane, so the link never waits for a
/// refill.
pub(crate) const HOT_CAP: usize = 20_000;

/// A lane is refilled when fewer segments than this wait in memory.
const REFILL_BELOW: usize = HOT_CAP / 2;

/// Messages read back at a time: what a read holds at once stays small (a message read
/// from the store is about half a kilobyte before it is cut into segments).
const REFILL_CHUNK: usize = 2_000;

/// The lane of a category, by its kind: 0 is served first.
pub(crate) fn lane(category: Category) -> u8 {
    match category.kind() {
        CategoryKind::Verification => 0,
        CategoryKind::Notification => 1,
        CategoryKind::Marketing => 2,
    }
}

fn index(lane: u8) -> usize {
    usize::from(lane).min(LANES - 1)
}

/// Segments waiting for a window slot, by lane; and the ids of messages waiting behind them.
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    lanes: [VecDeque<Work>; LANES],
    /// Messages that came while their lane was full, in arrival order: ids only.
    cold: [VecDeque<MessageId>; LANES],
    /// A refill of the lane is being read; newcomers queue in `cold` behind it.
    refilling: [bool; LANES],
}

impl Lanes {
    fn of(&mut self, w: &Work) -> &mut VecDeque<Work> {
        &mut self.lanes[index(w.lane)]
    }

    /// The next segment: the front of the highest non-empty lane.
    pub(crate) fn pop(&mut self) -> Option<Work> {
        self.lanes.iter_mut().find_map(VecDeque::pop_front)
    }

    /// Back at the end of its lane.
    pub(crate) fn push_back(&mut self, w: Work) {
        self.of(&w).push_back(w);
    }

    /// Back at the front of its lane (it was first in line).
    pub(crate) fn push_front(&mut self, w: Work) {
        self.of(&w).push_front(w);
    }

    /// True when a new message of `lane` may wait in memory: the lane has room and nothing
    /// waits in the store before it. Otherwise [`Lanes::park`] it.
    pub(crate) fn admits(&self, lane: u8) -> bool {
        let l = index(lane);
        !self.refilling[l] && self.cold[l].is_empty() && self.lanes[l].len() < HOT_CAP
    }

    /// Keeps only the id of a message that does not fit; a refill reads it back.
    pub(crate) fn park(&mut self, lane: u8, id: MessageId) {
        self.cold[index(lane)].push_back(id);
    }

    /// True when some lane runs low while ids wait behind it.
    pub(crate) fn wants_refill(&self) -> bool {
        (0..LANES).any(|l| !self.refilling[l] && !self.cold[l].is_empty() && self.lanes[l].len() < REFILL_BELOW)
    }

    /// The ids to read back for the first lane that wants a refill, marked as being refilled.
    pub(crate) fn start_refill(&mut self) -> Option<(usize, Vec<MessageId>)> {
        let l = (0..LANES)
            .find(|&l| !self.refilling[l] && !self.cold[l].is_empty() && self.lanes[l].len() < REFILL_BELOW)?;
        let n = self.cold[l].len().min(HOT_CAP - self.lanes[l].len()).min(REFILL_CHUNK);
        self.refilling[l] = true;
        Some((l, self.cold[l].drain(..n).collect()))
    }

    /// The segments of a refill, at the end of their lane; `unread` (a failed read) goes
    /// back to the front of the lane's ids.
    pub(crate) fn finish_refill(&mut self, lane: usize, work: Vec<Work>, unread: Vec<MessageId>) {
        self.lanes[lane].extend(work);
        unread.into_iter().rev().for_each(|id| self.cold[lane].push_front(id));
        self.refilling[lane] = false;
    }

    /// Everything waiting, emptied out: the segments in memory and the parked ids by lane.
    pub(crate) fn take_all(&mut self) -> (Vec<Work>, [Vec<MessageId>; LANES]) {
        let work = std::iter::from_fn(|| self.pop()).collect();
        (work, self.cold.each_mut().map(|c| c.drain(..).collect()))
    }

    /// Parked ids given back by [`Lanes::take_all`], at the front of their lanes.
    pub(crate) fn unpark(&mut self, ids: [Vec<MessageId>; LANES]) {
        for (cold, ids) in self.cold.iter_mut().zip(ids) {
            ids.into_iter().rev().for_each(|id| cold.push_front(id));
        }
    }

    /// What waits: segments in memory plus parked messages.
    pub(crate) fn len(&self) -> usize {
        self.lanes.iter().map(VecDeque::len).sum::<usize>() + self.cold.iter().map(VecDeque::len).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(id: u64, category: Category) -> Work {
        Work {
            message_id: MessageId(id),
            to: "13800138000".into(),
            number: 1,
            total: 1,
            udh: false,
            payload: Vec::new(),
            lane: lane(category),
            attempts: 0,
            source_ext: String::new(),
        }
    }

    #[test]
    fn verification_overtakes_bulk() {
        let mut l = Lanes::default();
        for i in 0..1000 {
            l.push_back(w(i, Category::MARKETING));
        }
        l.push_back(w(5000, Category::NOTIFICATION));
        l.push_back(w(9000, Category::VERIFICATION));
        assert_eq!(l.pop().map(|w| w.message_id.0), Some(9000));
        assert_eq!(l.pop().map(|w| w.message_id.0), Some(5000));
        assert_eq!(l.pop().map(|w| w.message_id.0), Some(0));
        l.push_front(w(7, Category::MARKETING));
        assert_eq!(l.pop().map(|w| w.message_id.0), Some(7), "a put-back segment is first in its lane");
        assert_eq!(l.len(), 999);
    }

    #[test]
    fn a_full_lane_parks_ids_and_refills_them_in_order() {
        let mut l = Lanes::default();
        for i in 0..(HOT_CAP as u64 + 5) {
            if l.admits(2) {
                l.push_back(w(i, Category::MARKETING));
            } else {
                l.park(2, MessageId(i));
            }
        }
        assert_eq!(l.len(), HOT_CAP + 5);
        assert!(!l.wants_refill(), "the lane is full");
        assert!(l.admits(0), "another lane is not held up");
        for _ in 0..=REFILL_BELOW {
            l.pop();
        }
        assert!(l.wants_refill());
        let (lane, ids) = l.start_refill().expect("a refill");
        assert_eq!((lane, ids.first().map(|i| i.0), ids.len()), (2, Some(HOT_CAP as u64), 5));
        assert!(!l.admits(2), "newcomers queue behind the refill");
        l.park(2, MessageId(99_999));
        l.finish_refill(lane, vec![w(HOT_CAP as u64, Category::MARKETING)], ids[1..].to_vec());
        let (work, cold) = l.take_all();
        assert_eq!(work.last().map(|w| w.message_id.0), Some(HOT_CAP as u64), "read back at the end of its lane");
        let expect: Vec<u64> = (HOT_CAP as u64 + 1..HOT_CAP as u64 + 5).chain([99_999]).collect();
        assert_eq!(cold[2].iter().map(|i| i.0).collect::<Vec<_>>(), expect, "unread ids first, then newcomers");
    }
}
