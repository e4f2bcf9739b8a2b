//! Storage: one trait, two implementations (SQLite and PostgreSQL), each with
//! its own migrations. Knows SQL and nothing of HTTP. Every method that runs
//! more than one statement runs them in one transaction.
//!
//! The SQL is written once: each `*_sql.rs` holds a macro that expands to the
//! same `impl` for `PostgresStore` and `SqliteStore` (see the invocations at
//! the end of `postgres.rs` and `sqlite.rs`), with the few differences passed
//! in (`for_update`, how an event is recorded). To add a store method:
//! 1. declare it on the trait that owns its subject (`drafting.rs`,
//!    `voting.rs`, or the traits below), taking and returning domain types;
//! 2. write its body once in that subject's `*_sql.rs` macro, in one
//!    transaction (`self.begin()`; `commit_and_publish` if it appends
//!    events); the SQL must run on both engines (`$1` parameters, types
//!    both have); a row is read through its `rows_*.rs` type and the one
//!    column-list macro of that row, never a second copy of the list;
//! 3. a schema change is a new migration in both `migrations/postgres` and
//!    `migrations/sqlite` (the migration parity test compares them);
//! 4. test it in `tests/tests` with `on_both_backends!`.

mod account_lookups_sql;
mod accounts_sql;
mod assembly;
mod backup;
mod backup_pg;
mod backup_restore;
mod backup_sqlite;
mod backup_values;
mod ballot_lookups_sql;
mod ballots_sql;
mod checkpoints_sql;
mod comments_sql;
mod consolidation_sql;
mod cosponsors_sql;
mod document_ballots_sql;
mod documents_sql;
mod drafting;
mod error;
mod events_sql;
mod invitations;
mod invitations_sql;
mod mandates_sql;
mod meta_sql;
pub mod notice_delivery;
mod notice_delivery_sql;
mod notifications;
mod notifications_sql;
mod outbox;
mod outbox_sql;
mod password_resets;
mod password_resets_sql;
pub mod pending;
mod pending_sql;
mod postgres;
mod proposals_sql;
mod rows;
mod rows_assembly;
mod rows_ballots;
mod rows_checkpoints;
mod rows_drafting;
mod rows_notifications;
mod rows_outbox;
mod session_speakers_sql;
mod sessions_sql;
mod sqlite;
mod stances_sql;
mod structure_sql;
mod voting;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::bus::EventBus;
use crate::domain::account::{
    Credentials, Invitation, Organization, OrganizationKind, OrganizationPatch, Role, User, UserPatch,
};
use crate::domain::ids::{OrganizationId, UserId};

pub use assembly::{MandateStore, NewSession, SessionPatch, SessionStore, SpeakerPatch};
pub use backup::{backup, restore, BackupSummary, RestoreSummary};
pub use drafting::{
    ChainReport, CommentEdit, CosponsorStore, DiscussionStore, DocumentChange, DocumentStore, EventStore, NewComment,
    NewProposal, NewRevision, NewSection, ProposalStore, StructureStore,
};
pub use error::{StoreError, StoreResult};
pub use invitations::InvitationStore;
pub use notice_delivery::NoticeDeliveryStore;
pub use notifications::{NotificationStore, ToMark};
pub use outbox::OutboxStore;
pub use password_resets::PasswordResetStore;
pub use pending::PendingStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use voting::{BallotStore, Closer, DocumentBallot, DocumentBallotStore, NewBallot, NewDocumentBallot, StanceStore};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` select PostgreSQL; anything else is
    /// taken as SQLite (`sqlite://path`, or a bare path).
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Opens the database named by `url`, creating a SQLite file (and its
/// directory) when missing, and brings its schema up to date.
pub async fn open(url: &str, bus: Arc<dyn EventBus>) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match Backend::of_url(url) {
        Backend::Postgres => Arc::new(PostgresStore::connect(url, bus).await?),
        Backend::Sqlite => Arc::new(SqliteStore::connect(url, bus).await?),
    };
    store.migrate().await?;
    Ok(store)
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub short_name: String,
    pub kind: OrganizationKind,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub token_hash: String,
    pub email: String,
    pub organization_id: OrganizationId,
    pub role: Role,
    pub created_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
    /// The mail that carries the link, written with the invitation.
    pub mail: Option<crate::domain::mail::NewMail>,
}

/// What a person chooses when accepting an invitation.
#[derive(Clone)]
pub struct NewAccount {
    pub display_name: String,
    pub password_hash: String,
}

/// A page of a list ordered by id (oldest first, since ids are UUIDv7).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub after: Option<uuid::Uuid>,
    pub limit: u32,
}

impl Page {
    pub const MAX_LIMIT: u32 = 1000;

    pub fn all() -> Page {
        Page { after: None, limit: Self::MAX_LIMIT }
    }
}

pub trait Store:
    AccountStore
    + MetaStore
    + DocumentStore
    + StructureStore
    + ProposalStore
    + CosponsorStore
    + DiscussionStore
    + EventStore
    + BallotStore
    + DocumentBallotStore
    + StanceStore
    + CheckpointStore
    + OutboxStore
    + InvitationStore
    + PasswordResetStore
    + NotificationStore
    + NoticeDeliveryStore
    + PendingStore
    + MandateStore
    + SessionStore
{
}

impl<T> Store for T where
    T: AccountStore
        + MetaStore
        + DocumentStore
        + StructureStore
        + ProposalStore
        + CosponsorStore
        + DiscussionStore
        + EventStore
        + BallotStore
        + DocumentBallotStore
        + StanceStore
        + CheckpointStore
        + OutboxStore
        + InvitationStore
        + PasswordResetStore
        + NotificationStore
        + NoticeDeliveryStore
        + PendingStore
        + MandateStore
        + SessionStore
{
}

/// Health, schema and server-wide settings.
#[async_trait]
pub trait MetaStore: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Cheap round trip for `/readyz`.
    async fn ping(&self) -> StoreResult<()>;

    async fn migrate(&self) -> StoreResult<()>;

    /// The stored secret `name`; `candidate` is stored first if there is
    /// none, so several nodes starting at once agree on one secret.
    async fn kept_secret(&self, name: KeptSecret, candidate: &str) -> StoreResult<String>;
}

/// The secrets a deployment generates once and keeps in its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptSecret {
    JwtSecret,
    /// The Ed25519 seed that signs checkpoints.
    SigningKey,
}

impl KeptSecret {
    pub fn key(self) -> &'static str {
        match self {
            KeptSecret::JwtSecret => "jwt_secret",
            KeptSecret::SigningKey => "signing_key",
        }
    }
}

/// Signed checkpoints of the record (see `domain::checkpoint`).
#[async_trait]
pub trait CheckpointStore: Send + Sync + 'static {
    /// Every topic's last seq and hash, read at one moment.
    async fn current_heads(&self) -> StoreResult<Vec<crate::domain::checkpoint::Head>>;
    /// Keeps the checkpoint; one with the same digest already kept is
    /// returned instead (two nodes signing the same heads).
    async fn save_checkpoint(
        &self,
        checkpoint: &crate::domain::checkpoint::Checkpoint,
    ) -> StoreResult<crate::domain::checkpoint::Checkpoint>;
    async fn latest_checkpoint(&self) -> StoreResult<Option<crate::domain::checkpoint::Checkpoint>>;
    /// Oldest first, after `page.after`.
    async fn checkpoints(&self, page: Page) -> StoreResult<Vec<crate::domain::checkpoint::Checkpoint>>;
    /// The stored hash of one event.
    async fn event_hash(&self, topic: &str, seq: i64) -> StoreResult<Option<String>>;
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn list_organizations(&self, page: Page) -> StoreResult<Vec<Organization>>;
    async fn organization(&self, id: OrganizationId) -> StoreResult<Organization>;
    /// Account changes are events on the `accounts` topic, by `actor`
    /// (`None`: the operator, from the command line).
    async fn create_organization(&self, new: NewOrganization, actor: Option<&User>) -> StoreResult<Organization>;
    /// Finds the organization by name (ignoring case) or creates it.
    async fn ensure_organization(&self, new: NewOrganization) -> StoreResult<Organization>;
    async fn update_organization(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        actor: Option<&User>,
    ) -> StoreResult<Organization>;

    async fn user(&self, id: UserId) -> StoreResult<User>;
    async fn list_users(&self, page: Page) -> StoreResult<Vec<User>>;
    /// By email, ignoring case; `None` when nobody has that address.
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;
    /// Applies a role or active change; deactivating bumps the token version.
    async fn update_user(&self, id: UserId, patch: UserPatch, actor: Option<&User>) -> StoreResult<User>;
    /// Makes every token issued so far for this user invalid.
    async fn revoke_tokens(&self, id: UserId) -> StoreResult<()>;
    /// Ends one session (a token's `jti`): kept until the token would have
    /// expired anyway, then forgotten.
    async fn end_session(&self, session: uuid::Uuid, expires_at: chrono::DateTime<chrono::Utc>) -> StoreResult<()>;
    async fn session_ended(&self, session: uuid::Uuid) -> StoreResult<bool>;
    async fn count_active_secretariat(&self) -> StoreResult<usize>;

    async fn create_invitation(&self, new: NewInvitation) -> StoreResult<Invitation>;
    async fn invitation(&self, token_hash: &str) -> StoreResult<Invitation>;
    /// Creates the account and marks the invitation used, at most once.
    async fn accept_invitation(&self, token_hash: &str, account: NewAccount, now: DateTime<Utc>) -> StoreResult<User>;
}
