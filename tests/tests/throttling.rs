//! Per-person limits on writes: 429 with Retry-After, per person and per
//! kind of write, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(writes_over_the_allowance_wait);

async fn writes_over_the_allowance_wait(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--writes-per-minute", "3"]).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Org A").await;
    let beto = app.delegate("beto@ong.ec", "Org B").await;
    let (document, articles) = app.charter(&admin, 1).await;
    let proposal = app.proposal(&ana, &document, &articles[0]).await["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/proposals/{proposal}/comments");
    let mut last = None;
    for n in 0..3 {
        last = Some(app.comment(&ana, &proposal, &format!("comentario {n}")).await);
    }
    let refused = app.send(Some(&ana), Method::POST, &path, Some(json!({"body": "uno más"}))).await;
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    expect_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Editing is a comment write too.
    let id = last.unwrap()["id"].as_str().unwrap().to_owned();
    let edit = app.send(Some(&ana), Method::PATCH, &format!("/api/v1/comments/{id}"), Some(json!({"body": "b"}))).await;
    expect_problem(edit, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another person, and another kind of write, have their own allowance.
    app.comment(&beto, &proposal, "yo sí puedo").await;
    let flag_path = format!("/api/v1/comments/{id}/flag");
    let flag = app.send(Some(&ana), Method::POST, &flag_path, Some(json!({"reason": "x"}))).await;
    assert_eq!(flag.status(), StatusCode::CREATED);
    // Nothing refused was written.
    let thread = app.answer(Some(&ana), Method::GET, &path, None, StatusCode::OK).await;
    assert_eq!(thread.as_array().unwrap().len(), 4);
    assert!(thread.as_array().unwrap().iter().all(|c| c["body"] != "uno más" && c["body"] != "b"));
}
