//! Backup and restore on PostgreSQL: the catalog is `information_schema`
//! and `pg_catalog` (the current schema only); a `REPEATABLE READ READ ONLY`
//! transaction is the consistent snapshot.

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Postgres, Row, Transaction};

use super::backup::{quote, select_sql, Column, Loader, Reference, Snapshot, TableSchema};
use super::backup_values::{bind_cell, read_cell, Cell, Kind};
use super::postgres::PostgresStore;
use super::MetaStore;

async fn connect(url: &str) -> anyhow::Result<PostgresStore> {
    PostgresStore::connect(url, crate::bus::LocalBus::new(1)).await
}

pub(super) async fn snapshot(url: &str) -> anyhow::Result<Box<dyn Snapshot>> {
    let store = connect(url).await?;
    let tx = store.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
    Ok(Box::new(PgSide { tx }))
}

pub(super) async fn loader(url: &str) -> anyhow::Result<Box<dyn Loader>> {
    let store = connect(url).await?;
    store.migrate().await?;
    let tx = store.pool.begin().await?;
    Ok(Box::new(PgSide { tx }))
}

struct PgSide {
    tx: Transaction<'static, Postgres>,
}

const TABLES: &str = "SELECT table_name::text FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' \
     ORDER BY table_name";

const COLUMNS: &str = "SELECT column_name::text, data_type::text FROM information_schema.columns \
     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";

const PRIMARY_KEY: &str = "SELECT a.attname::text FROM pg_index i \
     JOIN pg_class c ON c.oid = i.indrelid \
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
     WHERE c.relname = $1 AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) \
     AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)";

/// Single-column foreign keys, which are all Minga has; a key of several
/// columns would be named by its first, which is enough to order tables.
const REFERENCES: &str = "SELECT a.attname::text, r.relname::text, ra.attname::text FROM pg_constraint k \
     JOIN pg_class c ON c.oid = k.conrelid \
     JOIN pg_class r ON r.oid = k.confrelid \
     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
     JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1] \
     WHERE k.contype = 'f' AND c.relname = $1 \
     AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())";

impl PgSide {
    async fn migrations(&mut self) -> anyhow::Result<Vec<i64>> {
        let versions = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(|err| anyhow::anyhow!("not a Minga database (no migrations table): {err}"))?;
        Ok(versions)
    }

    async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>> {
        let names: Vec<String> = sqlx::query_scalar(TABLES).fetch_all(&mut *self.tx).await?;
        let mut tables = Vec::with_capacity(names.len());
        for name in names {
            let columns = sqlx::query(COLUMNS)
                .bind(&name)
                .fetch_all(&mut *self.tx)
                .await?
                .into_iter()
                .map(|row| {
                    let column: String = row.try_get(0)?;
                    let data_type: String = row.try_get(1)?;
                    let kind = Kind::of_postgres(&data_type).ok_or_else(|| {
                        anyhow::anyhow!("column {name}.{column} has type {data_type:?}, which backups do not know")
                    })?;
                    Ok(Column { name: column, kind })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let primary_key = sqlx::query_scalar(PRIMARY_KEY).bind(&name).fetch_all(&mut *self.tx).await?;
            let references = sqlx::query(REFERENCES)
                .bind(&name)
                .fetch_all(&mut *self.tx)
                .await?
                .into_iter()
                .map(|row| {
                    Ok(Reference { column: row.try_get(0)?, table: row.try_get(1)?, to_column: row.try_get(2)? })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            tables.push(TableSchema { name, columns, primary_key, references });
        }
        Ok(tables)
    }

    async fn count(&mut self, table: &str) -> anyhow::Result<u64> {
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(table))).fetch_one(&mut *self.tx).await?;
        Ok(u64::try_from(count)?)
    }

    /// Minga's ids are UUIDs made in Rust, so there are no sequences today;
    /// one added later must not hand out numbers the restored rows hold.
    async fn reset_sequences(&mut self) -> anyhow::Result<()> {
        let owned: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        for (table, column) in owned {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({column}), 0) + 1, false) FROM {table}",
                column = quote(&column),
                table = quote(&table)
            );
            sqlx::query(&sql).bind(quote(&table)).bind(&column).execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

super::backup::snapshot_side!(PgSide);

#[async_trait::async_trait]
impl Loader for PgSide {
    async fn migrations(&mut self) -> anyhow::Result<Vec<i64>> {
        PgSide::migrations(self).await
    }

    async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>> {
        PgSide::tables(self).await
    }

    async fn has_rows(&mut self, table: &str) -> anyhow::Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table));
        Ok(sqlx::query_scalar(&sql).fetch_one(&mut *self.tx).await?)
    }

    fn placeholder(&self) -> fn(usize) -> String {
        |n| format!("${n}")
    }

    async fn insert(&mut self, sql: &str, cells: Vec<Cell>) -> anyhow::Result<()> {
        let query = cells.into_iter().fold(sqlx::query(sql), bind_cell);
        query.execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> anyhow::Result<()> {
        self.reset_sequences().await?;
        self.tx.commit().await?;
        Ok(())
    }
}
