//! What the binary suites share: temporary directories, databases, and a
//! `minga serve` child process.
#![allow(dead_code)] // each suite uses a different part

/// One websocket client for every suite: the library suites' own.
#[path = "../../../tests/src/ws.rs"]
pub mod ws;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};

pub const BIN: &str = env!("CARGO_BIN_EXE_minga");
pub const PASSWORD: &str = "contraseña de prueba 123";

pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new() -> Dir {
        let path = std::env::temp_dir().join(format!("minga-bin-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        Dir(path)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub fn admin_url() -> String {
    std::env::var("MINGA_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh PostgreSQL database; returns its URL and name.
pub async fn postgres_database() -> (String, String) {
    let admin = admin_url();
    let name = format!("minga_bin_{}", uuid::Uuid::now_v7().simple());
    let mut conn = PgConnection::connect(&admin).await.expect("PostgreSQL for the binary tests (see scripts/test)");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
    let base = admin.split('?').next().unwrap_or(&admin);
    let cut = base.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(base.len());
    (format!("{}/{name}", &base[..cut]), name)
}

pub async fn drop_database(name: &str) {
    if let Ok(mut conn) = PgConnection::connect(&admin_url()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

pub fn minga(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir).env_remove("MINGA_DATABASE_URL").env_remove("MINGA_JWT_SECRET").env("RUST_LOG", "debug");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

pub fn run(command: &mut Command) -> Output {
    command.output().expect("run minga")
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_as(dir, env, minga(dir, &[]).arg("serve"))
    }

    /// `minga serve` allowed only `open_files` descriptors (`ulimit -n`).
    pub fn start_with_open_files(dir: &Path, env: &[(&str, &str)], open_files: u32) -> Server {
        let command = minga(dir, &[]);
        let script = format!("ulimit -n {open_files} && exec \"$0\" serve");
        let mut shell = Command::new("sh");
        shell.current_dir(dir).args(["-c", &script, BIN]).envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))));
        for (key, _) in command.get_envs().filter(|(_, v)| v.is_none()) {
            shell.env_remove(key);
        }
        Server::start_as(dir, env, &mut shell)
    }

    fn start_as(dir: &Path, env: &[(&str, &str)], command: &mut Command) -> Server {
        let port = free_port();
        let log = dir.join(format!("server-{port}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let bind = format!("127.0.0.1:{port}");
        command.env("MINGA_BIND", &bind);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .stdout(Stdio::from(file.try_clone().expect("clone")))
            .stderr(Stdio::from(file))
            .spawn()
            .expect("start minga serve");
        Server { child, base: format!("http://{bind}"), log }
    }

    pub async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = reqwest::get(format!("{}/readyz", self.base)).await {
                if response.status() == 200 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("minga exited early with {status}: {}", self.log_text());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("minga did not become ready: {}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL (no chance to finish anything), then reaps the process.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
    }

    /// SIGTERM, then the exit status (within 10 s).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "minga did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in API client.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub token: String,
}

impl Api {
    pub async fn call(&self, base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method, format!("{base}{path}")).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {value}");
        value
    }
}

/// POSTs `body` and returns the `id` of what it made (the call must succeed).
pub async fn create(api: &Api, base: &str, path: &str, body: Value) -> String {
    api.call(base, reqwest::Method::POST, path, Some(body)).await["id"].as_str().expect("id").to_owned()
}

/// The first secretariat account (through `minga invite`) signed in.
pub async fn secretariat(dir: &Path, env: &[(&str, &str)], base: &str) -> Api {
    let invite = run(minga(dir, env).args(["invite", "--email", "sec@foro.ec", "--organization", "Secretaría"]));
    assert!(invite.status.success(), "{}", String::from_utf8_lossy(&invite.stderr));
    let printed = String::from_utf8_lossy(&invite.stdout).to_string();
    let url = printed.lines().find(|line| line.starts_with("http")).expect("url").trim().to_owned();
    accept_invitation(base, url.rsplit('/').next().expect("token"), "Secretaría").await
}

/// Accepts an invitation (by its token) and returns the new account signed in.
pub async fn accept_invitation(base: &str, token: &str, display_name: &str) -> Api {
    let client = reqwest::Client::new();
    let session: Value = client
        .post(format!("{base}/api/v1/invitations/{token}/accept"))
        .json(&json!({"display_name": display_name, "password": PASSWORD}))
        .send()
        .await
        .expect("accept")
        .json()
        .await
        .expect("json");
    Api { client, token: session["token"].as_str().expect("token").to_owned() }
}

/// A throwaway PostgreSQL cluster of our own (never the shared one), in a
/// directory under /tmp, on a free port; stopped and removed on drop.
pub struct Cluster {
    bin: PathBuf,
    pub dir: PathBuf,
    user: Option<String>,
    pub port: u16,
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl.
fn postgres_bin() -> PathBuf {
    let versions = std::fs::read_dir("/usr/lib/postgresql").into_iter().flatten().flatten();
    let mut found: Vec<(u32, PathBuf)> = versions
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().split('.').next()?.parse().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("no initdb/pg_ctl under /usr/lib/postgresql/*/bin: this test runs its own cluster; apt-get install postgresql")
    })
}

fn succeeded(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|err| panic!("{what}: {err}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Cluster {
    /// initdb and start, as an unprivileged user when we are root (PostgreSQL
    /// refuses to run as root): `postgres` if it exists, else `nobody`.
    pub fn start_new() -> Cluster {
        let bin = postgres_bin();
        let uid = Command::new("id").arg("-u").output().expect("id -u");
        let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        let user = root.then(|| {
            let has = |name: &str| Command::new("id").arg(name).output().is_ok_and(|out| out.status.success());
            if has("postgres") { "postgres" } else { "nobody" }.to_owned()
        });
        let dir = PathBuf::from(format!("/tmp/minga-pg-outage-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        if let Some(user) = &user {
            succeeded(Command::new("chown").arg(user).arg(&dir), "chown the cluster directory");
        }
        succeeded(Command::new("chmod").arg("700").arg(&dir), "chmod the cluster directory");
        let cluster = Cluster { bin, dir, user, port: free_port() };
        let data = cluster.dir.join("data");
        succeeded(
            cluster.command("initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
            ]),
            "initdb",
        );
        let config = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nfsync = off\n",
            cluster.port,
            cluster.dir.display()
        );
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&config);
        std::fs::write(&conf, text).expect("postgresql.conf");
        cluster.start();
        cluster
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match &self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut command = self.command("pg_ctl");
        command.arg("-D").arg(self.dir.join("data")).args(args);
        command
    }

    pub fn start(&self) {
        let log = self.dir.join("postgres.log");
        let mut start = self.pg_ctl(&["-w", "-t", "60", "start", "-l"]);
        succeeded(start.arg(log), "pg_ctl start");
    }

    pub fn stop(&self) {
        succeeded(&mut self.pg_ctl(&["-m", "fast", "-w", "-t", "60", "stop"]), "pg_ctl stop");
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
