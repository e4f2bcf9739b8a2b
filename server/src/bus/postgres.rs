//! Several nodes on one PostgreSQL: each node broadcasts its own events at
//! once, and learns of the others' through LISTEN/NOTIFY.
//!
//! - The notification carries only `topic seq` lines; the events themselves
//!   are read from the log, so a payload can never be too large or stale.
//! - NOTIFY is sent after commit, never inside the write transaction (it takes
//!   a cluster-wide lock across the WAL flush and would cap commits), from one
//!   connection per node, coalesced: one line per topic with its latest seq.
//! - A notification can be lost (a node crashing between commit and NOTIFY, a
//!   listening connection that drops), so the listener also compares the
//!   topic heads with what it has seen every [`CATCH_UP_EVERY`], and at once
//!   after reconnecting.
//! - Per topic, events reach the hub in seq order; the hub fills any gap from
//!   the log and drops what it has already sent.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use tokio::sync::{broadcast, mpsc, Notify};
use tokio_util::sync::CancellationToken;

use super::EventBus;
use crate::domain::event::{Event, Topic};
use crate::store::Store;

/// The channel every node listens on (NOTIFY is scoped to one database).
pub const CHANNEL: &str = "minga_events";
/// How often the log backs up the notifications.
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(500);
/// NOTIFY payloads must stay under 8,000 bytes.
const PAYLOAD_BYTES: usize = 7_000;
/// Events read from the log per query when catching up.
const READ_BATCH: u32 = 1_000;

pub struct PgBus {
    local: broadcast::Sender<Arc<Event>>,
    /// Per topic, the highest seq handed to this node's hub.
    seen: Mutex<HashMap<String, i64>>,
    /// Per topic, the latest seq committed here and not yet announced.
    pending: Mutex<HashMap<String, i64>>,
    wake_notifier: Notify,
    url: String,
}

impl PgBus {
    pub fn new(url: &str, capacity: usize) -> Arc<PgBus> {
        let (local, _) = broadcast::channel(capacity);
        Arc::new(PgBus {
            local,
            seen: Mutex::default(),
            pending: Mutex::default(),
            wake_notifier: Notify::new(),
            url: url.to_owned(),
        })
    }

    /// Starts the notifier and the listener; both end with `shutdown`. What
    /// the log holds already counts as seen: nodes announce only what is new.
    pub async fn start(self: &Arc<Self>, store: Arc<dyn Store>, shutdown: CancellationToken) -> anyhow::Result<()> {
        let heads = store.heads().await?;
        self.seen_map().extend(heads.into_iter().map(|(topic, seq)| (topic.to_string(), seq)));
        let pool = |name: &str| -> anyhow::Result<PgPool> {
            let options = PgConnectOptions::from_str(&self.url)?.application_name(name);
            Ok(PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(3))
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_lazy_with(options))
        };
        // Named by process, so an operator (or a test) can tell the nodes apart.
        let node = std::process::id();
        let (notifier, listener) = (pool(&format!("minga-notifier-{node}"))?, pool(&format!("minga-listener-{node}"))?);
        let bus = self.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = bus.notify_loop(&notifier) => {}
                () = stop.cancelled() => {}
            }
        });
        let bus = self.clone();
        tokio::spawn(async move { bus.listen_loop(listener, store, shutdown).await });
        Ok(())
    }

    fn seen_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `event` to the hub unless it has had it already.
    fn hand_over(&self, seen: &mut HashMap<String, i64>, event: Arc<Event>) {
        let last = seen.entry(event.topic.clone()).or_insert(0);
        if event.seq > *last {
            *last = event.seq;
            // No receiver yet is fine: the log has it.
            let _ = self.local.send(event);
        }
    }

    async fn notify_loop(&self, pool: &PgPool) {
        loop {
            self.wake_notifier.notified().await;
            let batch: Vec<(String, i64)> =
                self.pending.lock().unwrap_or_else(PoisonError::into_inner).drain().collect();
            for payload in payloads(&batch) {
                let sent = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&payload).execute(pool).await;
                if let Err(err) = sent {
                    // The other nodes will find these events at their next catch-up.
                    tracing::warn!(error = %err, "could not announce events to the other nodes");
                }
            }
        }
    }

    async fn listen_loop(&self, pool: PgPool, store: Arc<dyn Store>, shutdown: CancellationToken) {
        let (wakes, mut woken) = mpsc::unbounded_channel::<Wake>();
        // The listener gets a task of its own: a read cut short by the timer
        // could leave the connection mid-message.
        let reader = tokio::spawn(read_notifications(pool, wakes));
        let mut tick = tokio::time::interval(CATCH_UP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => self.catch_up(store.as_ref()).await,
                wake = woken.recv() => match wake {
                    Some(Wake::Announced(payload)) => {
                        for (topic, seq) in parse_payload(&payload) {
                            let behind = self.seen_map().get(&topic).is_none_or(|last| *last < seq);
                            if behind {
                                self.read_log(store.as_ref(), &topic).await;
                            }
                        }
                    }
                    Some(Wake::Reconnected) => self.catch_up(store.as_ref()).await,
                    None => break,
                },
            }
        }
        reader.abort();
    }

    /// Reads every topic whose head is past what this node has seen.
    async fn catch_up(&self, store: &dyn Store) {
        let heads = match store.heads().await {
            Ok(heads) => heads,
            Err(err) => {
                tracing::debug!(error = %err, "could not read the topic heads");
                return;
            }
        };
        for (topic, head) in heads {
            let name = topic.to_string();
            let behind = self.seen_map().get(&name).is_none_or(|last| *last < head);
            if behind {
                self.read_log(store, &name).await;
            }
        }
    }

    async fn read_log(&self, store: &dyn Store, name: &str) {
        let Some(topic) = Topic::parse(name) else { return };
        loop {
            let after = self.seen_map().get(name).copied().unwrap_or(0);
            let events = match store.events(topic, after, READ_BATCH).await {
                Ok(events) => events,
                Err(err) => {
                    tracing::debug!(error = %err, topic = name, "could not read the log");
                    return;
                }
            };
            let complete = events.len() < READ_BATCH as usize;
            let mut seen = self.seen_map();
            for event in events {
                self.hand_over(&mut seen, Arc::new(event));
            }
            if complete {
                return;
            }
        }
    }
}

impl EventBus for PgBus {
    fn publish(&self, events: &[Arc<Event>]) {
        let mut seen = self.seen_map();
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        for event in events {
            self.hand_over(&mut seen, event.clone());
            let latest = pending.entry(event.topic.clone()).or_insert(0);
            *latest = (*latest).max(event.seq);
        }
        drop((seen, pending));
        self.wake_notifier.notify_one();
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.local.subscribe()
    }
}

enum Wake {
    Announced(String),
    /// The listening connection was lost and is back: what was announced
    /// meanwhile is only in the log.
    Reconnected,
}

async fn read_notifications(pool: PgPool, wakes: mpsc::UnboundedSender<Wake>) {
    let mut listener: Option<PgListener> = None;
    loop {
        let current = match listener.as_mut() {
            Some(current) => current,
            None => match connect_listener(&pool).await {
                Ok(connected) => {
                    let _ = wakes.send(Wake::Reconnected);
                    listener.insert(connected)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for the other nodes' events; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let wake = match current.try_recv().await {
            Ok(Some(notification)) => Wake::Announced(notification.payload().to_owned()),
            // sqlx reconnected (and listens again): catch up.
            Ok(None) => Wake::Reconnected,
            Err(err) => {
                tracing::warn!(error = %err, "lost the connection listening for the other nodes' events");
                listener = None;
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        if wakes.send(wake).is_err() {
            return;
        }
    }
}

async fn connect_listener(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.ignore_pool_close_event(true);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// `topic seq` lines, cut into payloads NOTIFY accepts.
fn payloads(batch: &[(String, i64)]) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut current = String::new();
    for (topic, seq) in batch {
        let line = format!("{topic} {seq}");
        if !current.is_empty() && current.len() + 1 + line.len() > PAYLOAD_BYTES {
            payloads.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        payloads.push(current);
    }
    payloads
}

fn parse_payload(payload: &str) -> Vec<(String, i64)> {
    payload
        .lines()
        .filter_map(|line| {
            let (topic, seq) = line.rsplit_once(' ')?;
            Some((topic.to_owned(), seq.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_stay_under_the_limit() {
        let batch: Vec<(String, i64)> =
            (0..500).map(|n| (format!("proposal:{}", uuid::Uuid::now_v7()), i64::from(n) * 1_000_003)).collect();
        let payloads = payloads(&batch);
        assert!(payloads.len() > 1, "500 topics need several payloads");
        assert!(payloads.iter().all(|payload| payload.len() <= PAYLOAD_BYTES));
        let parsed: Vec<(String, i64)> = payloads.iter().flat_map(|payload| parse_payload(payload)).collect();
        assert_eq!(parsed, batch);
        assert!(parse_payload("moderation x\n\nnothing").is_empty(), "garbage is ignored");
    }
}
