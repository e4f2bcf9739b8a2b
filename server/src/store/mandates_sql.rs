//! Representatives of member organizations, written once for both backends
//! (see `accounts_sql.rs`); the rules are `domain::mandate`'s. Changes are
//! events on the `accounts` topic: they decide who votes for whom.

/// A `MandateRow`, each person with the names of who proposed and confirmed.
macro_rules! mandate_select {
    () => {
        "SELECT r.organization_id, r.state, r.user_id, u.display_name AS user_name, r.titular, \
         r.proposed_by, p.display_name AS proposed_by_name, r.proposed_at, \
         r.confirmed_by, c.display_name AS confirmed_by_name, r.confirmed_at \
         FROM representatives r JOIN users u ON u.id = r.user_id JOIN users p ON p.id = r.proposed_by \
         LEFT JOIN users c ON c.id = r.confirmed_by"
    };
}

macro_rules! mandate_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::{PersonRef, User};
            use $crate::domain::account_events::AccountEvent;
            use $crate::domain::assembly::Member;
            use $crate::domain::ids::OrganizationId;
            use $crate::domain::mandate::{self, Nomination, Representatives};
            use $crate::store::rows::{self, UserRow};
            use $crate::store::rows_assembly::{members_of, representatives_of, MandateRow};
            use $crate::store::{accounts_sql, mandates_sql, MandateStore, StoreError, StoreResult};

            impl $store {
                /// The mandates of one organization, or of every active member one.
                pub(crate) async fn representatives_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    only: Option<uuid::Uuid>,
                ) -> StoreResult<Vec<Representatives>> {
                    let organizations: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                        "SELECT id, name FROM organizations WHERE ($1 IS NULL AND kind = 'member' AND active = TRUE) \
                         OR id = $1 ORDER BY name",
                    )
                    .bind(only)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let rows: Vec<MandateRow> = sqlx::query_as(concat!(
                        mandates_sql::mandate_select!(),
                        " WHERE ($1 IS NULL OR r.organization_id = $1) \
                         ORDER BY r.organization_id, r.state, r.titular DESC, r.position"
                    ))
                    .bind(only)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    representatives_of(organizations, rows)
                }

                /// The active member organizations with their mandates in force.
                pub(crate) async fn members_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                ) -> StoreResult<Vec<Member>> {
                    Ok(members_of(Self::representatives_in(conn, None).await?))
                }

                async fn one_representatives_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    organization: uuid::Uuid,
                ) -> StoreResult<Representatives> {
                    Self::representatives_in(conn, Some(organization))
                        .await?
                        .pop()
                        .ok_or(StoreError::NotFound("organization"))
                }
            }

            #[async_trait::async_trait]
            impl MandateStore for $store {
                async fn representatives(&self, organization: OrganizationId) -> StoreResult<Representatives> {
                    let mut conn = self.begin_read().await?;
                    Self::one_representatives_in(&mut conn, organization.0).await
                }

                async fn all_representatives(&self) -> StoreResult<Vec<Representatives>> {
                    let mut conn = self.begin_read().await?;
                    Self::representatives_in(&mut conn, None).await
                }

                async fn nominate(
                    &self,
                    organization: OrganizationId,
                    nomination: Nomination,
                    actor: &User,
                ) -> StoreResult<Representatives> {
                    if !mandate::may_nominate(actor, organization) {
                        return Err(StoreError::Forbidden(
                            "only a delegate of the organization or the secretariat names its representatives".into(),
                        ));
                    }
                    let mut tx = self.begin_write().await?;
                    let org = Self::organization_in(&mut tx, organization.0).await?;
                    let mut people = Vec::new();
                    for id in std::iter::once(&nomination.titular).chain(&nomination.alternates) {
                        match Self::user_in(&mut tx, id.0).await {
                            Ok(user) => people.push(user),
                            Err(StoreError::NotFound(_)) => {}
                            Err(err) => return Err(err),
                        }
                    }
                    mandate::check_nomination((org.id, org.kind), &nomination, &people)?;
                    sqlx::query("DELETE FROM representatives WHERE organization_id = $1 AND state = 'proposed'")
                        .bind(organization.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let now = chrono::Utc::now();
                    let named = std::iter::once((nomination.titular, true))
                        .chain(nomination.alternates.iter().map(|id| (*id, false)));
                    for (position, (person, titular)) in named.enumerate() {
                        sqlx::query(
                            "INSERT INTO representatives (organization_id, state, user_id, titular, position, \
                             proposed_by, proposed_at) VALUES ($1, 'proposed', $2, $3, $4, $5, $6)",
                        )
                        .bind(organization.0)
                        .bind(person.0)
                        .bind(titular)
                        .bind(i32::try_from(position).unwrap_or(i32::MAX))
                        .bind(actor.id.0)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    }
                    let representatives = Self::one_representatives_in(&mut tx, organization.0).await?;
                    self.commit_accounts(tx, Some(actor), &[AccountEvent::Representatives(&representatives)]).await?;
                    Ok(representatives)
                }

                async fn confirm_representatives(
                    &self,
                    organization: OrganizationId,
                    actor: &User,
                ) -> StoreResult<Representatives> {
                    let mut tx = self.begin_write().await?;
                    let current = Self::one_representatives_in(&mut tx, organization.0).await?;
                    if current.proposed.is_none() {
                        return Err(StoreError::Conflict("there are no proposed representatives to confirm".into()));
                    }
                    sqlx::query("DELETE FROM representatives WHERE organization_id = $1 AND state = 'confirmed'")
                        .bind(organization.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    sqlx::query(
                        "UPDATE representatives SET state = 'confirmed', confirmed_by = $2, confirmed_at = $3 \
                         WHERE organization_id = $1 AND state = 'proposed'",
                    )
                    .bind(organization.0)
                    .bind(actor.id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let representatives = Self::one_representatives_in(&mut tx, organization.0).await?;
                    self.commit_accounts(tx, Some(actor), &[AccountEvent::Representatives(&representatives)]).await?;
                    Ok(representatives)
                }

                async fn candidates(&self, organization: OrganizationId) -> StoreResult<Vec<PersonRef>> {
                    let mut conn = self.begin_read().await?;
                    let rows: Vec<UserRow> = sqlx::query_as(concat!(
                        accounts_sql::user_select!(),
                        " WHERE u.organization_id = $1 ORDER BY u.display_name, u.id"
                    ))
                    .bind(organization.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let people: Vec<User> = rows::convert_all(rows)?;
                    Ok(people
                        .iter()
                        .filter(|person| mandate::may_represent(person, organization))
                        .map(PersonRef::from)
                        .collect())
                }
            }
        };
    };
}

pub(crate) use {mandate_select, mandate_store};
