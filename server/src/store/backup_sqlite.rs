//! Backup and restore on SQLite: the catalog is `sqlite_master` and the
//! `pragma_*` table functions; a deferred transaction over WAL is the
//! consistent snapshot.

use std::str::FromStr;

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Row, Sqlite, Transaction};

use super::backup::{quote, select_sql, Column, Loader, Reference, Snapshot, TableSchema};
use super::backup_values::{bind_cell, read_cell, Cell, Kind};
use super::sqlite::SqliteStore;
use super::MetaStore;

async fn connect(url: &str) -> anyhow::Result<SqliteStore> {
    SqliteStore::connect(url, crate::bus::LocalBus::new(1)).await
}

/// The file a SQLite URL names, to refuse backing up one that is not there
/// (connecting would create it).
fn file_of(url: &str) -> anyhow::Result<std::path::PathBuf> {
    let url = if url.starts_with("sqlite:") { url.to_owned() } else { format!("sqlite://{url}") };
    Ok(sqlx::sqlite::SqliteConnectOptions::from_str(&url)?.get_filename().to_path_buf())
}

pub(super) async fn snapshot(url: &str) -> anyhow::Result<Box<dyn Snapshot>> {
    let file = file_of(url)?;
    if !file.exists() {
        anyhow::bail!("there is no SQLite database at {}", file.display());
    }
    let store = connect(url).await?;
    // Deferred: the snapshot is taken at the first read, and in WAL mode
    // the server's writers go on meanwhile without waiting for it.
    let tx = store.pool.begin().await?;
    Ok(Box::new(SqliteSide { tx }))
}

pub(super) async fn loader(url: &str) -> anyhow::Result<Box<dyn Loader>> {
    let store = connect(url).await?;
    store.migrate().await?;
    // IMMEDIATE: the write lock from the start, so the emptiness check
    // still holds when the rows go in.
    let tx = store.writer.begin_with("BEGIN IMMEDIATE").await?;
    Ok(Box::new(SqliteSide { tx }))
}

struct SqliteSide {
    tx: Transaction<'static, Sqlite>,
}

impl SqliteSide {
    async fn migrations(&mut self) -> anyhow::Result<Vec<i64>> {
        let versions = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(|err| anyhow::anyhow!("not a Minga database (no migrations table): {err}"))?;
        Ok(versions)
    }

    async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND name <> '_sqlx_migrations' ORDER BY name",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        let mut tables = Vec::with_capacity(names.len());
        for name in names {
            let info = sqlx::query("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(&name)
                .fetch_all(&mut *self.tx)
                .await?;
            let mut columns = Vec::with_capacity(info.len());
            let mut keyed = Vec::new();
            for row in info {
                let column: String = row.try_get("name")?;
                let declared: String = row.try_get("type")?;
                let pk: i64 = row.try_get("pk")?;
                let kind = Kind::of_sqlite(&declared).ok_or_else(|| {
                    anyhow::anyhow!("column {name}.{column} has type {declared:?}, which backups do not know")
                })?;
                if pk > 0 {
                    keyed.push((pk, column.clone()));
                }
                columns.push(Column { name: column, kind });
            }
            keyed.sort();
            let references = sqlx::query(r#"SELECT "table", "from", "to" FROM pragma_foreign_key_list($1)"#)
                .bind(&name)
                .fetch_all(&mut *self.tx)
                .await?
                .into_iter()
                .map(|row| {
                    let to: Option<String> = row.try_get("to")?;
                    Ok(Reference {
                        table: row.try_get("table")?,
                        column: row.try_get("from")?,
                        to_column: to.unwrap_or_else(|| "id".to_owned()),
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            tables.push(TableSchema {
                name,
                columns,
                primary_key: keyed.into_iter().map(|(_, column)| column).collect(),
                references,
            });
        }
        Ok(tables)
    }

    async fn count(&mut self, table: &str) -> anyhow::Result<u64> {
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(table))).fetch_one(&mut *self.tx).await?;
        Ok(u64::try_from(count)?)
    }
}

super::backup::snapshot_side!(SqliteSide);

#[async_trait::async_trait]
impl Loader for SqliteSide {
    async fn migrations(&mut self) -> anyhow::Result<Vec<i64>> {
        SqliteSide::migrations(self).await
    }

    async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>> {
        SqliteSide::tables(self).await
    }

    async fn has_rows(&mut self, table: &str) -> anyhow::Result<bool> {
        Ok(SqliteSide::count(self, table).await? > 0)
    }

    /// Anonymous: SQLite looks a numbered parameter's name up in a list,
    /// for each parameter, which made a restore of 100,000 rows take 36 s.
    fn placeholder(&self) -> fn(usize) -> String {
        |_| "?".to_owned()
    }

    async fn insert(&mut self, sql: &str, cells: Vec<Cell>) -> anyhow::Result<()> {
        let query = cells.into_iter().fold(sqlx::query(sql), bind_cell);
        query.execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> anyhow::Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}
