//! "¿Olvidó su contraseña?", on both backends, through a real SMTP server:
//! the mailed link sets a new password once and ends the other sessions; the
//! answer is the same for an address without an account (and nothing is
//! mailed); a newer link ends the older one; expired, used and forged links
//! are refused; requests are rate-limited; the outbox never shows the link.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use minga_tests::smtp::SmtpServer;
use minga_tests::{on_both_backends, Backend, Session, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    a_mailed_link_sets_a_new_password_once_and_ends_other_sessions,
    an_address_without_an_account_gets_the_same_answer_and_no_mail,
    a_newer_link_ends_the_older_and_dead_links_are_refused,
    requests_are_rate_limited_and_bad_input_refused,
    the_secretariat_makes_an_access_link_for_someone_without_mail,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
);

const NEW_PASSWORD: &str = "otra contraseña, más larga";

async fn ask(app: &TestApp, email: &str) -> (StatusCode, Value) {
    let response =
        app.request(Method::POST, "/api/v1/auth/password-reset").json(&json!({"email": email})).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn set(app: &TestApp, token: &str, password: &str) -> StatusCode {
    let path = format!("/api/v1/auth/password-reset/{token}");
    app.request(Method::POST, &path).json(&json!({"password": password})).send().await.unwrap().status()
}

/// The token of the latest reset link mailed to `email`.
async fn mailed_token(smtp: &SmtpServer, email: &str, count: usize) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mails: Vec<_> =
            smtp.received().into_iter().filter(|m| m.to == email && m.subject.contains("contraseña")).collect();
        if mails.len() >= count {
            let mail = mails.last().unwrap();
            assert!(mail.html.contains("/restablecer/"), "{}", mail.html);
            let link = mail.text.lines().find(|l| l.contains("/restablecer/")).unwrap();
            return link.rsplit('/').next().unwrap().to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "no reset mail for {email}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn me_status(app: &TestApp, session: &Session) -> StatusCode {
    app.as_user(session, Method::GET, "/api/v1/me").send().await.unwrap().status()
}

async fn a_mailed_link_sets_a_new_password_once_and_ends_other_sessions(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(backend, &["--smtp-url", &smtp.url()]).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let (status, body) = ask(&app, "Ana@Esperanza.ec").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let token = mailed_token(&smtp, "ana@esperanza.ec", 1).await;
    assert_eq!(me_status(&app, &ana).await, StatusCode::OK, "asking changes nothing yet");
    assert_eq!(set(&app, &token, NEW_PASSWORD).await, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, &ana).await, StatusCode::UNAUTHORIZED, "the other sessions ended");
    assert_eq!(app.login("ana@esperanza.ec", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("ana@esperanza.ec", NEW_PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(set(&app, &token, "y otra más, muy larga").await, StatusCode::GONE, "single use");
    // The secretariat sees the mail, never its link.
    let outbox = app.answer(Some(&admin), Method::GET, "/api/v1/outbox", None, StatusCode::OK).await;
    let reset = outbox.as_array().unwrap().iter().find(|m| m["kind"] == "password_reset").unwrap();
    assert_eq!(reset["recipient"], "ana@esperanza.ec");
    assert_eq!(reset["link"], Value::Null, "{reset}");
    assert!(!outbox.to_string().contains(&token));
}

async fn an_address_without_an_account_gets_the_same_answer_and_no_mail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let gone = app.delegate("ido@esperanza.ec", "Fundación Esperanza").await;
    let gone_id = gone.user["id"].as_str().unwrap();
    let path = format!("/api/v1/users/{gone_id}");
    app.answer(Some(&admin), Method::PATCH, &path, Some(json!({"active": false})), StatusCode::OK).await;
    let known = ask(&app, "ana@esperanza.ec").await;
    let unknown = ask(&app, "nadie@esperanza.ec").await;
    let inactive = ask(&app, "ido@esperanza.ec").await;
    assert_eq!(known, unknown, "the same answer");
    assert_eq!(known, inactive);
    assert_eq!(known.0, StatusCode::ACCEPTED);
    // The lookup happens after the answer: wait for it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let resets = loop {
        let outbox = app.answer(Some(&admin), Method::GET, "/api/v1/outbox", None, StatusCode::OK).await;
        let resets: Vec<Value> =
            outbox.as_array().unwrap().iter().filter(|m| m["kind"] == "password_reset").cloned().collect();
        if !resets.is_empty() || std::time::Instant::now() > deadline {
            break resets;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let recipients: Vec<&Value> = resets.iter().map(|m| &m["recipient"]).collect();
    assert_eq!(recipients, [&json!("ana@esperanza.ec")], "only the active account is mailed");
    assert_eq!(me_status(&app, &ana).await, StatusCode::OK);
}

async fn a_newer_link_ends_the_older_and_dead_links_are_refused(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(backend, &["--smtp-url", &smtp.url()]).await;
    app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    ask(&app, "ana@esperanza.ec").await;
    let first = mailed_token(&smtp, "ana@esperanza.ec", 1).await;
    ask(&app, "ana@esperanza.ec").await;
    let second = mailed_token(&smtp, "ana@esperanza.ec", 2).await;
    assert_ne!(first, second);
    assert_eq!(set(&app, &first, NEW_PASSWORD).await, StatusCode::GONE, "the newer link ended it");
    assert_eq!(set(&app, "no-es-un-enlace", NEW_PASSWORD).await, StatusCode::NOT_FOUND);
    // An expired link, as the store keeps one made an hour and more ago.
    let user = app.store().credentials("ana@esperanza.ec").await.unwrap().unwrap().user;
    let expired = "vencido-hace-rato";
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    app.store().create_password_reset(user.id, &minga::auth::link_token_hash(expired), past, None, None).await.unwrap();
    let answer = app
        .request(Method::POST, &format!("/api/v1/auth/password-reset/{expired}"))
        .json(&json!({"password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    let problem = minga_tests::expect_problem(answer, StatusCode::GONE, "gone").await;
    assert!(problem["detail"].as_str().unwrap().contains("expired"), "{problem}");
    assert_eq!(set(&app, &second, NEW_PASSWORD).await, StatusCode::GONE, "making a link ends the older ones");
    assert_eq!(app.login("ana@esperanza.ec", PASSWORD).await.status(), StatusCode::OK, "the password never changed");
}

async fn requests_are_rate_limited_and_bad_input_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..5 {
        assert_eq!(ask(&app, "alguien@esperanza.ec").await.0, StatusCode::ACCEPTED);
    }
    assert_eq!(ask(&app, "alguien@esperanza.ec").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ask(&app, "otra@esperanza.ec").await.0, StatusCode::ACCEPTED, "another account is not held up");
    assert_eq!(ask(&app, "no es un correo").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(set(&app, "cualquiera", "corta").await, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_secretariat_makes_an_access_link_for_someone_without_mail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let beto = app.delegate("beto@esperanza.ec", "Fundación Esperanza").await;
    let path = format!("/api/v1/users/{}/access-link", ana.user["id"].as_str().unwrap());
    app.answer(Some(&beto), Method::POST, &path, None, StatusCode::FORBIDDEN).await;
    app.answer(None, Method::POST, &path, None, StatusCode::UNAUTHORIZED).await;
    let link = app.answer(Some(&admin), Method::POST, &path, None, StatusCode::CREATED).await;
    let url = link["url"].as_str().unwrap();
    assert!(url.contains("/restablecer/"), "{link}");
    let expires: chrono::DateTime<chrono::Utc> = link["expires_at"].as_str().unwrap().parse().unwrap();
    let hours = (expires - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "24 hours, got {hours} minutes");
    let token = url.rsplit('/').next().unwrap();
    assert_eq!(set(&app, token, NEW_PASSWORD).await, StatusCode::NO_CONTENT);
    assert_eq!(app.login("ana@esperanza.ec", NEW_PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(me_status(&app, &ana).await, StatusCode::UNAUTHORIZED, "her old session ended");
    // The record says who made a link for whom, never the link.
    let events = app.answer(Some(&admin), Method::GET, "/api/v1/events?topic=accounts", None, StatusCode::OK).await;
    let made = events.as_array().unwrap().iter().find(|e| e["kind"] == "user.access_link").unwrap();
    assert_eq!(made["data"]["user"]["email"], "ana@esperanza.ec");
    assert_eq!(made["actor"]["id"], admin.user["id"]);
    assert!(!events.to_string().contains(token), "the link is not on the record");
    // Not for an inactive account, nor for nobody.
    let beto_id = beto.user["id"].as_str().unwrap();
    let deactivate = Some(json!({"active": false}));
    app.answer(Some(&admin), Method::PATCH, &format!("/api/v1/users/{beto_id}"), deactivate, StatusCode::OK).await;
    app.answer(Some(&admin), Method::POST, &format!("/api/v1/users/{beto_id}/access-link"), None, StatusCode::CONFLICT)
        .await;
    let nobody = format!("/api/v1/users/{}/access-link", uuid::Uuid::now_v7());
    app.answer(Some(&admin), Method::POST, &nobody, None, StatusCode::NOT_FOUND).await;
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let login = app.login("ana@esperanza.ec", PASSWORD).await;
    let other: Value = login.json().await.unwrap();
    let other = Session { token: other["token"].as_str().unwrap().to_owned(), user: other["user"].clone() };
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let path = "/api/v1/me/password";
    app.answer(Some(&ana), Method::POST, path, Some(change("no es la mía", NEW_PASSWORD)), StatusCode::FORBIDDEN).await;
    app.answer(Some(&ana), Method::POST, path, Some(change(PASSWORD, "corta")), StatusCode::UNPROCESSABLE_ENTITY).await;
    app.answer(None, Method::POST, path, Some(change(PASSWORD, NEW_PASSWORD)), StatusCode::UNAUTHORIZED).await;
    assert_eq!(me_status(&app, &other).await, StatusCode::OK, "nothing changed yet");
    let changed = app.as_user(&ana, Method::POST, path).json(&change(PASSWORD, NEW_PASSWORD)).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let cookie = changed.headers()["set-cookie"].to_str().unwrap().to_owned();
    let renewed = cookie.split(';').next().unwrap().trim_start_matches("minga_session=").to_owned();
    assert_eq!(me_status(&app, &other).await, StatusCode::UNAUTHORIZED, "the other session ended");
    let this = Session { token: renewed, user: ana.user.clone() };
    assert_eq!(me_status(&app, &this).await, StatusCode::OK, "this browser stays signed in");
    assert_eq!(app.login("ana@esperanza.ec", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("ana@esperanza.ec", NEW_PASSWORD).await.status(), StatusCode::OK);
}
