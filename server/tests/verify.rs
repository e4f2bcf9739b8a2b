//! The tamper-evident record: `minga verify` accepts an intact event log
//! and names the first broken link after a row is edited behind Minga's back.

mod common;

use std::path::Path;

use common::{drop_database, minga, postgres_database, run, secretariat, Dir, Server};
use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

/// Some history: a document, an import, a motion and comments.
async fn write_history(dir: &Path, env: &[(&str, &str)]) -> String {
    let mut server = Server::start(dir, env);
    server.wait_ready().await;
    let api = secretariat(dir, env, &server.base).await;
    let base = server.base.clone();
    let document = api.call(&base, Method::POST, "/api/v1/documents", Some(json!({"title": "Estatuto"}))).await;
    let document = document["id"].as_str().expect("id").to_owned();
    let motion = json!({"kind": "general", "title": "Moción", "body": "Sesionar en Quito."});
    let proposal =
        api.call(&base, Method::POST, &format!("/api/v1/documents/{document}/proposals"), Some(motion)).await;
    let proposal = proposal["id"].as_str().expect("id").to_owned();
    for n in 0..3 {
        let path = format!("/api/v1/proposals/{proposal}/comments");
        api.call(&base, Method::POST, &path, Some(json!({"body": format!("comentario {n}")}))).await;
    }
    assert!(server.terminate().success());
    format!("proposal:{proposal}")
}

fn verify(dir: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let output = run(minga(dir, env).arg("verify"));
    (output.status.success(), String::from_utf8_lossy(&output.stdout).to_string())
}

const TAMPER: &str = "UPDATE events SET data = '{\"comment\":{\"body\":\"otro texto\"}}' WHERE topic = $1 AND seq = 3";

#[tokio::test]
async fn verify_catches_an_edited_event_on_sqlite() {
    let dir = Dir::new();
    let env = [("MINGA_JWT_SECRET", "a-secret-for-the-verify-test-000000")];
    let topic = write_history(&dir.0, &env).await;
    let (ok, printed) = verify(&dir.0, &env);
    assert!(ok, "an intact log verifies: {printed}");
    assert!(printed.contains("intact"), "{printed}");
    let url = format!("sqlite://{}/data/minga.db", dir.0.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
    sqlx::query(TAMPER).bind(&topic).execute(&mut conn).await.expect("tamper");
    conn.close().await.expect("close");
    let (ok, printed) = verify(&dir.0, &env);
    assert!(!ok, "a tampered log fails: {printed}");
    assert!(printed.contains(&format!("topic {topic} at seq 3")), "{printed}");
}

#[tokio::test]
async fn verify_catches_an_edited_or_removed_event_on_postgres() {
    let dir = Dir::new();
    let (url, name) = postgres_database().await;
    let env = [("MINGA_DATABASE_URL", url.as_str())];
    let topic = write_history(&dir.0, &env).await;
    let (ok, printed) = verify(&dir.0, &env);
    assert!(ok, "{printed}");
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("postgres");
    sqlx::query("DELETE FROM events WHERE topic = $1 AND seq = (SELECT MAX(seq) FROM events WHERE topic = $1)")
        .bind(&topic)
        .execute(&mut conn)
        .await
        .expect("remove the last event");
    let (ok, printed) = verify(&dir.0, &env);
    assert!(!ok && printed.contains(&format!("topic {topic}")), "a removed tail is caught: {printed}");
    sqlx::query(TAMPER).bind(&topic).execute(&mut conn).await.expect("tamper");
    let (ok, printed) = verify(&dir.0, &env);
    assert!(!ok && printed.contains(&format!("topic {topic} at seq 3")), "{printed}");
    conn.close().await.expect("close");
    drop_database(&name).await;
}
