//! Which of a connection's sources woke it, so its loop polls a source
//! again only after it woke, not every time the connection wakes to write:
//! re-polling them all costs more than writing a small frame. The flags are
//! the connection's `Wakeups`.

use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::wakeups::{source_waker, OwnsWakeups, Wakeups};

/// One source of the connection, polled through its gate.
pub struct Gate {
    source: u8,
    waker: Waker,
}

impl Gate {
    pub fn new<O: OwnsWakeups>(owner: &Arc<O>, source: u8) -> Gate {
        Gate { source, waker: source_waker(owner, source) }
    }

    /// Polls with `poll` if the source woke since it last answered Pending.
    /// `register` hands the task's waker to `wakeups` first: the first
    /// gate of every pass must, so a source waking after its flag was read
    /// still wakes the task.
    pub fn poll<T>(
        &self,
        wakeups: &Wakeups,
        cx: &mut Context<'_>,
        register: bool,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        if register {
            wakeups.register(cx.waker());
        }
        if !wakeups.take_woken(self.source) {
            return Poll::Pending;
        }
        let answer = poll(&mut Context::from_waker(&self.waker));
        if answer.is_ready() {
            // It may have more ready at once (several messages in one read).
            wakeups.source_woke_quietly(self.source);
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use std::task::Wake;

    use super::*;
    use crate::ws::wakeups::{PING, READ};

    struct Owner(Wakeups);

    impl OwnsWakeups for Owner {
        fn wakeups(&self) -> &Wakeups {
            &self.0
        }
    }

    struct CountingTask(AtomicUsize);

    impl Wake for CountingTask {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_source_is_polled_again_only_after_it_woke_and_its_wake_reaches_the_task() {
        let owner = Arc::new(Owner(Wakeups::default()));
        let gate = Gate::new(&owner, READ);
        let task = Arc::new(CountingTask(AtomicUsize::new(0)));
        let task_waker = Waker::from(task.clone());
        let mut cx = Context::from_waker(&task_waker);
        let (polls, source_waker) = (Cell::new(0), RefCell::new(None::<Waker>));
        let poll_source = |cx: &mut Context<'_>| {
            polls.set(polls.get() + 1);
            *source_waker.borrow_mut() = Some(cx.waker().clone());
            Poll::<()>::Pending
        };
        assert!(gate.poll(&owner.0, &mut cx, true, poll_source).is_pending());
        assert_eq!(polls.get(), 1, "polled once at first");
        assert!(gate.poll(&owner.0, &mut cx, true, poll_source).is_pending());
        assert_eq!(polls.get(), 1, "not polled again before it woke");
        source_waker.borrow().as_ref().expect("registered").wake_by_ref();
        assert_eq!(task.0.load(Ordering::SeqCst), 1, "the source's wake reached the task");
        assert!(gate.poll(&owner.0, &mut cx, true, poll_source).is_pending());
        assert_eq!(polls.get(), 2, "polled again after it woke");
        let ready = |_: &mut Context<'_>| Poll::Ready(7);
        let other = Gate::new(&owner, PING);
        assert_eq!(other.poll(&owner.0, &mut cx, false, ready), Poll::Ready(7));
        assert_eq!(other.poll(&owner.0, &mut cx, false, ready), Poll::Ready(7), "ready may have more");
    }
}
