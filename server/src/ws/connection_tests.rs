//! The connection loop over an in-memory pipe, with a real websocket
//! client (tungstenite, client role: masked frames) at the other end.

use futures_util::{SinkExt, StreamExt};
use tokio::io::DuplexStream;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::bus::LocalBus;
use crate::domain::account::{OrganizationKind, Role as AccountRole};
use crate::domain::comment::Audience;
use crate::domain::fixtures;
use crate::ws::hub::{Client, Hub};
use crate::ws::protocol::PresenceUser;

struct Harness {
    peer: WebSocketStream<DuplexStream>,
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
    let user = fixtures::user(AccountRole::Delegate, OrganizationKind::Member);
    let presence = PresenceUser { id: user.id, display_name: "U".into(), organization: "O".into() };
    let (client, outgoing) =
        Client::new(hub.next_client_id(), presence, Audience::Everyone, 8, shutdown.child_token(), None);
    let (server_end, peer_end) = tokio::io::duplex(64 * 1024);
    let ws = WebSocketStream::from_raw_socket(
        crate::ws::socket::Duplex::new(server_end),
        Role::Server,
        Some(crate::ws::socket_config()),
    )
    .await;
    let peer = WebSocketStream::from_raw_socket(peer_end, Role::Client, None).await;
    let connection = Connection { client, user, hub, store, shutdown: shutdown.clone() };
    let done = tokio::spawn(connection.run(Box::new(ws), outgoing));
    Harness { peer, shutdown, done, _dir: dir }
}

impl Harness {
    async fn say(&mut self, text: &str) {
        self.peer.send(Message::text(text)).await.expect("send");
    }

    async fn next(&mut self) -> Option<Message> {
        loop {
            match self.peer.next().await {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(message)) => return Some(message),
                Some(Err(_)) | None => return None,
            }
        }
    }

    async fn heard(&mut self) -> serde_json::Value {
        match self.next().await.expect("a message") {
            Message::Text(text) => serde_json::from_str(text.as_str()).expect("json"),
            other => serde_json::json!({"other": format!("{other:?}")}),
        }
    }
}

#[tokio::test]
async fn pings_errors_and_going_away() {
    let mut h = start().await;
    h.say(r#"{"type":"ping","id":1}"#).await;
    assert_eq!(h.heard().await, serde_json::json!({"type": "pong", "id": 1}));
    h.say("nonsense").await;
    let error = h.heard().await;
    assert_eq!((error["type"].as_str(), error["code"].as_str()), (Some("error"), Some("bad_message")));
    h.say(r#"{"type":"ping"}"#).await;
    assert_eq!(h.heard().await["type"], "pong", "still serving after an error");
    h.shutdown.cancel();
    match h.next().await {
        Some(Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), GOING_AWAY),
        other => panic!("expected a going-away close, got {other:?}"),
    }
    h.done.await.expect("the loop ends");
}

#[tokio::test]
async fn the_loop_ends_when_the_peer_goes() {
    let h = start().await;
    drop(h.peer);
    h.done.await.expect("the loop ends when the stream ends");
}

#[tokio::test]
async fn unsubscribed_events_are_not_written() {
    let mut h = start().await;
    h.say(r#"{"type":"unsubscribe","topic":"moderation"}"#).await;
    h.say(r#"{"type":"ping","id":"after"}"#).await;
    assert_eq!(h.heard().await["id"], "after", "unsubscribing from nothing is harmless and silent");
    h.peer.send(Message::Close(None)).await.expect("close");
    assert!(matches!(h.next().await, Some(Message::Close(_))), "the close is answered");
    h.done.await.expect("a close ends the loop");
}
