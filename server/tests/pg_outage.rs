//! PostgreSQL stops under a running `minga serve`: the API answers 503
//! `unavailable` promptly (never a 500 or a hang) while `/healthz` stays up;
//! when PostgreSQL is back the same process serves again, a deadline that
//! passed meanwhile is honoured, and a websocket follower resumes from its
//! last seq with nothing missed or duplicated. The test runs its own
//! throwaway cluster: the shared one is never stopped.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::ws::WsClient;
use common::{create, secretariat, Api, Cluster, Dir, Server};
use reqwest::Method;
use serde_json::{json, Value};

/// How long any answer may take while the database is down.
const PROMPT: Duration = Duration::from_secs(5);

/// Sends a request and returns (status, content type, body, how long it took).
async fn timed(api: &Api, method: Method, url: &str, body: Option<Value>) -> (u16, String, Value, Duration) {
    let started = Instant::now();
    let mut request = api.client.request(method, url).bearer_auth(&api.token).timeout(Duration::from_secs(60));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap_or_else(|err| panic!("{url}: no answer: {err}"));
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body, started.elapsed())
}

/// Posts comments one after another until told to stop; every answer must be
/// 201 or 503. Keeps the acknowledged (id, body) pairs and the refused bodies.
#[derive(Clone, Default)]
struct Writer {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<(String, String)>>>,
    refused: Arc<Mutex<Vec<String>>>,
}

impl Writer {
    async fn run(self, token: String, url: String) {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client");
        for n in 0.. {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let body = format!("mientras se detiene {n}");
            let started = Instant::now();
            let response = client.post(&url).bearer_auth(&token).json(&json!({"body": body})).send().await;
            let response = response.unwrap_or_else(|err| panic!("a write got no answer: {err}"));
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            match status {
                201 => self.acked.lock().expect("lock").push((answer["id"].as_str().expect("id").to_owned(), body)),
                503 if answer["code"] == "unavailable" => self.refused.lock().expect("lock").push(body),
                _ => panic!("a write as PostgreSQL stopped answered {status}: {answer}"),
            }
            assert!(started.elapsed() < PROMPT, "a write as PostgreSQL stopped took {:?}", started.elapsed());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopping_answers_503_and_minga_recovers_when_it_returns() {
    let started = Instant::now();
    let cluster = Cluster::start_new();
    let dir = Dir::new();
    let url = cluster.url();
    let env = [
        ("MINGA_DATABASE_URL", url.as_str()),
        ("MINGA_JWT_SECRET", "a-secret-for-the-postgres-outage-000"),
        ("MINGA_WRITES_PER_MINUTE", "1000000"),
    ];
    let mut server = Server::start(&dir.0, &env);
    server.wait_ready().await;
    let base = server.base.clone();
    let api = secretariat(&dir.0, &env, &base).await;
    let document = create(&api, &base, "/api/v1/documents", json!({"title": "Estatuto"})).await;
    let motion = |title: &str| json!({"kind": "general", "title": title, "body": "Que la asamblea sesione en Quito."});
    let proposals = format!("/api/v1/documents/{document}/proposals");
    let proposal = create(&api, &base, &proposals, motion("Sede")).await;
    let comments = format!("/api/v1/proposals/{proposal}/comments");
    for n in 0..3 {
        create(&api, &base, &comments, json!({"body": format!("antes del corte {n}")})).await;
    }
    let topic = format!("proposal:{proposal}");
    let mut follower = WsClient::signed_in(&base, &api.token).await.expect("websocket");
    let (replayed, last_seq) = follower.subscribe(&topic, None).await;
    assert_eq!(replayed.len() as i64, last_seq);
    assert!(last_seq >= 4, "proposal.created and three comments: {last_seq}");
    // A ballot whose deadline passes while the database is down.
    let timed_motion = create(&api, &base, &proposals, motion("Plazo")).await;
    let closes_at = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let settings =
        json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false, "closes_at": closes_at});
    let ballot = create(&api, &base, &format!("/api/v1/proposals/{timed_motion}/ballot"), settings).await;

    // A writer keeps posting while PostgreSQL stops under it.
    let busy = create(&api, &base, &proposals, motion("Escritura")).await;
    let busy_comments = format!("/api/v1/proposals/{busy}/comments");
    let writer = Writer::default();
    let writing = tokio::spawn(writer.clone().run(api.token.clone(), format!("{base}{busy_comments}")));
    let deadline = Instant::now() + Duration::from_secs(30);
    while writer.acked.lock().expect("lock").len() < 10 {
        assert!(Instant::now() < deadline && !writing.is_finished(), "the writer did not get going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let stopping = Instant::now();
    tokio::task::block_in_place(|| cluster.stop());
    let down_at = Instant::now();
    let stop_took = down_at - stopping;
    let probes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("{base}/api/v1/proposals/{proposal}"), None),
        (Method::GET, format!("{base}{comments}"), None),
        (Method::GET, format!("{base}/api/v1/events?topic={topic}"), None),
        (Method::POST, format!("{base}{comments}"), Some(json!({"body": "durante el corte"}))),
        (Method::PUT, format!("{base}/api/v1/ballots/{ballot}/vote"), Some(json!({"choice": "yes"}))),
        (Method::GET, format!("{base}/api/v1/me"), None),
        (Method::GET, format!("{base}/readyz"), None),
    ];
    let mut slowest = Duration::ZERO;
    let mut answered = 0;
    // Twice, all at once: first on the pool's dead connections, then on fresh attempts.
    for _ in 0..2 {
        let round = probes.iter().map(|(method, url, body)| timed(&api, method.clone(), url, body.clone()));
        let answers = futures_util::future::join_all(round).await;
        for ((method, url, _), (status, content_type, body, took)) in probes.iter().zip(answers) {
            assert_eq!(status, 503, "{method} {url} while PostgreSQL is down: {body}");
            assert_eq!(content_type, "application/problem+json", "{method} {url}");
            assert_eq!(body["code"], "unavailable", "{method} {url}: {body}");
            assert!(took < PROMPT, "{method} {url} took {took:?} to answer 503");
            slowest = slowest.max(took);
            answered += 1;
        }
    }
    writer.stop.store(true, Ordering::SeqCst);
    tokio::time::timeout(Duration::from_secs(30), writing).await.expect("the writer ends").expect("writer");
    let (status, _, body, took) = timed(&api, Method::GET, &format!("{base}/healthz"), None).await;
    assert!(status == 200 && body["status"] == "ok" && took < PROMPT, "/healthz stays up: {status} {body} {took:?}");
    // A new websocket needs the database to check the session: refused with 503.
    match WsClient::signed_in(&base, &api.token).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("a websocket opened while PostgreSQL is down: {:?}", other.map(|_| ())),
    }
    // The open one stays up and answers a ping, even if the database cannot.
    follower.send(json!({"type": "ping", "id": 1})).await;
    let follower_alive = loop {
        match follower.next_within(PROMPT).await {
            Some(message) if message["type"] == "pong" => break true,
            Some(_) => continue,
            None => break false,
        }
    };
    // Make sure the deadline passed while down.
    while chrono::Utc::now() < closes_at.parse::<chrono::DateTime<chrono::Utc>>().expect("time") {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let outage = down_at.elapsed();

    tokio::task::block_in_place(|| cluster.start());
    let up_at = Instant::now();
    loop {
        let (status, _, body, _) = timed(&api, Method::GET, &format!("{base}/api/v1/proposals/{proposal}"), None).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "only 503 while PostgreSQL comes back: {body}");
        assert!(up_at.elapsed() < Duration::from_secs(30), "minga did not recover within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovery = up_at.elapsed();
    assert_eq!(timed(&api, Method::GET, &format!("{base}/readyz"), None).await.0, 200);

    // Nothing refused during the outage was written; every write acknowledged
    // before it is there (one refused as PostgreSQL stopped may have landed).
    let thread = api.call(&base, Method::GET, &comments, None).await;
    assert_eq!(thread.as_array().expect("comments").len(), 3, "{thread}");
    let busy_thread = api.call(&base, Method::GET, &busy_comments, None).await;
    let busy_thread = busy_thread.as_array().expect("comments");
    let (acked, refused) = (writer.acked.lock().expect("lock").clone(), writer.refused.lock().expect("lock").clone());
    assert!(!refused.is_empty(), "the writer was refused while PostgreSQL was down");
    for (id, body) in &acked {
        assert!(busy_thread.iter().any(|c| c["id"] == id.as_str() && c["body"] == body.as_str()), "{id} kept");
    }
    let landed = busy_thread.len() - acked.len();
    assert!(
        busy_thread.iter().all(|c| acked.iter().any(|(id, _)| c["id"] == id.as_str())
            || refused.iter().any(|body| c["body"] == body.as_str())),
        "no comment that was not sent"
    );
    // Every event posted after recovery reaches the follower that stayed, and
    // a follower that resumes from its last seq, once each and in order.
    let mut posted = Vec::new();
    for n in 0..5 {
        posted.push(create(&api, &base, &comments, json!({"body": format!("después del corte {n}")})).await);
    }
    let head = last_seq + 5;
    let mut resumed = WsClient::signed_in(&base, &api.token).await.expect("websocket after recovery");
    let (replayed, resumed_head) = resumed.subscribe(&topic, Some(last_seq)).await;
    assert_eq!(resumed_head, head);
    let live = if follower_alive {
        follower.events_until(&topic, head).await
    } else {
        // Dropped during the outage: reconnect and resume, as a client does.
        follower = WsClient::signed_in(&base, &api.token).await.expect("websocket after recovery");
        follower.subscribe(&topic, Some(last_seq)).await.0
    };
    for (who, events) in [("the follower", &live), ("the resumed follower", &replayed)] {
        let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().expect("seq")).collect();
        assert_eq!(seqs, (last_seq + 1..=head).collect::<Vec<_>>(), "{who}: seqs after {last_seq}");
        let ids: Vec<&str> = events.iter().map(|e| e["data"]["comment"]["id"].as_str().unwrap_or("")).collect();
        assert_eq!(ids, posted, "{who}: the comments posted after recovery, in order");
    }
    let one_more = create(&api, &base, &comments, json!({"body": "uno más"})).await;
    for socket in [&mut follower, &mut resumed] {
        let events = socket.events_until(&topic, head + 1).await;
        assert_eq!(events.len(), 1, "no duplicate: {events:?}");
        assert_eq!(events[0]["data"]["comment"]["id"], one_more.as_str());
    }
    // The deadline closer survived the outage and closes as of the deadline.
    let deadline = Instant::now() + Duration::from_secs(20);
    let closed = loop {
        let view = api.call(&base, Method::GET, &format!("/api/v1/ballots/{ballot}"), None).await;
        if view["status"] == "closed" {
            break view;
        }
        assert!(Instant::now() < deadline, "the ballot was not closed after recovery: {view}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let closed_at: chrono::DateTime<chrono::Utc> =
        closed["closed_at"].as_str().expect("closed_at").parse().expect("time");
    let due: chrono::DateTime<chrono::Utc> = closes_at.parse().expect("time");
    assert!((closed_at - due).num_milliseconds().abs() < 1, "closed as of {due}, not {closed_at}");
    assert!(server.terminate().success());
    let log = server.log_text();
    assert!(!log.contains("panicked") && !log.contains("internal error"), "no panic, no 500: {log}");
    eprintln!(
        "postgres outage: {answered} API requests (GET, POST, PUT, /readyz) answered 503 unavailable while down, \
         slowest {} ms; /healthz 200; a writer posting through `pg_ctl stop -m fast` ({} ms): {} acknowledged, all \
         kept, {} answered 503 ({landed} of those committed anyway); outage {:.1} s; served again {} ms after \
         PostgreSQL restarted, same process; the open websocket {}, and it and one resuming after seq {last_seq} \
         each got the {} events posted after recovery, in order, once ({:.1} s)",
        slowest.as_millis(),
        stop_took.as_millis(),
        acked.len(),
        refused.len(),
        outage.as_secs_f64(),
        recovery.as_millis(),
        if follower_alive { "stayed up" } else { "was dropped and reconnected" },
        head + 1 - last_seq,
        started.elapsed().as_secs_f64()
    );
}
