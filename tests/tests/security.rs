//! Browser-facing hardening, on real responses and on both backends: the
//! security headers on every kind of response, the session cookie's
//! attributes (on an http and an https public URL), and the Origin rule
//! for cookie writes where accounts.rs does not already cover it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashMap;

use base64::Engine;
use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, TestApp, PASSWORD, PUBLIC_URL};
use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    every_kind_of_response_carries_the_security_headers,
    printable_pages_keep_their_own_stricter_policy,
    session_cookie_on_an_http_public_url,
    session_cookie_on_an_https_public_url,
    the_origin_must_match_scheme_host_and_port,
    a_foreign_origin_cannot_accept_an_invitation,
);

const HTTPS_URL: &str = "https://minga.test";

/// The directives of a Content-Security-Policy, each with its sources.
fn directives(policy: &str) -> HashMap<String, Vec<String>> {
    policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

/// The one value of `name`; a header sent twice would let a browser pick.
fn single(what: &str, headers: &HeaderMap, name: &str) -> String {
    let values: Vec<_> = headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert_eq!(values.len(), 1, "{what}: exactly one {name}, got {values:?}");
    values.into_iter().next().unwrap()
}

/// What every response must carry, and its policy's directives.
fn assert_hardened(what: &str, headers: &HeaderMap) -> HashMap<String, Vec<String>> {
    let policy = single(what, headers, "content-security-policy");
    let csp = directives(&policy);
    assert!(csp.contains_key("default-src"), "{what}: no default-src in {policy}");
    assert_eq!(csp["frame-ancestors"], ["'none'"], "{what}: {policy}");
    // Where scripts may come from (script-src, else default-src): our own
    // files at most, never inline code, eval, or another host.
    let scripts = csp.get("script-src").unwrap_or(&csp["default-src"]);
    assert!(scripts.iter().all(|s| s == "'self'" || s == "'none'"), "{what}: scripts from {scripts:?}");
    let objects = csp.get("object-src").unwrap_or(&csp["default-src"]);
    assert!(objects.iter().all(|s| s == "'none'"), "{what}: plugins from {objects:?}");
    assert!(!policy.contains("unsafe-eval") && !policy.contains('*'), "{what}: {policy}");
    assert_eq!(single(what, headers, "x-content-type-options"), "nosniff", "{what}");
    let referrer = single(what, headers, "referrer-policy");
    assert!(
        ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"].contains(&referrer.as_str()),
        "{what}: Referrer-Policy {referrer} leaks paths (invitation tokens travel in them) to other sites"
    );
    if headers.contains_key("x-frame-options") {
        assert!(single(what, headers, "x-frame-options").eq_ignore_ascii_case("deny"), "{what}");
    }
    csp
}

/// The application's own policy: our scripts only, nothing inline anywhere.
fn assert_app_policy(what: &str, headers: &HeaderMap) {
    let csp = assert_hardened(what, headers);
    assert_eq!(csp["default-src"], ["'self'"], "{what}");
    assert_eq!(csp["script-src"], ["'self'"], "{what}");
    assert!(csp.values().flatten().all(|source| source != "'unsafe-inline'"), "{what}: {csp:?}");
    assert!(csp["base-uri"].iter().all(|s| s == "'none'" || s == "'self'"), "{what}: {csp:?}");
}

fn content_type(response: &Response) -> String {
    response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn every_kind_of_response_carries_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    // HTML pages of the web app.
    for path in ["/", "/ingresar", "/invitations/some-token"] {
        let page = app.request(Method::GET, path).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(content_type(&page).starts_with("text/html"), "{path}");
        assert_app_policy(path, page.headers());
        let etag = page.headers()["etag"].clone();
        let unchanged = app.request(Method::GET, path).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
        assert_app_policy(&format!("{path} (304)"), unchanged.headers());
    }
    // A static asset, and a missing one.
    let script = app.request(Method::GET, "/app.js").send().await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(content_type(&script).contains("javascript"));
    assert_app_policy("/app.js", script.headers());
    let missing = app.request(Method::GET, "/missing.js").send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_app_policy("/missing.js", missing.headers());
    // API answers in JSON, signed in and not.
    let me = app.as_user(&admin, Method::GET, "/api/v1/me").send().await.unwrap();
    assert_eq!(content_type(&me), "application/json");
    assert_app_policy("GET /api/v1/me", me.headers());
    expect_status(me, StatusCode::OK).await;
    let health = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert_app_policy("/healthz", health.headers());
    // Problems: from a handler, from routing, and from the framework itself.
    let anonymous = app.request(Method::GET, "/api/v1/me").send().await.unwrap();
    assert_app_policy("401", anonymous.headers());
    expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let unknown = app.request(Method::GET, "/api/v1/no-such-thing").send().await.unwrap();
    assert_app_policy("404", unknown.headers());
    expect_problem(unknown, StatusCode::NOT_FOUND, "not_found").await;
    let syntax = app
        .as_user(&admin, Method::POST, "/api/v1/documents")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_app_policy("400", syntax.headers());
    expect_problem(syntax, StatusCode::BAD_REQUEST, "validation").await;
    let wrong_method = app.request(Method::POST, "/ingresar").send().await.unwrap();
    assert_app_policy("405", wrong_method.headers());
    expect_problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

/// The export and the comparison table set a policy of their own (inline
/// styles, so that a saved copy prints); it must still be no weaker on
/// scripts and framing, and the other headers still apply.
async fn printable_pages_keep_their_own_stricter_policy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let (document, articles) = app.charter(&admin, 2).await;
    let edit = app.as_user(&admin, Method::PATCH, &format!("/api/v1/sections/{}", articles[0]));
    expect_status(edit.json(&json!({"body": "Texto nuevo."})).send().await.unwrap(), StatusCode::OK).await;
    for path in ["export?format=html", "comparison?format=html"] {
        let page = app.as_user(&admin, Method::GET, &format!("/api/v1/documents/{document}/{path}"));
        let page = page.send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(content_type(&page).starts_with("text/html"), "{path}");
        let csp = assert_hardened(path, page.headers());
        assert_eq!(csp["default-src"], ["'none'"], "{path}: nothing loads but what the page carries");
        assert!(!csp.contains_key("script-src"), "{path}: no script at all");
    }
}

/// A `Set-Cookie` header, split into its name, value and attributes.
#[derive(Debug)]
struct SetCookie {
    name: String,
    value: String,
    attributes: HashMap<String, String>,
}

impl SetCookie {
    fn of(response: &Response) -> SetCookie {
        let header = single("Set-Cookie", response.headers(), "set-cookie");
        let mut parts = header.split(';').map(str::trim);
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        let attributes = parts
            .map(|part| match part.split_once('=') {
                Some((key, value)) => (key.to_ascii_lowercase(), value.to_owned()),
                None => (part.to_ascii_lowercase(), String::new()),
            })
            .collect();
        SetCookie { name: name.to_owned(), value: value.to_owned(), attributes }
    }

    fn has(&self, attribute: &str) -> bool {
        self.attributes.contains_key(attribute)
    }

    /// What every version of the session cookie has, set or cleared.
    fn assert_scoped(&self, secure: bool) {
        assert_eq!(self.name, "minga_session");
        assert!(self.has("httponly"), "scripts cannot read the session: {self:?}");
        let same_site = self.attributes.get("samesite").map(|v| v.to_ascii_lowercase());
        assert!(matches!(same_site.as_deref(), Some("lax" | "strict")), "{self:?}");
        assert_eq!(self.attributes.get("path").map(String::as_str), Some("/"), "{self:?}");
        assert!(!self.has("domain"), "a host-only cookie, not shared with other subdomains: {self:?}");
        assert_eq!(self.has("secure"), secure, "Secure exactly when the public URL is https: {self:?}");
    }
}

/// The `exp` claim of a JWT, read without checking it.
fn expiry(jwt: &str) -> i64 {
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["exp"].as_i64().unwrap()
}

/// A new session's cookie: the token of the body, for as long as it lasts.
async fn assert_session_cookie(response: Response, status: StatusCode, secure: bool, ttl: i64) -> String {
    let cookie = SetCookie::of(&response);
    let body = expect_status(response, status).await;
    let token = body["token"].as_str().unwrap();
    cookie.assert_scoped(secure);
    assert_eq!(cookie.value, token, "the cookie holds the session's token");
    let max_age: i64 = cookie.attributes["max-age"].parse().unwrap();
    assert_eq!(max_age, ttl, "the cookie lives as long as the token");
    let left = expiry(token) - chrono::Utc::now().timestamp();
    assert!((max_age - left).abs() <= 5, "Max-Age {max_age} s, token expires in {left} s");
    if let Some(expires) = cookie.attributes.get("expires") {
        let expires = chrono::DateTime::parse_from_rfc2822(&expires.replace("GMT", "+0000")).unwrap();
        assert!((expires.timestamp() - expiry(token)).abs() <= 5, "Expires {expires} and the token's exp differ");
    }
    token.to_owned()
}

async fn cookie_rules(app: TestApp, origin: &str, secure: bool) {
    let ttl = app.state.tokens.ttl().num_seconds();
    assert!(ttl > 0);
    let invitation = app.invitation("rosa@example.org", "Org R", "member", "delegate").await;
    let accepted = app
        .request(Method::POST, &format!("/api/v1/invitations/{invitation}/accept"))
        .header("origin", origin)
        .json(&json!({"display_name": "Rosa", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_session_cookie(accepted, StatusCode::CREATED, secure, ttl).await;
    let login = app
        .request(Method::POST, "/api/v1/auth/login")
        .header("origin", origin)
        .json(&json!({"email": "rosa@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let token = assert_session_cookie(login, StatusCode::OK, secure, ttl).await;
    // The cookie alone signs in, and signing out clears it the same way it was set.
    let cookie = format!("minga_session={token}");
    let me = app.request(Method::GET, "/api/v1/me").header("cookie", &cookie).send().await.unwrap();
    assert_eq!(expect_status(me, StatusCode::OK).await["display_name"], "Rosa");
    let logout =
        app.request(Method::POST, "/api/v1/auth/logout").header("cookie", &cookie).header("origin", origin).send();
    let logout = logout.await.unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let cleared = SetCookie::of(&logout);
    cleared.assert_scoped(secure);
    assert_eq!(cleared.value, "", "{cleared:?}");
    assert_eq!(cleared.attributes.get("max-age").map(String::as_str), Some("0"), "{cleared:?}");
    // A failed sign-in sets no cookie at all.
    let failed = app
        .request(Method::POST, "/api/v1/auth/login")
        .header("origin", origin)
        .json(&json!({"email": "rosa@example.org", "password": "not the password"}))
        .send()
        .await
        .unwrap();
    assert!(failed.headers().get("set-cookie").is_none());
    expect_problem(failed, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn session_cookie_on_an_http_public_url(backend: Backend) {
    cookie_rules(TestApp::spawn(backend).await, PUBLIC_URL, false).await;
}

async fn session_cookie_on_an_https_public_url(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--public-url", HTTPS_URL]).await;
    assert!(app.state.public_url.https);
    cookie_rules(app, HTTPS_URL, true).await;
}

/// accounts.rs covers a foreign and a missing Origin on an http URL; here
/// the near misses (same host over http, another port, a subdomain, `null`),
/// on both ways of signing out.
async fn the_origin_must_match_scheme_host_and_port(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--public-url", HTTPS_URL]).await;
    let vera = app.delegate("vera@example.org", "Org V").await;
    let cookie = format!("minga_session={}", vera.token);
    let write = |path: &str, origin: &str| {
        let request = app.request(Method::POST, path).header("origin", origin);
        // Without a cookie, as a cross-site form post under SameSite=Lax.
        let request = if origin == "https://evil.example" { request } else { request.header("cookie", &cookie) };
        request.send()
    };
    for path in ["/api/v1/auth/logout", "/api/v1/auth/logout-all"] {
        for origin in [
            "http://minga.test",
            "https://minga.test:8443",
            "https://evil.minga.test",
            "https://minga.test.evil.example",
            "null",
            "https://evil.example",
        ] {
            let refused = write(path, origin).await.unwrap();
            assert!(refused.headers().get("set-cookie").is_none(), "{path} from {origin}");
            let expected = if path.ends_with("all") && origin == "https://evil.example" {
                (StatusCode::UNAUTHORIZED, "unauthenticated")
            } else {
                (StatusCode::FORBIDDEN, "forbidden")
            };
            expect_problem(refused, expected.0, expected.1).await;
        }
    }
    // Nothing was revoked; our own origin may sign out.
    let signed_in = app.request(Method::GET, "/api/v1/me").header("cookie", &cookie).send().await.unwrap();
    expect_status(signed_in, StatusCode::OK).await;
    assert_eq!(write("/api/v1/auth/logout-all", HTTPS_URL).await.unwrap().status(), StatusCode::NO_CONTENT);
    let revoked = app.request(Method::GET, "/api/v1/me").header("cookie", &cookie).send().await.unwrap();
    expect_problem(revoked, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // Signing out needs no live session: it clears the cookie all the same.
    let logout = write("/api/v1/auth/logout", HTTPS_URL).await.unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_eq!(SetCookie::of(&logout).attributes["max-age"], "0");
}

/// Another site must not sign a browser into an account of its choosing.
async fn a_foreign_origin_cannot_accept_an_invitation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let invitation = app.invitation("sara@example.org", "Org S", "member", "delegate").await;
    let accept = |origin: &str| {
        app.request(Method::POST, &format!("/api/v1/invitations/{invitation}/accept"))
            .header("origin", origin)
            .json(&json!({"display_name": "Sara", "password": PASSWORD}))
            .send()
    };
    let refused = accept("http://evil.example").await.unwrap();
    assert!(refused.headers().get("set-cookie").is_none());
    expect_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    // The refusal did not use the invitation up.
    let accepted = accept(PUBLIC_URL).await.unwrap();
    assert!(accepted.headers().get("set-cookie").is_some());
    expect_status(accepted, StatusCode::CREATED).await;
}
