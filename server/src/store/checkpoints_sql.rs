//! Checkpoints, written once for both backends (see `accounts_sql.rs`).
//! The heads are read in one statement, so a checkpoint is one moment of
//! the record even while writers post.

macro_rules! checkpoint_columns {
    () => {
        "SELECT id, at, heads, digest, signature, public_key FROM checkpoints"
    };
}

macro_rules! checkpoint_store {
    ($store:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::checkpoint::{Checkpoint, Head};
            use $crate::store::{checkpoints_sql, CheckpointStore, Page, StoreResult};

            #[async_trait::async_trait]
            impl CheckpointStore for $store {
                async fn current_heads(&self) -> StoreResult<Vec<Head>> {
                    use $crate::domain::checkpoint::Head;
                    let rows: Vec<(String, i64, String)> =
                        sqlx::query_as("SELECT topic, seq, hash FROM topic_heads ORDER BY topic")
                            .fetch_all(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    Ok(rows.into_iter().map(|(topic, seq, hash)| Head { topic, seq, hash }).collect())
                }

                async fn save_checkpoint(&self, checkpoint: &Checkpoint) -> StoreResult<Checkpoint> {
                    use $crate::domain::canonical_json::to_canonical;
                    use $crate::store::rows_checkpoints::CheckpointRow;
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO checkpoints (id, at, heads, digest, signature, public_key) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (digest) DO NOTHING",
                    )
                    .bind(checkpoint.id)
                    .bind(checkpoint.at)
                    .bind(to_canonical(&checkpoint.heads))
                    .bind(&checkpoint.digest)
                    .bind(&checkpoint.signature)
                    .bind(&checkpoint.public_key)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let row: CheckpointRow =
                        sqlx::query_as(concat!(checkpoints_sql::checkpoint_columns!(), " WHERE digest = $1"))
                            .bind(&checkpoint.digest)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                    tx.commit().await.map_err(Self::err)?;
                    row.try_into()
                }

                async fn latest_checkpoint(&self) -> StoreResult<Option<Checkpoint>> {
                    use $crate::store::rows_checkpoints::CheckpointRow;
                    let row: Option<CheckpointRow> =
                        sqlx::query_as(concat!(checkpoints_sql::checkpoint_columns!(), " ORDER BY id DESC LIMIT 1"))
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn checkpoints(&self, page: Page) -> StoreResult<Vec<Checkpoint>> {
                    use $crate::store::rows_checkpoints::CheckpointRow;
                    let rows: Vec<CheckpointRow> = sqlx::query_as(concat!(
                        checkpoints_sql::checkpoint_columns!(),
                        " WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
                    ))
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn event_hash(&self, topic: &str, seq: i64) -> StoreResult<Option<String>> {
                    sqlx::query_scalar("SELECT hash FROM events WHERE topic = $1 AND seq = $2")
                        .bind(topic)
                        .bind(seq)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(Self::err)
                }
            }
        };
    };
}

pub(crate) use {checkpoint_columns, checkpoint_store};
