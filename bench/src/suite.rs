//! The runs: each starts the servers it needs on fresh databases, runs one
//! workload, stops them, and returns rows for the report.

use std::time::Duration;

use crate::fanout::{self, Outcome, Publish, Target, Workload};
use crate::servers::{self, scratch_database, start_ceiling, start_minga, start_peer, Server};
use crate::setup::{sign_up, Session};
use crate::writes::{self, Throughput};

#[derive(Debug, Clone)]
pub struct Options {
    pub pg: String,
    pub sizes: Vec<usize>,
    pub posts: u32,
    pub in_flight: usize,
    pub writers: usize,
    pub seconds: u64,
    pub cross_subscribers: usize,
    pub stall_subscribers: usize,
    /// Which fan-out servers to run (minga, node-ws, ceiling).
    pub servers: Vec<String>,
}

const FANOUT_DB: &str = "minga_bench_fanout";

/// One fan-out run: which server, how many subscribers, what it measured.
#[derive(Debug, Clone)]
pub struct FanoutRow {
    pub server: &'static str,
    pub subscribers: usize,
    pub outcome: Outcome,
}

/// Minga on a fresh PostgreSQL database, signed in, with a proposal to follow.
async fn minga(pg: &str, database: &str, name: &str) -> anyhow::Result<(Server, Session, String, String)> {
    let url = scratch_database(pg, database).await?;
    let server = start_minga(name, &url).await?;
    let mut session = sign_up(&server, &url).await?;
    let proposal = session.proposal("Fan-out").await?;
    Ok((server, session, proposal, url))
}

fn minga_target(session: &Session, ws: &Session, proposal: &str) -> Target {
    Target {
        ws_url: ws.ws_url(),
        token: Some(session.token.clone()),
        topic: format!("proposal:{proposal}"),
        publish: Publish::Minga { session: session.clone(), proposal: proposal.to_owned() },
    }
}

fn raw_target(server: &Server, frame_len: usize) -> Target {
    Target {
        ws_url: format!("ws://127.0.0.1:{}/ws", server.port),
        token: None,
        topic: "proposal:bench".to_owned(),
        publish: Publish::Raw { url: format!("{}/publish", server.base()), frame_len },
    }
}

fn workload(options: &Options, subscribers: usize) -> Workload {
    Workload { subscribers, stalled: 0, warmup: 5, posts: options.posts, in_flight: options.in_flight }
}

fn progress(label: &str, subscribers: usize, outcome: &Outcome) {
    eprintln!(
        "  {label:>7} {subscribers:>6} subscribers (connected in {:.1} s): p50 {} ms, p99 {} ms, {:.0} deliveries/s, {:.1} KiB/socket",
        outcome.connect.as_secs_f64(),
        crate::stats::ms(outcome.latencies.p50()),
        crate::stats::ms(outcome.latencies.p99()),
        outcome.deliveries_per_sec,
        outcome.kib_per_socket(subscribers)
    );
}

/// Minga, then the Node peer and the ceiling with Minga's frame size.
pub async fn fanout(options: &Options) -> anyhow::Result<Vec<FanoutRow>> {
    let mut rows = Vec::new();
    for &size in &options.sizes {
        eprintln!("fan-out to {size} subscribers");
        let wanted = |name: &str| options.servers.iter().any(|s| s == name);
        let mut frame_len = 600;
        if wanted("minga") {
            let (server, session, proposal, _) = minga(&options.pg, FANOUT_DB, "minga").await?;
            let outcome =
                fanout::run(&minga_target(&session, &session, &proposal), workload(options, size), &server).await?;
            server.stop().await;
            progress("minga", size, &outcome);
            frame_len = outcome.frame_len;
            rows.push(FanoutRow { server: "minga", subscribers: size, outcome });
        }
        for label in ["node-ws", "ceiling"] {
            if !wanted(label) {
                continue;
            }
            let server = if label == "node-ws" { start_peer().await? } else { start_ceiling().await? };
            let outcome = fanout::run(&raw_target(&server, frame_len), workload(options, size), &server).await?;
            server.stop().await;
            progress(label, size, &outcome);
            rows.push(FanoutRow { server: label, subscribers: size, outcome });
        }
    }
    servers::drop_database(&options.pg, FANOUT_DB).await;
    Ok(rows)
}

/// The same fan-out with none, then 1%, of the subscribers stalled (they
/// stop reading, with a small receive buffer so the server feels it).
pub async fn stall(options: &Options) -> anyhow::Result<(Outcome, Outcome)> {
    let size = options.stall_subscribers;
    let posts = options.posts * 3;
    let mut results = Vec::new();
    for stalled in [0, size / 100] {
        eprintln!("fan-out to {size} subscribers, {stalled} of them stalled, {posts} posts");
        let (server, session, proposal, _) = minga(&options.pg, FANOUT_DB, "minga-stall").await?;
        let work = Workload { stalled, posts, ..workload(options, size) };
        let outcome = fanout::run(&minga_target(&session, &session, &proposal), work, &server).await?;
        server.stop().await;
        progress("minga", size, &outcome);
        results.push(outcome);
    }
    servers::drop_database(&options.pg, FANOUT_DB).await;
    let stalled = results.pop().unwrap_or_default();
    Ok((results.pop().unwrap_or_default(), stalled))
}

#[derive(Debug, Clone)]
pub struct WriteRows {
    pub writers: usize,
    pub postgres: Throughput,
    pub sqlite: Throughput,
    pub pgbench: Throughput,
}

pub async fn writes(options: &Options) -> anyhow::Result<WriteRows> {
    let (writers, seconds) = (options.writers, options.seconds);
    eprintln!("writes: {writers} writers for {seconds} s, Minga on PostgreSQL");
    let url = scratch_database(&options.pg, "minga_bench_writes").await?;
    let server = start_minga("minga-writes-pg", &url).await?;
    let postgres = writes::minga(&mut sign_up(&server, &url).await?, writers, seconds).await?;
    server.stop().await;
    servers::drop_database(&options.pg, "minga_bench_writes").await;
    eprintln!("  {:.0} comments/s", postgres.per_sec);

    eprintln!("writes: Minga on SQLite");
    let dir = servers::out_dir().join("sqlite");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let server = start_minga("minga-writes-sqlite", &url).await?;
    let sqlite = writes::minga(&mut sign_up(&server, &url).await?, writers, seconds).await?;
    server.stop().await;
    eprintln!("  {:.0} comments/s", sqlite.per_sec);

    eprintln!("writes: pgbench, BEGIN/INSERT/COMMIT, {writers} clients");
    let pgbench = writes::pgbench(&options.pg, writers, seconds).await?;
    eprintln!("  {:.0} transactions/s", pgbench.per_sec);
    Ok(WriteRows { writers, postgres, sqlite, pgbench })
}

/// Two nodes on one database: subscribers on node A, then on node B, the
/// posts always to node A.
pub async fn cross_node(options: &Options) -> anyhow::Result<(Outcome, Outcome)> {
    let size = options.cross_subscribers;
    eprintln!("cross-node: {size} subscribers, posts on node A");
    let (a, mut session, proposal, url) = minga(&options.pg, "minga_bench_nodes", "minga-node-a").await?;
    let other = session.proposal("Cross-node").await?;
    let b = start_minga("minga-node-b", &url).await?;
    let on_b = session.on(&b);
    let work = workload(options, size);
    let same = fanout::run(&minga_target(&session, &session, &proposal), work, &a).await?;
    progress("A -> A", size, &same);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cross = fanout::run(&minga_target(&session, &on_b, &other), work, &b).await?;
    progress("A -> B", size, &cross);
    a.stop().await;
    b.stop().await;
    servers::drop_database(&options.pg, "minga_bench_nodes").await;
    Ok((same, cross))
}
