//! Rows as both backends return them, and their conversion to domain values.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::{StoreError, StoreResult};
use crate::domain::account::{Invitation, Organization, OrganizationKind, Role, User};

#[derive(sqlx::FromRow)]
pub(crate) struct OrganizationRow {
    org_id: Uuid,
    org_name: String,
    org_short_name: String,
    org_kind: String,
    org_active: bool,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = StoreError;

    fn try_from(row: OrganizationRow) -> StoreResult<Self> {
        Ok(Organization {
            id: row.org_id.into(),
            name: row.org_name,
            short_name: row.org_short_name,
            kind: OrganizationKind::parse(&row.org_kind)
                .ok_or_else(|| StoreError::Corrupt(format!("organization kind {:?}", row.org_kind)))?,
            active: row.org_active,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    role: String,
    active: bool,
    token_version: i64,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

pub(crate) fn parse_role(text: &str) -> StoreResult<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt(format!("role {text:?}")))
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> StoreResult<Self> {
        Ok(User {
            id: row.id.into(),
            email: row.email,
            display_name: row.display_name,
            role: parse_role(&row.role)?,
            organization: row.organization.try_into()?,
            active: row.active,
            token_version: row.token_version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialsRow {
    password_hash: String,
    #[sqlx(flatten)]
    user: UserRow,
}

impl TryFrom<CredentialsRow> for crate::domain::account::Credentials {
    type Error = StoreError;

    fn try_from(row: CredentialsRow) -> StoreResult<Self> {
        Ok(Self { user: row.user.try_into()?, password_hash: row.password_hash })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InvitationRow {
    id: Uuid,
    email: String,
    role: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;

    fn try_from(row: InvitationRow) -> StoreResult<Self> {
        Ok(Invitation {
            id: row.id.into(),
            email: row.email,
            role: parse_role(&row.role)?,
            organization: row.organization.try_into()?,
            created_at: row.created_at,
            expires_at: row.expires_at,
            used_at: row.used_at,
            revoked_at: row.revoked_at,
        })
    }
}

/// Converts every row, failing on the first corrupt one.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}
