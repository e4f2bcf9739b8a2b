//! The hub: which connections follow which topic, and the fan-out of
//! committed events to them in seq order, with no gap (a missed seq is read
//! from the log) and no duplicate. Presence and typing live here too; they
//! are ephemeral and never stored.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::protocol::{PresenceUser, ServerMessage};
use crate::bus::EventBus;
use crate::domain::comment::Audience;
use crate::domain::event::{Event, Topic};
use crate::domain::ids::UserId;
use crate::store::Store;

pub type ClientId = u64;

/// What the hub hands a connection: a frame serialized once for everyone
/// who receives it, and for events the (topic, seq) to drop duplicates by.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Frame(Utf8Bytes),
    Event { topic: Arc<str>, seq: i64, frame: Utf8Bytes },
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

pub struct Client {
    pub id: ClientId,
    /// Bytes of frames queued and not yet written: the memory a slow
    /// client holds on the server, kept under `MAX_QUEUED_BYTES`.
    queued_bytes: std::sync::atomic::AtomicUsize,
    pub user: PresenceUser,
    pub user_id: UserId,
    pub audience: Audience,
    tx: mpsc::Sender<Outgoing>,
    stop: CancellationToken,
    ending: Mutex<Option<Ending>>,
}

impl Client {
    pub fn new(
        id: ClientId,
        user: PresenceUser,
        audience: Audience,
        capacity: usize,
    ) -> (Arc<Client>, mpsc::Receiver<Outgoing>) {
        let (tx, rx) = mpsc::channel(capacity);
        let client = Client {
            id,
            queued_bytes: Default::default(),
            user_id: user.id,
            user,
            audience,
            tx,
            stop: CancellationToken::new(),
            ending: Mutex::new(None),
        };
        (Arc::new(client), rx)
    }

    /// Completes when the hub wants this connection to end.
    pub fn stopped(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.stop.cancelled()
    }

    pub fn ending(&self) -> Option<Ending> {
        self.ending.lock().ok().and_then(|ending| ending.clone())
    }

    fn end(&self, why: Ending) {
        if let Ok(mut ending) = self.ending.lock() {
            ending.get_or_insert(why);
        }
        self.stop.cancel();
    }

    /// Queues without waiting: a full queue (in frames or in bytes) means
    /// the client is too slow, and it is let go with a resync.
    fn offer(&self, topic: &str, message: Outgoing) {
        use std::sync::atomic::Ordering;
        let size = message.byte_len();
        if self.queued_bytes.fetch_add(size, Ordering::Relaxed) + size > MAX_QUEUED_BYTES {
            self.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            self.end(Ending::Overflow(topic.to_owned()));
            return;
        }
        match self.tx.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.queued_bytes.fetch_sub(size, Ordering::Relaxed);
                self.end(Ending::Overflow(topic.to_owned()));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            }
        }
    }

    /// The connection took `message` off its queue.
    pub fn dequeued(&self, message: &Outgoing) {
        self.queued_bytes.fetch_sub(message.byte_len(), std::sync::atomic::Ordering::Relaxed);
    }

    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[derive(Default)]
struct TopicState {
    /// Every seq up to here has been fanned out (or was in the log before
    /// the first subscriber came).
    last_seq: i64,
    subscribers: BTreeMap<ClientId, Arc<Client>>,
}

#[derive(Default)]
struct State {
    topics: HashMap<String, TopicState>,
    clients: HashMap<ClientId, Arc<Client>>,
    next_id: ClientId,
}

#[derive(Clone)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    store: Arc<dyn Store>,
}

/// The hub's mutex guards plain maps; a panic while holding it cannot leave
/// them half-changed in a way worse than losing a subscription.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn frame(message: &ServerMessage<'_>) -> Utf8Bytes {
    Utf8Bytes::from(message.to_json())
}

impl Hub {
    /// Starts the fan-out task on `bus`; it ends with `shutdown`.
    pub fn start(store: Arc<dyn Store>, bus: &dyn EventBus, shutdown: CancellationToken) -> Hub {
        let hub = Hub { state: Arc::default(), store };
        let receiver = bus.subscribe();
        let fan_out = hub.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = fan_out.run(receiver) => {}
                () = shutdown.cancelled() => {}
            }
        });
        hub
    }

    pub fn next_client_id(&self) -> ClientId {
        let mut state = lock(&self.state);
        state.next_id += 1;
        state.next_id
    }

    pub fn register(&self, client: Arc<Client>) {
        lock(&self.state).clients.insert(client.id, client);
    }

    async fn run(&self, mut receiver: broadcast::Receiver<Arc<Event>>) {
        loop {
            match receiver.recv().await {
                Ok(event) => self.deliver(&event).await,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the hub fell behind the bus; catching up from the log");
                    self.catch_up().await;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Fans out `event`, first reading from the log any seq of its topic
    /// that has not been fanned out yet (events may be published out of seq
    /// order when transactions commit close together).
    async fn deliver(&self, event: &Arc<Event>) {
        let last = match lock(&self.state).topics.get(&event.topic) {
            Some(topic) => topic.last_seq,
            None => return,
        };
        if event.seq <= last {
            return;
        }
        if event.seq > last + 1 {
            if let Some(topic) = Topic::parse(&event.topic) {
                let missing = u32::try_from(event.seq - last - 1).unwrap_or(u32::MAX);
                match self.store.events(topic, last, missing).await {
                    Ok(events) => events.iter().for_each(|missed| self.fan_out(missed)),
                    Err(err) => tracing::warn!(error = %err, topic = %event.topic, "could not read missed events"),
                }
            }
        }
        self.fan_out(event);
    }

    /// After losing bus messages: every followed topic reads its log.
    async fn catch_up(&self) {
        let topics: Vec<(String, i64)> =
            lock(&self.state).topics.iter().map(|(name, topic)| (name.clone(), topic.last_seq)).collect();
        for (name, last) in topics {
            let Some(topic) = Topic::parse(&name) else { continue };
            match self.store.events(topic, last, u32::MAX).await {
                Ok(events) => events.iter().for_each(|event| self.fan_out(event)),
                Err(err) => tracing::warn!(error = %err, topic = %name, "could not catch up"),
            }
        }
    }

    /// Serializes the event at most twice (as stored, and with hidden text
    /// removed) and queues it for every subscriber of its topic.
    fn fan_out(&self, event: &Event) {
        let mut state = lock(&self.state);
        let Some(topic) = state.topics.get_mut(&event.topic) else { return };
        if event.seq <= topic.last_seq {
            return;
        }
        topic.last_seq = event.seq;
        let name: Arc<str> = Arc::from(event.topic.as_str());
        let full = frame(&ServerMessage::Event(event));
        let mut redacted = None;
        for client in topic.subscribers.values() {
            let text = if event.differs_for(client.audience) {
                redacted.get_or_insert_with(|| frame(&ServerMessage::Event(&event.as_seen_by(client.audience)))).clone()
            } else {
                full.clone()
            };
            client.offer(&event.topic, Outgoing::Event { topic: name.clone(), seq: event.seq, frame: text });
        }
    }

    /// Adds `client` to `topic` (live events from now on) and returns the
    /// seq the hub has fanned out up to: the log holds everything up to it.
    pub async fn join(&self, topic: Topic, client: &Arc<Client>) -> Result<(), crate::store::StoreError> {
        let name = topic.to_string();
        let known = lock(&self.state).topics.contains_key(&name);
        let head = if known { 0 } else { self.store.head(topic).await? };
        let mut state = lock(&self.state);
        let entry =
            state.topics.entry(name.clone()).or_insert_with(|| TopicState { last_seq: head, ..Default::default() });
        entry.subscribers.insert(client.id, client.clone());
        Self::announce_presence(&name, entry);
        Ok(())
    }

    pub fn leave(&self, topic: &str, client: ClientId) {
        let mut state = lock(&self.state);
        Self::leave_locked(&mut state, topic, client);
    }

    fn leave_locked(state: &mut State, topic: &str, client: ClientId) {
        let Some(entry) = state.topics.get_mut(topic) else { return };
        if entry.subscribers.remove(&client).is_none() {
            return;
        }
        if entry.subscribers.is_empty() {
            state.topics.remove(topic);
        } else {
            Self::announce_presence(topic, entry);
        }
    }

    /// Removes the connection from every topic (and tells who is left).
    pub fn disconnect(&self, client: ClientId) {
        let mut state = lock(&self.state);
        state.clients.remove(&client);
        let topics: Vec<String> = state.topics.keys().cloned().collect();
        for topic in topics {
            Self::leave_locked(&mut state, &topic, client);
        }
    }

    /// How many connections `user` has open on this node.
    pub fn connections_of(&self, user: UserId) -> usize {
        lock(&self.state).clients.values().filter(|client| client.user_id == user).count()
    }

    /// The most bytes one connection has queued now, for tests and metrics.
    /// Read under the lock every offer is made under, so a frame being
    /// refused (counted, then taken back) is never seen.
    pub fn largest_queue_bytes(&self) -> usize {
        lock(&self.state).clients.values().map(|client| client.queued_bytes()).max().unwrap_or(0)
    }

    /// Ends every connection of `user` (deactivated, or signed out everywhere).
    pub fn end_sessions_of(&self, user: UserId) {
        let state = lock(&self.state);
        for client in state.clients.values().filter(|client| client.user_id == user) {
            client.end(Ending::SessionEnded);
        }
    }

    fn announce_presence(topic: &str, entry: &TopicState) {
        let mut users: Vec<PresenceUser> = Vec::new();
        for client in entry.subscribers.values() {
            if !users.iter().any(|user| user.id == client.user.id) {
                users.push(client.user.clone());
            }
        }
        let text = frame(&ServerMessage::Presence { topic, users: &users });
        for client in entry.subscribers.values() {
            client.offer(topic, Outgoing::Frame(text.clone()));
        }
    }

    /// Tells the other subscribers of `topic` that `from` is typing.
    pub fn typing(&self, topic: &str, from: &Client) -> bool {
        let state = lock(&self.state);
        let Some(entry) = state.topics.get(topic) else { return false };
        if !entry.subscribers.contains_key(&from.id) {
            return false;
        }
        let text = frame(&ServerMessage::Typing { topic, user: &from.user });
        for client in entry.subscribers.values().filter(|client| client.user.id != from.user.id) {
            client.offer(topic, Outgoing::Frame(text.clone()));
        }
        true
    }
}
