//! The layers every request passes: request id, tracing span named by the
//! matched route, metrics, timeout, panic catching, security headers, and a
//! problem+json body for any error answer that lacks one.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::error::{ApiError, PROBLEM_JSON};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The request head the handlers read: longer addresses and larger headers
/// are answered 414 and 431 as problems here. hyper's own limits (see
/// `connections`) sit above these, so only a head beyond them gets hyper's
/// bare answer.
pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

async fn limit_request_head(request: Request, next: Next) -> Response {
    let target = request.uri().path_and_query().map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::UriTooLong.into_response();
    }
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge.into_response();
    }
    next.run(request).await
}

fn route_of(request: &Request) -> String {
    request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned())
}

pub fn around(routes: Router<AppState>, request_timeout: std::time::Duration) -> Router<AppState> {
    // Only the method and the route template are logged, never the URI:
    // invitation tokens travel in paths.
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %request.method(), route = %route_of(request), request_id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        // Errors are logged where they are made (an internal error with its
        // cause, in ApiError); a line per refused request at ERROR level
        // would let a burst of 503s flood the log.
        .on_failure(());
    routes
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, request_timeout))
        .layer(middleware::from_fn(limit_request_head))
        // Outside the timeout, so that its bare 503 becomes a problem too.
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(middleware::from_fn(record_metrics))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal(anyhow::anyhow!("a request handler panicked")).into_response()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
}

async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = route_of(&request);
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("minga_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("minga_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Errors produced below the handlers (timeouts, length limits, the
/// framework's own rejections) come with an empty or plain body; give them
/// the same problem+json shape as every other error.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if is_problem || response.headers().contains_key(header::CONTENT_TYPE) && status == StatusCode::NOT_FOUND {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge("the request body is larger than the limit".into()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::NOT_FOUND => ApiError::NotFound("not found".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType("unsupported content type".into()),
        // The timeout layer's answer (the database's own 503 is a problem already).
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            ApiError::Overloaded("the request did not finish within the time limit; try again")
        }
        status if status.is_server_error() => ApiError::Internal(anyhow::anyhow!("unexpected {status} from a layer")),
        status => ApiError::BadRequest(status.canonical_reason().unwrap_or("bad request").to_owned()),
    };
    let mut answer = error.into_response();
    if let Some(id) = response.headers().get(REQUEST_ID) {
        answer.headers_mut().insert(REQUEST_ID, id.clone());
    }
    let _: Body = response.into_body();
    answer
}
