//! Who is calling: the session token (cookie or Bearer), checked against the
//! stored user on every request, and the CSRF rule for cookie sessions.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};

use super::error::ApiError;
use crate::domain::account::User;
use crate::domain::permissions;
use crate::state::AppState;
use crate::store::StoreError;

pub const COOKIE_NAME: &str = "minga_session";

/// Where the token came from decides whether the Origin must be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenSource {
    Bearer,
    Cookie,
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
}

fn session_token(headers: &HeaderMap) -> Option<(&str, TokenSource)> {
    bearer_token(headers)
        .map(|token| (token, TokenSource::Bearer))
        .or_else(|| cookie_token(headers).map(|token| (token, TokenSource::Cookie)))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A request that writes with the browser's cookie must come from our own
/// pages: its Origin must be the public origin (a missing Origin is refused).
pub fn check_origin(headers: &HeaderMap, public_origin: &str) -> Result<(), ApiError> {
    match headers.get(header::ORIGIN).and_then(|value| value.to_str().ok()) {
        Some(origin) if origin.eq_ignore_ascii_case(public_origin) => Ok(()),
        Some(_) => Err(ApiError::forbidden("the request comes from another site (Origin does not match)")),
        None => Err(ApiError::forbidden("a request signed in by cookie must carry an Origin header")),
    }
}

/// Requests that set a cookie without one (sign-in, accepting an invitation)
/// refuse a foreign Origin when there is one, so another site cannot sign a
/// browser into an account of its choosing.
pub fn check_origin_if_present(headers: &HeaderMap, public_origin: &str) -> Result<(), ApiError> {
    if headers.contains_key(header::ORIGIN) {
        check_origin(headers, public_origin)?;
    }
    Ok(())
}

/// The session a request's token names, if it is a valid token of ours
/// (signed out or not): what signing out ends.
pub fn presented_session(headers: &HeaderMap, state: &AppState) -> Option<crate::auth::token::TokenSubject> {
    session_token(headers).and_then(|(token, _)| state.tokens.verify(token))
}

/// The signed-in user, active and holding a current token, and the session
/// (the token's `jti`) the request is made in.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub user: User,
    pub session: Option<uuid::Uuid>,
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (token, source) = session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let subject = state.tokens.verify(token).ok_or(ApiError::Unauthenticated)?;
        let user = match state.store.user(subject.user_id).await {
            Ok(user) => user,
            Err(StoreError::NotFound(_)) => return Err(ApiError::Unauthenticated),
            Err(err) => return Err(err.into()),
        };
        if !user.active || user.token_version != subject.version {
            return Err(ApiError::Unauthenticated);
        }
        if let Some(session) = subject.session {
            if state.store.session_ended(session).await? {
                return Err(ApiError::Unauthenticated);
            }
        }
        if source == TokenSource::Cookie && !is_safe(&parts.method) {
            check_origin(&parts.headers, &state.public_url.origin)?;
        }
        Ok(CurrentSession { user, session: subject.session })
    }
}

/// The signed-in user, active and holding a current token.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(CurrentUser(CurrentSession::from_request_parts(parts, state).await?.user))
    }
}

/// A signed-in member of the secretariat.
#[derive(Debug, Clone)]
pub struct Secretariat(pub User);

impl FromRequestParts<AppState> for Secretariat {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if !permissions::may_manage_accounts(&user) {
            return Err(ApiError::forbidden("only the technical secretariat may do this"));
        }
        Ok(Secretariat(user))
    }
}

/// The caller's address, for rate limits: the socket peer, or the last
/// X-Forwarded-For entry when the operator says a trusted proxy sets it.
/// Only the last is the proxy's own: every entry before it came from the
/// client, who could choose a new one for each attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .next_back()?
                    .to_str()
                    .ok()?
                    .rsplit(',')
                    .next()?
                    .trim()
                    .parse()
                    .ok()
            })
            .flatten();
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        Ok(ClientAddress(forwarded.or(peer)))
    }
}

/// `Set-Cookie` for a new session, or one that clears it (`token` = None).
pub fn session_cookie(token: Option<&str>, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = match token {
        Some(token) => format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"),
        None => format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    // Tokens are base64url and dots: always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    #[test]
    fn bearer_wins_over_cookie() {
        let map = headers(&[(header::AUTHORIZATION, "Bearer abc"), (header::COOKIE, "minga_session=xyz")]);
        assert_eq!(session_token(&map), Some(("abc", TokenSource::Bearer)));
        let map = headers(&[(header::COOKIE, "other=1; minga_session=xyz")]);
        assert_eq!(session_token(&map), Some(("xyz", TokenSource::Cookie)));
    }

    #[test]
    fn origin_must_match_exactly() {
        let ours = "http://localhost:8080";
        assert!(check_origin(&headers(&[(header::ORIGIN, "http://localhost:8080")]), ours).is_ok());
        assert!(check_origin(&headers(&[(header::ORIGIN, "http://evil.example")]), ours).is_err());
        assert!(check_origin(&headers(&[(header::ORIGIN, "http://localhost:8081")]), ours).is_err());
        assert!(check_origin(&HeaderMap::new(), ours).is_err());
        assert!(check_origin_if_present(&HeaderMap::new(), ours).is_ok());
    }

    #[test]
    fn session_cookie_attributes() {
        let cookie = session_cookie(Some("t.o.k"), 3600, true);
        let text = cookie.to_str().expect("ascii");
        assert!(text.starts_with("minga_session=t.o.k;"));
        for attribute in ["HttpOnly", "SameSite=Lax", "Max-Age=3600", "Secure", "Path=/"] {
            assert!(text.contains(attribute), "{text} lacks {attribute}");
        }
        assert!(!session_cookie(None, 0, false).to_str().expect("ascii").contains("Secure"));
    }
}
