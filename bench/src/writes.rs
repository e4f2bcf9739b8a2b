//! Sustained writes: `writers` clients each post comments back to back (each
//! on its own proposal, so they do not queue behind one topic's sequence),
//! against Minga on PostgreSQL and on SQLite; and `pgbench` running a
//! BEGIN/INSERT/COMMIT script with as many clients on a scratch table, as
//! what the same PostgreSQL does with the least work per commit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::process::Command;

use crate::servers::{out_dir, scratch_database};
use crate::setup::Session;
use crate::stats::{micros, Latencies};

#[derive(Debug, Clone, Default)]
pub struct Throughput {
    pub per_sec: f64,
    pub latencies: Latencies,
    pub errors: u64,
}

/// `writers` clients posting comments for `seconds` (after one second of
/// warm-up that is not counted).
pub async fn minga(session: &mut Session, writers: usize, seconds: u64) -> anyhow::Result<Throughput> {
    let mut proposals = Vec::new();
    for i in 0..writers {
        proposals.push(session.proposal(&format!("Writes {i}")).await?);
    }
    let session = Arc::new(session.clone());
    let start = Instant::now();
    let counted_from = start + Duration::from_secs(1);
    let until = counted_from + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for proposal in proposals {
        let session = session.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().tcp_nodelay(true).build()?;
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            let mut n = 0u64;
            loop {
                let began = Instant::now();
                if began >= until {
                    return anyhow::Ok((latencies, errors));
                }
                n += 1;
                let body = format!("Comment {n}: *sustained* writes, each a transaction with its event.");
                let ok = session.comment(&client, &proposal, body).await.is_ok();
                if began >= counted_from {
                    if ok {
                        latencies.push(micros(began.elapsed()));
                    } else {
                        errors += 1;
                    }
                }
            }
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (latencies, failed) = task.await??;
        all.extend(latencies);
        errors += failed;
    }
    Ok(Throughput { per_sec: all.len() as f64 / seconds as f64, latencies: Latencies::new(all), errors })
}

const PGBENCH_SCRIPT: &str = "BEGIN;\n\
INSERT INTO bench_comments (proposal, body) VALUES (:client_id, 'Comment: *sustained* writes, each a transaction with its event.');\n\
COMMIT;\n";

fn pgbench_binary() -> String {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join("pgbench"))
        .find(|path| path.exists());
    debian.map_or_else(|| "pgbench".to_owned(), |path| path.display().to_string())
}

/// `pgbench` with `clients` clients for `seconds` on a scratch database.
pub async fn pgbench(pg: &str, clients: usize, seconds: u64) -> anyhow::Result<Throughput> {
    let url = scratch_database(pg, "minga_bench_pgbench").await?;
    crate::servers::psql(
        pg,
        "minga_bench_pgbench",
        "CREATE TABLE bench_comments (id bigserial PRIMARY KEY, proposal int NOT NULL, body text NOT NULL, \
         created_at timestamptz NOT NULL DEFAULT now())",
    )
    .await?;
    let dir = out_dir().join("pgbench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("insert.sql");
    std::fs::write(&script, PGBENCH_SCRIPT)?;
    let output = Command::new(pgbench_binary())
        .current_dir(&dir)
        .args(["-n", "-M", "prepared", "-l", "--log-prefix", "txn"])
        .arg("-c")
        .arg(clients.to_string())
        .arg("-j")
        .arg(clients.min(2).to_string())
        .arg("-T")
        .arg(seconds.to_string())
        .arg("-f")
        .arg(&script)
        .arg(&url)
        .output()
        .await
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("pgbench failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    }
    let per_sec: f64 = stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .context("no tps in pgbench's output")?;
    // Per-transaction logs: `client txn latency_us script epoch epoch_us`.
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(&dir)?.flatten() {
        if entry.file_name().to_string_lossy().starts_with("txn") {
            let log = std::fs::read_to_string(entry.path())?;
            latencies.extend(log.lines().filter_map(|line| line.split_whitespace().nth(2)?.parse::<u32>().ok()));
        }
    }
    crate::servers::drop_database(pg, "minga_bench_pgbench").await;
    Ok(Throughput { per_sec, latencies: Latencies::new(latencies), errors: 0 })
}
