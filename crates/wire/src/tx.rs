//! A session's queued output, joined for one write.

/// Joins the frames `next` hands out, until it has none, into one buffer: a session that
/// queued a window's worth of frames (a hundred submits, their answers, a batch of receipts)
/// then costs the link one write instead of a system call each. `None` when nothing is
/// queued; a single frame comes back as it was, uncopied.
pub fn gather(mut next: impl FnMut() -> Option<Vec<u8>>) -> Option<Vec<u8>> {
    let mut out = next()?;
    while let Some(frame) = next() {
        out.extend_from_slice(&frame);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_joined_in_order_and_nothing_queued_is_none() {
        let mut queued = vec![vec![1, 2], vec![3], vec![4, 5, 6]].into_iter();
        assert_eq!(gather(|| queued.next()), Some(vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(gather(|| queued.next()), None);
    }
}
