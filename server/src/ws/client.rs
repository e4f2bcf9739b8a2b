//! One websocket connection as the hub sees it: who it is, and the queue of
//! frames offered to it and not yet written, bounded so that a client that
//! stops reading is let go instead of growing the server's memory.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use super::protocol::PresenceUser;
use super::wakeups::{OwnsWakeups, Wakeups};
use crate::domain::comment::Audience;
use crate::domain::ids::UserId;

pub type ClientId = u64;

/// What the hub hands a connection: a websocket frame, serialized and
/// framed once for everyone who receives it, and for events the (topic,
/// seq) to drop duplicates by.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Frame(Bytes),
    Event { topic: Arc<str>, seq: i64, frame: Bytes },
}

impl Outgoing {
    pub fn byte_len(&self) -> usize {
        match self {
            Outgoing::Frame(frame) | Outgoing::Event { frame, .. } => frame.len(),
        }
    }
}

/// At most this much queued for one connection (about a hundred full-size
/// comments) before it counts as too slow.
pub const MAX_QUEUED_BYTES: usize = 1024 * 1024;

/// Why the hub asks a connection to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The client fell too far behind on this topic: tell it to resync.
    Overflow(String),
    /// The account was deactivated or signed out everywhere.
    SessionEnded,
}

/// Frames offered to one connection and not yet taken by it. A plain
/// deque, not a channel: it allocates nothing until used (an idle socket
/// costs no queue memory), and the connection takes everything in it at
/// once, to write it all with one flush.
#[derive(Default)]
struct Queue {
    frames: VecDeque<Outgoing>,
    /// The memory a slow client holds on the server, kept under
    /// `MAX_QUEUED_BYTES`.
    bytes: usize,
}

pub struct Client {
    pub id: ClientId,
    queue: Mutex<Queue>,
    /// Frames queued at most before the client counts as too slow.
    capacity: usize,
    /// What woke the connection: frames, or one of its sources.
    wakeups: Wakeups,
    pub user: PresenceUser,
    pub user_id: UserId,
    /// The session (token `jti`) the socket was opened in.
    pub session: Option<uuid::Uuid>,
    pub audience: Audience,
    stop: CancellationToken,
    ending: Mutex<Option<Ending>>,
}

/// The connection's end of its queue.
pub struct Receiver {
    client: Arc<Client>,
}

impl Receiver {
    /// Waits until frames are queued, then moves all of them into `batch`
    /// (an empty deque; the queue keeps the one it is swapped with).
    pub async fn take_all(&mut self, batch: &mut VecDeque<Outgoing>) {
        std::future::poll_fn(|cx| self.poll_take_all(cx, batch)).await;
    }

    fn poll_take_all(&self, cx: &mut Context<'_>, batch: &mut VecDeque<Outgoing>) -> Poll<()> {
        // Registered before looking, so an offer made meanwhile wakes us.
        self.client.wakeups.register(cx.waker());
        let mut queue = self.client.lock_queue();
        if queue.frames.is_empty() {
            return Poll::Pending;
        }
        std::mem::swap(&mut queue.frames, batch);
        queue.bytes = 0;
        Poll::Ready(())
    }
}

impl Client {
    /// `stop` ends the connection when cancelled: the hub cancels it to let
    /// the client go; made a child of the server's shutdown token, it is
    /// cancelled by the shutdown too, so a connection waits on one token of
    /// its own instead of also on the one all connections share.
    pub fn new(
        id: ClientId,
        user: PresenceUser,
        audience: Audience,
        capacity: usize,
        stop: CancellationToken,
        session: Option<uuid::Uuid>,
    ) -> (Arc<Client>, Receiver) {
        let client = Arc::new(Client {
            id,
            queue: Mutex::default(),
            capacity,
            wakeups: Wakeups::default(),
            user_id: user.id,
            session,
            user,
            audience,
            stop,
            ending: Mutex::new(None),
        });
        (client.clone(), Receiver { client })
    }

    /// A panic while holding the queue cannot leave it worse than a few
    /// frames short, which the client's seq check would notice.
    fn lock_queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Completes when the hub wants this connection to end, or the server stops.
    pub fn stopped(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.stop.cancelled()
    }

    pub fn ending(&self) -> Option<Ending> {
        self.ending.lock().ok().and_then(|ending| ending.clone())
    }

    pub fn end(&self, why: Ending) {
        if let Ok(mut ending) = self.ending.lock() {
            ending.get_or_insert(why);
        }
        self.stop.cancel();
    }

    /// Queues without waiting: a full queue (in frames or in bytes) means
    /// the client is too slow, and it is let go with a resync.
    pub(super) fn offer(&self, topic: &str, message: Outgoing) {
        let size = message.byte_len();
        let mut queue = self.lock_queue();
        if queue.frames.len() >= self.capacity || queue.bytes + size > MAX_QUEUED_BYTES {
            drop(queue);
            self.end(Ending::Overflow(topic.to_owned()));
            return;
        }
        queue.frames.push_back(message);
        queue.bytes += size;
        let was_empty = queue.frames.len() == 1;
        drop(queue);
        // Otherwise the connection has been woken already and not yet taken them.
        if was_empty {
            self.wakeups.wake_task();
        }
    }

    pub fn queued_bytes(&self) -> usize {
        self.lock_queue().bytes
    }
}

impl OwnsWakeups for Client {
    fn wakeups(&self) -> &Wakeups {
        &self.wakeups
    }
}
