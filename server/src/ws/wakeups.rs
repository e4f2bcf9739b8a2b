//! What woke a connection's task: frames offered to its queue, or one of
//! its sources (the socket's read half, the ping timer, the stop token).
//! The client owns it, beside the queue the loop reads on every wake, so the
//! hot path touches one structure, not one allocation per source; the
//! gates (`gates.rs`) only need this, not the client, to wake the task.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::Waker;

use futures_util::task::AtomicWaker;

pub const STOP: u8 = 1;
pub const READ: u8 = 2;
pub const PING: u8 = 4;
/// Every source counts as woken at first, so each is polled once and
/// registers its waker.
pub const ALL: u8 = STOP | READ | PING;

pub struct Wakeups {
    /// The connection waiting for frames, or for one of its sources.
    task: AtomicWaker,
    /// The sources that woke and were not polled since.
    woken: AtomicU8,
}

impl Default for Wakeups {
    fn default() -> Self {
        Wakeups { task: AtomicWaker::new(), woken: AtomicU8::new(ALL) }
    }
}

/// Whatever keeps a connection's wake-ups alive for the wakers handed out
/// (the client, in practice).
pub trait OwnsWakeups: Send + Sync + 'static {
    fn wakeups(&self) -> &Wakeups;
}

/// The waker a source is polled with: it marks the source and wakes the task.
pub fn source_waker<O: OwnsWakeups>(owner: &Arc<O>, source: u8) -> Waker {
    Waker::from(Arc::new(SourceWaker { owner: owner.clone(), source }))
}

struct SourceWaker<O> {
    owner: Arc<O>,
    source: u8,
}

impl<O: OwnsWakeups> std::task::Wake for SourceWaker<O> {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.owner.wakeups().source_woke(self.source);
    }
}

impl Wakeups {
    pub fn register(&self, waker: &Waker) {
        self.task.register(waker);
    }

    /// Wakes the task without marking a source: frames were queued.
    pub fn wake_task(&self) {
        self.task.wake();
    }

    /// Marks `source` as woken and wakes the connection.
    pub fn source_woke(&self, source: u8) {
        self.woken.fetch_or(source, Ordering::Release);
        self.task.wake();
    }

    /// Marks `source` to be polled again on the connection's next pass.
    pub fn source_woke_quietly(&self, source: u8) {
        self.woken.fetch_or(source, Ordering::Release);
    }

    /// Whether `source` woke since the last call, clearing its flag. Read
    /// first, because most calls find it clear and a plain read does not
    /// take the cache line away from the hub offering frames.
    pub fn take_woken(&self, source: u8) -> bool {
        self.woken.load(Ordering::Acquire) & source != 0
            && self.woken.fetch_and(!source, Ordering::AcqRel) & source != 0
    }
}
