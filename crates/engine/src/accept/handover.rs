//! The step from a request's commit to its hand-on, kept whole when the caller stops waiting.
//!
//! A server drops the future of a request whose client hung up (hyper drops the handler; a
//! closing SMPP or CMPP session aborts its submits). Dropped while its insert is in the
//! writer's queue, a request would be stored but never handed to its channel — sent only
//! after the next start, which for a verification code is as good as lost. So the insert is
//! awaited through a [`Handover`]: polled to the end it is a plain await; dropped before, it
//! finishes the work in a task of its own. The task is spawned only then, so a request whose
//! caller waits pays for no task and no hand-off between threads.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use hongyan_store::{BoxFuture, NewMessage, StoreError};

/// What an insert's outcome leads to when nobody waits for it any more.
pub(super) type Abandoned = Box<dyn FnOnce(Result<Vec<NewMessage>, StoreError>) + Send>;

/// An insert in flight, and what to do with its outcome if the caller goes away.
pub(super) struct Handover {
    insert: Option<BoxFuture<'static, Result<Vec<NewMessage>, StoreError>>>,
    abandoned: Option<Abandoned>,
}

impl Handover {
    pub(super) fn new(insert: BoxFuture<'static, Result<Vec<NewMessage>, StoreError>>, abandoned: Abandoned) -> Self {
        Self { insert: Some(insert), abandoned: Some(abandoned) }
    }
}

impl Future for Handover {
    type Output = Result<Vec<NewMessage>, StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(insert) = self.insert.as_mut() else { return Poll::Ready(Err(StoreError::Closed)) };
        let outcome = std::task::ready!(insert.as_mut().poll(cx));
        // Answered: the caller takes it from here.
        self.insert = None;
        self.abandoned = None;
        Poll::Ready(outcome)
    }
}

impl Drop for Handover {
    fn drop(&mut self) {
        if let (Some(insert), Some(abandoned)) = (self.insert.take(), self.abandoned.take()) {
            // Outside a runtime (its shutdown) the request is left to the next start.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { abandoned(insert.await) });
            }
        }
    }
}
