//! Two `minga serve` processes on one PostgreSQL database: what is posted on
//! one node reaches the websockets of the other, through LISTEN/NOTIFY, and
//! nothing is lost or repeated when the listening connection is cut.

mod common;

use std::time::{Duration, Instant};

use common::ws::WsClient;
use common::{admin_url, create, drop_database, postgres_database, secretariat, Dir, Server};
use serde_json::json;
use sqlx::{Connection, PgConnection};

/// Cuts the connection node `pid` listens on; returns how many were cut.
async fn cut_listener(database: &str, pid: u32) -> i64 {
    let mut admin = PgConnection::connect(&admin_url()).await.expect("admin connection");
    sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND application_name = $2) AS cut",
    )
    .bind(database)
    .bind(format!("minga-listener-{pid}"))
    .fetch_one(&mut admin)
    .await
    .expect("terminate")
}

async fn listening(database: &str, pid: u32) -> bool {
    let mut admin = PgConnection::connect(&admin_url()).await.expect("admin connection");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2")
            .bind(database)
            .bind(format!("minga-listener-{pid}"))
            .fetch_one(&mut admin)
            .await
            .expect("count");
    count == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_nodes_in_order_even_when_the_listener_is_cut() {
    let (url, database) = postgres_database().await;
    let dir = Dir::new();
    let env = [
        ("MINGA_DATABASE_URL", url.as_str()),
        ("MINGA_JWT_SECRET", "a-secret-shared-by-both-nodes-0000000"),
        ("MINGA_WRITES_PER_MINUTE", "1000000"),
    ];
    let mut a = Server::start(&dir.0, &env);
    a.wait_ready().await;
    let mut b = Server::start(&dir.0, &env);
    b.wait_ready().await;
    let api = secretariat(&dir.0, &env, &a.base).await;
    let document = create(&api, &a.base, "/api/v1/documents", json!({"title": "Estatuto"})).await;
    let motion = json!({"kind": "general", "title": "Sede", "body": "Que el Foro sesione en Quito."});
    let proposal = create(&api, &a.base, &format!("/api/v1/documents/{document}/proposals"), motion).await;
    let comments = format!("/api/v1/proposals/{proposal}/comments");
    let topic = format!("proposal:{proposal}");

    // A subscriber on B; comments posted on A, one at a time.
    let mut follower = WsClient::signed_in(&b.base, &api.token).await.expect("websocket on B");
    let (_, head) = follower.subscribe(&topic, None).await;
    let mut latencies = Vec::new();
    for n in 0..10 {
        create(&api, &a.base, &comments, json!({"body": format!("desde A {n}")})).await;
        let posted = Instant::now();
        let got = follower.events_until(&topic, head + n + 1).await;
        assert_eq!(got.len(), 1, "one event per comment: {got:?}");
        latencies.push(posted.elapsed());
    }
    latencies.sort();
    eprintln!(
        "cross-node: 10 comments posted on A reached B's websocket, p50 {:?}, max {:?} after the POST returned",
        latencies[5], latencies[9]
    );

    // A burst on A, during which B's listening connection is cut.
    let b_pid = b.child.id();
    assert!(listening(&database, b_pid).await, "B listens on a connection of its own");
    let writer = {
        let (api, base, comments) = (api.clone(), a.base.clone(), comments.clone());
        tokio::spawn(async move {
            let mut bodies = Vec::new();
            for n in 0..40 {
                let body = format!("ráfaga {n}");
                create(&api, &base, &comments, json!({"body": body})).await;
                bodies.push(body);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            bodies
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(cut_listener(&database, b_pid).await, 1, "B's listener was found and cut");
    let bodies = writer.await.expect("writer");
    let last = head + 10 + 40;
    let got = follower.events_until(&topic, last).await;
    let seqs: Vec<i64> = got.iter().map(|event| event["seq"].as_i64().expect("seq")).collect();
    assert_eq!(seqs, ((head + 11)..=last).collect::<Vec<_>>(), "every event once, in order");
    let received: Vec<&str> =
        got.iter().map(|event| event["data"]["comment"]["body"].as_str().unwrap_or_default()).collect();
    assert_eq!(received, bodies, "the bodies, in the order they were posted");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !listening(&database, b_pid).await {
        assert!(Instant::now() < deadline, "B did not listen again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // And the other way round, after the reconnection.
    create(&api, &b.base, &comments, json!({"body": "desde B"})).await;
    let mut on_a = WsClient::signed_in(&a.base, &api.token).await.expect("websocket on A");
    let (replayed, head_a) = on_a.subscribe(&topic, Some(last)).await;
    assert_eq!(replayed.len(), 1);
    create(&api, &b.base, &comments, json!({"body": "desde B, en vivo"})).await;
    let live = on_a.events_until(&topic, head_a + 1).await;
    assert_eq!(live.len(), 1, "{live:?}");
    drop((a, b));
    drop_database(&database).await;
}
