//! The web frontend, embedded in the binary (also in debug builds, so the
//! tests exercise exactly what ships). Unknown paths outside /api get the
//! app's page, which routes on the client.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use super::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../web/"]
struct Assets;

const INDEX: &str = "index.html";

pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return ApiError::NotFound("no such API endpoint".into()).into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return ApiError::MethodNotAllowed.into_response();
    }
    let wanted = if path.is_empty() { INDEX } else { path };
    match Assets::get(wanted) {
        Some(file) => asset(wanted, file, &headers),
        // A path that names a file (has an extension) and is not there is a
        // real 404; anything else is a page of the app.
        None if wanted.rsplit('/').next().is_some_and(|last| last.contains('.')) => {
            (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Not found").into_response()
        }
        None => match Assets::get(INDEX) {
            Some(file) => asset(INDEX, file, &headers),
            None => ApiError::NotFound("the web frontend is missing from this build".into()).into_response(),
        },
    }
}

fn asset(name: &str, file: rust_embed::EmbeddedFile, request: &HeaderMap) -> Response {
    let hash = file.metadata.sha256_hash();
    let etag = format!("\"{}\"", hash.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>());
    if request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.ends_with("javascript") || mime.ends_with("json") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    // Revalidate every time (cheap with the ETag): a new release must never
    // leave a phone running yesterday's script against today's API.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    tracing::trace!(asset = name, "served");
    response
}
