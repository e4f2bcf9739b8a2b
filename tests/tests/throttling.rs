//! Per-person limits on writes: 429 with Retry-After, per person and per
//! kind of write, on both backends; sign-in limits under concurrency and the
//! bound on password checks at once; and the request timeout.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(
    writes_over_the_allowance_wait,
    a_request_that_never_finishes_is_cut_off,
    simultaneous_wrong_logins_count_against_the_limit,
    password_checks_beyond_the_bound_are_refused_at_once,
);

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

/// Sixty wrong passwords sent at once for one account: each attempt is
/// counted before its password is checked, so no more than the limit are
/// ever evaluated (before, all sixty were).
async fn simultaneous_wrong_logins_count_against_the_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.delegate("juana@example.org", "Org J").await;
    let attempts = (0..60).map(|_| app.login("juana@example.org", "wrong password!"));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts).await.iter().map(|r| r.status()).collect();
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let allowed = minga::state::LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS.max_failures as usize;
    assert_eq!(evaluated, allowed, "{statuses:?}");
    assert_eq!(refused, 60 - allowed, "{statuses:?}");
    // The right password waits too: the account's allowance is spent.
    let after = app.login("juana@example.org", minga_tests::PASSWORD).await;
    expect_problem(after, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// With room for one password check at a time and a short queue, a crowd of
/// sign-ins gets 503 with Retry-After at once for what does not fit (each
/// check holds 19 MiB), and every request is answered; a right password
/// still gets in once the crowd has passed.
async fn password_checks_beyond_the_bound_are_refused_at_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--password-checks", "1"]).await;
    app.delegate("olga@example.org", "Org O").await;
    let emails: Vec<String> = (0..24).map(|n| format!("nadie{n}@example.org")).collect();
    let attempts = emails.iter().map(|email| app.login(email, "wrong password!"));
    let answers = futures_util::future::join_all(attempts).await;
    let (mut busy, mut checked) = (0, 0);
    for answer in answers {
        match answer.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(answer.headers().contains_key("retry-after"));
                let problem = expect_problem(answer, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
                assert!(problem["detail"].as_str().unwrap().contains("password"), "{problem}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0 && checked > 0, "{busy} refused, {checked} checked");
    expect_status(app.login("olga@example.org", minga_tests::PASSWORD).await, StatusCode::OK).await;
}
