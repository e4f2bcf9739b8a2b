//! The raw contents of a test database, table by table, read past the
//! server: what a thief of the disk (or of a backup) would hold.

use sqlx::{Connection, PgConnection, Row, SqliteConnection};

use crate::db::{Backend, TestDb};

/// One stored row, its values joined as text: UUIDs in their simple form
/// (32 hex digits, as both a PostgreSQL `uuid` and a SQLite blob print once
/// dashes are dropped), lowercased.
#[derive(Debug, Clone)]
pub struct StoredRow {
    pub table: String,
    pub text: String,
}

impl TestDb {
    /// Every row of every table (migration bookkeeping aside).
    pub async fn stored_rows(&self) -> Vec<StoredRow> {
        let mut rows = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.expect("open the SQLite file");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                     AND name <> '_sqlx_migrations' ORDER BY name",
                )
                .fetch_all(&mut conn)
                .await
                .expect("list tables");
                for table in tables {
                    let columns: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{table}\")"))
                        .fetch_all(&mut conn)
                        .await
                        .expect("columns")
                        .iter()
                        .map(|row| row.get::<String, _>("name"))
                        .collect();
                    let joined =
                        columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || ',' || ");
                    let texts: Vec<String> = sqlx::query_scalar(&format!("SELECT {joined} FROM \"{table}\""))
                        .fetch_all(&mut conn)
                        .await
                        .expect("read table");
                    rows.extend(
                        texts.into_iter().map(|text| StoredRow { table: table.clone(), text: normalize(&text) }),
                    );
                }
                let _ = conn.close().await;
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.expect("connect to PostgreSQL");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
                     AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY table_name",
                )
                .fetch_all(&mut conn)
                .await
                .expect("list tables");
                for table in tables {
                    let texts: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
                        .fetch_all(&mut conn)
                        .await
                        .expect("read table");
                    rows.extend(
                        texts.into_iter().map(|text| StoredRow { table: table.clone(), text: normalize(&text) }),
                    );
                }
                let _ = conn.close().await;
            }
        }
        rows
    }
}

fn normalize(text: &str) -> String {
    text.replace('-', "").to_lowercase()
}

/// `id` as it appears in a `StoredRow`.
pub fn stored_id(id: &str) -> String {
    normalize(id)
}
