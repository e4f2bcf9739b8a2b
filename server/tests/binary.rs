//! The `minga` binary as an operator uses it: first run on SQLite and on
//! PostgreSQL (invite -> accept -> login -> /me), graceful shutdown, the
//! operator commands, refusals at start, and no secrets in the logs.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{accept_invitation, drop_database, free_port, minga, postgres_database, run, Dir, Server, PASSWORD};
use serde_json::{json, Value};

/// The whole first run: the hint, `minga invite`, accepting, signing in,
/// `/me`, signing out everywhere, SIGTERM; then no secret in any log line.
async fn first_run(dir: &Path, env: &[(&str, &str)]) {
    let mut server = Server::start(dir, env);
    server.wait_ready().await;
    assert!(server.log_text().contains("minga invite --email"), "the log tells how to create the first account");

    let invite = run(minga(dir, env).args([
        "invite",
        "--email",
        "coordinacion@foro.ec",
        "--organization",
        "Secretaría Técnica del Foro",
        "--role",
        "secretariat",
    ]));
    let printed = String::from_utf8_lossy(&invite.stdout).to_string();
    assert!(invite.status.success(), "invite failed: {printed} {}", String::from_utf8_lossy(&invite.stderr));
    let url = printed.lines().find(|line| line.starts_with("http")).expect("the invitation URL is printed").trim();
    let public = env.iter().find(|(k, _)| *k == "MINGA_PUBLIC_URL").map_or("http://localhost:8080", |(_, v)| *v);
    assert!(url.starts_with(&format!("{public}/invitations/")), "{url}");
    let invitation_token = url.rsplit('/').next().expect("token").to_owned();

    let client = reqwest::Client::new();
    let accepted = client
        .post(format!("{}/api/v1/invitations/{invitation_token}/accept", server.base))
        .json(&json!({"display_name": "Coordinación", "password": PASSWORD}))
        .send()
        .await
        .expect("accept");
    assert_eq!(accepted.status(), 201);
    let login: Value = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"email": "coordinacion@foro.ec", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let session_token = login["token"].as_str().expect("token").to_owned();
    let me: Value = client
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&session_token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "secretariat");
    assert_eq!(me["organization"]["name"], "Secretaría Técnica del Foro");
    assert_eq!(me["organization"]["kind"], "member");
    // Running `invite` again for the same organization reuses it.
    let again = run(minga(dir, env).args([
        "invite",
        "--email",
        "otra@foro.ec",
        "--organization",
        "secretaría técnica del foro",
    ]));
    assert!(again.status.success());
    let logout = client
        .post(format!("{}/api/v1/auth/logout-all", server.base))
        .bearer_auth(&session_token)
        .send()
        .await
        .expect("logout-all");
    assert_eq!(logout.status(), 204);

    let status = server.terminate();
    assert!(status.success(), "SIGTERM must end minga with exit 0, got {status}");
    let log = server.log_text();
    assert!(log.contains("shutting down"), "{log}");
    for secret in [PASSWORD, &session_token, &invitation_token] {
        assert!(!log.contains(secret), "a secret appeared in the log");
        assert!(!printed.replace(url, "").contains(secret) || secret == invitation_token.as_str());
    }
    let jwt_secret = env.iter().find(|(k, _)| *k == "MINGA_JWT_SECRET").map(|(_, v)| *v);
    if let Some(secret) = jwt_secret {
        assert!(!log.contains(secret), "the JWT secret appeared in the log");
    }
}

#[tokio::test]
async fn first_run_on_sqlite_with_no_configuration() {
    let dir = Dir::new();
    first_run(&dir.0, &[("MINGA_PUBLIC_URL", "http://localhost:8080")]).await;
    assert!(dir.0.join("data/minga.db").exists(), "the default database is created in ./data");
}

#[tokio::test]
async fn first_run_on_postgres_with_json_logs() {
    let dir = Dir::new();
    let (url, name) = postgres_database().await;
    let secret = "a-configured-secret-of-more-than-32-bytes";
    let env = [
        ("MINGA_DATABASE_URL", url.as_str()),
        ("MINGA_PUBLIC_URL", "https://minga.example.org"),
        ("MINGA_JWT_SECRET", secret),
        ("MINGA_LOG_FORMAT", "json"),
    ];
    first_run(&dir.0, &env).await;
    assert!(!dir.0.join("data").exists(), "PostgreSQL leaves no SQLite file behind");
    let log = std::fs::read_dir(&dir.0)
        .expect("dir")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| std::fs::read_to_string(e.path()).expect("log"))
        .expect("log file");
    let request_line = log
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["span"]["route"] == "/api/v1/me")
        .expect("a JSON log line for /api/v1/me, with the matched route");
    assert!(request_line["span"]["request_id"].is_string(), "{request_line}");
    drop_database(&name).await;
}

#[tokio::test]
async fn shutdown_closes_websockets_with_going_away() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let dir = Dir::new();
    let mut server = Server::start(&dir.0, &[]);
    server.wait_ready().await;
    let invite = run(minga(&dir.0, &[]).args(["invite", "--email", "s@foro.ec", "--organization", "Foro"]));
    let printed = String::from_utf8_lossy(&invite.stdout).to_string();
    let url = printed.lines().find(|line| line.starts_with("http")).expect("url").trim().to_owned();
    let token = url.rsplit('/').next().expect("token").to_owned();
    let session = accept_invitation(&server.base, &token, "S").await;
    let mut request =
        format!("{}/api/v1/ws", server.base.replace("http://", "ws://")).into_client_request().expect("request");
    let bearer = format!("Bearer {}", session.token);
    request.headers_mut().insert("authorization", bearer.parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("websocket");
    let status = server.terminate();
    assert!(status.success(), "exit 0 after SIGTERM, got {status}");
    let mut code = None;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Close(frame) = message {
            code = frame.map(|f| u16::from(f.code));
            break;
        }
    }
    assert_eq!(code, Some(1001), "the socket was closed with going-away");
}

#[tokio::test]
async fn short_jwt_secret_is_refused_at_start() {
    let dir = Dir::new();
    let output = run(minga(&dir.0, &[("MINGA_JWT_SECRET", "too-short")]).arg("serve"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("MINGA_JWT_SECRET") && stderr.contains("at least 32"), "{stderr}");
    assert!(!stderr.contains("too-short"), "the refused secret is not echoed");
}

#[tokio::test]
async fn migrate_and_healthcheck() {
    let dir = Dir::new();
    let migrate = run(minga(&dir.0, &[]).arg("migrate"));
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(dir.0.join("data/minga.db").exists());
    let nobody = format!("127.0.0.1:{}", free_port());
    let down = run(minga(&dir.0, &[("MINGA_BIND", &nobody)]).arg("healthcheck"));
    assert!(!down.status.success(), "healthcheck fails when nothing answers");
    let mut server = Server::start(&dir.0, &[]);
    server.wait_ready().await;
    let bind = server.base.trim_start_matches("http://").to_owned();
    let up = run(minga(&dir.0, &[("MINGA_BIND", &bind)]).arg("healthcheck"));
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    assert!(server.terminate().success());
}

#[tokio::test]
async fn readiness_turns_503_when_the_database_goes_away() {
    let dir = Dir::new();
    let (url, name) = postgres_database().await;
    let mut server = Server::start(&dir.0, &[("MINGA_DATABASE_URL", url.as_str())]);
    server.wait_ready().await;
    drop_database(&name).await;
    let started = Instant::now();
    let response = reqwest::get(format!("{}/readyz", server.base)).await.expect("readyz");
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(5), "answered promptly");
    let problem: Value = response.json().await.expect("problem");
    assert_eq!(problem["code"], "unavailable");
    let health = reqwest::get(format!("{}/healthz", server.base)).await.expect("healthz");
    assert_eq!(health.status(), 200, "the process itself is still up");
    assert!(server.terminate().success());
}
