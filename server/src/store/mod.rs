//! Storage: one trait, two implementations (SQLite and PostgreSQL), each with
//! its own migrations. Knows SQL and nothing of HTTP. Every method that runs
//! more than one statement runs them in one transaction.

mod accounts_sql;
mod ballots_sql;
mod comments_sql;
mod documents_sql;
mod drafting;
mod error;
mod events_sql;
mod meta_sql;
mod postgres;
mod proposals_sql;
mod rows;
mod rows_ballots;
mod rows_drafting;
mod sqlite;
mod voting;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::bus::EventBus;
use crate::domain::account::{
    Credentials, Invitation, Organization, OrganizationKind, OrganizationPatch, Role, User, UserPatch,
};
use crate::domain::ids::{OrganizationId, UserId};

pub use drafting::{
    ChainReport, CommentEdit, DiscussionStore, DocumentStore, EventStore, NewComment, NewProposal, NewRevision,
    NewSection, ProposalStore,
};
pub use error::{StoreError, StoreResult};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use voting::{BallotStore, Closer, NewBallot};

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
    AccountStore + MetaStore + DocumentStore + ProposalStore + DiscussionStore + EventStore + BallotStore
{
}

impl<T> Store for T where
    T: AccountStore + MetaStore + DocumentStore + ProposalStore + DiscussionStore + EventStore + BallotStore
{
}

/// Health, schema and server-wide settings.
#[async_trait]
pub trait MetaStore: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Cheap round trip for `/readyz`.
    async fn ping(&self) -> StoreResult<()>;

    async fn migrate(&self) -> StoreResult<()>;

    /// The stored JWT secret; `candidate` is stored first if there is none,
    /// so several nodes starting at once agree on one secret.
    async fn jwt_secret(&self, candidate: &str) -> StoreResult<String>;
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn list_organizations(&self, page: Page) -> StoreResult<Vec<Organization>>;
    async fn organization(&self, id: OrganizationId) -> StoreResult<Organization>;
    async fn create_organization(&self, new: NewOrganization) -> StoreResult<Organization>;
    /// Finds the organization by name (ignoring case) or creates it.
    async fn ensure_organization(&self, new: NewOrganization) -> StoreResult<Organization>;
    async fn update_organization(&self, id: OrganizationId, patch: OrganizationPatch) -> StoreResult<Organization>;

    async fn user(&self, id: UserId) -> StoreResult<User>;
    async fn list_users(&self, page: Page) -> StoreResult<Vec<User>>;
    /// By email, ignoring case; `None` when nobody has that address.
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;
    /// Applies a role or active change; deactivating bumps the token version.
    async fn update_user(&self, id: UserId, patch: UserPatch) -> StoreResult<User>;
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
