//! The account lookups and writes that store methods share inside their
//! transactions (see `accounts_sql.rs` for how the macros are used).

macro_rules! account_lookups {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account;
            use $crate::domain::account::{Organization, User};
            use $crate::domain::account_events::AccountEvent;
            use $crate::domain::ids::OrganizationId;
            use $crate::store::rows::{OrganizationRow, UserRow};
            use $crate::store::{accounts_sql, NewOrganization, StoreError, StoreResult};

            impl $store {
                /// The one row `sql` finds for `id`, converted; `what` names it
                /// in the not-found error.
                async fn one_by_id<R, T>(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    sql: &'static str,
                    id: uuid::Uuid,
                    what: &'static str,
                ) -> StoreResult<T>
                where
                    R: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
                    T: TryFrom<R, Error = StoreError>,
                {
                    let row: Option<R> =
                        sqlx::query_as(sql).bind(id).fetch_optional(&mut *conn).await.map_err(Self::err)?;
                    row.ok_or(StoreError::NotFound(what))?.try_into()
                }

                async fn organization_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Organization> {
                    let sql = concat!(accounts_sql::organization_select!(), " WHERE o.id = $1", $for_update);
                    Self::one_by_id::<OrganizationRow, _>(conn, sql, id, "organization").await
                }

                async fn user_in(conn: &mut <$db as sqlx::Database>::Connection, id: uuid::Uuid) -> StoreResult<User> {
                    let sql = concat!(accounts_sql::user_select!(), " WHERE u.id = $1");
                    Self::one_by_id::<UserRow, _>(conn, sql, id, "user").await
                }

                async fn insert_organization(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    new: &NewOrganization,
                    on_conflict: &'static str,
                ) -> StoreResult<u64> {
                    let sql = format!(
                        "INSERT INTO organizations (id, name, name_normalized, short_name, kind, active, created_at) \
                         VALUES ($1, $2, $3, $4, $5, TRUE, $6) {on_conflict}"
                    );
                    let done = sqlx::query(&sql)
                        .bind(OrganizationId::new().0)
                        .bind(&new.name)
                        .bind(account::unique_key(&new.name))
                        .bind(&new.short_name)
                        .bind(new.kind.as_str())
                        .bind(chrono::Utc::now())
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    Ok(done.rows_affected())
                }

                /// Appends the account events in the change's transaction, then
                /// commits and publishes them.
                async fn commit_accounts(
                    &self,
                    mut tx: sqlx::Transaction<'static, $db>,
                    actor: Option<&User>,
                    events: &[AccountEvent<'_>],
                ) -> StoreResult<()> {
                    let events = events.iter().map(|event| event.to_new_event()).collect();
                    let events = Self::append_events(&mut tx, actor, events).await?;
                    self.commit_and_publish(tx, events).await
                }

                async fn organization_by_name_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    name: &str,
                ) -> StoreResult<Organization> {
                    let row: OrganizationRow =
                        sqlx::query_as(concat!(accounts_sql::organization_select!(), " WHERE o.name_normalized = $1"))
                            .bind(account::unique_key(name))
                            .fetch_one(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    row.try_into()
                }
            }
        };
    };
}

pub(crate) use account_lookups;
