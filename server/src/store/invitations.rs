//! The secretariat's hold on invitations (see `invitations_sql.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Page, StoreResult};
use crate::domain::account::{Invitation, InvitationState, User};
use crate::domain::ids::InvitationId;
use crate::domain::mail::NewMail;

#[async_trait]
pub trait InvitationStore: Send + Sync + 'static {
    async fn invitation_by_id(&self, id: InvitationId) -> StoreResult<Invitation>;
    /// Oldest first, after `page.after`; only those in `state` (as of `now`) when given.
    async fn list_invitations(
        &self,
        state: Option<InvitationState>,
        now: DateTime<Utc>,
        page: Page,
    ) -> StoreResult<Vec<Invitation>>;
    /// A new token (the old link dies) and expiry for a pending or expired
    /// invitation, its mail written with it; Conflict if accepted or revoked.
    async fn renew_invitation(
        &self,
        id: InvitationId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: Option<NewMail>,
        actor: &User,
    ) -> StoreResult<Invitation>;
    /// Its link answers 410 from now on; Conflict if it was accepted.
    async fn revoke_invitation(&self, id: InvitationId, actor: &User) -> StoreResult<Invitation>;
}
