//! A backup taken while people write is one consistent moment of the record:
//! every topic's head matches the events the file holds, the trailer counts
//! what was written, and the copy restored on the other backend verifies.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::{drop_database, minga, postgres_database, run, secretariat, Dir, Server};
use reqwest::Method;
use serde_json::{json, Value};

/// Each table's column names and rows, and the trailer's counts.
struct Parsed {
    columns: BTreeMap<String, Vec<String>>,
    rows: BTreeMap<String, Vec<Vec<Value>>>,
    trailer: BTreeMap<String, u64>,
}

fn parse(file: &Path) -> Parsed {
    let text = std::fs::read_to_string(file).unwrap();
    let mut parsed = Parsed { columns: BTreeMap::new(), rows: BTreeMap::new(), trailer: BTreeMap::new() };
    let mut current = String::new();
    for line in text.lines().skip(1) {
        let value: Value = serde_json::from_str(line).unwrap();
        match value {
            Value::Array(row) => parsed.rows.get_mut(&current).unwrap().push(row),
            Value::Object(object) if object.contains_key("table") => {
                current = object["table"].as_str().unwrap().to_owned();
                let columns = object["columns"].as_array().unwrap().iter();
                parsed.columns.insert(current.clone(), columns.map(|c| c.as_str().unwrap().to_owned()).collect());
                parsed.rows.insert(current.clone(), Vec::new());
            }
            Value::Object(object) => parsed.trailer = serde_json::from_value(object["rows"].clone()).unwrap(),
            other => panic!("unexpected line {other}"),
        }
    }
    parsed
}

fn column(parsed: &Parsed, table: &str, name: &str) -> usize {
    parsed.columns[table].iter().position(|column| column == name).unwrap()
}

/// Every head is the last event of its topic in the file, and the file holds every event up to it.
fn assert_consistent(parsed: &Parsed) {
    let (topic, seq) = (column(parsed, "events", "topic"), column(parsed, "events", "seq"));
    let mut events: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in &parsed.rows["events"] {
        events.entry(row[topic].as_str().unwrap().to_owned()).or_default().push(row[seq].as_i64().unwrap());
    }
    let (head_topic, head_seq) = (column(parsed, "topic_heads", "topic"), column(parsed, "topic_heads", "seq"));
    assert_eq!(parsed.rows["topic_heads"].len(), events.len());
    for head in &parsed.rows["topic_heads"] {
        let mut seqs = events[head[head_topic].as_str().unwrap()].clone();
        seqs.sort_unstable();
        let expected: Vec<i64> = (1..=head[head_seq].as_i64().unwrap()).collect();
        assert_eq!(seqs, expected, "topic {} holds exactly its events up to the head", head[head_topic]);
    }
    for (table, rows) in &parsed.rows {
        assert_eq!(parsed.trailer[table], rows.len() as u64, "the trailer counts {table}");
    }
}

async fn backup_while_people_write(source: &[(&str, &str)], target: &[(&str, &str)]) {
    let dir = Dir::new();
    let mut server_env = source.to_vec();
    server_env.push(("MINGA_WRITES_PER_MINUTE", "1000000"));
    let mut server = Server::start(&dir.0, &server_env);
    server.wait_ready().await;
    let base = server.base.clone();
    let sec = secretariat(&dir.0, source, &base).await;
    let document = sec.call(&base, Method::POST, "/api/v1/documents", Some(json!({"title": "Estatuto"}))).await;
    let path = format!("/api/v1/documents/{}/proposals", document["id"].as_str().unwrap());
    let mut proposals = Vec::new();
    for n in 0..3 {
        let motion =
            json!({"kind": "general", "title": format!("Moción {n}"), "body": "Texto.", "rationale": "Razón."});
        proposals.push(sec.call(&base, Method::POST, &path, Some(motion)).await["id"].as_str().unwrap().to_owned());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = proposals
        .into_iter()
        .map(|proposal| {
            let (sec, base, stop, written) = (sec.clone(), base.clone(), stop.clone(), written.clone());
            tokio::spawn(async move {
                let path = format!("/api/v1/proposals/{proposal}/comments");
                while !stop.load(Ordering::Relaxed) {
                    sec.call(&base, Method::POST, &path, Some(json!({"body": "Un comentario más."}))).await;
                    written.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let file = dir.0.join("live.jsonl");
    let (dir_path, env, out) = (
        dir.0.clone(),
        source.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>(),
        file.clone(),
    );
    let output = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(minga(&dir_path, &env).arg("backup").arg("--output").arg(&out))
    })
    .await
    .unwrap();
    let during = written.load(Ordering::Relaxed);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(server.terminate().success());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(during > 0 && written.load(Ordering::Relaxed) > during, "people wrote before, during and after");

    let parsed = parse(&file);
    assert_consistent(&parsed);
    let restored = run(minga(&dir.0, target).arg("restore").arg("--input").arg(&file));
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let verified = run(minga(&dir.0, target).arg("verify"));
    let printed = String::from_utf8_lossy(&verified.stdout).to_string();
    assert!(verified.status.success(), "{printed}");
    let events = parsed.rows["events"].len();
    assert!(printed.contains(&format!("{events} events verified")), "{printed}");
}

#[tokio::test]
async fn a_backup_of_a_busy_sqlite_database_is_consistent() {
    let (url, name) = postgres_database().await;
    backup_while_people_write(&[], &[("MINGA_DATABASE_URL", url.as_str())]).await;
    drop_database(&name).await;
}

#[tokio::test]
async fn a_backup_of_a_busy_postgres_database_is_consistent() {
    let (url, name) = postgres_database().await;
    let copy = Dir::new();
    let sqlite = format!("sqlite://{}/minga.db", copy.0.display());
    backup_while_people_write(&[("MINGA_DATABASE_URL", url.as_str())], &[("MINGA_DATABASE_URL", sqlite.as_str())])
        .await;
    drop_database(&name).await;
}
