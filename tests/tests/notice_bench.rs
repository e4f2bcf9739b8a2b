//! Figures for the notifications issue, ignored by default; run in release:
//! `cargo test -p minga-tests --release --test notice_bench -- --ignored --nocapture --test-threads 1`
//!
//! - the outbox draining 1,000 mails to a local SMTP server (aiosmtpd):
//!   mails per second, and comment writes per second before and while it drains;
//! - reminder and digest accuracy over a simulated week: the reminders and
//!   digests due against those sent, and how late, stepping the clock by
//!   five minutes through seven days.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use minga::domain::mail::{Composed, MailKind, NewMail};
use minga_tests::smtp::SmtpServer;
use minga_tests::{Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

const MAILS: usize = 1000;
const WRITERS: usize = 4;

/// Comments written per second by `WRITERS` loops for `during`.
async fn comment_rate(app: &TestApp, who: &Session, proposal: &str, during: StdDuration) -> f64 {
    let written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut loops = Vec::new();
    for w in 0..WRITERS {
        let (client, url, token) =
            (app.client.clone(), app.url(&format!("/api/v1/proposals/{proposal}/comments")), who.token.clone());
        let (written, stop) = (written.clone(), stop.clone());
        loops.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let sent = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"body": format!("Comentario {w}-{n}")}))
                    .send()
                    .await;
                if sent.is_ok_and(|r| r.status() == StatusCode::CREATED) {
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(during).await;
    stop.store(true, Ordering::Relaxed);
    for done in loops {
        done.await.unwrap();
    }
    written.load(Ordering::Relaxed) as f64 / during.as_secs_f64()
}

async fn outbox_drain(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(backend, &["--smtp-url", &smtp.url()]).await;
    let admin = app.secretariat().await;
    let (document, articles) = app.charter(&admin, 2).await;
    let proposal = app.proposal(&admin, &document, &articles[0]).await["id"].as_str().unwrap().to_owned();
    let already = smtp.wait_for(1, StdDuration::from_secs(10)).await.len();
    let quiet = comment_rate(&app, &admin, &proposal, StdDuration::from_secs(5)).await;

    let started = Instant::now();
    let store = app.store().clone();
    let writing = tokio::spawn(async move {
        for n in 0..MAILS {
            let composed = Composed {
                subject: format!("Aviso {n}"),
                text: format!("Texto del aviso {n}."),
                html: format!("<p>Texto del aviso {n}.</p>"),
            };
            let mail =
                NewMail::new(MailKind::Notification, &format!("persona{n}@ong.ec"), composed, None, "minga.test");
            store.mail_notices(&[], Some(&mail)).await.unwrap();
        }
    });
    app.state.mail.written();
    let busy = comment_rate(&app, &admin, &proposal, StdDuration::from_secs(5)).await;
    writing.await.unwrap();
    let arrived = smtp.wait_for(already + MAILS, StdDuration::from_secs(300)).await.len() - already;
    let took = started.elapsed().as_secs_f64();
    println!(
        "{backend:?}: {arrived} of {MAILS} mails delivered in {took:.1} s ({:.0} mails/s); comment writes {quiet:.0}/s before, {busy:.0}/s while draining ({WRITERS} writers)",
        arrived as f64 / took
    );
    assert_eq!(arrived, MAILS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
async fn outbox_throughput_and_comment_writes_sqlite() {
    outbox_drain(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
async fn outbox_throughput_and_comment_writes_postgres() {
    outbox_drain(Backend::Postgres).await;
}

const STEP_MINUTES: i64 = 5;
const BALLOTS: i64 = 12;

/// Ballots closing every 14 hours through the week; one organization of
/// two has voted in every third. Stepping a simulated clock through seven
/// days, count the reminders (and the digest) sent against those due.
async fn week(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let carla = t.app.delegate("carla@otra.ec", "Fundación Otra").await;
    let store = t.app.store().clone();
    let start = Utc::now();
    let mut expected: Vec<(String, i64, DateTime<Utc>)> = Vec::new();
    let doc: serde_json::Value = t
        .app
        .answer(Some(&t.ana), Method::GET, &format!("/api/v1/proposals/{}", t.proposal), None, StatusCode::OK)
        .await;
    let document = doc["document_id"].as_str().unwrap().to_owned();
    let charter =
        t.app.answer(Some(&t.ana), Method::GET, &format!("/api/v1/documents/{document}"), None, StatusCode::OK).await;
    let article = charter["sections"].as_array().unwrap().iter().find(|s| s["kind"] == "article").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for b in 1..=BALLOTS {
        let proposal = t.app.proposal(&t.ana, &document, &article).await["id"].as_str().unwrap().to_owned();
        let closes_at = start + Duration::hours(14 * b);
        let rule = json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false, "closes_at": closes_at});
        let ballot = t
            .app
            .answer(
                Some(&t.admin),
                Method::POST,
                &format!("/api/v1/proposals/{proposal}/ballot"),
                Some(rule),
                StatusCode::CREATED,
            )
            .await;
        let id = ballot["id"].as_str().unwrap().to_owned();
        let everyone_voted = b % 3 == 0;
        if everyone_voted {
            for who in [&t.ana, &carla, &t.admin] {
                t.app
                    .answer(
                        Some(who),
                        Method::PUT,
                        &format!("/api/v1/ballots/{id}/vote"),
                        Some(json!({"choice": "yes"})),
                        StatusCode::OK,
                    )
                    .await;
            }
        }
        for hours in [24, 2] {
            let due = closes_at - Duration::hours(hours);
            // A reminder whose time had passed when the ballot opened is skipped.
            if !everyone_voted && due >= start {
                expected.push((id.clone(), hours, due));
            }
        }
    }
    // A reply for the digest.
    let first = t.app.comment(&carla, &t.proposal, "¿Qué opinan?").await;
    let body = json!({"body": "Respuesta.", "parent_id": first["id"]});
    t.app
        .answer(
            Some(&t.beto),
            Method::POST,
            &format!("/api/v1/proposals/{}/comments", t.proposal),
            Some(body),
            StatusCode::CREATED,
        )
        .await;

    let writer = t.app.state.notice_mail_writer();
    let mut sent_reminders = 0;
    let mut digests = Vec::new();
    let mut now = start;
    while now <= start + Duration::days(7) {
        sent_reminders += store.send_due_reminders(now).await.unwrap();
        if writer.mail_due(now).await.unwrap() > 0 {
            let count = digest_count(&t.app).await;
            digests.extend(std::iter::repeat_n(now, count - digests.len()));
        }
        now += Duration::minutes(STEP_MINUTES);
    }
    // When each was sent, from the record of reminders.
    let mut late = Duration::zero();
    let rows = sent_times(&t.app).await;
    let mut matched = 0;
    for (ballot, hours, due) in &expected {
        if let Some(at) = rows.iter().find(|(b, h, _)| b == ballot && h == hours).map(|(_, _, at)| *at) {
            matched += 1;
            late = late.max(at - *due);
        }
    }
    // Ana's (her proposals' status changes) and Carla's (the reply), at the first 18:00.
    let expected_digest_at = minga::domain::preferences::digest_cutoff(start) + Duration::days(1);
    println!(
        "{backend:?}: reminders sent {sent_reminders}, expected {}, matched {matched}, latest {} s after due (step {STEP_MINUTES} min); digests sent {} (expected 2, due {expected_digest_at}) at {:?}",
        expected.len(),
        late.num_seconds(),
        digests.len(),
        digests
    );
    assert_eq!((sent_reminders as usize, matched), (expected.len(), expected.len()));
    assert_eq!(digests.len(), 2);
    assert!(digests
        .iter()
        .all(|at| *at >= expected_digest_at && *at - expected_digest_at < Duration::minutes(STEP_MINUTES)));
}

async fn digest_count(app: &TestApp) -> usize {
    use sqlx::Connection;
    let query = "SELECT COUNT(*) FROM outbox WHERE kind = 'digest'";
    let count: i64 = match app.db.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
            sqlx::query_scalar(query).fetch_one(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
            sqlx::query_scalar(query).fetch_one(&mut conn).await.unwrap()
        }
    };
    usize::try_from(count).unwrap()
}

async fn sent_times(app: &TestApp) -> Vec<(String, i64, DateTime<Utc>)> {
    use sqlx::Connection;
    let query = "SELECT ballot_id, hours, sent_at FROM ballot_reminders";
    match app.db.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
            let rows: Vec<(uuid::Uuid, i64, DateTime<Utc>)> = sqlx::query_as(query).fetch_all(&mut conn).await.unwrap();
            rows.into_iter().map(|(b, h, at)| (b.to_string(), h, at)).collect()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
            let rows: Vec<(uuid::Uuid, i64, DateTime<Utc>)> = sqlx::query_as(query).fetch_all(&mut conn).await.unwrap();
            rows.into_iter().map(|(b, h, at)| (b.to_string(), h, at)).collect()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
async fn a_simulated_week_of_reminders_and_digests_sqlite() {
    week(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
async fn a_simulated_week_of_reminders_and_digests_postgres() {
    week(Backend::Postgres).await;
}
