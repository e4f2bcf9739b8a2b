//! `minga backup` and `minga restore`: everything in the database as JSON
//! Lines, portable between SQLite and PostgreSQL (format version 1).
//!
//! ```text
//! {"format":"minga-backup","version":1,"created_at":"...","source":"sqlite","migrations":[1,2,...]}
//! {"table":"organizations","columns":["id","name",...]}
//! ["0190...","Fundación ...",...]            one line per row, in column order
//! {"table":"users","columns":[...]}
//! ...
//! {"end":"minga-backup","rows":{"organizations":3,"users":5,...}}
//! ```
//!
//! Tables come in foreign-key order, so a restore inserts them as they come.
//! The trailer's counts tell a complete file from one cut short.
//! The tables and their columns are read from the database's own catalog,
//! so a table added by a later migration cannot be left out unnoticed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::backup_values::{Cell, Kind};
use super::Backend;

pub const FORMAT: &str = "minga-backup";
pub const VERSION: u32 = 1;

/// PostgreSQL takes at most 65,535 parameters a statement and SQLite 32,766:
/// batches stay under both.
pub(super) const MAX_PARAMETERS: usize = 30_000;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Header {
    pub format: String,
    pub version: u32,
    pub created_at: String,
    pub source: String,
    pub migrations: Vec<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct TableLine {
    pub table: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Trailer {
    pub end: String,
    pub rows: BTreeMap<String, u64>,
}

#[derive(Debug, Clone)]
pub(super) struct Column {
    pub name: String,
    pub kind: Kind,
}

/// A foreign key of one column.
#[derive(Debug, Clone)]
pub(super) struct Reference {
    pub column: String,
    pub table: String,
    pub to_column: String,
}

/// A table as the catalog describes it.
#[derive(Debug, Clone)]
pub(super) struct TableSchema {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub references: Vec<Reference>,
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub source: Backend,
    pub rows: BTreeMap<String, u64>,
}

/// What a restore loaded.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub source: String,
    pub created_at: String,
    pub rows: BTreeMap<String, u64>,
}

/// One read transaction of the source database: every read sees the same
/// snapshot, whatever the server commits meanwhile.
#[async_trait::async_trait]
pub(super) trait Snapshot: Send {
    async fn migrations(&mut self) -> anyhow::Result<Vec<i64>>;
    async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>>;
    /// Every row of `table` (as `select_sql` orders them), given to `each`;
    /// returns how many there were.
    async fn rows(
        &mut self,
        table: &TableSchema,
        each: &mut (dyn FnMut(Vec<Value>) -> anyhow::Result<()> + Send),
    ) -> anyhow::Result<u64>;
    async fn count(&mut self, table: &str) -> anyhow::Result<u64>;
    async fn end(self: Box<Self>) -> anyhow::Result<()>;
}

/// One write transaction of the target database, migrated before it began;
/// dropped without `commit`, nothing it did is kept.
#[async_trait::async_trait]
pub(super) trait Loader: Send {
    async fn migrations(&mut self) -> anyhow::Result<Vec<i64>>;
    async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>>;
    async fn has_rows(&mut self, table: &str) -> anyhow::Result<bool>;
    /// The text of the `n`th parameter (from 1) of an insert.
    fn placeholder(&self) -> fn(usize) -> String;
    async fn insert(&mut self, sql: &str, cells: Vec<Cell>) -> anyhow::Result<()>;
    async fn commit(self: Box<Self>) -> anyhow::Result<()>;
}

/// Writes a backup of the database at `url` (SQLite or PostgreSQL) to `out`.
pub async fn backup(url: &str, out: &mut (dyn Write + Send)) -> anyhow::Result<BackupSummary> {
    let backend = Backend::of_url(url);
    let snapshot = match backend {
        Backend::Sqlite => super::backup_sqlite::snapshot(url).await?,
        Backend::Postgres => super::backup_pg::snapshot(url).await?,
    };
    dump(snapshot, backend, out).await
}

/// Loads a backup into the empty database at `url`, after migrating it.
pub async fn restore(url: &str, input: &mut (dyn BufRead + Send)) -> anyhow::Result<RestoreSummary> {
    let loader = match Backend::of_url(url) {
        Backend::Sqlite => super::backup_sqlite::loader(url).await?,
        Backend::Postgres => super::backup_pg::loader(url).await?,
    };
    super::backup_restore::load(loader, input).await
}

pub(super) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Tables ordered so that each comes after every table it refers to.
pub(super) fn foreign_key_order(mut tables: Vec<TableSchema>) -> anyhow::Result<Vec<TableSchema>> {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let names: BTreeSet<String> = tables.iter().map(|table| table.name.clone()).collect();
    let mut placed = BTreeSet::new();
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables.iter().position(|table| {
            table.references.iter().all(|reference| {
                reference.table == table.name || placed.contains(&reference.table) || !names.contains(&reference.table)
            })
        });
        let Some(index) = ready else {
            let stuck: Vec<&str> = tables.iter().map(|table| table.name.as_str()).collect();
            anyhow::bail!("the foreign keys of these tables form a cycle, which a backup cannot order: {stuck:?}");
        };
        let table = tables.remove(index);
        placed.insert(table.name.clone());
        ordered.push(table);
    }
    Ok(ordered)
}

/// The rows of a table in an order a restore can insert: by primary key,
/// and where the table refers to itself (replies to comments), parents
/// before their children.
pub(super) fn select_sql(table: &TableSchema) -> anyhow::Result<String> {
    let columns: Vec<String> = table.columns.iter().map(|column| format!("t.{}", quote(&column.name))).collect();
    let order: Vec<String> = table.primary_key.iter().map(|column| format!("t.{}", quote(column))).collect();
    let own: Vec<&Reference> = table.references.iter().filter(|reference| reference.table == table.name).collect();
    let name = quote(&table.name);
    let sql = match own.as_slice() {
        [] => {
            let order_by = if order.is_empty() { String::new() } else { format!(" ORDER BY {}", order.join(", ")) };
            format!("SELECT {} FROM {name} t{order_by}", columns.join(", "))
        }
        [parent] => {
            let (child, key) = (quote(&parent.column), quote(&parent.to_column));
            let then = if order.is_empty() { String::new() } else { format!(", {}", order.join(", ")) };
            format!(
                "WITH RECURSIVE depth_of (key, depth) AS ( \
                 SELECT {key}, 0 FROM {name} WHERE {child} IS NULL \
                 UNION ALL SELECT c.{key}, d.depth + 1 FROM {name} c JOIN depth_of d ON c.{child} = d.key) \
                 SELECT {} FROM {name} t JOIN depth_of d ON d.key = t.{key} ORDER BY d.depth{then}",
                columns.join(", ")
            )
        }
        _ => anyhow::bail!("table {} refers to itself more than once, which a backup cannot order", table.name),
    };
    Ok(sql)
}

fn write_line(out: &mut (dyn Write + Send), value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes the whole snapshot to `out`.
pub(super) async fn dump(
    mut snapshot: Box<dyn Snapshot>,
    source: Backend,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<BackupSummary> {
    let migrations = snapshot.migrations().await?;
    let tables = foreign_key_order(snapshot.tables().await?)?;
    let header = Header {
        format: FORMAT.to_owned(),
        version: VERSION,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        source: source.as_str().to_owned(),
        migrations,
    };
    write_line(out, &header)?;
    let mut rows = BTreeMap::new();
    for table in &tables {
        let columns = table.columns.iter().map(|column| column.name.clone()).collect();
        write_line(out, &TableLine { table: table.name.clone(), columns })?;
        let mut write_row = |values: Vec<Value>| write_line(out, &values);
        let written = snapshot
            .rows(table, &mut write_row)
            .await
            .map_err(|err| anyhow::anyhow!("reading table {}: {err:#}", table.name))?;
        let stored = snapshot.count(&table.name).await?;
        if written != stored {
            anyhow::bail!(
                "table {} holds {stored} rows but {written} could be ordered for a restore \
                 (a row whose parent is missing?)",
                table.name
            );
        }
        tracing::debug!(table = %table.name, rows = written, "backed up");
        rows.insert(table.name.clone(), written);
    }
    write_line(out, &Trailer { end: FORMAT.to_owned(), rows: rows.clone() })?;
    out.flush()?;
    snapshot.end().await?;
    Ok(BackupSummary { source, rows })
}

/// Reading a snapshot is the same on both backends but for the side's
/// transaction (its `migrations`, `tables` and `count`); the per-backend
/// files expand this with their own.
macro_rules! snapshot_side {
    ($side:ident) => {
        #[async_trait::async_trait]
        impl Snapshot for $side {
            async fn migrations(&mut self) -> anyhow::Result<Vec<i64>> {
                $side::migrations(self).await
            }

            async fn tables(&mut self) -> anyhow::Result<Vec<TableSchema>> {
                $side::tables(self).await
            }

            async fn rows(
                &mut self,
                table: &TableSchema,
                each: &mut (dyn FnMut(Vec<Value>) -> anyhow::Result<()> + Send),
            ) -> anyhow::Result<u64> {
                let sql = select_sql(table)?;
                let mut rows = sqlx::query(&sql).fetch(&mut *self.tx);
                let mut count = 0;
                while let Some(row) = rows.try_next().await? {
                    let values = table
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(index, column)| {
                            read_cell(&row, index, column.kind)
                                .map_err(|err| anyhow::anyhow!("column {}: {err}", column.name))
                        })
                        .collect::<anyhow::Result<Vec<Value>>>()?;
                    each(values)?;
                    count += 1;
                }
                Ok(count)
            }

            async fn count(&mut self, table: &str) -> anyhow::Result<u64> {
                $side::count(self, table).await
            }

            async fn end(self: Box<Self>) -> anyhow::Result<()> {
                self.tx.rollback().await?;
                Ok(())
            }
        }
    };
}

pub(super) use snapshot_side;

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, refers_to: &[&str]) -> TableSchema {
        TableSchema {
            name: name.to_owned(),
            columns: vec![Column { name: "id".to_owned(), kind: Kind::Uuid }],
            primary_key: vec!["id".to_owned()],
            references: refers_to
                .iter()
                .map(|to| Reference { column: format!("{to}_id"), table: (*to).to_owned(), to_column: "id".to_owned() })
                .collect(),
        }
    }

    #[test]
    fn tables_come_after_what_they_refer_to() -> anyhow::Result<()> {
        let tables = vec![
            table("comments", &["comments", "users", "proposals"]),
            table("users", &["organizations"]),
            table("proposals", &["users"]),
            table("organizations", &[]),
        ];
        let order: Vec<String> = foreign_key_order(tables)?.into_iter().map(|t| t.name).collect();
        assert_eq!(order, ["organizations", "users", "proposals", "comments"]);
        assert!(foreign_key_order(vec![table("a", &["b"]), table("b", &["a"])]).is_err());
        Ok(())
    }

    #[test]
    fn a_table_that_refers_to_itself_is_read_parents_first() -> anyhow::Result<()> {
        let sql = select_sql(&table("comments", &["comments"]))?;
        assert!(sql.starts_with("WITH RECURSIVE"), "{sql}");
        assert!(sql.contains("\"comments_id\" IS NULL"), "{sql}");
        assert_eq!(select_sql(&table("users", &[]))?, "SELECT t.\"id\" FROM \"users\" t ORDER BY t.\"id\"");
        Ok(())
    }
}
