//! `minga serve`: open the store, build the app, serve until SIGTERM/Ctrl-C.

use std::future::Future;

use tokio::net::TcpListener;

use crate::config::{redact_url, Settings};
use crate::state::AppState;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    settings.configured_jwt_secret()?;
    let state = crate::state::open(&settings).await?;
    tracing::info!(
        database = %redact_url(&settings.database_url),
        backend = state.store.backend().as_str(),
        "database ready"
    );
    hint_first_secretariat(&state).await;
    let listener = TcpListener::bind(settings.bind)
        .await
        .map_err(|err| anyhow::anyhow!("cannot listen on {}: {err}", settings.bind))?;
    tracing::info!(address = %settings.bind, public_url = %state.public_url.base, "Minga is listening");
    start_tasks(&state).await;
    serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Starts what runs beside the requests: the ballot deadlines, the
/// checkpoints (the start-up one made before this returns, of the record as
/// the server found it) and, with SMTP set, the mail sender and the
/// notification mails (without it they would only pile up in the outbox).
pub async fn start_tasks(state: &AppState) {
    crate::ballot_deadlines::start(state.store.clone(), state.shutdown.clone());
    crate::checkpointer::start(
        state.store.clone(),
        state.checkpoint_key.clone(),
        state.checkpoint_every,
        state.shutdown.clone(),
    )
    .await;
    if let Some(mailer) = &state.mail.sender {
        crate::mail::sender::start(
            state.store.clone(),
            mailer.clone(),
            state.mail.wake.clone(),
            state.shutdown.clone(),
        );
        crate::notice_mail::start(state.notice_mail_writer(), state.shutdown.clone());
    }
}

/// Serves until `shutdown` completes, then finishes the requests in flight
/// (`start_tasks` first).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopping = state.shutdown.clone();
    let tasks = state.tasks.clone();
    let limits = state.connection_limits;
    let app = crate::http::app(state);
    crate::connections::serve(listener, app, limits, async move {
        shutdown.await;
        // Websockets are not requests the loop waits for: tell them to close.
        stopping.cancel();
    })
    .await;
    tasks.close();
    if tokio::time::timeout(WEBSOCKET_GOODBYE, tasks.wait()).await.is_err() {
        tracing::warn!(open = tasks.len(), "some websockets did not close in time");
    }
    Ok(())
}

/// How long shutdown waits for websockets to send their going-away frame.
const WEBSOCKET_GOODBYE: std::time::Duration = std::time::Duration::from_secs(5);

async fn hint_first_secretariat(state: &AppState) {
    if let Ok(0) = state.store.count_active_secretariat().await {
        tracing::warn!(
            "there is no secretariat account yet; create the first one with: \
             minga invite --email you@example.org --organization \"Your organization\" --role secretariat"
        );
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
