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
        "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.used_at, \
         o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, \
         o.kind AS org_kind, o.active AS org_active \
         FROM invitations i JOIN organizations o ON o.id = i.organization_id"
    };
}

macro_rules! account_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        impl $store {
            /// The one row `sql` finds for `id`, converted; `what` names it
            /// in the not-found error.
            async fn one_by_id<R, T>(
                conn: &mut <$db as sqlx::Database>::Connection,
                sql: &'static str,
                id: uuid::Uuid,
                what: &'static str,
            ) -> $crate::store::StoreResult<T>
            where
                R: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
                T: TryFrom<R, Error = $crate::store::StoreError>,
            {
                let row: Option<R> =
                    sqlx::query_as(sql).bind(id).fetch_optional(&mut *conn).await.map_err(Self::err)?;
                row.ok_or($crate::store::StoreError::NotFound(what))?.try_into()
            }

            async fn organization_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
            ) -> $crate::store::StoreResult<$crate::domain::account::Organization> {
                let sql = concat!($crate::store::accounts_sql::organization_select!(), " WHERE o.id = $1", $for_update);
                Self::one_by_id::<$crate::store::rows::OrganizationRow, _>(conn, sql, id, "organization").await
            }

            async fn user_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
            ) -> $crate::store::StoreResult<$crate::domain::account::User> {
                let sql = concat!($crate::store::accounts_sql::user_select!(), " WHERE u.id = $1");
                Self::one_by_id::<$crate::store::rows::UserRow, _>(conn, sql, id, "user").await
            }

            async fn insert_organization(
                conn: &mut <$db as sqlx::Database>::Connection,
                new: &$crate::store::NewOrganization,
                on_conflict: &'static str,
            ) -> $crate::store::StoreResult<u64> {
                let sql = format!(
                    "INSERT INTO organizations (id, name, name_normalized, short_name, kind, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5, TRUE, $6) {on_conflict}"
                );
                let done = sqlx::query(&sql)
                    .bind($crate::domain::ids::OrganizationId::new().0)
                    .bind(&new.name)
                    .bind($crate::domain::account::unique_key(&new.name))
                    .bind(&new.short_name)
                    .bind(new.kind.as_str())
                    .bind(chrono::Utc::now())
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                Ok(done.rows_affected())
            }

            async fn organization_by_name_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                name: &str,
            ) -> $crate::store::StoreResult<$crate::domain::account::Organization> {
                let row: $crate::store::rows::OrganizationRow = sqlx::query_as(concat!(
                    $crate::store::accounts_sql::organization_select!(),
                    " WHERE o.name_normalized = $1"
                ))
                .bind($crate::domain::account::unique_key(name))
                .fetch_one(&mut *conn)
                .await
                .map_err(Self::err)?;
                row.try_into()
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::AccountStore for $store {
            async fn list_organizations(
                &self,
                page: $crate::store::Page,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::account::Organization>> {
                let rows: Vec<$crate::store::rows::OrganizationRow> = sqlx::query_as(concat!(
                    $crate::store::accounts_sql::organization_select!(),
                    " WHERE ($1 IS NULL OR o.id > $1) ORDER BY o.id LIMIT $2"
                ))
                .bind(page.after)
                .bind(i64::from(page.limit))
                .fetch_all(&self.pool)
                .await
                .map_err(Self::err)?;
                $crate::store::rows::convert_all(rows)
            }

            async fn organization(
                &self,
                id: $crate::domain::ids::OrganizationId,
            ) -> $crate::store::StoreResult<$crate::domain::account::Organization> {
                // One statement: no transaction needed (this runs on every request).
                let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                Self::organization_in(&mut conn, id.0).await
            }

            async fn create_organization(
                &self,
                new: $crate::store::NewOrganization,
            ) -> $crate::store::StoreResult<$crate::domain::account::Organization> {
                let mut tx = self.begin_write().await?;
                Self::insert_organization(&mut tx, &new, "").await?;
                let org = Self::organization_by_name_in(&mut tx, &new.name).await?;
                tx.commit().await.map_err(Self::err)?;
                Ok(org)
            }

            async fn ensure_organization(
                &self,
                new: $crate::store::NewOrganization,
            ) -> $crate::store::StoreResult<$crate::domain::account::Organization> {
                let mut tx = self.begin_write().await?;
                Self::insert_organization(&mut tx, &new, "ON CONFLICT (name_normalized) DO NOTHING").await?;
                let org = Self::organization_by_name_in(&mut tx, &new.name).await?;
                tx.commit().await.map_err(Self::err)?;
                Ok(org)
            }

            async fn update_organization(
                &self,
                id: $crate::domain::ids::OrganizationId,
                patch: $crate::domain::account::OrganizationPatch,
            ) -> $crate::store::StoreResult<$crate::domain::account::Organization> {
                let mut tx = self.begin_write().await?;
                let org = Self::organization_in(&mut tx, id.0).await?;
                let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM users WHERE organization_id = $1")
                    .bind(id.0)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                let roles = roles
                    .iter()
                    .map(|role| $crate::store::rows::parse_role(role))
                    .collect::<$crate::store::StoreResult<Vec<_>>>()?;
                $crate::domain::account_rules::check_organization_patch(&org, &patch, &roles)?;
                sqlx::query(
                    "UPDATE organizations SET name = COALESCE($2, name), name_normalized = COALESCE($3, name_normalized), \
                     short_name = COALESCE($4, short_name), kind = COALESCE($5, kind), \
                     active = COALESCE($6, active) WHERE id = $1",
                )
                .bind(id.0)
                .bind(patch.name.as_deref())
                .bind(patch.name.as_deref().map($crate::domain::account::unique_key))
                .bind(patch.short_name.as_deref())
                .bind(patch.kind.map(|kind| kind.as_str()))
                .bind(patch.active)
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                let org = Self::organization_in(&mut tx, id.0).await?;
                tx.commit().await.map_err(Self::err)?;
                Ok(org)
            }

            async fn user(
                &self,
                id: $crate::domain::ids::UserId,
            ) -> $crate::store::StoreResult<$crate::domain::account::User> {
                // One statement: no transaction needed (this runs on every request).
                let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                Self::user_in(&mut conn, id.0).await
            }

            async fn list_users(
                &self,
                page: $crate::store::Page,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::account::User>> {
                let rows: Vec<$crate::store::rows::UserRow> = sqlx::query_as(concat!(
                    $crate::store::accounts_sql::user_select!(),
                    " WHERE ($1 IS NULL OR u.id > $1) ORDER BY u.id LIMIT $2"
                ))
                .bind(page.after)
                .bind(i64::from(page.limit))
                .fetch_all(&self.pool)
                .await
                .map_err(Self::err)?;
                $crate::store::rows::convert_all(rows)
            }

            async fn credentials(
                &self,
                email: &str,
            ) -> $crate::store::StoreResult<Option<$crate::domain::account::Credentials>> {
                let row: Option<$crate::store::rows::CredentialsRow> = sqlx::query_as(concat!(
                    "SELECT u.password_hash, ",
                    $crate::store::accounts_sql::user_columns!(),
                    " WHERE u.email_normalized = $1"
                ))
                .bind($crate::domain::account::unique_key(email))
                .fetch_optional(&self.pool)
                .await
                .map_err(Self::err)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn update_user(
                &self,
                id: $crate::domain::ids::UserId,
                patch: $crate::domain::account::UserPatch,
            ) -> $crate::store::StoreResult<$crate::domain::account::User> {
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
                $crate::domain::account_rules::check_user_patch(&target, &patch, secretariat.len())?;
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
                tx.commit().await.map_err(Self::err)?;
                Ok(user)
            }

            async fn revoke_tokens(&self, id: $crate::domain::ids::UserId) -> $crate::store::StoreResult<()> {
                let done = sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
                    .bind(id.0)
                    .execute(&self.pool)
                    .await
                    .map_err(Self::err)?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::NotFound("user"));
                }
                Ok(())
            }

            async fn end_session(
                &self,
                session: uuid::Uuid,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<()> {
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

            async fn session_ended(&self, session: uuid::Uuid) -> $crate::store::StoreResult<bool> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ended_sessions WHERE id = $1")
                    .bind(session)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(Self::err)?;
                Ok(count > 0)
            }

            async fn count_active_secretariat(&self) -> $crate::store::StoreResult<usize> {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'secretariat' AND active = TRUE")
                        .fetch_one(&self.pool)
                        .await
                        .map_err(Self::err)?;
                Ok(usize::try_from(count).unwrap_or_default())
            }

            async fn create_invitation(
                &self,
                new: $crate::store::NewInvitation,
            ) -> $crate::store::StoreResult<$crate::domain::account::Invitation> {
                let mut tx = self.begin_write().await?;
                let org = match Self::organization_in(&mut tx, new.organization_id.0).await {
                    Err($crate::store::StoreError::NotFound(_)) => {
                        return Err($crate::store::StoreError::Invalid($crate::domain::limits::Invalid::new(
                            "organization_id",
                            "no organization has this id",
                        )))
                    }
                    other => other?,
                };
                $crate::domain::account_rules::check_invitation(&org, new.role)?;
                let id = $crate::domain::ids::InvitationId::new();
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
                let row: $crate::store::rows::InvitationRow =
                    sqlx::query_as(concat!($crate::store::accounts_sql::invitation_select!(), " WHERE i.id = $1"))
                        .bind(id.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                tx.commit().await.map_err(Self::err)?;
                row.try_into()
            }

            async fn invitation(
                &self,
                token_hash: &str,
            ) -> $crate::store::StoreResult<$crate::domain::account::Invitation> {
                let row: Option<$crate::store::rows::InvitationRow> = sqlx::query_as(concat!(
                    $crate::store::accounts_sql::invitation_select!(),
                    " WHERE i.token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(Self::err)?;
                row.ok_or($crate::store::StoreError::NotFound("invitation"))?.try_into()
            }

            async fn accept_invitation(
                &self,
                token_hash: &str,
                account: $crate::store::NewAccount,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<$crate::domain::account::User> {
                let mut tx = self.begin_write().await?;
                let row: Option<$crate::store::rows::InvitationRow> = sqlx::query_as(concat!(
                    $crate::store::accounts_sql::invitation_select!(),
                    " WHERE i.token_hash = $1",
                    $for_update
                ))
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await
                .map_err(Self::err)?;
                let invitation: $crate::domain::account::Invitation =
                    row.ok_or($crate::store::StoreError::NotFound("invitation"))?.try_into()?;
                match invitation.state_at(now) {
                    $crate::domain::account::InvitationState::Usable => {}
                    unusable => return Err($crate::store::StoreError::InvitationUnusable(unusable)),
                }
                $crate::domain::account_rules::check_invitation(&invitation.organization, invitation.role)?;
                let user_id = $crate::domain::ids::UserId::new();
                sqlx::query(
                    "INSERT INTO users (id, email, email_normalized, display_name, password_hash, organization_id, \
                     role, active, token_version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, 0, $8)",
                )
                .bind(user_id.0)
                .bind(&invitation.email)
                .bind($crate::domain::account::unique_key(&invitation.email))
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
                tx.commit().await.map_err(Self::err)?;
                Ok(user)
            }
        }
    };
}

pub(crate) use {account_store, invitation_select, organization_select, user_columns, user_select};
