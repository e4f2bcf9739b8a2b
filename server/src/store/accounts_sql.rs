//! The account queries, written once for both backends. The SQL is the same
//! on SQLite and PostgreSQL (`$n` parameters work on both); the only
//! difference, row locking, comes in as `$for_update`. Each backend invokes
//! [`account_store!`] for its own type, which must have a `pool`, a
//! `begin_write()` and an `err()` that classifies its database errors.

macro_rules! organization_select {
    () => {
        "SELECT o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, \
         o.kind AS org_kind, o.active AS org_active FROM organizations o"
    };
}

macro_rules! user_columns {
    () => {
        "u.id, u.email, u.display_name, u.role, u.active, u.token_version, \
         o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, \
         o.kind AS org_kind, o.active AS org_active \
         FROM users u JOIN organizations o ON o.id = u.organization_id"
    };
}

macro_rules! user_select {
    () => {
        concat!("SELECT ", $crate::store::accounts_sql::user_columns!())
    };
}

macro_rules! invitation_select {
    () => {
        "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.used_at, i.revoked_at, \
         o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, \
         o.kind AS org_kind, o.active AS org_active \
         FROM invitations i JOIN organizations o ON o.id = i.organization_id"
    };
}

macro_rules! account_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::{account, account_rules};
            use $crate::domain::account::{
                Credentials, Invitation, InvitationState, Organization, OrganizationPatch, User, UserPatch,
            };
            use $crate::domain::account_events::AccountEvent;
            use $crate::domain::ids::{InvitationId, OrganizationId, UserId};
            use $crate::domain::limits::Invalid;
            use $crate::store::{
                AccountStore, NewAccount, NewInvitation, NewOrganization, Page, StoreError, StoreResult, accounts_sql,
                rows,
            };
            use $crate::store::rows::{CredentialsRow, InvitationRow, OrganizationRow, UserRow};

            #[async_trait::async_trait]
            impl AccountStore for $store {
                async fn list_organizations(
                    &self,
                    page: Page,
                ) -> StoreResult<Vec<Organization>> {
                    let rows: Vec<OrganizationRow> = sqlx::query_as(concat!(
                        accounts_sql::organization_select!(),
                        " WHERE ($1 IS NULL OR o.id > $1) ORDER BY o.id LIMIT $2"
                    ))
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows::convert_all(rows)
                }

                async fn organization(
                    &self,
                    id: OrganizationId,
                ) -> StoreResult<Organization> {
                    // One statement: no transaction needed (this runs on every request).
                    let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                    Self::organization_in(&mut conn, id.0).await
                }

                async fn create_organization(
                    &self,
                    new: NewOrganization,
                    actor: Option<&User>,
                ) -> StoreResult<Organization> {
                    use $crate::domain::account_events::AccountEvent;
                    let mut tx = self.begin_write().await?;
                    Self::insert_organization(&mut tx, &new, "").await?;
                    let org = Self::organization_by_name_in(&mut tx, &new.name).await?;
                    self.commit_accounts(tx, actor, &[AccountEvent::OrganizationCreated(&org)]).await?;
                    Ok(org)
                }

                async fn ensure_organization(
                    &self,
                    new: NewOrganization,
                ) -> StoreResult<Organization> {
                    use $crate::domain::account_events::AccountEvent;
                    let mut tx = self.begin_write().await?;
                    let created =
                        Self::insert_organization(&mut tx, &new, "ON CONFLICT (name_normalized) DO NOTHING").await? > 0;
                    let org = Self::organization_by_name_in(&mut tx, &new.name).await?;
                    let events: &[AccountEvent<'_>] =
                        if created { &[AccountEvent::OrganizationCreated(&org)] } else { &[] };
                    self.commit_accounts(tx, None, events).await?;
                    Ok(org)
                }

                async fn update_organization(
                    &self,
                    id: OrganizationId,
                    patch: OrganizationPatch,
                    actor: Option<&User>,
                ) -> StoreResult<Organization> {
                    use $crate::domain::account_events::AccountEvent;
                    let mut tx = self.begin_write().await?;
                    let org = Self::organization_in(&mut tx, id.0).await?;
                    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM users WHERE organization_id = $1")
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let roles = roles
                        .iter()
                        .map(|role| rows::parse_role(role))
                        .collect::<StoreResult<Vec<_>>>()?;
                    account_rules::check_organization_patch(&org, &patch, &roles)?;
                    sqlx::query(
                        "UPDATE organizations SET name = COALESCE($2, name), name_normalized = COALESCE($3, name_normalized), \
                         short_name = COALESCE($4, short_name), kind = COALESCE($5, kind), \
                         active = COALESCE($6, active) WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(patch.name.as_deref())
                    .bind(patch.name.as_deref().map(account::unique_key))
                    .bind(patch.short_name.as_deref())
                    .bind(patch.kind.map(|kind| kind.as_str()))
                    .bind(patch.active)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let org = Self::organization_in(&mut tx, id.0).await?;
                    self.commit_accounts(tx, actor, &[AccountEvent::OrganizationUpdated(&org)]).await?;
                    Ok(org)
                }

                async fn user(
                    &self,
                    id: UserId,
                ) -> StoreResult<User> {
                    // One statement: no transaction needed (this runs on every request).
                    let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                    Self::user_in(&mut conn, id.0).await
                }

                async fn list_users(
                    &self,
                    page: Page,
                ) -> StoreResult<Vec<User>> {
                    let rows: Vec<UserRow> = sqlx::query_as(concat!(
                        accounts_sql::user_select!(),
                        " WHERE ($1 IS NULL OR u.id > $1) ORDER BY u.id LIMIT $2"
                    ))
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows::convert_all(rows)
                }

                async fn credentials(
                    &self,
                    email: &str,
                ) -> StoreResult<Option<Credentials>> {
                    let row: Option<CredentialsRow> = sqlx::query_as(concat!(
                        "SELECT u.password_hash, ",
                        accounts_sql::user_columns!(),
                        " WHERE u.email_normalized = $1"
                    ))
                    .bind(account::unique_key(email))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn update_user(
                    &self,
                    id: UserId,
                    patch: UserPatch,
                    actor: Option<&User>,
                ) -> StoreResult<User> {
                    use $crate::domain::account_events::AccountEvent;
                    let mut tx = self.begin_write().await?;
                    // Locking every active secretariat row serializes concurrent
                    // demotions, so two cannot each remove "the other" last one.
                    let secretariat: Vec<uuid::Uuid> = sqlx::query_scalar(concat!(
                        "SELECT id FROM users WHERE role = 'secretariat' AND active = TRUE",
                        $for_update
                    ))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let target = Self::user_in(&mut tx, id.0).await?;
                    account_rules::check_user_patch(&target, &patch, secretariat.len())?;
                    let revoke = i64::from(patch.active == Some(false) && target.active);
                    sqlx::query(
                        "UPDATE users SET role = COALESCE($2, role), active = COALESCE($3, active), \
                         token_version = token_version + $4 WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(patch.role.map(|role| role.as_str()))
                    .bind(patch.active)
                    .bind(revoke)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let user = Self::user_in(&mut tx, id.0).await?;
                    self.commit_accounts(tx, actor, &[AccountEvent::UserUpdated(&user)]).await?;
                    Ok(user)
                }

                async fn revoke_tokens(&self, id: UserId) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
                        .bind(id.0)
                        .execute(&self.pool)
                        .await
                        .map_err(Self::err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound("user"));
                    }
                    Ok(())
                }

                async fn end_session(
                    &self,
                    session: uuid::Uuid,
                    expires_at: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM ended_sessions WHERE expires_at < $1")
                        .bind(chrono::Utc::now())
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    sqlx::query("INSERT INTO ended_sessions (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
                        .bind(session)
                        .bind(expires_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    tx.commit().await.map_err(Self::err)
                }

                async fn session_ended(&self, session: uuid::Uuid) -> StoreResult<bool> {
                    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ended_sessions WHERE id = $1")
                        .bind(session)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(Self::err)?;
                    Ok(count > 0)
                }

                async fn count_active_secretariat(&self) -> StoreResult<usize> {
                    let count: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'secretariat' AND active = TRUE")
                            .fetch_one(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    Ok(usize::try_from(count).unwrap_or_default())
                }

                async fn create_invitation(
                    &self,
                    new: NewInvitation,
                ) -> StoreResult<Invitation> {
                    let mut tx = self.begin_write().await?;
                    let org = match Self::organization_in(&mut tx, new.organization_id.0).await {
                        Err(StoreError::NotFound(_)) => {
                            return Err(StoreError::Invalid(Invalid::new(
                                "organization_id",
                                "no organization has this id",
                            )))
                        }
                        other => other?,
                    };
                    account_rules::check_invitation(&org, new.role)?;
                    let id = InvitationId::new();
                    sqlx::query(
                        "INSERT INTO invitations (id, token_hash, email, organization_id, role, created_by, \
                         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(id.0)
                    .bind(&new.token_hash)
                    .bind(&new.email)
                    .bind(new.organization_id.0)
                    .bind(new.role.as_str())
                    .bind(new.created_by.map(|user| user.0))
                    .bind(chrono::Utc::now())
                    .bind(new.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let row: InvitationRow =
                        sqlx::query_as(concat!(accounts_sql::invitation_select!(), " WHERE i.id = $1"))
                            .bind(id.0)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                    let invitation: Invitation = row.try_into()?;
                    if let Some(mail) = &new.mail {
                        Self::enqueue_mail_in(&mut tx, mail).await?;
                    }
                    let actor = match new.created_by {
                        Some(by) => Some(Self::user_in(&mut tx, by.0).await?),
                        None => None,
                    };
                    let event = AccountEvent::InvitationCreated(&invitation);
                    self.commit_accounts(tx, actor.as_ref(), &[event]).await?;
                    Ok(invitation)
                }

                async fn invitation(
                    &self,
                    token_hash: &str,
                ) -> StoreResult<Invitation> {
                    let row: Option<InvitationRow> = sqlx::query_as(concat!(
                        accounts_sql::invitation_select!(),
                        " WHERE i.token_hash = $1"
                    ))
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    row.ok_or(StoreError::NotFound("invitation"))?.try_into()
                }

                async fn accept_invitation(
                    &self,
                    token_hash: &str,
                    account: NewAccount,
                    now: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<User> {
                    let mut tx = self.begin_write().await?;
                    let row: Option<InvitationRow> = sqlx::query_as(concat!(
                        accounts_sql::invitation_select!(),
                        " WHERE i.token_hash = $1",
                        $for_update
                    ))
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let invitation: Invitation =
                        row.ok_or(StoreError::NotFound("invitation"))?.try_into()?;
                    match invitation.state_at(now) {
                        InvitationState::Usable => {}
                        unusable => return Err(StoreError::InvitationUnusable(unusable)),
                    }
                    account_rules::check_invitation(&invitation.organization, invitation.role)?;
                    let user_id = UserId::new();
                    sqlx::query(
                        "INSERT INTO users (id, email, email_normalized, display_name, password_hash, organization_id, \
                         role, active, token_version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, 0, $8)",
                    )
                    .bind(user_id.0)
                    .bind(&invitation.email)
                    .bind(account::unique_key(&invitation.email))
                    .bind(&account.display_name)
                    .bind(&account.password_hash)
                    .bind(invitation.organization.id.0)
                    .bind(invitation.role.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    sqlx::query("UPDATE invitations SET used_at = $2, used_by = $3 WHERE id = $1")
                        .bind(invitation.id.0)
                        .bind(now)
                        .bind(user_id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let user = Self::user_in(&mut tx, user_id.0).await?;
                    let invitation = Invitation { used_at: Some(now), ..invitation };
                    use $crate::domain::account_events::AccountEvent;
                    let events = [
                        AccountEvent::UserCreated(&user),
                        AccountEvent::InvitationAccepted { invitation: &invitation, user: &user },
                    ];
                    self.commit_accounts(tx, Some(&user), &events).await?;
                    Ok(user)
                }
            }
        };
    };
}

pub(crate) use {account_store, invitation_select, organization_select, user_columns, user_select};
