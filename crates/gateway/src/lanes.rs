//! The channel backlog as priority lanes: verification codes overtake notifications, which
//! overtake marketing. A segment waits behind at most the window already on the wire plus
//! the segments of higher lanes, never behind a lower lane's bulk job.

use std::collections::VecDeque;

use hongyan_types::{Category, CategoryKind};

use crate::adapter::Work;

/// Number of lanes, one per category kind.
const LANES: usize = 3;

/// The lane of a category, by its kind: 0 is served first.
pub(crate) fn lane(category: Category) -> u8 {
    match category.kind() {
        CategoryKind::Verification => 0,
        CategoryKind::Notification => 1,
        CategoryKind::Marketing => 2,
    }
}

/// Segments waiting for a window slot, by lane.
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    lanes: [VecDeque<Work>; LANES],
}

impl Lanes {
    fn of(&mut self, w: &Work) -> &mut VecDeque<Work> {
        &mut self.lanes[usize::from(w.lane).min(LANES - 1)]
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

    /// Segments waiting in all lanes.
    pub(crate) fn len(&self) -> usize {
        self.lanes.iter().map(VecDeque::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongyan_types::MessageId;

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
}
