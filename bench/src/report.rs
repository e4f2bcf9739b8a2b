//! The report: markdown tables with the figures and the ratios from this
//! run, and each of the targets checked against them. Where a
//! configuration ran several times, the run with the median p99 is shown,
//! with every run's p99 beside it.

use std::fmt::Write;

use crate::fanout::Outcome;
use crate::stats::{count, ms, ratio};
use crate::suite::{CrossRow, FanoutRow, Runs, WriteRows};

#[derive(Default)]
pub struct Report {
    pub fanout: Vec<FanoutRow>,
    pub writes: Option<WriteRows>,
    pub cross_node: Vec<CrossRow>,
    pub stall: Option<(Runs, Runs)>,
}

fn find(rows: &[FanoutRow], server: &str, size: usize) -> Option<Outcome> {
    rows.iter().find(|row| row.server == server && row.subscribers == size).map(|row| row.runs.median())
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

fn latency_row(out: &mut String, label: &str, runs: &Runs) {
    let o = runs.median();
    let _ = writeln!(
        out,
        "| {label} | {} | {} | {} | {} | {} | {} | {} |",
        count(o.subscribers as f64),
        ms(o.latencies.p50()),
        ms(o.latencies.p99()),
        ms(o.latencies.max()),
        runs.p99s(),
        o.lost,
        o.dropped
    );
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
            let rows = [
                ("minga, PostgreSQL (comment POST)", &writes.postgres),
                ("minga, SQLite (comment POST)", &writes.sqlite),
                ("pgbench BEGIN/INSERT/COMMIT", &writes.pgbench),
            ];
            for (label, row) in rows {
                let (p50, p99) = (ms(row.latencies.p50()), ms(row.latencies.p99()));
                let _ = writeln!(out, "| {label} | {} | {p50} | {p99} | {} |", count(row.per_sec), row.errors);
            }
        }
        if !self.cross_node.is_empty() {
            let _ = writeln!(out, "\n| cross-node (posts on node A) | subscribers | p50 ms | p99 ms | max ms | p99 of each run | lost | dropped |");
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---:|---:|");
            for row in &self.cross_node {
                let load = format!("{} in flight", row.in_flight);
                latency_row(&mut out, &format!("subscribers on A, {load}"), &row.same);
                latency_row(&mut out, &format!("subscribers on B, {load}"), &row.cross);
            }
        }
        if let Some((base, stalled)) = &self.stall {
            let _ = writeln!(out, "\n| stalled clients | counted subscribers | p50 ms | p99 ms | max ms | p99 of each run | lost | dropped |");
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---:|---:|");
            latency_row(&mut out, "none stalled", base);
            latency_row(&mut out, "1% stalled (not counted)", stalled);
        }
        self.targets(&mut out);
        out
    }

    fn fanout_tables(&self, out: &mut String) {
        if self.fanout.is_empty() {
            return;
        }
        let _ = writeln!(out, "| subscribers | server | p50 ms | p99 ms | max ms | p99 of each run | deliveries/s | KiB per idle socket | server CPU ms per 1k deliveries | lost | dropped |");
        let _ = writeln!(out, "|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        for row in &self.fanout {
            let o = row.runs.median();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {} | {} |",
                count(row.subscribers as f64),
                row.server,
                ms(o.latencies.p50()),
                ms(o.latencies.p99()),
                ms(o.latencies.max()),
                row.runs.p99s(),
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
                ratio(p99_ms(&m), p99_ms(&n)),
                ratio(p99_ms(&m), p99_ms(&c)),
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
            let (pm, pn, pc) = (p99_ms(&m), p99_ms(&n), p99_ms(&c));
            line("fan-out p99 at 5,000 below the Node peer's", format!("{pm:.1} ms vs {pn:.1} ms"), pm < pn);
            line("fan-out p99 at 5,000 within 1.2x the ceiling's", format!("{} x", ratio(pm, pc)), pm <= 1.2 * pc);
            let dr = m.deliveries_per_sec / c.deliveries_per_sec.max(1.0);
            line("deliveries/s at 5,000 at least 0.65x the ceiling's", format!("{dr:.2} x"), dr >= 0.65);
        }
        if let Some(largest) = self.fanout.iter().filter(|row| row.server == "minga").max_by_key(|row| row.subscribers)
        {
            let kib = largest.runs.median().kib_per_socket(largest.subscribers);
            let measured = format!("{kib:.1} KiB (at {} sockets)", count(largest.subscribers as f64));
            line("at most 8 KiB of server memory per idle websocket", measured, kib <= 8.0);
        }
        if let Some(writes) = &self.writes {
            let r = writes.postgres.per_sec / writes.pgbench.per_sec.max(1.0);
            line("comment writes on PostgreSQL at least 0.7x pgbench", format!("{r:.2} x"), r >= 0.7);
        }
        for row in &self.cross_node {
            let added = p99_ms(&row.cross.median()) - p99_ms(&row.same.median());
            let target = format!(
                "cross-node adds at most 10 ms p99 ({} subscribers, {} in flight)",
                row.subscribers, row.in_flight
            );
            line(&target, format!("{added:+.1} ms"), added <= 10.0);
        }
        if let Some((base, stalled)) = &self.stall {
            let change = p99_ms(&stalled.median()) / p99_ms(&base.median()).max(0.001) - 1.0;
            let measured = format!("{:+.0}%", change * 100.0);
            line("1% stalled: the others' p99 moves by less than 10%", measured, change.abs() < 0.10);
        }
    }
}
