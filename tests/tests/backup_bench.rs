//! How long `backup` and `restore` take on a record of 100,000 events, on
//! each backend and across them. Ignored by default; run in release:
//! `cargo test -p minga-tests --release --test backup_bench -- --ignored --nocapture`
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use minga::domain::chain::{link_hash, Link, GENESIS};
use minga_tests::{settings_for, Backend, TestDb};

const TOPICS: usize = 100;
const EVENTS_PER_TOPIC: usize = 1000;
const ROWS_PER_INSERT: usize = 500;

/// 100,000 chained events (100 topics of 1,000), written straight to the
/// tables (the store would take minutes), with hashes `verify` accepts.
async fn fill(db: &TestDb) {
    minga::state::open(&settings_for(&db.url, &[])).await.unwrap();
    let at = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut heads = Vec::new();
    let mut events = Vec::new();
    for t in 0..TOPICS {
        let topic = format!("proposal:{}", uuid::Uuid::now_v7());
        let mut previous = GENESIS.to_owned();
        for seq in 1..=EVENTS_PER_TOPIC as i64 {
            let data = format!(r#"{{"comment":{{"body":"Comentario {seq} del tema {t}, con algo de texto."}}}}"#);
            let link = Link { topic: &topic, seq, kind: "comment.created", data: &data, actor: None, at: &at_text };
            previous = link_hash(&previous, &link);
            events.push((topic.clone(), seq, data, previous.clone()));
        }
        heads.push((topic, EVENTS_PER_TOPIC as i64, previous));
    }
    macro_rules! insert_all {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await.unwrap();
            for (topic, seq, hash) in &heads {
                sqlx::query("INSERT INTO topic_heads (topic, seq, hash) VALUES ($1, $2, $3)")
                    .bind(topic)
                    .bind(seq)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            for chunk in events.chunks(ROWS_PER_INSERT) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        format!(
                            "(${}, ${}, 'comment.created', ${}, ${}, ${})",
                            i * 5 + 1,
                            i * 5 + 2,
                            i * 5 + 3,
                            i * 5 + 4,
                            i * 5 + 5
                        )
                    })
                    .collect();
                let sql = format!("INSERT INTO events (topic, seq, kind, data, at, hash) VALUES {}", values.join(", "));
                let mut query = sqlx::query(&sql);
                for (topic, seq, data, hash) in chunk {
                    query = query.bind(topic).bind(seq).bind(data).bind(at).bind(hash);
                }
                query.execute(&mut *tx).await.unwrap();
            }
            tx.commit().await.unwrap();
        }};
    }
    match db.backend {
        Backend::Sqlite => insert_all!(sqlx::SqlitePool::connect(&db.url).await.unwrap()),
        Backend::Postgres => insert_all!(sqlx::PgPool::connect(&db.url).await.unwrap()),
    }
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

async fn restored_verifies(db: &TestDb) {
    let state = minga::state::open(&settings_for(&db.url, &[])).await.unwrap();
    let report = state.store.verify_chains().await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.events, TOPICS * EVENTS_PER_TOPIC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
async fn backup_and_restore_of_100_000_events() {
    let dir = minga_tests::db::TempDir::new(&format!("minga-bench-{}", uuid::Uuid::now_v7().simple()));
    for source in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::create(source).await;
        fill(&db).await;
        let file = dir.0.join(format!("{}.jsonl", name(source)));
        let started = Instant::now();
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&file).unwrap());
        let summary = minga::store::backup(&db.url, &mut out).await.unwrap();
        out.flush().unwrap();
        let backup_time = started.elapsed();
        let size = std::fs::metadata(&file).unwrap().len();
        println!(
            "backup  {:<10}            {} events, {} rows, {:.1} MB: {:.2} s",
            name(source),
            summary.rows["events"],
            summary.rows.values().sum::<u64>(),
            size as f64 / 1e6,
            backup_time.as_secs_f64()
        );
        for target in [Backend::Sqlite, Backend::Postgres] {
            let copy = TestDb::create(target).await;
            let started = Instant::now();
            let mut input = BufReader::with_capacity(1 << 20, std::fs::File::open(&file).unwrap());
            let restored = minga::store::restore(&copy.url, &mut input).await.unwrap();
            let restore_time = started.elapsed();
            println!(
                "restore {:<10} -> {:<10} {} events: {:.2} s",
                name(source),
                name(target),
                restored.rows["events"],
                restore_time.as_secs_f64()
            );
            restored_verifies(&copy).await;
        }
    }
}
