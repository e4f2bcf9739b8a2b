//! The server's log never holds a secret: `minga serve` (with RUST_LOG=debug,
//! in text and in JSON) is driven through every path a secret travels —
//! the invitation token in URLs, passwords (right and wrong, in good and
//! broken bodies), JWTs as Bearer header, cookie and query parameter, the
//! websocket upgrade, signing out everywhere — and its log is then searched
//! for each of them. `minga invite` prints the invitation link on stdout by
//! design; its stderr is a log and is searched too.

mod common;

use std::path::Path;

use common::{drop_database, minga, postgres_database, run, Dir, Server};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const JWT_SECRET: &str = "jwt-secret-for-the-log-test-4f9c2a7e1b";
const PUBLIC_URL: &str = "http://localhost:8080";
const PASSWORD: &str = "Clave-Correcta-Rosa-90417";
/// Wrong passwords are often near misses of the right one: secret too.
const WRONG: [&str; 4] =
    ["Clave-Incorrecta-Rosa-90418", "Typo-De-Clave-Rosa-3321", "Clave-En-Cuerpo-Roto-5512", "Clave-Mal-Tipada-7781"];

/// What the run handed out, to be looked for in the log afterwards.
struct Secrets {
    invitation: String,
    jwts: Vec<String>,
}

async fn send(request: reqwest::RequestBuilder) -> Response {
    request.send().await.expect("request")
}

async fn expect(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A websocket upgrade with these headers; `Ok` when it was accepted.
async fn websocket(base: &str, query: &str, headers: &[(&'static str, String)]) -> Result<(), u16> {
    let url = format!("{}/api/v1/ws{query}", base.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("request");
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().expect("header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, _)) => {
            socket.send(Message::text(r#"{"type":"ping","id":1}"#)).await.expect("send");
            let pong = socket.next().await.expect("an answer").expect("a frame");
            assert!(pong.to_text().expect("text").contains("pong"), "{pong:?}");
            let _ = socket.close(None).await;
            Ok(())
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(err) => panic!("websocket: {err}"),
    }
}

/// Everything a person and a careless client do with secrets.
async fn drive(dir: &Path, env: &[(&str, &str)], base: &str) -> Secrets {
    let invite = run(minga(dir, env).args([
        "invite",
        "--email",
        "rosa@foro.ec",
        "--organization",
        "Foro",
        "--role",
        "secretariat",
    ]));
    let printed = String::from_utf8_lossy(&invite.stdout).to_string();
    assert!(invite.status.success(), "{printed}{}", String::from_utf8_lossy(&invite.stderr));
    let link = printed.lines().find(|line| line.starts_with("http")).expect("the link is printed").trim();
    let invitation = link.rsplit('/').next().expect("token").to_owned();
    let invite_log = String::from_utf8_lossy(&invite.stderr);
    assert!(!invite_log.contains(&invitation), "`minga invite` logged the token on stderr: {invite_log}");

    let client = Client::new();
    let url = |path: &str| format!("{base}{path}");
    let login = |email: &str, password: &str| {
        client.post(url("/api/v1/auth/login")).json(&json!({"email": email, "password": password}))
    };
    // The invitation token in paths: viewed, accepted with a password
    // refused (too short), from a foreign site, then for real; a path the
    // router does not know; then used up.
    let accept = url(&format!("/api/v1/invitations/{invitation}/accept"));
    expect(send(client.get(url(&format!("/api/v1/invitations/{invitation}")))).await, 200).await;
    expect(send(client.post(&accept).json(&json!({"display_name": "Rosa", "password": "Corta-1"}))).await, 422).await;
    let foreign = client.post(&accept).header("origin", "http://evil.example");
    expect(send(foreign.json(&json!({"display_name": "Rosa", "password": PASSWORD}))).await, 403).await;
    let accepted =
        expect(send(client.post(&accept).json(&json!({"display_name": "Rosa", "password": PASSWORD}))).await, 201)
            .await;
    expect(send(client.get(url(&format!("/api/v1/invitations/{invitation}/extra")))).await, 404).await;
    expect(send(client.post(&accept).json(&json!({"display_name": "Rosa", "password": PASSWORD}))).await, 410).await;

    // Failed sign-ins: wrong passwords, an unknown account, broken bodies.
    expect(send(login("rosa@foro.ec", WRONG[0])).await, 401).await;
    expect(send(login("nadie@foro.ec", WRONG[1])).await, 401).await;
    let broken = format!(r#"{{"email":"rosa@foro.ec","password":"{}""#, WRONG[2]);
    let broken = client.post(url("/api/v1/auth/login")).header("content-type", "application/json").body(broken);
    expect(send(broken).await, 400).await;
    let mistyped = json!({"email": ["rosa@foro.ec"], "password": WRONG[3]});
    expect(send(client.post(url("/api/v1/auth/login")).json(&mistyped)).await, 422).await;
    let session = expect(send(login("rosa@foro.ec", PASSWORD)).await, 200).await;
    let jwt = session["token"].as_str().expect("token").to_owned();

    // The token as Bearer header, as cookie (read, and write with our
    // Origin), in a query string (not an accepted way: refused), and forged.
    expect(send(client.get(url("/api/v1/me")).bearer_auth(&jwt)).await, 200).await;
    let cookie = format!("minga_session={jwt}");
    expect(send(client.get(url("/api/v1/me")).header("cookie", &cookie)).await, 200).await;
    let write = client.post(url("/api/v1/documents")).header("cookie", &cookie).header("origin", PUBLIC_URL);
    expect(send(write.json(&json!({"title": "Estatuto"}))).await, 201).await;
    expect(send(client.get(url(&format!("/api/v1/me?token={jwt}")))).await, 401).await;
    let forged = format!("{}x", &jwt[..jwt.len() - 1]);
    expect(send(client.get(url("/api/v1/me")).bearer_auth(&forged)).await, 401).await;
    expect(send(client.request(Method::GET, url(&format!("/api/v1/no-such/{jwt}")))).await, 404).await;

    // The websocket: Bearer, cookie with our Origin, and the token in the query.
    websocket(base, "", &[("authorization", format!("Bearer {jwt}"))]).await.expect("Bearer upgrade");
    websocket(base, "", &[("cookie", cookie.clone()), ("origin", PUBLIC_URL.to_owned())])
        .await
        .expect("cookie upgrade");
    assert_eq!(websocket(base, &format!("?token={jwt}"), &[]).await, Err(401), "no token in the query");

    // Signing out everywhere; the old tokens are then refused.
    expect(send(client.post(url("/api/v1/auth/logout-all")).bearer_auth(&jwt)).await, 204).await;
    expect(send(client.get(url("/api/v1/me")).header("cookie", &cookie)).await, 401).await;
    let first = accepted["token"].as_str().expect("token").to_owned();
    Secrets { invitation, jwts: vec![first, jwt] }
}

async fn logs_hold_no_secret(env: &[(&str, &str)]) {
    let dir = Dir::new();
    let mut env = env.to_vec();
    env.extend([("MINGA_JWT_SECRET", JWT_SECRET), ("MINGA_PUBLIC_URL", PUBLIC_URL)]);
    let mut server = Server::start(&dir.0, &env);
    server.wait_ready().await;
    let secrets = drive(&dir.0, &env, &server.base).await;
    assert!(server.terminate().success());
    let log = server.log_text();

    // Not vacuous: the requests above were logged, with their routes, at debug.
    for expected in
        ["/api/v1/auth/login", "/api/v1/invitations/{token}/accept", "/api/v1/ws", "/api/v1/me", "invitation accepted"]
    {
        assert!(log.contains(expected), "the log lacks {expected:?}:\n{log}");
    }
    assert!(log.lines().count() > 50, "a debug log of all that is long:\n{log}");
    assert!(log.contains("DEBUG") || log.contains(r#""level":"DEBUG""#), "RUST_LOG=debug took effect");

    let mut secret_list: Vec<(&str, String)> = vec![
        ("the password", PASSWORD.to_owned()),
        ("the invitation token", secrets.invitation.clone()),
        ("the JWT secret", JWT_SECRET.to_owned()),
    ];
    secret_list.extend(WRONG.iter().map(|wrong| ("a wrong password", (*wrong).to_owned())));
    for jwt in &secrets.jwts {
        let signature = jwt.rsplit('.').next().expect("signature");
        assert!(signature.len() >= 40, "{jwt}");
        secret_list.push(("a JWT", jwt.clone()));
        secret_list.push(("a JWT's signature", signature.to_owned()));
    }
    eprintln!("log: {} lines, {} bytes; {} secrets looked for", log.lines().count(), log.len(), secret_list.len());
    if std::env::var_os("MINGA_SHOW_LOG").is_some() {
        eprintln!("{log}");
    }
    for (what, secret) in &secret_list {
        // The whole secret, and enough of it to matter (a cut log line).
        let head: String = secret.chars().take(16).collect();
        let line = log.lines().find(|line| line.contains(secret.as_str()) || line.contains(&head));
        assert!(line.is_none(), "{what} is in the log: {line:?}");
    }
}

#[tokio::test]
async fn text_logs_on_sqlite_hold_no_secret() {
    logs_hold_no_secret(&[]).await;
}

#[tokio::test]
async fn json_logs_on_postgres_hold_no_secret() {
    let (url, name) = postgres_database().await;
    logs_hold_no_secret(&[("MINGA_DATABASE_URL", url.as_str()), ("MINGA_LOG_FORMAT", "json")]).await;
    drop_database(&name).await;
}
