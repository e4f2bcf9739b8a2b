//! The embedded default: one SQLite file, WAL mode, foreign keys on.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use std::sync::Arc;

use super::account_lookups_sql::account_lookups;
use super::accounts_sql::account_store;
use super::ballot_lookups_sql::ballot_lookups;
use super::ballots_sql::ballot_store;
use super::checkpoints_sql::checkpoint_store;
use super::comments_sql::comment_store;
use super::consolidation_sql::consolidation_store;
use super::cosponsors_sql::cosponsor_store;
use super::document_ballots_sql::document_ballot_store;
use super::documents_sql::document_store;
use super::error::{classify, StoreError, StoreResult};
use super::events_sql::event_store;
use super::invitations_sql::invitation_store;
use super::mandates_sql::mandate_store;
use super::meta_sql::meta_store;
use super::notice_delivery_sql::notice_delivery_store;
use super::notifications_sql::notification_store;
use super::outbox_sql::outbox_store;
use super::password_resets_sql::password_reset_store;
use super::pending_sql::pending_store;
use super::proposals_sql::proposal_store;
use super::session_speakers_sql::session_speakers;
use super::sessions_sql::session_store;
use super::stances_sql::stance_store;
use super::structure_sql::structure_store;
use crate::bus::EventBus;

pub struct SqliteStore {
    bus: Arc<dyn EventBus>,
    pub(super) pool: SqlitePool,
    /// The one connection write transactions take turns on. SQLite lets one
    /// writer in at a time anyway; waiting here is first come, first served,
    /// where waiting on the file lock means sleeping and retrying (up to
    /// 100 ms a try), which made the slowest writes ten times the median.
    pub(super) writer: SqlitePool,
}

impl SqliteStore {
    /// Accepts `sqlite://path`, `sqlite:path` or a bare path; creates the
    /// file and its directory when missing.
    pub async fn connect(url: &str, bus: Arc<dyn EventBus>) -> anyhow::Result<Self> {
        let url = if url.starts_with("sqlite:") { url.to_owned() } else { format!("sqlite://{url}") };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // An erased secret choice is overwritten in the file, not only
            // unlinked from its page.
            .pragma("secure_delete", "ON")
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(dir) = options.get_filename().parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|err| anyhow::anyhow!("cannot create the database directory {}: {err}", dir.display()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        Ok(Self { bus, pool, writer })
    }

    /// On the writer connection. `BEGIN IMMEDIATE` takes the write lock up
    /// front: a deferred transaction that reads and then writes can fail
    /// with SQLITE_BUSY without waiting, while this one waits its turn
    /// (busy timeout) for a write made outside a transaction.
    async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(Self::err)
    }

    /// A read of several statements sees one snapshot: in WAL mode a
    /// transaction reads as of its first statement, whatever commits meanwhile.
    async fn begin_read(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool.begin().await.map_err(Self::err)
    }

    fn err(err: sqlx::Error) -> StoreError {
        classify(err, |db| constraint_name(db.message()))
    }
}

/// SQLite names the columns, not the constraint ("UNIQUE constraint failed:
/// users.email_normalized"); our constraints are named `<table>_<column>_key`.
fn constraint_name(message: &str) -> Option<String> {
    let (_, columns) = message.split_once(": ")?;
    let first = columns.split(',').next()?.trim();
    Some(format!("{}_key", first.replace('.', "_")))
}

meta_store!(SqliteStore, backend = Sqlite, migrations = "../migrations/sqlite");
account_store!(SqliteStore, Sqlite, for_update = "");
account_lookups!(SqliteStore, Sqlite, for_update = "");
event_store!(SqliteStore, Sqlite, record = two_statements);
document_store!(SqliteStore, Sqlite, for_update = "");
structure_store!(SqliteStore, Sqlite, for_update = "");
proposal_store!(SqliteStore, Sqlite, for_update = "");
cosponsor_store!(SqliteStore, Sqlite);
consolidation_store!(SqliteStore, Sqlite);
comment_store!(SqliteStore, Sqlite, for_update = "");
ballot_store!(SqliteStore, Sqlite, for_update = "");
document_ballot_store!(SqliteStore, Sqlite);
stance_store!(SqliteStore, Sqlite);
mandate_store!(SqliteStore, Sqlite);
session_store!(SqliteStore, Sqlite, for_update = "");
session_speakers!(SqliteStore, Sqlite);
ballot_lookups!(SqliteStore, Sqlite, for_update = "");
checkpoint_store!(SqliteStore);
password_reset_store!(SqliteStore, Sqlite, for_update = "");
invitation_store!(SqliteStore, Sqlite, for_update = "");
notification_store!(SqliteStore, Sqlite);
notice_delivery_store!(SqliteStore, Sqlite);
pending_store!(SqliteStore, Sqlite);
outbox_store!(SqliteStore, Sqlite, skip_locked = "");

#[cfg(test)]
mod tests {
    use super::constraint_name;

    #[test]
    fn sqlite_messages_map_to_constraint_names() {
        assert_eq!(
            constraint_name("UNIQUE constraint failed: users.email_normalized").as_deref(),
            Some("users_email_normalized_key")
        );
        assert_eq!(constraint_name("FOREIGN KEY constraint failed"), None);
    }
}
