//! One error type for the whole API, answered as `application/problem+json`.
//! Internal errors are logged with their cause and answered without it.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::account::{InvitationState, ResetRefusal};
use crate::domain::limits::Invalid;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A 409 that lists the cross-references the change would break.
    #[error("would break {} references", .0.len())]
    WouldBreak(Vec<crate::domain::references::Break>),
    #[error("gone: {0}")]
    Gone(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// 414: the request's target is longer than the server reads.
    #[error("URI too long")]
    UriTooLong,
    /// 431: too many header fields, or too many bytes of them.
    #[error("request headers too large")]
    HeadersTooLarge,
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid: {0}")]
    Validation(Invalid),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    /// Too much of one kind of work at once (password checks, a request
    /// past its time): 503 with a short Retry-After, and why.
    #[error("overloaded: {0}")]
    Overloaded(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The body of every error answer (RFC 9457), plus the field at fault for
/// validation errors.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a refused removal: the references it would break.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<crate::domain::references::Break>,
}

impl ApiError {
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::Forbidden(detail.into())
    }

    pub fn validation(field: impl Into<std::borrow::Cow<'static, str>>, problem: impl Into<String>) -> Self {
        ApiError::Validation(Invalid::new(field, problem))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::WouldBreak(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Overloaded(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable `code` of API.md. 405 and 410 have no code of
    /// their own there; they get `method_not_allowed` and `gone`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) | ApiError::WouldBreak(_) => "conflict",
            ApiError::Gone(_) => "gone",
            // API.md has no codes for 414 and 431: they are requests too large too.
            ApiError::PayloadTooLarge(_) | ApiError::UriTooLong | ApiError::HeadersTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType(_) | ApiError::BadRequest(_) | ApiError::Validation(_) => "validation",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable | ApiError::Overloaded(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Unauthenticated => "sign in first: this needs a valid session".into(),
            ApiError::MethodNotAllowed => "this path does not accept this method".into(),
            ApiError::UriTooLong => {
                format!("the address is longer than {} bytes", crate::http::middleware::MAX_URI_BYTES)
            }
            ApiError::HeadersTooLarge => format!(
                "the request has more than {} header fields or {} bytes of them",
                crate::http::middleware::MAX_HEADERS,
                crate::http::middleware::MAX_HEADER_BYTES
            ),
            ApiError::RateLimited { retry_after_secs } => {
                format!("too many attempts; try again in {retry_after_secs} seconds")
            }
            ApiError::Unavailable => "the database is not answering; try again shortly".into(),
            ApiError::Overloaded(detail) => (*detail).into(),
            ApiError::Internal(_) => "something went wrong on our side; it has been logged".into(),
            ApiError::Validation(invalid) => invalid.to_string(),
            ApiError::WouldBreak(breaks) => format!(
                "{} cross-references point at what would be removed; change them first, or repeat with ?force=true",
                breaks.len()
            ),
            ApiError::Forbidden(detail)
            | ApiError::NotFound(detail)
            | ApiError::Conflict(detail)
            | ApiError::Gone(detail)
            | ApiError::PayloadTooLarge(detail)
            | ApiError::UnsupportedMediaType(detail)
            | ApiError::BadRequest(detail) => detail.clone(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: format!("urn:minga:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            field: match self {
                ApiError::Validation(invalid) => Some(invalid.field.clone().into_owned()),
                _ => None,
            },
            breaks: match self {
                ApiError::WouldBreak(breaks) => breaks.clone(),
                _ => Vec::new(),
            },
        }
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(err) => tracing::error!(error = ?err, "internal error"),
            ApiError::Unavailable => tracing::warn!("database unavailable"),
            _ => {}
        }
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self {
            ApiError::RateLimited { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            ApiError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"minga\""));
            }
            ApiError::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            ApiError::Overloaded(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

impl ApiError {
    /// The whole HTTP/1.1 answer, for where no service runs: refusals made in
    /// the accept loop, and the answers hyper gives a head it cannot read.
    /// The connection is closed after it.
    pub fn raw_http1_answer(&self) -> String {
        let status = self.status();
        let body = serde_json::to_string(&self.problem()).unwrap_or_default();
        let retry = match self {
            ApiError::Overloaded(_) => "retry-after: 1\r\n",
            _ => "",
        };
        format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {PROBLEM_JSON}\r\nx-content-type-options: nosniff\r\n{retry}\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error"),
            body.len()
        )
    }

    /// A write refused for coming too fast, with how long to wait.
    pub fn too_fast(wait: std::time::Duration) -> Self {
        metrics::counter!("minga_writes_throttled_total").increment(1);
        ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            StoreError::Conflict(detail) => ApiError::Conflict(detail),
            StoreError::WouldBreak(breaks) => ApiError::WouldBreak(breaks),
            StoreError::Forbidden(detail) => ApiError::Forbidden(detail),
            StoreError::Invalid(invalid) => ApiError::Validation(invalid),
            StoreError::InvitationUnusable(InvitationState::Expired) => {
                ApiError::Gone("this invitation has expired; ask the secretariat for a new one".into())
            }
            StoreError::InvitationUnusable(InvitationState::Revoked) => {
                ApiError::Gone("this invitation was withdrawn by the secretariat".into())
            }
            StoreError::InvitationUnusable(_) => ApiError::Gone("this invitation has already been used".into()),
            StoreError::ResetUnusable(refusal) => ApiError::Gone(
                match refusal {
                    ResetRefusal::Used => "this link was used already, or a newer one was sent; ask for a new one",
                    ResetRefusal::Expired => "this link has expired; ask for a new one",
                    ResetRefusal::Inactive => "this account is no longer active",
                }
                .into(),
            ),
            StoreError::Unavailable(_) => ApiError::Unavailable,
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::Validation(invalid)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(err) => ApiError::validation("body", err.body_text()),
            JsonRejection::JsonSyntaxError(err) => ApiError::BadRequest(err.body_text()),
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::UnsupportedMediaType("send the body as JSON with Content-Type: application/json".into())
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge("the request body is larger than the limit of 1 MiB".into())
            }
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

impl From<crate::auth::password::Busy> for ApiError {
    fn from(_: crate::auth::password::Busy) -> Self {
        metrics::counter!("minga_password_checks_refused_total").increment(1);
        ApiError::Overloaded("too many password checks at once; try again in a moment")
    }
}

impl From<crate::auth::password::HashError> for ApiError {
    fn from(error: crate::auth::password::HashError) -> Self {
        match error {
            crate::auth::password::HashError::Busy(busy) => busy.into(),
            crate::auth::password::HashError::Failed(failed) => ApiError::Internal(failed),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::validation("path", rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::validation("query", rejection.body_text())
    }
}
