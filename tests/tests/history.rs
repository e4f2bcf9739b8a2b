//! The charter's history: the before/after comparison table between any two
//! versions, as JSON and as a printable page, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(comparison_lists_what_changed, comparison_prints_as_a_page);

async fn comparison_lists_what_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let reader = app.observer("lee@uni.ec", "Universidad").await;
    let (document, articles) = app.charter(&admin, 3).await;
    let edit = app
        .as_user(&admin, Method::PATCH, &format!("/api/v1/sections/{}", articles[1]))
        .json(&json!({"body": "La asamblea general se reunirá cada seis meses."}));
    let edited = expect_status(edit.send().await.unwrap(), StatusCode::OK).await;
    let add = app
        .as_user(&admin, Method::POST, &format!("/api/v1/documents/{document}/sections"))
        .json(&json!({"kind": "article", "title": "Sede", "body": "Quito.", "after_section_id": articles[2]}));
    let added = expect_status(add.send().await.unwrap(), StatusCode::CREATED).await;
    let to = added["version"].as_i64().unwrap();
    let from = edited["version"].as_i64().unwrap() - 1;
    let table = expect_status(
        app.as_user(&reader, Method::GET, &format!("/api/v1/documents/{document}/comparison?from={from}&to={to}"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((table["from"].as_i64(), table["to"].as_i64()), (Some(from), Some(to)));
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "only what changed: {rows:?}");
    assert_eq!(rows[0]["change"], "changed");
    assert_eq!(rows[0]["section_id"], articles[1].as_str());
    assert_eq!(rows[0]["before"], "Texto del artículo 2, que la asamblea discute.");
    assert_eq!(rows[0]["after"], "La asamblea general se reunirá cada seis meses.");
    assert_eq!(rows[1]["change"], "added");
    assert_eq!((rows[1]["before"].is_null(), rows[1]["after"].as_str()), (true, Some("Quito.")));
    assert_eq!(rows[1]["to_number"], 4);
    // The default compares the last version with the one before it.
    let last = expect_status(
        app.as_user(&reader, Method::GET, &format!("/api/v1/documents/{document}/comparison")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(last["rows"].as_array().unwrap().len(), 1);
    let missing = app.as_user(&reader, Method::GET, &format!("/api/v1/documents/{document}/comparison?from=1&to=99"));
    expect_problem(missing.send().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
    let anonymous = app.request(Method::GET, &format!("/api/v1/documents/{document}/comparison"));
    expect_problem(anonymous.send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn comparison_prints_as_a_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let (document, articles) = app.charter(&admin, 2).await;
    let edit = app
        .as_user(&admin, Method::PATCH, &format!("/api/v1/sections/{}", articles[0]))
        .json(&json!({"body": "Texto **nuevo** <script>alert(1)</script>"}));
    expect_status(edit.send().await.unwrap(), StatusCode::OK).await;
    let page = app
        .as_user(&admin, Method::GET, &format!("/api/v1/documents/{document}/comparison?format=html"))
        .send()
        .await
        .unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(!page.headers()["content-security-policy"].to_str().unwrap().contains("script-src"));
    let html = page.text().await.unwrap();
    for expected in [
        "<!doctype html>",
        "Cuadro comparativo",
        "Texto anterior",
        "Texto nuevo",
        "Artículo 1",
        "<strong>nuevo</strong>",
        "@page",
    ] {
        assert!(html.contains(expected), "the page lacks {expected:?}");
    }
    assert!(!html.contains("<script"), "sanitized");
    let english = app.text(&admin, &format!("/api/v1/documents/{document}/comparison?format=html&lang=en")).await;
    assert!(english.contains("Comparison table") && english.contains("Previous text") && english.contains("Article 1"));
    let bad = app.as_user(&admin, Method::GET, &format!("/api/v1/documents/{document}/comparison?format=pdf"));
    expect_problem(bad.send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
}
