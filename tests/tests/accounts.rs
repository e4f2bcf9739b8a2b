//! API.md "Accounts", end to end over a real socket, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{Duration, Utc};
use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, TestApp, PASSWORD, PUBLIC_URL};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(
    invitation_accept_login_me,
    invitation_is_single_use,
    unknown_and_expired_invitations,
    accept_validates_name_and_password,
    login_failures_are_identical,
    inactive_account_cannot_sign_in,
    logout_clears_the_cookie,
    logout_ends_the_token_and_its_sockets_only,
    logout_all_revokes_every_token,
    deactivation_revokes_at_once,
    login_is_rate_limited_per_account,
    login_is_rate_limited_per_address,
    cookie_writes_need_our_origin,
    foreign_origin_cannot_sign_in,
);

async fn invitation_accept_login_me(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.invitation("Ana@Example.org", "Fundación Esperanza", "member", "delegate").await;

    let view = expect_status(
        app.request(Method::GET, &format!("/api/v1/invitations/{token}")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["email"], "Ana@Example.org");
    assert_eq!(view["role"], "delegate");
    assert_eq!(view["organization"]["name"], "Fundación Esperanza");
    let expires: chrono::DateTime<Utc> = view["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - Utc::now()).num_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&days), "default expiry is 7 days, got {days} h");

    let accepted = app
        .request(Method::POST, &format!("/api/v1/invitations/{token}/accept"))
        .json(&json!({"display_name": "  Ana María  ", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = accepted.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("minga_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "no Secure flag on an http public URL");
    let body = expect_status(accepted, StatusCode::CREATED).await;
    assert_eq!(body["user"]["display_name"], "Ana María");
    assert_eq!(body["user"]["organization"]["kind"], "member");

    // Sign in with the email in another case.
    let login = app.login("ana@example.ORG", PASSWORD).await;
    let session = expect_status(login, StatusCode::OK).await;
    let token = session["token"].as_str().unwrap();
    let me =
        expect_status(app.request(Method::GET, "/api/v1/me").bearer_auth(token).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!(me, session["user"]);
    assert_eq!(me["role"], "delegate");
    assert_eq!(me["active"], true);
    assert!(me.get("password_hash").is_none() && me.get("token_version").is_none());

    // The cookie alone also works for reading.
    let jar = cookie.split(';').next().unwrap();
    expect_status(app.request(Method::GET, "/api/v1/me").header("cookie", jar).send().await.unwrap(), StatusCode::OK)
        .await;
    expect_problem(
        app.request(Method::GET, "/api/v1/me").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

async fn invitation_is_single_use(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.invitation("bea@example.org", "Org A", "member", "delegate").await;
    let accept = |name: &'static str| {
        app.request(Method::POST, &format!("/api/v1/invitations/{token}/accept"))
            .json(&json!({"display_name": name, "password": PASSWORD}))
            .send()
    };
    // Two at once: exactly one account is made.
    let (first, second) = tokio::join!(accept("Uno"), accept("Dos"));
    let mut statuses = [first.unwrap().status(), second.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::GONE]);
    expect_problem(accept("Tres").await.unwrap(), StatusCode::GONE, "gone").await;
    expect_problem(
        app.request(Method::GET, &format!("/api/v1/invitations/{token}")).send().await.unwrap(),
        StatusCode::GONE,
        "gone",
    )
    .await;
    let users = app.store().list_users(minga::store::Page::all()).await.unwrap();
    assert_eq!(users.len(), 1);
}

async fn unknown_and_expired_invitations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    expect_problem(
        app.request(Method::GET, "/api/v1/invitations/no-such-token").send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_problem(
        app.request(Method::POST, "/api/v1/invitations/no-such-token/accept")
            .json(&json!({"display_name": "X", "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let org = app.organization("Org B", "member").await;
    let token = "an-expired-invitation-token";
    app.store()
        .create_invitation(minga::store::NewInvitation {
            token_hash: minga::auth::link_token_hash(token),
            email: "late@example.org".into(),
            organization_id: org.id,
            role: minga::domain::account::Role::Delegate,
            created_by: None,
            expires_at: Utc::now() - Duration::seconds(1),
            mail: None,
        })
        .await
        .unwrap();
    let view = app.request(Method::GET, &format!("/api/v1/invitations/{token}")).send().await.unwrap();
    let problem = expect_problem(view, StatusCode::GONE, "gone").await;
    assert!(problem["detail"].as_str().unwrap().contains("expired"));
    let accept = app
        .request(Method::POST, &format!("/api/v1/invitations/{token}/accept"))
        .json(&json!({"display_name": "Late", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    expect_problem(accept, StatusCode::GONE, "gone").await;
    assert!(app.store().credentials("late@example.org").await.unwrap().is_none(), "no account was made");
}

async fn accept_validates_name_and_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.invitation("carla@example.org", "Org C", "member", "delegate").await;
    let path = format!("/api/v1/invitations/{token}/accept");
    let cases = [
        (json!({"display_name": "", "password": PASSWORD}), "display_name"),
        (json!({"display_name": "x".repeat(101), "password": PASSWORD}), "display_name"),
        (json!({"display_name": "Carla", "password": "123456789"}), "password"),
        (json!({"display_name": "Carla", "password": "p".repeat(201)}), "password"),
    ];
    for (body, field) in cases {
        let response = app.request(Method::POST, &path).json(&body).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(problem["field"], field);
    }
    // Wrong types and missing fields are validation errors too.
    let response = app.request(Method::POST, &path).json(&json!({"display_name": 5})).send().await.unwrap();
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    // The boundaries themselves are accepted, and the invitation still works after the refusals.
    let response = app
        .request(Method::POST, &path)
        .json(&json!({"display_name": "á".repeat(100), "password": "p".repeat(10)}))
        .send()
        .await
        .unwrap();
    expect_status(response, StatusCode::CREATED).await;
}

async fn login_failures_are_identical(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.delegate("dora@example.org", "Org D").await;
    let wrong_password = app.login("dora@example.org", "not the password").await;
    let unknown_email = app.login("nobody@example.org", "not the password").await;
    let headers = |r: &reqwest::Response| {
        let mut h: Vec<(String, String)> = r
            .headers()
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        h.sort();
        h
    };
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(headers(&wrong_password), headers(&unknown_email));
    let a = wrong_password.bytes().await.unwrap();
    let b = unknown_email.bytes().await.unwrap();
    assert_eq!(a, b, "the two failures must be byte-identical");
    let problem: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(problem["code"], "unauthenticated");
}

async fn inactive_account_cannot_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let eva = app.delegate("eva@example.org", "Org E").await;
    let patch = app
        .as_user(&admin, Method::PATCH, &format!("/api/v1/users/{}", eva.id()))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(expect_status(patch, StatusCode::OK).await["active"], false);
    let refused = app.login("eva@example.org", PASSWORD).await;
    let unknown = app.login("nobody@example.org", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.bytes().await.unwrap(), unknown.bytes().await.unwrap(), "no hint that the account exists");
}

async fn logout_clears_the_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fer = app.delegate("fer@example.org", "Org F").await;
    let response = app.as_user(&fer, Method::POST, "/api/v1/auth/logout").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("minga_session=;") && cookie.contains("Max-Age=0"), "{cookie}");
}

/// Signing out ends the token itself: before, a copy of it (another tab's
/// Bearer header, a stolen cookie) kept working for its whole 24 hours.
async fn logout_ends_the_token_and_its_sockets_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fer = app.delegate("fer@example.org", "Org F").await;
    let second = expect_status(app.login("fer@example.org", PASSWORD).await, StatusCode::OK).await;
    let second = second["token"].as_str().unwrap().to_owned();
    let mut socket = app.ws(&fer).await;
    let other_session = minga_tests::Session { token: second.clone(), user: fer.user.clone() };
    let mut other_socket = app.ws(&other_session).await;

    let response = app.as_user(&fer, Method::POST, "/api/v1/auth/logout").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let me = app.request(Method::GET, "/api/v1/me").bearer_auth(&fer.token).send().await.unwrap();
    expect_problem(me, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let by_cookie = app
        .request(Method::GET, "/api/v1/me")
        .header("cookie", format!("minga_session={}", fer.token))
        .send()
        .await
        .unwrap();
    expect_problem(by_cookie, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(socket.next_of("__close").await["code"], 1008, "the socket of that session ends");
    let url = app.url("/api/v1/ws").replace("http://", "ws://");
    let again = minga_tests::ws::WsClient::connect(
        &url,
        &[("authorization", format!("Bearer {}", fer.token)), ("origin", PUBLIC_URL.to_owned())],
    )
    .await;
    assert!(again.is_err(), "no new socket with the ended token");

    // The other sign-in of the same person is another session: untouched.
    let me = app.request(Method::GET, "/api/v1/me").bearer_auth(&second).send().await.unwrap();
    expect_status(me, StatusCode::OK).await;
    other_socket.send(json!({"type": "ping", "id": 1})).await;
    let answer = other_socket.next_within(std::time::Duration::from_secs(5)).await;
    assert!(answer.is_some_and(|a| a["type"] != "__close"), "the other session's socket stays open");
    // Signing out twice, or with an expired session, is still 204.
    let response = app.request(Method::POST, "/api/v1/auth/logout").bearer_auth(&fer.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

async fn logout_all_revokes_every_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gabi = app.delegate("gabi@example.org", "Org G").await;
    let second = expect_status(app.login("gabi@example.org", PASSWORD).await, StatusCode::OK).await;
    let second = second["token"].as_str().unwrap().to_owned();
    let other = app.delegate("hugo@example.org", "Org G").await;

    let response = app.as_user(&gabi, Method::POST, "/api/v1/auth/logout-all").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for token in [gabi.token.as_str(), second.as_str()] {
        let me = app.request(Method::GET, "/api/v1/me").bearer_auth(token).send().await.unwrap();
        expect_problem(me, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    // Someone else's session is untouched, and a new sign-in works.
    expect_status(app.as_user(&other, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    let fresh = expect_status(app.login("gabi@example.org", PASSWORD).await, StatusCode::OK).await;
    let me = app.request(Method::GET, "/api/v1/me").bearer_auth(fresh["token"].as_str().unwrap()).send().await.unwrap();
    expect_status(me, StatusCode::OK).await;
    // Without a session, logout-all is refused.
    let anonymous = app.request(Method::POST, "/api/v1/auth/logout-all").send().await.unwrap();
    expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn deactivation_revokes_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ines = app.delegate("ines@example.org", "Org I").await;
    expect_status(app.as_user(&ines, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    let patch = app
        .as_user(&admin, Method::PATCH, &format!("/api/v1/users/{}", ines.id()))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    expect_status(patch, StatusCode::OK).await;
    let me = app.as_user(&ines, Method::GET, "/api/v1/me").send().await.unwrap();
    expect_problem(me, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // Reactivating does not bring the old token back.
    let patch = app
        .as_user(&admin, Method::PATCH, &format!("/api/v1/users/{}", ines.id()))
        .json(&json!({"active": true}))
        .send()
        .await
        .unwrap();
    expect_status(patch, StatusCode::OK).await;
    let me = app.as_user(&ines, Method::GET, "/api/v1/me").send().await.unwrap();
    expect_problem(me, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    expect_status(app.login("ines@example.org", PASSWORD).await, StatusCode::OK).await;
}

async fn login_is_rate_limited_per_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.delegate("juan@example.org", "Org J").await;
    let allowed = minga::state::LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS.max_failures;
    for _ in 0..allowed {
        let response = app.login("juan@example.org", "wrong password!").await;
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    // Now even the right password waits.
    let response = app.login("JUAN@example.org", PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    expect_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Other accounts are not locked out by it.
    app.delegate("kia@example.org", "Org J").await;
    expect_status(app.login("kia@example.org", PASSWORD).await, StatusCode::OK).await;
}

async fn login_is_rate_limited_per_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.delegate("lola@example.org", "Org L").await;
    let allowed = minga::state::LOGIN_FAILURES_PER_ADDRESS.max_failures;
    for attempt in 0..allowed {
        // A different (unknown) account each time: only the address limit applies.
        let response = app.login(&format!("guess{attempt}@example.org"), "wrong password!").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app.login("lola@example.org", PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    expect_problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

async fn cookie_writes_need_our_origin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mia = app.delegate("mia@example.org", "Org M").await;
    let cookie = format!("minga_session={}", mia.token);
    let post = |origin: Option<&str>| {
        let mut request = app.request(Method::POST, "/api/v1/auth/logout-all").header("cookie", &cookie);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    expect_problem(post(Some("http://evil.example")).await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
    expect_problem(post(None).await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
    // Reads by cookie need no Origin; the refused writes changed nothing.
    let me = app.request(Method::GET, "/api/v1/me").header("cookie", &cookie).send().await.unwrap();
    expect_status(me, StatusCode::OK).await;
    // A Bearer token is not sent by browsers on their own: no Origin needed.
    let bearer = app.as_user(&mia, Method::GET, "/api/v1/organizations").send().await.unwrap();
    expect_status(bearer, StatusCode::OK).await;
    assert_eq!(post(Some(PUBLIC_URL)).await.unwrap().status(), StatusCode::NO_CONTENT);
}

async fn foreign_origin_cannot_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.delegate("nora@example.org", "Org N").await;
    let response = app
        .request(Method::POST, "/api/v1/auth/login")
        .header("origin", "http://evil.example")
        .json(&json!({"email": "nora@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("set-cookie").is_none());
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app
        .request(Method::POST, "/api/v1/auth/login")
        .header("origin", PUBLIC_URL)
        .json(&json!({"email": "nora@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    expect_status(response, StatusCode::OK).await;
}
