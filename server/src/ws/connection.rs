//! One websocket connection: the loop is written over any byte stream
//! (see `socket`), so it runs the same on a TCP socket and, in unit tests,
//! on an in-memory pipe with a real websocket client at the other end.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::{Sink, SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

use super::delivered::Delivered;
use super::gates::Gate;
use super::hub::{Client, Ending, Hub, Outgoing, Receiver};
use super::inbox_feed;
use super::protocol::{parse, ClientMessage, ServerMessage};
use super::socket::Duplex;
use super::wakeups::{self, OwnsWakeups};
use crate::domain::account::User;
use crate::domain::event::{may_read_topic, Topic};
use crate::store::Store;

/// How often the server pings, and how long silence means a dead peer.
pub const PING_EVERY: Duration = Duration::from_secs(20);
pub const DEAD_AFTER: Duration = Duration::from_secs(50);
/// Replayed events are read from the log in pages of at most this many
/// events and this many characters of event data, and the next page only
/// once the last is written: a replay costs one page of memory, whatever
/// the topic's size (unbounded, 24 sockets replaying ~190 MB each took the
/// server from 411 MiB to 5 GiB).
const REPLAY_PAGE: u32 = 500;
const REPLAY_PAGE_CHARS: i64 = super::hub::MAX_QUEUED_BYTES as i64;
/// A replay whose writing made no progress for this long (the client does
/// not read) is given up with `resync` and 1013, as a live backlog is.
const REPLAY_STALL: Duration = if cfg!(test) { Duration::from_millis(500) } else { Duration::from_secs(10) };
/// How long a goodbye may take to write, and then how long the client has
/// to answer the close frame: closing a socket with unread input resets it,
/// and the client could lose the close frame and the reason in it.
const LINGER: Duration = Duration::from_secs(1);
/// A batch buffer grown past this many frames (by a backlog) is shrunk
/// back once written, so a socket that goes idle holds little.
const KEEP_BATCH: usize = 16;

/// A client may send at most this many messages per window; a faster one
/// is closed with 1008 (typing is sent every few seconds, pings less often).
pub const MESSAGES_PER_WINDOW: crate::domain::rate_limit::Policy =
    crate::domain::rate_limit::Policy { max_failures: 100, window: Duration::from_secs(10) };

pub const GOING_AWAY: u16 = 1001;
pub const POLICY: u16 = 1008;
pub const TRY_AGAIN_LATER: u16 = 1013;

pub struct Connection {
    pub client: Arc<Client>,
    pub user: User,
    pub hub: Hub,
    pub store: Arc<dyn Store>,
    pub shutdown: CancellationToken,
}

type Failed = tokio_tungstenite::tungstenite::Error;

/// A subscription whose replay is still being written, page by page.
struct Replay {
    key: Arc<str>,
    topic: Topic,
    last: i64,
}

/// The next page of the first replay waiting; never ready when none waits.
async fn next_page(
    store: &dyn Store,
    waiting: Option<(Topic, i64)>,
) -> crate::store::StoreResult<Vec<crate::domain::event::Event>> {
    match waiting {
        Some((topic, after)) => store.events_within(topic, after, REPLAY_PAGE, REPLAY_PAGE_CHARS).await,
        None => std::future::pending().await,
    }
}
type Socket<T> = WebSocketStream<Duplex<T>>;

fn text(message: &ServerMessage<'_>) -> Message {
    Message::Text(Utf8Bytes::from(message.to_json()))
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code: CloseCode::from(code), reason: Utf8Bytes::from_static(reason) }))
}

/// Appends the frames taken from the queue to the output, each event frame
/// only once (a live event the replay already sent is dropped).
fn append_frames(out: &mut BytesMut, batch: &mut VecDeque<Outgoing>, delivered: &mut Delivered) {
    for message in batch.drain(..) {
        match message {
            Outgoing::Frame(frame) => out.extend_from_slice(&frame),
            Outgoing::Event { topic, seq, frame } => {
                if delivered.advance(&topic, seq) {
                    out.extend_from_slice(&frame);
                }
            }
        }
    }
    if batch.capacity() > 4 * KEEP_BATCH {
        batch.shrink_to(KEEP_BATCH);
    }
}

impl Connection {
    /// Serves the client on `ws` (tungstenite reading the socket, writing
    /// into a buffer the loop writes out) until either side ends it.
    pub async fn run<T>(self, mut ws: Box<Socket<T>>, mut outgoing: Receiver)
    where
        T: AsyncRead + AsyncWrite + Unpin,
    {
        let mut delivered = Delivered::default();
        let mut received = crate::domain::rate_limit::FailureCounter::new(MESSAGES_PER_WINDOW);
        let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        let mut last_heard = Instant::now();
        let mut batch = VecDeque::new();
        let mut replays = VecDeque::<Replay>::new();
        // Made once: a new wait every time the loop wakes (once per frame
        // written) costs a lock and a registration. The client's token is
        // cancelled by the server's shutdown too.
        let stopped = self.client.stopped();
        tokio::pin!(stopped);
        // The stop gate is polled first in every pass, so it registers the task.
        let client = &*self.client;
        let stopping = Gate::new(&self.client, wakeups::STOP);
        let (reading, ticking) = (Gate::new(&self.client, wakeups::READ), Gate::new(&self.client, wakeups::PING));
        let said_goodbye = loop {
            // What is buffered (replies, event frames) goes out first. A
            // client that stopped reading blocks the write; the hub lets it
            // go once its queue overflows.
            if !ws.get_ref().out.is_empty() {
                let mut stall = tokio::time::interval_at(Instant::now() + REPLAY_STALL, REPLAY_STALL);
                let mut progress = ws.get_ref().written;
                // Some(said goodbye) ends the connection; None goes on.
                let ended = loop {
                    tokio::select! {
                        biased;
                        written = ws.get_mut().write_out() => break written.is_err().then_some(false),
                        () = poll_fn(|cx| stopping.poll(client.wakeups(), cx, true, |cx| stopped.as_mut().poll(cx))) => {
                            Box::pin(self.say_goodbye(&mut ws)).await;
                            break Some(true);
                        }
                        // The timers are kept while a write waits: a peer
                        // that neither reads nor sends is dead, and one that
                        // does not read its replay is told to resync.
                        _ = stall.tick() => {
                            let moved = ws.get_ref().written != progress;
                            progress = ws.get_ref().written;
                            if moved {
                                continue;
                            }
                            if let Some(replay) = replays.front() {
                                self.client.end(Ending::Overflow(replay.key.to_string()));
                            } else if last_heard.elapsed() > DEAD_AFTER {
                                break Some(false);
                            }
                        }
                    }
                };
                if let Some(said_goodbye) = ended {
                    break said_goodbye;
                }
            }
            let step = tokio::select! {
                biased;
                () = poll_fn(|cx| stopping.poll(client.wakeups(), cx, true, |cx| stopped.as_mut().poll(cx))) => {
                    Box::pin(self.say_goodbye(&mut ws)).await;
                    break true;
                }
                // Held while a replay is written, as before `subscribed`
                // (presence comes after it); the queue's cap still bounds them.
                () = outgoing.take_all(&mut batch), if replays.is_empty() => {
                    append_frames(&mut ws.get_mut().out, &mut batch, &mut delivered);
                    Ok(true)
                }
                // Only once what is buffered is written, so a replay holds one page.
                page = next_page(&*self.store, replays.front().map(|r: &Replay| (r.topic, r.last))),
                    if ws.get_ref().out.is_empty() => {
                    Box::pin(self.replayed(&mut ws, &mut replays, &mut delivered, page)).await
                }
                incoming = poll_fn(|cx| reading.poll(client.wakeups(), cx, false, |cx| ws.poll_next_unpin(cx))) => match incoming {
                    Some(Ok(message)) => {
                        last_heard = Instant::now();
                        let now = last_heard.into_std();
                        if received.check(&(), now).is_err() {
                            let _ = ws.send(close(POLICY, "too many messages")).await;
                            Box::pin(Self::write_out_within_linger(&mut ws)).await;
                            break true;
                        }
                        received.record(&(), now);
                        self.receive(&mut ws, &mut delivered, &mut replays, message).await
                    }
                    Some(Err(_)) | None => break false,
                },
                _ = poll_fn(|cx| ticking.poll(client.wakeups(), cx, false, |cx| ping.poll_tick(cx))) => {
                    if last_heard.elapsed() > DEAD_AFTER {
                        break false;
                    }
                    ws.send(Message::Ping(Default::default())).await.map(|_| true)
                }
            };
            match step {
                Ok(true) => {}
                Ok(false) | Err(_) => break false,
            }
        };
        self.hub.disconnect(self.client.id);
        // Boxed, as the goodbyes are: rarely needed, they would otherwise
        // make every connection's future (and its memory) larger.
        Box::pin(Self::finish(ws, said_goodbye)).await;
    }

    /// Answers a close the client started (tungstenite queued the reply),
    /// and after our own goodbye reads (and drops) what the client still
    /// sends until it answers, within `LINGER` each.
    async fn finish<T: AsyncRead + AsyncWrite + Unpin>(mut ws: Box<Socket<T>>, said_goodbye: bool) {
        let _ = ws.flush().await;
        Self::write_out_within_linger(&mut ws).await;
        if said_goodbye {
            let _ = tokio::time::timeout(LINGER, async {
                while let Some(Ok(message)) = ws.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
        }
        let _ = ws.get_mut().shutdown().await;
    }

    /// Writes out what is buffered, giving up after `LINGER`.
    async fn write_out_within_linger<T: AsyncRead + AsyncWrite + Unpin>(ws: &mut Socket<T>) {
        let _ = tokio::time::timeout(LINGER, ws.get_mut().write_out()).await;
    }

    /// Tells the client why it is being let go (within `LINGER`).
    async fn say_goodbye<T: AsyncRead + AsyncWrite + Unpin>(&self, ws: &mut Socket<T>) {
        self.goodbye(ws).await;
        Self::write_out_within_linger(ws).await;
    }

    async fn goodbye<S>(&self, sink: &mut S)
    where
        S: Sink<Message, Error = Failed> + Unpin,
    {
        if self.shutdown.is_cancelled() {
            let _ = sink.send(close(GOING_AWAY, "the server is restarting")).await;
            return;
        }
        match self.client.ending() {
            Some(Ending::Overflow(topic)) => {
                let _ = sink.feed(text(&ServerMessage::Resync { topic: &topic })).await;
                let _ = sink.send(close(TRY_AGAIN_LATER, "too far behind: resubscribe with your last seq")).await;
            }
            Some(Ending::SessionEnded) | None => {
                let _ = sink.send(close(POLICY, "the session has ended")).await;
            }
        }
    }

    async fn receive<S>(
        &self,
        sink: &mut S,
        delivered: &mut Delivered,
        replays: &mut VecDeque<Replay>,
        message: Message,
    ) -> Result<bool, Failed>
    where
        S: Sink<Message, Error = Failed> + Unpin,
    {
        let frame = match message {
            Message::Text(frame) => frame,
            Message::Binary(_) => return self.error(sink, "bad_message", "send JSON in text frames").await,
            Message::Close(_) => return Ok(false),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return Ok(true),
        };
        match parse(frame.as_str()) {
            Err(problem) => self.error(sink, "bad_message", &problem).await,
            Ok(ClientMessage::Ping { id }) => sink.send(text(&ServerMessage::Pong { id })).await.map(|_| true),
            Ok(ClientMessage::Subscribe { topic, .. }) if topic == inbox_feed::TOPIC => {
                self.hub.inbox.follow(&self.client);
                sink.send(text(&ServerMessage::Subscribed { topic: inbox_feed::TOPIC, head: 0 })).await.map(|_| true)
            }
            Ok(ClientMessage::Subscribe { topic, after }) => {
                Box::pin(self.subscribe(sink, delivered, replays, &topic, after)).await
            }
            Ok(ClientMessage::Unsubscribe { topic }) if topic == inbox_feed::TOPIC => {
                self.hub.inbox.leave(self.client.user_id, self.client.id);
                Ok(true)
            }
            Ok(ClientMessage::Unsubscribe { topic }) => {
                let replaying = replays.len();
                replays.retain(|replay| *replay.key != *topic);
                if delivered.unfollow(&topic) || replays.len() != replaying {
                    self.hub.leave(&topic, self.client.id);
                }
                Ok(true)
            }
            Ok(ClientMessage::Typing { topic }) => {
                if self.hub.typing(&topic, &self.client) {
                    Ok(true)
                } else {
                    self.error(sink, "not_subscribed", "subscribe to the topic first").await
                }
            }
        }
    }

    async fn error<S>(&self, sink: &mut S, code: &str, message: &str) -> Result<bool, Failed>
    where
        S: Sink<Message, Error = Failed> + Unpin,
    {
        sink.send(text(&ServerMessage::Error { code, message })).await.map(|_| true)
    }

    /// Joins the topic first, then queues the replay of the log after
    /// `after`, which the loop writes page by page (see `replayed`).
    async fn subscribe<S>(
        &self,
        sink: &mut S,
        delivered: &mut Delivered,
        replays: &mut VecDeque<Replay>,
        name: &str,
        after: Option<i64>,
    ) -> Result<bool, Failed>
    where
        S: Sink<Message, Error = Failed> + Unpin,
    {
        let Some(topic) = Topic::parse(name) else {
            return self
                .error(sink, "bad_topic", "topics are document:<id>, proposal:<id>, moderation, accounts or me")
                .await;
        };
        if !may_read_topic(&self.user, topic) {
            return self.error(sink, "forbidden", "this topic is the secretariat's").await;
        }
        let key = match self.hub.join(topic, &self.client).await {
            Ok(key) => key,
            Err(err) => {
                tracing::warn!(error = %err, "subscribe failed");
                return self.error(sink, "unavailable", "could not read the topic; try again").await;
            }
        };
        // Live events of the topic wait in the queue until the replay has
        // caught up, and are then dropped at or below what it sent.
        delivered.unfollow(&key);
        replays.retain(|replay| replay.key != key);
        replays.push_back(Replay { key, topic, last: after.unwrap_or(0).max(0) });
        Ok(true)
    }

    /// Writes a page of the first replay waiting; an empty page means it
    /// caught up: `subscribed` is said and live events flow from `last` on.
    async fn replayed<S>(
        &self,
        sink: &mut S,
        replays: &mut VecDeque<Replay>,
        delivered: &mut Delivered,
        page: crate::store::StoreResult<Vec<crate::domain::event::Event>>,
    ) -> Result<bool, Failed>
    where
        S: Sink<Message, Error = Failed> + Unpin,
    {
        let Some(replay) = replays.front_mut() else { return Ok(true) };
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                tracing::warn!(error = %err, "replay failed");
                if let Some(replay) = replays.pop_front() {
                    self.hub.leave(&replay.key, self.client.id);
                }
                return self.error(sink, "unavailable", "could not read the topic; try again").await;
            }
        };
        let audience = crate::domain::comment::Audience::of(&self.user);
        for event in &page {
            sink.feed(text(&ServerMessage::Event(&event.as_seen_by(audience)))).await?;
            replay.last = event.seq;
        }
        if page.is_empty() {
            if let Some(Replay { key, last, .. }) = replays.pop_front() {
                sink.feed(text(&ServerMessage::Subscribed { topic: &key, head: last })).await?;
                delivered.follow(key, last);
            }
        }
        sink.flush().await?;
        Ok(true)
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
