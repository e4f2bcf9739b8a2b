//! A websocket client for the suites, over a real socket: the same file
//! serves the binary suites in `server/tests` (see `common/mod.rs`).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(10);

pub struct WsClient {
    pub socket: Socket,
}

/// How a connection attempt ended when it was refused before upgrading.
pub fn refused_status(err: &tokio_tungstenite::tungstenite::Error) -> Option<u16> {
    match err {
        tokio_tungstenite::tungstenite::Error::Http(response) => Some(response.status().as_u16()),
        _ => None,
    }
}

impl WsClient {
    /// Connects to `url` with these extra headers.
    pub async fn connect(
        url: &str,
        headers: &[(&'static str, String)],
    ) -> Result<WsClient, tokio_tungstenite::tungstenite::Error> {
        let mut request = url.into_client_request()?;
        for (name, value) in headers {
            let value = HeaderValue::from_str(value)
                .map_err(|e| tokio_tungstenite::tungstenite::Error::HttpFormat(e.into()))?;
            request.headers_mut().insert(*name, value);
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(WsClient { socket })
    }

    /// Connects to the websocket of the server at `base` (`http://host:port`)
    /// as the holder of `token`.
    pub async fn signed_in(base: &str, token: &str) -> Result<WsClient, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/api/v1/ws", base.replace("http://", "ws://"));
        WsClient::connect(&url, &[("authorization", format!("Bearer {token}"))]).await
    }

    /// Like `connect`, over a socket with a tiny receive buffer, so that a
    /// client that stops reading backs up into the server quickly.
    pub async fn connect_with_small_buffer(url: &str, headers: &[(&'static str, String)]) -> WsClient {
        let mut request = url.into_client_request().expect("request");
        for (name, value) in headers {
            request.headers_mut().insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        let host = request.uri().authority().expect("authority").as_str().to_owned();
        let address: std::net::SocketAddr = host.parse().expect("socket address");
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("buffer size");
        let stream = socket.connect(address).await.expect("connect");
        let (socket, _) =
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)).await.expect("websocket");
        WsClient { socket }
    }

    pub async fn send(&mut self, value: Value) {
        self.socket.send(Message::text(value.to_string())).await.expect("send");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::text(text.to_owned())).await.expect("send");
    }

    /// The next JSON message (skipping pings), or None when the socket ends
    /// or nothing comes within `WAIT`.
    pub async fn next(&mut self) -> Option<Value> {
        self.next_within(WAIT).await
    }

    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(wait, self.socket.next()).await.ok()??.ok()?;
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
                Message::Close(frame) => {
                    return Some(serde_json::json!({"type": "__close", "code": frame.map(|f| u16::from(f.code))}));
                }
                _ => continue,
            }
        }
    }

    /// The next message of `kind` (`event`, `presence`, ...), skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let message = self.next().await.unwrap_or_else(|| panic!("no {kind} message came"));
            if message["type"] == kind {
                return message;
            }
            assert_ne!(message["type"], "__close", "closed while waiting for {kind}: {message}");
        }
    }

    /// Subscribes and returns (replayed events, head).
    pub async fn subscribe(&mut self, topic: &str, after: Option<i64>) -> (Vec<Value>, i64) {
        let mut message = serde_json::json!({"type": "subscribe", "topic": topic});
        if let Some(after) = after {
            message["after"] = after.into();
        }
        self.send(message).await;
        let mut events = Vec::new();
        loop {
            let message = self.next().await.expect("subscribe answer");
            match message["type"].as_str() {
                Some("event") if message["topic"] == topic => events.push(message),
                Some("subscribed") => return (events, message["head"].as_i64().expect("head")),
                Some("error") => panic!("subscribe refused: {message}"),
                _ => {}
            }
        }
    }

    /// Events of `topic` until one with seq >= `until` arrives.
    pub async fn events_until(&mut self, topic: &str, until: i64) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let message = self.next().await.unwrap_or_else(|| panic!("stream ended before seq {until}: {events:?}"));
            assert_ne!(message["type"], "__close", "closed before seq {until}");
            if message["type"] == "event" && message["topic"] == topic {
                let seq = message["seq"].as_i64().expect("seq");
                events.push(message);
                if seq >= until {
                    return events;
                }
            }
        }
    }
}
