//! What text the API takes, on both backends: control characters (NUL
//! among them, which PostgreSQL cannot store) are refused with 422 in every
//! text field, and names must show something and cannot reverse their
//! neighbours' direction.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, on_both_backends, thread, Backend, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(
    control_characters_are_refused_in_every_text_field,
    tabs_and_line_breaks_are_kept,
    names_must_show_something_and_keep_their_direction,
);

const NUL: &str = "a\u{0}b";

async fn control_characters_are_refused_in_every_text_field(backend: Backend) {
    let t = thread(backend).await;
    let app = &t.app;
    let proposal = format!("/api/v1/proposals/{}", t.proposal);
    let shown = app.answer(Some(&t.ana), Method::GET, &proposal, None, StatusCode::OK).await;
    let document = shown["document_id"].as_str().unwrap().to_owned();
    let section = shown["section_id"].as_str().unwrap().to_owned();
    let attempts = [
        (Some(&t.ana), Method::POST, format!("{proposal}/comments"), json!({"body": NUL})),
        (Some(&t.ana), Method::POST, format!("{proposal}/comments"), json!({"body": "bell \u{7} here"})),
        (Some(&t.ana), Method::POST, format!("{proposal}/comments"), json!({"body": "escape \u{1b}[31m"})),
        (Some(&t.ana), Method::POST, format!("{proposal}/comments"), json!({"body": "c1 \u{85} control"})),
        (Some(&t.ana), Method::POST, format!("{proposal}/revisions"), json!({"body": NUL, "note": "r"})),
        (
            Some(&t.ana),
            Method::POST,
            format!("/api/v1/documents/{document}/proposals"),
            json!({"kind": "amend", "section_id": section, "title": "T", "body": "ok", "rationale": NUL}),
        ),
        (
            Some(&t.admin),
            Method::POST,
            format!("/api/v1/documents/{document}/sections"),
            json!({"kind": "article", "title": "Art. 9", "body": NUL}),
        ),
        (Some(&t.admin), Method::PATCH, format!("/api/v1/sections/{section}"), json!({"body": NUL})),
        (Some(&t.admin), Method::POST, "/api/v1/documents".into(), json!({"title": NUL})),
        (None, Method::POST, "/api/v1/auth/login".into(), json!({"email": "a\u{0}@x.org", "password": PASSWORD})),
        (None, Method::POST, "/api/v1/auth/login".into(), json!({"email": "ana@ong.ec", "password": NUL})),
        // A key is text too.
        (Some(&t.ana), Method::POST, format!("{proposal}/comments"), json!({"body": "ok", "x\u{0}": 1})),
    ];
    for (who, method, path, body) in attempts {
        let problem = expect_problem(
            app.send(who, method.clone(), &path, Some(body.clone())).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(problem["detail"].as_str().unwrap().contains("control"), "{method} {path} {body}: {problem}");
    }
    let import = app
        .as_user(&t.admin, Method::POST, &format!("/api/v1/documents/{document}/import"))
        .header("content-type", "text/markdown")
        .body("# Estatuto\n\n## Capítulo\n\n### Art. 1.- Uno\n\nTexto a\u{0}b.\n")
        .send()
        .await
        .unwrap();
    expect_problem(import, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    // Nothing of it was kept.
    let comments = app.answer(Some(&t.ana), Method::GET, &format!("{proposal}/comments"), None, StatusCode::OK).await;
    assert_eq!(comments.as_array().unwrap().len(), 0, "{comments}");
    let charter =
        app.answer(Some(&t.ana), Method::GET, &format!("/api/v1/documents/{document}"), None, StatusCode::OK).await;
    assert!(!charter.to_string().contains("\\u0000"), "{charter}");
}

async fn tabs_and_line_breaks_are_kept(backend: Backend) {
    let t = thread(backend).await;
    let body = "Primero:\n\tuno\r\n\tdos";
    let path = format!("/api/v1/proposals/{}/comments", t.proposal);
    let comment =
        t.app.answer(Some(&t.ana), Method::POST, &path, Some(json!({"body": body})), StatusCode::CREATED).await;
    assert_eq!(comment["body"], body);
}

async fn names_must_show_something_and_keep_their_direction(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let invisible = ["\u{200B}", "\u{200B}\u{200D}\u{FEFF}", "\u{2060}\u{00AD}", "\u{3164}"];
    let bidi = ["Ana \u{202E}ñam", "\u{2066}Ana", "Ana\u{202D}", "Ana \u{2067}x\u{2069}"];
    for name in invisible.iter().chain(&bidi) {
        let organization = json!({"name": name, "short_name": "OK", "kind": "member"});
        app.answer(
            Some(&admin),
            Method::POST,
            "/api/v1/organizations",
            Some(organization),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let short = json!({"name": "Fundación Válida", "short_name": name, "kind": "member"});
        app.answer(Some(&admin), Method::POST, "/api/v1/organizations", Some(short), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        let document = json!({"title": name});
        app.answer(Some(&admin), Method::POST, "/api/v1/documents", Some(document), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        let token = app.invitation(&format!("p{}@ong.ec", name.len()), "Fundación Nueva", "member", "delegate").await;
        let accept = json!({"display_name": name, "password": PASSWORD});
        let path = format!("/api/v1/invitations/{token}/accept");
        app.answer(None, Method::POST, &path, Some(accept), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // Accents, ñ, and scripts written right to left are names like any other.
    for name in ["Fundación Ñandú", "مؤسسة الأمل", "Asociación \u{05E9}\u{05DC}\u{05D5}\u{05DD}"] {
        let document = json!({"title": name});
        let created =
            app.answer(Some(&admin), Method::POST, "/api/v1/documents", Some(document), StatusCode::CREATED).await;
        assert_eq!(created["title"], name);
    }
}
