//! The hub: which connections follow which topic, and the fan-out of
//! committed events to them in seq order, with no gap (a missed seq is read
//! from the log) and no duplicate. Presence and typing live here too; they
//! are ephemeral and never stored. A newcomer always gets the presence list;
//! the others get it again only when who is present changes (a second tab
//! of someone already there changes nothing).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::inbox_feed::InboxFeed;
use super::protocol::{PresenceUser, ServerMessage};
use crate::bus::EventBus;
use crate::domain::event::{Event, Topic};
use crate::domain::ids::UserId;
use crate::store::Store;

pub use super::client::{Client, ClientId, Ending, Outgoing, Receiver, MAX_QUEUED_BYTES};

struct TopicState {
    /// The topic's name, shared by every event frame queued for it, so a
    /// connection matches it by pointer (see `Delivered`).
    name: Arc<str>,
    /// Every seq up to here has been fanned out (or was in the log before
    /// the first subscriber came).
    last_seq: i64,
    subscribers: BTreeMap<ClientId, Arc<Client>>,
    /// Subscribed connections per person: who is present changes only when
    /// a person's first connection comes or their last one goes.
    people: HashMap<UserId, usize>,
    /// The presence frame last sent to everyone, for a newcomer whose
    /// person is already present (everyone else already has it).
    presence: Option<Bytes>,
}

#[derive(Default)]
struct State {
    topics: HashMap<String, TopicState>,
    clients: HashMap<ClientId, Arc<Client>>,
    /// Open connections per person, for the per-person limit.
    per_person: HashMap<UserId, usize>,
    next_id: ClientId,
}

#[derive(Clone)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    store: Arc<dyn Store>,
    /// The topic `me`, which is not in the log (see `inbox_feed`).
    pub inbox: Arc<InboxFeed>,
}

/// The hub's mutex guards plain maps; a panic while holding it cannot leave
/// them half-changed in a way worse than losing a subscription.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Serialized and framed once, written as it is to every connection.
fn frame(message: &ServerMessage<'_>) -> Bytes {
    super::socket::text_frame(message.to_json().as_bytes())
}

impl Hub {
    /// Starts the fan-out task on `bus`; it ends with `shutdown`.
    pub fn start(store: Arc<dyn Store>, bus: &dyn EventBus, shutdown: CancellationToken) -> Hub {
        let inbox = Arc::new(InboxFeed::default());
        inbox.start(store.clone(), shutdown.clone());
        let hub = Hub { state: Arc::default(), store, inbox };
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
        let mut state = lock(&self.state);
        *state.per_person.entry(client.user_id).or_default() += 1;
        state.clients.insert(client.id, client);
    }

    async fn run(&self, mut receiver: broadcast::Receiver<Arc<Event>>) {
        loop {
            match receiver.recv().await {
                Ok(event) => {
                    self.deliver(&event).await;
                    // The notices of a change commit with its events.
                    self.inbox.wake();
                }
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
        let name = topic.name.clone();
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

    /// Adds `client` to `topic` (live events from now on; the log holds
    /// everything before) and returns the topic's shared name.
    pub async fn join(&self, topic: Topic, client: &Arc<Client>) -> Result<Arc<str>, crate::store::StoreError> {
        let name = topic.to_string();
        let known = lock(&self.state).topics.contains_key(&name);
        let head = if known { 0 } else { self.store.head(topic).await? };
        let mut state = lock(&self.state);
        let entry = state.topics.entry(name.clone()).or_insert_with(|| TopicState {
            name: Arc::from(name.as_str()),
            last_seq: head,
            subscribers: BTreeMap::new(),
            people: HashMap::new(),
            presence: None,
        });
        if entry.subscribers.insert(client.id, client.clone()).is_none() {
            *entry.people.entry(client.user_id).or_default() += 1;
        }
        match &entry.presence {
            // Announcing an unchanged list to thousands of connections on
            // every join would make joining quadratic.
            Some(presence) if entry.people.get(&client.user_id) > Some(&1) => {
                client.offer(&name, Outgoing::Frame(presence.clone()));
            }
            _ => Self::announce_presence(&name, entry),
        }
        Ok(entry.name.clone())
    }

    pub fn leave(&self, topic: &str, client: ClientId) {
        let mut state = lock(&self.state);
        Self::leave_locked(&mut state, topic, client);
    }

    fn leave_locked(state: &mut State, topic: &str, client: ClientId) {
        let Some(entry) = state.topics.get_mut(topic) else { return };
        let Some(left) = entry.subscribers.remove(&client) else { return };
        if entry.subscribers.is_empty() {
            state.topics.remove(topic);
            return;
        }
        let still_here = entry.people.get_mut(&left.user_id).map(|count| {
            *count -= 1;
            *count
        });
        if still_here == Some(0) {
            entry.people.remove(&left.user_id);
            Self::announce_presence(topic, entry);
        }
    }

    /// Removes the connection from every topic (and tells who is left).
    pub fn disconnect(&self, client: ClientId) {
        let mut state = lock(&self.state);
        if let Some(gone) = state.clients.remove(&client) {
            self.inbox.leave(gone.user_id, client);
            if let Some(count) = state.per_person.get_mut(&gone.user_id) {
                *count -= 1;
                if *count == 0 {
                    state.per_person.remove(&gone.user_id);
                }
            }
        }
        let topics: Vec<String> = state.topics.keys().cloned().collect();
        for topic in topics {
            Self::leave_locked(&mut state, &topic, client);
        }
    }

    /// How many connections `user` has open on this node.
    pub fn connections_of(&self, user: UserId) -> usize {
        lock(&self.state).per_person.get(&user).copied().unwrap_or(0)
    }

    /// The most bytes one connection has queued now, for tests and metrics.
    /// Read under the lock every offer is made under, so a frame being
    /// refused (counted, then taken back) is never seen.
    pub fn largest_queue_bytes(&self) -> usize {
        lock(&self.state).clients.values().map(|client| client.queued_bytes()).max().unwrap_or(0)
    }

    /// Ends every connection of `user` (deactivated, or signed out everywhere).
    /// Ends the sockets opened in one session (signing out of it).
    pub fn end_session(&self, session: uuid::Uuid) {
        let state = lock(&self.state);
        for client in state.clients.values().filter(|client| client.session == Some(session)) {
            client.end(Ending::SessionEnded);
        }
    }

    pub fn end_sessions_of(&self, user: UserId) {
        let state = lock(&self.state);
        for client in state.clients.values().filter(|client| client.user_id == user) {
            client.end(Ending::SessionEnded);
        }
    }

    /// Sends everyone on the topic who is present, in order of arrival.
    fn announce_presence(topic: &str, entry: &mut TopicState) {
        let mut users: Vec<PresenceUser> = Vec::with_capacity(entry.people.len());
        let mut listed = std::collections::HashSet::with_capacity(entry.people.len());
        for client in entry.subscribers.values() {
            if listed.insert(client.user.id) {
                users.push(client.user.clone());
            }
        }
        let text = frame(&ServerMessage::Presence { topic, users: &users });
        for client in entry.subscribers.values() {
            client.offer(topic, Outgoing::Frame(text.clone()));
        }
        entry.presence = Some(text);
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

#[cfg(test)]
#[path = "hub_tests.rs"]
mod tests;
