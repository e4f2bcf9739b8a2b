use crate::domain::account::InvitationState;
use crate::domain::limits::Invalid;
use crate::domain::Refusal;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Removing sections would break these references (409, listed).
    #[error("would break {} references", .0.len())]
    WouldBreak(Vec<crate::domain::references::Break>),
    #[error("invalid: {0}")]
    Invalid(Invalid),
    #[error("invitation can no longer be used: {0:?}")]
    InvitationUnusable(InvitationState),
    #[error("password link can no longer be used: {0:?}")]
    ResetUnusable(crate::domain::account::ResetRefusal),
    /// The database did not answer (down, unreachable, pool exhausted).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Invalid(invalid) => StoreError::Invalid(invalid),
            Refusal::Conflict(detail) => StoreError::Conflict(detail),
            Refusal::Forbidden(detail) => StoreError::Forbidden(detail),
        }
    }
}

/// The kinds of constraint violation both backends report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Violation {
    Unique,
    ForeignKey,
    Check,
}

/// Turns a violated constraint into a clear answer. Constraint names are the
/// same on both backends (`<table>_<column>_key`); SQLite reports
/// `table.column`, which the caller rewrites to that form.
pub(crate) fn on_constraint(violation: Violation, constraint: Option<&str>) -> StoreError {
    match (violation, constraint) {
        (Violation::Unique, Some("organizations_name_normalized_key")) => {
            StoreError::Conflict("an organization with this name already exists".into())
        }
        (Violation::Unique, Some("users_email_normalized_key")) => {
            StoreError::Conflict("an account with this email already exists".into())
        }
        (Violation::Unique, Some("flags_comment_id_key")) => {
            StoreError::Conflict("you have already flagged this comment".into())
        }
        (Violation::Unique, _) => StoreError::Conflict("this already exists".into()),
        (Violation::ForeignKey, _) => {
            StoreError::Invalid(Invalid::new("id", "refers to something that does not exist"))
        }
        (Violation::Check, _) => StoreError::Invalid(Invalid::new("value", "is not one of the allowed values")),
    }
}

/// Classifies a sqlx error: constraint violations become conflicts or
/// validation errors, connection trouble becomes `Unavailable`.
pub(crate) fn classify(
    err: sqlx::Error,
    constraint_of: impl Fn(&dyn sqlx::error::DatabaseError) -> Option<String>,
) -> StoreError {
    use sqlx::error::ErrorKind;
    match err {
        sqlx::Error::RowNotFound => StoreError::NotFound("row"),
        sqlx::Error::Database(ref db) => {
            let violation = match db.kind() {
                ErrorKind::UniqueViolation => Some(Violation::Unique),
                ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
                ErrorKind::CheckViolation => Some(Violation::Check),
                _ => None,
            };
            match violation {
                Some(violation) => on_constraint(violation, constraint_of(db.as_ref()).as_deref()),
                None => StoreError::Database(err),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            StoreError::Unavailable(err)
        }
        other => StoreError::Database(other),
    }
}
