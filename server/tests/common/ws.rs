//! A websocket client for the binary suites: connect with a token, send,
//! read JSON messages, subscribe and collect a topic's events.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn websocket(base: &str, token: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("{}/api/v1/ws", base.replace("http://", "ws://")).into_client_request()?;
    request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).expect("header"));
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::text(message.to_string())).await.expect("send");
}

/// The next JSON message within `wait`; None when the socket ends or stays silent.
pub async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await.ok()??.ok()? {
            Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// Subscribes (after `after`) and returns the replayed events and the head.
pub async fn subscribe(socket: &mut Socket, topic: &str, after: Option<i64>) -> (Vec<Value>, i64) {
    let mut message = json!({"type": "subscribe", "topic": topic});
    if let Some(after) = after {
        message["after"] = after.into();
    }
    send(socket, message).await;
    let mut events = Vec::new();
    loop {
        let message = next(socket, Duration::from_secs(15)).await.expect("an answer to subscribe");
        match message["type"].as_str() {
            Some("event") if message["topic"] == topic => events.push(message),
            Some("subscribed") => return (events, message["head"].as_i64().expect("head")),
            Some("error") => panic!("subscribe refused: {message}"),
            _ => {}
        }
    }
}

/// The events of `topic` until one with seq >= `until` arrives (or 15 s pass in silence).
pub async fn events_until(socket: &mut Socket, topic: &str, until: i64) -> Vec<Value> {
    let mut events = Vec::new();
    while let Some(message) = next(socket, Duration::from_secs(15)).await {
        if message["type"] == "event" && message["topic"] == topic {
            let seq = message["seq"].as_i64().expect("seq");
            events.push(message);
            if seq >= until {
                break;
            }
        }
    }
    events
}
