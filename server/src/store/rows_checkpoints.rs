//! The checkpoint row.

use chrono::{DateTime, Utc};

use super::error::{StoreError, StoreResult};
use crate::domain::checkpoint::Checkpoint;

#[derive(sqlx::FromRow)]
pub(crate) struct CheckpointRow {
    id: uuid::Uuid,
    at: DateTime<Utc>,
    heads: String,
    digest: String,
    signature: String,
    public_key: String,
}

impl TryFrom<CheckpointRow> for Checkpoint {
    type Error = StoreError;

    fn try_from(row: CheckpointRow) -> StoreResult<Self> {
        Ok(Checkpoint {
            id: row.id,
            at: row.at,
            heads: serde_json::from_str(&row.heads)
                .map_err(|err| StoreError::Corrupt(format!("checkpoint heads: {err}")))?,
            digest: row.digest,
            signature: row.signature,
            public_key: row.public_key,
        })
    }
}
