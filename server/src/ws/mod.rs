//! The websocket: `GET /api/v1/ws`, live events, presence and typing.

pub mod client;
pub mod connection;
pub mod delivered;
mod gates;
pub mod hub;
pub mod protocol;
pub mod socket;

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

/// Open websockets one person may have on a node (phone, laptop, tabs), by
/// default; `MINGA_WS_PER_PERSON` changes it.
pub const CONNECTIONS_PER_USER: usize = 8;

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
    tokio::spawn(async move {
        let _running = running;
        // The socket still counts among the server's open connections.
        let _slot = slot;
        let Ok(upgraded) = upgraded.await else { return };
        connection.hub.register(connection.client.clone());
        metrics::gauge!("minga_websocket_connections").increment(1);
        let socket = socket::Duplex::new(TokioIo::new(upgraded));
        let ws = WebSocketStream::from_raw_socket(socket, Role::Server, Some(socket_config())).await;
        connection.run(Box::new(ws), outgoing).await;
        metrics::gauge!("minga_websocket_connections").decrement(1);
    });
    Ok(response)
}
