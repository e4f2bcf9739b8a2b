//! The topic `me`: each person's new notifications, live. Notifications are
//! not events of the log (one event may notify hundreds of people), so this
//! topic has no replay and no seq of its own: a client that reconnects reads
//! its inbox (`GET /api/v1/me/notifications`), then follows `me` again.
//!
//! One task per node reads what was recorded in the last seconds whenever
//! the hub fans out an event (most notices come with one) and once a second
//! (reminders and other nodes' writes), but only while someone here follows
//! `me`. Reading the table, not the bus, is what makes it work on any number
//! of nodes; the window overlaps, and what was sent is remembered, so a
//! notification committed a little after a later one is still sent once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::client::{Client, ClientId, Outgoing};
use crate::domain::ids::{NoticeId, UserId};
use crate::http::notifications::NotificationView;
use crate::store::notice_delivery::Addressed;
use crate::store::Store;

/// The topic's name on the wire.
pub const TOPIC: &str = "me";
/// How often to look without being woken.
const EVERY: Duration = Duration::from_secs(1);
/// How far back each look reaches: longer than a write transaction takes
/// from recording a notification to committing it.
const WINDOW: chrono::Duration = chrono::Duration::seconds(10);
/// Read at most this many per query; a fuller window is read on at once.
const BATCH: u32 = 500;

#[derive(Default)]
pub struct InboxFeed {
    followers: Mutex<HashMap<UserId, Vec<Arc<Client>>>>,
    wake: Notify,
}

/// `{"type":"event","topic":"me","kind":"notification.created",...}`: the
/// shape of every event, the notification as the inbox shows it in `data`.
#[derive(Serialize)]
struct Frame<'a> {
    r#type: &'static str,
    topic: &'static str,
    /// The notification's time in microseconds: it orders them, no more.
    seq: i64,
    kind: &'static str,
    data: &'a NotificationView,
    actor: Option<()>,
    at: DateTime<Utc>,
}

impl InboxFeed {
    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, Vec<Arc<Client>>>> {
        self.followers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `client` follows its person's notifications from now on.
    pub fn follow(&self, client: &Arc<Client>) {
        let mut followers = self.lock();
        let list = followers.entry(client.user_id).or_default();
        if !list.iter().any(|known| known.id == client.id) {
            list.push(client.clone());
        }
        drop(followers);
        self.wake.notify_one();
    }

    /// Whether `client` followed it.
    pub fn leave(&self, user: UserId, client: ClientId) -> bool {
        let mut followers = self.lock();
        let Some(list) = followers.get_mut(&user) else { return false };
        let before = list.len();
        list.retain(|known| known.id != client);
        let left = list.len() != before;
        if list.is_empty() {
            followers.remove(&user);
        }
        left
    }

    /// Something was written: look now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn start(self: &Arc<Self>, store: Arc<dyn Store>, shutdown: CancellationToken) {
        let feed = self.clone();
        tokio::spawn(async move {
            let mut sent: HashMap<(UserId, NoticeId), DateTime<Utc>> = HashMap::new();
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = feed.wake.notified() => {}
                    () = tokio::time::sleep(EVERY) => {}
                }
                if feed.lock().is_empty() {
                    sent.clear();
                    continue;
                }
                if let Err(err) = feed.look(store.as_ref(), &mut sent).await {
                    tracing::warn!(error = %err, "could not read the new notifications");
                }
            }
        });
    }

    async fn look(
        &self,
        store: &dyn Store,
        sent: &mut HashMap<(UserId, NoticeId), DateTime<Utc>>,
    ) -> crate::store::StoreResult<()> {
        let mut since = Utc::now() - WINDOW;
        sent.retain(|_, at| *at >= since);
        loop {
            let found = store.notifications_since(since, BATCH).await?;
            let full = found.len() == BATCH as usize;
            for addressed in &found {
                since = since.max(addressed.notification.created_at);
                if sent.insert((addressed.user, addressed.notification.id), addressed.notification.created_at).is_none()
                {
                    self.send(addressed);
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn send(&self, addressed: &Addressed) {
        let followers = self.lock();
        let Some(clients) = followers.get(&addressed.user) else { return };
        let view = NotificationView::new(addressed.notification.clone(), addressed.lang);
        let frame = Frame {
            r#type: "event",
            topic: TOPIC,
            seq: addressed.notification.created_at.timestamp_micros(),
            kind: "notification.created",
            data: &view,
            actor: None,
            at: addressed.notification.created_at,
        };
        let text = serde_json::to_string(&frame).unwrap_or_default();
        let bytes: Bytes = super::socket::text_frame(text.as_bytes());
        for client in clients {
            client.offer(TOPIC, Outgoing::Frame(bytes.clone()));
        }
    }
}
