//! The runs: each starts the servers it needs on fresh databases, runs one
//! workload, stops them, and returns rows for the report.

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
    /// Runs of each fan-out, stall and cross-node configuration.
    pub rounds: usize,
}

const FANOUT_DB: &str = "minga_bench_fanout";

/// Repeated runs of one configuration. Figures drift between runs on a
/// shared 2-core machine; the report shows the run with the median p99 and
/// every run's p99.
#[derive(Debug, Clone, Default)]
pub struct Runs(pub Vec<Outcome>);

impl Runs {
    pub fn median(&self) -> Outcome {
        let mut runs: Vec<&Outcome> = self.0.iter().collect();
        runs.sort_by_key(|run| run.latencies.p99());
        runs.get(runs.len() / 2).map(|run| (*run).clone()).unwrap_or_default()
    }

    /// Every run's p99 in ms, in run order.
    pub fn p99s(&self) -> String {
        let all: Vec<String> = self.0.iter().map(|run| crate::stats::ms(run.latencies.p99())).collect();
        all.join(" / ")
    }
}

/// One fan-out configuration: which server, how many subscribers.
#[derive(Debug, Clone)]
pub struct FanoutRow {
    pub server: &'static str,
    pub subscribers: usize,
    pub runs: Runs,
}

/// The cross-node runs of one load: posts on node A, subscribers on A, then on B.
#[derive(Debug, Clone)]
pub struct CrossRow {
    pub subscribers: usize,
    pub in_flight: usize,
    pub same: Runs,
    pub cross: Runs,
}

/// Minga on a fresh PostgreSQL database, signed in, with a proposal to follow.
async fn minga(pg: &str, database: &str, name: &str) -> anyhow::Result<(Server, Session, String, String)> {
    let url = scratch_database(pg, database).await?;
    let server = start_minga(name, &url, None).await?;
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

fn row<'a>(rows: &'a mut Vec<FanoutRow>, server: &'static str, subscribers: usize) -> &'a mut Runs {
    let at = match rows.iter().position(|row| row.server == server && row.subscribers == subscribers) {
        Some(at) => at,
        None => {
            rows.push(FanoutRow { server, subscribers, runs: Runs::default() });
            rows.len() - 1
        }
    };
    &mut rows[at].runs
}

/// Minga, then the Node peer and the ceiling with Minga's frame size, each
/// size `rounds` times in turn.
pub async fn fanout(options: &Options) -> anyhow::Result<Vec<FanoutRow>> {
    let mut rows = Vec::new();
    let wanted = |name: &str| options.servers.iter().any(|s| s == name);
    for &size in &options.sizes {
        for round in 1..=options.rounds {
            eprintln!("fan-out to {size} subscribers, round {round} of {}", options.rounds);
            let mut frame_len = 600;
            if wanted("minga") {
                let (server, session, proposal, _) = minga(&options.pg, FANOUT_DB, "minga").await?;
                let target = minga_target(&session, &session, &proposal);
                let outcome = fanout::run(&target, workload(options, size), &server).await?;
                server.stop().await;
                progress("minga", size, &outcome);
                frame_len = outcome.frame_len;
                row(&mut rows, "minga", size).0.push(outcome);
            }
            for label in ["node-ws", "ceiling"] {
                if !wanted(label) {
                    continue;
                }
                let server = if label == "node-ws" { start_peer().await? } else { start_ceiling().await? };
                let outcome = fanout::run(&raw_target(&server, frame_len), workload(options, size), &server).await?;
                server.stop().await;
                progress(label, size, &outcome);
                row(&mut rows, label, size).0.push(outcome);
            }
        }
    }
    servers::drop_database(&options.pg, FANOUT_DB).await;
    Ok(rows)
}

/// The same fan-out with none, then 1%, of the subscribers stalled (they
/// stop reading, with a small receive buffer so the server feels it), in turn.
pub async fn stall(options: &Options) -> anyhow::Result<(Runs, Runs)> {
    let size = options.stall_subscribers;
    let posts = options.posts * 2;
    let (mut base, mut stalled_runs) = (Runs::default(), Runs::default());
    for round in 1..=options.rounds {
        for stalled in [0, size / 100] {
            eprintln!("fan-out to {size} subscribers, {stalled} of them stalled, {posts} posts, round {round}");
            let (server, session, proposal, _) = minga(&options.pg, FANOUT_DB, "minga-stall").await?;
            let work = Workload { stalled, posts, ..workload(options, size) };
            let outcome = fanout::run(&minga_target(&session, &session, &proposal), work, &server).await?;
            server.stop().await;
            progress("minga", size, &outcome);
            if stalled == 0 { &mut base } else { &mut stalled_runs }.0.push(outcome);
        }
    }
    servers::drop_database(&options.pg, FANOUT_DB).await;
    Ok((base, stalled_runs))
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
    let server = start_minga("minga-writes-pg", &url, None).await?;
    let postgres = writes::minga(&mut sign_up(&server, &url).await?, writers, seconds).await?;
    server.stop().await;
    servers::drop_database(&options.pg, "minga_bench_writes").await;
    eprintln!("  {:.0} comments/s", postgres.per_sec);

    eprintln!("writes: Minga on SQLite");
    let dir = servers::out_dir().join("sqlite");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let server = start_minga("minga-writes-sqlite", &url, None).await?;
    let sqlite = writes::minga(&mut sign_up(&server, &url).await?, writers, seconds).await?;
    server.stop().await;
    eprintln!("  {:.0} comments/s", sqlite.per_sec);

    eprintln!("writes: pgbench, BEGIN/INSERT/COMMIT, {writers} clients");
    let pgbench = writes::pgbench(&options.pg, writers, seconds).await?;
    eprintln!("  {:.0} transactions/s", pgbench.per_sec);
    Ok(WriteRows { writers, postgres, sqlite, pgbench })
}

/// Two nodes on one database, the posts always to node A, subscribers on A
/// and then on B: under the fan-out load, and with a few subscribers and one
/// post at a time (where the hop between nodes is most of the latency).
pub async fn cross_node(options: &Options) -> anyhow::Result<Vec<CrossRow>> {
    let loads = [(options.cross_subscribers, options.in_flight), (10, 1)];
    let mut rows: Vec<CrossRow> = loads
        .iter()
        .map(|&(subscribers, in_flight)| CrossRow {
            subscribers,
            in_flight,
            same: Runs::default(),
            cross: Runs::default(),
        })
        .collect();
    let (a, mut session, _, url) = minga(&options.pg, "minga_bench_nodes", "minga-node-a").await?;
    let b = start_minga("minga-node-b", &url, Some(&a)).await?;
    let on_b = session.on(&b);
    for round in 1..=options.rounds {
        for row in &mut rows {
            eprintln!("cross-node: {} subscribers, {} in flight, round {round}", row.subscribers, row.in_flight);
            let work = Workload { in_flight: row.in_flight, ..workload(options, row.subscribers) };
            let proposal = session.proposal("Same node").await?;
            let same = fanout::run(&minga_target(&session, &session, &proposal), work, &a).await?;
            progress("A -> A", row.subscribers, &same);
            let proposal = session.proposal("Cross-node").await?;
            let cross = fanout::run(&minga_target(&session, &on_b, &proposal), work, &b).await?;
            progress("A -> B", row.subscribers, &cross);
            row.same.0.push(same);
            row.cross.0.push(cross);
        }
    }
    a.stop().await;
    b.stop().await;
    servers::drop_database(&options.pg, "minga_bench_nodes").await;
    Ok(rows)
}
