//! Which of a connection's sources (the socket's read half, the ping timer,
//! the stop token) woke it, so its loop polls a source again only after it
//! woke, not every time the connection wakes to write: re-polling them all
//! costs more than writing a small frame.
//!
//! The flags live in the `Client`, beside the queue the loop reads on every
//! wake, and a woken source wakes the task through the queue's waker: the
//! hot path touches one structure, not one allocation per source.

use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::client::Client;

pub const STOP: u8 = 1;
pub const READ: u8 = 2;
pub const PING: u8 = 4;
/// Every source counts as woken at first, so each is polled once and
/// registers its waker.
pub const ALL: u8 = STOP | READ | PING;

struct SourceWaker {
    client: Arc<Client>,
    source: u8,
}

impl Wake for SourceWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.client.source_woke(self.source);
    }
}

/// One source of the connection, polled through its gate.
pub struct Gate {
    source: u8,
    waker: Waker,
}

impl Gate {
    pub fn new(client: &Arc<Client>, source: u8) -> Gate {
        Gate { source, waker: Waker::from(Arc::new(SourceWaker { client: client.clone(), source })) }
    }

    /// Polls with `poll` if the source woke since it last answered Pending.
    /// `register` hands the task's waker to the client first: the first
    /// gate of every pass must, so a source waking after its flag was read
    /// still wakes the task.
    pub fn poll<T>(
        &self,
        client: &Client,
        cx: &mut Context<'_>,
        register: bool,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        if register {
            client.register_waker(cx.waker());
        }
        if !client.take_woken(self.source) {
            return Poll::Pending;
        }
        let answer = poll(&mut Context::from_waker(&self.waker));
        if answer.is_ready() {
            // It may have more ready at once (several messages in one read).
            client.source_woke_quietly(self.source);
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::domain::comment::Audience;
    use crate::domain::ids::UserId;
    use crate::ws::protocol::PresenceUser;

    struct CountingTask(AtomicUsize);

    impl Wake for CountingTask {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_source_is_polled_again_only_after_it_woke_and_its_wake_reaches_the_task() {
        let who = PresenceUser { id: UserId::new(), display_name: "ana".into(), organization: "O".into() };
        let (client, _receiver) =
            Client::new(1, who, Audience::Everyone, 8, tokio_util::sync::CancellationToken::new(), None);
        let gate = Gate::new(&client, READ);
        let task = Arc::new(CountingTask(AtomicUsize::new(0)));
        let task_waker = Waker::from(task.clone());
        let mut cx = Context::from_waker(&task_waker);
        let (polls, source_waker) = (Cell::new(0), RefCell::new(None::<Waker>));
        let poll_source = |cx: &mut Context<'_>| {
            polls.set(polls.get() + 1);
            *source_waker.borrow_mut() = Some(cx.waker().clone());
            Poll::<()>::Pending
        };
        assert!(gate.poll(&client, &mut cx, true, poll_source).is_pending());
        assert_eq!(polls.get(), 1, "polled once at first");
        assert!(gate.poll(&client, &mut cx, true, poll_source).is_pending());
        assert_eq!(polls.get(), 1, "not polled again before it woke");
        source_waker.borrow().as_ref().expect("registered").wake_by_ref();
        assert_eq!(task.0.load(Ordering::SeqCst), 1, "the source's wake reached the task");
        assert!(gate.poll(&client, &mut cx, true, poll_source).is_pending());
        assert_eq!(polls.get(), 2, "polled again after it woke");
        let ready = |_: &mut Context<'_>| Poll::Ready(7);
        let other = Gate::new(&client, PING);
        assert_eq!(other.poll(&client, &mut cx, false, ready), Poll::Ready(7));
        assert_eq!(other.poll(&client, &mut cx, false, ready), Poll::Ready(7), "ready may have more");
    }
}
