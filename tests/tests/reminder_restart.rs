//! Reminders across a restart, on both backends, in real time and short:
//! a ballot closes 24 hours and 3 seconds from now; the server stops before
//! its 24-hour reminder falls due and starts again after; the reminder goes
//! out once, on the server's own clock, to the organization that has not
//! voted; and after one more restart still once.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(a_reminder_that_fell_due_while_the_server_was_down_goes_once_when_it_is_back);

async fn reminders(app: &TestApp, who: &Session) -> Vec<Value> {
    let inbox = app.answer(Some(who), Method::GET, "/api/v1/me/notifications", None, StatusCode::OK).await;
    inbox.as_array().unwrap().iter().filter(|n| n["kind"] == "ballot.reminder").cloned().collect()
}

async fn a_reminder_that_fell_due_while_the_server_was_down_goes_once_when_it_is_back(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let carla = t.app.delegate("carla@otra.ec", "Fundación Otra").await;
    let closes_at = Utc::now() + Duration::hours(24) + Duration::seconds(3);
    let rule =
        json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false, "closes_at": closes_at});
    let path = format!("/api/v1/proposals/{}/ballot", t.proposal);
    let ballot = t.app.answer(Some(&t.admin), Method::POST, &path, Some(rule), StatusCode::CREATED).await;
    let vote = format!("/api/v1/ballots/{}/vote", ballot["id"].as_str().unwrap());
    t.app.answer(Some(&t.ana), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    assert!(reminders(&t.app, &carla).await.is_empty(), "not due yet");

    let db = t.app.db.clone();
    t.app.stop().await;
    let due_at = closes_at - Duration::hours(24);
    let wait = (due_at - Utc::now()).to_std().unwrap_or_default() + StdDuration::from_secs(1);
    tokio::time::sleep(wait).await;

    let app = TestApp::spawn_on(db.clone(), &[]).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    let carla_again = loop {
        // Sessions survive a restart: the same token, the same secret.
        let sent = reminders(&app, &carla).await;
        if !sent.is_empty() || std::time::Instant::now() > deadline {
            break sent;
        }
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    };
    assert_eq!(carla_again.len(), 1, "the reminder came once the server was back: {carla_again:?}");
    assert_eq!(carla_again[0]["data"]["hours"], 24);
    assert!(reminders(&app, &t.ana).await.is_empty(), "her organization voted");

    tokio::time::sleep(StdDuration::from_secs(2)).await;
    app.stop().await;
    let app = TestApp::spawn_on(db, &[]).await;
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(reminders(&app, &carla).await.len(), 1, "and after another restart, still once");
}
