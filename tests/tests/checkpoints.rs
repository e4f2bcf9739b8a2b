//! Signed checkpoints, on both backends: who may read and make them, that
//! `minga verify --checkpoint` proves a kept one still holds, and that it
//! catches what the hash chains alone cannot (a record cut short and its
//! head moved back to match), a foreign key and a forged signature; the
//! minutes and exports name the latest one; nodes racing keep one.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga::config::VerifyArgs;
use minga::domain::checkpoint::{check, Checkpoint, CheckpointKey};
use minga_tests::db::TempDir;
use minga_tests::{on_both_backends, settings_for, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection, SqliteConnection};

on_both_backends!(
    checkpoints_are_signed_listed_and_made_by_the_secretariat_only,
    a_kept_checkpoint_proves_the_record_was_not_cut_short,
    minutes_and_exports_name_the_latest_checkpoint,
    nodes_signing_the_same_heads_keep_one_checkpoint,
);

async fn make(app: &TestApp, who: &Session, status: StatusCode) -> Value {
    app.answer(Some(who), Method::POST, "/api/v1/checkpoints", None, status).await
}

async fn checkpoints_are_signed_listed_and_made_by_the_secretariat_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.state.checkpoint_key.clone();
    let empty = minga::checkpointer::checkpoint_now(app.store().as_ref(), &key).await.unwrap();
    assert!(empty.is_none(), "a record with no events has nothing to sign (POST answers 404)");
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    // Started on an empty record: nothing to sign then. The accounts made
    // since are events, but no checkpoint is made until asked or due.
    app.answer(Some(&ana), Method::GET, "/api/v1/checkpoints/latest", None, StatusCode::NOT_FOUND).await;
    app.charter(&admin, 2).await;

    make(&app, &ana, StatusCode::FORBIDDEN).await;
    let made = make(&app, &admin, StatusCode::CREATED).await;
    let again = make(&app, &admin, StatusCode::OK).await;
    assert_eq!(again, made, "nothing new: the same checkpoint");
    app.answer(None, Method::GET, "/api/v1/checkpoints/latest", None, StatusCode::UNAUTHORIZED).await;
    let latest = app.answer(Some(&ana), Method::GET, "/api/v1/checkpoints/latest", None, StatusCode::OK).await;
    assert_eq!(latest, made, "a delegate reads the latest");

    let checkpoint: Checkpoint = serde_json::from_value(made.clone()).unwrap();
    assert_eq!(checkpoint.public_key, app.state.checkpoint_key.public_key());
    assert_eq!(check(&checkpoint, &checkpoint.public_key), Ok(()));
    let document = checkpoint.heads.iter().find(|h| h.topic.starts_with("document:")).unwrap();
    assert!(document.seq >= 2 && document.hash.len() == 64, "{document:?}");

    app.charter(&admin, 1).await;
    let newer = make(&app, &admin, StatusCode::CREATED).await;
    assert_ne!(newer["digest"], made["digest"]);
    let all = app.answer(Some(&ana), Method::GET, "/api/v1/checkpoints", None, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().iter().map(|c| &c["id"]).collect::<Vec<_>>(), [&made["id"], &newer["id"]]);
    let after = format!("/api/v1/checkpoints?after={}", made["id"].as_str().unwrap());
    assert_eq!(app.answer(Some(&ana), Method::GET, &after, None, StatusCode::OK).await, json!([newer]));
    app.answer(Some(&ana), Method::GET, "/api/v1/checkpoints?limit=0", None, StatusCode::UNPROCESSABLE_ENTITY).await;
}

/// Runs `minga verify [--checkpoint FILE]` on the app's database.
async fn verify(app: &TestApp, checkpoint: Option<&Value>) -> anyhow::Result<bool> {
    let dir = TempDir::new(&format!("minga_checkpoint_{}", uuid::Uuid::now_v7().simple()));
    let path = dir.0.join("checkpoint.json");
    if let Some(checkpoint) = checkpoint {
        std::fs::write(&path, checkpoint.to_string()).unwrap();
    }
    let args = VerifyArgs { checkpoint: checkpoint.map(|_| path.clone()) };
    minga::cli::verify(&settings_for(&app.db.url, &[]), &args).await
}

/// What someone with the database could do unseen by the chains: drop a
/// topic's last event and move its head back to the one before.
async fn cut_short(app: &TestApp, topic: &str, seq: i64) {
    let statements = [
        "DELETE FROM events WHERE topic = $1 AND seq = $2",
        "UPDATE topic_heads SET seq = $2 - 1, hash = (SELECT hash FROM events WHERE topic = $1 AND seq = $2 - 1) \
         WHERE topic = $1",
    ];
    match app.db.backend {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::connect(&app.db.url).await.unwrap();
            for statement in statements {
                sqlx::query(statement).bind(topic).bind(seq).execute(&mut conn).await.unwrap();
            }
        }
        Backend::Postgres => {
            let mut conn = PgConnection::connect(&app.db.url).await.unwrap();
            for statement in statements {
                sqlx::query(statement).bind(topic).bind(seq).execute(&mut conn).await.unwrap();
            }
        }
    }
}

async fn a_kept_checkpoint_proves_the_record_was_not_cut_short(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    app.charter(&admin, 3).await;
    let kept = make(&app, &admin, StatusCode::CREATED).await;
    assert!(verify(&app, Some(&kept)).await.unwrap(), "a fresh checkpoint holds");

    let mut foreign: Checkpoint = serde_json::from_value(kept.clone()).unwrap();
    foreign = CheckpointKey::from_hex(&"42".repeat(32)).unwrap().sign(foreign.id, foreign.at, foreign.heads);
    assert!(!verify(&app, Some(&serde_json::to_value(&foreign).unwrap())).await.unwrap(), "another key's is refused");
    let mut forged = kept.clone();
    forged["heads"][0]["hash"] = json!("0".repeat(64));
    assert!(!verify(&app, Some(&forged)).await.unwrap(), "changed heads are refused");
    let not_json = json!("not a checkpoint");
    assert!(verify(&app, Some(&not_json)).await.is_err(), "a file that is no checkpoint is an error");

    let document =
        kept["heads"].as_array().unwrap().iter().find(|h| h["topic"].as_str().unwrap().starts_with("document:"));
    let document = document.unwrap();
    cut_short(&app, document["topic"].as_str().unwrap(), document["seq"].as_i64().unwrap()).await;
    assert!(verify(&app, None).await.unwrap(), "the chains alone still look intact");
    assert!(!verify(&app, Some(&kept)).await.unwrap(), "the kept checkpoint shows the record was cut short");
}

async fn minutes_and_exports_name_the_latest_checkpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let (doc, articles) = app.charter(&admin, 1).await;
    let proposal = app.proposal(&ana, &doc, &articles[0]).await;
    let path = format!("/api/v1/proposals/{}/ballot", proposal["id"].as_str().unwrap());
    let ballot = app.answer(
        Some(&admin),
        Method::POST,
        &path,
        Some(json!({"majority": "simple", "quorum": 0.0})),
        StatusCode::CREATED,
    );
    let ballot = ballot.await["id"].as_str().unwrap().to_owned();
    app.answer(Some(&admin), Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None, StatusCode::OK).await;
    let minutes_path = format!("/api/v1/ballots/{ballot}/minutes");
    let before = app.answer(Some(&ana), Method::GET, &minutes_path, None, StatusCode::OK).await;
    assert_eq!(before["checkpoint"], Value::Null, "no checkpoint yet");

    let made = make(&app, &admin, StatusCode::CREATED).await;
    let digest = made["digest"].as_str().unwrap();
    let minutes = app.answer(Some(&ana), Method::GET, &minutes_path, None, StatusCode::OK).await;
    assert_eq!(minutes["checkpoint"]["digest"], digest);
    let markdown = app.text(&ana, &format!("{minutes_path}?format=markdown")).await;
    assert!(markdown.contains(&format!("Último punto de control firmado del registro: `{digest}`")), "{markdown}");
    let html = app.text(&ana, &format!("/api/v1/documents/{doc}/export?format=html")).await;
    assert!(html.contains(digest), "{html}");
    let exported = app.as_user(&ana, Method::GET, &format!("/api/v1/documents/{doc}/export")).send().await.unwrap();
    assert_eq!(exported.headers()["x-minga-checkpoint"], digest);
}

async fn nodes_signing_the_same_heads_keep_one_checkpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    app.charter(&admin, 1).await;
    let key = app.state.checkpoint_key.clone();
    let (a, b) = tokio::join!(
        minga::checkpointer::checkpoint_now(app.store().as_ref(), &key),
        minga::checkpointer::checkpoint_now(app.store().as_ref(), &key)
    );
    assert_eq!(a.unwrap().unwrap().id, b.unwrap().unwrap().id, "one checkpoint for one moment");
    let all = app.answer(Some(&admin), Method::GET, "/api/v1/checkpoints", None, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
}
