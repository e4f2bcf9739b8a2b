//! The report: markdown tables with the figures and the ratios from this
//! run, and each of the targets checked against them.

use std::fmt::Write;

use crate::fanout::Outcome;
use crate::stats::{count, ms, ratio};
use crate::suite::{FanoutRow, WriteRows};

#[derive(Default)]
pub struct Report {
    pub fanout: Vec<FanoutRow>,
    pub writes: Option<WriteRows>,
    pub cross_node: Option<(Outcome, Outcome)>,
    pub stall: Option<(Outcome, Outcome)>,
}

fn find<'a>(rows: &'a [FanoutRow], server: &str, size: usize) -> Option<&'a Outcome> {
    rows.iter().find(|row| row.server == server && row.subscribers == size).map(|row| &row.outcome)
}

fn p99_ms(outcome: &Outcome) -> f64 {
    outcome.latencies.p99().as_secs_f64() * 1000.0
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.fanout_tables(&mut out);
        if let Some(writes) = &self.writes {
            let _ = writeln!(
                out,
                "\n| writes, {} concurrent writers | per second | p50 ms | p99 ms | errors |",
                writes.writers
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---:|");
            for (label, row) in [
                ("minga, PostgreSQL", &writes.postgres),
                ("minga, SQLite", &writes.sqlite),
                ("pgbench BEGIN/INSERT/COMMIT", &writes.pgbench),
            ] {
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} | {} | {} |",
                    count(row.per_sec),
                    ms(row.latencies.p50()),
                    ms(row.latencies.p99()),
                    row.errors
                );
            }
            let _ = writeln!(
                out,
                "\nminga on PostgreSQL / pgbench: **{}**",
                ratio(writes.postgres.per_sec, writes.pgbench.per_sec)
            );
        }
        for (title, pair) in [("cross-node", &self.cross_node), ("1% stalled", &self.stall)] {
            let Some((base, other)) = pair else { continue };
            let (first, second) = if title == "cross-node" {
                ("posted on A, subscribers on A", "posted on A, subscribers on B")
            } else {
                ("no subscriber stalled", "1% stalled (not counted)")
            };
            let _ = writeln!(out, "\n| {title} | subscribers | p50 ms | p99 ms | max ms | lost | dropped |");
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
            for (label, outcome) in [(first, base), (second, other)] {
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} | {} | {} | {} | {} |",
                    count(outcome.subscribers as f64),
                    ms(outcome.latencies.p50()),
                    ms(outcome.latencies.p99()),
                    ms(outcome.latencies.max()),
                    outcome.lost,
                    outcome.dropped
                );
            }
        }
        self.targets(&mut out);
        out
    }

    fn fanout_tables(&self, out: &mut String) {
        if self.fanout.is_empty() {
            return;
        }
        let _ = writeln!(out, "| subscribers | server | p50 ms | p99 ms | max ms | deliveries/s | KiB per idle socket | server CPU ms per 1k deliveries | lost | dropped |");
        let _ = writeln!(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for row in &self.fanout {
            let o = &row.outcome;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {} | {} |",
                count(row.subscribers as f64),
                row.server,
                ms(o.latencies.p50()),
                ms(o.latencies.p99()),
                ms(o.latencies.max()),
                count(o.deliveries_per_sec),
                o.kib_per_socket(row.subscribers),
                o.cpu_per_1k.as_secs_f64() * 1000.0,
                o.lost,
                o.dropped
            );
        }
        let _ = writeln!(out, "\n| subscribers | p99 minga / node-ws | p99 minga / ceiling | deliveries/s minga / ceiling | deliveries/s minga / node-ws |");
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|");
        let mut sizes: Vec<usize> = self.fanout.iter().map(|row| row.subscribers).collect();
        sizes.dedup();
        for size in sizes {
            let (Some(m), Some(n), Some(c)) = (
                find(&self.fanout, "minga", size),
                find(&self.fanout, "node-ws", size),
                find(&self.fanout, "ceiling", size),
            ) else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                count(size as f64),
                ratio(p99_ms(m), p99_ms(n)),
                ratio(p99_ms(m), p99_ms(c)),
                ratio(m.deliveries_per_sec, c.deliveries_per_sec),
                ratio(m.deliveries_per_sec, n.deliveries_per_sec)
            );
        }
    }

    fn targets(&self, out: &mut String) {
        let _ = writeln!(out, "\n| target | measured | |\n|---|---|---|");
        let mut line = |target: &str, measured: String, met: bool| {
            let _ = writeln!(out, "| {target} | {measured} | {} |", verdict(met));
        };
        let at = 5000;
        if let (Some(m), Some(n), Some(c)) =
            (find(&self.fanout, "minga", at), find(&self.fanout, "node-ws", at), find(&self.fanout, "ceiling", at))
        {
            let (pm, pn, pc) = (p99_ms(m), p99_ms(n), p99_ms(c));
            line("fan-out p99 at 5,000 below the Node peer's", format!("{pm:.1} ms vs {pn:.1} ms"), pm < pn);
            line("fan-out p99 at 5,000 within 1.2x the ceiling's", format!("{} x", ratio(pm, pc)), pm <= 1.2 * pc);
            let dr = m.deliveries_per_sec / c.deliveries_per_sec.max(1.0);
            line("deliveries/s at least 0.65x the ceiling's", format!("{dr:.2} x"), dr >= 0.65);
        }
        if let Some(largest) = self.fanout.iter().filter(|row| row.server == "minga").max_by_key(|row| row.subscribers)
        {
            let kib = largest.outcome.kib_per_socket(largest.subscribers);
            let measured = format!("{kib:.1} KiB (at {} sockets)", count(largest.subscribers as f64));
            line("at most 8 KiB of server memory per idle websocket", measured, kib <= 8.0);
        }
        if let Some(writes) = &self.writes {
            let r = writes.postgres.per_sec / writes.pgbench.per_sec.max(1.0);
            line("comment writes on PostgreSQL at least 0.7x pgbench", format!("{r:.2} x"), r >= 0.7);
        }
        if let Some((same, cross)) = &self.cross_node {
            let added = p99_ms(cross) - p99_ms(same);
            line("cross-node delivery adds at most 10 ms p99", format!("{added:+.1} ms"), added <= 10.0);
        }
        if let Some((base, stalled)) = &self.stall {
            let change = p99_ms(stalled) / p99_ms(base).max(0.001) - 1.0;
            line(
                "1% stalled: the others' p99 moves by less than 10%",
                format!("{:+.0}%", change * 100.0),
                change.abs() < 0.10,
            );
        }
    }
}
