//! The processes under test: `minga serve`, the Node `ws` peer and the raw
//! ceiling (this binary's `ceiling-server`), each on its own local port,
//! killed when dropped; and what /proc says about them.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// Shared by every node of a run, so a token from one works on the others.
pub const JWT_SECRET: &str = "minga-bench-secret-minga-bench-secret-0123";

/// The workspace root (this crate lives in `bench/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where logs, scratch files and the report go.
pub fn out_dir() -> PathBuf {
    root().join("target").join("bench")
}

pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A server process on 127.0.0.1:`port`.
pub struct Server {
    pub port: u16,
    pub pid: u32,
    child: Child,
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Resident memory now, in KiB (VmRSS).
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in /proc/<pid>/status")
    }

    /// CPU time (user + system) the process has used so far.
    pub fn cpu(&self) -> anyhow::Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // Fields after the command name, which is in parentheses.
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).context("odd /proc/<pid>/stat")?;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| -> u64 { fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0) };
        // utime and stime are fields 14 and 15; index 11 and 12 after the name.
        Ok(Duration::from_millis((ticks(11) + ticks(12)) * 10))
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    async fn spawn(name: &str, mut command: Command, port: u16) -> anyhow::Result<Server> {
        let logs = out_dir().join("logs");
        std::fs::create_dir_all(&logs)?;
        let log = std::fs::File::create(logs.join(format!("{name}-{port}.log")))?;
        command.stdout(Stdio::from(log.try_clone()?)).stderr(Stdio::from(log)).stdin(Stdio::null());
        command.kill_on_drop(true);
        let mut child = command.spawn().with_context(|| format!("starting {name}"))?;
        let pid = child.id().context("the process has no id")?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if let Some(status) = child.try_wait()? {
                bail!("{name} exited with {status} before listening; see target/bench/logs");
            }
            if tokio::time::Instant::now() > deadline {
                bail!("{name} did not listen on port {port} within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Server { port, pid, child })
    }
}

pub fn minga_binary() -> PathBuf {
    root().join("target").join("release").join("minga")
}

/// The environment every `minga` command of a run gets. Nodes of one
/// deployment share the public URL (sessions are issued for it).
pub fn minga_env(command: &mut Command, database_url: &str, port: u16, public_port: u16) {
    command
        .env("MINGA_BIND", format!("127.0.0.1:{port}"))
        .env("MINGA_DATABASE_URL", database_url)
        .env("MINGA_PUBLIC_URL", format!("http://127.0.0.1:{public_port}"))
        .env("MINGA_JWT_SECRET", JWT_SECRET)
        .env("MINGA_WRITES_PER_MINUTE", "100000000")
        .env("MINGA_WS_PER_PERSON", "100000")
        .env("RUST_LOG", "warn");
}

/// `minga serve` on a free port; ready once /readyz answers. `node_of`
/// makes it another node of that server's deployment.
pub async fn start_minga(name: &str, database_url: &str, node_of: Option<&Server>) -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut command = Command::new(minga_binary());
    command.arg("serve");
    minga_env(&mut command, database_url, port, node_of.map_or(port, |first| first.port));
    let server = Server::spawn(name, command, port).await?;
    let client = reqwest::Client::new();
    for _ in 0..100 {
        match client.get(format!("{}/readyz", server.base())).send().await {
            Ok(answer) if answer.status().is_success() => return Ok(server),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    bail!("{name} never became ready")
}

/// The Node `ws` broadcast server in `bench/peer/`.
pub async fn start_peer() -> anyhow::Result<Server> {
    let port = free_port()?;
    let script = root().join("bench").join("peer").join("server.js");
    if !root().join("bench/peer/node_modules/ws").exists() {
        bail!("the Node peer needs `npm ci` in bench/peer (bench/run does it)");
    }
    let mut command = Command::new("node");
    command.arg(script).arg(port.to_string());
    Server::spawn("node-ws", command, port).await
}

/// The raw tokio broadcast server, this same binary in another process.
pub async fn start_ceiling() -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut command = Command::new(std::env::current_exe()?);
    command.arg("ceiling-server").arg("--port").arg(port.to_string());
    Server::spawn("ceiling", command, port).await
}

/// Runs `psql` against the maintenance database of the PostgreSQL at `pg`.
pub async fn psql(pg: &str, database: &str, sql: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .arg(format!("{pg}/{database}"))
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .await
        .context("running psql")?;
    if !output.status.success() {
        bail!("psql failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// A fresh, empty database `name` (dropped first if a run left it).
pub async fn scratch_database(pg: &str, name: &str) -> anyhow::Result<String> {
    psql(pg, "postgres", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    psql(pg, "postgres", &format!("CREATE DATABASE {name}")).await?;
    Ok(format!("{pg}/{name}"))
}

pub async fn drop_database(pg: &str, name: &str) {
    let _ = psql(pg, "postgres", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}
