//! `minga backup` and `minga restore` through the real binary: a forum's
//! whole record moves SQLite -> PostgreSQL -> SQLite (and PostgreSQL ->
//! SQLite) with every id, seq and hash the same and `minga verify` clean;
//! a restore refuses what it must and then leaves the target empty; a
//! backup taken while people write is consistent.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{accept_invitation, drop_database, minga, postgres_database, run, secretariat, Api, Dir, Server};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Connection;

/// A member organization with a signed-in delegate.
async fn delegate(secretariat: &Api, base: &str, name: &str, email: &str) -> (String, Api) {
    let org = json!({"name": name, "short_name": &name[..3], "kind": "member"});
    let org = secretariat.call(base, Method::POST, "/api/v1/organizations", Some(org)).await;
    let org_id = org["id"].as_str().unwrap().to_owned();
    let invitation = json!({"email": email, "organization_id": org_id, "role": "delegate"});
    let invitation = secretariat.call(base, Method::POST, "/api/v1/invitations", Some(invitation)).await;
    (org_id, accept_invitation(base, invitation["token"].as_str().unwrap(), name).await)
}

/// A forum's record with a bit of everything: organizations, people, a pending invitation, a charter,
/// proposals with a revision, comments (a reply, an edit, a flag), a closed public ballot, a closed
/// secret ballot and a checkpoint, which is kept in `dir/checkpoint.json`.
async fn fill(dir: &Path, env: &[(&str, &str)]) {
    let mut server = Server::start(dir, env);
    server.wait_ready().await;
    let base = server.base.clone();
    let sec = secretariat(dir, env, &base).await;
    let (_, a) = delegate(&sec, &base, "Fundación Esperanza", "a@foro.ec").await;
    let (_, b) = delegate(&sec, &base, "Red Migrante", "b@foro.ec").await;
    let observers = json!({"name": "Universidad Andina", "short_name": "UA", "kind": "observer"});
    let observers = sec.call(&base, Method::POST, "/api/v1/organizations", Some(observers)).await;
    let pending = json!({"email": "obs@uandina.ec", "organization_id": observers["id"], "role": "observer"});
    sec.call(&base, Method::POST, "/api/v1/invitations", Some(pending)).await;

    let document = sec.call(&base, Method::POST, "/api/v1/documents", Some(json!({"title": "Estatuto"}))).await;
    let document = document["id"].as_str().unwrap().to_owned();
    let text = "# Estatuto\n\n## Disposiciones generales\n\n### Art. 1.- Sede\n\nLa asamblea sesiona en Quito.\n\n\
                ### Art. 2.- Fines\n\nAcompañar a las personas en movilidad.\n";
    let imported: Value = sec
        .client
        .post(format!("{base}/api/v1/documents/{document}/import"))
        .bearer_auth(&sec.token)
        .header("content-type", "text/markdown")
        .body(text)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let article =
        imported["sections"].as_array().unwrap().iter().find(|s| s["kind"] == "article").unwrap()["id"].clone();
    let proposals = format!("/api/v1/documents/{document}/proposals");
    let amendment = json!({"kind": "amend", "section_id": article, "title": "Sede rotativa",
        "body": "La asamblea sesiona cada año en una provincia distinta.", "rationale": "Más participación."});
    let amendment = a.call(&base, Method::POST, &proposals, Some(amendment)).await["id"].as_str().unwrap().to_owned();
    let revision = json!({"body": "La asamblea sesiona cada año en otra provincia.", "note": "Más corto."});
    a.call(&base, Method::POST, &format!("/api/v1/proposals/{amendment}/revisions"), Some(revision)).await;
    let comments = format!("/api/v1/proposals/{amendment}/comments");
    let first = a.call(&base, Method::POST, &comments, Some(json!({"body": "¿Y la costa?"}))).await;
    let first = first["id"].as_str().unwrap().to_owned();
    let reply = json!({"body": "También, por turnos.", "parent_id": first});
    let reply = b.call(&base, Method::POST, &comments, Some(reply)).await["id"].as_str().unwrap().to_owned();
    let replies = json!({"body": "De acuerdo.", "parent_id": reply});
    a.call(&base, Method::POST, &comments, Some(replies)).await;
    a.call(
        &base,
        Method::PATCH,
        &format!("/api/v1/comments/{first}"),
        Some(json!({"body": "¿Y la costa? ¿Y la Amazonía?"})),
    )
    .await;
    b.call(&base, Method::POST, &format!("/api/v1/comments/{first}/flag"), Some(json!({"reason": "Fuera de tema"})))
        .await;

    let public = json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": true});
    let ballot = sec.call(&base, Method::POST, &format!("/api/v1/proposals/{amendment}/ballot"), Some(public)).await;
    let ballot = ballot["id"].as_str().unwrap().to_owned();
    for (voter, choice) in [(&a, "yes"), (&b, "no"), (&sec, "yes"), (&b, "yes")] {
        voter
            .call(&base, Method::PUT, &format!("/api/v1/ballots/{ballot}/vote"), Some(json!({"choice": choice})))
            .await;
    }
    sec.call(&base, Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None).await;

    let motion = json!({"kind": "general", "title": "Sesionar en línea", "body": "Cada mes.", "rationale": "Costos."});
    let motion = b.call(&base, Method::POST, &proposals, Some(motion)).await["id"].as_str().unwrap().to_owned();
    let secret = json!({"majority": "two_thirds", "quorum": 0.5, "secret": true, "live_results": false});
    let ballot = sec.call(&base, Method::POST, &format!("/api/v1/proposals/{motion}/ballot"), Some(secret)).await;
    let ballot = ballot["id"].as_str().unwrap().to_owned();
    for (voter, choice) in [(&a, "yes"), (&b, "no"), (&b, "abstain")] {
        voter
            .call(&base, Method::PUT, &format!("/api/v1/ballots/{ballot}/vote"), Some(json!({"choice": choice})))
            .await;
    }
    sec.call(&base, Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None).await;

    sec.call(&base, Method::POST, "/api/v1/checkpoints", None).await;
    let latest = sec.call(&base, Method::GET, "/api/v1/checkpoints/latest", None).await;
    std::fs::write(dir.join("checkpoint.json"), latest.to_string()).unwrap();
    assert!(server.terminate().success());
}

fn succeeded(output: Output, what: &str) -> Output {
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn backup(dir: &Path, env: &[(&str, &str)], file: &Path) {
    succeeded(run(minga(dir, env).arg("backup").arg("--output").arg(file)), "minga backup");
    assert!(!PathBuf::from(format!("{}.partial", file.display())).exists(), "no partial file is left");
}

fn restore(dir: &Path, env: &[(&str, &str)], file: &Path) -> Output {
    run(minga(dir, env).arg("restore").arg("--input").arg(file))
}

/// `minga verify --checkpoint` on the record: the chains and the kept checkpoint both hold.
fn assert_verifies(dir: &Path, env: &[(&str, &str)]) {
    let checkpoint = dir.join("checkpoint.json");
    let output = succeeded(run(minga(dir, env).arg("verify").arg("--checkpoint").arg(&checkpoint)), "minga verify");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("intact") && printed.contains("holds"), "{printed}");
}

/// A backup's rows, table by table, each row as its JSON text, sorted.
fn rows_of(file: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = String::new();
    let mut trailer = None;
    for line in text.lines().skip(1) {
        let value: Value = serde_json::from_str(line).unwrap();
        if let Some(table) = value.get("table") {
            current = table.as_str().unwrap().to_owned();
            tables.insert(current.clone(), Vec::new());
        } else if value.get("end").is_some() {
            trailer = Some(value["rows"].clone());
        } else {
            tables.get_mut(&current).unwrap().push(value.to_string());
        }
    }
    let trailer = trailer.expect("a trailer");
    for (table, rows) in &mut tables {
        assert_eq!(trailer[table.as_str()], rows.len(), "the trailer counts {table}");
        rows.sort();
    }
    tables
}

/// Timestamps cut to microseconds, what PostgreSQL keeps (SQLite keeps the nanoseconds of times the
/// server did not round itself; event times and hashes are all microseconds already).
fn to_microseconds(tables: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    use chrono::SubsecRound;
    let cut = |value: Value| match value {
        Value::String(text) => match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(at) => Value::String(
                at.with_timezone(&chrono::Utc).trunc_subsecs(6).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            ),
            Err(_) => Value::String(text),
        },
        other => other,
    };
    tables
        .iter()
        .map(|(table, rows)| {
            let mut rows: Vec<String> = rows
                .iter()
                .map(|row| {
                    let values: Vec<Value> = serde_json::from_str(row).unwrap();
                    Value::Array(values.into_iter().map(cut).collect()).to_string()
                })
                .collect();
            rows.sort();
            (table.clone(), rows)
        })
        .collect()
}

fn assert_holds_the_forum(tables: &BTreeMap<String, Vec<String>>) {
    for table in ["organizations", "users", "invitations", "documents", "sections", "proposals", "proposal_revisions"]
        .into_iter()
        .chain(["comments", "comment_edits", "flags", "ballots", "votes", "vote_casts", "events", "checkpoints"])
    {
        assert!(tables.get(table).is_some_and(|rows| !rows.is_empty()), "the backup holds rows of {table}: {tables:?}");
    }
}

async fn sign_in_works(dir: &Path, env: &[(&str, &str)]) {
    let mut server = Server::start(dir, env);
    server.wait_ready().await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"email": "a@foro.ec", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the restored password hash signs in");
    assert!(server.terminate().success());
}

#[tokio::test]
async fn sqlite_to_postgres_to_sqlite_keeps_every_id_seq_and_hash() {
    let dir = Dir::new();
    fill(&dir.0, &[]).await;
    let from_sqlite = dir.0.join("from-sqlite.jsonl");
    backup(&dir.0, &[], &from_sqlite);

    let (pg_url, pg_name) = postgres_database().await;
    let pg = [("MINGA_DATABASE_URL", pg_url.as_str())];
    succeeded(restore(&dir.0, &pg, &from_sqlite), "minga restore into PostgreSQL");
    assert_verifies(&dir.0, &pg);
    let from_pg = dir.0.join("from-postgres.jsonl");
    backup(&dir.0, &pg, &from_pg);

    let copy = format!("sqlite://{}/copy/minga.db", dir.0.display());
    let sqlite_copy = [("MINGA_DATABASE_URL", copy.as_str())];
    succeeded(restore(&dir.0, &sqlite_copy, &from_pg), "minga restore into SQLite");
    assert_verifies(&dir.0, &sqlite_copy);
    let from_copy = dir.0.join("from-copy.jsonl");
    backup(&dir.0, &sqlite_copy, &from_copy);

    let (original, on_pg, back) = (rows_of(&from_sqlite), rows_of(&from_pg), rows_of(&from_copy));
    assert_holds_the_forum(&original);
    for table in ["events", "topic_heads", "checkpoints", "votes", "vote_casts", "ballots"] {
        let same = |rows: &BTreeMap<String, Vec<String>>| to_microseconds(rows)[table].clone();
        assert_eq!(same(&original), same(&on_pg), "{table} on PostgreSQL");
    }
    assert_eq!(original["events"], on_pg["events"], "events, their seqs and hashes, to the byte");
    assert_eq!(to_microseconds(&original), on_pg, "every row on PostgreSQL");
    assert_eq!(on_pg, back, "every row back on SQLite");
    sign_in_works(&dir.0, &pg).await;
    sign_in_works(&dir.0, &sqlite_copy).await;
    drop_database(&pg_name).await;
}

#[tokio::test]
async fn postgres_to_sqlite_keeps_every_row() {
    let dir = Dir::new();
    let (pg_url, pg_name) = postgres_database().await;
    let pg = [("MINGA_DATABASE_URL", pg_url.as_str())];
    fill(&dir.0, &pg).await;
    let from_pg = dir.0.join("from-postgres.jsonl");
    backup(&dir.0, &pg, &from_pg);
    succeeded(restore(&dir.0, &[], &from_pg), "minga restore into SQLite");
    assert_verifies(&dir.0, &[]);
    let from_sqlite = dir.0.join("from-sqlite.jsonl");
    backup(&dir.0, &[], &from_sqlite);
    let (on_pg, on_sqlite) = (rows_of(&from_pg), rows_of(&from_sqlite));
    assert_holds_the_forum(&on_pg);
    assert_eq!(on_pg, on_sqlite);
    sign_in_works(&dir.0, &[]).await;
    drop_database(&pg_name).await;
}

#[tokio::test]
async fn backup_to_standard_output_is_the_backup_alone() {
    let dir = Dir::new();
    let invite = run(minga(&dir.0, &[]).args(["invite", "--email", "sec@foro.ec", "--organization", "Secretaría"]));
    succeeded(invite, "minga invite");
    let output = succeeded(run(minga(&dir.0, &[]).args(["backup", "--output", "-"])), "minga backup --output -");
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(r#"{"format":"minga-backup","version":1,"#), "{}", lines[0]);
    assert!(lines.iter().all(|line| serde_json::from_str::<Value>(line).is_ok()), "only JSON lines: {text}");
    assert!(lines.last().unwrap().starts_with(r#"{"end":"minga-backup""#));
    let file = dir.0.join("piped.jsonl");
    std::fs::write(&file, &text).unwrap();
    let copy = format!("sqlite://{}/copy/minga.db", dir.0.display());
    let mut restore = minga(&dir.0, &[("MINGA_DATABASE_URL", copy.as_str())]);
    let restored =
        restore.args(["restore", "--input", "-"]).stdin(std::fs::File::open(&file).unwrap()).output().unwrap();
    succeeded(restored, "minga restore --input -");
}

/// Every row of every table but migration bookkeeping.
async fn total_rows(url: &str) -> i64 {
    let mut total = 0;
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for table in tables {
            let count: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\"")).fetch_one(&mut conn).await.unwrap();
            total += count;
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for table in tables {
            let count: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\"")).fetch_one(&mut conn).await.unwrap();
            total += count;
        }
    }
    total
}

/// A restore that must fail: non-zero exit, `expected` in its message, and the target left as it was.
async fn refused(dir: &Path, url: &str, file: &Path, expected: &str, rows_before: i64) {
    let output = restore(dir, &[("MINGA_DATABASE_URL", url)], file);
    let message = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!output.status.success(), "the restore of {} was refused", file.display());
    assert!(message.contains(expected), "the message says {expected:?}: {message}");
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(total_rows(url).await, rows_before, "the target is unchanged: {message}");
}

/// Writes `lines` (edited from a good backup) to `name`.
fn edited(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    file
}

async fn refusals_leave_the_target_as_it_was(target_on_postgres: bool) {
    let dir = Dir::new();
    let invite = run(minga(&dir.0, &[]).args(["invite", "--email", "sec@foro.ec", "--organization", "Secretaría"]));
    succeeded(invite, "minga invite");
    let good = dir.0.join("good.jsonl");
    backup(&dir.0, &[], &good);
    let lines: Vec<String> = std::fs::read_to_string(&good).unwrap().lines().map(str::to_owned).collect();
    let (url, pg_name) = if target_on_postgres {
        let (url, name) = postgres_database().await;
        (url, Some(name))
    } else {
        (format!("sqlite://{}/target/minga.db", dir.0.display()), None)
    };

    let truncated = edited(&dir.0, "truncated.jsonl", &lines[..lines.len() - 1]);
    let output = restore(&dir.0, &[("MINGA_DATABASE_URL", url.as_str())], &truncated);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cut short"), "{output:?}");
    assert_eq!(total_rows(&url).await, 0, "a cut-off file leaves the target empty");

    let mut header: Value = serde_json::from_str(&lines[0]).unwrap();
    header["migrations"] = json!([1, 2]);
    let mut other = lines.clone();
    other[0] = header.to_string();
    refused(&dir.0, &url, &edited(&dir.0, "other.jsonl", &other), "migrations", 0).await;

    let mut garbled = lines.clone();
    garbled[4] = "[\"0190\", tru".to_owned();
    refused(&dir.0, &url, &edited(&dir.0, "garbled.jsonl", &garbled), "line 5", 0).await;

    let table_line = lines.iter().position(|line| line.starts_with(r#"{"table":"users""#)).unwrap();
    let mut renamed = lines.clone();
    renamed[table_line] = renamed[table_line].replace("\"display_name\"", "\"nickname\"");
    refused(&dir.0, &url, &edited(&dir.0, "renamed.jsonl", &renamed), "do not match", 0).await;

    let mut miscounted = lines.clone();
    let last = miscounted.len() - 1;
    let mut trailer: Value = serde_json::from_str(&miscounted[last]).unwrap();
    trailer["rows"]["organizations"] = json!(trailer["rows"]["organizations"].as_u64().unwrap() + 1);
    miscounted[last] = trailer.to_string();
    refused(&dir.0, &url, &edited(&dir.0, "miscounted.jsonl", &miscounted), "trailer", 0).await;

    succeeded(restore(&dir.0, &[("MINGA_DATABASE_URL", url.as_str())], &good), "the good file restores");
    let restored = total_rows(&url).await;
    assert!(restored > 0);
    refused(&dir.0, &url, &good, "the database is not empty", restored).await;
    if let Some(name) = pg_name {
        drop_database(&name).await;
    }
}

#[tokio::test]
async fn restore_into_sqlite_refuses_bad_files_and_a_non_empty_database() {
    refusals_leave_the_target_as_it_was(false).await;
}

#[tokio::test]
async fn restore_into_postgres_refuses_bad_files_and_a_non_empty_database() {
    refusals_leave_the_target_as_it_was(true).await;
}
