//! A ballot's record keeps time in the order of its lock: every cast it
//! counts was made before its close. On PostgreSQL, casts racing a close once
//! carried times 0.2-2 ms after `closed_at`, because both times were taken
//! before the ballot's row lock was waited for.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use minga_tests::{expect_status, on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(casts_counted_by_a_close_were_made_before_it);

const RACES: usize = 6;
const RACERS: usize = 12;
/// Votes each organization sends, one after the other, per race (the write
/// allowance is 60 a minute).
const STREAM: usize = 8;

async fn casts_counted_by_a_close_were_made_before_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let mut delegates: Vec<Session> = Vec::new();
    for n in 0..RACERS {
        delegates.push(app.delegate(&format!("t{n}@org{n}.ec"), &format!("Organización {n}")).await);
    }
    let (doc, articles) = app.charter(&admin, RACES).await;
    for (run, article) in articles.iter().enumerate() {
        let proposal = app.proposal(&delegates[0], &doc, article).await["id"].as_str().unwrap().to_owned();
        let rule = json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": false});
        let opened = app
            .answer(
                Some(&admin),
                Method::POST,
                &format!("/api/v1/proposals/{proposal}/ballot"),
                Some(rule),
                StatusCode::CREATED,
            )
            .await;
        let ballot = opened["id"].as_str().unwrap().to_owned();
        let (first_cast, mut cast_seen) = tokio::sync::mpsc::unbounded_channel::<()>();
        let streams: Vec<_> = delegates
            .iter()
            .map(|delegate| {
                let requests: Vec<_> = (0..STREAM)
                    .map(|n| {
                        let choice = ["yes", "no", "abstain"][n % 3];
                        app.as_user(delegate, Method::PUT, &format!("/api/v1/ballots/{ballot}/vote"))
                            .json(&json!({"choice": choice}))
                    })
                    .collect();
                let first_cast = first_cast.clone();
                tokio::spawn(async move {
                    for request in requests {
                        let status = request.send().await.unwrap().status();
                        assert!(matches!(status, StatusCode::OK | StatusCode::CONFLICT), "{status}");
                        if status == StatusCode::CONFLICT {
                            break;
                        }
                        let _ = first_cast.send(());
                    }
                })
            })
            .collect();
        // Close while the streams are still casting, a little later each race.
        cast_seen.recv().await.unwrap();
        tokio::time::sleep(Duration::from_millis(2 * run as u64)).await;
        app.answer(Some(&admin), Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None, StatusCode::OK).await;
        for stream in streams {
            stream.await.unwrap();
        }
        let minutes = expect_status(
            app.as_user(&admin, Method::GET, &format!("/api/v1/ballots/{ballot}/minutes")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        let at = |value: &Value| chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap();
        let closed_at = at(&minutes["closed_at"]);
        let casts = minutes["casts"].as_array().unwrap();
        assert!(!casts.is_empty(), "run {run}: {minutes}");
        for cast in casts.iter().chain(minutes["choices"].as_array().unwrap()) {
            assert!(
                at(&cast["cast_at"]) <= closed_at,
                "run {run}: a counted cast after the close at {closed_at}: {cast}"
            );
        }
    }
}
