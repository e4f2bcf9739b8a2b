//! The event bus: how committed events reach the websocket hub. On one node
//! (SQLite) an in-process broadcast; on PostgreSQL, [`PgBus`] adds the other
//! nodes' events, learnt through LISTEN/NOTIFY and read from the log, since
//! events are identified by topic and seq.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::domain::event::Event;

pub trait EventBus: Send + Sync + 'static {
    /// Called after the transaction that appended `events` has committed,
    /// in the order they were appended.
    fn publish(&self, events: &[Arc<Event>]);

    /// Every event published from now on, on every topic. A receiver that
    /// falls behind gets `Lagged` and must catch up from the log.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>>;
}

/// One process: a broadcast channel.
pub struct LocalBus {
    sender: broadcast::Sender<Arc<Event>>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> Arc<LocalBus> {
        let (sender, _) = broadcast::channel(capacity);
        Arc::new(LocalBus { sender })
    }
}

impl EventBus for LocalBus {
    fn publish(&self, events: &[Arc<Event>]) {
        for event in events {
            // No receiver yet is fine: the log has it.
            let _ = self.sender.send(event.clone());
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}

mod postgres;

pub use postgres::PgBus;
