//! HTTP: translates between the wire and the domain. One `router()` per
//! module; this one assembles them with the cross-cutting layers.

pub mod accounts;
pub mod acta;
pub mod admin;
pub mod ballots;
pub mod checkpoints;
pub mod comments;
pub mod comparison;
pub mod cosponsors;
pub mod document_ballots;
pub mod documents;
pub mod error;
pub mod events;
pub mod export;
pub mod extract;
pub mod hand_votes;
pub mod health;
pub mod import;
pub mod invitations;
pub mod middleware;
pub mod minutes;
mod minutes_ranking;
pub mod notifications;
pub mod openapi;
mod openapi_responses;
pub mod outbox;
pub mod password_reset;
pub mod pending;
pub mod people;
pub mod preferences;
pub mod proposals;
pub mod references;
pub mod representatives;
pub mod session;
pub mod sessions;
pub mod speakers;
pub mod stances;
pub mod structure;
pub mod views;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;

use crate::domain::limits::BODY_LIMIT_BYTES;
use crate::state::AppState;
use error::ApiError;

pub fn app(state: AppState) -> Router {
    // Installed before the first request so no early count is lost.
    health::metrics_handle();
    let api = Router::new()
        .merge(accounts::router())
        .merge(admin::router())
        .merge(invitations::router())
        .merge(documents::router())
        .merge(proposals::router())
        .merge(cosponsors::router())
        .merge(comments::router())
        .merge(events::router())
        .merge(ballots::router())
        .merge(document_ballots::router())
        .merge(stances::router())
        .merge(references::router())
        .merge(representatives::router())
        .merge(sessions::router())
        .merge(hand_votes::router())
        .merge(checkpoints::router())
        .merge(outbox::router())
        .merge(notifications::router())
        .merge(preferences::router())
        .merge(pending::router())
        .merge(people::router())
        .merge(password_reset::router())
        .merge(crate::ws::router())
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { ApiError::NotFound("no such API endpoint".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });
    let routes = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(web::serve)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES));
    middleware::around(routes, state.request_timeout).with_state(state)
}
