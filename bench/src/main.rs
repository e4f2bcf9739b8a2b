//! `minga-bench`: measures Minga's websocket fan-out (against a Node `ws`
//! peer and a raw tokio ceiling, in the same run), its sustained writes
//! (against pgbench), its memory per idle websocket and its cross-node
//! delivery. `bench/run` builds everything and runs `minga-bench all`; see
//! BENCHMARKS.md.

// A benchmark's output is its report on stdout; progress goes to stderr.
#![allow(clippy::print_stdout)]

mod ceiling;
mod fanout;
mod report;
mod servers;
mod setup;
mod stats;
mod suite;
mod writes;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "minga-bench", about = "Benchmarks for Minga (see BENCHMARKS.md)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// PostgreSQL server (no database name); scratch databases are created on it.
    #[arg(long, env = "MINGA_BENCH_PG", default_value = "postgres://postgres@127.0.0.1:5432", global = true)]
    pg: String,
    /// Subscriber counts for the fan-out runs.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000", global = true)]
    sizes: Vec<usize>,
    /// Measured posts per fan-out run (after 5 warm-up posts).
    #[arg(long, default_value_t = 100, global = true)]
    posts: u32,
    /// Posts in flight at once in the fan-out runs.
    #[arg(long, default_value_t = 4, global = true)]
    in_flight: usize,
    /// Concurrent writers (and pgbench clients).
    #[arg(long, default_value_t = 8, global = true)]
    writers: usize,
    /// Seconds each write run lasts.
    #[arg(long, default_value_t = 10, global = true)]
    seconds: u64,
    /// Subscribers in the cross-node runs.
    #[arg(long, default_value_t = 1000, global = true)]
    cross_subscribers: usize,
    /// Subscribers in the stalled-clients runs.
    #[arg(long, default_value_t = 5000, global = true)]
    stall_subscribers: usize,
    /// Fan-out servers to run.
    #[arg(long, value_delimiter = ',', default_value = "minga,node-ws,ceiling", global = true)]
    servers: Vec<String>,
    /// Runs of each fan-out, stall and cross-node configuration (the report
    /// shows the run with the median p99).
    #[arg(long, default_value_t = 3, global = true)]
    rounds: usize,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Everything below, in this order, and one report.
    All,
    /// Fan-out: minga, the Node peer and the ceiling at each size.
    Fanout,
    /// Sustained comment writes on PostgreSQL and SQLite, and pgbench.
    Writes,
    /// Two minga nodes on one PostgreSQL database.
    CrossNode,
    /// 1% of the subscribers stop reading.
    Stall,
    /// Runs the raw ceiling server (started by the fan-out runs).
    #[command(hide = true)]
    CeilingServer {
        #[arg(long)]
        port: u16,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::CeilingServer { port } = cli.command {
        return ceiling::main(port);
    }
    let options = suite::Options {
        pg: cli.pg.trim_end_matches('/').to_owned(),
        sizes: cli.sizes,
        posts: cli.posts,
        in_flight: cli.in_flight.max(1),
        writers: cli.writers.max(1),
        seconds: cli.seconds.max(1),
        cross_subscribers: cli.cross_subscribers,
        stall_subscribers: cli.stall_subscribers,
        servers: cli.servers,
        rounds: cli.rounds.max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let report = runtime.block_on(run(&cli.command, &options))?;
    let text = report.markdown();
    let path = servers::out_dir().join("results.md");
    std::fs::create_dir_all(servers::out_dir())?;
    std::fs::write(&path, &text)?;
    println!("{text}");
    eprintln!("(also written to {})", path.display());
    Ok(())
}

async fn run(command: &Command, options: &suite::Options) -> anyhow::Result<report::Report> {
    let all = matches!(command, Command::All);
    let mut report = report::Report::default();
    if all || matches!(command, Command::Fanout) {
        report.fanout = suite::fanout(options).await?;
    }
    if all || matches!(command, Command::Writes) {
        report.writes = Some(suite::writes(options).await?);
    }
    if all || matches!(command, Command::CrossNode) {
        report.cross_node = suite::cross_node(options).await?;
    }
    if all || matches!(command, Command::Stall) {
        report.stall = Some(suite::stall(options).await?);
    }
    Ok(report)
}
