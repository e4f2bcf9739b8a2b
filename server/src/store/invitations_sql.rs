//! The secretariat's hold on invitations: list them by where they stand,
//! renew one (a new link, the old one dies, mailed again) or revoke it.
//! Written once for both backends (see `store/mod.rs`).

macro_rules! invitation_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use chrono::{DateTime, Utc};
            use $crate::domain::account::{Invitation, InvitationState, User};
            use $crate::domain::account_events::AccountEvent;
            use $crate::domain::ids::InvitationId;
            use $crate::domain::mail::NewMail;
            use $crate::store::rows::InvitationRow;
            use $crate::store::{accounts_sql, InvitationStore, Page, StoreError, StoreResult};

            impl $store {
                async fn invitation_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Invitation> {
                    let sql = concat!(accounts_sql::invitation_select!(), " WHERE i.id = $1", $for_update);
                    Self::one_by_id::<InvitationRow, _>(conn, sql, id, "invitation").await
                }
            }

            #[async_trait::async_trait]
            impl InvitationStore for $store {
                async fn invitation_by_id(&self, id: InvitationId) -> StoreResult<Invitation> {
                    let sql = concat!(accounts_sql::invitation_select!(), " WHERE i.id = $1");
                    let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                    Self::one_by_id::<InvitationRow, _>(&mut conn, sql, id.0, "invitation").await
                }

                async fn list_invitations(
                    &self,
                    state: Option<InvitationState>,
                    now: DateTime<Utc>,
                    page: Page,
                ) -> StoreResult<Vec<Invitation>> {
                    // Where each stands, as `Invitation::state_at` says.
                    let rows: Vec<InvitationRow> = sqlx::query_as(concat!(
                        accounts_sql::invitation_select!(),
                        " WHERE ($1 IS NULL \
                           OR ($1 = 'accepted' AND i.used_at IS NOT NULL) \
                           OR ($1 = 'revoked' AND i.used_at IS NULL AND i.revoked_at IS NOT NULL) \
                           OR ($1 = 'expired' AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at <= $2) \
                           OR ($1 = 'pending' AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2)) \
                         AND ($3 IS NULL OR i.id > $3) ORDER BY i.id LIMIT $4"
                    ))
                    .bind(state.map(InvitationState::as_str))
                    .bind(now)
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn renew_invitation(
                    &self,
                    id: InvitationId,
                    token_hash: &str,
                    expires_at: DateTime<Utc>,
                    mail: Option<NewMail>,
                    actor: &User,
                ) -> StoreResult<Invitation> {
                    let mut tx = self.begin_write().await?;
                    let found = Self::invitation_in(&mut tx, id.0).await?;
                    match found.state_at(Utc::now()) {
                        InvitationState::Usable | InvitationState::Expired => {}
                        InvitationState::Used => {
                            return Err(StoreError::Conflict("this invitation was accepted already".into()))
                        }
                        InvitationState::Revoked => {
                            return Err(StoreError::Conflict(
                                "this invitation was revoked: make a new one instead".into(),
                            ))
                        }
                    }
                    sqlx::query("UPDATE invitations SET token_hash = $2, expires_at = $3 WHERE id = $1")
                        .bind(id.0)
                        .bind(token_hash)
                        .bind(expires_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    if let Some(mail) = &mail {
                        Self::enqueue_mail_in(&mut tx, mail).await?;
                    }
                    let renewed = Invitation { expires_at, ..found };
                    self.commit_accounts(tx, Some(actor), &[AccountEvent::InvitationRenewed(&renewed)]).await?;
                    Ok(renewed)
                }

                async fn revoke_invitation(&self, id: InvitationId, actor: &User) -> StoreResult<Invitation> {
                    let mut tx = self.begin_write().await?;
                    let found = Self::invitation_in(&mut tx, id.0).await?;
                    match found.state_at(Utc::now()) {
                        InvitationState::Usable | InvitationState::Expired => {}
                        InvitationState::Used => {
                            return Err(StoreError::Conflict("this invitation was accepted already".into()))
                        }
                        // Revoking twice changes nothing and says so.
                        InvitationState::Revoked => return Ok(found),
                    }
                    let now = Utc::now();
                    sqlx::query("UPDATE invitations SET revoked_at = $2 WHERE id = $1")
                        .bind(id.0)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let revoked = Invitation { revoked_at: Some(now), ..found };
                    self.commit_accounts(tx, Some(actor), &[AccountEvent::InvitationRevoked(&revoked)]).await?;
                    Ok(revoked)
                }
            }
        };
    };
}

pub(crate) use invitation_store;
