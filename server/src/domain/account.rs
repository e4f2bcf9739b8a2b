//! Organizations, people and invitations as the rest of Minga sees them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{InvitationId, OrganizationId, UserId};
use super::string_enum::string_enum;

/// Whether an organization votes (`member`) or only follows (`observer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    Member,
    Observer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Secretariat,
    Delegate,
    Observer,
}

string_enum!(OrganizationKind { Member => "member", Observer => "observer" });
string_enum!(Role { Secretariat => "secretariat", Delegate => "delegate", Observer => "observer" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Organization {
    #[schema(value_type = uuid::Uuid)]
    pub id: OrganizationId,
    pub name: String,
    pub short_name: String,
    pub kind: OrganizationKind,
    pub active: bool,
}

/// A person as shown to others. The password hash never leaves the store
/// except through [`Credentials`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    #[schema(value_type = uuid::Uuid)]
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization: Organization,
    pub active: bool,
    /// Bumped on "sign out everywhere" and on deactivation: a token carrying an
    /// older version is refused.
    #[serde(skip)]
    pub token_version: i64,
}

/// What login needs: the user and the stored argon2id hash.
#[derive(Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).field("password_hash", &"<redacted>").finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub organization: Organization,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// Set when the secretariat withdrew it: its link no longer works.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Where an invitation stands: usable (`pending` on the wire), or why it
/// can no longer be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum InvitationState {
    #[serde(rename = "pending")]
    Usable,
    #[serde(rename = "accepted")]
    Used,
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "revoked")]
    Revoked,
}
string_enum!(InvitationState { Usable => "pending", Used => "accepted", Expired => "expired", Revoked => "revoked" });

impl Invitation {
    /// An invitation is single use and expires; a used one stays used even
    /// after its expiry so the answer tells what really happened.
    pub fn state_at(&self, now: DateTime<Utc>) -> InvitationState {
        if self.used_at.is_some() {
            InvitationState::Used
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if now >= self.expires_at {
            InvitationState::Expired
        } else {
            InvitationState::Usable
        }
    }
}

/// Why a link to set a new password no longer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefusal {
    /// Used, or ended by a newer link or a use of another one.
    Used,
    Expired,
    /// The account was deactivated since.
    Inactive,
}

/// Whether a reset link may set a password now.
pub fn check_reset_link(
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ResetRefusal> {
    if used_at.is_some() {
        Err(ResetRefusal::Used)
    } else if now >= expires_at {
        Err(ResetRefusal::Expired)
    } else if !active {
        Err(ResetRefusal::Inactive)
    } else {
        Ok(())
    }
}

/// The fields an administrator may change on an organization.
#[derive(Debug, Clone, Default)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub active: Option<bool>,
}

/// The fields an administrator may change on a user.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A case- and accent-preserving key for unique names and emails, so that
/// "Fundación Esperanza" and "fundación esperanza " are the same organization.
pub fn unique_key(text: &str) -> String {
    text.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn invitation(used: bool, expires_in: Duration) -> Invitation {
        let now = Utc::now();
        Invitation {
            id: InvitationId::new(),
            email: "a@example.org".into(),
            role: Role::Delegate,
            organization: crate::domain::fixtures::organization(OrganizationKind::Member),
            created_at: now,
            expires_at: now + expires_in,
            used_at: used.then_some(now),
            revoked_at: None,
        }
    }

    #[test]
    fn a_reset_link_works_once_in_time_for_an_active_account() {
        let now = Utc::now();
        let later = now + Duration::hours(1);
        assert_eq!(check_reset_link(None, later, true, now), Ok(()));
        assert_eq!(check_reset_link(Some(now), later, true, now), Err(ResetRefusal::Used));
        assert_eq!(check_reset_link(None, now, true, now), Err(ResetRefusal::Expired));
        assert_eq!(check_reset_link(None, later, false, now), Err(ResetRefusal::Inactive));
    }

    #[test]
    fn invitation_state_reflects_use_and_expiry() {
        let now = Utc::now();
        assert_eq!(invitation(false, Duration::days(1)).state_at(now), InvitationState::Usable);
        assert_eq!(invitation(false, Duration::days(-1)).state_at(now), InvitationState::Expired);
        assert_eq!(invitation(true, Duration::days(1)).state_at(now), InvitationState::Used);
        assert_eq!(invitation(true, Duration::days(-1)).state_at(now), InvitationState::Used);
        let revoked = Invitation { revoked_at: Some(now), ..invitation(false, Duration::days(1)) };
        assert_eq!(revoked.state_at(now), InvitationState::Revoked);
        let revoked_then_used = Invitation { revoked_at: Some(now), ..invitation(true, Duration::days(1)) };
        assert_eq!(revoked_then_used.state_at(now), InvitationState::Used, "a used one stays used");
    }

    #[test]
    fn enums_round_trip_through_text() {
        for role in [Role::Secretariat, Role::Delegate, Role::Observer] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(OrganizationKind::parse("observer"), Some(OrganizationKind::Observer));
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn unique_key_ignores_case_and_surrounding_space() {
        assert_eq!(unique_key(" Fundación Esperanza "), unique_key("fundación esperanza"));
    }
}

/// Who did something, as others see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonRef {
    #[schema(value_type = uuid::Uuid)]
    pub id: UserId,
    pub display_name: String,
}

impl From<&User> for PersonRef {
    fn from(user: &User) -> Self {
        PersonRef { id: user.id, display_name: user.display_name.clone() }
    }
}
