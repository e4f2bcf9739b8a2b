//! Ballot deadlines across processes: two `minga` nodes on one PostgreSQL
//! close a ballot exactly once, and a deadline that passed while the server
//! was down is honoured at start-up.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{drop_database, postgres_database, secretariat, Api, Dir, Server};
use serde_json::{json, Value};

/// A general motion put to a ballot that closes in `seconds`; returns (proposal, ballot).
async fn ballot_closing_in(api: &Api, base: &str, seconds: i64) -> (String, String, String) {
    use reqwest::Method;
    let document = api.call(base, Method::POST, "/api/v1/documents", Some(json!({"title": "Estatuto"}))).await;
    let document = document["id"].as_str().expect("id").to_owned();
    let motion = json!({"kind": "general", "title": "Moción", "body": "Que la asamblea sesione en Quito."});
    let proposal = api.call(base, Method::POST, &format!("/api/v1/documents/{document}/proposals"), Some(motion)).await;
    let proposal = proposal["id"].as_str().expect("id").to_owned();
    let closes_at = (Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339();
    let settings =
        json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false, "closes_at": closes_at});
    let ballot = api.call(base, Method::POST, &format!("/api/v1/proposals/{proposal}/ballot"), Some(settings)).await;
    let ballot_id = ballot["id"].as_str().expect("id").to_owned();
    api.call(base, Method::PUT, &format!("/api/v1/ballots/{ballot_id}/vote"), Some(json!({"choice": "yes"}))).await;
    (proposal, ballot_id, closes_at)
}

async fn wait_closed(api: &Api, base: &str, ballot: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let view = api.call(base, reqwest::Method::GET, &format!("/api/v1/ballots/{ballot}"), None).await;
        if view["status"] == "closed" {
            return view;
        }
        assert!(Instant::now() < deadline, "the ballot was not closed in time: {view}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn closed_events(api: &Api, base: &str, proposal: &str) -> usize {
    let events = api
        .call(base, reqwest::Method::GET, &format!("/api/v1/events?topic=proposal:{proposal}&limit=1000"), None)
        .await;
    events.as_array().expect("events").iter().filter(|e| e["kind"] == "ballot.closed").count()
}

#[tokio::test]
async fn two_nodes_close_a_ballot_exactly_once() {
    let dir = Dir::new();
    let (url, name) = postgres_database().await;
    let env = [("MINGA_DATABASE_URL", url.as_str()), ("MINGA_JWT_SECRET", "a-shared-secret-for-both-nodes-of-minga")];
    let mut a = Server::start(&dir.0, &env);
    a.wait_ready().await;
    let mut b = Server::start(&dir.0, &env);
    b.wait_ready().await;
    let api = secretariat(&dir.0, &env, &a.base).await;
    for _ in 0..3 {
        let (proposal, ballot, _) = ballot_closing_in(&api, &a.base, 2).await;
        let view = wait_closed(&api, &b.base, &ballot, Duration::from_secs(15)).await;
        assert_eq!(view["result"]["passed"], true);
        // Give the other node's closer time to try as well.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(closed_events(&api, &a.base, &proposal).await, 1, "closed exactly once");
        let proposal_view =
            api.call(&b.base, reqwest::Method::GET, &format!("/api/v1/proposals/{proposal}"), None).await;
        assert_eq!(proposal_view["status"], "passed");
    }
    assert!(a.terminate().success() && b.terminate().success());
    drop_database(&name).await;
}

async fn deadline_passes_while_down(env: &[(&str, &str)], dir: &Path) {
    let mut server = Server::start(dir, env);
    server.wait_ready().await;
    let api = secretariat(dir, env, &server.base).await;
    let (proposal, ballot, closes_at) = ballot_closing_in(&api, &server.base, 3).await;
    assert!(server.terminate().success());
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut again = Server::start(dir, env);
    again.wait_ready().await;
    let view = wait_closed(&api, &again.base, &ballot, Duration::from_secs(5)).await;
    let closed_at: chrono::DateTime<Utc> = view["closed_at"].as_str().expect("closed_at").parse().expect("time");
    let deadline: chrono::DateTime<Utc> = closes_at.parse().expect("time");
    // PostgreSQL keeps microseconds: compare to the millisecond.
    assert!(
        (closed_at - deadline).num_milliseconds().abs() < 1,
        "closed as of its deadline ({deadline}), not {closed_at}"
    );
    assert_eq!(closed_events(&api, &again.base, &proposal).await, 1);
    assert!(again.terminate().success());
}

#[tokio::test]
async fn a_deadline_that_passed_while_down_closes_at_start_up_on_sqlite() {
    let dir = Dir::new();
    deadline_passes_while_down(&[("MINGA_JWT_SECRET", "a-secret-kept-across-the-restart-000")], &dir.0).await;
}

#[tokio::test]
async fn a_deadline_that_passed_while_down_closes_at_start_up_on_postgres() {
    let dir = Dir::new();
    let (url, name) = postgres_database().await;
    deadline_passes_while_down(&[("MINGA_DATABASE_URL", url.as_str())], &dir.0).await;
    drop_database(&name).await;
}
