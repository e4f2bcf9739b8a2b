//! The general rules of API.md for every endpoint: problem+json for every
//! failure, limits, tokens, health, metrics, OpenAPI, the embedded page.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, TestApp, JWT_SECRET, PUBLIC_URL};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(
    malformed_bodies_are_problems,
    body_limit_is_one_mebibyte,
    malformed_ids_and_unknown_routes,
    forged_and_misaddressed_tokens,
    health_readiness_and_metrics,
    openapi_describes_every_route,
    web_page_is_embedded,
);

async fn malformed_bodies_are_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let login = || app.request(Method::POST, "/api/v1/auth/login");
    let syntax = login().header("content-type", "application/json").body("{not json").send().await.unwrap();
    expect_problem(syntax, StatusCode::BAD_REQUEST, "validation").await;
    let wrong_type = login().json(&json!({"email": 1, "password": []})).send().await.unwrap();
    expect_problem(wrong_type, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let missing_field = login().json(&json!({"email": "a@b.ec"})).send().await.unwrap();
    expect_problem(missing_field, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let no_content_type = login().body(r#"{"email":"a@b.ec","password":"xxxxxxxxxxxx"}"#).send().await.unwrap();
    expect_problem(no_content_type, StatusCode::UNSUPPORTED_MEDIA_TYPE, "validation").await;
    let empty = login().header("content-type", "application/json").send().await.unwrap();
    expect_problem(empty, StatusCode::BAD_REQUEST, "validation").await;
}

async fn body_limit_is_one_mebibyte(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let padding = "x".repeat(1024 * 1024);
    let too_big = json!({"name": "Org", "short_name": "O", "kind": "member", "padding": padding});
    let response = app.as_user(&admin, Method::POST, "/api/v1/organizations").json(&too_big).send().await.unwrap();
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Just under the limit is read (and then refused for its unknown field, not its size).
    let near = json!({"name": "Org", "short_name": "O", "kind": "member", "padding": "x".repeat(1024 * 1024 - 100)});
    let response = app.as_user(&admin, Method::POST, "/api/v1/organizations").json(&near).send().await.unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(app.store().list_organizations(minga::store::Page::all()).await.unwrap().len(), 1, "nothing created");
}

async fn malformed_ids_and_unknown_routes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let response = app
        .as_user(&admin, Method::PATCH, "/api/v1/users/not-a-uuid")
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let response = app
        .as_user(&admin, Method::PATCH, "/api/v1/organizations/1234")
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    for path in ["/api/v1/nothing-here", "/api/v2/me", "/api/anything"] {
        let response = app.as_user(&admin, Method::GET, path).send().await.unwrap();
        expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let response = app.as_user(&admin, Method::DELETE, "/api/v1/me").send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET,HEAD");
    expect_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

fn sign(claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()).unwrap())
        .unwrap()
}

async fn forged_and_misaddressed_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ana = app.delegate("ana@ong.ec", "Org").await;
    let now = Utc::now().timestamp();
    let good = json!({"sub": ana.id(), "iat": now, "exp": now + 600, "iss": PUBLIC_URL, "aud": "minga", "ver": 0});
    // The harness's own signature is accepted, so the refusals below are for the reason named.
    let me = app.request(Method::GET, "/api/v1/me").bearer_auth(sign(&good, JWT_SECRET)).send().await.unwrap();
    expect_status(me, StatusCode::OK).await;

    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let alg_none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(good.to_string().as_bytes()));
    let mut tokens = vec![
        ("forged", sign(&good, "another-secret-another-secret-another-secret")),
        ("alg none", alg_none),
        ("garbage", "not.a.token".to_owned()),
    ];
    let variants = [
        ("expired", json!({"exp": now - 3600, "iat": now - 7200})),
        ("wrong audience", json!({"aud": "someone-else"})),
        ("wrong issuer", json!({"iss": "http://evil.example"})),
        ("old version", json!({"ver": -1})),
        ("unknown user", json!({"sub": uuid::Uuid::now_v7()})),
    ];
    for (name, changes) in variants {
        let mut claims = good.clone();
        for (key, value) in changes.as_object().unwrap() {
            claims[key] = value.clone();
        }
        tokens.push((name, sign(&claims, JWT_SECRET)));
    }
    for claim in ["exp", "aud", "iss", "sub"] {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(claim);
        tokens.push((claim, sign(&claims, JWT_SECRET)));
    }
    for (name, token) in tokens {
        for cookie in [false, true] {
            let request = app.request(Method::GET, "/api/v1/me");
            let request = if cookie {
                request.header("cookie", format!("minga_session={token}"))
            } else {
                request.bearer_auth(&token)
            };
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name} token (cookie: {cookie})");
            expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
    }
}

async fn health_readiness_and_metrics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let health = expect_status(app.request(Method::GET, "/healthz").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(health, json!({"status": "ok"}));
    expect_status(app.request(Method::GET, "/readyz").send().await.unwrap(), StatusCode::OK).await;
    app.login("nobody@ong.ec", "wrong password").await;
    let metrics = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(text.contains("minga_http_requests_total{"), "{text}");
    assert!(text.contains(r#"route="/api/v1/auth/login""#), "{text}");
    assert!(text.contains("minga_login_failures_total"), "{text}");
    let id = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert!(id.headers().contains_key("x-request-id"), "every answer carries a request id");
}

async fn openapi_describes_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc =
        expect_status(app.request(Method::GET, "/api/v1/openapi.json").send().await.unwrap(), StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let expected = [
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/logout-all", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/invitations/{token}", "get"),
        ("/api/v1/invitations/{token}/accept", "post"),
        ("/api/v1/organizations", "get"),
        ("/api/v1/organizations", "post"),
        ("/api/v1/organizations/{id}", "patch"),
        ("/api/v1/users", "get"),
        ("/api/v1/users/{id}", "patch"),
        ("/api/v1/invitations", "post"),
        ("/api/v1/documents", "get"),
        ("/api/v1/documents", "post"),
        ("/api/v1/documents/{id}", "get"),
        ("/api/v1/documents/{id}/sections", "post"),
        ("/api/v1/sections/{id}", "patch"),
        ("/api/v1/documents/{id}", "patch"),
        ("/api/v1/sections/{id}", "delete"),
        ("/api/v1/sections/{id}/move", "post"),
        ("/api/v1/documents/{id}/ballots", "get"),
        ("/api/v1/documents/{id}/ballots", "post"),
        ("/api/v1/sections/{id}/stance", "put"),
        ("/api/v1/documents/{id}/stances", "get"),
        ("/api/v1/documents/{id}/references", "get"),
        ("/api/v1/documents/{id}/import", "post"),
        ("/api/v1/documents/{id}/versions", "get"),
        ("/api/v1/documents/{id}/versions/{version}", "get"),
        ("/api/v1/documents/{id}/diff", "get"),
        ("/api/v1/documents/{id}/export", "get"),
        ("/api/v1/documents/{id}/proposals", "get"),
        ("/api/v1/documents/{id}/proposals", "post"),
        ("/api/v1/proposals/{id}", "get"),
        ("/api/v1/proposals/{id}/revisions", "get"),
        ("/api/v1/proposals/{id}/revisions", "post"),
        ("/api/v1/proposals/{id}/diff", "get"),
        ("/api/v1/proposals/{id}/withdraw", "post"),
        ("/api/v1/proposals/{id}/lock", "post"),
        ("/api/v1/proposals/{id}/cosponsors", "post"),
        ("/api/v1/proposals/{id}/cosponsors/accept", "post"),
        ("/api/v1/proposals/{id}/unlock", "post"),
        ("/api/v1/proposals/{id}/comments", "get"),
        ("/api/v1/proposals/{id}/comments", "post"),
        ("/api/v1/comments/{id}", "patch"),
        ("/api/v1/comments/{id}", "delete"),
        ("/api/v1/comments/{id}/history", "get"),
        ("/api/v1/comments/{id}/hide", "post"),
        ("/api/v1/comments/{id}/unhide", "post"),
        ("/api/v1/comments/{id}/flag", "post"),
        ("/api/v1/moderation/flags", "get"),
        ("/api/v1/moderation/flags/{id}/resolve", "post"),
        ("/api/v1/events", "get"),
        ("/api/v1/ws", "get"),
        ("/api/v1/proposals/{id}/ballot", "post"),
        ("/api/v1/proposals/{id}/adopt", "post"),
        ("/api/v1/ballots/{id}", "get"),
        ("/api/v1/ballots/{id}/vote", "put"),
        ("/api/v1/ballots/{id}/close", "post"),
        ("/api/v1/ballots/{id}/cancel", "post"),
        ("/api/v1/ballots/{id}/minutes", "get"),
        ("/api/v1/documents/{id}/comparison", "get"),
        ("/api/v1/checkpoints", "get"),
        ("/api/v1/checkpoints", "post"),
        ("/api/v1/checkpoints/latest", "get"),
        ("/api/v1/outbox", "get"),
        ("/api/v1/auth/password-reset", "post"),
        ("/api/v1/auth/password-reset/{token}", "post"),
        ("/api/v1/users/{id}/access-link", "post"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/invitations", "get"),
        ("/api/v1/invitations/{token}", "delete"),
        ("/api/v1/invitations/{id}/resend", "post"),
        ("/api/v1/outbox/{id}/retry", "post"),
        ("/api/v1/me/notifications", "get"),
        ("/api/v1/me/notifications/read", "post"),
        ("/api/v1/me/pending", "get"),
        ("/api/v1/people", "get"),
        ("/api/v1/me/preferences", "get"),
        ("/api/v1/me/preferences", "put"),
        ("/api/v1/unsubscribe", "get"),
        ("/api/v1/unsubscribe", "post"),
        ("/api/v1/representatives", "get"),
        ("/api/v1/organizations/{id}/representatives", "get"),
        ("/api/v1/organizations/{id}/representatives", "put"),
        ("/api/v1/organizations/{id}/representatives/confirm", "post"),
        ("/api/v1/sessions", "get"),
        ("/api/v1/sessions", "post"),
        ("/api/v1/sessions/{id}", "get"),
        ("/api/v1/sessions/{id}", "patch"),
        ("/api/v1/sessions/{id}/check-in", "post"),
        ("/api/v1/sessions/{id}/attendance/{user_id}", "put"),
        ("/api/v1/sessions/{id}/speakers", "post"),
        ("/api/v1/sessions/{id}/speakers/{speaker_id}", "patch"),
        ("/api/v1/sessions/{id}/speakers/{speaker_id}", "delete"),
        ("/api/v1/sessions/{id}/minutes", "get"),
        ("/api/v1/ballots/{id}/votes/{organization_id}", "put"),
    ];
    for (path, method) in expected {
        assert!(doc["paths"][path][method].is_object(), "OpenAPI lacks {method} {path}");
    }
    let operations: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(operations, expected.len(), "every documented operation is listed here");
    let user = &doc["components"]["schemas"]["User"]["properties"];
    for field in ["id", "email", "display_name", "role", "organization", "active"] {
        assert!(user[field].is_object(), "User schema lacks {field}");
    }
    // The event kinds and each payload type are documented.
    let schemas = &doc["components"]["schemas"];
    let kinds = schemas["EventKind"]["enum"].as_array().unwrap();
    assert!(kinds.contains(&json!("ballot.choices")) && kinds.contains(&json!("invitation.revoked")), "{kinds:?}");
    let payloads: Vec<String> =
        schemas["EventData"]["anyOf"].as_array().unwrap().iter().map(|p| p.to_string()).collect();
    for payload in
        ["CommentData", "FlagData", "ProposalData", "VersionData", "BallotData", "ChoicesData", "SessionData"]
    {
        assert!(payloads.iter().any(|p| p.contains(payload)), "EventData lacks {payload}: {payloads:?}");
        assert!(schemas[payload].is_object(), "no schema {payload}");
    }
}

async fn web_page_is_embedded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/", "/ingresar", "/invitations/some-token"] {
        let response = app.request(Method::GET, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        // Its security headers, and every other response's: security.rs.
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"lang="es""#), "the page is Spanish first");
        assert!(!html.contains("<script>"), "no inline script");
    }
    let index = app.request(Method::GET, "/").send().await.unwrap();
    let etag = index.headers()["etag"].clone();
    let again = app.request(Method::GET, "/").header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let script = app.request(Method::GET, "/app.js").send().await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()["content-type"].to_str().unwrap().contains("javascript"));
    let missing = app.request(Method::GET, "/missing.js").send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let post = app.request(Method::POST, "/ingresar").send().await.unwrap();
    expect_problem(post, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}
