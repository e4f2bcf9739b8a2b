//! The chain covers who may decide: organizations, people (role, active) and
//! invitations are events on the secretariat's `accounts` topic, chained and
//! verified like the others, never carrying a password or an invitation
//! token; a public ballot's choices join the chain at its close.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, Session, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    account_changes_are_chained_on_the_accounts_topic_for_the_secretariat_only,
    a_public_ballots_choices_are_chained_at_its_close,
);

async fn accounts(app: &TestApp, who: &Session, status: StatusCode) -> Value {
    app.answer(Some(who), Method::GET, "/api/v1/events?topic=accounts&limit=1000", None, status).await
}

async fn account_changes_are_chained_on_the_accounts_topic_for_the_secretariat_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let head = accounts(&app, &admin, StatusCode::OK).await.as_array().unwrap().len();

    let org = app
        .answer(
            Some(&admin),
            Method::POST,
            "/api/v1/organizations",
            Some(json!({"name": "Asociación Rutas", "short_name": "AR", "kind": "member"})),
            StatusCode::CREATED,
        )
        .await;
    let org_id = org["id"].as_str().unwrap();
    let invited = app
        .answer(
            Some(&admin),
            Method::POST,
            "/api/v1/invitations",
            Some(json!({"email": "beto@rutas.ec", "organization_id": org_id, "role": "delegate"})),
            StatusCode::CREATED,
        )
        .await;
    let token = invited["token"].as_str().unwrap().to_owned();
    let beto = app
        .answer(
            None,
            Method::POST,
            &format!("/api/v1/invitations/{token}/accept"),
            Some(json!({"display_name": "Beto", "password": PASSWORD})),
            StatusCode::CREATED,
        )
        .await;
    let beto_id = beto["user"]["id"].as_str().unwrap();
    app.answer(
        Some(&admin),
        Method::PATCH,
        &format!("/api/v1/users/{beto_id}"),
        Some(json!({"active": false})),
        StatusCode::OK,
    )
    .await;
    app.answer(
        Some(&admin),
        Method::PATCH,
        &format!("/api/v1/organizations/{org_id}"),
        Some(json!({"short_name": "ARu"})),
        StatusCode::OK,
    )
    .await;

    let events = accounts(&app, &admin, StatusCode::OK).await;
    let events = &events.as_array().unwrap()[head..];
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "organization.created",
            "invitation.created",
            "user.created",
            "invitation.accepted",
            "user.updated",
            "organization.updated"
        ]
    );
    assert_eq!(events[0]["actor"]["id"], admin.user["id"], "the secretariat made the organization");
    assert_eq!(events[2]["actor"]["id"], beto["user"]["id"], "the invitee accepted");
    assert_eq!(events[4]["data"]["user"]["active"], false);
    assert_eq!(events[5]["data"]["organization"]["short_name"], "ARu");
    let text = Value::Array(events.to_vec()).to_string();
    for secret in [token.as_str(), PASSWORD, "password", "token", "argon2"] {
        assert!(!text.contains(secret), "the accounts record carries {secret:?}: {text}");
    }

    accounts(&app, &ana, StatusCode::FORBIDDEN).await;
    let mut ws = app.ws(&ana).await;
    ws.send(json!({"type": "subscribe", "topic": "accounts", "after": 0})).await;
    assert_eq!(ws.next_of("error").await["code"], "forbidden", "a delegate cannot follow the accounts topic");

    let report = app.store().verify_chains().await.unwrap();
    assert_eq!(report.first_break, None);
    let accounts_head = app.store().head(minga::domain::event::Topic::Accounts).await.unwrap();
    assert!(accounts_head as usize >= head + 6, "the accounts chain is verified with the others");
}

async fn a_public_ballots_choices_are_chained_at_its_close(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let (doc, articles) = app.charter(&admin, 1).await;
    for secret in [false, true] {
        let proposal = app.proposal(&ana, &doc, &articles[0]).await;
        let proposal = proposal["id"].as_str().unwrap().to_owned();
        let opened = app
            .answer(
                Some(&admin),
                Method::POST,
                &format!("/api/v1/proposals/{proposal}/ballot"),
                Some(json!({"majority": "simple", "quorum": 0.0, "secret": secret})),
                StatusCode::CREATED,
            )
            .await;
        let ballot = opened["id"].as_str().unwrap().to_owned();
        for choice in ["no", "yes"] {
            let path = format!("/api/v1/ballots/{ballot}/vote");
            app.answer(Some(&ana), Method::PUT, &path, Some(json!({"choice": choice})), StatusCode::OK).await;
        }
        app.answer(Some(&admin), Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None, StatusCode::OK).await;
        let path = format!("/api/v1/events?topic=proposal:{proposal}&limit=1000");
        let events = app.answer(Some(&admin), Method::GET, &path, None, StatusCode::OK).await;
        let choices: Vec<&Value> =
            events.as_array().unwrap().iter().filter(|e| e["kind"] == "ballot.choices").collect();
        if secret {
            assert!(choices.is_empty(), "a secret ballot's choices are never chained: {choices:?}");
            continue;
        }
        assert_eq!(choices.len(), 1);
        let data = &choices[0]["data"];
        assert_eq!(data["votes"][0]["choice"], "yes");
        assert_eq!(data["votes"][0]["organization_id"], ana.user["organization"]["id"]);
        let casts: Vec<&Value> = data["casts"].as_array().unwrap().iter().map(|c| &c["choice"]).collect();
        assert_eq!(casts, [&json!("no"), &json!("yes")], "every change, in order");
    }
    assert_eq!(app.store().verify_chains().await.unwrap().first_break, None);
}
