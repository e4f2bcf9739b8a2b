//! Per-person limits on writes: 429 with Retry-After, per person and per
//! kind of write, on both backends; and the request timeout.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(writes_over_the_allowance_wait, a_request_that_never_finishes_is_cut_off);

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

/// A client that announces a body and never sends it would hold a worker
/// and a connection forever; after the timeout it gets a 503 problem.
async fn a_request_that_never_finishes_is_cut_off(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(backend, &["--request-timeout-secs", "1"]).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"email\": "
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut buffer = [0u8; 4096];
        // The answer is read up to the end of its (small) problem body.
        while !answer.ends_with(b"}") {
            let n = stream.read(&mut buffer).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 10 s: {}", String::from_utf8_lossy(&answer));
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(text.starts_with("http/1.1 503"), "{text}");
    assert!(text.contains("content-type: application/problem+json"), "{text}");
    assert!(text.contains(r#""code":"unavailable""#), "{text}");
    assert!(elapsed >= std::time::Duration::from_millis(900), "cut off after {elapsed:?}, before the timeout");
}
