//! The websocket: `GET /api/v1/ws`, live events, presence and typing.
//!
//! The invariant everything here keeps: **only the connection loop's
//! write-out touches the socket.** tungstenite, the replay and the hub's
//! frames all append to one output buffer (`socket::Duplex`); the loop writes
//! that buffer out, bounded by the same caps whatever put it there, and keeps
//! its timers and stop token polled while a write waits. Nothing else may
//! write, or a slow reader could hold memory outside the caps (it once held
//! 5 GiB through an unbounded replay).
//!
//! The life of an event frame:
//! 1. a store method commits, then publishes the events in seq order
//!    (`store::events_sql`, `commit_and_publish`) to the bus: in-process,
//!    or PostgreSQL `NOTIFY` to every node (`bus`);
//! 2. the hub (`hub.rs`) takes each event of a topic in seq order, reading a
//!    missed seq from the log, and frames it once per audience (what a
//!    delegate and the secretariat may see differ: `Event::as_seen_by`);
//! 3. it offers the frame to every client following the topic
//!    (`client::Client::offer`); a client with 256 frames or 1 MiB queued is
//!    too slow and is ended with `resync` and close code 1013;
//! 4. the offer wakes the connection's task (`wakeups.rs`), which takes the
//!    whole queue at once, drops what it already delivered by (topic, seq)
//!    (`delivered.rs`), appends the frames to the output buffer and writes
//!    it in one call (`connection.rs`).

pub mod client;
pub mod connection;
pub mod delivered;
mod gates;
pub mod hub;
pub mod inbox_feed;
pub mod protocol;
pub mod socket;
mod wakeups;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use crate::domain::comment::Audience;
use crate::domain::limits::WEBSOCKET_MESSAGE_BYTES;
use crate::http::error::{ApiError, ApiResult};
use crate::http::session::{check_origin_if_present, CurrentSession};
use crate::state::AppState;
use connection::Connection;
use hub::Client;
use protocol::PresenceUser;

/// Frames queued for one connection before it counts as too slow.
pub const CLIENT_QUEUE: usize = 256;
/// A small read buffer: a socket mostly waits, clients send little
/// (subscribe, ping, typing), and tungstenite allocates the whole read
/// buffer for every socket and zeroes it before every read attempt. A larger
/// message still arrives whole; it only takes more reads. tungstenite's own
/// write buffer is off: it writes into the connection's output buffer (see
/// `socket`), which must receive its frames at once to keep them in order
/// with the event frames appended there.
pub fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_message_size(Some(WEBSOCKET_MESSAGE_BYTES))
        .max_frame_size(Some(WEBSOCKET_MESSAGE_BYTES))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

/// Upgrade to a websocket (the session cookie or a Bearer token; a foreign
/// Origin is refused with 403 before upgrading).
#[utoipa::path(get, path = "/api/v1/ws", tag = "events",
    responses((status = 101, description = "Switching to the websocket protocol"),
        (status = 400, description = "Not a websocket upgrade request", body = crate::http::error::Problem),
        (status = 401, body = crate::http::error::Problem), (status = 403, body = crate::http::error::Problem),
        (status = 429, description = "Too many open websockets for this person", body = crate::http::error::Problem)))]
pub async fn upgrade(
    State(state): State<AppState>,
    CurrentSession { user, session }: CurrentSession,
    headers: HeaderMap,
    slot: Option<axum::Extension<crate::connections::ConnectionSlot>>,
    upgrade: socket::Upgrade,
) -> ApiResult<Response> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    if state.hub.connections_of(user.id) >= state.ws_per_person {
        return Err(ApiError::RateLimited { retry_after_secs: 10 });
    }
    let presence = PresenceUser {
        id: user.id,
        display_name: user.display_name.clone(),
        organization: user.organization.short_name.clone(),
    };
    let (client, outgoing) = Client::new(
        state.hub.next_client_id(),
        presence,
        Audience::of(&user),
        CLIENT_QUEUE,
        state.shutdown.child_token(),
        session,
    );
    // Counted by the tracker, so shutdown waits for the goodbye frame.
    let running = state.tasks.token();
    // Only what the connection needs is kept for its lifetime.
    let connection = Connection {
        client,
        user,
        hub: state.hub.clone(),
        store: state.store.clone(),
        shutdown: state.shutdown.clone(),
    };
    let (response, upgraded) = upgrade.accept();
    // Registered before the 101 leaves: a sign-out, a role change or a
    // deactivation that follows the answer finds this socket and ends it
    // (registered in the task, a sign-out right after the 101 could miss it).
    connection.hub.register(connection.client.clone());
    tokio::spawn(async move {
        let _running = running;
        // The socket still counts among the server's open connections.
        let _slot = slot;
        let Ok(upgraded) = upgraded.await else {
            connection.hub.disconnect(connection.client.id);
            return;
        };
        metrics::gauge!("minga_websocket_connections").increment(1);
        let socket = socket::Duplex::new(TokioIo::new(upgraded));
        let ws = WebSocketStream::from_raw_socket(socket, Role::Server, Some(socket_config())).await;
        connection.run(Box::new(ws), outgoing).await;
        metrics::gauge!("minga_websocket_connections").decrement(1);
    });
    Ok(response)
}
