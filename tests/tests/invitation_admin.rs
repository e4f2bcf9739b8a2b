//! The secretariat's hold on invitations, on both backends: listed by where
//! they stand; renewed (a new link, mailed again, the old link dead) or
//! revoked (the link answers 410 and cannot be accepted), each on the
//! `accounts` record; refused to anyone else, and for an accepted one.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    invitations_are_listed_by_where_they_stand,
    a_renewed_invitation_has_a_new_link_and_the_old_one_dies,
    a_revoked_invitation_answers_410_and_cannot_be_accepted,
    only_the_secretariat_lists_renews_and_revokes,
);

const PASSWORD: &str = "una contraseña larga";

async fn invite(app: &TestApp, admin: &Session, email: &str) -> Value {
    let org = app.organization("Fundación Esperanza", "member").await;
    let body = json!({"email": email, "organization_id": org.id, "role": "delegate"});
    app.answer(Some(admin), Method::POST, "/api/v1/invitations", Some(body), StatusCode::CREATED).await
}

fn token_of(created: &Value) -> String {
    created["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

async fn id_of(app: &TestApp, admin: &Session, email: &str) -> String {
    let all = app.answer(Some(admin), Method::GET, "/api/v1/invitations", None, StatusCode::OK).await;
    let found = all.as_array().unwrap().iter().find(|i| i["email"] == email).unwrap();
    found["id"].as_str().unwrap().to_owned()
}

async fn accept(app: &TestApp, token: &str) -> reqwest::Response {
    app.request(Method::POST, &format!("/api/v1/invitations/{token}/accept"))
        .json(&json!({"display_name": "Lucía", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
}

async fn emails_in(app: &TestApp, admin: &Session, status: &str) -> Vec<String> {
    let path = format!("/api/v1/invitations?status={status}");
    let found = app.answer(Some(admin), Method::GET, &path, None, StatusCode::OK).await;
    found.as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_owned()).collect()
}

async fn accounts_kinds(app: &TestApp, admin: &Session) -> Vec<String> {
    let events = app.answer(Some(admin), Method::GET, "/api/v1/events?topic=accounts", None, StatusCode::OK).await;
    events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

async fn invitations_are_listed_by_where_they_stand(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let accepted = invite(&app, &admin, "acepta@esperanza.ec").await;
    assert_eq!(accept(&app, &token_of(&accepted)).await.status(), StatusCode::CREATED);
    invite(&app, &admin, "espera@esperanza.ec").await;
    invite(&app, &admin, "retirada@esperanza.ec").await;
    let revoked = id_of(&app, &admin, "retirada@esperanza.ec").await;
    app.answer(Some(&admin), Method::DELETE, &format!("/api/v1/invitations/{revoked}"), None, StatusCode::NO_CONTENT)
        .await;

    assert!(emails_in(&app, &admin, "accepted").await.contains(&"acepta@esperanza.ec".to_owned()));
    assert_eq!(emails_in(&app, &admin, "pending").await, ["espera@esperanza.ec"]);
    assert_eq!(emails_in(&app, &admin, "revoked").await, ["retirada@esperanza.ec"]);
    assert!(emails_in(&app, &admin, "expired").await.is_empty());
    let all = app.answer(Some(&admin), Method::GET, "/api/v1/invitations", None, StatusCode::OK).await;
    let entry = all.as_array().unwrap().iter().find(|i| i["email"] == "retirada@esperanza.ec").unwrap();
    assert_eq!(entry["status"], "revoked");
    assert!(entry["revoked_at"].is_string() && entry.get("token").is_none(), "{entry}");
    let path = "/api/v1/invitations?status=lost";
    app.answer(Some(&admin), Method::GET, path, None, StatusCode::UNPROCESSABLE_ENTITY).await;
}

async fn a_renewed_invitation_has_a_new_link_and_the_old_one_dies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let first = invite(&app, &admin, "lucia@esperanza.ec").await;
    let id = id_of(&app, &admin, "lucia@esperanza.ec").await;
    let resend = format!("/api/v1/invitations/{id}/resend");
    let renewed = app.answer(Some(&admin), Method::POST, &resend, None, StatusCode::OK).await;
    assert_ne!(renewed["url"], first["url"]);
    let old = format!("/api/v1/invitations/{}", token_of(&first));
    app.answer(None, Method::GET, &old, None, StatusCode::NOT_FOUND).await;
    assert_eq!(accept(&app, &token_of(&first)).await.status(), StatusCode::NOT_FOUND, "the old link is dead");
    // Mailed again, with the new link.
    let outbox = app.answer(Some(&admin), Method::GET, "/api/v1/outbox", None, StatusCode::OK).await;
    let links: Vec<&Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["recipient"] == "lucia@esperanza.ec")
        .map(|m| &m["link"])
        .collect();
    assert_eq!(links, [&first["url"], &renewed["url"]]);
    assert_eq!(accept(&app, &token_of(&renewed)).await.status(), StatusCode::CREATED);
    // Accepted: nothing left to renew or revoke.
    app.answer(Some(&admin), Method::POST, &resend, None, StatusCode::CONFLICT).await;
    let revoke = format!("/api/v1/invitations/{id}");
    app.answer(Some(&admin), Method::DELETE, &revoke, None, StatusCode::CONFLICT).await;
    let kinds = accounts_kinds(&app, &admin).await;
    assert!(kinds.contains(&"invitation.renewed".to_owned()), "{kinds:?}");
}

async fn a_revoked_invitation_answers_410_and_cannot_be_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let created = invite(&app, &admin, "pedro@esperanza.ec").await;
    let id = id_of(&app, &admin, "pedro@esperanza.ec").await;
    let revoke = format!("/api/v1/invitations/{id}");
    app.answer(Some(&admin), Method::DELETE, &revoke, None, StatusCode::NO_CONTENT).await;
    app.answer(Some(&admin), Method::DELETE, &revoke, None, StatusCode::NO_CONTENT).await;
    let link = format!("/api/v1/invitations/{}", token_of(&created));
    let gone = app.answer(None, Method::GET, &link, None, StatusCode::GONE).await;
    assert!(gone["detail"].as_str().unwrap().contains("withdrawn"), "{gone}");
    assert_eq!(accept(&app, &token_of(&created)).await.status(), StatusCode::GONE);
    app.answer(Some(&admin), Method::POST, &format!("{revoke}/resend"), None, StatusCode::CONFLICT).await;
    let kinds = accounts_kinds(&app, &admin).await;
    assert_eq!(kinds.iter().filter(|k| *k == "invitation.revoked").count(), 1, "revoked once: {kinds:?}");
    let unknown = format!("/api/v1/invitations/{}", uuid::Uuid::now_v7());
    app.answer(Some(&admin), Method::DELETE, &unknown, None, StatusCode::NOT_FOUND).await;
    app.answer(Some(&admin), Method::DELETE, "/api/v1/invitations/not-an-id", None, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
}

async fn only_the_secretariat_lists_renews_and_revokes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let delegate = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    invite(&app, &admin, "rosa@esperanza.ec").await;
    let id = id_of(&app, &admin, "rosa@esperanza.ec").await;
    let (resend, revoke) = (format!("/api/v1/invitations/{id}/resend"), format!("/api/v1/invitations/{id}"));
    for who in [Some(&delegate), None] {
        let refused = if who.is_some() { StatusCode::FORBIDDEN } else { StatusCode::UNAUTHORIZED };
        app.answer(who, Method::GET, "/api/v1/invitations", None, refused).await;
        app.answer(who, Method::POST, &resend, None, refused).await;
        app.answer(who, Method::DELETE, &revoke, None, refused).await;
    }
    assert_eq!(emails_in(&app, &admin, "pending").await, ["rosa@esperanza.ec"], "nothing changed");
}
