//! The connection loop driven through plain channels instead of a socket.

use axum::extract::ws::Message;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::bus::LocalBus;
use crate::domain::account::{OrganizationKind, Role};
use crate::domain::comment::Audience;
use crate::domain::fixtures;
use crate::ws::hub::{Client, Hub};
use crate::ws::protocol::PresenceUser;

struct Harness {
    to_server: mpsc::UnboundedSender<Result<Message, axum::Error>>,
    from_server: mpsc::UnboundedReceiver<Message>,
    shutdown: CancellationToken,
    done: tokio::task::JoinHandle<()>,
    _dir: std::path::PathBuf,
}

async fn start() -> Harness {
    let dir = std::env::temp_dir().join(format!("minga-conn-{}", uuid::Uuid::now_v7().simple()));
    let bus = LocalBus::new(16);
    let store = crate::store::open(&format!("sqlite://{}/t.db", dir.display()), bus.clone()).await.expect("store");
    let shutdown = CancellationToken::new();
    let hub = Hub::start(store.clone(), bus.as_ref(), shutdown.clone());
    let user = fixtures::user(Role::Delegate, OrganizationKind::Member);
    let presence = PresenceUser { id: user.id, display_name: "U".into(), organization: "O".into() };
    let (client, outgoing) = Client::new(hub.next_client_id(), presence, Audience::Everyone, 8, shutdown.child_token());
    let (to_server, incoming) = mpsc::unbounded_channel();
    let (sent, from_server) = mpsc::unbounded_channel::<Message>();
    let stream = futures_util::stream::unfold(incoming, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
    let sink = futures_util::sink::unfold(sent, |sent, message: Message| async move {
        sent.send(message).map_err(axum::Error::new)?;
        Ok::<_, axum::Error>(sent)
    });
    let connection = Connection { client, user, hub, store, shutdown: shutdown.clone() };
    let done = tokio::spawn(connection.run(Box::pin(sink), Box::pin(stream), outgoing));
    Harness { to_server, from_server, shutdown, done, _dir: dir }
}

impl Harness {
    fn say(&self, text: &str) {
        self.to_server.send(Ok(Message::Text(text.into()))).expect("send");
    }

    async fn heard(&mut self) -> serde_json::Value {
        match self.from_server.recv().await.expect("a message") {
            Message::Text(text) => serde_json::from_str(text.as_str()).expect("json"),
            other => serde_json::json!({"other": format!("{other:?}")}),
        }
    }
}

#[tokio::test]
async fn pings_errors_and_going_away() {
    let mut h = start().await;
    h.say(r#"{"type":"ping","id":1}"#);
    assert_eq!(h.heard().await, serde_json::json!({"type": "pong", "id": 1}));
    h.say("nonsense");
    let error = h.heard().await;
    assert_eq!((error["type"].as_str(), error["code"].as_str()), (Some("error"), Some("bad_message")));
    h.say(r#"{"type":"ping"}"#);
    assert_eq!(h.heard().await["type"], "pong", "still serving after an error");
    h.shutdown.cancel();
    match h.from_server.recv().await {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.code, GOING_AWAY),
        other => panic!("expected a going-away close, got {other:?}"),
    }
    h.done.await.expect("the loop ends");
}

#[tokio::test]
async fn the_loop_ends_when_the_peer_goes() {
    let h = start().await;
    drop(h.to_server);
    h.done.await.expect("the loop ends when the stream ends");
}

#[tokio::test]
async fn unsubscribed_events_are_not_written() {
    let mut h = start().await;
    h.say(r#"{"type":"unsubscribe","topic":"moderation"}"#);
    h.say(r#"{"type":"ping","id":"after"}"#);
    assert_eq!(h.heard().await["id"], "after", "unsubscribing from nothing is harmless and silent");
    let _ = h.to_server.send(Ok(Message::Close(None)));
    h.done.await.expect("a close ends the loop");
}
