//! The websocket: `GET /api/v1/ws`, live events, presence and typing.

pub mod client;
pub mod connection;
pub mod delivered;
mod gates;
pub mod hub;
pub mod protocol;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;

use crate::domain::comment::Audience;
use crate::domain::limits::WEBSOCKET_MESSAGE_BYTES;
use crate::http::error::{ApiError, ApiResult};
use crate::http::session::{check_origin_if_present, CurrentUser};
use crate::state::AppState;
use connection::Connection;
use hub::Client;
use protocol::PresenceUser;

/// Open websockets one person may have on a node (phone, laptop, tabs), by
/// default; `MINGA_WS_PER_PERSON` changes it.
pub const CONNECTIONS_PER_USER: usize = 8;

/// Frames queued for one connection before it counts as too slow.
pub const CLIENT_QUEUE: usize = 256;
/// Small buffers: a socket mostly waits, clients send little (subscribe,
/// ping, typing), and tungstenite allocates the whole read buffer for every
/// socket and zeroes it before every read attempt, which the connection
/// makes each time it wakes to write. A larger message still arrives whole;
/// it only takes more reads.
const READ_BUFFER: usize = 512;
const WRITE_BUFFER: usize = 8 * 1024;

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
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    if state.hub.connections_of(user.id) >= state.ws_per_person {
        return Err(ApiError::RateLimited { retry_after_secs: 10 });
    }
    let upgrade = upgrade
        .max_message_size(WEBSOCKET_MESSAGE_BYTES)
        .max_frame_size(WEBSOCKET_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(WRITE_BUFFER + 4 * WEBSOCKET_MESSAGE_BYTES);
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
    Ok(upgrade.on_upgrade(move |socket| async move {
        let _running = running;
        connection.hub.register(connection.client.clone());
        metrics::gauge!("minga_websocket_connections").increment(1);
        let (sink, stream) = socket.split();
        connection.run(sink, stream, outgoing).await;
        metrics::gauge!("minga_websocket_connections").decrement(1);
    }))
}
