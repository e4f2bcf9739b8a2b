//! Closes ballots whose deadline has passed and reminds those who have not
//! voted before it. Every node runs one; the ballot's row lock makes each
//! close happen exactly once, a reminder's row each reminder, and the first
//! pass at start-up does what fell due while the server was down.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::{Closer, Store};

/// How often to look for ballots past their deadline.
pub const EVERY: Duration = Duration::from_secs(1);

pub fn start(store: Arc<dyn Store>, shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            close_due(store.as_ref()).await;
            remind_due(store.as_ref()).await;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    });
}

/// One pass: closes every open ballot whose deadline has passed.
pub async fn close_due(store: &dyn Store) {
    let now = chrono::Utc::now();
    let due = match store.due_ballots(now).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "could not look for ballots past their deadline");
            return;
        }
    };
    for id in due {
        match store.close_ballot(id, Closer::Deadline).await {
            Ok(Some(ballot)) => tracing::info!(ballot = %ballot.id, "ballot closed at its deadline"),
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, ballot = %id, "could not close a ballot at its deadline"),
        }
    }
}

/// One pass: sends the reminders due now (see `domain::notification::due_reminders`).
pub async fn remind_due(store: &dyn Store) {
    match store.send_due_reminders(chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(sent) => tracing::info!(sent, "ballot reminders sent"),
        Err(err) => tracing::warn!(error = %err, "could not send the ballot reminders"),
    }
}
