//! Production storage: PostgreSQL, shared by every node.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};

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

pub struct PostgresStore {
    bus: Arc<dyn EventBus>,
    pub(super) pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str, bus: Arc<dyn EventBus>) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Fail fast when the database is gone: callers answer 503
            // instead of holding requests for the default 30 s.
            .acquire_timeout(Duration::from_secs(3))
            .connect(url)
            .await?;
        Ok(Self { bus, pool })
    }

    async fn begin_write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(Self::err)
    }

    /// A read of several statements sees one snapshot (without it a charter
    /// could be read at version N with the sections of N+1).
    async fn begin_read(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(Self::err)
    }

    fn err(err: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &err {
            // Class 08 is connection trouble, 57P0x a server shutting down.
            if db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")) {
                return StoreError::Unavailable(err);
            }
        }
        classify(err, |db| db.constraint().map(str::to_owned))
    }
}

meta_store!(PostgresStore, backend = Postgres, migrations = "../migrations/postgres");
account_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
account_lookups!(PostgresStore, Postgres, for_update = " FOR UPDATE");
event_store!(PostgresStore, Postgres, record = one_statement);
document_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
structure_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
proposal_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
cosponsor_store!(PostgresStore, Postgres);
consolidation_store!(PostgresStore, Postgres);
comment_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
ballot_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
document_ballot_store!(PostgresStore, Postgres);
stance_store!(PostgresStore, Postgres);
mandate_store!(PostgresStore, Postgres);
session_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
session_speakers!(PostgresStore, Postgres);
ballot_lookups!(PostgresStore, Postgres, for_update = " FOR UPDATE");
checkpoint_store!(PostgresStore);
password_reset_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
invitation_store!(PostgresStore, Postgres, for_update = " FOR UPDATE");
notification_store!(PostgresStore, Postgres);
notice_delivery_store!(PostgresStore, Postgres);
pending_store!(PostgresStore, Postgres);
outbox_store!(PostgresStore, Postgres, skip_locked = " FOR UPDATE SKIP LOCKED");
