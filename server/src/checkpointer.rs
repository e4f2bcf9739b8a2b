//! Makes signed checkpoints: at start-up and every `--checkpoint-minutes`
//! while there are new events, and when the secretariat asks. Every node
//! runs one; two nodes signing the same heads keep one checkpoint (the
//! digest is unique), so running several costs at most a duplicate of a
//! moment that really differed.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::domain::checkpoint::{digest_of, Checkpoint, CheckpointKey};
use crate::store::{Store, StoreResult};

/// Makes the start-up checkpoint before it returns (so it is of the record
/// as the server found it, not of whatever the first requests wrote), then
/// one every `every` in the background.
pub async fn start(store: Arc<dyn Store>, key: CheckpointKey, every: Duration, shutdown: CancellationToken) {
    make_logged(store.as_ref(), &key).await;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            make_logged(store.as_ref(), &key).await;
        }
    });
}

async fn make_logged(store: &dyn Store, key: &CheckpointKey) {
    match checkpoint_now(store, key).await {
        Ok(Some(made)) => tracing::debug!(digest = %made.digest, "checkpoint"),
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %err, "could not make a checkpoint"),
    }
}

/// The checkpoint of the record as it is now: the latest one when nothing
/// was written since, a new one otherwise; `None` while there are no events.
pub async fn checkpoint_now(store: &dyn Store, key: &CheckpointKey) -> StoreResult<Option<Checkpoint>> {
    let heads = store.current_heads().await?;
    if heads.is_empty() {
        return Ok(None);
    }
    if let Some(latest) = store.latest_checkpoint().await? {
        if latest.digest == digest_of(&heads) && latest.public_key == key.public_key() {
            return Ok(Some(latest));
        }
    }
    let checkpoint = key.sign(uuid::Uuid::now_v7(), chrono::Utc::now(), heads);
    store.save_checkpoint(&checkpoint).await.map(Some)
}
