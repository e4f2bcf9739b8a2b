//! The harness for Minga's end-to-end suites: a real server on a real socket,
//! over a fresh database per test, on SQLite and on PostgreSQL alike.
//!
//! PostgreSQL is reached through `MINGA_TEST_DATABASE_URL` (or `DATABASE_URL`,
//! else `postgres://postgres@127.0.0.1:5432/postgres`): an admin connection
//! used to create and drop one database per test. `scripts/test` provides one.

use std::sync::Arc;

use minga::config::Cli;
use minga::state::AppState;
use minga::store::Store;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

pub mod db;
pub mod smtp;
pub mod tables;
pub mod ws;

pub use db::{Backend, TestDb};

/// Runs each listed `async fn name(backend: Backend)` as two tests,
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

/// The public origin the test servers are configured with; requests that
/// must pass the CSRF check send it as their Origin.
pub const PUBLIC_URL: &str = "http://minga.test";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "una contraseña larga";

/// A Minga server listening on a free local port, stopped when dropped.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    /// Shared, so a test can start another server on the same database
    /// (`spawn_on`): a restart.
    pub db: Arc<TestDb>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A signed-in account: its token and its user as `/me` shows it.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user: Value,
}

impl Session {
    pub fn id(&self) -> &str {
        self.user["id"].as_str().unwrap_or_default()
    }
}

/// The settings of a test server, with `extra` flags. The write allowance
/// is lifted unless a test sets it: the suites post in bursts. The public URL
/// is `PUBLIC_URL` unless a test sets another (clap refuses a flag twice).
pub fn settings_for(database_url: &str, extra: &[&str]) -> minga::config::Settings {
    use clap::Parser;
    let mut args = vec!["minga", "--database-url", database_url, "--jwt-secret", JWT_SECRET];
    if !extra.contains(&"--public-url") {
        args.extend(["--public-url", PUBLIC_URL]);
    }
    if !extra.contains(&"--writes-per-minute") {
        args.extend(["--writes-per-minute", "1000000"]);
    }
    args.extend_from_slice(extra);
    Cli::parse_from(args).settings
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// A server started with extra command-line settings.
    pub async fn spawn_with(backend: Backend, extra: &[&str]) -> TestApp {
        Self::spawn_on(Arc::new(TestDb::create(backend).await), extra).await
    }

    /// A server on an existing database (the one a stopped server used).
    pub async fn spawn_on(db: Arc<TestDb>, extra: &[&str]) -> TestApp {
        let settings = settings_for(&db.url, extra);
        let state = minga::state::open(&settings).await.expect("open the store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        minga::server::start_tasks(&state).await;
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            let _ = minga::server::serve(listener, serving, shutdown).await;
        });
        TestApp { base, state, client: reqwest::Client::new(), db, stop: Some(stop) }
    }

    /// Stops the server as SIGTERM would and waits until its background
    /// tasks (deadlines, reminders, mail) have been told to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.state.shutdown.cancelled()).await;
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The body of a GET as `who`, as text (Markdown, HTML).
    pub async fn text(&self, who: &Session, path: &str) -> String {
        let response = self.as_user(who, Method::GET, path).send().await.expect("request");
        response.text().await.expect("a text body")
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request carrying `session`'s token as a Bearer header.
    pub fn as_user(&self, session: &Session, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(&session.token)
    }

    /// Creates an invitation straight through the application (as the CLI
    /// does) and returns its token.
    pub async fn invitation(&self, email: &str, organization: &str, kind: &str, role: &str) -> String {
        let org = self.organization(organization, kind).await;
        let role = minga::domain::account::Role::parse(role).expect("role");
        let created = minga::http::invitations::invite(&self.state, email, org.id, role, None).await.expect("invite");
        created.token
    }

    pub async fn organization(&self, name: &str, kind: &str) -> minga::domain::account::Organization {
        let kind = minga::domain::account::OrganizationKind::parse(kind).expect("kind");
        self.store()
            .ensure_organization(minga::store::NewOrganization {
                name: name.to_owned(),
                short_name: name.chars().take(3).collect(),
                kind,
            })
            .await
            .expect("organization")
    }

    /// Invites and accepts: a ready account with the standard password.
    pub async fn account(&self, email: &str, organization: &str, kind: &str, role: &str) -> Session {
        let token = self.invitation(email, organization, kind, role).await;
        let response = self
            .request(Method::POST, &format!("/api/v1/invitations/{token}/accept"))
            .json(&serde_json::json!({"display_name": email.split('@').next(), "password": PASSWORD}))
            .send()
            .await
            .expect("accept");
        let body = expect_status(response, StatusCode::CREATED).await;
        Session { token: body["token"].as_str().expect("token").to_owned(), user: body["user"].clone() }
    }

    pub async fn secretariat(&self) -> Session {
        self.account("secretaria@foro.ec", "Secretaría Técnica", "member", "secretariat").await
    }

    pub async fn delegate(&self, email: &str, organization: &str) -> Session {
        self.account(email, organization, "member", "delegate").await
    }

    pub async fn observer(&self, email: &str, organization: &str) -> Session {
        self.account(email, organization, "observer", "observer").await
    }

    /// A websocket signed in as `session` (Bearer), with our Origin.
    pub async fn ws(&self, session: &Session) -> ws::WsClient {
        let url = format!("{}/api/v1/ws", self.base.replace("http://", "ws://"));
        ws::WsClient::connect(
            &url,
            &[("authorization", format!("Bearer {}", session.token)), ("origin", PUBLIC_URL.to_owned())],
        )
        .await
        .expect("websocket")
    }

    /// A document with `articles` articles under one chapter; returns its id
    /// and the articles' ids.
    pub async fn charter(&self, admin: &Session, articles: usize) -> (String, Vec<String>) {
        let doc = expect_status(
            self.as_user(admin, Method::POST, "/api/v1/documents")
                .json(&serde_json::json!({"title": "Estatuto del Foro"}))
                .send()
                .await
                .expect("create document"),
            StatusCode::CREATED,
        )
        .await;
        let id = doc["id"].as_str().expect("id").to_owned();
        let mut text = String::from("# Estatuto del Foro\n\n## Disposiciones generales\n\n");
        for n in 1..=articles {
            text.push_str(&format!(
                "### Art. {n}.- Artículo {n}\n\nTexto del artículo {n}, que la asamblea discute.\n\n"
            ));
        }
        let imported = expect_status(
            self.as_user(admin, Method::POST, &format!("/api/v1/documents/{id}/import"))
                .header("content-type", "text/markdown")
                .body(text)
                .send()
                .await
                .expect("import"),
            StatusCode::OK,
        )
        .await;
        let articles = imported["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .filter(|s| s["kind"] == "article")
            .map(|s| s["id"].as_str().expect("id").to_owned())
            .collect();
        (id, articles)
    }

    /// An `amend` proposal on `article` by `author`; returns the proposal.
    pub async fn proposal(&self, author: &Session, document: &str, article: &str) -> Value {
        expect_status(
            self.as_user(author, Method::POST, &format!("/api/v1/documents/{document}/proposals"))
                .json(&serde_json::json!({
                    "kind": "amend", "section_id": article, "title": "Reunión semestral",
                    "body": "La asamblea general se reunirá cada seis meses.", "rationale": "Más participación."
                }))
                .send()
                .await
                .expect("create proposal"),
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn comment(&self, author: &Session, proposal: &str, body: &str) -> Value {
        expect_status(
            self.as_user(author, Method::POST, &format!("/api/v1/proposals/{proposal}/comments"))
                .json(&serde_json::json!({"body": body}))
                .send()
                .await
                .expect("comment"),
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.request(Method::POST, "/api/v1/auth/login")
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request")
    }
}

/// The problem `code` API.md pairs with an error status.
pub fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 415 | 422 => "validation",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        410 => "gone",
        413 => "payload_too_large",
        429 => "rate_limited",
        503 => "unavailable",
        other => panic!("no problem code for {other}"),
    }
}

impl TestApp {
    /// Sends `method path` as `who` (anonymous when `None`), with a JSON body when given.
    pub async fn send(&self, who: Option<&Session>, method: Method, path: &str, body: Option<Value>) -> Response {
        let request = match who {
            Some(session) => self.as_user(session, method, path),
            None => self.request(method, path),
        };
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().await.expect("request")
    }

    /// Sends and asserts `status`: a success gives its JSON, an error must be
    /// the problem with the matching code.
    pub async fn answer(
        &self,
        who: Option<&Session>,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: StatusCode,
    ) -> Value {
        let response = self.send(who, method, path, body).await;
        if status.is_success() {
            expect_status(response, status).await
        } else {
            expect_problem(response, status, code_for(status)).await
        }
    }
}

/// Asserts the status and returns the JSON body (Null when empty).
pub async fn expect_status(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

/// Asserts a problem+json answer with this status and `code`.
pub async fn expect_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = expect_status(response, status).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status.as_u16(), "body: {body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "a problem says what went wrong: {body}");
    body
}

/// A discussion to talk in: the secretariat, a delegate (Ana) who proposed an
/// amendment to the second of three articles, and an observer (Beto).
pub struct Thread {
    pub app: TestApp,
    pub admin: Session,
    pub ana: Session,
    pub beto: Session,
    pub proposal: String,
}

pub async fn thread(backend: Backend) -> Thread {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let beto = app.observer("beto@uni.ec", "Universidad Central").await;
    let (document, articles) = app.charter(&admin, 3).await;
    let proposal = app.proposal(&ana, &document, &articles[1]).await["id"].as_str().unwrap_or_default().to_owned();
    Thread { app, admin, ana, beto, proposal }
}
