//! Both backends' migrations make the same schema: the same tables with the
//! same column names, read from each database's own catalog. A backup taken
//! on one restores on the other only while this holds.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use minga_tests::{settings_for, Backend, TestDb};
use sqlx::{Connection, Row};

type Schema = BTreeMap<String, BTreeSet<String>>;

async fn schema_of(db: &TestDb) -> Schema {
    let mut schema = Schema::new();
    match db.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '_sqlx_migrations'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for table in tables {
                let columns = sqlx::query("SELECT name FROM pragma_table_info($1)")
                    .bind(&table)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get::<String, _>("name"))
                    .collect();
                schema.insert(table, columns);
            }
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let rows = sqlx::query(
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for row in rows {
                schema.entry(row.get(0)).or_default().insert(row.get(1));
            }
        }
    }
    schema
}

async fn migrated(backend: Backend) -> (TestDb, Schema) {
    let db = TestDb::create(backend).await;
    minga::state::open(&settings_for(&db.url, &[])).await.unwrap();
    let schema = schema_of(&db).await;
    (db, schema)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_make_the_same_tables_and_columns() {
    let (_sqlite, on_sqlite) = migrated(Backend::Sqlite).await;
    let (_postgres, on_postgres) = migrated(Backend::Postgres).await;
    assert!(on_sqlite.contains_key("events") && on_sqlite.len() > 10, "{on_sqlite:?}");
    let tables = |schema: &Schema| schema.keys().cloned().collect::<Vec<_>>();
    assert_eq!(tables(&on_sqlite), tables(&on_postgres), "the same tables");
    for (table, columns) in &on_sqlite {
        assert_eq!(columns, &on_postgres[table], "the same columns in {table}");
    }
}
