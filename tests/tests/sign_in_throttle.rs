//! Who the sign-in throttle stops: a guesser at one account from one place
//! (hard, to the end of the window), one place trying many accounts (hard),
//! and one account tried from everywhere (slowed, never locked). Behind a
//! trusted proxy, the address is the proxy's own last X-Forwarded-For entry.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, TestApp, PASSWORD};
use reqwest::{Method, Response, StatusCode};
use serde_json::json;

on_both_backends!(
    wrong_passwords_from_elsewhere_do_not_lock_the_owner_out,
    the_address_is_the_proxys_last_entry,
    an_account_tried_from_everywhere_is_slowed_not_locked,
);

async fn behind_proxy(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, &["--trust-forwarded-for"]).await
}

/// A sign-in whose proxy says it came from `forwarded_for`.
async fn login_from(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> Response {
    app.request(Method::POST, "/api/v1/auth/login")
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &Response) -> u64 {
    response.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

/// Before, five wrong passwords from anywhere locked the account for
/// everyone for 15 minutes.
async fn wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(backend: Backend) {
    let app = behind_proxy(backend).await;
    app.delegate("rosa@example.org", "Org R").await;
    let allowed = minga::state::LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS.max_failures;
    for _ in 0..allowed {
        let wrong = login_from(&app, "203.0.113.7", "rosa@example.org", "wrong password!").await;
        expect_problem(wrong, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let refused = login_from(&app, "203.0.113.7", "rosa@example.org", PASSWORD).await;
    assert!(retry_after(&refused) > 60, "the guesser's place waits to the end of the window");
    expect_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let owner = login_from(&app, "198.51.100.2", "rosa@example.org", PASSWORD).await;
    expect_status(owner, StatusCode::OK).await;
}

/// Before, the first entry (the client's own choice) was taken: a new one
/// per attempt escaped the per-address limit.
async fn the_address_is_the_proxys_last_entry(backend: Backend) {
    let app = behind_proxy(backend).await;
    let allowed = minga::state::LOGIN_FAILURES_PER_ADDRESS.max_failures;
    for attempt in 0..allowed {
        let spoofed = format!("10.0.{}.{}, 203.0.113.9", attempt / 200, attempt % 200 + 1);
        let wrong = login_from(&app, &spoofed, &format!("guess{attempt}@example.org"), "wrong password!").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = login_from(&app, "192.0.2.1, 203.0.113.9", "other@example.org", "wrong password!").await;
    expect_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let elsewhere = login_from(&app, "203.0.113.9, 198.51.100.3", "other@example.org", "wrong password!").await;
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED, "another proxy-given address is not limited");
}

async fn an_account_tried_from_everywhere_is_slowed_not_locked(backend: Backend) {
    let app = behind_proxy(backend).await;
    app.delegate("sara@example.org", "Org S").await;
    let free = minga::state::LOGIN_PACING_PER_ACCOUNT.free;
    for n in 0..free {
        let wrong = login_from(&app, &format!("198.51.100.{}", n + 10), "sara@example.org", "wrong password!").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let paced = login_from(&app, "198.51.100.200", "sara@example.org", PASSWORD).await;
    assert_eq!(retry_after(&paced), 1, "a second's wait, not a lock");
    expect_problem(paced, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let owner = login_from(&app, "198.51.100.200", "sara@example.org", PASSWORD).await;
    expect_status(owner, StatusCode::OK).await;
}
