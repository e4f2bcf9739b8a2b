//! Loading a backup: each line checked against the target's schema, the
//! rows inserted in batches in the loader's one transaction, committed only
//! once the trailer has matched (the format is in `backup.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

use serde_json::Value;

use super::backup::{
    quote, Header, Loader, RestoreSummary, TableLine, TableSchema, Trailer, FORMAT, MAX_PARAMETERS, VERSION,
};
use super::backup_values::{to_cell, Cell, Kind};

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ...` for `rows` rows, in the
/// loader's placeholders.
fn insert_sql(table: &str, columns: &[String], rows: usize, placeholder: fn(usize) -> String) -> String {
    let names: Vec<String> = columns.iter().map(|column| quote(column)).collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", quote(table), names.join(", "));
    let mut parameter = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            parameter += 1;
            sql.push_str(&placeholder(parameter));
        }
        sql.push(')');
    }
    sql
}

enum Line {
    Table(TableLine),
    Row(Vec<Value>),
    Trailer(Trailer),
}

fn parse_line(text: &str) -> anyhow::Result<Line> {
    if text.trim_start().starts_with('[') {
        return Ok(Line::Row(serde_json::from_str(text).map_err(|err| anyhow::anyhow!("not a row: {err}"))?));
    }
    let value: Value = serde_json::from_str(text).map_err(|err| anyhow::anyhow!("not valid JSON: {err}"))?;
    if value.get("table").is_some() {
        Ok(Line::Table(serde_json::from_value(value).map_err(|err| anyhow::anyhow!("not a table line: {err}"))?))
    } else if value.get("end").is_some() {
        Ok(Line::Trailer(serde_json::from_value(value).map_err(|err| anyhow::anyhow!("not a trailer: {err}"))?))
    } else {
        anyhow::bail!("neither a table, a row nor the trailer")
    }
}

/// The table being loaded and the rows waiting to be inserted.
struct Batch {
    table: String,
    columns: Vec<String>,
    kinds: Vec<Kind>,
    cells: Vec<Cell>,
    rows: usize,
    first_line: usize,
}

impl Batch {
    fn full(&self) -> bool {
        (self.rows + 1) * self.columns.len() > MAX_PARAMETERS
    }

    async fn flush(&mut self, loader: &mut dyn Loader, next_line: usize) -> anyhow::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let sql = insert_sql(&self.table, &self.columns, self.rows, loader.placeholder());
        let cells = std::mem::take(&mut self.cells);
        loader.insert(&sql, cells).await.map_err(|err| {
            anyhow::anyhow!("lines {}-{} (table {}): {err:#}", self.first_line, next_line - 1, self.table)
        })?;
        self.rows = 0;
        self.first_line = next_line;
        Ok(())
    }
}

/// Checks the file against the target and loads it in `loader`'s one
/// transaction, committed only once the trailer has matched.
pub(super) async fn load(
    mut loader: Box<dyn Loader>,
    input: &mut (dyn BufRead + Send),
) -> anyhow::Result<RestoreSummary> {
    let mut lines = input.lines().enumerate().map(|(index, line)| (index + 1, line));
    let header: Header = match lines.next() {
        Some((_, Ok(text))) => serde_json::from_str(&text)
            .map_err(|err| anyhow::anyhow!("line 1: not a Minga backup (no minga-backup header): {err}"))?,
        Some((_, Err(err))) => anyhow::bail!("line 1: cannot read: {err}"),
        None => anyhow::bail!("the file is empty: not a Minga backup"),
    };
    if header.format != FORMAT {
        anyhow::bail!("line 1: not a Minga backup (format {:?})", header.format);
    }
    if header.version != VERSION {
        anyhow::bail!("line 1: backup format version {} (this Minga reads version {VERSION})", header.version);
    }
    let migrations = loader.migrations().await?;
    if migrations != header.migrations {
        anyhow::bail!(
            "the backup was made by a Minga whose database had migrations {:?}, and this database has {:?}: \
             restore it with the same version of Minga that made it",
            header.migrations,
            migrations
        );
    }
    let target: BTreeMap<String, TableSchema> =
        loader.tables().await?.into_iter().map(|table| (table.name.clone(), table)).collect();
    for table in target.keys() {
        if loader.has_rows(table).await? {
            anyhow::bail!(
                "the database is not empty (table {table} has rows): restore only into a new database, \
                 and nothing was changed"
            );
        }
    }
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut batch: Option<Batch> = None;
    let mut last_line = 1;
    while let Some((number, line)) = lines.next() {
        last_line = number;
        let text = line.map_err(|err| anyhow::anyhow!("line {number}: cannot read: {err}"))?;
        let parsed = parse_line(&text).map_err(|err| anyhow::anyhow!("line {number}: {err}"))?;
        match parsed {
            Line::Table(table) => {
                if let Some(batch) = batch.as_mut() {
                    batch.flush(loader.as_mut(), number).await?;
                }
                batch = Some(start_table(&target, &counts, table, number)?);
                if let Some(batch) = &batch {
                    counts.insert(batch.table.clone(), 0);
                }
            }
            Line::Row(values) => {
                let Some(current) = batch.as_mut() else {
                    anyhow::bail!("line {number}: a row before any table line");
                };
                if values.len() != current.columns.len() {
                    anyhow::bail!(
                        "line {number}: {} values for the {} columns of table {}",
                        values.len(),
                        current.columns.len(),
                        current.table
                    );
                }
                if current.full() {
                    current.flush(loader.as_mut(), number).await?;
                }
                for ((value, kind), column) in values.into_iter().zip(&current.kinds).zip(&current.columns) {
                    let cell = to_cell(value, *kind)
                        .map_err(|err| anyhow::anyhow!("line {number}, column {column}: {err}"))?;
                    current.cells.push(cell);
                }
                current.rows += 1;
                *counts.entry(current.table.clone()).or_default() += 1;
            }
            Line::Trailer(trailer) => {
                if let Some(batch) = batch.as_mut() {
                    batch.flush(loader.as_mut(), number).await?;
                }
                check_trailer(&trailer, &counts, &target, number)?;
                if let Some((extra, _)) = lines.next() {
                    anyhow::bail!("line {extra}: more lines after the trailer");
                }
                loader.commit().await?;
                return Ok(RestoreSummary { source: header.source, created_at: header.created_at, rows: counts });
            }
        }
    }
    anyhow::bail!("the file ends at line {last_line} without its trailer: it was cut short, and nothing was restored")
}

fn start_table(
    target: &BTreeMap<String, TableSchema>,
    counts: &BTreeMap<String, u64>,
    line: TableLine,
    number: usize,
) -> anyhow::Result<Batch> {
    let Some(schema) = target.get(&line.table) else {
        anyhow::bail!("line {number}: table {} is not in this database's schema", line.table);
    };
    if counts.contains_key(&line.table) {
        anyhow::bail!("line {number}: table {} appears twice", line.table);
    }
    let wanted: BTreeSet<&str> = schema.columns.iter().map(|column| column.name.as_str()).collect();
    let given: BTreeSet<&str> = line.columns.iter().map(String::as_str).collect();
    if wanted != given || given.len() != line.columns.len() {
        let missing: Vec<&&str> = wanted.difference(&given).collect();
        let unknown: Vec<&&str> = given.difference(&wanted).collect();
        anyhow::bail!(
            "line {number}: the columns of table {} do not match this database's schema \
             (missing from the file: {missing:?}; not in the database: {unknown:?})",
            line.table
        );
    }
    let kinds = line
        .columns
        .iter()
        .filter_map(|name| schema.columns.iter().find(|column| &column.name == name).map(|column| column.kind))
        .collect();
    Ok(Batch { table: line.table, columns: line.columns, kinds, cells: Vec::new(), rows: 0, first_line: number + 1 })
}

fn check_trailer(
    trailer: &Trailer,
    counts: &BTreeMap<String, u64>,
    target: &BTreeMap<String, TableSchema>,
    number: usize,
) -> anyhow::Result<()> {
    if trailer.end != FORMAT {
        anyhow::bail!("line {number}: not a minga-backup trailer");
    }
    if &trailer.rows != counts {
        anyhow::bail!(
            "line {number}: the trailer counts {:?} rows but the file holds {counts:?}: the file is damaged",
            trailer.rows
        );
    }
    let missing: Vec<&String> = target.keys().filter(|table| !counts.contains_key(*table)).collect();
    if !missing.is_empty() {
        anyhow::bail!("the file has no lines for the tables {missing:?} of this database's schema");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_number_their_parameters() {
        assert_eq!(
            insert_sql("votes", &["a".to_owned(), "b".to_owned()], 2, |n| format!("${n}")),
            "INSERT INTO \"votes\" (\"a\", \"b\") VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn lines_are_told_apart() {
        assert!(matches!(parse_line("[1,null]"), Ok(Line::Row(_))));
        assert!(matches!(parse_line(r#"{"table":"x","columns":[]}"#), Ok(Line::Table(_))));
        assert!(matches!(parse_line(r#"{"end":"minga-backup","rows":{}}"#), Ok(Line::Trailer(_))));
        assert!(parse_line(r#"{"other":1}"#).is_err());
        assert!(parse_line("[1, 2").is_err());
    }
}
