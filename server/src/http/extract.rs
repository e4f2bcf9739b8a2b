//! Extractors whose rejections are problem+json answers.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use crate::store::Page;

/// `axum::Json`, answering malformed bodies with a problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Every request body of the API is one JSON object. serde would also build a
/// struct from an array (`[null, null]`), which the contract does not allow,
/// so the shape is checked before the fields are.
impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(ApiError::validation("body", "must be a JSON object"));
        }
        crate::domain::limits::request_text(&value)?;
        serde_json::from_value(value).map(Json).map_err(|err| {
            ApiError::validation("body", format!("Failed to deserialize the JSON body into the target type: {err}"))
        })
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path`, answering malformed ids with a problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, answering malformed parameters with a problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `?after=&limit=` of a list ordered by id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most this many items (1..=1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only items after the one with this id.
    pub after: Option<Uuid>,
}

impl PageQuery {
    pub fn page(&self) -> ApiResult<Page> {
        let limit = self.limit.unwrap_or(Page::MAX_LIMIT);
        if !(1..=Page::MAX_LIMIT).contains(&limit) {
            return Err(ApiError::validation("limit", format!("must be between 1 and {}", Page::MAX_LIMIT)));
        }
        Ok(Page { after: self.after, limit })
    }
}
