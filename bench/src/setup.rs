//! A Minga server ready to benchmark: the first secretariat account (from
//! `minga invite`, as an operator creates it), a document and proposals.

use anyhow::{bail, Context};
use serde_json::{json, Value};
use tokio::process::Command;

use crate::servers::{minga_binary, minga_env, Server};

const PASSWORD: &str = "bench-password-0123456789";

/// A signed-in secretariat on one Minga server.
#[derive(Clone)]
pub struct Session {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
    document: Option<String>,
}

/// Creates the secretariat account with `minga invite` and accepts it.
pub async fn sign_up(server: &Server, database_url: &str) -> anyhow::Result<Session> {
    let mut command = Command::new(minga_binary());
    command.args(["invite", "--email", "bench@example.org", "--organization", "Bench", "--role", "secretariat"]);
    minga_env(&mut command, database_url, server.port, server.port);
    let output = command.output().await.context("running minga invite")?;
    if !output.status.success() {
        bail!("minga invite failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let invitation = stdout
        .lines()
        .find(|line| line.starts_with("http"))
        .and_then(|url| url.trim().rsplit('/').next())
        .context("minga invite printed no link")?
        .to_owned();
    let http = reqwest::Client::new();
    let accepted: Value = http
        .post(format!("{}/api/v1/invitations/{invitation}/accept", server.base()))
        .json(&json!({"display_name": "Bench", "password": PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = accepted["token"].as_str().context("no token in the accept answer")?.to_owned();
    Ok(Session { base: server.base(), token, http, document: None })
}

impl Session {
    /// The same account on another node of the same database.
    pub fn on(&self, server: &Server) -> Session {
        Session { base: server.base(), ..self.clone() }
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let answer =
            self.http.post(format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token).json(&body).send().await?;
        if !answer.status().is_success() {
            bail!("POST {path}: {} {}", answer.status(), answer.text().await.unwrap_or_default());
        }
        Ok(answer.json().await?)
    }

    /// A new `general` proposal (on a document created the first time).
    pub async fn proposal(&mut self, title: &str) -> anyhow::Result<String> {
        let document = match &self.document {
            Some(id) => id.clone(),
            None => {
                let created = self.post("/documents", json!({"title": "Bench charter"})).await?;
                let id = created["id"].as_str().context("no document id")?.to_owned();
                self.document = Some(id.clone());
                id
            }
        };
        let proposal = self
            .post(
                &format!("/documents/{document}/proposals"),
                json!({"kind": "general", "title": title, "body": "", "rationale": "benchmark"}),
            )
            .await?;
        Ok(proposal["id"].as_str().context("no proposal id")?.to_owned())
    }

    /// Posts one comment with `client` (one per writer keeps its connection).
    pub async fn comment(&self, client: &reqwest::Client, proposal: &str, body: String) -> anyhow::Result<()> {
        let answer = client
            .post(format!("{}/api/v1/proposals/{proposal}/comments", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "body": body }))
            .send()
            .await?;
        if answer.status() != reqwest::StatusCode::CREATED {
            bail!("comment: {} {}", answer.status(), answer.text().await.unwrap_or_default());
        }
        Ok(())
    }

    pub fn ws_url(&self) -> String {
        format!("{}/api/v1/ws", self.base.replacen("http://", "ws://", 1))
    }
}
