//! The values of a backup: what each column holds, read from one backend as
//! portable JSON and turned back into what another backend stores.
//!
//! Portable forms: UUIDs in their hyphenated text form, timestamps as
//! RFC 3339 UTC text (as sqlx writes them into SQLite, so a SQLite text
//! column and a PostgreSQL `timestamptz` give the same line), booleans,
//! 64-bit integers, floats, text and nulls.

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::Value;
use uuid::Uuid;

/// How a column's values are carried, decided by its type in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Uuid,
    /// Only PostgreSQL has a timestamp type; SQLite keeps them as text.
    Timestamp,
    Bool,
    Int,
    Float,
    Text,
}

impl Kind {
    /// SQLite's declared types. Blobs are UUIDs: the only bytes Minga keeps.
    pub(super) fn of_sqlite(declared: &str) -> Option<Kind> {
        match declared.trim().to_ascii_uppercase().as_str() {
            "BLOB" => Some(Kind::Uuid),
            "BOOLEAN" => Some(Kind::Bool),
            "INTEGER" | "BIGINT" | "INT" | "SMALLINT" => Some(Kind::Int),
            "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" => Some(Kind::Float),
            "TEXT" => Some(Kind::Text),
            _ => None,
        }
    }

    /// PostgreSQL's `information_schema.columns.data_type`.
    pub(super) fn of_postgres(data_type: &str) -> Option<Kind> {
        match data_type {
            "uuid" => Some(Kind::Uuid),
            "timestamp with time zone" => Some(Kind::Timestamp),
            "boolean" => Some(Kind::Bool),
            "bigint" | "integer" | "smallint" => Some(Kind::Int),
            "double precision" | "real" => Some(Kind::Float),
            "text" | "character varying" => Some(Kind::Text),
            _ => None,
        }
    }
}

/// A value ready to bind, typed even when null (PostgreSQL wants to know).
#[derive(Debug, Clone)]
pub(super) enum Cell {
    Uuid(Option<Uuid>),
    Timestamp(Option<DateTime<Utc>>),
    Bool(Option<bool>),
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
}

/// The text form of a timestamp, the same on both backends.
pub(super) fn timestamp_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// One stored value as portable JSON.
pub(super) fn read_cell<'r, R>(row: &'r R, index: usize, kind: Kind) -> anyhow::Result<Value>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Option<Uuid>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<DateTime<Utc>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let value = match kind {
        Kind::Uuid => row.try_get::<Option<Uuid>, _>(index)?.map(|id| Value::String(id.hyphenated().to_string())),
        Kind::Timestamp => row.try_get::<Option<DateTime<Utc>>, _>(index)?.map(|at| Value::String(timestamp_text(at))),
        Kind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Value::Bool),
        Kind::Int => row.try_get::<Option<i64>, _>(index)?.map(Value::from),
        Kind::Float => match row.try_get::<Option<f64>, _>(index)? {
            Some(number) => Some(Value::Number(
                serde_json::Number::from_f64(number)
                    .ok_or_else(|| anyhow::anyhow!("{number} has no JSON form (not a finite number)"))?,
            )),
            None => None,
        },
        Kind::Text => row.try_get::<Option<String>, _>(index)?.map(Value::String),
    };
    Ok(value.unwrap_or(Value::Null))
}

/// A portable value as the target column of `kind` takes it.
pub(super) fn to_cell(value: Value, kind: Kind) -> anyhow::Result<Cell> {
    let cell = match (kind, value) {
        (Kind::Uuid, Value::Null) => Cell::Uuid(None),
        (Kind::Timestamp, Value::Null) => Cell::Timestamp(None),
        (Kind::Bool, Value::Null) => Cell::Bool(None),
        (Kind::Int, Value::Null) => Cell::Int(None),
        (Kind::Float, Value::Null) => Cell::Float(None),
        (Kind::Text, Value::Null) => Cell::Text(None),
        (Kind::Uuid, Value::String(text)) => {
            Cell::Uuid(Some(Uuid::parse_str(&text).map_err(|err| anyhow::anyhow!("{text:?} is not a UUID: {err}"))?))
        }
        // PostgreSQL keeps microseconds; cutting them here (as the event log
        // does when it writes) rather than letting the server round makes
        // the stored value predictable.
        (Kind::Timestamp, Value::String(text)) => Cell::Timestamp(Some(
            DateTime::parse_from_rfc3339(&text)
                .map_err(|err| anyhow::anyhow!("{text:?} is not an RFC 3339 time: {err}"))?
                .with_timezone(&Utc)
                .trunc_subsecs(6),
        )),
        (Kind::Bool, Value::Bool(flag)) => Cell::Bool(Some(flag)),
        (Kind::Int, Value::Number(number)) => {
            Cell::Int(Some(number.as_i64().ok_or_else(|| anyhow::anyhow!("{number} is not a 64-bit integer"))?))
        }
        (Kind::Float, Value::Number(number)) => {
            Cell::Float(Some(number.as_f64().ok_or_else(|| anyhow::anyhow!("{number} is not a number"))?))
        }
        (Kind::Text, Value::String(text)) => Cell::Text(Some(text)),
        (kind, other) => anyhow::bail!("{other} does not fit a column of kind {kind:?}"),
    };
    Ok(cell)
}

/// Binds one cell to the next placeholder.
pub(super) fn bind_cell<'q, DB>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    cell: Cell,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    Option<Uuid>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<DateTime<Utc>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<bool>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<f64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match cell {
        Cell::Uuid(value) => query.bind(value),
        Cell::Timestamp(value) => query.bind(value),
        Cell::Bool(value) => query.bind(value),
        Cell::Int(value) => query.bind(value),
        Cell::Float(value) => query.bind(value),
        Cell::Text(value) => query.bind(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_agree_on_what_a_column_holds() {
        assert_eq!(Kind::of_sqlite("BLOB"), Kind::of_postgres("uuid"));
        assert_eq!(Kind::of_sqlite("boolean"), Kind::of_postgres("boolean"));
        assert_eq!(Kind::of_sqlite("INTEGER"), Kind::of_postgres("bigint"));
        assert_eq!(Kind::of_sqlite("REAL"), Kind::of_postgres("double precision"));
        assert_eq!(Kind::of_sqlite("JSONB"), None);
    }

    #[test]
    fn a_timestamp_reads_as_sqlite_keeps_it_and_loses_only_nanoseconds_in_postgres() -> anyhow::Result<()> {
        let at = DateTime::parse_from_rfc3339("2025-03-01T10:00:00.123456789Z")?.with_timezone(&Utc);
        assert_eq!(timestamp_text(at), "2025-03-01T10:00:00.123456789+00:00");
        let Cell::Timestamp(Some(kept)) = to_cell(Value::String(timestamp_text(at)), Kind::Timestamp)? else {
            anyhow::bail!("not a timestamp");
        };
        assert_eq!(timestamp_text(kept), "2025-03-01T10:00:00.123456+00:00");
        Ok(())
    }

    #[test]
    fn values_that_do_not_fit_are_refused() {
        assert!(to_cell(Value::String("x".into()), Kind::Uuid).is_err());
        assert!(to_cell(Value::String("1".into()), Kind::Int).is_err());
        assert!(to_cell(Value::from(1.5), Kind::Int).is_err());
        assert!(to_cell(Value::from(1), Kind::Bool).is_err());
        assert!(matches!(to_cell(Value::Null, Kind::Text), Ok(Cell::Text(None))));
        assert!(matches!(to_cell(Value::from(1), Kind::Float), Ok(Cell::Float(Some(_)))));
    }
}
